"""The first coordinator from the browser: the one-time setup link `fvfield serve` prints."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import PASSWORD

from fvfield.auth.setup import new_setup_token
from fvfield.extensions import db
from fvfield.models import AuditEvent, Membership, Team, User

ANSWERS = {
    "person": "Cora Coordinator",
    "email": "cora@example.org",
    "password": PASSWORD,
    "confirm": PASSWORD,
    "name": "Clapton care circle",
    "slug": "clapton-circle",
    "kind": "care-circle",
}


@pytest.fixture
def token(app):
    return new_setup_token(app.instance_path)


def test_setup_link_creates_the_first_coordinator_and_team(app, client, token):
    page = client.get(f"/setup/{token}")
    assert page.status_code == 200
    assert "Set up fvfield" in page.get_data(as_text=True)
    done = client.post(f"/setup/{token}", data=ANSWERS)
    assert done.status_code == 302
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        team = db.session.scalar(sa.select(Team))
        role = db.session.scalar(sa.select(Membership.role))
        events = db.session.scalars(sa.select(AuditEvent.event)).all()
    assert (user.email, user.name, team.slug, team.kind, role) == (
        "cora@example.org",
        "Cora Coordinator",
        "clapton-circle",
        "care-circle",
        "coordinator",
    )
    assert "first_coordinator_created" in events
    # Logged in as the new coordinator, with the team's forms installed.
    assert "Clapton care circle" in client.get("/").get_data(as_text=True)
    assert not (Path(app.instance_path) / "setup_token").exists()


def test_setup_link_is_refused_once_anyone_has_an_account(app, client, token):
    assert client.post(f"/setup/{token}", data=ANSWERS).status_code == 302
    client.post("/logout")
    again = client.get(f"/setup/{token}")
    assert again.status_code == 410
    assert "set up already" in again.get_data(as_text=True)
    second = client.post(f"/setup/{token}", data=dict(ANSWERS, email="eve@example.org", slug="eve"))
    assert second.status_code == 410
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_setup_link_refused_when_people_exist_already(app, client, people, token):
    assert client.get(f"/setup/{token}").status_code == 410


@pytest.mark.parametrize("path", ["/setup/not-the-token", "/setup/"])
def test_setup_with_a_wrong_token_is_404(client, token, path):
    assert client.get(path).status_code == 404


def test_setup_without_a_token_file_is_404(client):
    assert client.get("/setup/anything").status_code == 404


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"email": "not-an-email"}, "email", "is not an email address"),
        ({"password": "short", "confirm": "short"}, "password", "at least 10 characters"),
        ({"confirm": "something else"}, "confirm", "differ"),
        ({"slug": "Not A Slug"}, "slug", "lower-case letters"),
        ({"kind": "party"}, "kind", "Not a valid choice"),
        ({"person": ""}, "person", "Enter your name"),
    ],
)
def test_setup_mistakes_say_what_to_fix_and_create_nothing(app, client, token, change, field, words):
    page = client.post(f"/setup/{token}", data=dict(ANSWERS, **change))
    assert page.status_code == 400
    assert words in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Team)) == 0
