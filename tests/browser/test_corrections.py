"""Correcting and deleting a record on the phone, offline, and a handover that names the team (issue 11).

An unsent record is corrected in its outbox item (one change reaches the
server); a synced one gets a new change on its rev with the reason asked
for; a deletion says why. A past visit opens in full, in its form's words,
and the team's members are named.
"""

import json

from playwright.sync_api import expect
from realserver import VISIT, SyncClient, visit_change

from .conftest import ADA, call, log_in, sync_now
from .phone import axe_violations, open_screen, question, save, snap, wait_for
from .test_screens import SYNCED, heading, ready, record_visit, status


def revisions_of(server, record_id):
    """Return [(rev, base_rev, reason, deleted)] of a record's revisions on the server, oldest first."""
    return server.query(
        "SELECT rev, base_rev, reason, deleted FROM revisions WHERE document_id = ? ORDER BY pk", record_id
    )


def outbox(page):
    """Return the phone's outbox items, oldest first."""
    return sorted(call(page, "db", "all", "outbox"), key=lambda item: item["seq"])


def only_visit(page):
    """Return the one home visit the phone holds."""
    [record] = [
        r for r in call(page, "db", "all", "records") if r["form"] == "home-visit" and not r["deleted"]
    ]
    return record


def open_last_visit(page):
    """From Ada's page, open her newest visit in full."""
    open_screen(page, f"#/t/clapton-circle/s/{ADA}")
    page.locator(".visit .visit-open").first.click()
    expect(heading(page, "Home visit")).to_be_visible()


def answer(page, label):
    """Return the words shown for an answer on the record screen."""
    return page.locator(".answers .fact").filter(has=page.locator("dt", has_text=label)).locator("dd")


def visit_online(page, field_server, **answers):
    """Record a visit to Ada and wait until the server has it; return its id."""
    open_screen(page, f"#/t/clapton-circle/s/{ADA}")
    page.get_by_role("link", name="Record a visit").click()
    record_visit(page, **answers)
    save(page)
    expect(status(page)).to_contain_text("Nothing waiting", timeout=SYNCED)
    record = only_visit(page)
    assert wait_for(page, lambda: revisions_of(field_server, record["id"]))
    return record["id"]


def test_an_unsent_record_is_corrected_in_its_outbox_item(page, context, field_server, screens):
    ready(page, "Your teams")
    context.set_offline(True)
    open_screen(page, f"#/t/clapton-circle/s/{ADA}")
    page.get_by_role("link", name="Record a visit").click()
    record_visit(page, time_in="10:05")
    save(page)
    [before] = outbox(page)

    open_last_visit(page)
    expect(answer(page, "Time in")).to_have_text("10:05")
    expect(page.get_by_text("Saved on this phone; it waits to sync.")).to_be_visible()
    page.get_by_role("link", name="Correct this record").click()
    expect(heading(page, "Correct: Home visit")).to_be_visible()
    # Not yet on the server: nothing to explain to anyone.
    expect(page.get_by_label("Why correct it")).to_have_count(0)
    page.get_by_label("Time in").fill("10:20")
    save(page)
    expect(page.get_by_text("Corrected on this phone.")).to_be_visible()
    expect(answer(page, "Time in")).to_have_text("10:20")

    [after] = outbox(page)
    assert after["seq"] == before["seq"] and after["change_id"] != before["change_id"]
    assert (after["change"]["base_rev"], after["change"]["data"]["time_in"]) == (0, "10:20")
    context.set_offline(False)
    expect(status(page)).to_contain_text("Nothing waiting", timeout=SYNCED)
    record_id = after["change"]["id"]
    assert revisions_of(field_server, record_id) == [(1, 0, None, 0)]
    [(data,)] = field_server.query("SELECT data FROM documents WHERE id = ?", record_id)
    assert json.loads(data)["time_in"] == "10:20"


def test_a_synced_record_is_corrected_offline_with_a_reason(page, context, field_server, screens):
    ready(page, "Your teams")
    record_id = visit_online(page, field_server, time_in="09:30")
    context.set_offline(True)
    open_last_visit(page)
    page.get_by_role("link", name="Correct this record").click()
    page.get_by_label("Time in").fill("09:45")
    save(page)
    expect(page.locator(".error-summary")).to_contain_text("Say why you correct it.")
    page.get_by_label("Why correct it").fill("I wrote the time I parked, not the time I went in")
    snap(page, screens, "record-correct")
    assert axe_violations(page) == []
    save(page)
    expect(page.get_by_text("Corrected on this phone.")).to_be_visible()
    [item] = outbox(page)
    assert (item["change"]["base_rev"], item["change"]["reason"]) == (
        1,
        "I wrote the time I parked, not the time I went in",
    )

    context.set_offline(False)
    expect(status(page)).to_contain_text("Nothing waiting", timeout=SYNCED)
    assert revisions_of(field_server, record_id) == [
        (1, 0, None, 0),
        (2, 1, "I wrote the time I parked, not the time I went in", 0),
    ]
    coordinator = SyncClient(field_server.url)
    coordinator.login("coord@example.org")
    history = coordinator.http.get(
        f"{field_server.url}/teams/clapton-circle/records/{record_id}", timeout=30
    ).text
    assert "I wrote the time I parked, not the time I went in" in history


def test_a_record_is_deleted_with_a_reason(page, context, field_server, screens):
    ready(page, "Your teams")
    record_id = visit_online(page, field_server)
    context.set_offline(True)
    open_last_visit(page)
    expect(page.get_by_label("Why delete it")).to_be_hidden()
    page.get_by_role("button", name="Delete this record…").click()
    page.get_by_role("button", name="Delete the record").click()
    expect(question(page, "Why delete it")).to_contain_text("Say why you delete it.")
    page.get_by_label("Why delete it").fill("Recorded for the wrong person")
    snap(page, screens, "record-delete")
    page.get_by_role("button", name="Delete the record").click()
    expect(page.get_by_text("Deleted on this phone.")).to_be_visible()
    expect(page.get_by_text("No visits recorded yet.")).to_be_visible()

    context.set_offline(False)
    expect(status(page)).to_contain_text("Nothing waiting", timeout=SYNCED)
    assert revisions_of(field_server, record_id)[-1] == (2, 1, "Recorded for the wrong person", 1)


def test_a_past_visit_opens_in_full_and_the_team_is_named(page, context, field_server, screens):
    carer = SyncClient(field_server.url)
    carer.login("carer@example.org")
    change = visit_change(
        subject_id=ADA,
        answers={
            "time_in": "08:15",
            "tasks_done": ["personal_care", "meal"],
            "tasks_declined": ["shopping"],
            "medicines": "declined",
            "medicines_declined_reason": "Said they make her sleepy",
            "food_drink": "Porridge and two cups of tea",
            "rating": 4,
            "concern": False,
        },
    )
    assert carer.push("clapton-circle", [change]).json()["results"][0]["status"] == "applied"
    ready(page, "Your teams")
    sync_now(page)
    open_screen(page, f"#/t/clapton-circle/s/{ADA}")
    visit = page.locator(".visit").first
    expect(visit).to_contain_text("Cai Carer")
    expect(page.get_by_text("Another member of the team")).to_have_count(0)
    handover = page.locator(".handover")
    expect(handover).to_contain_text("Medicines")
    expect(handover).to_contain_text("Declined")
    expect(handover).to_contain_text("Said they make her sleepy")
    expect(handover).to_contain_text("What they declined")
    expect(handover).to_contain_text("Porridge and two cups of tea")
    snap(page, screens, "person-handover")

    page.locator(".visit .visit-open").first.click()
    expect(heading(page, "Home visit")).to_be_visible()
    expect(page.locator(".lead")).to_contain_text("Cai Carer")
    expect(answer(page, "What was done")).to_have_text("Personal care, Meal")
    expect(answer(page, "What they declined")).to_have_text("Shopping")
    expect(answer(page, "Reason declined")).to_have_text("Said they make her sleepy")
    expect(answer(page, "How are they today?")).to_have_text("4 of 5 – Good")
    expect(answer(page, "Anything to raise?")).to_have_text("No")
    snap(page, screens, "record-in-full")
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 320, "height": 700})
    snap(page, screens, "record-in-full-320")


def test_a_coordinator_corrects_a_record_on_the_web_in_the_phone_s_form(browser, field_server, screens):
    carer = SyncClient(field_server.url)
    carer.login("carer@example.org")
    change = visit_change(
        subject_id=ADA, answers={"time_in": "08:15", "medicines": "given", "concern": False}
    )
    assert carer.push("clapton-circle", [change]).json()["results"][0]["status"] == "applied"
    url = f"/teams/clapton-circle/records/{change['id']}"
    for width, height, name in ((1280, 900, "laptop"), (390, 844, "phone")):
        context = browser.new_context(
            viewport={"width": width, "height": height},
            base_url=field_server.url,
            locale="en-GB",
            timezone_id="Europe/London",
        )
        page = context.new_page()
        log_in(page, "coord@example.org", next_path=url)
        page.get_by_role("link", name="Correct the answers").click()
        expect(heading(page, "Correct: Home visit")).to_be_visible()
        expect(question(page, "Medicines").get_by_label("Given", exact=True)).to_be_checked()
        screens(page, f"web-record-correct-{name}")
        assert axe_violations(page) == []
        context.close()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=field_server.url)
    page = context.new_page()
    log_in(page, "coord@example.org", next_path=f"{url}/correct")
    question(page, "Medicines").get_by_label("Declined", exact=True).check()
    page.get_by_role("button", name="Save the correction").click()
    # The phone's checks run first: the reason declined is required once shown.
    expect(page.locator(".error-summary")).to_contain_text("Reason declined")
    page.get_by_label("Reason declined").fill("Did not want them with breakfast")
    page.get_by_label("Why correct it").fill("Cai told me she declined them")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.get_by_text("The correction is saved.")).to_be_visible()
    expect(page.locator(".history")).to_contain_text("Why: Cai told me she declined them")
    screens(page, "web-record-corrected-laptop")
    context.close()
    assert revisions_of(field_server, change["id"])[-1] == (2, 1, "Cai told me she declined them", 0)


CORRECT = """async ([team, id, data]) => {
  const {get} = await import('/static/js/db.js');
  const {correctRecord} = await import('/static/js/outbox.js');
  const record = await get('records', [team, id]);
  return correctRecord({team, record, data: {...record.data, ...data}});
}"""


def test_a_correction_made_while_its_record_is_being_pushed_is_kept_and_sent_after(page, field_server):
    ready(page, "Your teams")
    page.evaluate("async () => (await import('/static/js/sync.js')).syncEngine.stop()")
    saved = call(
        page,
        "outbox",
        "saveRecord",
        {"team": "clapton-circle", "form": "home-visit", "formVersion": 1, "subjectId": ADA, "data": VISIT},
    )
    corrected = []

    def correct_during_the_push(route):
        answer = route.fetch()
        # The server has applied the record; its answer has not reached the phone yet.
        if not corrected:
            corrected.append(page.evaluate(CORRECT, ["clapton-circle", saved["id"], {"time_in": "09:50"}]))
        route.fulfill(response=answer)

    page.context.route("**/api/v1/teams/clapton-circle/push", correct_during_the_push)
    state = sync_now(page)
    assert corrected[0]["inPlace"] is True
    # The correction was not in the push it was made during: it stayed, on the rev that push
    # made, and went in the next push of the same sync.
    assert (state["state"], state["waiting"], outbox(page)) == ("idle", 0, [])
    assert revisions_of(field_server, saved["id"]) == [(1, 0, None, 0), (2, 1, None, 0)]
    [(data,)] = field_server.query("SELECT data FROM documents WHERE id = ?", saved["id"])
    assert json.loads(data)["time_in"] == "09:50"
    assert only_visit(page)["data"]["time_in"] == "09:50"


def test_an_offline_correction_of_what_another_device_changed_is_a_kept_conflict(page, context, field_server):
    ready(page, "Your teams")
    record_id = visit_online(page, field_server, time_in="09:30")
    context.set_offline(True)
    open_last_visit(page)
    page.get_by_role("link", name="Correct this record").click()
    page.get_by_label("Time in").fill("09:40")
    page.get_by_label("Why correct it").fill("Arrived ten minutes later")
    save(page)
    expect(page.get_by_text("Corrected on this phone.")).to_be_visible()
    carer = SyncClient(field_server.url)
    carer.login("carer@example.org")
    [(data,)] = field_server.query("SELECT data FROM documents WHERE id = ?", record_id)
    theirs = visit_change(
        record_id, base_rev=1, subject_id=ADA, answers={**json.loads(data), "time_in": "09:35"}
    )
    assert carer.push("clapton-circle", [theirs]).json()["results"][0]["status"] == "applied"

    context.set_offline(False)
    expect(status(page)).to_contain_text("Nothing waiting", timeout=SYNCED)
    assert revisions_of(field_server, record_id)[-1] == (2, 1, "Arrived ten minutes later", 0)
    [(rev, conflict, data)] = field_server.query(
        "SELECT rev, has_conflict, data FROM documents WHERE id = ?", record_id
    )
    assert (rev, conflict, json.loads(data)["time_in"]) == (2, 1, "09:35")
    open_last_visit(page)
    expect(page.get_by_text("Two people changed this record at the same time.")).to_be_visible()
    expect(answer(page, "Time in")).to_have_text("09:35")
