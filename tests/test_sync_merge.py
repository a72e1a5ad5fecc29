"""Concurrent edits: merged when they touch different fields, a kept conflict when they clash."""

import pytest
from conftest import new_id

pytestmark = pytest.mark.both_stores

PHONE_A = "aaaaaaaa-0000-4000-8000-000000000001"
PHONE_B = "bbbbbbbb-0000-4000-8000-000000000002"


@pytest.fixture
def visit(sync, auth):
    """A record at rev 1 that two phones both hold."""
    auth.login("member@example.org")
    record = sync.record(data={"time_in": "09:30", "notes": "Tea", "cups": 1})
    assert sync.results(record, device=PHONE_A)[0]["rev"] == 1
    return record


def edit(sync, visit, device, base_rev=1, **answers):
    """Push an edit of the visit's answers from a phone; return its result."""
    data = {**visit["data"], **answers}
    change = sync.record(
        id=visit["id"], base_rev=base_rev, data={k: v for k, v in data.items() if v is not None}
    )
    [result] = sync.results(change, device=device)
    return result, change


def pulled(sync, record_id):
    """Return a record as a full pull gives it."""
    [document] = [d for d in sync.pull_all()[0] if d["id"] == record_id]
    return document


def revisions(client, record_id):
    """Return a record's revisions from the API."""
    response = client.get(f"/api/v1/teams/clapton-circle/records/{record_id}/revisions")
    assert response.status_code == 200
    return response.get_json()["revisions"]


def test_merge_edits_of_different_fields_combine(sync, visit):
    edit(sync, visit, PHONE_A, notes="Tea and cake")
    result, _ = edit(sync, visit, PHONE_B, cups=3)
    assert (result["status"], result["rev"]) == ("merged", 3)
    assert result["current"]["data"] == {"time_in": "09:30", "notes": "Tea and cake", "cups": 3}
    document = pulled(sync, visit["id"])
    assert (document["rev"], document["has_conflict"], document["data"]) == (
        3,
        False,
        result["current"]["data"],
    )


def test_merge_removing_an_answer_is_a_change_of_that_field(sync, visit):
    edit(sync, visit, PHONE_A, cups=2)
    result, _ = edit(sync, visit, PHONE_B, notes=None)
    assert result["status"] == "merged"
    assert pulled(sync, visit["id"])["data"] == {"time_in": "09:30", "cups": 2}


def test_merge_edits_of_the_same_field_conflict_and_both_are_kept(sync, client, visit):
    edit(sync, visit, PHONE_A, notes="Tea and cake")
    result, change = edit(sync, visit, PHONE_B, notes="Only water")
    assert (result["status"], result["rev"]) == ("conflict", 2)
    assert result["current"]["data"]["notes"] == "Tea and cake"
    assert result["current"]["has_conflict"] is True
    kept = revisions(client, visit["id"])
    assert [(r["status"], r["rev"], r["data"]["notes"]) for r in kept] == [
        ("applied", 1, "Tea"),
        ("applied", 2, "Tea and cake"),
        ("conflict", 2, "Only water"),
    ]
    assert kept[-1]["change_id"] == change["change_id"]
    assert kept[-1]["device_id"] == PHONE_B


def test_merge_a_conflict_reaches_pullers(sync, visit):
    edit(sync, visit, PHONE_A, notes="Tea and cake")
    _, cursor = sync.pull_all()
    edit(sync, visit, PHONE_B, notes="Only water")
    page = sync.pull(since=cursor).get_json()
    assert [(d["id"], d["rev"], d["has_conflict"], d["data"]["notes"]) for d in page["changes"]] == [
        (visit["id"], 2, True, "Tea and cake"),
    ]


def test_merge_a_retried_conflict_is_a_duplicate(sync, visit):
    edit(sync, visit, PHONE_A, notes="Tea and cake")
    _, change = edit(sync, visit, PHONE_B, notes="Only water")
    [again] = sync.results(change, device=PHONE_B)
    assert (again["status"], again["rev"], again["original_status"]) == ("duplicate", 2, "conflict")


def test_merge_the_same_field_set_alike_on_both_sides_still_conflicts(sync, visit):
    edit(sync, visit, PHONE_A, notes="Tea and cake")
    result, _ = edit(sync, visit, PHONE_B, notes="Tea and cake", cups=2)
    assert (result["status"], result["current"]["data"]["cups"]) == ("conflict", 1)


def test_merge_a_phone_saving_twice_before_pushing_does_not_conflict_with_itself(sync, visit):
    first, _ = edit(sync, visit, PHONE_A, notes="Tea and cake")
    second, _ = edit(sync, visit, PHONE_A, notes="Tea and two cakes")
    assert (first["status"], second["status"], second["rev"]) == ("applied", "merged", 3)
    assert pulled(sync, visit["id"])["data"]["notes"] == "Tea and two cakes"


def test_merge_own_earlier_edit_then_a_rival_edit_of_the_same_field_conflicts(sync, visit):
    edit(sync, visit, PHONE_A, notes="Tea and cake")
    edit(sync, visit, PHONE_B, base_rev=2, notes="Only water")
    result, _ = edit(sync, visit, PHONE_A, notes="Tea and two cakes")
    assert result["status"] == "conflict"


def test_merge_a_deletion_and_an_edit_of_another_field_combine(sync, visit):
    deletion = {
        "change_id": new_id(),
        "collection": "records",
        "id": visit["id"],
        "base_rev": 1,
        "deleted": True,
    }
    sync.results(deletion, device=PHONE_A)
    result, _ = edit(sync, visit, PHONE_B, cups=4)
    assert result["status"] == "merged"
    document = pulled(sync, visit["id"])
    assert (document["deleted"], document["data"]["cups"], document["rev"]) == (True, 4, 3)


def test_merge_two_deletions_conflict(sync, visit):
    statuses = []
    for device in (PHONE_A, PHONE_B):
        deletion = {
            "change_id": new_id(),
            "collection": "records",
            "id": visit["id"],
            "base_rev": 1,
            "deleted": True,
        }
        statuses += [r["status"] for r in sync.results(deletion, device=device)]
    assert statuses == ["applied", "conflict"]


def test_merge_a_second_creation_of_the_same_id_conflicts(sync, visit):
    stranger = sync.record(id=visit["id"], base_rev=0, data={"time_in": "11:00"})
    [result] = sync.results(stranger, device=PHONE_B)
    assert result["status"] == "conflict"
    assert result["current"]["data"]["time_in"] == "09:30"


def test_merge_subject_edits_merge_by_attribute(sync, auth):
    auth.login("member@example.org")
    person = sync.subject(label="Edna", data={"floor": 2})
    sync.results(person, device=PHONE_A)
    sync.results(
        sync.subject(id=person["id"], base_rev=1, label="Edna May", data={"floor": 2}), device=PHONE_A
    )
    [result] = sync.results(
        sync.subject(id=person["id"], base_rev=1, label="Edna", data={"floor": 3}), device=PHONE_B
    )
    assert result["status"] == "merged"
    assert (result["current"]["label"], result["current"]["data"]) == ("Edna May", {"floor": 3})


def test_merge_subject_label_clash_conflicts(sync, auth):
    auth.login("member@example.org")
    person = sync.subject(label="Edna")
    sync.results(person, device=PHONE_A)
    sync.results(sync.subject(id=person["id"], base_rev=1, label="Edna May"), device=PHONE_A)
    [result] = sync.results(sync.subject(id=person["id"], base_rev=1, label="Edna Mae"), device=PHONE_B)
    assert (result["status"], result["current"]["label"], result["current"]["has_conflict"]) == (
        "conflict",
        "Edna May",
        True,
    )


def test_merge_resolving_a_conflict_clears_the_flag(sync, visit):
    edit(sync, visit, PHONE_A, notes="Tea and cake")
    edit(sync, visit, PHONE_B, notes="Only water")
    resolution = sync.record(
        id=visit["id"],
        base_rev=2,
        data={**visit["data"], "notes": "Tea and cake, then water"},
        resolves_conflict=True,
    )
    [result] = sync.results(resolution, device=PHONE_B)
    assert (result["status"], result["rev"]) == ("applied", 3)
    document = pulled(sync, visit["id"])
    assert (document["has_conflict"], document["data"]["notes"]) == (False, "Tea and cake, then water")


def test_merge_an_edit_on_the_current_rev_keeps_the_conflict_flag(sync, visit):
    edit(sync, visit, PHONE_A, notes="Tea and cake")
    edit(sync, visit, PHONE_B, notes="Only water")
    result, _ = edit(sync, visit, PHONE_A, base_rev=2, notes="Tea and cake", cups=5)
    assert result["status"] == "applied"
    assert pulled(sync, visit["id"])["has_conflict"] is True


def test_merge_base_rev_newer_than_the_document_is_rejected(sync, visit):
    result, _ = edit(sync, visit, PHONE_A, base_rev=5, notes="From the future")
    assert result["status"] == "rejected"
    assert "latest rev of this document is 1" in result["errors"]["base_rev"][0]


def test_merge_revisions_of_another_teams_document_are_not_found(sync, client, visit, auth):
    auth.logout()
    auth.login("other@example.org")
    response = client.get(f"/api/v1/teams/clapton-circle/records/{visit['id']}/revisions")
    assert response.status_code == 404
    response = client.get(f"/api/v1/teams/ridley-market/records/{visit['id']}/revisions")
    assert response.status_code == 404
