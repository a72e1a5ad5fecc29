"""Errors: the JSON error shape under /api/, friendly pages elsewhere, rollback on 500."""

import pytest
import sqlalchemy as sa

from fvfield.extensions import db
from fvfield.models import User


def assert_error_shape(response, status, code):
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    assert body["error"]["message"].strip()
    return body["error"]


@pytest.mark.parametrize(
    ("method", "url", "status", "code"),
    [
        ("get", "/api/v1/no-such-thing", 404, "not_found"),
        ("get", "/api/", 404, "not_found"),
        ("post", "/api/v1/session", 405, "method_not_allowed"),
        ("delete", "/api/v1/session", 405, "method_not_allowed"),
    ],
)
def test_errors_api_answers_the_json_shape(client, method, url, status, code):
    response = getattr(client, method)(url)
    assert_error_shape(response, status, code)


def test_errors_api_405_keeps_the_allow_header(client):
    response = client.post("/api/v1/session")
    assert "GET" in response.headers["Allow"]


def test_errors_api_401_when_logged_out(client):
    error = assert_error_shape(client.get("/api/v1/session"), 401, "login_required")
    assert "Log in" in error["message"]


def test_errors_html_404_is_a_friendly_page(client, auth, people):
    auth.login(people["member"])
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "<h1>Page not found</h1>" in response.text
    assert 'href="/"' in response.text
    assert "Traceback" not in response.text


def test_errors_html_403_is_a_friendly_page(client, auth, people):
    auth.login(people["member"])
    response = client.get("/teams/clapton-circle")
    assert response.status_code == 403
    assert response.mimetype == "text/html"
    assert "<h1>You cannot open this page</h1>" in response.text
    assert "This needs the coordinator role in Clapton Circle." in response.text
    assert "ask your team's coordinator" in response.text


def test_errors_json_for_a_browser_asking_for_json(client):
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert_error_shape(response, 404, "not_found")


@pytest.fixture
def breaking_app(app):
    """The app with routes that add a user to the session and then fail."""

    def add_user_then_fail():
        db.session.add(User(email="ghost@example.org", name="Ghost", password_hash="x"))
        db.session.flush()
        raise RuntimeError("a bug")

    app.add_url_rule("/api/v1/breaks", "api_breaks", add_user_then_fail)
    app.add_url_rule("/breaks", "page_breaks", add_user_then_fail)

    # Whatever commits after the handler (here: a hook) must find nothing left to store.
    @app.after_request
    def commit_whatever_is_pending(response):
        db.session.commit()
        return response

    return app


def ghosts(app):
    with app.app_context():
        return db.session.scalars(sa.select(User).where(User.email == "ghost@example.org")).all()


def test_errors_api_500_is_json_and_rolls_back(breaking_app):
    response = breaking_app.test_client().get("/api/v1/breaks")
    error = assert_error_shape(response, 500, "server_error")
    assert "a bug" not in error["message"]
    assert ghosts(breaking_app) == []


def test_errors_page_500_is_html_and_rolls_back(breaking_app):
    response = breaking_app.test_client().get("/breaks")
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    assert "<h1>Something went wrong</h1>" in response.text
    assert "a bug" not in response.text
    assert "RuntimeError" not in response.text
    assert ghosts(breaking_app) == []


def test_errors_a_working_route_still_commits_with_the_hook(breaking_app):
    """The check above can fail: without the rollback, the hook would store the ghost."""

    def add_user():
        db.session.add(User(email="ghost@example.org", name="Ghost", password_hash="x"))
        return "ok"

    breaking_app.add_url_rule("/adds", "adds", add_user)
    assert breaking_app.test_client().get("/adds").status_code == 200
    assert len(ghosts(breaking_app)) == 1
