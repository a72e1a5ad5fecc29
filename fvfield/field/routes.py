"""The field app's three addresses; each is built once per process and revalidated by browsers."""

from flask import abort, current_app

from fvfield import i18n
from fvfield.field import bp
from fvfield.field.precache import build_service_worker, manifest_json, render_shell
from fvfield.field.registry import URL as REGISTRY_URL
from fvfield.field.registry import registry_module
from fvfield.field.strings import strings_json


def cached(name, build):
    """Return the app's cached copy of `name`, building it once per process."""
    store = current_app.extensions.setdefault("fvfield_pwa", {})
    if name not in store:
        store[name] = build()
    return store[name]


@bp.get("/app/")
@bp.get("/app/<path:rest>")
def shell(rest=None):
    """Serve the app shell; the page reads everything else from IndexedDB and the API."""
    response = current_app.make_response(cached("shell", render_shell))
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/manifest.webmanifest")
def web_manifest():
    """Serve the web app manifest."""
    response = current_app.response_class(
        cached("manifest", manifest_json), mimetype="application/manifest+json"
    )
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/sw.js")
def service_worker():
    """Serve the service worker with its precache manifest; browsers always revalidate it."""
    response = current_app.response_class(cached("sw", build_service_worker), mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get(REGISTRY_URL)
def registry():
    """Serve the server's registries (field types, push statuses) as a module for the field app."""
    response = current_app.response_class(cached("registry", registry_module), mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/field/strings/<code>.json")
def field_strings(code):
    """Serve the field app's strings in one language (precached; the phone picks its language)."""
    if i18n.known(code) != code:
        abort(404)
    body = cached(f"strings-{code}", lambda: strings_json(code))
    response = current_app.response_class(body, mimetype="application/json")
    response.headers["Cache-Control"] = "no-cache"
    return response
