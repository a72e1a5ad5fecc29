"""The field app offline: the shell, the outbox across pages, sessions, updates, logout.

Records are saved through the app's own outbox module (what the form screen
calls), so these tests hold the core to its promises whatever the screens do.
"""

import base64
import hashlib
import json

from playwright.sync_api import expect

from .conftest import ADA, PITCHES, call, log_in, sync_now, wait_until_offline_ready

VISIT = {"time_in": "09:30", "concern": False, "notes": "Ada was cheerful and ate well."}


def save_visit(page, **answers):
    """Save a home visit for Ada on the phone; return {id, changeId, seq}."""
    return call(
        page,
        "outbox",
        "saveRecord",
        {
            "team": "clapton-circle",
            "form": "home-visit",
            "formVersion": 1,
            "subjectId": ADA,
            "data": {**VISIT, **answers},
        },
    )


def status(page):
    return page.locator("#status-bar .status-text")


def test_offline_shell_opens_after_a_reload(page, context, screens):
    context.set_offline(True)
    page.reload()
    expect(status(page)).to_contain_text("Offline")
    expect(page.locator("link[rel=manifest]")).to_have_count(1)
    screens(page, "core-offline-start")


def test_offline_record_waits_in_a_new_page_then_syncs_once(page, context, field_server, screens):
    context.set_offline(True)
    page.reload()
    saved = save_visit(page)
    expect(status(page)).to_contain_text("1 waiting")
    page.close()

    again = context.new_page()
    again.goto("/app/")
    expect(status(again)).to_contain_text("Offline")
    expect(status(again)).to_contain_text("1 waiting")
    screens(again, "core-offline-waiting")
    assert saved["id"] not in field_server.documents()

    context.set_offline(False)
    expect(status(again)).to_contain_text("Nothing waiting", timeout=30_000)
    stored = field_server.documents()
    assert stored[saved["id"]] == (1, VISIT)
    revisions = field_server.query("SELECT count(*) FROM revisions WHERE document_id = ?", saved["id"])
    assert revisions == [(1,)]


def test_offline_record_survives_the_server_stopping(page, field_server):
    field_server.stop()
    saved = save_visit(page, notes="Saved while the server was down.")
    state = sync_now(page)
    assert state["state"] == "error"
    assert state["waiting"] == 1
    assert "cannot be reached" in state["message"]

    field_server.start()
    state = sync_now(page)
    assert (state["state"], state["waiting"]) == ("idle", 0)
    assert field_server.documents()[saved["id"]][0] == 1


BREAK_INDEXEDDB = {
    "missing": "Object.defineProperty(window, 'indexedDB', {value: undefined});",
    "refused": "IDBFactory.prototype.open = function () {"
    " throw new DOMException('Private mode', 'InvalidStateError'); };",
}


def test_app_without_indexeddb_says_so_before_anyone_types(context, screens):
    for case, script in BREAK_INDEXEDDB.items():
        page = context.new_page()
        page.add_init_script(script)
        page.goto("/app/")
        expect(page.get_by_role("heading", name="This browser cannot keep records")).to_be_visible()
        expect(page.locator("main input, main textarea, main select")).to_have_count(0)
        screens(page, f"core-no-indexeddb-{case}")
        page.close()


def test_session_ended_asks_to_log_in_again_and_keeps_records(page, context, field_server):
    context.set_offline(True)
    saved = save_visit(page)
    context.clear_cookies()
    context.set_offline(False)
    page.reload()

    expect(page.get_by_role("link", name="Log in again")).to_be_visible()
    expect(status(page)).to_contain_text("1 waiting")
    assert sync_now(page)["state"] == "login-needed"
    assert call(page, "outbox", "unsentCount") == 1

    log_in(page, "member@example.org")
    expect(status(page)).to_contain_text("Nothing waiting", timeout=30_000)
    assert saved["id"] in field_server.documents()


def test_shared_phone_refuses_while_the_previous_users_records_wait(context, field_server, screens):
    page = wait_until_offline_ready(log_in(context.new_page(), "carer@example.org"))
    context.set_offline(True)
    saved = save_visit(page)
    context.clear_cookies()
    context.set_offline(False)

    log_in(page, "volunteer@example.org")
    expect(page.get_by_role("heading", name="This phone holds someone else’s records")).to_be_visible()
    expect(page.get_by_text("Cai Carer left one record")).to_be_visible()
    screens(page, "core-shared-phone-refused")
    assert call(page, "outbox", "unsentCount") == 1
    assert saved["id"] not in field_server.documents()


def test_shared_phone_starts_clean_for_the_next_user_when_nothing_waits(context, field_server):
    page = wait_until_offline_ready(log_in(context.new_page(), "carer@example.org"))
    saved = save_visit(page)
    assert sync_now(page)["waiting"] == 0
    assert call(page, "db", "get", "records", ["clapton-circle", saved["id"]])
    context.clear_cookies()

    log_in(page, "volunteer@example.org")
    expect(status(page)).to_contain_text("Nothing waiting")
    sync_now(page)
    assert call(page, "db", "getMeta", "user")["email"] == "volunteer@example.org"
    assert [team["slug"] for team in call(page, "db", "all", "teams")] == ["ridley-market"]
    assert call(page, "db", "get", "records", ["clapton-circle", saved["id"]]) is None
    subjects = call(page, "db", "all", "subjects")
    assert subjects and {subject["team"] for subject in subjects} == {"ridley-market"}


def test_update_prompt_appears_when_the_service_worker_changes(page, field_server, screens):
    field_server.configure(FIELD_APP_RELEASE="next")
    field_server.restart()
    page.reload()

    prompt = page.get_by_text("A new version is ready")
    expect(prompt).to_be_visible(timeout=30_000)
    screens(page, "core-update-ready")
    # The form screen keeps its draft on this event; the reload waits for it.
    page.evaluate(
        """() => window.addEventListener('fv:save-drafts', (event) => event.detail.waitUntil(
             new Promise((done) => setTimeout(() => {
               sessionStorage.setItem('draft-saved', 'yes'); done();
             }, 300))))"""
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Reload").click()
    page.wait_for_load_state()
    assert page.evaluate("() => sessionStorage.getItem('draft-saved')") == "yes"
    expect(status(page)).to_be_visible()
    expect(prompt).to_have_count(0)
    assert page.evaluate("async () => (await navigator.serviceWorker.getRegistration()).waiting") is None


def test_logout_refuses_while_records_wait_and_wipes_after_they_synced(page, context, field_server):
    context.set_offline(True)
    save_visit(page)
    refused = call(page, "logout", "logOut", {"navigate": False})
    assert refused["loggedOut"] is False
    assert "1" in refused["message"] or "One record" in refused["message"]
    assert call(page, "outbox", "unsentCount") == 1

    context.set_offline(False)
    assert sync_now(page)["waiting"] == 0
    page.evaluate("async () => (await caches.open('fvfield-photos')).put('/photo-seen', new Response('x'))")
    page.evaluate("() => import('/static/js/logout.js').then((m) => m.logOut())")
    page.wait_for_url("**/login")
    expect(page.get_by_text("You are logged out.")).to_be_visible()

    databases = page.evaluate("async () => (await indexedDB.databases()).map((d) => d.name)")
    assert "fvfield" not in databases
    assert "fvfield-photos" not in page.evaluate("() => caches.keys()")
    assert page.request.get("/api/v1/session").status == 401


def test_save_a_copy_to_a_file_holds_the_outbox_and_its_photos(page, context):
    context.set_offline(True)
    photo = bytes(range(256)) * 8
    sha256 = hashlib.sha256(photo).hexdigest()
    page.evaluate(
        """async ([bytes, sha256]) => {
          const {put} = await import('/static/js/db.js');
          const blob = new Blob([new Uint8Array(bytes)], {type: 'image/jpeg'});
          await put('photos', {sha256, blob, content_type: 'image/jpeg', size: blob.size, uploaded: false});
        }""",
        [list(photo), sha256],
    )
    answers = {
        "status": "trading",
        "goods_category": "fruit_veg",
        "photo": {"sha256": sha256, "content_type": "image/jpeg", "size": len(photo)},
    }
    saved = call(
        page,
        "outbox",
        "saveRecord",
        {
            "team": "ridley-market",
            "form": "pitch-survey",
            "formVersion": 1,
            "subjectId": PITCHES[0],
            "data": answers,
        },
    )
    save_visit(page)

    with page.expect_download() as download:
        page.evaluate("() => import('/static/js/logout.js').then((m) => m.saveOutboxFile())")
    exported = json.loads(open(download.value.path()).read())

    assert (exported["format"], exported["version"]) == ("fvfield-outbox", 1)
    assert exported["user"]["email"] == "member@example.org"
    assert exported["device_id"] and exported["exported_at"]
    market = exported["teams"]["ridley-market"]
    assert [c["id"] for c in market["changes"]] == [saved["id"]]
    assert market["changes"][0]["data"] == answers
    assert market["changes"][0]["change_id"] == saved["changeId"]
    [attachment] = market["attachments"]
    assert attachment["sha256"] == sha256
    assert base64.b64decode(attachment["data_base64"]) == photo
    assert len(exported["teams"]["clapton-circle"]["changes"]) == 1
