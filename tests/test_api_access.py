"""Guarantee 5: nobody reads or writes outside their teams, whatever ids they guess.

A matrix of every /api/v1 route against a logged-out client, a viewer, a
member of another team, a member and a coordinator; then the guessed ids:
another team's document, subject, change id, photo, form and cursor.
"""

import hashlib
import json
import uuid

import pytest
import sqlalchemy as sa
from conftest import PASSWORD, VISIT_FORM, SyncActions
from test_openapi import api_routes

from fvfield.extensions import db
from fvfield.models import Membership, User

pytestmark = pytest.mark.both_stores

CLAPTON, RIDLEY = "clapton-circle", "ridley-market"
ROLES = ("anonymous", "viewer", "outsider", "member", "coordinator")
EMAILS = {
    "viewer": "viewer@example.org",
    "outsider": "other@example.org",
    "member": "member@example.org",
    "coordinator": "coord@example.org",
}
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00clapton"
RIDLEY_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00ridley-secret"


def sha(data):
    """Return the sha256 of bytes in hex."""
    return hashlib.sha256(data).hexdigest()


class World:
    """Two teams with data of their own, and a logged-in client per role."""

    def __init__(self, app, people):
        self.app = app
        self.clients = {"anonymous": app.test_client()}
        for role, email in EMAILS.items():
            client = self.clients[role] = app.test_client()
            assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
        self.clapton = SyncActions(app, self.clients["member"])
        self.ridley = SyncActions(app, self.clients["outsider"])
        self.clapton.publish()
        self.ridley.publish(slug=RIDLEY)
        self.ridley.publish({**VISIT_FORM, "id": "ridley-only", "title": "Ridley only"}, slug=RIDLEY)

        assert self.upload(self.clients["member"], CLAPTON, JPEG).status_code == 201
        assert self.upload(self.clients["outsider"], RIDLEY, RIDLEY_JPEG).status_code == 201
        self.clapton_record = self.clapton.record(data={"time_in": "09:30", "notes": "Clapton notes"})
        self.ridley_subject = self.ridley.subject(label="Ridley secret stall")
        self.ridley_record = self.ridley.record(
            data={
                "time_in": "10:15",
                "notes": "Ridley secret notes",
                "photo": {"sha256": sha(RIDLEY_JPEG), "content_type": "image/jpeg", "size": len(RIDLEY_JPEG)},
            },
        )
        for actions, changes, slug in (
            (self.clapton, [self.clapton_record], CLAPTON),
            (self.ridley, [self.ridley_subject, self.ridley_record], RIDLEY),
        ):
            assert {r["status"] for r in actions.results(*changes, slug=slug)} == {"applied"}
        self.ridley_state = self.documents(RIDLEY)
        # What no response to a clapton-circle person may ever contain.
        self.secrets = [
            self.ridley_subject["id"],
            self.ridley_record["id"],
            "Ridley secret",
            "ridley-only",
            sha(RIDLEY_JPEG),
        ]

    def clapton_person(self):
        """Return the id of a person of clapton-circle with a visit, made by its member at the first ask."""
        if not hasattr(self, "_person"):
            person = self.clapton.subject(label="Clapton person")
            visit = self.clapton.record(subject_id=person["id"])
            assert {r["status"] for r in self.clapton.results(person, visit)} == {"applied"}
            self._person = person["id"]
        return self._person

    @staticmethod
    def upload(client, slug, data):
        """PUT a photo to a team as `client`."""
        return client.put(
            f"/api/v1/teams/{slug}/attachments/{sha(data)}", data=data, content_type="image/jpeg"
        )

    def documents(self, slug):
        """Return the team's documents as its coordinator pulls them, by id."""
        actions = self.ridley if slug == RIDLEY else SyncActions(None, self.clients["coordinator"])
        return {d["id"]: d for d in actions.pull_all(slug)[0]}


@pytest.fixture
def world(app, people):
    """Two teams with data and a client per role."""
    return World(app, people)


def new_record(world):
    """Return a new clapton-circle visit."""
    return world.clapton.record(data={"time_in": "11:00"})


# Every route under /api/v1, called on clapton-circle, and what each role must get.
ENDPOINTS = {
    ("/api/v1/openapi.json", "get"): (
        lambda c, w: c.get("/api/v1/openapi.json"),
        {"anonymous": 200, "viewer": 200, "outsider": 200, "member": 200, "coordinator": 200},
    ),
    ("/api/v1/session", "get"): (
        lambda c, w: c.get("/api/v1/session"),
        {"anonymous": 401, "viewer": 200, "outsider": 200, "member": 200, "coordinator": 200},
    ),
    ("/api/v1/session/language", "put"): (
        lambda c, w: c.put("/api/v1/session/language", json={"language": "bn"}),
        {"anonymous": 401, "viewer": 200, "outsider": 200, "member": 200, "coordinator": 200},
    ),
    ("/api/v1/teams/{slug}/push", "post"): (
        lambda c, w: c.post(
            f"/api/v1/teams/{CLAPTON}/push", json={"device_id": str(uuid.uuid4()), "changes": [new_record(w)]}
        ),
        {"anonymous": 401, "viewer": 200, "outsider": 404, "member": 200, "coordinator": 200},
    ),
    ("/api/v1/teams/{slug}/pull", "get"): (
        lambda c, w: c.get(f"/api/v1/teams/{CLAPTON}/pull"),
        {"anonymous": 401, "viewer": 200, "outsider": 404, "member": 200, "coordinator": 200},
    ),
    ("/api/v1/teams/{slug}/forms/{form_id}/versions/{version}", "get"): (
        lambda c, w: c.get(f"/api/v1/teams/{CLAPTON}/forms/visit/versions/1"),
        {"anonymous": 401, "viewer": 200, "outsider": 404, "member": 200, "coordinator": 200},
    ),
    ("/api/v1/teams/{slug}/{collection}/{document_id}/revisions", "get"): (
        lambda c, w: c.get(f"/api/v1/teams/{CLAPTON}/records/{w.clapton_record['id']}/revisions"),
        {"anonymous": 401, "viewer": 200, "outsider": 404, "member": 200, "coordinator": 200},
    ),
    ("/api/v1/teams/{slug}/subjects/{subject_id}/records", "get"): (
        lambda c, w: c.get(f"/api/v1/teams/{CLAPTON}/subjects/{w.clapton_person()}/records"),
        {"anonymous": 401, "viewer": 200, "outsider": 404, "member": 200, "coordinator": 200},
    ),
    ("/api/v1/teams/{slug}/attachments/{sha256}", "put"): (
        lambda c, w: w.upload(c, CLAPTON, JPEG),
        {"anonymous": 401, "viewer": 403, "outsider": 404, "member": 200, "coordinator": 200},
    ),
    ("/api/v1/teams/{slug}/attachments/{sha256}", "get"): (
        lambda c, w: c.get(f"/api/v1/teams/{CLAPTON}/attachments/{sha(JPEG)}"),
        {"anonymous": 401, "viewer": 200, "outsider": 404, "member": 200, "coordinator": 200},
    ),
}


def test_api_access_matrix_covers_every_api_route(app):
    assert api_routes(app) == set(ENDPOINTS)


def body_text(response):
    """Return a response body as text (nothing for a photo's bytes)."""
    return response.get_data(as_text=True) if response.mimetype != "image/jpeg" else ""


def test_api_access_matrix(world):
    problems = []
    for (path, method), (call, expected) in ENDPOINTS.items():
        for role in ROLES:
            response = call(world.clients[role], world)
            text = body_text(response)
            if response.status_code != expected[role]:
                problems.append((method, path, role, response.status_code, text[:200]))
            elif response.status_code >= 400 and set(response.get_json()) != {"error"}:
                problems.append((method, path, role, "not the error shape", text[:200]))
            if role != "outsider" and any(secret in text for secret in world.secrets):
                problems.append((method, path, role, "shows another team's data", text[:200]))
    assert problems == [], "\n".join(map(repr, problems))


def test_api_access_a_viewer_push_is_rejected_and_stores_nothing(world):
    viewer = SyncActions(None, world.clients["viewer"])
    change = new_record(world)
    [result] = viewer.results(change)
    assert result["status"] == "rejected" and result["errors"]["_"]
    assert change["id"] not in world.documents(CLAPTON)


def test_api_access_a_member_cannot_push_a_form(world):
    form = {
        "change_id": str(uuid.uuid4()),
        "collection": "forms",
        "id": "visit",
        "base_rev": 1,
        "deleted": False,
        "data": {**VISIT_FORM, "title": "Changed by a member"},
    }
    [result] = world.clapton.results(form)
    assert result["status"] == "rejected"
    assert world.documents(CLAPTON)["visit"]["data"]["title"] == VISIT_FORM["title"]


def test_api_access_session_lists_only_the_users_teams(world):
    teams = {
        r: [t["slug"] for t in world.clients[r].get("/api/v1/session").get_json()["teams"]] for r in EMAILS
    }
    assert teams == {"viewer": [CLAPTON], "outsider": [RIDLEY], "member": [CLAPTON], "coordinator": [CLAPTON]}


THEIR_READS = [
    "/api/v1/teams/{team}/pull",
    "/api/v1/teams/{team}/forms/visit/versions/1",
    "/api/v1/teams/{team}/records/{record}/revisions",
    "/api/v1/teams/{team}/attachments/{photo}",
]


def test_api_access_another_team_is_indistinguishable_from_none(world):
    fill = {"record": world.ridley_record["id"], "photo": sha(RIDLEY_JPEG)}
    problems = []
    for role in ("viewer", "member", "coordinator"):
        for path in THEIR_READS:
            theirs = world.clients[role].get(path.format(team=RIDLEY, **fill))
            nobodys = world.clients[role].get(path.format(team="no-such-team", **fill))
            same = body_text(theirs).replace(RIDLEY, "?") == body_text(nobodys).replace("no-such-team", "?")
            if (theirs.status_code, nobodys.status_code, same) != (404, 404, True):
                problems.append((role, path, theirs.status_code, body_text(theirs)[:200]))
    assert problems == [], "\n".join(map(repr, problems))


def test_api_access_push_to_another_team_is_404_and_changes_nothing(world):
    edit = world.ridley.record(world.ridley_record["id"], 1, data={"time_in": "23:59"})
    for role in ("viewer", "member", "coordinator"):
        answer = world.clients[role].post(
            f"/api/v1/teams/{RIDLEY}/push", json={"device_id": str(uuid.uuid4()), "changes": [edit]}
        )
        assert answer.status_code == 404
    assert world.documents(RIDLEY) == world.ridley_state


def guessed_changes(world):
    """Changes to clapton-circle that aim at ridley-market's documents, photo and change ids."""
    record, subject = world.ridley_record, world.ridley_subject
    photo = {"sha256": sha(RIDLEY_JPEG), "content_type": "image/jpeg", "size": len(RIDLEY_JPEG)}
    return {
        "a new record with their record's id": world.clapton.record(record["id"]),
        "the same, in capitals": world.clapton.record(record["id"].upper()),
        "an edit of their record": world.clapton.record(record["id"], 1, data={"time_in": "23:59"}),
        "a stale edit of their record": world.clapton.record(record["id"], 0, data={"time_in": "23:59"}),
        "a deletion of their record": {**world.clapton.record(record["id"], 1), "deleted": True},
        "a subject with their record's id": world.clapton.subject(record["id"]),
        "a new subject with their subject's id": world.clapton.subject(subject["id"]),
        "an edit of their subject": world.clapton.subject(subject["id"], 1, label="Taken"),
        "a record about their subject": world.clapton.record(subject_id=subject["id"]),
        "a record with their photo": world.clapton.record(data={"time_in": "09:30", "photo": photo}),
        "a retry of their change": {**world.clapton.record(), "change_id": record["change_id"]},
        "a retry of their change, same id": {
            **world.clapton.record(record["id"]),
            "change_id": record["change_id"],
        },
    }


@pytest.mark.parametrize("role", ["member", "coordinator"])
def test_api_access_guessed_ids_are_rejected_and_reveal_nothing(world, role):
    actions = SyncActions(None, world.clients[role])
    guesses = guessed_changes(world)
    results = actions.results(*guesses.values())
    problems = []
    for (what, change), result in zip(guesses.items(), results):
        text = json.dumps(result)
        if result["status"] != "rejected":
            problems.append((what, result))
        sent = json.dumps(change).lower()
        hints = [s for s in world.secrets if s in text and s.lower() not in sent]
        if hints or "current" in result or "rev" in result:
            problems.append((what, "reveals", result))
    assert problems == [], "\n".join(map(repr, problems))
    assert world.documents(RIDLEY) == world.ridley_state
    ours = world.documents(CLAPTON)
    assert not any(secret in json.dumps(ours) for secret in world.secrets)


def test_api_access_their_photo_is_404_through_our_team(world):
    for role in ("viewer", "member", "coordinator"):
        url = f"/api/v1/teams/{CLAPTON}/attachments/{sha(RIDLEY_JPEG)}"
        assert world.clients[role].get(url).status_code == 404
    # Uploading the same bytes makes a photo of our own, and nothing of theirs changes.
    assert world.upload(world.clients["member"], CLAPTON, RIDLEY_JPEG).status_code == 201
    assert (
        world.clients["outsider"].get(f"/api/v1/teams/{RIDLEY}/attachments/{sha(RIDLEY_JPEG)}").data
        == RIDLEY_JPEG
    )


def test_api_access_their_form_is_404_through_our_team(world):
    for role in ("viewer", "member", "coordinator"):
        url = f"/api/v1/teams/{CLAPTON}/forms/ridley-only/versions/1"
        assert world.clients[role].get(url).status_code == 404
    [result] = world.clapton.results(world.clapton.record(form="ridley-only"))
    assert result["status"] == "rejected" and "ridley-only" in result["errors"]["form"][0]


def test_api_access_their_revisions_are_404_through_our_team(world):
    for collection, doc in (("records", world.ridley_record), ("subjects", world.ridley_subject)):
        for role in ("viewer", "member", "coordinator"):
            url = f"/api/v1/teams/{CLAPTON}/{collection}/{doc['id']}/revisions"
            assert world.clients[role].get(url).status_code == 404


def test_api_access_their_cursor_does_not_open_their_data(world):
    cursor = world.ridley.pull(slug=RIDLEY).get_json()["cursor"]
    answer = world.clients["member"].get(f"/api/v1/teams/{CLAPTON}/pull?since={cursor}")
    assert answer.status_code in (200, 410)
    assert not any(secret in answer.get_data(as_text=True) for secret in world.secrets)


def test_api_access_a_full_pull_holds_only_the_team(world):
    for role in ("viewer", "member", "coordinator"):
        text = world.clients[role].get(f"/api/v1/teams/{CLAPTON}/pull?limit=1000").get_data(as_text=True)
        assert world.clapton_record["id"] in text
        assert not any(secret in text for secret in world.secrets)


def remove_from_clapton(world, role):
    """The coordinator removes the person of `role` from clapton-circle on the web."""
    with world.app.app_context():
        membership_id = db.session.scalar(
            sa.select(Membership.id).join(User).where(User.email == EMAILS[role])
        )
    coordinator = world.clients["coordinator"]
    answer = coordinator.post(f"/teams/{CLAPTON}/members/{membership_id}/remove", data={"confirmed": "yes"})
    assert answer.status_code == 302


def test_api_access_a_removed_member_is_told_their_membership_ended(world):
    remove_from_clapton(world, "member")
    member = world.clients["member"]
    pulled = member.get(f"/api/v1/teams/{CLAPTON}/pull")
    assert pulled.status_code == 403
    assert pulled.get_json()["error"]["code"] == "membership_ended"
    assert "no longer a member of Clapton Circle" in pulled.get_json()["error"]["message"]
    assert "Clapton notes" not in body_text(pulled)
    change = new_record(world)
    pushed = member.post(
        f"/api/v1/teams/{CLAPTON}/push", json={"device_id": str(uuid.uuid4()), "changes": [change]}
    )
    assert (pushed.status_code, pushed.get_json()["error"]["code"]) == (403, "membership_ended")
    assert change["id"] not in world.documents(CLAPTON)
    # Out of their last team, their logins ended: everything else asks them to log in,
    # and outsiders still learn nothing.
    assert member.get(f"/api/v1/teams/{CLAPTON}/forms/visit/versions/1").status_code == 401
    assert world.clients["outsider"].get(f"/api/v1/teams/{CLAPTON}/pull").status_code == 404
