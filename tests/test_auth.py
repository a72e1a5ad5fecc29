"""Logging in and out, the remember cookie, passwords, the login throttle, CSRF."""

import re
from datetime import timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from conftest import PASSWORD, make_team, make_user
from flask_migrate import upgrade

from fvfield import create_app
from fvfield.extensions import db
from fvfield.models import AuditEvent, User, utcnow

BAD_LOGIN = "That email and password do not match"
NEW_PASSWORD = "a much longer passphrase"


def events(app, name):
    """Return the audit events called `name`."""
    with app.app_context():
        return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event == name)).all()


def set_cookie(response, name):
    """Return the Set-Cookie header for cookie `name` in a response, or None."""
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(f"{name}="):
            return header
    return None


def cookie_lifetime(header):
    """Return how long a Set-Cookie header keeps its cookie, from Max-Age or Expires."""
    attributes = {}
    for part in header.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        attributes[name.lower()] = value
    if "max-age" in attributes:
        return timedelta(seconds=int(attributes["max-age"]))
    return parsedate_to_datetime(attributes["expires"]) - utcnow()


@pytest.mark.parametrize("who, landing", [("member", "/app/"), ("viewer", "/app/"), ("coord", "/")])
def test_login_success_lands_carers_in_the_field_app_and_coordinators_home(
    client, auth, people, who, landing
):
    response = auth.login(people[who])
    assert response.status_code == 302
    assert response.headers["Location"] == landing
    home = client.get("/")
    assert "Clapton Circle" in home.text
    assert "Ridley Market" not in home.text
    assert 'href="/app/"' in home.text


def test_login_is_audited(app, auth, people):
    auth.login(people["coord"])
    (event,) = events(app, "login")
    assert event.email == people["coord"]


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("coord@example.org", "not the password"),
        ("nobody@example.org", "not the password"),
        ("nobody@example.org", PASSWORD),
    ],
)
def test_login_failure_says_the_same_for_unknown_email_and_wrong_password(
    app, client, auth, people, email, password
):
    response = auth.login(email, password)
    assert response.status_code == 200
    assert BAD_LOGIN in response.text
    assert "no account" not in response.text.lower()
    assert client.get("/").status_code == 302
    assert [e.email for e in events(app, "login_failed")] == [email]


def test_login_email_is_case_insensitive(client, auth, people):
    assert auth.login("  Coord@Example.ORG ").status_code == 302
    assert client.get("/").status_code == 200


def test_logout_needs_post_and_ends_the_login(client, auth, people):
    auth.login(people["coord"])
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200
    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/").status_code == 302
    assert client.get("/api/v1/session").status_code == 401


def test_logout_leaves_no_message_for_the_next_user(client, auth, people):
    auth.login(people["coord"])
    client.post("/teams/clapton-circle/invites", data={"role": "member"})
    client.post("/teams/clapton-circle/invites/1/withdraw", data={"confirmed": "yes"})
    auth.logout()
    page = client.get("/login").text
    assert "You are logged out." in page
    assert "withdrawn" not in page


def test_logout_clears_the_remember_cookie(client, auth, people):
    auth.login(people["coord"])
    auth.logout()
    assert client.get_cookie("fvfield_remember") is None


@pytest.mark.parametrize(
    ("target", "landing"),
    [
        ("/teams/clapton-circle", "/teams/clapton-circle"),
        ("/password?x=1", "/password?x=1"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example/", "/"),
        ("/\t/evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
    ],
)
def test_login_next_redirects_only_to_local_paths(client, people, target, landing):
    response = client.post(
        "/login", query_string={"next": target}, data={"email": people["coord"], "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == landing


def test_login_page_redirects_a_logged_in_user(client, auth, people):
    auth.login(people["coord"])
    response = client.get("/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_required_page_sends_to_login_with_next(client, people):
    response = client.get("/teams/clapton-circle")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query) == {"next": ["/teams/clapton-circle"]}


def test_remember_cookie_lasts_at_least_30_days(auth, people):
    response = auth.login(people["member"], remember=True)
    header = set_cookie(response, "fvfield_remember")
    assert header is not None
    assert cookie_lifetime(header) >= timedelta(days=30)


def test_remember_cookie_logs_in_again_without_the_session(client, auth, people):
    auth.login(people["member"], remember=True)
    client.delete_cookie("fvfield_session")
    assert client.get("/api/v1/session").status_code == 200


def test_login_without_remember_sets_no_remember_cookie(auth, people):
    response = auth.login(people["member"], remember=False)
    assert response.status_code == 302
    assert set_cookie(response, "fvfield_remember") is None


def change_password(client, current, new, confirm=None):
    return client.post("/password", data={"current": current, "password": new, "confirm": confirm or new})


def test_change_password_refuses_a_wrong_current_password(app, client, auth, people):
    auth.login(people["coord"])
    response = change_password(client, "not my password", NEW_PASSWORD)
    assert response.status_code == 200
    assert "That is not your current password." in response.text
    assert events(app, "password_changed") == []
    auth.logout()
    assert auth.login(people["coord"], PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("new", "confirm", "message"),
    [("short", "short", "at least 10 characters"), (NEW_PASSWORD, "something else", "differ")],
)
def test_change_password_refuses_a_bad_new_password(client, auth, people, new, confirm, message):
    auth.login(people["coord"])
    response = change_password(client, PASSWORD, new, confirm)
    assert message in response.text
    auth.logout()
    assert auth.login(people["coord"], PASSWORD).status_code == 302


def test_change_password_ends_other_devices_logins(app, auth, people):
    laptop, phone = app.test_client(), app.test_client()
    for device in (laptop, phone):
        device.post("/login", data={"email": people["coord"], "password": PASSWORD, "remember": "y"})
    phone.delete_cookie("fvfield_session")
    assert phone.get("/api/v1/session").status_code == 200
    phone.delete_cookie("fvfield_session")

    response = change_password(laptop, PASSWORD, NEW_PASSWORD)

    assert response.status_code == 302
    assert laptop.get("/api/v1/session").status_code == 200
    assert phone.get("/api/v1/session").status_code == 401
    assert len(events(app, "password_changed")) == 1
    fresh = app.test_client()
    assert fresh.post("/login", data={"email": people["coord"], "password": PASSWORD}).status_code == 200
    assert fresh.post("/login", data={"email": people["coord"], "password": NEW_PASSWORD}).status_code == 302


def test_change_password_ends_other_sessions_too(app, people):
    laptop, phone = app.test_client(), app.test_client()
    for device in (laptop, phone):
        device.post("/login", data={"email": people["coord"], "password": PASSWORD})
    change_password(laptop, PASSWORD, NEW_PASSWORD)
    assert phone.get("/api/v1/session").status_code == 401


def fail_logins(auth, email, times):
    for _ in range(times):
        assert BAD_LOGIN in auth.login(email, "not the password").text


def backdate_failures(app, minutes):
    """Move every recorded login failure to `minutes` ago (instead of waiting)."""
    with app.app_context():
        db.session.execute(
            sa.update(AuditEvent)
            .where(AuditEvent.event == "login_failed")
            .values(created_at=utcnow() - timedelta(minutes=minutes))
        )
        db.session.commit()


def test_login_throttle_slows_down_then_lets_in(app, client, auth, people):
    limit = app.config["LOGIN_MAX_FAILURES"]
    fail_logins(auth, people["coord"], limit)

    refused = auth.login(people["coord"], PASSWORD)

    assert refused.status_code == 429
    assert "wait 2 seconds" in refused.text
    assert int(refused.headers["Retry-After"]) == 2
    assert client.get("/").status_code == 302
    assert len(events(app, "login_failed")) == limit
    assert [e.detail["because"] for e in events(app, "login_refused")] == ["account"]

    backdate_failures(app, 1)
    assert auth.login(people["coord"], PASSWORD).status_code == 302
    assert client.get("/").status_code == 200


def test_login_throttle_counts_only_recent_failures(app, auth, people):
    limit = app.config["LOGIN_MAX_FAILURES"]
    fail_logins(auth, people["coord"], limit - 1)
    backdate_failures(app, app.config["LOGIN_LOCK_MINUTES"] + 1)
    fail_logins(auth, people["coord"], limit - 1)
    assert auth.login(people["coord"], PASSWORD).status_code == 302


def test_login_throttle_is_per_email(app, auth, people):
    fail_logins(auth, people["coord"], app.config["LOGIN_MAX_FAILURES"])
    assert auth.login(people["member"], PASSWORD).status_code == 302


def test_login_throttle_slows_unknown_emails_alike(app, auth, people):
    fail_logins(auth, "nobody@example.org", app.config["LOGIN_MAX_FAILURES"])
    response = auth.login("nobody@example.org", "not the password")
    assert response.status_code == 429
    assert "Too many failed attempts" in response.text


def test_login_throttle_slows_an_address_trying_many_emails(app, people):
    limit = app.config["LOGIN_MAX_FAILURES"]
    guesser = app.test_client()
    guesser.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    for n in range(limit * 4):
        guesser.post("/login", data={"email": f"guess{n}@example.org", "password": "x"})
    response = guesser.post("/login", data={"email": people["coord"], "password": PASSWORD})
    assert response.status_code == 429
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert elsewhere.post("/login", data={"email": people["coord"], "password": PASSWORD}).status_code == 302


# CSRF is off in the shared `app` fixture; these tests build the app as production does.


@pytest.fixture
def csrf_app(tmp_path):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance")})
    assert app.config["WTF_CSRF_ENABLED"]
    with app.app_context():
        upgrade()
        coord = make_user("coord@example.org")
        member = make_user("member@example.org")
        make_team("clapton-circle", members=[(coord, "coordinator"), (member, "member")])
    yield app
    with app.app_context():
        db.engine.dispose()


def csrf_token_in(page):
    """Return the first CSRF token in a page's forms."""
    return re.search(r'name="(?:[\w-]+-)?csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_csrf_login_without_token_is_refused(csrf_app):
    client = csrf_app.test_client()
    response = client.post("/login", data={"email": "coord@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "Please try again" in response.text
    assert client.get("/").status_code == 302


def test_csrf_login_with_token_from_the_form_is_accepted(csrf_app):
    client = csrf_app.test_client()
    token = csrf_token_in(client.get("/login").text)
    response = client.post(
        "/login", data={"email": "coord@example.org", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def logged_in(app):
    client = app.test_client()
    token = csrf_token_in(client.get("/login").text)
    client.post("/login", data={"email": "coord@example.org", "password": PASSWORD, "csrf_token": token})
    return client


def member_role(app):
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "member@example.org"))
        return user.memberships[0].role, user.memberships[0].id


def test_csrf_team_action_without_token_is_refused(csrf_app):
    client = logged_in(csrf_app)
    _, membership_id = member_role(csrf_app)
    response = client.post(
        f"/teams/clapton-circle/members/{membership_id}/role",
        data={f"member-{membership_id}-role": "viewer"},
    )
    assert response.status_code == 400
    assert member_role(csrf_app)[0] == "member"


def test_csrf_team_action_with_token_from_the_form_is_accepted(csrf_app):
    client = logged_in(csrf_app)
    _, membership_id = member_role(csrf_app)
    page = client.get("/teams/clapton-circle").text
    form = re.search(rf'action="/teams/clapton-circle/members/{membership_id}/role".*?</form>', page, re.S)
    token = csrf_token_in(form.group(0))
    response = client.post(
        f"/teams/clapton-circle/members/{membership_id}/role",
        data={f"member-{membership_id}-role": "viewer", f"member-{membership_id}-csrf_token": token},
    )
    assert response.status_code == 302
    assert member_role(csrf_app)[0] == "viewer"


def test_csrf_logout_without_token_is_refused(csrf_app):
    client = logged_in(csrf_app)
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("url", ["/login", "/password"])
def test_pages_every_input_has_a_label_and_no_empty_attributes(client, auth, people, url):
    if url != "/login":
        auth.login(people["coord"])
    page = client.post(url, data={}).text
    ids = re.findall(r'<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*\sid="([^"]+)"', page)
    assert len(ids) >= 3
    for field_id in ids:
        assert f'for="{field_id}"' in page or re.search(rf'<label[^>]*>\s*<input[^>]*id="{field_id}"', page)
    assert '="None"' not in page
    assert 'aria-invalid="true"' in page


def test_passwords_hash_with_scrypt_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("FVFIELD_PASSWORD_HASH_METHOD", raising=False)
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance")})
    with app.app_context():
        user = User(email="b@example.org", name="B")
        user.set_password(PASSWORD)
        assert user.password_hash.startswith("scrypt:")
        assert user.check_password(PASSWORD)
