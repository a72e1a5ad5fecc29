"""An urgent concern reaches the team's coordinators: an email after the push, a badge on their pages (issue 11)."""

import pytest
import sqlalchemy as sa
from admin_helpers import login_as, text
from conftest import PASSWORD, SyncActions, make_team, make_user
from flask_migrate import upgrade
from smtp_inbox import free_port, inbox  # noqa: F401  (inbox: the fixture)

from fvfield import create_app
from fvfield.extensions import db
from fvfield.models import AuditEvent
from fvfield.questionnaires import load_template

DETAILS = "No food in the fridge, Bert Smith is confused"


def mailing_app(tmp_path, port):
    """Return an app mailing 127.0.0.1:port, with clapton-circle (two coordinators, a member) and another team."""
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "WTF_CSRF_ENABLED": False,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": port,
            "MAIL_BACKEND": "smtp",
            "MAIL_DEFAULT_SENDER": "fvfield@example.org",
            "MAIL_TIMEOUT": 5,
        }
    )
    with app.app_context():
        upgrade()
        coord, second = make_user("coord@example.org"), make_user("second@example.org")
        member, other = make_user("member@example.org"), make_user("other@example.org")
        make_team(
            "clapton-circle",
            members=[(coord, "coordinator"), (second, "coordinator"), (member, "member")],
        )
        make_team("hackney-circle", members=[(other, "coordinator"), (member, "member")])
    return app


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, email):
        return self.client.post("/login", data={"email": email, "password": PASSWORD})

    def logout(self):
        return self.client.post("/logout")


def push_visit(app, client, urgency, concern=True):
    """Push a home visit about a new person as the member; return the push response."""
    sync = SyncActions(app, client)
    Auth(client).login("member@example.org")
    person = sync.subject(label="Bert Smith")
    data = {"time_in": "09:00", "concern": concern}
    if concern:
        data.update(concern_details=DETAILS, concern_urgency=urgency)
    visit = sync.record(form="home-visit", subject_id=person["id"], data=data)
    response = sync.push(person, visit)
    response.visit = visit
    return response


def wait_for_alerts(app):
    """Wait for the alert emails sent in the background."""
    for thread in app.extensions.pop("fvfield_alerts", []):
        thread.join(10)


@pytest.fixture
def app_with_form(tmp_path, inbox):
    app = mailing_app(tmp_path, inbox.port)
    SyncActions(app, app.test_client()).publish(load_template("home-visit"))
    yield app
    wait_for_alerts(app)


def events(app, name):
    with app.app_context():
        return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event == name)).all()


def test_urgent_concern_emails_the_coordinators_only(app_with_form, inbox):
    app = app_with_form
    client = app.test_client()
    response = push_visit(app, client, "today")
    assert response.status_code == 200
    assert [r["status"] for r in response.get_json()["results"]] == ["applied", "applied"]
    wait_for_alerts(app)
    assert sorted(to for to, _ in inbox.messages) == [["coord@example.org"], ["second@example.org"]]
    for _, message in inbox.messages:
        assert "An urgent concern was raised in Clapton Circle" in message
        assert "/teams/clapton-circle/concerns" in message
        assert "Bert" not in message and "fridge" not in message
    [alerted] = events(app, "urgent_concern_alerted")
    assert alerted.detail == {"record_id": response.visit["id"], "coordinators": 2}
    # An edit of the same concern alerts nobody twice.
    sync, visit = SyncActions(app, client), response.visit
    edit = sync.record(id=visit["id"], base_rev=1, form="home-visit", subject_id=visit["subject_id"])
    edit["data"] = {**visit["data"], "time_in": "09:05"}
    assert sync.results(edit)[0]["status"] == "applied"
    wait_for_alerts(app)
    assert len(inbox.messages) == 2


@pytest.mark.parametrize("urgency, concern", [("this_week", True), (None, False)])
def test_no_email_for_a_concern_that_is_not_urgent(app_with_form, inbox, urgency, concern):
    response = push_visit(app_with_form, app_with_form.test_client(), urgency, concern)
    assert response.status_code == 200
    wait_for_alerts(app_with_form)
    assert inbox.messages == []
    assert events(app_with_form, "urgent_concern_alerted") == []


def test_the_push_succeeds_with_the_mail_server_down(tmp_path):
    app = mailing_app(tmp_path, free_port())  # nothing listens there
    SyncActions(app, app.test_client()).publish(load_template("home-visit"))
    response = push_visit(app, app.test_client(), "today")
    assert response.status_code == 200
    assert [r["status"] for r in response.get_json()["results"]] == ["applied", "applied"]
    wait_for_alerts(app)
    [failed] = events(app, "urgent_concern_alert_failed")
    assert failed.detail == {"records": 1, "missed": 2}


def test_urgent_concerns_have_a_badge_on_the_coordinators_pages(app_with_form, inbox):
    app = app_with_form
    client = app.test_client()
    push_visit(app, client, "today")
    push_visit(app, client, "this_week")
    auth = Auth(client)
    auth.logout()
    auth.login("coord@example.org")
    assert "Concerns 1 urgent" in text(client.get("/teams/clapton-circle/subjects"))
    assert "2 concerns open 1 urgent" in text(client.get("/"))
    login_as(auth, "other")
    assert "urgent" not in text(client.get("/teams/hackney-circle/subjects"))
