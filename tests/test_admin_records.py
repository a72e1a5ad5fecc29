"""The records browser and a record's page: filters, pages, the words of its form version, its history."""

import pytest
from admin_helpers import ROLES, login_as, text
from conftest import VISIT_FORM, new_id

# The queries behind these pages (LIKE on data, substr of recorded_at) run on both stores.
pytestmark = pytest.mark.both_stores

OTHER_PHONE = "9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a"
# Version 2 of the visit form: "Time in" reworded, a mood added and "notes" reworded.
VISIT_V2 = {
    **VISIT_FORM,
    "fields": [
        {**VISIT_FORM["fields"][0], "label": "Arrival time"},
        {**VISIT_FORM["fields"][1], "label": "What happened"},
        *VISIT_FORM["fields"][2:],
        {
            "name": "sleep",
            "type": "scale",
            "label": "Slept",
            "min": 1,
            "max": 3,
            "labels": ["Badly", "OK", "Well"],
        },
    ],
}


@pytest.fixture
def seeded(sync, auth):
    """Two people and visits by the member (one edited) and the coordinator, pushed by phones."""
    login_as(auth, "member")
    edna, bert = sync.subject(label="Edna"), sync.subject(label="Bert")
    first = sync.record(
        subject_id=edna["id"],
        recorded_at="2026-11-20T09:00:00+00:00",
        data={"time_in": "09:00", "notes": "Made tea", "mood": "good"},
    )
    second = sync.record(
        subject_id=bert["id"],
        recorded_at="2026-11-22T10:00:00+00:00",
        data={"time_in": "10:00", "mood": "low", "cups": 2},
    )
    sync.results(edna, bert, first, second)
    edit = sync.record(
        id=first["id"],
        base_rev=1,
        subject_id=edna["id"],
        recorded_at=first["recorded_at"],
        data={"time_in": "09:15", "notes": "Made tea", "mood": "low"},
    )
    assert sync.results(edit)[0]["status"] == "applied"
    login_as(auth, "coord")
    third = sync.record(
        subject_id=edna["id"], recorded_at="2026-11-24T18:30:00+01:00", data={"time_in": "18:30"}
    )
    sync.results(third, device=OTHER_PHONE)
    return {
        "edna": edna["id"],
        "bert": bert["id"],
        "first": first["id"],
        "second": second["id"],
        "third": third["id"],
    }


def listed(response):
    """Return the record ids linked from the records table, in order."""
    import re

    return re.findall(r'/records/([0-9a-f-]{36})"', response.get_data(as_text=True))


@pytest.mark.parametrize("who, status", ROLES)
def test_admin_records_pages_by_role(client, auth, seeded, who, status):
    login_as(auth, who)
    assert client.get("/teams/clapton-circle/records").status_code == status
    assert client.get(f"/teams/clapton-circle/records/{seeded['first']}").status_code == status


def test_admin_records_of_another_team_are_not_found(client, auth, seeded):
    login_as(auth, "other")
    assert client.get(f"/teams/ridley-market/records/{seeded['first']}").status_code == 404
    login_as(auth, "coord")
    assert client.get(f"/teams/clapton-circle/records/{new_id()}").status_code == 404
    assert client.get(f"/teams/clapton-circle/records/{seeded['edna']}").status_code == 404


@pytest.mark.parametrize(
    "query, expected",
    [
        ({}, ["third", "second", "first"]),
        ({"subject": "edna"}, ["third", "first"]),
        ({"author": "member"}, ["second", "first"]),
        ({"form": "visit"}, ["third", "second", "first"]),
        ({"start": "2026-11-21"}, ["third", "second"]),
        ({"start": "2026-11-20", "end": "2026-11-20"}, ["first"]),
        ({"end": "2026-11-23"}, ["second", "first"]),
    ],
)
def test_admin_records_filters(app, client, auth, seeded, query, expected):
    from fvfield.accounts import find_user

    params = dict(query)
    if "subject" in params:
        params["subject"] = seeded[params["subject"]]
    if "author" in params:
        with app.app_context():
            params["author"] = find_user(f"{params['author']}@example.org").id
    response = client.get("/teams/clapton-circle/records", query_string=params)
    assert response.status_code == 200
    assert listed(response) == [seeded[name] for name in expected]


@pytest.mark.parametrize(
    "query, message",
    [
        ({"start": "25/11/2026"}, "Not a valid date value."),
        ({"start": "2026-11-25", "end": "2026-11-01"}, "Choose a day on or after the first day."),
        ({"form": "no-such-form"}, "Not a valid choice."),
        ({"subject": "nobody"}, "Not a valid choice."),
    ],
)
def test_admin_records_bad_filters_say_what_to_fix(client, auth, seeded, query, message):
    response = client.get("/teams/clapton-circle/records", query_string=query)
    assert response.status_code == 400
    assert message in text(response)
    assert listed(response) == []


def test_admin_records_deleted_only_when_asked(client, auth, seeded, sync):
    sync.results(sync.record(id=seeded["third"], base_rev=1, deleted=True), device=OTHER_PHONE)
    assert seeded["third"] not in listed(client.get("/teams/clapton-circle/records"))
    assert seeded["third"] in listed(
        client.get("/teams/clapton-circle/records", query_string={"deleted": "y"})
    )


def older_link(response, name="Older"):
    """Return the query string of a page's link named `name`, or None."""
    import html
    import re

    found = re.search(rf'href="[^"]*records\?([^"]*)">{name}</a>', response.get_data(as_text=True))
    return html.unescape(found.group(1)) if found else None


def test_admin_records_pages_of_fifty_newest_first(client, auth, sync):
    login_as(auth, "coord")
    changes = [
        sync.record(recorded_at=f"2026-11-{1 + n // 24:02d}T{n % 24:02d}:00:00+00:00") for n in range(105)
    ]
    sync.results(*changes)
    newest = [c["id"] for c in reversed(changes)]
    first = client.get("/teams/clapton-circle/records")
    assert listed(first) == newest[:50]
    assert "105 records, 50 on this page" in text(first)
    assert older_link(first, "Newer") is None
    second = client.get(f"/teams/clapton-circle/records?{older_link(first)}")
    assert listed(second) == newest[50:100]
    third = client.get(f"/teams/clapton-circle/records?{older_link(second)}")
    assert listed(third) == newest[100:]
    assert older_link(third) is None
    back = client.get(f"/teams/clapton-circle/records?{older_link(third, 'Newer')}")
    assert listed(back) == newest[50:100]
    oldest = client.get(f"/teams/clapton-circle/records?{older_link(first, 'Oldest')}")
    assert listed(oldest) == newest[55:]
    assert listed(client.get("/teams/clapton-circle/records", query_string={"page": "x"})) == newest[:50]


def test_admin_records_cursors_past_the_end_answer_the_end_or_404(client, auth, sync):
    login_as(auth, "coord")
    changes = [sync.record(recorded_at=f"2026-11-01T{n:02d}:00:00+00:00") for n in range(3)]
    sync.results(*changes)
    newest = [c["id"] for c in reversed(changes)]
    records = "/teams/clapton-circle/records"
    assert listed(client.get(records, query_string={"older_than": newest[-1]})) == newest
    assert listed(client.get(records, query_string={"newer_than": newest[0]})) == newest
    assert client.get(records, query_string={"older_than": new_id()}).status_code == 404
    assert client.get(records, query_string={"newer_than": "not an id"}).status_code == 404


def test_admin_records_filtered_by_flag(client, auth, sync):
    login_as(auth, "coord")
    sync.publish(
        {
            **VISIT_FORM,
            "fields": [*VISIT_FORM["fields"], {"name": "concern", "type": "boolean", "label": "Raise?"}],
        }
    )
    quiet = sync.record(form_version=2, recorded_at="2026-11-20T09:00:00+00:00", data={"time_in": "09:00"})
    raised = sync.record(
        form_version=2, recorded_at="2026-11-21T09:00:00+00:00", data={"time_in": "09:00", "concern": True}
    )
    # A clock a phone had wrong: counted on the day the server received it, and flagged.
    odd = sync.record(form_version=2, recorded_at="1970-01-01T00:00:00+00:00", data={"time_in": "09:00"})
    future = sync.record(form_version=2, recorded_at="9999-12-31T10:00:00+00:00", data={"time_in": "09:00"})
    sync.results(quiet, raised, odd, future)
    records = "/teams/clapton-circle/records"
    assert listed(client.get(records, query_string={"flag": "concern"})) == [raised["id"]]
    assert listed(client.get(records, query_string={"flag": "odd-time"})) == [future["id"], odd["id"]]
    assert listed(client.get(records, query_string={"flag": "conflict"})) == []
    assert "Odd clock" in text(client.get(records))


def test_admin_records_page_uses_the_labels_of_its_form_version(client, auth, sync):
    login_as(auth, "coord")
    old = sync.record(data={"time_in": "09:30", "notes": "Tea"})
    sync.results(old)
    assert sync.publish(VISIT_V2) == 2
    new = sync.record(form_version=2, data={"time_in": "11:00", "notes": "Walk", "sleep": 3, "mood": "good"})
    assert sync.results(new)[0]["status"] == "applied"
    old_page = text(client.get(f"/teams/clapton-circle/records/{old['id']}"))
    assert "Time in 09:30" in old_page and "Notes Tea" in old_page
    assert "Arrival time" not in old_page and "Slept" not in old_page
    new_page = text(client.get(f"/teams/clapton-circle/records/{new['id']}"))
    assert "Arrival time 11:00" in new_page and "What happened Walk" in new_page
    assert "Slept 3 of 3 – Well" in new_page and "Mood Good" in new_page
    assert "Visit, version 2" in new_page


def test_admin_records_page_shows_who_where_and_the_whole_history(client, auth, seeded):
    page = text(client.get(f"/teams/clapton-circle/records/{seeded['first']}"))
    assert "By Mo Member" in page and "On phone 0d3c1a52" in page
    assert "About Edna" in page and "20 Nov 2026 09:00" in page
    history = page.split("History", 1)[1]
    rev2, rev1 = history.split("Rev 2", 1)[1].split("Rev 1", 1)
    assert "Applied" in rev2 and "Mo Member · phone 0d3c1a52" in rev2
    assert "Time in 09:00 09:15" in rev2 and "Mood Good Low" in rev2
    assert "Notes" not in rev2
    assert (
        "Field Value Form Visit Form version 1 About Edna Recorded at 20 Nov 2026 09:00 Time in 09:00" in rev1
    )


def test_admin_records_page_shows_a_conflicting_revision(client, auth, seeded, sync):
    login_as(auth, "member")
    stale = sync.record(
        id=seeded["first"],
        base_rev=1,
        subject_id=seeded["edna"],
        recorded_at="2026-11-20T09:00:00+00:00",
        data={"time_in": "09:00", "notes": "Made tea", "mood": "good", "cups": 4},
    )
    sync.results(stale, device=OTHER_PHONE)
    stale2 = {**stale, "change_id": new_id(), "data": {**stale["data"], "time_in": "09:05"}}
    assert sync.results(stale2, device=OTHER_PHONE)[0]["status"] == "conflict"
    login_as(auth, "coord")
    page = text(client.get(f"/teams/clapton-circle/records/{seeded['first']}"))
    assert "Another version of this record waits for your choice." in page
    assert "Conflict Mo Member · phone 9e8d7c6b" in page
    assert "Kept beside rev 3: these values were not applied." in page


def test_admin_records_delete_with_a_reason_is_a_tombstone_that_travels(app, client, auth, seeded, sync):
    import sqlalchemy as sa

    from fvfield.extensions import db
    from fvfield.models import AuditEvent

    record_id = seeded["first"]
    before = [d for d in sync.pull_all()[0] if d["id"] == record_id][0]
    url = f"/teams/clapton-circle/records/{record_id}"
    assert "Delete the record" in text(client.get(url))
    refused = client.post(f"{url}/delete", data={"base_rev": before["rev"], "reason": ""})
    assert refused.status_code == 400 and "Say why" in text(refused)
    stale = client.post(
        f"{url}/delete", data={"base_rev": before["rev"] - 1, "reason": "Wrong person"}, follow_redirects=True
    )
    assert "changed since you opened it" in text(stale)

    done = client.post(
        f"{url}/delete", data={"base_rev": before["rev"], "reason": "Recorded for the wrong person"}
    )
    assert done.headers["Location"] == url
    after = [d for d in sync.pull_all()[0] if d["id"] == record_id][0]
    assert (after["deleted"], after["rev"], after["data"]) == (True, before["rev"] + 1, before["data"])
    page = text(client.get(url))
    assert "This record was deleted" in page and "Delete the record" not in page
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.event == "record_deleted"))
        assert event.detail["reason"] == "Recorded for the wrong person"


@pytest.mark.parametrize("who, status", [("member", 403), ("viewer", 403), ("other", 404)])
def test_admin_records_delete_needs_the_coordinator_of_the_team(client, auth, seeded, sync, who, status):
    login_as(auth, who)
    url = f"/teams/clapton-circle/records/{seeded['second']}/delete"
    assert client.post(url, data={"base_rev": 1, "reason": "Not mine"}).status_code == status
    login_as(auth, "coord")
    assert [d for d in sync.pull_all()[0] if d["id"] == seeded["second"]][0]["deleted"] is False
