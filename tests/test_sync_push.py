"""Push: each status of the contract's table, each rejection, and the batch-level errors."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from conftest import DEVICE, new_id

from fvfield.extensions import db
from fvfield.models import Device, Document, Revision

pytestmark = pytest.mark.both_stores

PUSH = "/api/v1/teams/clapton-circle/push"


def stored_revisions(app, change_id):
    """Return how many revisions the store holds for a change id."""
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count()).select_from(Revision).where(Revision.change_id == change_id)
        )


def test_push_new_record_is_applied_with_rev_1(sync, auth):
    auth.login("member@example.org")
    change = sync.record()
    [result] = sync.results(change)
    assert result == {"change_id": change["change_id"], "id": change["id"], "status": "applied", "rev": 1}


def test_push_edits_on_the_current_rev_count_up(sync, auth):
    auth.login("member@example.org")
    record = sync.record()
    revs = [sync.results(record)[0]["rev"]]
    for base_rev, notes in ((1, "Tea"), (2, "Tea and cake")):
        revs.append(
            sync.results(
                sync.record(id=record["id"], base_rev=base_rev, data={"time_in": "09:30", "notes": notes})
            )[0]["rev"]
        )
    assert revs == [1, 2, 3]
    [document] = [d for d in sync.pull_all()[0] if d["id"] == record["id"]]
    assert (document["rev"], document["data"]["notes"]) == (3, "Tea and cake")


def test_push_retries_are_duplicates_with_the_rev_first_given(app, sync, auth):
    auth.login("member@example.org")
    record = sync.record()
    edit = sync.record(id=record["id"], base_rev=1, data={"time_in": "10:00"})
    sync.results(record, edit)
    for _ in range(3):
        results = sync.results(edit, record)
        assert [(r["status"], r["rev"], r["original_status"]) for r in results] == [
            ("duplicate", 2, "applied"),
            ("duplicate", 1, "applied"),
        ]
    assert stored_revisions(app, edit["change_id"]) == 1


def test_push_the_same_change_twice_in_a_batch_stores_it_once(app, sync, auth):
    auth.login("member@example.org")
    change = sync.record()
    first, second = sync.results(change, change)
    assert (first["status"], second["status"], second["rev"]) == ("applied", "duplicate", 1)
    assert stored_revisions(app, change["change_id"]) == 1


def test_push_change_id_reused_for_another_document_is_rejected(sync, auth):
    auth.login("member@example.org")
    first = sync.record()
    sync.results(first)
    [result] = sync.results(sync.record(change_id=first["change_id"]))
    assert result["status"] == "rejected"
    assert "change_id" in result["errors"]


def make_subject(sync, **attributes):
    """Push a subject; return its id."""
    change = sync.subject(**attributes)
    assert sync.results(change)[0]["status"] == "applied"
    return change["id"]


@pytest.mark.parametrize(
    "attributes, field, words",
    [
        ({"change_id": "not-a-uuid"}, "change_id", "UUID"),
        ({"collection": "photos"}, "collection", "forms, subjects or records"),
        ({"id": "visit-1"}, "id", "UUID"),
        ({"base_rev": -1}, "base_rev", "whole number"),
        ({"base_rev": True}, "base_rev", "whole number"),
        ({"base_rev": "0"}, "base_rev", "whole number"),
        ({"deleted": "no"}, "deleted", "true or false"),
        ({"recorded_at": "2026-11-25T09:41:00"}, "recorded_at", "offset"),
        ({"recorded_at": "yesterday"}, "recorded_at", "offset"),
        ({"form_version": 0}, "form_version", "published version"),
        ({"form": "nope"}, "form", "no form 'nope'"),
        ({"form_version": 7}, "form_version", "no version 7"),
        ({"subject_id": "someone"}, "subject_id", "subject"),
        ({"subject_id": new_id()}, "subject_id", "no subject with this id"),
        ({"data": ["09:30"]}, "data", "object"),
        ({"data": {"time_in": "09:30", "colour": "blue"}}, "colour", ""),
        ({"data": {"time_in": "09:30", "cups": "three"}}, "cups", ""),
        ({"data": {"time_in": "09:30", "cups": 99}}, "cups", ""),
        ({"data": {"time_in": "09:30", "mood": "grumpy"}}, "mood", ""),
        ({"data": {"time_in": "09:30", "notes": "x" * 201}}, "notes", ""),
        ({"data": {"notes": "no time"}}, "time_in", ""),
        ({"data": {"time_in": "9.30am"}}, "time_in", ""),
        (
            {
                "data": {
                    "time_in": "09:30",
                    "photo": {"sha256": "ab" * 32, "content_type": "image/jpeg", "size": 3},
                }
            },
            "photo",
            "not been uploaded",
        ),
        ({"base_rev": 3}, "base_rev", "no document with this id"),
        ({"deleted": True}, "_", "nothing to delete"),
    ],
)
def test_push_rejects_a_record_saying_what_to_fix(sync, auth, attributes, field, words):
    auth.login("member@example.org")
    [result] = sync.results(sync.record(**attributes))
    assert result["status"] == "rejected"
    assert words in " ".join(result["errors"][field])


@pytest.mark.parametrize(
    "attributes, field",
    [
        ({"label": ""}, "label"),
        ({"label": 7}, "label"),
        ({"kind": ""}, "kind"),
        ({"kind": "x" * 41}, "kind"),
        ({"data": "tall"}, "data"),
    ],
)
def test_push_rejects_a_subject_saying_what_to_fix(sync, auth, attributes, field):
    auth.login("member@example.org")
    [result] = sync.results(sync.subject(**attributes))
    assert result["status"] == "rejected"
    assert list(result["errors"]) == [field]


def test_push_applies_a_record_about_an_archived_subject_and_flags_it_when_made_after(sync, auth, client):
    auth.login("member@example.org")
    subject_id = make_subject(sync)
    sync.results(sync.subject(id=subject_id, base_rev=1, deleted=True))
    before = sync.record(subject_id=subject_id, recorded_at="2026-11-25T09:41:00+00:00")
    later = (datetime.now(UTC) + timedelta(hours=2)).isoformat(timespec="seconds")
    after = sync.record(subject_id=subject_id, recorded_at=later, data={"time_in": "11:00"})
    assert [r["status"] for r in sync.results(before, after)] == ["applied", "applied"]
    auth.logout()

    auth.login()
    flag = "Recorded after the person was archived"
    assert flag not in client.get(f"/teams/clapton-circle/records/{before['id']}").get_data(as_text=True)
    assert flag in client.get(f"/teams/clapton-circle/records/{after['id']}").get_data(as_text=True)
    listing = client.get(f"/teams/clapton-circle/records?subject={subject_id}").get_data(as_text=True)
    assert listing.count("After archiving") == 1
    page = client.get(f"/teams/clapton-circle/subjects/{subject_id}").get_data(as_text=True)
    assert f"{flag}: 1 record made" in page


def test_push_rejects_a_subject_of_another_kind_than_the_form_is_about(sync, auth):
    auth.login("member@example.org")
    stall = make_subject(sync, kind="pitch", label="Stall 12")
    [result] = sync.results(sync.record(subject_id=stall))
    assert result["errors"]["subject_id"] == ["This form is about a person, and this subject is a pitch."]


def test_push_accepts_a_subject_made_earlier_in_the_same_batch(sync, auth):
    auth.login("member@example.org")
    person = sync.subject(label="New neighbour")
    results = sync.results(person, sync.record(subject_id=person["id"]))
    assert [r["status"] for r in results] == ["applied", "applied"]


def test_push_rejects_a_subject_of_another_team_without_naming_it(app, sync, auth):
    auth.login("other@example.org")
    stall = sync.subject(kind="pitch", label="Stall 12")
    assert sync.results(stall, slug="ridley-market")[0]["status"] == "applied"
    auth.logout()
    auth.login("member@example.org")
    [result] = sync.results(sync.record(subject_id=stall["id"]))
    assert result["errors"] == {"subject_id": ["There is no subject with this id in this team."]}


def test_push_rejects_an_id_used_in_another_team_and_keeps_theirs(sync, auth):
    auth.login("other@example.org")
    stall = sync.subject(kind="pitch", label="Stall 12")
    sync.results(stall, slug="ridley-market")
    auth.logout()
    auth.login("member@example.org")
    [result] = sync.results(sync.subject(id=stall["id"], label="Edna"))
    assert result["status"] == "rejected"
    assert result["errors"] == {
        "id": ["This id is already used by another document. Make a new id for a new document."]
    }
    assert "ridley" not in json.dumps(result).lower()
    auth.logout()
    auth.login("other@example.org")
    [theirs] = [d for d in sync.pull_all("ridley-market")[0] if d["id"] == stall["id"]]
    assert (theirs["label"], theirs["rev"]) == ("Stall 12", 1)


def test_push_rejects_an_id_used_in_another_collection(sync, auth):
    auth.login("member@example.org")
    subject_id = make_subject(sync)
    [result] = sync.results(sync.record(id=subject_id))
    assert list(result["errors"]) == ["id"]


@pytest.mark.parametrize(
    "email, collection, words",
    [
        ("viewer@example.org", "records", "Viewers can read"),
        ("viewer@example.org", "subjects", "Viewers can read"),
        ("member@example.org", "forms", "Only coordinators change forms"),
        ("coord@example.org", "forms", "published from the team's forms page"),
    ],
)
def test_push_refuses_changes_the_role_may_not_make(sync, auth, email, collection, words):
    auth.login(email)
    change = {"records": sync.record(), "subjects": sync.subject()}.get(collection) or {
        "change_id": new_id(),
        "collection": "forms",
        "id": "visit",
        "base_rev": 1,
        "data": {"id": "visit", "title": "Mine", "fields": []},
    }
    [result] = sync.results(change)
    assert result["status"] == "rejected"
    assert words in result["errors"]["_"][0]


def test_push_a_rejected_change_never_blocks_the_others(sync, auth):
    auth.login("member@example.org")
    good, bad, also_good = sync.record(), sync.record(form="nope"), sync.record()
    results = sync.results(good, bad, also_good)
    assert [r["status"] for r in results] == ["applied", "rejected", "applied"]
    assert [r["change_id"] for r in results] == [c["change_id"] for c in (good, bad, also_good)]


def test_push_a_rejected_change_is_not_stored_and_can_be_fixed(app, sync, auth):
    auth.login("member@example.org")
    change = sync.record(data={"notes": "forgot the time"})
    assert sync.results(change)[0]["status"] == "rejected"
    assert stored_revisions(app, change["change_id"]) == 0
    change["data"]["time_in"] = "09:30"
    assert sync.results(change)[0]["status"] == "applied"


def test_push_deletion_leaves_a_tombstone_with_the_last_answers(sync, auth):
    auth.login("member@example.org")
    record = sync.record(data={"time_in": "09:30", "notes": "Tea"})
    sync.results(record)
    deletion = {
        "change_id": new_id(),
        "collection": "records",
        "id": record["id"],
        "base_rev": 1,
        "deleted": True,
    }
    [result] = sync.results(deletion)
    assert (result["status"], result["rev"]) == ("applied", 2)
    [document] = [d for d in sync.pull_all()[0] if d["id"] == record["id"]]
    assert document["deleted"] is True
    assert document["data"] == {"time_in": "09:30", "notes": "Tea"}


def test_push_ids_are_stored_in_lower_case(sync, auth):
    auth.login("member@example.org")
    change = sync.record()
    change["id"] = change["id"].upper()
    [result] = sync.results(change)
    assert result["id"] == change["id"].lower()
    again = sync.record(id=change["id"].lower(), base_rev=1)
    assert sync.results(again)[0]["rev"] == 2


def test_push_records_the_device(app, sync, auth):
    auth.login("member@example.org")
    sync.results(sync.record())
    with app.app_context():
        device = db.session.scalar(sa.select(Device))
        assert (device.device_id, device.last_push_at is not None, device.last_pull_at) == (
            DEVICE,
            True,
            None,
        )


def test_push_cursor_is_a_pull_cursor(sync, auth):
    auth.login("member@example.org")
    response = sync.push(sync.record())
    page = sync.pull(since=response.get_json()["cursor"]).get_json()
    assert (page["changes"], page["more"]) == ([], False)


@pytest.mark.parametrize(
    "body, content_type, status, code",
    [
        ("{}", "text/plain", 415, "unsupported_media_type"),
        ('{"device_id": ', "application/json", 400, "invalid_json"),
        (b"\xff\xfe", "application/json", 400, "invalid_json"),
        ('{"device_id": NaN}', "application/json", 400, "invalid_json"),
        ('{"device_id": "\\ud800", "changes": []}', "application/json", 400, "invalid_json"),
        ("[]", "application/json", 400, "body_not_object"),
        ('{"changes": []}', "application/json", 400, "invalid_device_id"),
        (json.dumps({"device_id": "phone", "changes": []}), "application/json", 400, "invalid_device_id"),
        (json.dumps({"device_id": DEVICE}), "application/json", 400, "changes_not_list"),
        (json.dumps({"device_id": DEVICE, "changes": {}}), "application/json", 400, "changes_not_list"),
        (json.dumps({"device_id": DEVICE, "changes": ["x"]}), "application/json", 400, "change_not_object"),
        (
            json.dumps({"device_id": DEVICE, "changes": [{"collection": "records"}]}),
            "application/json",
            400,
            "missing_keys",
        ),
    ],
)
def test_push_refuses_a_malformed_batch(sync, auth, client, body, content_type, status, code):
    auth.login("member@example.org")
    data = body if isinstance(body, bytes) else body.encode()
    response = client.post(PUSH, data=data, content_type=content_type)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code


def test_push_names_the_missing_keys(sync, auth):
    auth.login("member@example.org")
    change = sync.record()
    del change["recorded_at"], change["base_rev"]
    response = sync.push(sync.record(), change)
    assert response.status_code == 400
    assert response.get_json()["error"]["message"] == "Change 2 has no base_rev, recorded_at."


def test_push_refuses_more_changes_than_the_limit(app, sync, auth):
    auth.login("member@example.org")
    app.config["MAX_CHANGES"] = 2
    response = sync.push(sync.record(), sync.record(), sync.record())
    assert (response.status_code, response.get_json()["error"]["code"]) == (413, "too_many_changes")


def test_push_refuses_a_body_over_the_limit(app, sync, auth):
    auth.login("member@example.org")
    app.config["MAX_BODY_BYTES"] = 1000
    response = sync.push(*[sync.record() for _ in range(5)])
    assert (response.status_code, response.get_json()["error"]["code"]) == (413, "body_too_large")


def test_push_needs_a_login(client, people):
    response = client.post(PUSH, json={"device_id": DEVICE, "changes": []})
    assert (response.status_code, response.get_json()["error"]["code"]) == (401, "login_required")


def test_push_to_a_team_of_others_is_not_found(sync, auth):
    auth.login("other@example.org")
    response = sync.push(sync.record())
    assert (response.status_code, response.get_json()["error"]["code"]) == (404, "not_found")
    response = sync.push(sync.record(), slug="no-such-team")
    assert response.status_code == 404


def test_push_needs_the_csrf_header(app, sync, auth, client):
    auth.login("member@example.org")
    app.config["WTF_CSRF_ENABLED"] = True
    response = sync.push(sync.record())
    assert (response.status_code, response.get_json()["error"]["code"]) == (400, "csrf_failed")
    token = client.get("/api/v1/session").get_json()["csrf_token"]
    response = client.post(
        PUSH, json={"device_id": DEVICE, "changes": [sync.record()]}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200


def test_push_stores_each_document_once_whatever_the_retries(app, sync, auth):
    auth.login("member@example.org")
    changes = [sync.record() for _ in range(20)]
    for _ in range(3):
        sync.results(*changes)
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(Document).where(Document.collection == "records")
            )
            == 20
        )
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(Revision).where(Revision.collection == "records")
            )
            == 20
        )
