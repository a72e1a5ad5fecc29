"""What the phones download: the app shell, the web app manifest and /sw.js, built from the files.

/sw.js is sw/sw.js with two things injected: the precache manifest (url and
md5 revision of every file the shell needs, as Workbox's injectManifest
writes it) and the constants of static/js/constants.js. Any change to a shell
file changes /sw.js, so phones install the new worker and offer to reload.
"""

import hashlib
import json
import posixpath
import re
from pathlib import Path

from flask import current_app, render_template, url_for
from flask_babel import force_locale

from fvfield import i18n, web_folder
from fvfield.field.registry import URL as REGISTRY_URL
from fvfield.field.registry import registry_module
from fvfield.field.strings import URL as STRINGS_URL
from fvfield.field.strings import strings_json

SHELL_URL = "/app/"
THEME_COLOUR = "#1b4d3e"
BACKGROUND_COLOUR = "#ffffff"
# The shell's stylesheets, in the order it links them (field.css: the screens).
STYLESHEETS = ("css/app.css", "css/app-shell.css", "css/field.css")
ENTRY_MODULE = "js/app.js"
# Screens and form parts may be imported by computed names: precache them all.
MODULE_FOLDERS = ("js/screens", "js/form")
IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])([^'"]+\.m?js)\1""")
ICONS = (
    ("icons/icon-192.png", "192x192", "any"),
    ("icons/icon-512.png", "512x512", "any"),
    ("icons/icon-maskable-512.png", "512x512", "maskable"),
)
CONSTANT = re.compile(r"^export const ([A-Z][A-Z0-9_]*) = (.+);$")


class ShellError(Exception):
    """A shell file cannot be read the way /sw.js needs it."""


def read_constants(path):
    """Return {NAME: value} of the `export const NAME = <JSON>;` lines of a module."""
    constants = {}
    for number, line in enumerate(Path(path).read_text().splitlines(), 1):
        match = CONSTANT.match(line.strip())
        if not match:
            continue
        try:
            constants[match[1]] = json.loads(match[2])
        except ValueError as error:
            raise ShellError(f"{path}:{number}: {match[1]} is not a JSON value ({error}).") from None
    return constants


def md5(data):
    """Return the md5 of bytes in hex: a revision, not a security measure."""
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def stylesheets(static):
    """Return the shell's stylesheets that exist, relative to the static folder."""
    return [name for name in STYLESHEETS if (static / name).is_file()]


def imported_modules(static, name):
    """Return the static files that the module `name` imports by a literal path."""
    found = []
    for match in IMPORT.finditer((static / name).read_text()):
        target = match[2]
        if target.startswith("/static/"):
            found.append(target.removeprefix("/static/"))
        elif target.startswith("."):
            found.append(posixpath.normpath(posixpath.join(posixpath.dirname(name), target)))
    return found


def shell_modules(static):
    """Return the modules the shell loads: app.js and what it imports, transitively."""
    seen = set()
    waiting = [ENTRY_MODULE] + [
        p.relative_to(static).as_posix() for folder in MODULE_FOLDERS for p in (static / folder).rglob("*.js")
    ]
    while waiting:
        name = waiting.pop()
        if name in seen:
            continue
        if not (static / name).is_file():
            # Precaching a missing file would fail the worker's install.
            current_app.logger.warning("static/%s is imported by the field app but missing", name)
            continue
        seen.add(name)
        waiting.extend(imported_modules(static, name))
    return sorted(seen)


def shell_files(static):
    """Return every static file the shell needs, relative to the static folder."""
    icons = [name for name, _, _ in ICONS]
    return stylesheets(static) + shell_modules(static) + icons


def render_shell():
    """Render the app shell: the same page for everyone, no user data in it."""
    static = Path(current_app.static_folder)
    # One page for every phone, in English: i18n.js puts it in the phone's language.
    with force_locale(i18n.DEFAULT):
        return render_template("field/shell.html", stylesheets=stylesheets(static))


def manifest():
    """Return the web app manifest as a dict."""
    return {
        "id": SHELL_URL,
        "name": "fvfield",
        "short_name": "fvfield",
        "description": "Record care visits and market surveys on your phone, with or without a signal.",
        "lang": "en-GB",
        "start_url": SHELL_URL,
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {"src": url_for("static", filename=name), "sizes": sizes, "type": "image/png", "purpose": purpose}
            for name, sizes, purpose in ICONS
        ],
    }


def manifest_json():
    """Return the manifest as the bytes served (sorted keys: a stable revision)."""
    return json.dumps(manifest(), indent=2, sort_keys=True).encode()


def precache_manifest():
    """Return [{url, revision}] for the shell page, the manifest and the shell's files."""
    static = Path(current_app.static_folder)
    release = str(current_app.config.get("FIELD_APP_RELEASE", ""))
    entries = [
        {"url": SHELL_URL, "revision": md5(render_shell().encode() + release.encode())},
        {"url": "/manifest.webmanifest", "revision": md5(manifest_json())},
        {"url": REGISTRY_URL, "revision": md5(registry_module().encode())},
    ]
    # Every language's strings: a phone can change language with no connection.
    for code in i18n.languages():
        entries.append({"url": STRINGS_URL.format(code=code), "revision": md5(strings_json(code))})
    for name in shell_files(static):
        entries.append(
            {"url": url_for("static", filename=name), "revision": md5((static / name).read_bytes())}
        )
    return entries


def build_service_worker():
    """Return sw/sw.js with the precache manifest and the constants injected."""
    static = Path(current_app.static_folder)
    source = (web_folder("sw") / "sw.js").read_text()
    constants = read_constants(static / "js" / "constants.js")
    injected = {
        "self.__WB_MANIFEST": json.dumps(precache_manifest(), indent=1),
        "self.__FV_CONSTANTS": json.dumps(constants, indent=1, sort_keys=True),
    }
    for placeholder, value in injected.items():
        if source.count(placeholder) != 1:
            raise ShellError(f"sw/sw.js must hold {placeholder} exactly once.")
        source = source.replace(placeholder, value)
    return source
