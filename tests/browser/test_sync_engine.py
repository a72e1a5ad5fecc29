"""The page's sync engine against a real server: batches, crashes, rejections, conflicts, pulls."""

import json
import time
import uuid
from datetime import datetime, timedelta

from playwright.sync_api import expect
from realserver import SyncClient

from .conftest import ADA, PITCHES, call, sync_now
from .phone import SAVE_VISITS

VISIT = {"time_in": "09:30", "concern": False}


def save_visit(page, record_id=None, base_rev=None, **answers):
    """Save a home visit for Ada on the phone; return {id, changeId, seq}."""
    record = {
        "team": "clapton-circle",
        "form": "home-visit",
        "formVersion": 1,
        "subjectId": ADA,
        "data": {**VISIT, **answers},
    }
    if record_id:
        record["id"] = record_id
    if base_rev is not None:
        record["baseRev"] = base_rev
    return call(page, "outbox", "saveRecord", record)


def save_many(page, count):
    """Save `count` home visits on the phone; return their ids."""
    return page.evaluate(SAVE_VISITS, [count, "clapton-circle", ADA])


def with_limits(page, server, **settings):
    """Restart the server with these settings and reload the page to read its limits."""
    server.configure(**settings)
    server.restart()
    page.reload()
    expect(page.locator("#status-bar .status-text")).to_be_visible()


def coordinator(server):
    """Return a SyncClient logged in as the circle's coordinator (another device)."""
    client = SyncClient(server.url)
    client.login("coord@example.org")
    return client


def record_change(record_id, base_rev, **answers):
    return {
        "change_id": str(uuid.uuid4()),
        "collection": "records",
        "id": record_id,
        "base_rev": base_rev,
        "deleted": False,
        "form": "home-visit",
        "form_version": 1,
        "subject_id": ADA,
        "recorded_at": "2026-11-25T09:41:00+00:00",
        "data": {**VISIT, **answers},
    }


def test_sync_pushes_a_large_outbox_in_batches_within_the_limits(page, context, field_server):
    with_limits(page, field_server, MAX_CHANGES=40)
    context.set_offline(True)
    ids = save_many(page, 130)
    # Count the pushes the server answered: a background push that started
    # while offline fails in the browser and its changes are sent again.
    pushes = []
    page.on("response", lambda r: pushes.append(r.request) if r.url.endswith("/push") else None)
    context.set_offline(False)

    state = sync_now(page)

    assert (state["state"], state["waiting"]) == ("idle", 0)
    stored = field_server.documents()
    assert all(stored[record_id][0] == 1 for record_id in ids)
    sizes = [len(json.loads(r.post_data)["changes"]) for r in pushes]
    assert sum(sizes) == 130 and max(sizes) <= 40


def test_sync_after_the_server_is_killed_mid_push_loses_and_doubles_nothing(page, context, field_server):
    with_limits(page, field_server, MAX_CHANGES=10)
    context.set_offline(True)
    ids = save_many(page, 600)
    context.set_offline(False)

    page.evaluate("() => import('/static/js/sync.js').then((m) => { m.syncEngine.run('test'); })")
    for _ in range(600):
        if len(field_server.documents()) >= 30:
            break
        time.sleep(0.05)
    field_server.kill()
    arrived = len(field_server.documents())
    assert arrived < 600, "the sync finished before the server was killed"

    field_server.start()
    state = sync_now(page)
    if state["waiting"]:
        state = sync_now(page)
    assert (state["state"], state["waiting"]) == ("idle", 0)
    stored = field_server.documents()
    assert {record_id: stored[record_id][0] for record_id in ids} == {record_id: 1 for record_id in ids}
    revisions = field_server.query(
        "SELECT count(*), count(DISTINCT change_id) FROM revisions WHERE collection = 'records'"
    )
    assert revisions == [(600, 600)]


def test_rejected_record_needs_attention_with_the_reason_then_is_accepted_once_fixed(
    page, field_server, screens
):
    bad = save_visit(page, time_in="half past nine", mood="sunny")
    state = sync_now(page)

    assert (state["waiting"], state["needsAttention"]) == (0, 1)
    assert "attention" in state["message"]
    expect(page.locator("#status-bar")).to_contain_text("1 needs attention")
    screens(page, "core-needs-attention")
    [item] = call(page, "outbox", "needsAttention")
    assert item["change"]["id"] == bad["id"]
    assert set(item["errors"]) >= {"time_in", "mood"}
    assert all(item["errors"]["time_in"])
    assert bad["id"] not in field_server.documents()

    call(page, "outbox", "updateRejected", item["seq"], {"data": VISIT})
    state = sync_now(page)
    assert (state["waiting"], state["needsAttention"]) == (0, 0)
    assert field_server.documents()[bad["id"]] == (1, VISIT)


def test_conflict_keeps_both_versions_and_says_so_in_plain_words(page, context, field_server):
    other = coordinator(field_server)
    record_id = str(uuid.uuid4())
    assert (
        other.push("clapton-circle", [record_change(record_id, 0, notes="First")]).json()["results"][0][
            "status"
        ]
        == "applied"
    )
    sync_now(page)
    assert call(page, "db", "get", "records", ["clapton-circle", record_id])["rev"] == 1

    context.set_offline(True)
    save_visit(page, record_id, base_rev=1, notes="From the phone")
    other.push("clapton-circle", [record_change(record_id, 1, notes="From the coordinator")])
    context.set_offline(False)
    state = sync_now(page)

    assert state["waiting"] == 0
    assert "Both versions were kept" in state["message"]
    expect(page.locator("#status-bar")).to_contain_text("Both versions were kept")
    local = call(page, "db", "get", "records", ["clapton-circle", record_id])
    assert local["data"]["notes"] == "From the coordinator"
    assert local["has_conflict"] is True
    assert call(page, "sync", "listConflicts")[0]["id"] == record_id
    kept = field_server.query(
        "SELECT status, data FROM revisions WHERE document_id = ? ORDER BY pk", record_id
    )
    assert [status for status, _ in kept] == ["applied", "applied", "conflict"]
    assert json.loads(kept[-1][1])["notes"] == "From the phone"


def test_edits_of_different_answers_merge(page, context, field_server):
    other = coordinator(field_server)
    record_id = str(uuid.uuid4())
    other.push("clapton-circle", [record_change(record_id, 0, notes="First")])
    sync_now(page)
    context.set_offline(True)
    save_visit(page, record_id, base_rev=1, notes="First", food_drink="Tea and toast")
    other.push("clapton-circle", [record_change(record_id, 1, notes="Checked by Cora")])
    context.set_offline(False)

    state = sync_now(page)

    assert (state["waiting"], state["message"]) == (0, "")
    rev, data = field_server.documents()[record_id]
    assert (rev, data["notes"], data["food_drink"]) == (3, "Checked by Cora", "Tea and toast")
    assert call(page, "db", "get", "records", ["clapton-circle", record_id])["rev"] == 3


def test_two_offline_edits_of_one_record_arrive_in_order_without_conflict(page, context, field_server):
    context.set_offline(True)
    first = save_visit(page, notes="Draft of the visit")
    save_visit(page, first["id"], notes="The visit, finished")
    context.set_offline(False)

    state = sync_now(page)

    assert (state["waiting"], state["message"]) == (0, "")
    assert field_server.documents()[first["id"]] == (2, {**VISIT, "notes": "The visit, finished"})
    local = call(page, "db", "get", "records", ["clapton-circle", first["id"]])
    assert (local["rev"], local["pending"]) == (2, False)


def test_csrf_failed_fetches_a_fresh_token_and_retries(page):
    call(page, "api", "setCsrfToken", "stale-token")
    save_visit(page)
    state = sync_now(page)
    assert (state["state"], state["waiting"]) == ("idle", 0)


def test_pull_brings_the_teams_forms_and_subjects_onto_the_phone(page, field_server):
    other = coordinator(field_server)
    bea = str(uuid.uuid4())
    other.push(
        "clapton-circle",
        [
            {
                "change_id": str(uuid.uuid4()),
                "collection": "subjects",
                "id": bea,
                "base_rev": 0,
                "deleted": False,
                "kind": "person",
                "label": "Bea Okafor",
                "data": {},
            }
        ],
    )
    sync_now(page)

    people = call(page, "db", "all", "subjects")
    assert "Bea Okafor" in {p["label"] for p in people}
    form = call(page, "db", "get", "forms", ["clapton-circle", "home-visit"])
    assert form["versions"]["1"]["id"] == "home-visit"
    assert call(page, "db", "getMeta", "cursor:clapton-circle")


def test_an_unknown_cursor_makes_a_full_pull(page):
    sync_now(page)
    call(page, "db", "setMeta", "cursor:clapton-circle", "not-a-cursor")
    call(page, "db", "del", "subjects", ["clapton-circle", ADA])
    state = sync_now(page)
    assert state["state"] == "idle"
    assert call(page, "db", "get", "subjects", ["clapton-circle", ADA])["label"] == "Ada Brown"


def test_a_batch_the_server_finds_too_large_is_halved(page, context, field_server):
    sizes = []

    def too_large_once(route):
        changes = json.loads(route.request.post_data)["changes"]
        sizes.append(len(changes))
        if len(sizes) == 1:
            route.fulfill(
                status=413,
                content_type="application/json",
                body=json.dumps({"error": {"code": "too_large", "message": "Too large."}}),
            )
        else:
            route.continue_()

    context.set_offline(True)
    ids = save_many(page, 12)
    context.route("**/api/v1/teams/*/push", too_large_once)
    context.set_offline(False)
    state = sync_now(page)

    assert (state["state"], state["waiting"]) == ("idle", 0)
    assert sizes == [12, 6, 6]
    assert set(ids) <= set(field_server.documents())


def test_the_session_ending_mid_sync_keeps_everything_and_asks_for_a_login(page, context):
    context.clear_cookies()
    save_visit(page)
    state = sync_now(page)
    assert (state["state"], state["waiting"]) == ("login-needed", 1)
    expect(page.get_by_role("link", name="Log in again")).to_be_visible()


def test_failures_back_off_and_the_status_says_so(page, field_server):
    field_server.stop()
    save_visit(page)
    first = sync_now(page)
    second = sync_now(page)
    assert first["state"] == second["state"] == "error"
    # The second failure waits twice as long (10 s after 5 s): at least 5 s later.
    waited = datetime.fromisoformat(second["nextRetry"]) - datetime.fromisoformat(first["nextRetry"])
    assert waited >= timedelta(seconds=5)
    expect(page.locator("#status-bar")).to_contain_text("cannot be reached")


MAKE_PHOTO = """async () => {
  const canvas = new OffscreenCanvas(64, 48);
  const drawing = canvas.getContext('2d');
  drawing.fillStyle = '#1b4d3e';
  drawing.fillRect(0, 0, 64, 48);
  const blob = await canvas.convertToBlob({type: 'image/jpeg', quality: 0.8});
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  const sha256 = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  const {put} = await import('/static/js/db.js');
  await put('photos', {sha256, blob, content_type: 'image/jpeg', size: blob.size, uploaded: false});
  return {sha256, content_type: 'image/jpeg', size: blob.size};
}"""


def save_pitch_survey_with_photo(page):
    """Keep a JPEG made on the phone and save a pitch survey with it; return (record, photo answer)."""
    photo = page.evaluate(MAKE_PHOTO)
    saved = call(
        page,
        "outbox",
        "saveRecord",
        {
            "team": "ridley-market",
            "form": "pitch-survey",
            "formVersion": 1,
            "subjectId": PITCHES[0],
            "data": {"status": "trading", "goods_category": "fruit_veg", "photo": photo},
        },
    )
    return saved, photo


def test_photos_are_uploaded_before_the_record_that_needs_them(page, context, field_server):
    context.set_offline(True)
    saved, photo = save_pitch_survey_with_photo(page)
    context.set_offline(False)

    state = sync_now(page)

    assert (state["waiting"], state["needsAttention"]) == (0, 0)
    assert field_server.documents()[saved["id"]][1]["photo"] == photo
    url = f"/api/v1/teams/ridley-market/attachments/{photo['sha256']}"
    answer = page.request.get(url)
    assert answer.status == 200 and len(answer.body()) == photo["size"]
    assert call(page, "db", "get", "photos", photo["sha256"])["uploaded_to"] == ["ridley-market"]


def test_a_photo_seen_online_opens_offline_from_the_bounded_photo_cache(page, context, field_server):
    _, photo = save_pitch_survey_with_photo(page)
    sync_now(page)
    url = f"/api/v1/teams/ridley-market/attachments/{photo['sha256']}"
    fetch_size = "async (url) => (await (await fetch(url)).blob()).size"
    assert page.evaluate(fetch_size, url) == photo["size"]

    context.set_offline(True)
    assert page.evaluate(fetch_size, url) == photo["size"]
    assert page.evaluate("async (url) => !!(await (await caches.open('fvfield-photos')).match(url))", url)
    # Other API answers are never cached: offline, they fail.
    fetched = "async () => { try { await fetch('/api/v1/session'); return 'answer'; } catch (e) { return 'none'; } }"
    assert page.evaluate(fetched) == "none"
    assert page.evaluate("async () => (await caches.match('/api/v1/session')) === undefined")
