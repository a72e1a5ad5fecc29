"""Importing a phone's copy: photos stored, changes through the push, duplicates recognised, bad files explained."""

import base64
import hashlib
import html
import io
import json
import re

import pytest
import sqlalchemy as sa
import team_data

from fvfield.extensions import db
from fvfield.models import Attachment, AuditEvent, Document, Revision, User

pytestmark = pytest.mark.both_stores

IMPORT = "/teams/clapton-circle/import"
DEVICE = "7e57c0de-0000-4000-8000-00000000a11c"


@pytest.fixture
def circle(app, people):
    """clapton-circle with the check-in form; returns the users' ids by name."""
    with app.app_context():
        team_data.publish(team_data.team("clapton-circle"), team_data.CHECK_IN_V1)
        team_data.publish(team_data.team("ridley-market"), team_data.STALL)
        return {u.email.split("@")[0]: u.id for u in db.session.scalars(sa.select(User))}


def copy_of(changes, attachments=(), user=None, others=(), **fields):
    """Return a phone's copy as the field app saves it."""
    teams = {"clapton-circle": {"changes": list(changes), "attachments": list(attachments)}}
    if others:
        teams["ridley-market"] = {"changes": list(others), "attachments": []}
    return {
        "format": "fvfield-outbox",
        "version": 1,
        "device_id": DEVICE,
        "user": user,
        "exported_at": "2026-11-25T10:00:00.000Z",
        "teams": teams,
        **fields,
    }


def photo_entry(data, sha256=None):
    """Return a photo as the copy carries it."""
    return {
        "sha256": sha256 or hashlib.sha256(data).hexdigest(),
        "content_type": "image/jpeg",
        "data_base64": base64.b64encode(data).decode(),
    }


def upload(client, copy, name="fvfield-outbox-mo-2026-11-25.json"):
    """Post a copy (a dict, or raw bytes) to the import form."""
    data = copy if isinstance(copy, bytes) else json.dumps(copy).encode()
    return client.post(IMPORT, data={"copy": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def text_of(response):
    """Return a page's text with tags removed and spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def statuses(response):
    """Return the result badges of an import's table, in order."""
    return re.findall(r'class="badge badge-(\w+)"', response.get_data(as_text=True))


def a_visit(subject_id=None, **data):
    """Return a change creating a check-in record."""
    return team_data.record("check-in", 1, {"visited_on": "2026-11-24", **data}, subject_id)


def stored(app, document_id):
    """Return (documents, revisions) stored for an id."""
    with app.app_context():
        documents = db.session.scalars(sa.select(Document).where(Document.id == document_id)).all()
        revisions = db.session.scalars(sa.select(Revision).where(Revision.document_id == document_id)).all()
        return documents, revisions


def test_import_twice_gives_applied_then_duplicate_and_one_document(client, auth, app, circle, tmp_path):
    person = team_data.subject("Edna", {"room": "3B"})
    visit = a_visit(
        person["id"],
        photo={"sha256": team_data.PHOTO_SHA, "content_type": "image/jpeg", "size": len(team_data.PHOTO)},
    )
    copy = copy_of([person, visit], [photo_entry(team_data.PHOTO)])
    auth.login()

    first = upload(client, copy)
    assert first.status_code == 200
    assert statuses(first) == ["applied", "applied"]
    assert (
        "2 changes for Clapton Circle: 2 applied, 0 already here, 0 merged, 0 in conflict, 0 rejected."
        in text_of(first)
    )
    second = upload(client, copy)
    assert statuses(second) == ["duplicate", "duplicate"]
    assert "0 applied, 2 already here" in text_of(second)

    for change in (person, visit):
        documents, revisions = stored(app, change["id"])
        assert [(d.rev, d.collection) for d in documents] == [(1, change["collection"])]
        assert [r.change_id for r in revisions] == [change["change_id"]]
    with app.app_context():
        [attachment] = db.session.scalars(sa.select(Attachment)).all()
        folder = app.config["ATTACHMENTS_DIR"]
    assert (attachment.sha256, attachment.size) == (team_data.PHOTO_SHA, len(team_data.PHOTO))
    path = f"{folder}/{team_data.PHOTO_SHA[:2]}/{team_data.PHOTO_SHA}"
    assert open(path, "rb").read() == team_data.PHOTO


def test_import_then_the_phone_syncs_and_gets_duplicate(client, auth, app, circle):
    visit = a_visit(cups=2)
    auth.login()
    upload(client, copy_of([visit], user={"id": circle["member"], "email": "member@example.org"}))
    auth.logout()
    auth.login("member@example.org")
    pushed = client.post("/api/v1/teams/clapton-circle/push", json={"device_id": DEVICE, "changes": [visit]})
    assert [r["status"] for r in pushed.get_json()["results"]] == ["duplicate"]
    assert len(stored(app, visit["id"])[1]) == 1


def test_import_reports_rejected_changes_with_their_reasons(client, auth, app, circle):
    good = a_visit()
    unknown_form = team_data.record("nope", 1, {}, None)
    bad_answer = a_visit(cups=99)
    missing = {key: value for key, value in a_visit().items() if key != "form_version"}
    auth.login()
    response = upload(client, copy_of([good, unknown_form, bad_answer, missing, "not a change"]))
    assert response.status_code == 200
    assert statuses(response) == ["applied", "rejected", "rejected", "rejected", "rejected"]
    page = text_of(response)
    assert "There is no form 'nope' in this team." in page
    assert "cups : Enter a whole number between 0 and 20." in page
    assert "This change has no form_version." in page
    assert "This change is not a JSON object." in page
    assert "1 applied, 0 already here, 0 merged, 0 in conflict, 4 rejected." in page
    assert stored(app, good["id"])[0] and not stored(app, bad_answer["id"])[0]


def test_import_merges_and_keeps_conflicts_as_the_push_does(client, auth, app, circle):
    visit = a_visit(cups=1, notes="first")
    auth.login("member@example.org")
    client.post("/api/v1/teams/clapton-circle/push", json={"device_id": DEVICE, "changes": [visit]})
    # Another phone changes the notes; the copy changed the notes (conflict) and, in another change, cups.
    client.post(
        "/api/v1/teams/clapton-circle/push",
        json={
            "device_id": team_data.DEVICE,
            "changes": [
                {
                    **visit,
                    "change_id": team_data.new_id(),
                    "base_rev": 1,
                    "data": {**visit["data"], "notes": "other"},
                }
            ],
        },
    )
    clash = {
        **visit,
        "change_id": team_data.new_id(),
        "base_rev": 1,
        "data": {**visit["data"], "notes": "mine"},
    }
    auth.logout()
    auth.login()
    response = upload(client, copy_of([clash], user={"id": circle["member"]}))
    assert statuses(response) == ["conflict"]
    with app.app_context():
        document = db.session.scalar(sa.select(Document).where(Document.id == visit["id"]))
        assert (document.has_conflict, json.loads(document.data)["notes"]) == (True, "other")


def test_import_leaves_out_other_teams_and_says_so(client, auth, app, circle):
    theirs = [team_data.record("stall", 1, {"goods": "fish"}), team_data.record("stall", 1, {"goods": "veg"})]
    auth.login()
    response = upload(client, copy_of([a_visit()], others=theirs))
    assert "2 changes for other teams (ridley-market) were left out" in text_of(response)
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(Document).where(Document.form == "stall")
            )
            == 0
        )


@pytest.mark.parametrize(
    "who, author, says",
    [
        ("member", "coord", "The file says Mo Member's phone saved it"),
        ("viewer", "coord", "The file says Vi Viewer's phone saved it"),
        ("other", "coord", "The file names nobody of Clapton Circle"),
        (None, "coord", "The file names nobody of Clapton Circle"),
    ],
)
def test_import_author_is_the_importer_and_the_files_claim_is_provenance(
    client, auth, app, circle, who, author, says
):
    visit = a_visit()
    user = {"id": circle[who], "email": f"{who}@example.org", "name": who} if who else None
    auth.login()
    response = upload(client, copy_of([visit], user=user))
    assert statuses(response) == ["applied"]
    [document], [revision] = stored(app, visit["id"])
    assert (document.author, revision.user_id) == (circle[author], circle[author])
    assert says in text_of(response)


def test_import_refuses_a_photo_that_does_not_match_its_hash(client, auth, app, circle):
    fake = photo_entry(team_data.PHOTO, sha256="0" * 64)
    visit = a_visit(photo={"sha256": "0" * 64, "content_type": "image/jpeg", "size": len(team_data.PHOTO)})
    auth.login()
    response = upload(client, copy_of([visit], [fake, {"sha256": "x"}]))
    page = text_of(response)
    assert "000000000000 refused (These bytes do not hash to the name they were sent under" in page
    assert "refused (It is not named by the sha256 of its bytes.)" in page
    assert statuses(response) == ["rejected"]
    assert "This photo has not been uploaded yet" in page
    with app.app_context():
        assert db.session.scalars(sa.select(Attachment)).all() == []


BAD_FILES = [
    (b"this is not json {", "This file is not a phone's copy: it is not JSON."),
    (b"\xff\xfe\x00garbage", "This file is not a phone's copy: it is not JSON."),
    (b"[1, 2, 3]", "This file is JSON, but not a phone's copy"),
    (json.dumps({"format": "something-else"}).encode(), "This file is JSON, but not a phone's copy"),
    (
        json.dumps({**copy_of([]), "version": 2}).encode(),
        "This copy is in version 2 of the format; this server reads version 1.",
    ),
    (json.dumps({**copy_of([]), "device_id": "phone"}).encode(), "its device_id is missing or broken"),
    (json.dumps({**copy_of([]), "teams": []}).encode(), "it has no list of teams"),
    (
        json.dumps({**copy_of([]), "teams": {"clapton-circle": {"changes": {}}}}).encode(),
        "the part for the team 'clapton-circle' is not a list of changes and photos",
    ),
    (b'{"format": "fvfield-outbox", "version": NaN}', "it is not JSON"),
    (b"[" * 100_000, "it is not JSON"),
]


@pytest.mark.parametrize("data, message", BAD_FILES)
def test_import_of_a_bad_file_says_what_is_wrong(client, auth, app, circle, data, message):
    auth.login()
    response = upload(client, data)
    assert response.status_code == 400
    assert message in text_of(response)
    with app.app_context():
        assert (
            db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event == "phone_copy_imported")).all()
            == []
        )


def test_import_without_a_file_asks_for_one(client, auth, circle):
    auth.login()
    response = client.post(IMPORT, data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose the file the phone saved." in text_of(response)


@pytest.mark.parametrize("size, status", [(5_000, 400), (200_000, 413)])
def test_import_of_a_file_too_large_says_so(client, auth, app, circle, size, status):
    app.config["MAX_IMPORT_BYTES"] = 1_000
    auth.login()
    response = upload(client, b" " * size)
    assert response.status_code == status
    assert "This file is larger than 0.001 MB" in text_of(response)


def test_import_is_recorded_in_the_audit_log(client, auth, app, circle):
    auth.login()
    upload(
        client,
        copy_of(
            [a_visit(), a_visit(cups=99)],
            [photo_entry(team_data.PHOTO)],
            user={"id": circle["member"]},
            others=[team_data.record("stall", 1, {})],
        ),
    )
    with app.app_context():
        [event] = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.event == "phone_copy_imported")
        ).all()
        assert event.user_id == circle["coord"]
        assert event.team_id == team_data.team("clapton-circle").id
    assert event.detail == {
        "device_id": DEVICE,
        "author": "coord@example.org",
        "claimed_author": "member@example.org",
        "photos": 1,
        "skipped": 1,
        "applied": 1,
        "duplicate": 0,
        "merged": 0,
        "conflict": 0,
        "rejected": 1,
    }


@pytest.mark.parametrize(
    "email, status",
    [
        ("coord@example.org", 200),
        ("member@example.org", 403),
        ("viewer@example.org", 403),
        ("other@example.org", 404),
    ],
)
def test_import_is_for_the_teams_coordinators_only(client, auth, app, circle, email, status):
    visit = a_visit()
    auth.login(email)
    assert upload(client, copy_of([visit])).status_code == status
    assert bool(stored(app, visit["id"])[0]) is (status == 200)


def csrf_token(client):
    """Return the CSRF token of the export page's import form."""
    page = client.get("/teams/clapton-circle/export").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_import_checks_the_csrf_token(client, auth, app, circle):
    auth.login()
    app.config["WTF_CSRF_ENABLED"] = True
    visit = a_visit()
    data = json.dumps(copy_of([visit])).encode()
    refused = client.post(
        IMPORT, data={"copy": (io.BytesIO(data), "c.json")}, content_type="multipart/form-data"
    )
    assert refused.status_code == 400
    assert "security token is missing or stale" in text_of(refused)
    assert not stored(app, visit["id"])[0]
    accepted = client.post(
        IMPORT,
        data={"copy": (io.BytesIO(data), "c.json"), "csrf_token": csrf_token(client)},
        content_type="multipart/form-data",
    )
    assert statuses(accepted) == ["applied"]


def test_import_takes_files_larger_than_other_requests(client, auth, app, circle):
    auth.login()
    app.config.update(WTF_CSRF_ENABLED=True, MAX_CONTENT_LENGTH=2_000)
    visits = [a_visit(notes="x" * 500) for _ in range(10)]
    data = json.dumps(copy_of(visits)).encode()
    assert len(data) > 2_000
    response = client.post(
        IMPORT,
        data={"copy": (io.BytesIO(data), "c.json"), "csrf_token": csrf_token(client)},
        content_type="multipart/form-data",
    )
    assert statuses(response) == ["applied"] * 10
