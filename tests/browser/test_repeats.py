"""A household form with a section and a repeat, filled offline on a phone (390x844), synced, exported."""

import csv
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

from playwright.sync_api import expect
from realserver import REPO, server_environment

from .conftest import SERVE, log_in, sync_now
from .phone import camera_picture, open_screen, publish_form, save, saved_records, snap

FORM = json.loads((Path(__file__).resolve().parent.parent / "test_repeats_form.json").read_text())
FORM["fields"][2]["max_count"] = 3
HASH = "#/t/clapton-circle/new/household"


def item(page, number):
    """Return the number-th item (from 1) of the repeat."""
    return page.locator(".repeat-item").nth(number - 1)


def test_a_section_and_a_repeat_of_three_are_recorded_offline_synced_and_exported(
    page, context, browser, field_server, screens, tmp_path
):
    publish_form(field_server, "clapton-circle", FORM)
    assert sync_now(page)["state"] == "idle"
    context.set_offline(True)
    open_screen(page, HASH)

    home = page.locator("section.form-section", has_text="About the home")
    expect(home).to_be_hidden()  # its condition: a village is named
    page.get_by_label("Village").fill("Kaliganj")
    expect(home.get_by_role("heading", name="About the home")).to_be_visible()
    home.get_by_label("Rooms").fill("3")

    # min_count 1: one item to start with, which cannot be removed; max_count 3.
    expect(page.locator(".repeat-item")).to_have_count(1)
    expect(item(page, 1).get_by_role("button", name="Remove")).to_be_hidden()
    add = page.get_by_role("button", name="Add another: Household member")
    add.click()
    expect(page.locator(".repeat-item")).to_have_count(2)
    snap(page, screens, "repeat-phone-adding")
    add.click()
    expect(page.locator(".repeat-item")).to_have_count(3)
    expect(add).to_be_hidden()
    expect(item(page, 3).get_by_role("heading")).to_have_text("Household member 3")

    for number, (name, age) in enumerate([("Ada", "34"), ("Bo", "3"), ("Cy", "200")], 1):
        item(page, number).get_by_label("Name").fill(name)
        item(page, number).get_by_label("How old is").fill(age)
    # ${member_name} in a label reads the item's own answer.
    expect(item(page, 2).locator(".q-label", has_text="How old is Bo?")).to_be_visible()
    # The children's section of an item follows that item's age.
    expect(item(page, 1).locator("section.form-section")).to_be_hidden()
    expect(item(page, 2).locator("section.form-section")).to_be_visible()
    item(page, 2).get_by_role("group", name="At nursery?").get_by_label("Yes", exact=True).check()
    item(page, 1).locator("input[type=file]").set_input_files(camera_picture(page, 800, 600))
    expect(item(page, 1).locator(".q-photo")).to_contain_text("Photo kept on this phone")
    expect(page.locator(".q-calculate").filter(has_text="People").locator("output")).to_have_text("3")

    save(page)
    # The refused age is shown on the item's question, with the form's message.
    expect(item(page, 3).get_by_text("An age is 120 or less.")).to_be_visible()
    expect(page.get_by_text("Household member 3: How old is Cy?")).to_be_visible()
    snap(page, screens, "repeat-phone-errors")
    item(page, 3).get_by_label("How old is").fill("70")
    snap(page, screens, "repeat-phone-390")
    page.set_viewport_size({"width": 320, "height": 700})
    snap(page, screens, "repeat-phone-320")
    page.set_viewport_size({"width": 1280, "height": 900})
    snap(page, screens, "repeat-phone-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    save(page)
    expect(page.get_by_text("Saved on this phone")).to_be_visible()

    record = saved_records(page, "household")[-1]
    photo = record["data"]["members"][0].pop("face")
    assert photo["content_type"] == "image/jpeg" and len(photo["sha256"]) == 64
    assert record["data"] == {
        "village": "Kaliganj",
        "rooms": 3,
        "members": [
            {"member_name": "Ada", "age": 34, "age_next": "35"},
            {"member_name": "Bo", "age": 3, "school": True, "age_next": "4"},
            {"member_name": "Cy", "age": 70, "age_next": "71"},
        ],
        "people": "3",
    }

    context.set_offline(False)
    assert sync_now(page)["waiting"] == 0
    rev, data = field_server.documents()[record["id"]]
    assert rev == 1 and data["members"][0]["face"] == photo and data["members"][2]["age"] == 70

    out = tmp_path / "team.zip"
    done = subprocess.run(
        [sys.executable, "-c", SERVE, "export", "clapton-circle", str(out)],
        env=server_environment(field_server.instance),
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    archive = zipfile.ZipFile(out)
    items = list(csv.DictReader(io.StringIO(archive.read("household__members.csv").decode("utf-8-sig"))))
    assert [(i["record_id"], i["item_index"], i["member_name"], i["age"]) for i in items] == [
        (record["id"], "1", "Ada", "34"),
        (record["id"], "2", "Bo", "3"),
        (record["id"], "3", "Cy", "70"),
    ]
    assert items[0]["face_file"] in archive.namelist()

    # The coordinator reads the items on the record's page, and sees the form's draft nested.
    web = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=field_server.url)
    desk = log_in(
        web.new_page(), "coord@example.org", next_path=f"/teams/clapton-circle/records/{record['id']}"
    )
    expect(desk.get_by_text("Household member 3: How old is Cy?")).to_be_visible()
    screens(desk, "repeat-record-1280")
    desk.goto("/teams/clapton-circle/forms/household")
    desk.get_by_role("button", name="Edit this form").click()
    expect(desk.get_by_role("heading", name="Repeat: Household member")).to_be_visible()
    screens(desk, "repeat-draft-1280")
    desk.set_viewport_size({"width": 390, "height": 844})
    screens(desk, "repeat-draft-390")
    web.close()
