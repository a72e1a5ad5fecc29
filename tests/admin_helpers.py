"""Helpers for the coordinators' page tests: log in as someone, read what phones pull, read pages."""

import re
from html import unescape

import pytest
from conftest import PASSWORD, make_team, make_user
from flask_migrate import upgrade

from fvfield import create_app
from fvfield.extensions import db

ROLES = [("coord", 200), ("member", 403), ("viewer", 403), ("other", 404)]


def login_as(auth, who):
    """Log the test client in as coord, member, viewer or other (all @example.org)."""
    auth.logout()
    response = auth.login(email=f"{who}@example.org")
    assert response.status_code == 302, response.get_data(as_text=True)


def pulled(sync, document_id, slug="clapton-circle"):
    """Return a document as a full pull gives it to a phone (None if not there)."""
    documents, _ = sync.pull_all(slug)
    return next((d for d in documents if d["id"] == document_id), None)


def text(response):
    """Return a page's visible text, tags removed and spaces squeezed."""
    body = response.get_data(as_text=True)
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def location(response):
    """Return where a redirect points, without the host."""
    return re.sub(r"^https?://[^/]+", "", response.headers["Location"])


@pytest.fixture
def csrf_app(tmp_path):
    """An app with CSRF on, as in production, and a coordinator of clapton-circle."""
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "csrf-instance")})
    assert app.config["WTF_CSRF_ENABLED"]
    with app.app_context():
        upgrade()
        make_team("clapton-circle", members=[(make_user("coord@example.org"), "coordinator")])
    yield app
    with app.app_context():
        db.engine.dispose()


def csrf_token_in(page):
    """Return the first CSRF token in a page's forms."""
    return re.search(r'name="(?:[\w-]+-)?csrf_token"[^>]*value="([^"]+)"', page).group(1)


def csrf_logged_in(app):
    """Return a client of a CSRF-on app, logged in as the coordinator with the login form's token."""
    client = app.test_client()
    token = csrf_token_in(client.get("/login").text)
    client.post("/login", data={"email": "coord@example.org", "password": PASSWORD, "csrf_token": token})
    return client
