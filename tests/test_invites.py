"""Invite links: issued by a coordinator, used once, expired, withdrawn, unknown."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from conftest import PASSWORD

from fvfield.extensions import db
from fvfield.models import AuditEvent, Invite, Membership, Team, User, utcnow

NEWCOMER = {
    "name": "Amira Hassan",
    "email": "amira@example.org",
    "password": "evening visits 2026",
    "confirm": "evening visits 2026",
}


def issue(client, auth, role="member", note="Amira, evening carer"):
    """Log in as the coordinator, issue an invite, log out; return its link's path."""
    auth.login("coord@example.org")
    page = client.post("/teams/clapton-circle/invites", data={"role": role, "note": note})
    assert page.status_code == 200
    link = re.search(r'id="invite-link"[^>]*value="([^"]+)"', page.text).group(1)
    auth.logout()
    assert link.startswith("http://localhost/invite/")
    return link.removeprefix("http://localhost")


def the_invite(app):
    with app.app_context():
        return db.session.scalars(sa.select(Invite)).one()


def user_named(app, email):
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            return None
        return user, {m.team.slug: m.role for m in user.memberships}


def events(app, name):
    with app.app_context():
        return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event == name)).all()


def change_invite(app, **values):
    with app.app_context():
        db.session.execute(sa.update(Invite).values(**values))
        db.session.commit()


@pytest.mark.parametrize("role", ["member", "viewer", "coordinator"])
def test_invite_link_makes_a_new_user_with_its_role(app, client, auth, people, role):
    path = issue(client, auth, role=role)

    form = client.get(path)
    assert form.status_code == 200
    assert "Join Clapton Circle" in form.text
    joined = client.post(path, data=NEWCOMER)

    assert joined.status_code == 302
    # Carers start in the field app; a coordinator on the team pages.
    assert joined.headers["Location"] == ("/" if role == "coordinator" else "/app/")
    home = client.get("/")
    assert ("Welcome to Clapton Circle" in home.text) == (role == "coordinator")
    assert {"coordinator": "you coordinate", "member": "you record", "viewer": "you read"}[role] in home.text
    user, teams = user_named(app, NEWCOMER["email"])
    assert user.name == "Amira Hassan"
    assert user.check_password(NEWCOMER["password"])
    assert teams == {"clapton-circle": role}
    assert the_invite(app).state == "used"
    assert the_invite(app).used_by == user.id


def test_invite_link_works_once(app, client, auth, people):
    path = issue(client, auth)
    client.post(path, data=NEWCOMER)
    auth.logout()

    again = client.get(path)
    assert again.status_code == 410
    assert "already used" in again.text
    second = client.post(path, data=dict(NEWCOMER, email="second@example.org"))
    assert second.status_code == 410
    assert user_named(app, "second@example.org") is None


def test_invite_link_is_not_used_by_a_bad_form(app, client, auth, people):
    path = issue(client, auth)
    response = client.post(path, data=dict(NEWCOMER, confirm="something else"))
    assert response.status_code == 200
    assert "The two passwords differ." in response.text
    assert the_invite(app).state == "open"
    assert user_named(app, NEWCOMER["email"]) is None


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"expires_at": utcnow() - timedelta(minutes=1)}, 410, "has expired"),
        ({"revoked_at": utcnow()}, 410, "was withdrawn"),
        ({"used_at": utcnow()}, 410, "was already used"),
    ],
)
def test_invite_link_closed_says_why(app, client, auth, people, change, status, words):
    path = issue(client, auth)
    change_invite(app, **change)
    for response in (client.get(path), client.post(path, data=NEWCOMER)):
        assert response.status_code == status
        assert words in response.text
        assert "Ask your team's coordinator to send you a new invite link." in response.text
    assert user_named(app, NEWCOMER["email"]) is None


def test_invite_link_unknown_token(client, people):
    response = client.get("/invite/not-a-real-token")
    assert response.status_code == 404
    assert "We do not recognise this invite link" in response.text


def test_invite_form_with_an_existing_email_is_neutral(app, client, auth, people):
    path = issue(client, auth)
    with app.app_context():
        before = db.session.scalar(sa.select(User).where(User.email == people["member"]))
        before_hash, before_name = before.password_hash, before.name

    response = client.post(path, data=dict(NEWCOMER, email="Member@Example.org"))

    assert response.status_code == 200
    assert "If you already have an fvfield account, log in first" in response.text
    assert "already exists" not in response.text
    assert "already registered" not in response.text
    user, teams = user_named(app, people["member"])
    assert (user.password_hash, user.name) == (before_hash, before_name)
    assert teams == {"clapton-circle": "member"}
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 4
    assert the_invite(app).state == "open"
    assert client.get("/").status_code == 302


def test_invite_join_button_for_a_logged_in_user(app, client, auth, people):
    path = issue(client, auth, role="viewer")
    auth.login(people["other"])

    page = client.get(path)
    assert page.status_code == 200
    assert "You will join as Otto Other" in page.text
    joined = client.post(path)

    assert joined.status_code == 302
    _, teams = user_named(app, people["other"])
    assert teams == {"clapton-circle": "viewer", "ridley-market": "coordinator"}
    assert the_invite(app).state == "used"
    assert "You joined Clapton Circle" in client.get("/").text


def test_invite_join_when_already_a_member_leaves_it_unused(app, client, auth, people):
    path = issue(client, auth, role="coordinator")
    auth.login(people["viewer"])
    client.post(path)
    _, teams = user_named(app, people["viewer"])
    assert teams == {"clapton-circle": "viewer"}
    assert the_invite(app).state == "open"


def test_invite_events_are_audited(app, client, auth, people):
    path = issue(client, auth, role="viewer")
    client.post(path, data=NEWCOMER)
    auth.logout()
    second = issue(client, auth)
    auth.login("coord@example.org")
    with app.app_context():
        open_invite = db.session.scalar(sa.select(Invite).where(Invite.used_at.is_(None)))
        invite_id = open_invite.id
    client.post(f"/teams/clapton-circle/invites/{invite_id}/withdraw", data={"confirmed": "yes"})

    issued = events(app, "invite_issued")
    assert [(e.detail["role"], e.user_id is not None) for e in issued] == [("viewer", True), ("member", True)]
    (used,) = events(app, "invite_used")
    assert (used.email, used.detail["role"]) == ("amira@example.org", "viewer")
    (revoked,) = events(app, "invite_revoked")
    assert revoked.detail["role"] == "member"
    assert client.get(second).status_code == 410


def test_invite_issue_shows_the_link_once(app, client, auth, people):
    auth.login(people["coord"])
    page = client.post("/teams/clapton-circle/invites", data={"role": "member", "note": "Amira"})
    link = re.search(r'id="invite-link"[^>]*value="([^"]+)"', page.text).group(1)
    token = link.rsplit("/", 1)[1]
    assert "Copy link" in page.text
    again = client.get("/teams/clapton-circle")
    assert token not in again.text
    assert 'id="invite-link"' not in again.text
    assert "Amira" in again.text
    with app.app_context():
        stored = db.session.scalar(sa.select(Invite))
        assert token not in (stored.token_hash, stored.note)


def test_invite_issue_refuses_a_bad_role(app, client, auth, people):
    auth.login(people["coord"])
    response = client.post("/teams/clapton-circle/invites", data={"role": "owner"})
    assert response.status_code == 400
    assert "Not a valid choice" in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Invite)) == 0


def test_invite_withdraw_only_once(app, client, auth, people):
    path = issue(client, auth)
    auth.login(people["coord"])
    invite_id = the_invite(app).id
    client.post(f"/teams/clapton-circle/invites/{invite_id}/withdraw", data={"confirmed": "yes"})
    response = client.post(
        f"/teams/clapton-circle/invites/{invite_id}/withdraw",
        data={"confirmed": "yes"},
        follow_redirects=True,
    )
    assert "cannot be withdrawn" in response.text
    assert len(events(app, "invite_revoked")) == 1
    auth.logout()
    assert client.get(path).status_code == 410


def test_invite_use_claims_the_invite_once(app, people):
    """Two accounts using the same invite: only the first joins (the store decides)."""
    from fvfield import accounts

    with app.test_request_context():
        team = db.session.scalar(sa.select(Team).where(Team.slug == "clapton-circle"))
        invite, _ = accounts.issue_invite(team, "member")
        db.session.commit()
        stale = db.session.get(Invite, invite.id)
        # Used meanwhile by someone else: the row changes, this copy does not.
        db.session.execute(
            sa.update(Invite).values(used_at=utcnow()).execution_options(synchronize_session=False)
        )
        other = db.session.scalar(sa.select(User).where(User.email == people["other"]))
        with pytest.raises(accounts.InviteClosed):
            accounts.use_invite(stale, other)
        db.session.rollback()
        assert (
            db.session.scalar(
                sa.select(Membership).where(Membership.user_id == other.id, Membership.team_id == team.id)
            )
            is None
        )


def test_invite_needs_the_password_twice_and_long(client, auth, people):
    path = issue(client, auth)
    response = client.post(path, data=dict(NEWCOMER, password="short", confirm="short"))
    assert "at least 10 characters" in response.text


def test_invite_new_user_is_logged_in_and_remembered(client, auth, people):
    path = issue(client, auth)
    client.post(path, data=NEWCOMER)
    assert client.get_cookie("fvfield_remember") is not None
    session = client.get("/api/v1/session").get_json()
    assert session["user"]["email"] == "amira@example.org"
    assert PASSWORD != NEWCOMER["password"]
