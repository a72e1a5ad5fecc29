"""Possible duplicate pitches ("10a" and "10A" added on two phones) are both kept, shown and merged (issue 11)."""

import pytest
import sqlalchemy as sa
from admin_helpers import login_as, pulled, text

from fvfield.extensions import db
from fvfield.models import AuditEvent

pytestmark = pytest.mark.both_stores

SLUG = "ridley-market"
PHONE_A = "0d3c1a52-5f6e-4d7a-9b8c-1e2f3a4b5c61"
PHONE_B = "0d3c1a52-5f6e-4d7a-9b8c-1e2f3a4b5c62"
STALL_CHECK = {
    "id": "stall-check",
    "title": "Stall check",
    "subject_kind": "pitch",
    "fields": [{"name": "open", "type": "boolean", "label": "Open today?"}],
}


@pytest.fixture
def twins(sync, auth):
    """Two phones of ridley-market's coordinator each add pitch 10a of one market offline, with a record."""
    sync.publish(STALL_CHECK, slug=SLUG)
    login_as(auth, "other")
    market = sync.subject(label="Ridley Road", kind="market")
    first = sync.subject(label="10a", kind="pitch", data={"market_id": market["id"]})
    second = sync.subject(label=" 10A ", kind="pitch", data={"market_id": market["id"]})
    other = sync.subject(label="10b", kind="pitch", data={"market_id": market["id"]})
    elsewhere = sync.subject(label="10A", kind="pitch", data={"market_id": None})
    visit_a = sync.record(form="stall-check", subject_id=first["id"], data={"open": True})
    visit_b = sync.record(form="stall-check", subject_id=second["id"], data={"open": False})
    assert {
        r["status"] for r in sync.results(market, first, other, elsewhere, visit_a, slug=SLUG, device=PHONE_A)
    } == {"applied"}
    assert {r["status"] for r in sync.results(second, visit_b, slug=SLUG, device=PHONE_B)} == {"applied"}
    return {"market": market, "first": first, "second": second, "other": other, "visit_b": visit_b}


def test_duplicates_are_kept_and_shown(client, twins):
    page = client.get(f"/teams/{SLUG}/subjects")
    html = page.get_data(as_text=True)
    assert "Possible duplicates (1)" in text(page)
    section = html.split('id="duplicates-title"', 1)[1].split("</section>", 1)[0]
    assert twins["first"]["id"] in section and twins["second"]["id"] in section
    assert twins["other"]["id"] not in section


def test_merge_moves_the_records_and_phones_follow(app, client, sync, twins):
    survivor, merged = twins["first"]["id"], twins["second"]["id"]
    _, cursor = sync.pull_all(SLUG)
    response = client.post(f"/teams/{SLUG}/subjects/{merged}/merge", data={"into": survivor})
    assert response.status_code == 302
    assert "1 record moved" in text(client.get(response.headers["Location"]))
    changes = {c["id"]: c for c in sync.pull(SLUG, since=cursor).get_json()["changes"]}
    assert changes[twins["visit_b"]["id"]]["subject_id"] == survivor
    assert changes[twins["visit_b"]["id"]]["data"] == {"open": False}
    assert changes[merged]["deleted"] is True and changes[merged]["data"]["merged_into"] == survivor
    assert pulled(sync, survivor, SLUG)["deleted"] is False
    history = client.get(f"/api/v1/teams/{SLUG}/subjects/{merged}/revisions").get_json()["revisions"]
    assert [r["label"] for r in history] == [" 10A ", " 10A "]
    assert "Possible duplicates" not in text(client.get(f"/teams/{SLUG}/subjects"))
    with app.app_context():
        [event] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event == "subjects_merged")).all()
    assert event.detail == {"subject_id": merged, "into_id": survivor, "records": 1}


def test_merge_refuses_what_cannot_be_merged(client, auth, twins):
    first, market = twins["first"]["id"], twins["market"]["id"]
    same = client.post(f"/teams/{SLUG}/subjects/{first}/merge", data={"into": first})
    assert "Only two different subjects" in text(client.get(same.headers["Location"]))
    kinds = client.post(f"/teams/{SLUG}/subjects/{first}/merge", data={"into": market})
    assert "Only two different subjects" in text(client.get(kinds.headers["Location"]))
    login_as(auth, "coord")
    assert client.post(f"/teams/{SLUG}/subjects/{first}/merge", data={"into": market}).status_code == 404


def test_the_push_flags_a_possible_duplicate_pitch_and_keeps_it(sync, auth):
    login_as(auth, "other")
    market = sync.subject(label="Queen's Market", kind="market")
    other_market = sync.subject(label="Ridley Road", kind="market")
    first = sync.subject(label="9", kind="pitch", data={"market_id": market["id"]})
    [made_market, made_other, made_first] = sync.results(
        market, other_market, first, slug=SLUG, device=PHONE_A
    )
    assert "possible_duplicate_of" not in made_first
    again = sync.subject(label=" 9 ", kind="pitch", data={"market_id": market["id"]})
    same_batch = [
        sync.subject(label="12B", kind="pitch", data={"market_id": market["id"]}),
        sync.subject(label="12b", kind="pitch", data={"market_id": market["id"]}),
    ]
    elsewhere = sync.subject(label="9", kind="pitch", data={"market_id": other_market["id"]})
    results = sync.results(again, *same_batch, elsewhere, slug=SLUG, device=PHONE_B)
    assert [r["status"] for r in results] == ["applied"] * 4
    assert results[0]["possible_duplicate_of"] == first["id"]
    assert "possible_duplicate_of" not in results[1]
    assert results[2]["possible_duplicate_of"] == same_batch[0]["id"]
    assert "possible_duplicate_of" not in results[3]
