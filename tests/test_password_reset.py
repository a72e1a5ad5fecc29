"""Password recovery: a one-time link from the command line or a coordinator, expiring like invites (issue 11)."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from admin_helpers import login_as, text
from conftest import PASSWORD, make_team, make_user
from test_cli import error_line
from test_teams import membership_id

from fvfield import accounts
from fvfield.accounts import resets
from fvfield.extensions import db
from fvfield.models import AuditEvent

NEW_PASSWORD = "a brand new passphrase"
LINK = re.compile(r"https?://[^\s\"<]+/reset/([A-Za-z0-9_.\-]+)")


def cli_link(runner, email="member@example.org"):
    """Run `fvfield reset-password EMAIL`; return the token of the link it printed."""
    result = runner.invoke(args=["reset-password", email, "--url", "https://fv.example.org/"])
    assert result.exit_code == 0, result.output
    assert "valid 7 days" in result.output
    return LINK.search(result.output).group(1)


def test_reset_password_command_prints_a_one_time_link_that_sets_a_new_password(
    app, runner, people, client, auth
):
    other_device = app.test_client()
    other_device.post("/login", data={"email": "member@example.org", "password": PASSWORD})
    assert other_device.get("/api/v1/session").status_code == 200
    token = cli_link(runner)

    form = client.get(f"/reset/{token}")
    assert form.status_code == 200 and "member@example.org" in text(form)
    done = client.post(f"/reset/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.headers["Location"] == "/login"

    # The old password no longer works, the new one does; the other device is logged out.
    assert auth.login("member@example.org", PASSWORD).status_code == 200
    assert auth.login("member@example.org", NEW_PASSWORD).status_code == 302
    assert other_device.get("/api/v1/session").status_code == 401
    used = client.get(f"/reset/{token}")
    assert used.status_code == 410 and "already used" in text(used)
    with app.app_context():
        events = db.session.scalars(
            sa.select(AuditEvent.event).where(AuditEvent.event.like("password_reset%"))
        )
        assert sorted(events) == ["password_reset", "password_reset_issued"]


def test_reset_password_command_says_an_unknown_email_in_one_line(app, runner, people):
    result = runner.invoke(args=["reset-password", "nobody@example.org"])
    assert "Error: There is no user with the email nobody@example.org." in error_line(result)


def test_reset_link_expired_or_garbled_says_so(app, runner, people, client, monkeypatch):
    token = cli_link(runner)
    monkeypatch.setattr(resets, "lifetime", lambda: timedelta(seconds=-1))
    expired = client.get(f"/reset/{token}")
    assert expired.status_code == 410 and "This password link has expired" in text(expired)
    assert (
        client.post(f"/reset/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code
        == 410
    )
    garbled = client.get(f"/reset/{token[:-3]}xyz")
    assert garbled.status_code == 404 and "do not recognise" in text(garbled)


def test_a_coordinator_makes_a_password_link_for_a_member_of_their_team(app, client, auth, people):
    login_as(auth, "coord")
    page = client.post(f"/teams/clapton-circle/members/{membership_id(app, 'member@example.org')}/reset-link")
    assert page.status_code == 200
    assert "Password link ready" in text(page) and "Mo Member" in text(page)
    token = LINK.search(page.get_data(as_text=True)).group(1)
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.event == "password_reset_issued"))
        assert (event.email, event.user_id) == (
            "member@example.org",
            accounts.find_user("coord@example.org").id,
        )
    auth.logout()
    assert client.get(f"/reset/{token}").status_code == 200


def test_a_coordinator_cannot_make_a_password_link_for_someone_in_a_team_they_do_not_coordinate(
    app, client, auth, people
):
    with app.app_context():
        member = accounts.find_user("member@example.org")
        make_team(
            "hackney-circle", members=[(make_user("hack@example.org"), "coordinator"), (member, "member")]
        )
    login_as(auth, "coord")
    page = client.post(
        f"/teams/clapton-circle/members/{membership_id(app, 'member@example.org')}/reset-link",
        follow_redirects=True,
    )
    assert "also in teams you do not coordinate" in text(page)
    assert "Password link ready" not in text(page)


@pytest.mark.parametrize("path", ["/login"])
def test_login_page_says_how_to_get_a_password_link(client, path):
    assert "Ask your coordinator for a password link" in text(client.get(path))
