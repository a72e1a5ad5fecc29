"""The concerns queue: records whose "anything to raise?" is yes, resolved with a note, the record untouched."""

import re

import pytest
import sqlalchemy as sa
from admin_helpers import ROLES, location, login_as, pulled, text
from conftest import new_id

from fvfield.extensions import db
from fvfield.models import ConcernResolution
from fvfield.questionnaires import load_template

# The queries behind these pages (LIKE on data, substr of recorded_at) run on both stores.
pytestmark = pytest.mark.both_stores

# Any form with a boolean field named "concern" raises concerns, not only the home visit.
CHECK_IN = {
    "id": "check-in",
    "title": "Check in",
    "fields": [
        {"name": "concern", "type": "boolean", "label": "Worried about anything?"},
        {
            "name": "what",
            "type": "text",
            "label": "What worries you",
            "show_if": {"field": "concern", "equals": True},
        },
    ],
}


def visit(sync, subject_id, concern, recorded_at, **answers):
    """Return a home visit record change."""
    data = {"time_in": "09:00", "concern": concern, **answers}
    return sync.record(form="home-visit", subject_id=subject_id, recorded_at=recorded_at, data=data)


@pytest.fixture
def raised(sync, auth):
    """Home visits by the member about Edna and Bert: two concerns (one urgent) and a quiet visit."""
    sync.publish(load_template("home-visit"))
    sync.publish(CHECK_IN)
    login_as(auth, "member")
    edna, bert = sync.subject(label="Edna"), sync.subject(label="Bert")
    later = visit(
        sync,
        edna["id"],
        True,
        "2026-11-24T10:00:00+00:00",
        concern_details="Fell in the kitchen, no injury.",
        concern_urgency="for_information",
    )
    urgent = visit(
        sync,
        bert["id"],
        True,
        "2026-11-23T10:00:00+00:00",
        concern_details="No food in the fridge.\nCalled his son.",
        concern_urgency="today",
    )
    quiet = visit(sync, edna["id"], False, "2026-11-25T10:00:00+00:00", notes='"concern":true in a note')
    check_in = sync.record(
        form="check-in", recorded_at="2026-11-22T10:00:00+00:00", data={"concern": True, "what": "The stairs"}
    )
    results = sync.results(edna, bert, later, urgent, quiet, check_in)
    assert [r["status"] for r in results] == ["applied"] * 6, results
    login_as(auth, "coord")
    return {"later": later["id"], "urgent": urgent["id"], "quiet": quiet["id"], "check_in": check_in["id"]}


def concern_ids(page_html, section):
    """Return the record ids of the concern cards in the "open" or "resolved" section."""
    opened, resolved = page_html.split('id="resolved-title"', 1)
    part = opened if section == "open" else resolved
    return re.findall(r'/records/([0-9a-f-]{36})"', part)


@pytest.mark.parametrize("who, status", ROLES)
def test_admin_concerns_pages_by_role(client, auth, raised, who, status):
    login_as(auth, who)
    assert client.get("/teams/clapton-circle/concerns").status_code == status
    response = client.post(
        f"/teams/clapton-circle/concerns/{raised['urgent']}/resolve",
        data={f"concern-{raised['urgent']}-note": "Done"},
    )
    assert response.status_code == (302 if status == 200 else status)


def test_admin_concerns_of_another_team_are_not_found(client, auth, raised):
    login_as(auth, "other")
    response = client.post(
        f"/teams/ridley-market/concerns/{raised['urgent']}/resolve",
        data={f"concern-{raised['urgent']}-note": "Done"},
    )
    assert response.status_code == 404
    login_as(auth, "coord")
    assert client.post(f"/teams/clapton-circle/concerns/{new_id()}/resolve").status_code == 404


def test_admin_concerns_open_most_urgent_first_with_details(client, auth, raised):
    response = client.get("/teams/clapton-circle/concerns")
    html = response.get_data(as_text=True)
    assert concern_ids(html, "open") == [raised["urgent"], raised["later"], raised["check_in"]]
    assert concern_ids(html, "resolved") == []
    page = text(response)
    assert "Open (3)" in page
    assert "Today Bert Raised by Mo Member · 23 Nov 2026 10:00" in page
    assert "What happened No food in the fridge. Called his son." in page
    assert "For information Edna" in page
    assert "What worries you The stairs" in page


def test_admin_concerns_resolved_with_a_note_leaves_the_record_alone(app, client, auth, raised, sync):
    before = pulled(sync, raised["urgent"])
    response = client.post(
        f"/teams/clapton-circle/concerns/{raised['urgent']}/resolve",
        data={f"concern-{raised['urgent']}-note": "  Son is shopping weekly now.  "},
    )
    assert location(response) == "/teams/clapton-circle/concerns"
    html = client.get("/teams/clapton-circle/concerns").get_data(as_text=True)
    assert concern_ids(html, "open") == [raised["later"], raised["check_in"]]
    assert concern_ids(html, "resolved") == [raised["urgent"]]
    assert "Resolved by Cora Coordinator on" in text(client.get("/teams/clapton-circle/concerns"))
    assert "Son is shopping weekly now." in html
    assert pulled(sync, raised["urgent"]) == before
    with app.app_context():
        resolution = db.session.scalar(sa.select(ConcernResolution))
        assert (resolution.record_id, resolution.record_rev, resolution.note) == (
            raised["urgent"],
            1,
            "Son is shopping weekly now.",
        )
    record_page = text(client.get(f"/teams/clapton-circle/records/{raised['urgent']}"))
    assert "Concern raised: Today" in record_page and "Son is shopping weekly now." in record_page


def test_admin_concerns_resolution_needs_a_note(client, auth, raised):
    response = client.post(
        f"/teams/clapton-circle/concerns/{raised['urgent']}/resolve",
        data={f"concern-{raised['urgent']}-note": "  "},
    )
    assert response.status_code == 400
    assert "Say what was done, for the team's record." in text(response)
    assert concern_ids(response.get_data(as_text=True), "resolved") == []


def test_admin_concerns_resolved_once(client, auth, raised):
    path = f"/teams/clapton-circle/concerns/{raised['urgent']}/resolve"
    client.post(path, data={f"concern-{raised['urgent']}-note": "First"})
    response = client.post(path, data={f"concern-{raised['urgent']}-note": "Second"}, follow_redirects=True)
    assert "Someone resolved this concern already." in text(response)
    assert "Second" not in text(response)


def test_admin_concerns_a_record_without_one_cannot_be_resolved(client, auth, raised):
    response = client.post(
        f"/teams/clapton-circle/concerns/{raised['quiet']}/resolve",
        data={f"concern-{raised['quiet']}-note": "Nothing"},
    )
    assert response.status_code == 404


def test_admin_concerns_leave_the_queue_when_the_carer_answers_no(client, auth, raised, sync):
    login_as(auth, "member")
    edit = visit(sync, None, False, "2026-11-24T10:00:00+00:00")
    edit.update(id=raised["check_in"], base_rev=1, form="check-in", data={"concern": False})
    assert sync.results(edit)[0]["status"] == "applied"
    login_as(auth, "coord")
    html = client.get("/teams/clapton-circle/concerns").get_data(as_text=True)
    assert raised["check_in"] not in html


def test_admin_concerns_counted_on_the_home_page(client, auth, raised):
    assert "3 concerns open" in text(client.get("/"))


def test_admin_concerns_questions_not_shown_are_not_listed_on_the_record(client, auth, raised):
    quiet = text(client.get(f"/teams/clapton-circle/records/{raised['quiet']}")).split("History")[0]
    assert "Anything to raise? No" in quiet
    assert "What happened" not in quiet and "How urgent is it?" not in quiet
    urgent = text(client.get(f"/teams/clapton-circle/records/{raised['urgent']}")).split("History")[0]
    assert "How urgent is it? Today" in urgent


def test_admin_concerns_resolution_travels_to_the_phones_in_the_subject(client, auth, raised, sync):
    subject_id = pulled(sync, raised["urgent"])["subject_id"]
    before = pulled(sync, subject_id)
    client.post(
        f"/teams/clapton-circle/concerns/{raised['urgent']}/resolve",
        data={f"concern-{raised['urgent']}-note": "Called the GP."},
    )
    subject = pulled(sync, subject_id)
    assert subject["rev"] == before["rev"] + 1
    resolved = subject["data"]["concerns_resolved"][raised["urgent"]]
    assert {k: resolved[k] for k in ("status", "note", "by")} == {
        "status": "resolved",
        "note": "Called the GP.",
        "by": "Cora Coordinator",
    }
    assert resolved["at"].endswith("+00:00")
    # The rest of the person's details are as they were.
    assert {k: v for k, v in subject["data"].items() if k != "concerns_resolved"} == before["data"]
