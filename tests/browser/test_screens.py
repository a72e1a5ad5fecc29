"""The screens end to end: a carer's visit and a volunteer's survey, offline, then synced.

These are the acceptance flows of issue 4: everything is done through the
screens as a person does it (links, labels, buttons) on a 390x844 phone;
what reached the server is read from its SQLite file and attachments folder.
"""

import json
import uuid
from pathlib import Path

from playwright.sync_api import expect
from realserver import SyncClient

from .conftest import ADA, MARKET, PITCHES, log_in, wait_until_offline_ready
from .phone import camera_picture, choose, jpeg_size, open_screen, question, save, snap

SYNCED = 30_000


def status(page):
    return page.locator("#status-bar .status-text")


def heading(page, name):
    return page.get_by_role("heading", name=name, level=1)


def ready(page, team_heading):
    """Wait until the first sync has brought the team's data, then dismiss the install hint."""
    expect(status(page)).to_contain_text("Last synced", timeout=SYNCED)
    expect(heading(page, team_heading)).to_be_visible()
    hint = page.get_by_role("button", name="Not now")
    if hint.count():
        hint.click()


def record_visit(page, concern=None, **answers):
    """Fill a home visit on the open form; a concern is (what happened, urgency)."""
    page.get_by_label("Time in").fill(answers.get("time_in", "10:05"))
    for task in answers.get("tasks", ()):
        choose(page, "What was done", task)
    if "rating" in answers:
        question(page, "How are they today?").get_by_label(answers["rating"], exact=True).check()
    if concern:
        choose(page, "Anything to raise?", "Yes")
        page.get_by_label("What happened").fill(concern[0])
        choose(page, "How urgent is it?", concern[1])
    else:
        choose(page, "Anything to raise?", "No")


def server_records(server, form):
    """Return {id: (rev, answers)} of the server's records made with a form."""
    rows = server.query("SELECT id, rev, data FROM documents WHERE collection = 'records' AND form = ?", form)
    return {id_: (rev, json.loads(data)) for id_, rev, data in rows}


def test_carer_records_a_visit_offline_and_it_syncs_by_itself(context, field_server, screens):
    page = context.new_page()
    log_in(page, "carer@example.org")
    wait_until_offline_ready(page)
    # One team: straight in, no team picker.
    ready(page, "Clapton Circle")
    snap(page, screens, "people-list")

    context.set_offline(True)
    page.reload()
    expect(status(page)).to_contain_text("Offline")
    page.get_by_role("link", name="Ada Brown").click()
    expect(heading(page, "Ada Brown")).to_be_visible()
    expect(page.get_by_text("Her cat Biscuit")).to_be_visible()
    expect(page.get_by_text("No visits recorded yet.")).to_be_visible()
    snap(page, screens, "person-page")

    page.get_by_role("link", name="Record a visit").click()
    expect(heading(page, "Home visit")).to_be_visible()
    record_visit(
        page,
        tasks=["Personal care", "Meal"],
        rating="4, Good",
        concern=("Ada had a fall in the kitchen; no injury.", "This week"),
    )
    choose(page, "Medicines", "Prompted")
    page.get_by_label("Time out").fill("10:50")
    expect(question(page, "What happened")).to_have_class("q q-textarea raised")
    snap(page, screens, "form-home-visit")
    save(page)

    expect(page.get_by_text("Saved on this phone. 1 record waits to sync.")).to_be_visible()
    expect(heading(page, "Ada Brown")).to_be_visible()
    expect(status(page)).to_contain_text("1 waiting")
    visit = page.locator(".visit").first
    expect(visit).to_have_class("visit visit-raised")
    expect(visit).to_contain_text("Concern raised")
    expect(visit).to_contain_text("Ada had a fall in the kitchen")
    expect(visit).to_contain_text("This week")
    expect(visit).to_contain_text("4 of 5 – Good")
    expect(visit).to_contain_text("Waiting to sync")
    snap(page, screens, "person-page-after-visit")

    context.set_offline(False)
    expect(status(page)).to_contain_text("Nothing waiting", timeout=SYNCED)
    visits = server_records(field_server, "home-visit")
    assert len(visits) == 1
    ((rev, data),) = visits.values()
    assert rev == 1
    assert data == {
        "time_in": "10:05",
        "time_out": "10:50",
        "tasks_done": ["personal_care", "meal"],
        "medicines": "prompted",
        "rating": 4,
        "concern": True,
        "concern_details": "Ada had a fall in the kitchen; no injury.",
        "concern_urgency": "this_week",
    }
    expect(visit).not_to_contain_text("Waiting to sync")


def test_offline_visit_and_pitch_survey_wait_in_a_new_page_then_sync_once(
    page, context, field_server, screens
):
    ready(page, "Your teams")
    snap(page, screens, "team-picker")
    context.grant_permissions(["geolocation"])
    context.set_geolocation({"latitude": 51.54868, "longitude": -0.07457, "accuracy": 9})
    context.set_offline(True)
    page.reload()

    page.get_by_role("link", name="Clapton Circle").click()
    page.get_by_role("link", name="Ada Brown").click()
    page.get_by_role("link", name="Record a visit").click()
    record_visit(page, tasks=["Company and conversation"])
    save(page)
    expect(page.get_by_text("Saved on this phone. 1 record waits to sync.")).to_be_visible()

    page.get_by_role("link", name="Home").click()
    page.get_by_role("link", name="Ridley Road Market").click()
    expect(heading(page, "Ridley Road Market")).to_be_visible()
    snap(page, screens, "markets-list")
    page.get_by_role("link", name="Ridley Road Market").click()
    expect(page.get_by_text("Today: 3 not yet surveyed")).to_be_visible()
    snap(page, screens, "market-page")

    page.get_by_role("link", name="Add a pitch").click()
    page.get_by_label("Pitch number or name").fill("14B")
    choose(page, "Type of unit", "Stall")
    snap(page, screens, "add-pitch")
    page.get_by_role("button", name="Add the pitch").click()
    expect(page.get_by_text("Pitch 14B added on this phone. 2 records wait to sync.")).to_be_visible()
    new_pitch = page.get_by_role("link", name="14B")
    expect(new_pitch).to_contain_text("Not yet surveyed")

    new_pitch.click()
    expect(heading(page, "Pitch survey")).to_be_visible()
    expect(page.get_by_text("About 14B")).to_be_visible()
    choose(page, "Status", "Trading")
    choose(page, "What is sold", "Fruit and vegetables")
    choose(page, "Is the trader at the pitch?", "Yes")
    page.get_by_label("Tomatoes, per kg").fill("2.20")
    choose(page, "The trader agreed to share their concerns", "Yes")
    page.get_by_label("The trader's concerns").fill("The rent is going up again.")
    choose(page, "Languages the trader speaks with customers", "English")
    choose(page, "Languages the trader speaks with customers", "Turkish")
    page.locator("input[type=file]").set_input_files(camera_picture(page))
    expect(page.get_by_text("Photo kept on this phone")).to_be_visible()
    page.get_by_role("button", name="Get position").click()
    expect(page.get_by_text("accurate to 9 m")).to_be_visible()
    snap(page, screens, "form-pitch-survey")
    save(page)
    expect(page.get_by_text("Saved on this phone. 3 records wait to sync.")).to_be_visible()
    expect(page.get_by_role("link", name="14B")).to_contain_text("Trading")
    expect(page.get_by_text("Today: 1 trading · 3 not yet surveyed")).to_be_visible()
    snap(page, screens, "market-page-after-survey")
    page.close()

    again = context.new_page()
    again.goto("/app/#/sync")
    expect(status(again)).to_contain_text("Offline")
    expect(status(again)).to_contain_text("3 waiting")
    waiting = again.locator("section", has=again.get_by_role("heading", name="Waiting to sync (3)"))
    expect(waiting).to_contain_text("Home visit: Ada Brown")
    expect(waiting).to_contain_text("New pitch: 14B")
    # A pitch is named with its market: pitch 14B could be in any market.
    expect(waiting).to_contain_text("Pitch survey: Ridley Road Market, pitch 14B")
    snap(again, screens, "sync-screen-waiting")
    assert server_records(field_server, "pitch-survey") == {}
    again.get_by_role("button", name="Log out").click()
    expect(again.get_by_role("alert")).to_contain_text("3 records have not reached the server yet.")
    with again.expect_download() as download:
        again.get_by_role("button", name="Save a copy to a file").click()
    copy = json.loads(Path(download.value.path()).read_text())
    assert len(copy["teams"]["ridley-market"]["changes"]) == 2
    assert len(copy["teams"]["ridley-market"]["attachments"]) == 1

    context.set_offline(False)
    expect(status(again)).to_contain_text("Nothing waiting", timeout=SYNCED)
    expect(again.get_by_role("heading", name="Waiting to sync (0)")).to_be_visible()

    assert len(server_records(field_server, "home-visit")) == 1
    surveys = server_records(field_server, "pitch-survey")
    assert len(surveys) == 1
    ((survey_id, (rev, survey)),) = surveys.items()
    assert rev == 1
    photo = survey.pop("photo")
    assert survey == {
        "status": "trading",
        "goods_category": "fruit_veg",
        "trader_present": True,
        "price_tomatoes_kg": 220,
        "consent": True,
        "trader_concerns": "The rent is going up again.",
        "languages": ["english", "turkish"],
        "position": {"lat": 51.54868, "lon": -0.07457, "accuracy": 9},
    }
    pitch = field_server.query(
        "SELECT d.id, d.label, d.data FROM documents d WHERE d.collection = 'subjects' AND d.label = '14B'"
    )
    assert len(pitch) == 1
    assert json.loads(pitch[0][2]) == {"market_id": MARKET, "unit_type": "stall"}
    assert field_server.query("SELECT subject_id FROM documents WHERE id = ?", survey_id) == [(pitch[0][0],)]
    for document_id in (survey_id, pitch[0][0]):
        assert field_server.query("SELECT count(*) FROM revisions WHERE document_id = ?", document_id) == [
            (1,)
        ]

    assert field_server.query(
        "SELECT content_type, size FROM attachments WHERE sha256 = ?", photo["sha256"]
    ) == [("image/jpeg", photo["size"])]
    stored = [
        p
        for p in (field_server.instance / "attachments").rglob("*")
        if p.is_file() and p.name.startswith(photo["sha256"])
    ]
    assert len(stored) == 1
    assert max(jpeg_size(stored[0].read_bytes())) == 1600


def delete_on_server(server, pitch_id):
    """The coordinator archives a pitch on the server (a duplicate, say) while a phone is offline."""
    coordinator = SyncClient(server.url)
    coordinator.login("coord@example.org")
    rev, data = server.documents("subjects")[pitch_id]
    label = server.query("SELECT label FROM documents WHERE id = ?", pitch_id)[0][0]
    answer = coordinator.push(
        "ridley-market",
        [
            {
                "change_id": str(uuid.uuid4()),
                "collection": "subjects",
                "id": pitch_id,
                "base_rev": rev,
                "deleted": True,
                "kind": "pitch",
                "label": label,
                "data": data,
            }
        ],
    )
    assert answer.json()["results"][0]["status"] == "applied"


def test_a_record_about_a_pitch_archived_meanwhile_is_kept_against_it(page, context, field_server, screens):
    ready(page, "Your teams")
    context.set_offline(True)
    open_screen(page, f"#/t/ridley-market/s/{MARKET}")
    page.get_by_role("link", name="Pitch 3").click()
    choose(page, "Status", "Vacant")
    save(page)
    expect(page.get_by_text("Saved on this phone. 1 record waits to sync.")).to_be_visible()

    delete_on_server(field_server, PITCHES[2])
    context.set_offline(False)
    # Archived is not deleted: the server keeps the record about the pitch, nothing waits.
    expect(status(page)).to_contain_text("Nothing waiting", timeout=SYNCED)
    surveys = server_records(field_server, "pitch-survey")
    assert list(surveys.values()) == [(1, {"status": "vacant"})]
    (survey_id,) = surveys
    assert field_server.query("SELECT subject_id FROM documents WHERE id = ?", survey_id) == [(PITCHES[2],)]


def test_a_viewer_reads_but_is_not_offered_to_record(context, field_server):
    page = context.new_page()
    log_in(page, "viewer@example.org")
    ready(page, "Your teams")
    open_screen(page, f"#/t/clapton-circle/s/{ADA}")
    expect(page.get_by_text("Her cat Biscuit")).to_be_visible()
    expect(page.get_by_role("link", name="Record a visit")).to_have_count(0)
    open_screen(page, f"#/t/ridley-market/s/{MARKET}")
    expect(page.get_by_role("link", name="Add a pitch")).to_have_count(0)
    expect(page.get_by_role("link", name="Pitch 1")).to_be_visible()


def test_lists_search_by_name(page, context, field_server):
    ready(page, "Your teams")
    open_screen(page, f"#/t/ridley-market/s/{MARKET}")
    for number in range(4, 9):
        page.get_by_role("link", name="Add a pitch").click()
        page.get_by_label("Pitch number or name").fill(f"Pitch {number}")
        choose(page, "Type of unit", "Kiosk")
        page.get_by_role("button", name="Add the pitch").click()
        expect(page.get_by_text(f"Pitch Pitch {number} added")).to_be_visible()
    search = page.get_by_label("Find a pitch")
    search.fill("pitch 7")
    rows = page.locator(".rows a.row")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Pitch 7")
    search.fill("nothing like it")
    expect(page.get_by_text("Nothing matches “nothing like it”.")).to_be_visible()
