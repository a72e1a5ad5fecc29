"""A member whose language is Bengali records, offline, a form with a cascading choice and an "other" answer.

The account's language is bn, so the phone speaks Bengali and shows the
form's Bengali words (its default English where a text is not translated);
the areas follow the county chosen; "Other" opens a box that must be filled;
the record syncs with values, never labels.
"""

import sqlite3

from playwright.sync_api import expect

from .conftest import log_in, wait_until_offline_ready
from .phone import axe_violations, open_screen, publish_form, snap

MEMBER = "carer@example.org"
FORM = {
    "id": "stall-place",
    "title": "Where the stall is",
    "default_language": "en",
    "translations": {"bn": {"title": "স্টলটি কোথায়"}},
    "fields": [
        {
            "name": "county",
            "type": "choice",
            "label": "County",
            "required": True,
            "choices": [{"value": "dhaka", "label": "Dhaka"}, {"value": "khulna", "label": "Khulna"}],
            "translations": {"bn": {"label": "জেলা", "choices": {"dhaka": "ঢাকা", "khulna": "খুলনা"}}},
        },
        {
            "name": "area",
            "type": "choice",
            "label": "Area",
            "hint": "The areas of the county chosen.",
            "required": True,
            "choice_filter": "county = ${county}",
            "or_other": True,
            "choices": [
                {"value": "gulshan", "label": "Gulshan", "columns": {"county": "dhaka"}},
                {"value": "mirpur", "label": "Mirpur", "columns": {"county": "dhaka"}},
                {"value": "sonadanga", "label": "Sonadanga", "columns": {"county": "khulna"}},
                {"value": "other", "label": "Other"},
            ],
            "translations": {
                "bn": {
                    "label": "এলাকা",
                    "choices": {"gulshan": "গুলশান", "mirpur": "মিরপুর", "sonadanga": "সোনাডাঙ্গা", "other": "অন্য"},
                }
            },
        },
    ],
}


def shown_options(page, name):
    """Return the labels of a question's options that are shown."""
    return page.locator(f'.q[data-field="{name}"] label.option:visible .option-text').all_inner_texts()


def test_a_bengali_member_records_a_cascading_choice_and_an_other_offline(context, field_server, screens):
    page = context.new_page()
    publish_form(field_server, "clapton-circle", FORM)
    log_in(page, MEMBER)
    # The member's account speaks Bengali (chosen on another phone, say): this one follows it.
    with sqlite3.connect(field_server.database) as database:
        database.execute("UPDATE users SET language = 'bn' WHERE email = ?", (MEMBER,))
    page.reload()
    wait_until_offline_ready(page)
    expect(page.locator("html")).to_have_attribute("lang", "bn", timeout=30_000)
    expect(page.get_by_role("link", name="স্টলটি কোথায়")).to_be_visible(timeout=30_000)

    page.context.set_offline(True)
    page.reload()
    open_screen(page, "#/t/clapton-circle/new/stall-place")
    expect(page.locator("#main h1")).to_have_text("স্টলটি কোথায়")
    county, area = page.locator('.q[data-field="county"]'), page.locator('.q[data-field="area"]')
    expect(county.locator(".q-label")).to_contain_text("জেলা")
    expect(area.locator(".hint")).to_have_text("The areas of the county chosen.")  # not translated: English
    assert shown_options(page, "area") == ["অন্য"]
    county.get_by_label("ঢাকা", exact=True).check()
    assert shown_options(page, "area") == ["গুলশান", "মিরপুর", "অন্য"]
    area.get_by_label("মিরপুর", exact=True).check()
    county.get_by_label("খুলনা", exact=True).check()
    # Mirpur is not in Khulna: the answer goes with the choice.
    assert shown_options(page, "area") == ["সোনাডাঙ্গা", "অন্য"]
    assert not area.get_by_label("সোনাডাঙ্গা", exact=True).is_checked()
    area.get_by_label("অন্য", exact=True).check()
    other = page.locator('.q-other input[name="area_other"]')
    expect(other).to_be_visible()
    page.locator("button.save").click()
    expect(page.locator(".q-other .error")).to_have_text("অন্যটি কী, তা লিখুন।")
    expect(page.locator("#summary-h")).to_have_text("একটি সমস্যা আছে")
    snap(page, screens, "choices-bn-other-missing")
    other.fill("রূপসা ঘাট")
    snap(page, screens, "choices-bn-form")
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    snap(page, screens, "choices-bn-form-320")
    page.set_viewport_size({"width": 390, "height": 844})
    assert axe_violations(page) == []
    page.locator("button.save").click()
    expect(page.get_by_text("এই ফোনে রাখা হয়েছে।")).to_be_visible()

    page.context.set_offline(False)
    open_screen(page, "#/sync")
    page.locator(".sync-now button").click()
    expect(page.locator(".sync-line")).not_to_contain_text("…", timeout=30_000)
    snap(page, screens, "choices-bn-synced")
    records = {id_: data for id_, (_, data) in field_server.documents().items() if "area" in data}
    assert list(records.values()) == [{"county": "khulna", "area": "other", "area_other": "রূপসা ঘাট"}]
    # The record's page says what was answered in the member's language, the other words with it.
    open_screen(page, f"#/t/clapton-circle/r/{next(iter(records))}")
    expect(page.locator("#main")).to_contain_text("অন্য – রূপসা ঘাট")
    expect(page.locator("#main")).to_contain_text("খুলনা")
    snap(page, screens, "choices-bn-record")
