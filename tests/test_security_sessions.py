"""Sessions end on the server: logout, a new password, the owner's list, "log out everywhere" (issue 12)."""

import re
from datetime import timedelta

import pytest
import requests
import sqlalchemy as sa
from conftest import PASSWORD
from realserver import RealServer, SyncClient, seed_instance

from fvfield.accounts import sessions
from fvfield.accounts.resets import issue_reset as reset_link
from fvfield.extensions import db
from fvfield.models import Membership, Team, User, UserSession, utcnow

pytestmark = pytest.mark.both_stores
# The second step of removing a member (teams/confirming.py).
YES = {"confirmed": "yes"}


def logged_in(app, email, agent="Phone A"):
    """Return a test client logged in as `email`, with a remember cookie, under a user agent."""
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = agent
    answer = client.post("/login", data={"email": email, "password": PASSWORD, "remember": "y"})
    assert answer.status_code == 302
    return client


def status(client):
    """Return the status of the phones' session endpoint for this client."""
    return client.get("/api/v1/session").status_code


def test_a_copy_of_the_cookies_taken_before_logout_no_longer_logs_in(tmp_path):
    """Through a real server: both the session and the remember cookie die at logout."""
    instance = tmp_path / "instance"
    team = ("c", "C", "care-circle", [("carer@example.org", "member")])
    seed_instance(instance, [("carer@example.org", "Cara")], [team])
    with RealServer(instance) as server:
        phone = SyncClient(server.url)
        phone.login("carer@example.org")
        stolen = {c.name: c.value for c in phone.http.cookies}
        assert {"fvfield_session", "fvfield_remember"} <= set(stolen)
        answer = phone.http.post(
            f"{server.url}/logout", data={"csrf_token": phone.csrf_token}, allow_redirects=False
        )
        assert answer.status_code == 302
        for names in (("fvfield_session", "fvfield_remember"), ("fvfield_remember",), ("fvfield_session",)):
            thief = requests.Session()
            for name in names:
                thief.cookies.set(name, stolen[name])
            assert thief.get(f"{server.url}/api/v1/session", timeout=30).status_code == 401, names


def test_a_new_password_ends_the_other_logins_and_keeps_this_one(app, people):
    here = logged_in(app, people["member"], "Laptop")
    there = logged_in(app, people["member"], "Phone")
    new = "a new long password"
    answer = here.post("/password", data={"current": PASSWORD, "password": new, "confirm": new})
    assert answer.status_code == 302
    assert status(here) == 200
    assert status(there) == 401


def test_the_owner_sees_each_login_and_ends_one(app, people):
    laptop = logged_in(app, people["member"], "Laptop browser")
    phone = logged_in(app, people["member"], "Cheap Android phone")
    page = laptop.get("/sessions").get_data(as_text=True)
    assert "Laptop browser" in page and "Cheap Android phone" in page and "this device" in page
    with app.app_context():
        row = db.session.scalar(sa.select(UserSession).where(UserSession.device == "Cheap Android phone"))
    assert laptop.post(f"/sessions/{row.id}/end").status_code == 302
    assert status(phone) == 401
    assert status(laptop) == 200
    assert "Cheap Android phone" not in laptop.get("/sessions").get_data(as_text=True)


def test_nobody_ends_another_users_login(app, people):
    member = logged_in(app, people["member"])
    coord = logged_in(app, people["coord"])
    with app.app_context():
        member_id = db.session.scalar(sa.select(User.id).where(User.email == people["member"]))
        row = db.session.scalar(sa.select(UserSession).where(UserSession.user_id == member_id))
    assert coord.post(f"/sessions/{row.id}/end").status_code == 404
    assert status(member) == 200


def test_log_out_everywhere_ends_every_login_this_one_too(app, people):
    laptop = logged_in(app, people["member"], "Laptop")
    phone = logged_in(app, people["member"], "Phone")
    assert 'action="/sessions/end-all"' in laptop.get("/password").get_data(as_text=True)
    assert laptop.post("/sessions/end-all").status_code == 302
    assert status(laptop) == 401
    assert status(phone) == 401


def membership_id(app, email, slug):
    with app.app_context():
        return db.session.scalar(
            sa.select(Membership.id).join(User).join(Team).where(User.email == email, Team.slug == slug)
        )


def ended_why(app, email):
    with app.app_context():
        return set(db.session.scalars(sa.select(UserSession.ended_why).join(User).where(User.email == email)))


def test_removed_from_the_last_team_every_login_ends_and_the_phone_is_told_why(app, people):
    phone = logged_in(app, people["member"], "Phone")
    laptop = logged_in(app, people["member"], "Laptop")
    coord = logged_in(app, people["coord"])
    member = membership_id(app, people["member"], "clapton-circle")
    assert coord.post(f"/teams/clapton-circle/members/{member}/remove", data=YES).status_code == 302
    assert status(phone) == 401 and status(laptop) == 401
    assert ended_why(app, people["member"]) == {sessions.REMOVED}
    assert laptop.get("/teams/clapton-circle/records").status_code == 302
    # The phone's own sync calls hear "membership_ended", so it saves and forgets the team.
    pulled = phone.get("/api/v1/teams/clapton-circle/pull")
    assert (pulled.status_code, pulled.get_json()["error"]["code"]) == (403, "membership_ended")
    # ...but only for the team it was removed from: anything else is a plain 401.
    other = phone.get("/api/v1/teams/ridley-market/pull")
    assert (other.status_code, other.get_json()["error"]["code"]) == (401, "login_required")
    assert status(coord) == 200


def test_removed_from_one_of_two_teams_the_logins_go_on(app, people):
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == people["member"]))
        team = db.session.scalar(sa.select(Team).where(Team.slug == "ridley-market"))
        db.session.add(Membership(user_id=user.id, team_id=team.id, role="member"))
        db.session.commit()
    phone = logged_in(app, people["member"])
    coord = logged_in(app, people["coord"])
    member = membership_id(app, people["member"], "clapton-circle")
    assert coord.post(f"/teams/clapton-circle/members/{member}/remove", data=YES).status_code == 302
    assert status(phone) == 200
    pulled = phone.get("/api/v1/teams/clapton-circle/pull")
    assert (pulled.status_code, pulled.get_json()["error"]["code"]) == (403, "membership_ended")


def test_a_password_reset_ends_every_login(app, people, runner):
    phone = logged_in(app, people["member"], "Phone")
    laptop = logged_in(app, people["member"], "Laptop")
    with app.app_context():
        _, token = reset_link(people["member"])
        db.session.commit()
    browser = app.test_client()
    new = "a new long password"
    answer = browser.post(f"/reset/{token}", data={"password": new, "confirm": new})
    assert answer.status_code == 302
    assert status(phone) == 401 and status(laptop) == 401
    assert ended_why(app, people["member"]) == {"password_reset"}
    # Nor does an ended login hear more than 401 on its team's pull: it was not removed.
    pulled = phone.get("/api/v1/teams/clapton-circle/pull")
    assert pulled.status_code == 401


def test_a_login_unseen_for_weeks_still_works_until_its_lifetime(app, people):
    phone = logged_in(app, people["member"])
    lifetime = app.config["REMEMBER_COOKIE_DURATION"]
    with app.app_context():
        db.session.execute(
            sa.update(UserSession).values(last_seen_at=utcnow() - lifetime + timedelta(days=1))
        )
        db.session.commit()
    assert status(phone) == 200
    with app.app_context():
        db.session.execute(
            sa.update(UserSession).values(last_seen_at=utcnow() - lifetime - timedelta(days=1))
        )
        db.session.commit()
    assert status(phone) == 401


def test_a_login_made_before_sessions_were_kept_stays_and_becomes_endable(app, people):
    client = app.test_client()
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == people["member"]))
        legacy = f"{user.id}:{user.login_token}"
    with client.session_transaction() as cookie:
        cookie["_user_id"] = legacy
        cookie["_fresh"] = True
    assert status(client) == 200
    page = client.get("/sessions").get_data(as_text=True)
    ended = re.search(r'action="/sessions/(\d+)/end"', page).group(1)
    client.post(f"/sessions/{ended}/end")
    again = app.test_client()
    with again.session_transaction() as cookie:
        cookie["_user_id"] = legacy
    assert status(again) == 401


def test_the_list_of_logins_shows_a_hostile_user_agent_as_text(app, people):
    client = logged_in(app, people["member"], '<script>alert("ua")</script>')
    page = client.get("/sessions").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page


def test_last_seen_is_written_once_in_a_while(app, people):
    phone = logged_in(app, people["member"])
    with app.app_context():
        db.session.execute(sa.update(UserSession).values(last_seen_at=utcnow() - timedelta(hours=1)))
        db.session.commit()
    assert status(phone) == 200
    with app.app_context():
        seen = db.session.scalar(sa.select(UserSession.last_seen_at))
    assert utcnow() - seen < timedelta(minutes=1)


def test_a_login_is_named_by_its_browser_and_system(app, people):
    agent = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537"
    client = logged_in(app, people["member"], agent)
    assert "Chrome on Android" in client.get("/sessions").get_data(as_text=True)
