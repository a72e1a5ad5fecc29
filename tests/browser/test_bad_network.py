"""Sync on a bad network (issue 17): what a carer reads while the phone retries.

The phone is served through tests/faultproxy.py, a proxy of our own between
Chromium and the server that cuts, delays, duplicates, refuses, hangs and
answers 502/503 on API requests (its origin, port included, is the app's
origin; http://127.0.0.1 is a secure context, so the service worker runs).
One test per way an answer breaks checks the words on the phone; the last
test sends a few hundred visits through a seeded mix of every fault and a
server kill, and holds the data path to exactly-once.
"""

import re
import time
import uuid

import pytest
from faultproxy import FAULTS, FaultProxy
from playwright.sync_api import expect

from .conftest import ADA, MARKET, PHONE, PITCHES, call, log_in, sync_now, wait_until_offline_ready
from .phone import SAVE_VISITS, choose, open_screen, save

BROKEN = "The connection broke before the server's answer arrived."
TIMED_OUT = "The server did not answer in time."
STILL_HERE = "Everything stays on this phone; it will try again."
ALL_SENT = (
    "Everything you saved has reached the server; it will try again to fetch your team’s latest changes."
)
APP_PROBLEM = (
    "Sync stopped on a problem inside this app; everything stays on this phone and it will try again."
)
# What a JavaScript error or a browser's network error looks like in text.
JAVASCRIPT = re.compile(
    r"Cannot read|undefined|\bnull\b|TypeError|SyntaxError|ReferenceError|is not a function"
    r"|Failed to fetch|NetworkError|AbortError|aborted|Unexpected (token|end)|JSON|\[object"
)
VISIT = {"time_in": "09:30", "concern": False}

# Every message and status line the phone shows, as it shows them.
WATCH_WORDS = """
window.__said = [];
window.addEventListener('fv:sync-state', (event) => {
  window.__said.push(event.detail.message || '');
  setTimeout(() => {
    const bar = document.getElementById('status-bar');
    if (bar) window.__said.push(bar.innerText);
  }, 0);
});
"""

SAVE_SURVEYS = """async ([count, pitches]) => {
  const {saveRecord} = await import('/static/js/outbox.js');
  const ids = [];
  for (let n = 0; n < count; n += 1) {
    const saved = await saveRecord({team: 'ridley-market', form: 'pitch-survey', formVersion: 1,
                                    subjectId: pitches[n % pitches.length],
                                    data: n % 3 ? {status: 'trading', goods_category: 'fruit_veg'}
                                                : {status: 'vacant'}});
    ids.push(saved.id);
  }
  return ids;
}"""

# A JPEG of noise (it does not compress): the size of a real downscaled photo.
MAKE_PHOTO = """async ([width, height]) => {
  const canvas = new OffscreenCanvas(width, height);
  const drawing = canvas.getContext('2d');
  const pixels = drawing.createImageData(width, height);
  for (let i = 0; i < pixels.data.length; i += 1) pixels.data[i] = (i * 7919) % 251;
  drawing.putImageData(pixels, 0, 0);
  const blob = await canvas.convertToBlob({type: 'image/jpeg', quality: 0.95});
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  const sha256 = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  const {put} = await import('/static/js/db.js');
  await put('photos', {sha256, blob, content_type: 'image/jpeg', size: blob.size, uploaded: false});
  return {sha256, content_type: 'image/jpeg', size: blob.size};
}"""


@pytest.fixture
def proxy(field_server):
    """Run the fault proxy in front of the test's server; it passes everything until told."""
    with FaultProxy(field_server.port, seed=17, lifetime=240) as proxy:
        yield proxy


@pytest.fixture
def open_phone(browser, proxy):
    """Return open(): a new phone on the proxy's origin, logged in as member@, synced once."""
    contexts = []

    def open_():
        context = browser.new_context(
            viewport=PHONE,
            is_mobile=True,
            has_touch=True,
            base_url=proxy.url,
            service_workers="allow",
            locale="en-GB",
            timezone_id="Europe/London",
        )
        context.set_default_timeout(15_000)
        context.add_init_script(WATCH_WORDS)
        contexts.append(context)
        page = context.new_page()
        log_in(page, "member@example.org")
        wait_until_offline_ready(page)
        expect(status(page)).to_contain_text("Last synced", timeout=30_000)
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def phone(open_phone):
    """Return a phone that talks to the server through the fault proxy."""
    return open_phone()


def status(page):
    return page.locator("#status-bar .status-text")


def status_message(page):
    return page.locator("#status-bar .status-message")


def syncs_only_when_asked(page):
    """Stop the engine's own triggers (saves, Background Sync, timers): each sync is the test's."""
    page.evaluate("async () => (await import('/static/js/sync.js')).syncEngine.stop()")
    return page


def save_visit(page, record_id=None, **answers):
    """Save a home visit for Ada through the outbox; return {id, changeId, seq}."""
    record = {
        "team": "clapton-circle",
        "form": "home-visit",
        "formVersion": 1,
        "subjectId": ADA,
        "data": {**VISIT, **answers},
    }
    if record_id:
        record["id"] = record_id
    return call(page, "outbox", "saveRecord", record)


def revisions(server, record_id):
    """Return how many revisions the server keeps of a document."""
    return server.query("SELECT count(*) FROM revisions WHERE document_id = ?", record_id)[0][0]


def words_shown(page):
    """Return every message and status line the phone has shown, and its text now."""
    return [*page.evaluate("() => window.__said"), page.locator("body").inner_text()]


def assert_no_javascript(texts):
    shown = [text for text in texts if JAVASCRIPT.search(text)]
    assert not shown, f"the phone showed a programmer's message: {shown[:3]}"


@pytest.mark.parametrize(
    "fault, path, then",
    [
        ("cut-headers", "/push", STILL_HERE),
        ("cut-body", "/push", STILL_HERE),
        ("portal", "/push", STILL_HERE),
        ("cut-headers", "/pull", ALL_SENT),
        ("cut-body", "/pull", ALL_SENT),
    ],
    ids=["push-cut-headers", "push-cut-body", "push-portal", "pull-cut-headers", "pull-cut-body"],
)
def test_a_broken_answer_is_said_in_the_apps_own_words(phone, proxy, field_server, fault, path, then):
    syncs_only_when_asked(phone)
    saved = save_visit(phone)
    proxy.plan(f"{path}$", fault)

    state = sync_now(phone)

    assert state["state"] == "error"
    assert state["message"] == f"{BROKEN} {then}"
    expect(status_message(phone)).to_have_text(f"{BROKEN} {then}")
    assert_no_javascript(words_shown(phone))
    state = sync_now(phone)
    assert (state["state"], state["waiting"], state["message"]) == ("idle", 0, "")
    assert revisions(field_server, saved["id"]) == 1


def test_a_cut_inside_the_session_answer_is_said_in_the_apps_own_words(phone, proxy, field_server):
    syncs_only_when_asked(phone)
    # A stale token makes the push answer csrf_failed, and the phone fetch a new one.
    call(phone, "api", "setCsrfToken", "stale-token")
    saved = save_visit(phone)
    proxy.plan(r"/session$", "cut-headers")

    state = sync_now(phone)

    assert state["message"] == f"{BROKEN} {STILL_HERE}"
    assert_no_javascript(words_shown(phone))
    assert sync_now(phone)["waiting"] == 0
    assert revisions(field_server, saved["id"]) == 1


def test_an_answer_of_the_wrong_shape_is_a_broken_answer(page, context):
    syncs_only_when_asked(page)
    context.route(
        "**/api/v1/teams/clapton-circle/pull*",
        lambda route: route.fulfill(
            status=200, content_type="application/json", body='{"changes": "none", "more": false}'
        ),
    )

    state = sync_now(page)

    assert (state["state"], state["message"]) == ("error", f"{BROKEN} {ALL_SENT}")
    assert call(page, "db", "getMeta", "cursor:clapton-circle") is not None


@pytest.mark.parametrize(
    "fault, words",
    [
        ("502", "The server is not answering just now."),
        ("503", "The server is busy or being updated."),
    ],
    ids=["502", "503"],
)
def test_a_gateway_error_says_it_will_try_again_once(phone, proxy, fault, words):
    syncs_only_when_asked(phone)
    save_visit(phone)
    proxy.plan(r"/push$", fault)

    state = sync_now(phone)

    assert state["message"] == f"{words} {STILL_HERE}"
    expect(status_message(phone)).to_have_text(f"{words} {STILL_HERE}")
    assert state["message"].count("try again") == 1


def test_after_a_failed_pull_every_screen_agrees_with_the_outbox(phone, proxy, screens):
    phone.context.set_offline(True)
    save_visit(phone, notes="Morning visit")
    save_visit(phone, notes="Lunch visit")
    open_screen(phone, f"#/t/clapton-circle/s/{ADA}/new/home-visit")
    phone.get_by_label("Time in").fill("17:05")
    choose(phone, "Anything to raise?", "No")
    save(phone)
    expect(phone.get_by_text("Saved on this phone. 3 records wait to sync.")).to_be_visible()
    expect(phone.locator(".badge-waiting")).to_have_count(3)

    proxy.plan(r"/pull$", "503", "503")
    phone.context.set_offline(False)

    expect(status(phone)).to_contain_text("Nothing waiting", timeout=30_000)
    expect(phone.locator("#status-bar")).to_have_attribute("data-state", "error")
    expect(phone.locator(".badge-waiting")).to_have_count(0)
    expect(phone.get_by_text("Saved on this phone. It has reached the server.")).to_be_visible()
    expect(phone.get_by_text("wait to sync")).to_have_count(0)
    expect(status_message(phone)).to_have_text(f"The server is busy or being updated. {ALL_SENT}")
    phone.evaluate("() => window.scrollTo(0, 0)")
    screens(phone, "bad-network-after-failed-pull")

    # The next sync starts with no message left over, and ends with none.
    phone.get_by_role("button", name="Sync now").click()
    expect(status(phone)).to_contain_text("Last synced")
    expect(phone.locator("#status-bar")).to_have_attribute("data-state", "idle", timeout=30_000)
    expect(status_message(phone)).to_be_hidden()
    assert_no_javascript(words_shown(phone))


def test_a_hung_connection_times_out_and_sync_now_starts_again(phone, proxy, field_server, screens):
    syncs_only_when_asked(phone)
    call(phone, "api", "setRequestTimeouts", {"requestMs": 2000})
    saved = save_visit(phone)
    proxy.plan(r"/push$", "hang")

    phone.get_by_role("button", name="Sync now").click()
    expect(status(phone)).to_contain_text("Syncing…")
    expect(status_message(phone)).to_have_text(f"{TIMED_OUT} {STILL_HERE}", timeout=10_000)
    sync_now_button = phone.get_by_role("button", name="Sync now")
    expect(sync_now_button).to_be_enabled()
    screens(phone, "bad-network-timed-out")

    sync_now_button.click()
    expect(status(phone)).to_contain_text("Nothing waiting")
    expect(phone.locator("#status-bar")).to_have_attribute("data-state", "idle", timeout=10_000)
    # The hung push had reached the server: the second one was a duplicate.
    assert revisions(field_server, saved["id"]) == 1
    assert proxy.faults_met(r"/push$")[-2:] == ["hang", "pass"]


def test_a_photo_upload_may_take_longer_than_a_push(phone, proxy, field_server):
    syncs_only_when_asked(phone)
    # A fixed 2.4 s on the way: more than a small push may take, less than a photo of 40 kB.
    call(phone, "api", "setRequestTimeouts", {"requestMs": 1500, "bytesPerSecond": 20000})
    proxy.delays = (1.2, 1.2)
    photo = phone.evaluate(MAKE_PHOTO, [320, 240])
    assert photo["size"] > 40_000
    saved = call(
        phone,
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
    proxy.plan(r"/attachments/", "delay")
    proxy.plan(r"/push$", "delay")

    state = sync_now(phone)

    assert state["message"] == f"{TIMED_OUT} {STILL_HERE}"
    assert call(phone, "db", "get", "photos", photo["sha256"])["uploaded_to"] == ["ridley-market"]
    assert sync_now(phone)["waiting"] == 0
    assert field_server.documents()[saved["id"]][1]["photo"] == photo


def test_an_unknown_push_status_keeps_the_change_for_the_next_sync(page, context, field_server):
    syncs_only_when_asked(page)
    first = save_visit(page, notes="First words")
    save_visit(page, first["id"], notes="Second words")
    pushes = []

    def status_from_a_newer_server(route):
        answer = route.fetch()
        body = answer.json()
        pushes.append(len(body["results"]))
        if len(pushes) == 1:
            body["results"][0]["status"] = "postponed"
        route.fulfill(response=answer, json=body)

    context.route("**/api/v1/teams/clapton-circle/push", status_from_a_newer_server)
    state = sync_now(page)

    assert (state["state"], state["waiting"], state["message"]) == ("idle", 2, "")
    # Its later change waited too: it must go on the rev the first one makes.
    assert pushes == [1]
    state = sync_now(page)
    assert (state["state"], state["waiting"]) == ("idle", 0)
    assert field_server.documents()[first["id"]] == (2, {**VISIT, "notes": "Second words"})
    assert revisions(field_server, first["id"]) == 2


def test_a_bug_in_the_app_is_logged_and_said_in_one_calm_sentence(page):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    syncs_only_when_asked(page)
    call(
        page,
        "db",
        "put",
        "outbox",
        {"change_id": str(uuid.uuid4()), "team": "clapton-circle", "change": None, "state": "waiting"},
    )

    state = sync_now(page)

    assert (state["state"], state["message"]) == ("error", APP_PROBLEM)
    expect(status_message(page)).to_have_text(APP_PROBLEM)
    assert any(text.startswith("fvfield sync") for text in errors)


def test_records_saved_in_the_same_second_keep_the_order_they_were_saved_in(page):
    syncs_only_when_asked(page)
    notes = [f"Visit {n}" for n in range(5)]
    for note in notes:
        call(
            page,
            "outbox",
            "saveRecord",
            {
                "team": "clapton-circle",
                "form": "home-visit",
                "formVersion": 1,
                "subjectId": ADA,
                "recordedAt": "2026-11-25T09:41:00+00:00",
                "data": {**VISIT, "notes": note},
            },
        )
    open_screen(page, f"#/t/clapton-circle/s/{ADA}")
    cards = page.locator(".visit .visit-notes")
    expect(cards).to_have_text(notes[::-1])

    call(page, "db", "setMeta", "cursor:clapton-circle", None)
    assert sync_now(page)["waiting"] == 0
    expect(page.locator(".badge-waiting")).to_have_count(0)
    expect(cards).to_have_text(notes[::-1])


def test_a_few_hundred_visits_sync_exactly_once_through_every_fault(field_server, proxy, open_phone, screens):
    field_server.configure(MAX_CHANGES=10)
    field_server.restart()
    phone = open_phone()
    call(phone, "api", "setRequestTimeouts", {"requestMs": 4000})
    phone.context.set_offline(True)
    visits = phone.evaluate(SAVE_VISITS, [230, "clapton-circle", ADA])
    surveys = phone.evaluate(SAVE_SURVEYS, [47, PITCHES])
    photos = [phone.evaluate(MAKE_PHOTO, [64 + 8 * n, 48]) for n in range(3)]
    for n, photo in enumerate(photos):
        surveys.append(
            call(
                phone,
                "outbox",
                "saveRecord",
                {
                    "team": "ridley-market",
                    "form": "pitch-survey",
                    "formVersion": 1,
                    "subjectId": PITCHES[n],
                    "data": {"status": "trading", "goods_category": "fruit_veg", "photo": photo},
                },
            )["id"]
        )
    edited = visits[:20]
    for record_id in edited:
        save_visit(phone, record_id, notes="Corrected after the visit")
    expected = {**{r: 1 for r in visits + surveys}, **{r: 2 for r in edited}}
    changes = len(visits) + len(surveys) + len(edited)
    assert call(phone, "outbox", "unsentCount") == changes

    # Every fault at least once on the pushes, then a seeded mix on every API request.
    proxy.plan(r"/push$", *[fault for fault in FAULTS if fault != "pass"])
    proxy.set_weights(
        {
            "pass": 40,
            "delay": 10,
            "cut-headers": 6,
            "cut-body": 6,
            "duplicate": 6,
            "duplicate-at-once": 6,
            "refuse": 6,
            "portal": 3,
            "502": 4,
            "503": 4,
            "hang": 1,
        }
    )
    phone.context.set_offline(False)
    sync_now_button = phone.get_by_role("button", name="Sync now")
    killed = False
    for _ in range(80):
        if (
            call(phone, "outbox", "unsentCount") == 0
            and phone.evaluate("async () => (await import('/static/js/sync.js')).syncEngine.state.state")
            == "idle"
        ):
            break
        expect(sync_now_button).to_be_enabled(timeout=20_000)
        sync_now_button.click()
        if not killed and len(field_server.documents()) >= 120:
            field_server.kill()
            killed = True
            time.sleep(0.5)
            field_server.start()
        expect(sync_now_button).to_be_enabled(timeout=20_000)
    proxy.set_weights({"pass": 1})
    state = sync_now(phone)

    assert killed
    assert (state["state"], state["waiting"], state["needsAttention"], state["message"]) == ("idle", 0, 0, "")
    assert call(phone, "outbox", "unsentCount") == 0
    stored = {**field_server.documents()}
    assert {r: stored[r][0] for r in expected} == expected
    assert field_server.query(
        "SELECT count(*), count(DISTINCT change_id) FROM revisions WHERE collection = 'records'"
    ) == [(changes, changes)]
    assert field_server.query("SELECT count(*) FROM attachments") == [(len(photos),)]
    expect(status(phone)).to_contain_text("Nothing waiting")
    met = set(proxy.faults_met(r"^/api/"))
    assert met == set(FAULTS), f"faults never met: {set(FAULTS) - met}"
    assert_no_javascript(words_shown(phone))
    open_screen(phone, f"#/t/ridley-market/s/{MARKET}")
    expect(phone.get_by_text("added on this phone")).to_have_count(0)
    screens(phone, "bad-network-market-after-the-storm")
    open_screen(phone, "#/sync")
    expect(phone.get_by_role("heading", name="Waiting to sync (0)")).to_be_visible()
    screens(phone, "bad-network-sync-after-the-storm")
