"""Erase on request (UK GDPR Art. 17): a person with their records, or one record, gone for good (issue 11)."""

import hashlib

import pytest
import sqlalchemy as sa
from admin_helpers import ROLES, login_as, text
from conftest import new_id

from fvfield.extensions import db
from fvfield.models import Attachment, AuditEvent, Team, User
from fvfield.sync import web_edits
from fvfield.sync.attachments import path_of

pytestmark = pytest.mark.both_stores

NAME = "Edna Jones"
ANSWER = "Fell in the kitchen at dawn"
REASON = "Duplicate of the visit to Edna Jones"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"erased pixels" * 10
SHA = hashlib.sha256(PNG).hexdigest()
PHONE = "0d3c1a52-5f6e-4d7a-9b8c-1e2f3a4b5c6e"
ERASE = "/teams/clapton-circle/subjects/{}/erase"


@pytest.fixture
def edna(app, sync, auth, client):
    """Edna, pushed by a member with two visits (one with a photo, one edited twice), and Bert with one."""
    login_as(auth, "member")
    assert (
        client.put(
            f"/api/v1/teams/clapton-circle/attachments/{SHA}", data=PNG, content_type="image/png"
        ).status_code
        == 201
    )
    edna, bert = sync.subject(label=NAME, data={"important": "Her garden"}), sync.subject(label="Bert")
    photo = {"sha256": SHA, "content_type": "image/png", "size": len(PNG)}
    first = sync.record(subject_id=edna["id"], data={"time_in": "09:30", "notes": ANSWER, "photo": photo})
    second = sync.record(subject_id=edna["id"], data={"time_in": "10:00", "notes": "Tea"})
    kept = sync.record(subject_id=bert["id"], data={"time_in": "11:00", "notes": "Bert is well"})
    assert {r["status"] for r in sync.results(edna, bert, first, second, kept, device=PHONE)} == {"applied"}
    edit = sync.record(
        id=second["id"], base_rev=1, subject_id=edna["id"], data={"time_in": "10:05", "notes": ANSWER}
    )
    assert sync.results(edit, device=PHONE)[0]["status"] == "applied"
    login_as(auth, "coord")
    with app.app_context():
        team = db.session.scalar(sa.select(Team).where(Team.slug == "clapton-circle"))
        coord = db.session.scalar(sa.select(User).where(User.email == "coord@example.org"))
        web_edits.delete_record(team, coord, "coordinator", second["id"], 2, REASON)
    return {"edna": edna, "bert": bert, "first": first, "second": second, "kept": kept}


def everything_stored(app):
    """Return every row of every table as one text."""
    with app.app_context():
        parts = []
        for table in db.metadata.sorted_tables:
            parts += [repr(tuple(row)) for row in db.session.execute(sa.select(table))]
        return "\n".join(parts)


def erase(client, subject_id, label=NAME, understood="y"):
    return client.post(ERASE.format(subject_id), data={"label": label, "understood": understood})


def test_erasure_leaves_nothing_of_the_person_in_the_store(app, client, sync, edna):
    assert (
        NAME in everything_stored(app)
        and ANSWER in everything_stored(app)
        and REASON in everything_stored(app)
    )
    page = client.get(ERASE.format(edna["edna"]["id"]))
    assert page.status_code == 200
    words = text(page)
    assert "This cannot be undone" in words and "2 records" in words and "1 photo " in words
    response = erase(client, edna["edna"]["id"])
    assert response.status_code == 302
    stored = everything_stored(app)
    for gone in (NAME, ANSWER, REASON, "Her garden", SHA):
        assert gone not in stored, gone
    assert "Bert is well" in stored
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Attachment)) == 0
        [event] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event == "erased")).all()
    assert event.detail == {
        "what": "subject",
        "kind": "person",
        "document_id": edna["edna"]["id"],
        "records": 2,
        "photos": 1,
        "forms": ["visit"],
    }
    assert not path_of(app.config["ATTACHMENTS_DIR"], SHA).exists()
    listed = text(client.get("/teams/clapton-circle/subjects"))
    assert NAME not in listed and "Bert" in listed
    assert client.get(f"/teams/clapton-circle/subjects/{edna['edna']['id']}").status_code == 404


def test_erasure_reaches_pull_revisions_and_exports(app, client, auth, sync, edna):
    login_as(auth, "member")
    _, cursor = sync.pull_all()
    login_as(auth, "coord")
    assert erase(client, edna["edna"]["id"]).status_code == 302
    login_as(auth, "member")
    changes = sync.pull(since=cursor).get_json()["changes"]
    erased = {edna["edna"]["id"], edna["first"]["id"], edna["second"]["id"]}
    assert {c["id"] for c in changes} == erased
    for change in changes:
        assert change["deleted"] is True and change["data"] == {}
        assert change.get("label") is None and change.get("recorded_at") is None
    everything, _ = sync.pull_all()
    assert NAME not in repr(everything) and ANSWER not in repr(everything)
    for collection, key in (("subjects", "edna"), ("records", "first"), ("records", "second")):
        answer = client.get(f"/api/v1/teams/clapton-circle/{collection}/{edna[key]['id']}/revisions")
        assert answer.status_code == 404
    assert client.get(f"/api/v1/teams/clapton-circle/attachments/{SHA}").status_code == 404
    login_as(auth, "coord")
    csv_text = client.get("/teams/clapton-circle/export/visit.csv").get_data(as_text=True)
    assert NAME not in csv_text and ANSWER not in csv_text and "Bert is well" in csv_text
    sqlite_bytes = client.get("/teams/clapton-circle/export/sqlite").data
    assert NAME.encode() not in sqlite_bytes and ANSWER.encode() not in sqlite_bytes
    assert b"Bert is well" in sqlite_bytes


def test_erasure_a_late_phone_change_meets_the_tombstone(app, client, auth, sync, edna):
    assert erase(client, edna["edna"]["id"]).status_code == 302
    login_as(auth, "member")
    late = sync.record(
        id=edna["first"]["id"],
        base_rev=1,
        subject_id=edna["edna"]["id"],
        data={"time_in": "09:31", "notes": ANSWER},
    )
    new = sync.record(subject_id=edna["edna"]["id"], data={"time_in": "12:00", "notes": ANSWER})
    renamed = sync.subject(id=edna["edna"]["id"], base_rev=1, label=NAME)
    results = sync.results(late, new, renamed, device=PHONE)
    for result in results:
        assert result["status"] == "conflict" and result["erased"] is True
        assert result["current"]["deleted"] is True and result["current"]["data"] == {}
    assert NAME not in everything_stored(app) and ANSWER not in everything_stored(app)


def test_erasure_of_one_record(app, client, auth, sync, edna):
    path = f"/teams/clapton-circle/records/{edna['first']['id']}/erase"
    record_page = client.get(f"/teams/clapton-circle/records/{edna['first']['id']}").get_data(as_text=True)
    assert f'href="{path}"' in record_page
    assert "Erase this record for good" in text(client.get(path))
    refused = client.post(path, data={})
    assert refused.status_code == 400 and "Tick the box" in text(refused)
    assert client.post(path, data={"understood": "y"}).status_code == 302
    stored = everything_stored(app)
    assert SHA not in stored and NAME in stored
    with app.app_context():
        [event] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event == "erased")).all()
    assert event.detail["what"] == "record" and event.detail["records"] == 1


def test_erasure_asks_for_the_name(app, client, edna):
    refused = erase(client, edna["edna"]["id"], label="Edna")
    assert refused.status_code == 400 and "nothing was erased" in text(refused)
    assert erase(client, edna["edna"]["id"], understood="").status_code == 400
    assert NAME in everything_stored(app)
    assert erase(client, edna["edna"]["id"], label="  edna   JONES ").status_code == 302


@pytest.mark.parametrize("who, status", ROLES)
def test_erasure_is_for_coordinators_only(app, client, auth, edna, who, status):
    login_as(auth, who)
    subject_id = edna["edna"]["id"]
    assert client.get(ERASE.format(subject_id)).status_code == status
    assert erase(client, subject_id).status_code == (302 if status == 200 else status)
    assert (NAME in everything_stored(app)) is (status != 200)


def test_erasure_another_teams_subject_is_not_found(client, auth, edna):
    login_as(auth, "other")
    assert client.get(f"/teams/ridley-market/subjects/{edna['edna']['id']}/erase").status_code == 404
    assert (
        client.post(
            f"/teams/ridley-market/records/{edna['first']['id']}/erase", data={"understood": "y"}
        ).status_code
        == 404
    )
    assert client.get(f"/teams/clapton-circle/subjects/{new_id()}/erase").status_code == 404
