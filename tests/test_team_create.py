"""Creating a team on the web: who may, what it installs, and the home page's links."""

import pytest
import sqlalchemy as sa
from admin_helpers import csrf_app, csrf_logged_in, csrf_token_in, login_as, text  # noqa: F401

from fvfield.extensions import db
from fvfield.models import Membership, Team, User

NEW = {"name": "Hackney care circle", "slug": "hackney-circle", "kind": "care-circle"}


def test_team_create_page_needs_login(client, people):
    response = client.get("/new-team")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("who, status", [("coord", 200), ("other", 200), ("member", 403), ("viewer", 403)])
def test_team_create_page_by_role(client, auth, people, who, status):
    login_as(auth, who)
    assert client.get("/new-team").status_code == status
    assert client.post("/new-team", data=NEW).status_code in ((302,) if status == 200 else (403,))


def test_team_create_installs_forms_and_makes_a_coordinator(app, client, auth, people, sync):
    login_as(auth, "coord")
    response = client.post("/new-team", data={**NEW, "slug": " Hackney-Circle "})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/teams/hackney-circle/subjects")
    with app.app_context():
        team = db.session.scalar(sa.select(Team).where(Team.slug == "hackney-circle"))
        member = db.session.scalar(
            sa.select(Membership)
            .join(User)
            .where(Membership.team_id == team.id, User.email == "coord@example.org")
        )
        assert (team.name, team.kind, member.role) == ("Hackney care circle", "care-circle", "coordinator")
    documents, _ = sync.pull_all("hackney-circle")
    assert {d["id"] for d in documents if d["collection"] == "forms"} == {
        "home-visit",
        "wellbeing-check",
        "change-story",
    }
    assert client.get("/teams/hackney-circle/subjects").status_code == 200


@pytest.mark.parametrize(
    "data, message",
    [
        ({**NEW, "slug": "Not a slug!"}, "Use lower-case letters, digits and dashes"),
        ({**NEW, "slug": ""}, "Choose the team's web address."),
        ({**NEW, "name": ""}, "Give the team a name."),
        ({**NEW, "kind": "book-club"}, "Not a valid choice"),
        ({k: v for k, v in NEW.items() if k != "kind"}, "Choose what kind of team it is."),
    ],
)
def test_team_create_refuses_with_a_message(app, client, auth, people, data, message):
    login_as(auth, "coord")
    response = client.post("/new-team", data=data)
    assert response.status_code == 400
    assert message in text(response)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Team)) == 2


SOME_ID = "a1000000-0000-4000-8000-000000000009"
POSTS = [
    "/new-team",
    "/teams/clapton-circle/subjects/new/person",
    f"/teams/clapton-circle/subjects/{SOME_ID}/edit",
    f"/teams/clapton-circle/subjects/{SOME_ID}/archive",
    f"/teams/clapton-circle/subjects/{SOME_ID}/restore",
    f"/teams/clapton-circle/subjects/{SOME_ID}/pitches/new",
    f"/teams/clapton-circle/subjects/{SOME_ID}/pitches/import",
    f"/teams/clapton-circle/subjects/{SOME_ID}/pitches/import/confirm",
    f"/teams/clapton-circle/conflicts/records/{SOME_ID}",
    f"/teams/clapton-circle/concerns/{SOME_ID}/resolve",
    "/sessions/1/end",
    "/sessions/end-all",
    "/teams/clapton-circle/members/1/reset-link",
    "/teams/clapton-circle/forms/import",
    "/reset/not-a-token",
    "/forgot",
    f"/teams/clapton-circle/records/{SOME_ID}/delete",
    f"/teams/clapton-circle/subjects/{SOME_ID}/erase",
    f"/teams/clapton-circle/records/{SOME_ID}/erase",
    f"/teams/clapton-circle/subjects/{SOME_ID}/merge",
    f"/teams/clapton-circle/records/{SOME_ID}/correct",
    "/teams/clapton-circle/dashboard/small-numbers",
    "/teams/clapton-circle/stories/choose",
    "/teams/clapton-circle/summaries",
    "/teams/clapton-circle/summaries/1/revoke",
]


@pytest.mark.parametrize("path", POSTS)
def test_team_create_and_admin_posts_need_csrf(csrf_app, path):
    client = csrf_logged_in(csrf_app)
    response = client.post(path, data={**NEW, "label": "Edna"})
    assert response.status_code == 400
    assert "Please try again" in text(response)


def test_team_create_with_the_form_token_is_accepted(csrf_app):
    client = csrf_logged_in(csrf_app)
    token = csrf_token_in(client.get("/new-team").text)
    response = client.post("/new-team", data={**NEW, "csrf_token": token})
    assert response.status_code == 302


@pytest.mark.parametrize("who, offered", [("coord", True), ("member", False), ("viewer", False)])
def test_team_create_home_page_links(client, auth, people, who, offered):
    login_as(auth, who)
    page = client.get("/")
    words = text(page)
    assert ("Create a team" in words) is offered
    assert ("Members and invites" in words) is offered
    assert ('href="/teams/clapton-circle/records"' in page.get_data(as_text=True)) is offered
