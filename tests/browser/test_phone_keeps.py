"""What the phone keeps: old records leave it after a sync, never unsent ones or shown ones; older visits
load on demand; the first pull writes a page at a time; the market page reads today's records by index."""

import re
import uuid
from datetime import UTC, date, datetime, timedelta

from playwright.sync_api import expect
from realserver import SyncClient

from .conftest import ADA, MARKET, PITCHES, call, log_in, sync_now, wait_until_offline_ready
from .phone import open_screen

CIRCLE = "clapton-circle"
VISIT = {"time_in": "09:30", "concern": False}

# Counts the phone's IndexedDB work from the page's first script (before the first pull).
COUNT_IDB = """
window.__idb = {pageWrites: 0, recordGets: 0, recordScans: 0, indexScans: []};
const transaction = IDBDatabase.prototype.transaction;
IDBDatabase.prototype.transaction = function (names, mode, options) {
  const list = Array.isArray(names) ? names : [names];
  if (mode === 'readwrite' && list.includes('records') && list.includes('meta')) window.__idb.pageWrites += 1;
  return transaction.call(this, names, mode, options);
};
const get = IDBObjectStore.prototype.get;
IDBObjectStore.prototype.get = function (key) {
  if (this.name === 'records') window.__idb.recordGets += 1;
  return get.call(this, key);
};
const getAll = IDBObjectStore.prototype.getAll;
IDBObjectStore.prototype.getAll = function (...args) {
  if (this.name === 'records') window.__idb.recordScans += 1;
  return getAll.apply(this, args);
};
const indexGetAll = IDBIndex.prototype.getAll;
IDBIndex.prototype.getAll = function (...args) {
  if (this.objectStore.name === 'records') window.__idb.indexScans.push(this.name);
  return indexGetAll.apply(this, args);
};
"""


def days_ago(days):
    """Return recorded_at of a visit `days` days before today (the phone's zone is London)."""
    return f"{(date.today() - timedelta(days=days)).isoformat()}T09:41:00+00:00"


def visit(days, subject=ADA, form="home-visit", data=None):
    """Return a new record's change, recorded `days` ago."""
    return {
        "change_id": str(uuid.uuid4()),
        "collection": "records",
        "id": str(uuid.uuid4()),
        "base_rev": 0,
        "deleted": False,
        "form": form,
        "form_version": 1,
        "subject_id": subject,
        "recorded_at": days_ago(days),
        "data": VISIT if data is None else data,
    }


def coordinator(server):
    """Return a SyncClient logged in as the coordinator of both teams."""
    client = SyncClient(server.url)
    client.login("coord@example.org")
    return client


def push_all(client, slug, changes):
    """Push changes in batches of 500 as another device; assert each applied."""
    for start in range(0, len(changes), 500):
        answer = client.push(slug, changes[start : start + 500])
        assert answer.status_code == 200, answer.text[:300]
        assert {r["status"] for r in answer.json()["results"]} == {"applied"}


def keep_on_phones(client, visits, days):
    """Set what the circle's phones keep, on the coordinator's page."""
    answer = client.http.post(
        f"{client.base_url}/teams/{CIRCLE}/phones",
        data={"visits": visits, "days": days, "csrf_token": client.csrf_token},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302, answer.text[:300]


def held(page, subject=ADA):
    """Return the ids of the live records about a subject that the phone holds."""
    return {
        r["id"]
        for r in call(page, "db", "all", "records")
        if r.get("subject_id") == subject and r["team"] == CIRCLE and not r["deleted"]
    }


def test_the_purge_never_drops_an_unsent_record_one_needing_attention_or_one_on_screen(page, context):
    context.set_offline(True)
    waiting = [
        call(
            page,
            "outbox",
            "saveRecord",
            {
                "team": CIRCLE,
                "form": "home-visit",
                "formVersion": 1,
                "subjectId": ADA,
                "data": VISIT,
                "recordedAt": days_ago(90 + n),
            },
        )["id"]
        for n in range(3)
    ]
    item = next(i for i in call(page, "db", "all", "outbox") if i["change"]["id"] == waiting[0])
    call(page, "db", "put", "outbox", {**item, "state": "needs_attention", "errors": {"_": ["Too long."]}})
    synced = [visit(60 + n) for n in range(4)]
    for change in synced:
        record = {k: v for k, v in change.items() if k not in ("change_id", "base_rev")}
        call(page, "db", "put", "records", {**record, "team": CIRCLE, "rev": 1, "pending": False})
    open_screen(page, f"#/t/{CIRCLE}/r/{synced[3]['id']}")

    dropped = call(page, "keep", "dropOlder", CIRCLE, {"visits": 2, "days": 30})

    assert dropped == 1
    assert held(page) == {*waiting, synced[0]["id"], synced[1]["id"], synced[3]["id"]}
    assert {i["change"]["id"] for i in call(page, "db", "all", "outbox")} == set(waiting)


def test_old_visits_leave_the_phone_after_a_sync_and_load_on_demand_when_online(page, context, field_server):
    coord = coordinator(field_server)
    recent = visit(2, data={**VISIT, "notes": "Recent visit"})
    old = [visit(40 + n, data={**VISIT, "notes": f"Old visit {n}"}) for n in range(14)]
    push_all(coord, CIRCLE, [recent, *old])
    assert sync_now(page)["state"] == "idle"
    # The window: the last 10 visits of Ada (the recent one and nine old), or the last 30 days.
    assert held(page) == {recent["id"], *(c["id"] for c in old[:9])}

    keep_on_phones(coord, 3, 30)
    page.reload()
    # The app has started with the server's session (and its new setting) once the status bar shows.
    expect(page.locator("#status-bar .status-text")).to_be_visible()
    assert sync_now(page)["state"] == "idle"
    assert held(page) == {recent["id"], *(c["id"] for c in old[:2])}

    context.set_offline(True)
    open_screen(page, f"#/t/{CIRCLE}/s/{ADA}")
    expect(page.get_by_text("Older visits are on the server: connect to see them.")).to_be_visible()
    expect(page.get_by_role("button", name="Show older visits")).to_be_hidden()

    context.set_offline(False)
    sync_now(page)
    open_screen(page, f"#/t/{CIRCLE}")
    open_screen(page, f"#/t/{CIRCLE}/s/{ADA}")
    page.get_by_role("button", name="Show older visits").click()
    expect(page.get_by_text("No more visits on the server.")).to_be_visible()
    expect(page.locator(".older-visits .visit")).to_have_count(12)
    expect(page.locator(".older-visits").get_by_text("Old visit 13")).to_be_visible()
    # An older visit opens from its card: it is on the phone while the page shows it.
    page.locator(".older-visits .visit-open").last.click()
    expect(page.get_by_text("Old visit 13")).to_be_visible()


def test_the_first_pull_writes_one_transaction_a_page_and_reads_no_record(context, field_server):
    coord = coordinator(field_server)
    push_all(coord, CIRCLE, [visit(n % 20) for n in range(1100)])
    context.add_init_script(COUNT_IDB)
    page = context.new_page()
    pages = []
    page.on("response", lambda r: pages.append(r.url) if "/pull?" in r.url and r.status == 200 else None)
    log_in(page, "carer@example.org")
    wait_until_offline_ready(page)
    assert sync_now(page)["state"] == "idle"
    counts = page.evaluate("() => window.__idb")
    pulled = call(page, "db", "all", "records")
    assert len(pulled) == 1100
    # 1100 visits, a person and the forms: pages of 500, each stored in one transaction, no record read.
    assert len(pages) >= 3
    assert counts["pageWrites"] == len(pages)
    assert counts["recordGets"] == 0


def test_the_market_page_reads_todays_records_by_index(context, field_server):
    coord = coordinator(field_server)
    survey = {"status": "vacant"}
    today = [visit(0, subject=PITCHES[0], form="pitch-survey", data=survey)]
    before = [visit(n, subject=PITCHES[1], form="pitch-survey", data=survey) for n in range(1, 4)]
    answer = coord.push("ridley-market", today + before)
    assert answer.status_code == 200
    statuses = {r["status"] for r in answer.json()["results"]}
    if statuses != {"applied"}:
        # The pitch form asks more than a status: the test cannot seed it this way.
        raise AssertionError(answer.text[:500])
    context.add_init_script(COUNT_IDB)
    page = context.new_page()
    log_in(page, "volunteer@example.org")
    wait_until_offline_ready(page)
    sync_now(page)
    page.evaluate("() => { window.__idb.recordScans = 0; window.__idb.indexScans = []; }")
    open_screen(page, f"#/t/ridley-market/s/{MARKET}")
    expect(page.locator(".tally")).to_have_text(re.compile("1 vacant"))
    counts = page.evaluate("() => window.__idb")
    assert counts["recordScans"] == 0
    assert "by_recorded" in counts["indexScans"]


def photo(n, uploaded=True, saved_days_ago=0):
    """Return a photo-store entry (no blob: the purge reads only what refers to it)."""
    saved = (datetime.now(UTC) - timedelta(days=saved_days_ago)).isoformat()
    return {
        "sha256": f"{n:064x}",
        "content_type": "image/jpeg",
        "size": 5000,
        "uploaded": uploaded,
        "uploaded_to": [CIRCLE] if uploaded else [],
        "saved_at": saved,
    }


def answer_of(entry):
    return {"sha256": entry["sha256"], "content_type": "image/jpeg", "size": 5000}


def test_photos_leave_with_their_records_never_while_anything_on_the_phone_refers_to_them(page, context):
    context.set_offline(True)
    gone, kept, nested, unsent, drafted, orphan, fresh = (
        photo(1),
        photo(2),
        photo(3),
        photo(4, uploaded=False),
        photo(5),
        photo(6, False, 2),
        photo(7, False),
    )
    for entry in (gone, kept, nested, unsent, drafted, orphan, fresh):
        call(page, "db", "put", "photos", entry)
    old = visit(90, data={**VISIT, "photo": answer_of(gone)})
    recent = visit(1, data={**VISIT, "photo": answer_of(kept), "items": [{"photo": answer_of(nested)}]})
    for change in (old, recent):
        record = {k: v for k, v in change.items() if k not in ("change_id", "base_rev")}
        call(page, "db", "put", "records", {**record, "team": CIRCLE, "rev": 1, "pending": False})
    call(
        page,
        "outbox",
        "saveRecord",
        {
            "team": CIRCLE,
            "form": "home-visit",
            "formVersion": 1,
            "subjectId": ADA,
            "data": {**VISIT, "photo": answer_of(unsent)},
            "recordedAt": days_ago(0),
        },
    )
    call(
        page,
        "db",
        "put",
        "drafts",
        {"key": "draft-1", "team": CIRCLE, "answers": {"photo": answer_of(drafted)}},
    )

    assert call(page, "keep", "dropOlder", CIRCLE, {"visits": 1, "days": 30}) == 1
    assert call(page, "keep", "dropUnusedPhotos") == 2

    left = {p["sha256"] for p in call(page, "db", "all", "photos")}
    assert left == {e["sha256"] for e in (kept, nested, unsent, drafted, fresh)}


def test_a_sync_that_drops_old_records_drops_their_photos(page, field_server):
    gone = photo(8)
    call(page, "db", "put", "photos", gone)
    old = visit(90, data={**VISIT, "photo": answer_of(gone)})
    # Ten newer visits (the default window's "last 10") push the old one out.
    for change in [old] + [visit(n) for n in range(1, 11)]:
        record = {k: v for k, v in change.items() if k not in ("change_id", "base_rev")}
        call(page, "db", "put", "records", {**record, "team": CIRCLE, "rev": 1, "pending": False})

    sync_now(page)

    assert old["id"] not in held(page)
    assert call(page, "db", "all", "photos") == []
