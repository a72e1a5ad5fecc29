"""The coordinator's team page: members, roles, removal, and who may reach it."""

import re

import pytest
import sqlalchemy as sa
from conftest import make_team, make_user

from fvfield import accounts
from fvfield.extensions import db
from fvfield.models import AuditEvent, Invite, Membership, Team, User

TEAM = "/teams/clapton-circle"


def membership_id(app, email, slug="clapton-circle"):
    """Return the id of the membership of `email` in the team `slug`."""
    with app.app_context():
        return db.session.scalar(
            sa.select(Membership.id).join(User).join(Team).where(User.email == email, Team.slug == slug)
        )


def roles(app, slug="clapton-circle"):
    """Return {email: role} for the team."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(User.email, Membership.role).join(Membership).join(Team).where(Team.slug == slug)
        )
        return dict(rows.all())


def an_invite(app, slug):
    """Issue an open invite for the team `slug`; return its id."""
    with app.test_request_context():
        invite, _ = accounts.issue_invite(accounts.find_team(slug), "member")
        db.session.commit()
        return invite.id


def events(app, name):
    with app.app_context():
        return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event == name)).all()


def set_role(client, app, email, role):
    mid = membership_id(app, email)
    return client.post(f"{TEAM}/members/{mid}/role", data={f"member-{mid}-role": role})


def remove(client, app, email):
    return client.post(f"{TEAM}/members/{membership_id(app, email)}/remove", data={"confirmed": "yes"})


def test_team_page_lists_members_and_the_invite_form(client, auth, people):
    auth.login(people["coord"])
    page = client.get(TEAM)
    assert page.status_code == 200
    for name, email in [("Cora Coordinator", "coord"), ("Mo Member", "member"), ("Vi Viewer", "viewer")]:
        assert name in page.text
        assert people[email] in page.text
    assert "Otto Other" not in page.text
    assert "Create invite link" in page.text
    assert "joined" in page.text


def test_team_page_every_input_has_a_label(client, auth, people):
    auth.login(people["coord"])
    client.post(f"{TEAM}/invites", data={"role": "member", "note": ""})
    page = client.get(TEAM).text
    ids = re.findall(r'<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*\sid="([^"]+)"', page)
    assert ids
    for field_id in ids:
        assert f'for="{field_id}"' in page


@pytest.mark.parametrize(
    ("email", "role"), [("member", "viewer"), ("viewer", "coordinator"), ("member", "member")]
)
def test_team_role_change(app, client, auth, people, email, role):
    auth.login(people["coord"])
    response = set_role(client, app, people[email], role)
    assert response.status_code == 302
    assert response.headers["Location"] == TEAM
    assert roles(app)[people[email]] == role


def test_team_role_change_is_audited(app, client, auth, people):
    auth.login(people["coord"])
    set_role(client, app, people["member"], "viewer")
    (event,) = events(app, "role_changed")
    assert (event.email, event.detail) == (people["member"], {"old": "member", "new": "viewer"})
    with app.app_context():
        coord = accounts.find_user(people["coord"])
        assert event.user_id == coord.id


def test_team_role_change_to_the_same_role_records_nothing(app, client, auth, people):
    auth.login(people["coord"])
    response = set_role(client, app, people["member"], "member")
    assert "already a member" in client.get(response.headers["Location"]).text
    assert events(app, "role_changed") == []


def test_team_role_change_refuses_an_unknown_role(app, client, auth, people):
    auth.login(people["coord"])
    response = set_role(client, app, people["member"], "owner")
    assert "Choose one of the roles." in client.get(response.headers["Location"]).text
    assert roles(app)[people["member"]] == "member"


def test_team_removal(app, client, auth, people):
    auth.login(people["coord"])
    response = remove(client, app, people["viewer"])
    assert response.status_code == 302
    assert people["viewer"] not in roles(app)
    page = client.get(TEAM).text
    assert "Vi Viewer is no longer in Clapton Circle." in page
    (event,) = events(app, "member_removed")
    assert event.email == people["viewer"]


def test_team_removed_member_loses_the_team(app, client, auth, people):
    auth.login(people["coord"])
    remove(client, app, people["member"])
    auth.logout()
    auth.login(people["member"])
    home = client.get("/").text
    assert "You are not in any team yet" in home
    assert "Clapton Circle" not in home
    assert client.get(TEAM).status_code == 404


@pytest.mark.parametrize("action", ["demote", "remove"])
def test_team_last_coordinator_is_protected(app, client, auth, people, action):
    auth.login(people["coord"])
    if action == "demote":
        response = set_role(client, app, people["coord"], "member")
    else:
        response = remove(client, app, people["coord"])
    assert response.headers["Location"] == TEAM
    page = client.get(TEAM)
    assert page.status_code == 200
    assert "Clapton Circle needs at least one coordinator." in page.text
    assert roles(app)[people["coord"]] == "coordinator"
    assert events(app, "role_changed") == events(app, "member_removed") == []


def test_team_coordinator_may_step_down_when_another_remains(app, client, auth, people):
    auth.login(people["coord"])
    set_role(client, app, people["member"], "coordinator")
    response = set_role(client, app, people["coord"], "member")
    assert response.headers["Location"] == "/"
    assert roles(app)[people["coord"]] == "member"
    assert client.get(TEAM).status_code == 403


def actions(app, slug="clapton-circle"):
    """Every request of the team page, with this team's own member and invite ids."""
    mid = membership_id(app, "member@example.org")
    invite = an_invite(app, "clapton-circle")
    base = f"/teams/{slug}"
    return [
        ("get", base, None),
        ("post", f"{base}/invites", {"role": "coordinator"}),
        ("post", f"{base}/invites/{invite}/withdraw", {}),
        ("post", f"{base}/members/{mid}/role", {f"member-{mid}-role": "coordinator"}),
        ("post", f"{base}/members/{mid}/remove", {}),
        ("post", f"{base}/members/{mid}/reset-link", {}),
    ]


@pytest.mark.parametrize("who", ["member", "viewer"])
def test_team_page_and_actions_are_403_below_coordinator(app, client, auth, people, who):
    auth.login(people[who])
    before = roles(app)
    for method, url, data in actions(app):
        response = getattr(client, method)(url, data=data)
        assert response.status_code == 403, (method, url)
        assert "coordinator role" in response.text
    assert roles(app) == before
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Invite)) == 1
        assert db.session.scalar(sa.select(Invite)).revoked_at is None


def test_team_page_and_actions_are_404_for_another_teams_coordinator(app, client, auth, people):
    auth.login(people["other"])
    before = roles(app)
    for method, url, data in actions(app):
        response = getattr(client, method)(url, data=data)
        assert response.status_code == 404, (method, url)
        assert "Clapton" not in response.text
    assert roles(app) == before
    with app.app_context():
        assert db.session.scalar(sa.select(Invite)).revoked_at is None


def test_team_page_is_404_for_a_team_that_does_not_exist(client, auth, people):
    auth.login(people["coord"])
    assert client.get("/teams/no-such-team").status_code == 404


def test_team_ids_of_another_team_are_refused(app, client, auth, people):
    """Ridley's coordinator, on their own team's URLs, posts Clapton's ids."""
    auth.login(people["other"])
    clapton_member = membership_id(app, people["member"])
    clapton_invite = an_invite(app, "clapton-circle")
    base = "/teams/ridley-market"
    for url, data in [
        (f"{base}/members/{clapton_member}/role", {f"member-{clapton_member}-role": "viewer"}),
        (f"{base}/members/{clapton_member}/remove", {}),
        (f"{base}/members/{clapton_member}/reset-link", {}),
        (f"{base}/invites/{clapton_invite}/withdraw", {}),
    ]:
        assert client.post(url, data=data).status_code == 404, url
    assert roles(app)[people["member"]] == "member"
    with app.app_context():
        assert db.session.get(Invite, clapton_invite).revoked_at is None


def test_team_page_of_a_coordinator_of_two_teams_shows_each_its_own(app, client, auth, people):
    with app.app_context():
        coord = accounts.find_user(people["coord"])
        stranger = make_user("stranger@example.org", "Stella Stranger")
        make_team("hackney-circle", members=[(coord, "coordinator"), (stranger, "member")])
    auth.login(people["coord"])
    clapton = client.get(TEAM).text
    hackney = client.get("/teams/hackney-circle").text
    assert "Stella Stranger" in hackney and "Stella Stranger" not in clapton
    assert "Mo Member" in clapton and "Mo Member" not in hackney
    stranger_id = membership_id(app, "stranger@example.org", "hackney-circle")
    assert client.post(f"{TEAM}/members/{stranger_id}/remove").status_code == 404


def test_team_invites_list_shows_states_and_withdraw_only_for_open(app, client, auth, people):
    auth.login(people["coord"])
    client.post(f"{TEAM}/invites", data={"role": "viewer", "note": "Social worker"})
    client.post(f"{TEAM}/invites", data={"role": "member", "note": "Amira, evening carer"})
    with app.app_context():
        social = db.session.scalar(sa.select(Invite).where(Invite.note == "Social worker"))
        social_id = social.id
    client.post(f"{TEAM}/invites/{social_id}/withdraw", data={"confirmed": "yes"})
    page = client.get(TEAM).text
    assert "Withdrawn" in page and "Open" in page
    assert page.count("/withdraw") == 1
    assert "Amira, evening carer" in page


def test_removing_a_member_asks_first_and_going_back_changes_nothing(app, client, auth, people):
    auth.login(people["coord"])
    url = f"{TEAM}/members/{membership_id(app, people['member'])}/remove"
    first = client.post(url)
    page = first.get_data(as_text=True)
    assert first.status_code == 200
    assert "Remove Mo Member from Clapton Circle?" in page
    assert 'name="confirmed" value="yes"' in page and "No, go back" in page
    assert roles(app)[people["member"]] == "member"
    assert client.post(url, data={"confirmed": "yes"}).status_code == 302
    assert people["member"] not in roles(app)
