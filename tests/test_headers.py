"""Security headers on pages, API answers and errors; cookie flags, Secure over HTTPS."""

import pytest
from conftest import PASSWORD, make_user
from flask_migrate import upgrade

from fvfield import create_app
from fvfield.extensions import db

LOGIN = {"email": "coord@example.org", "password": PASSWORD, "remember": "y"}


def policy(response):
    """Return the Content-Security-Policy as {directive: [sources]}."""
    directives = {}
    for directive in response.headers["Content-Security-Policy"].split(";"):
        name, *sources = directive.split()
        directives[name] = sources
    return directives


def assert_security_headers(response):
    csp = policy(response)
    script_sources = csp.get("script-src", csp["default-src"])
    assert "'unsafe-inline'" not in script_sources
    assert "'unsafe-eval'" not in script_sources
    assert "'self'" in script_sources
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("no-referrer", "same-origin", "strict-origin")


def logged_in_client(app):
    client = app.test_client()
    assert client.post("/login", data=LOGIN).status_code == 302
    return client


@pytest.mark.parametrize(
    ("url", "logged_in", "status", "kind"),
    [
        ("/login", False, 200, "text/html"),
        ("/", True, 200, "text/html"),
        ("/teams/clapton-circle", True, 200, "text/html"),
        ("/api/v1/session", False, 401, "application/json"),
        ("/api/v1/session", True, 200, "application/json"),
        ("/no-such-page", True, 404, "text/html"),
        ("/teams/ridley-market", True, 404, "text/html"),
        ("/api/v1/no-such-thing", False, 404, "application/json"),
        ("/static/css/app.css", False, 200, "text/css"),
    ],
)
def test_headers_on_every_kind_of_answer(app, client, auth, people, url, logged_in, status, kind):
    if logged_in:
        auth.login(people["coord"])
    response = client.get(url)
    assert response.status_code == status
    assert response.mimetype == kind
    assert_security_headers(response)


def test_headers_on_a_csrf_refusal(tmp_path):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance")})
    with app.app_context():
        upgrade()
    response = app.test_client().post("/login", data=LOGIN)
    assert response.status_code == 400
    assert_security_headers(response)
    with app.app_context():
        db.engine.dispose()


def test_headers_api_answers_are_not_cached(client, auth, people):
    assert client.get("/api/v1/session").headers["Cache-Control"] == "no-store"
    auth.login(people["coord"])
    assert client.get("/api/v1/session").headers["Cache-Control"] == "no-store"


def cookies_set(response):
    """Return {cookie name: set of lower-cased attributes} for a response's Set-Cookie headers."""
    found = {}
    for header in response.headers.getlist("Set-Cookie"):
        name = header.split("=", 1)[0]
        found[name] = {part.strip().lower() for part in header.split(";")[1:]}
    return found


def test_cookies_are_httponly_and_samesite_lax(client, people):
    cookies = cookies_set(client.post("/login", data=LOGIN))
    assert set(cookies) == {"fvfield_session", "fvfield_remember", "fvfield_known"}
    for attributes in cookies.values():
        assert "httponly" in attributes
        assert "samesite=lax" in attributes
        assert "secure" not in attributes


@pytest.fixture
def make_app(tmp_path):
    """Build an app with extra settings and a coordinator; dispose of its engines after."""
    made = []

    def make(**config):
        instance = tmp_path / f"instance{len(made)}"
        app = create_app(
            {"TESTING": True, "INSTANCE_PATH": str(instance), "WTF_CSRF_ENABLED": False, **config}
        )
        with app.app_context():
            upgrade()
            make_user("coord@example.org")
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()


def assert_all_secure(response):
    cookies = cookies_set(response)
    assert set(cookies) == {"fvfield_session", "fvfield_remember", "fvfield_known"}
    for attributes in cookies.values():
        assert {"secure", "httponly", "samesite=lax"} <= attributes


def test_cookies_are_secure_when_configured_for_https(make_app):
    app = make_app(HTTPS=True)
    client = app.test_client()
    assert_all_secure(client.post("/login", data=LOGIN, base_url="https://localhost"))


def test_cookies_are_secure_with_fvfield_https_in_the_environment(make_app, monkeypatch):
    monkeypatch.setenv("FVFIELD_HTTPS", "1")
    app = make_app()
    assert_all_secure(app.test_client().post("/login", data=LOGIN))


def test_cookies_are_secure_behind_a_trusted_https_proxy(make_app):
    app = make_app(TRUSTED_PROXIES=1)
    client = app.test_client()
    response = client.post("/login", data=LOGIN, headers={"X-Forwarded-Proto": "https"})
    assert_all_secure(response)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_cookies_are_not_secure_behind_a_proxy_over_plain_http(make_app):
    app = make_app(TRUSTED_PROXIES=1)
    response = app.test_client().post("/login", data=LOGIN, headers={"X-Forwarded-Proto": "http"})
    for attributes in cookies_set(response).values():
        assert "secure" not in attributes


def test_forwarded_proto_is_ignored_without_trusted_proxies(make_app):
    app = make_app()
    response = app.test_client().post("/login", data=LOGIN, headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers
    for attributes in cookies_set(response).values():
        assert "secure" not in attributes
