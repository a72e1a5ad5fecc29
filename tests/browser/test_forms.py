"""The form renderer in Chromium: every field type, show_if, checks and drafts.

Forms come from the server as a phone gets them (published, then pulled);
answers are read from the phone's records store and, after a sync, from the
server's database, which validates them against the same definition.
"""

import pytest
from playwright.sync_api import expect

from .conftest import ADA, MARKET, sync_now
from .phone import (
    camera_picture,
    choose,
    drafts,
    open_screen,
    publish_form,
    question,
    save,
    saved_records,
    snap,
    wait_for,
)

EVERY_FIELD = {
    "id": "every-field",
    "title": "Every field",
    "subject_kind": None,
    "fields": [
        {"name": "intro", "type": "note", "label": "A note to read before the questions."},
        {"name": "name", "type": "text", "label": "Name", "max_length": 20, "hint": "First name only."},
        {"name": "story", "type": "textarea", "label": "Story"},
        {"name": "count", "type": "integer", "label": "How many", "min": 0, "max": 10},
        {"name": "price", "type": "decimal", "label": "Price", "min": 0},
        {"name": "day", "type": "date", "label": "Day"},
        {"name": "at", "type": "time", "label": "At"},
        {"name": "when", "type": "datetime", "label": "When exactly"},
        {"name": "ok", "type": "boolean", "label": "All well"},
        {
            "name": "colour",
            "type": "choice",
            "label": "Colour",
            "choices": [{"value": "red", "label": "Red"}, {"value": "green", "label": "Green"}],
        },
        {
            "name": "fruits",
            "type": "multiple_choice",
            "label": "Fruits",
            "choices": [
                {"value": "apple", "label": "Apple"},
                {"value": "pear", "label": "Pear"},
                {"value": "plum", "label": "Plum"},
            ],
        },
        {
            "name": "mood",
            "type": "scale",
            "label": "Mood",
            "min": 0,
            "max": 10,
            "labels": {"0": "Awful", "10": "Great"},
        },
        {"name": "stars", "type": "scale", "label": "Stars", "min": 1, "max": 5},
        {"name": "people", "type": "counter", "label": "People"},
        {"name": "place", "type": "geopoint", "label": "Place"},
        {"name": "picture", "type": "photo", "label": "Picture"},
        {
            "name": "follow_up",
            "type": "choice",
            "label": "Follow up",
            "required": True,
            "show_if": {"field": "ok", "equals": False},
            "choices": [{"value": "call", "label": "Call"}, {"value": "visit", "label": "Visit"}],
        },
        {
            "name": "visit_day",
            "type": "date",
            "label": "Date of the visit",
            "required": True,
            "show_if": {"field": "follow_up", "equals": "visit"},
        },
        {
            "name": "fruit_note",
            "type": "text",
            "label": "About the plums",
            "show_if": {"field": "fruits", "in": ["plum"]},
        },
    ],
}
EVERY_FIELD_HASH = "#/t/clapton-circle/new/every-field"
VISIT_HASH = f"#/t/clapton-circle/s/{ADA}/new/home-visit"


@pytest.fixture
def every_field(page, field_server):
    """The phone with the 'Every field' form of clapton-circle, open."""
    publish_form(field_server, "clapton-circle", EVERY_FIELD)
    assert sync_now(page)["state"] == "idle"
    open_screen(page, EVERY_FIELD_HASH)
    return page


def last_saved(page, form):
    """Return the latest record of a form on the phone (it stays after a sync)."""
    return saved_records(page, form)[-1]


def test_form_every_field_type_gives_its_json_answer(every_field, context, field_server, screens):
    page = every_field
    expect(page.get_by_text("A note to read before the questions.")).to_be_visible()
    page.get_by_label("Name").fill("Mo")
    expect(page.get_by_label("Name")).to_have_attribute("maxlength", "20")
    page.get_by_label("Story").fill("Line one\nLine two")
    page.get_by_label("How many").fill("7")
    page.get_by_label("Price").fill("2.5")
    page.get_by_label("Day").fill("2026-11-25")
    page.get_by_label("At", exact=True).fill("09:30")
    # Summer time in London: the answer carries the offset of that moment.
    page.get_by_label("When exactly").fill("2026-07-01T10:00")
    choose(page, "All well", "Yes")
    choose(page, "Colour", "Green")
    choose(page, "Fruits", "Apple")
    choose(page, "Fruits", "Plum")
    question(page, "Mood").get_by_label("7", exact=True).check()
    question(page, "Stars").get_by_label("4", exact=True).check()
    for _ in range(3):
        page.get_by_role("button", name="Add one: People").click()
    page.get_by_role("button", name="Take one off: People").click()
    context.grant_permissions(["geolocation"])
    context.set_geolocation({"latitude": 51.546512, "longitude": -0.075543, "accuracy": 12})
    page.get_by_role("button", name="Get position").click()
    expect(question(page, "Place")).to_contain_text("accurate to 12 m")
    page.get_by_label("About the plums").fill("Ripe")
    page.locator("input[type=file]").set_input_files(camera_picture(page))
    expect(question(page, "Picture")).to_contain_text("Photo kept on this phone")
    expect(question(page, "Picture").locator("img")).to_be_visible()
    snap(page, screens, "form-every-field")
    save(page)
    expect(page.get_by_text("Saved on this phone")).to_be_visible()

    change = last_saved(page, "every-field")
    photo = change["data"].pop("picture")
    assert change["data"] == {
        "name": "Mo",
        "story": "Line one\nLine two",
        "count": 7,
        "price": 2.5,
        "day": "2026-11-25",
        "at": "09:30",
        "when": "2026-07-01T10:00:00+01:00",
        "ok": True,
        "colour": "green",
        "fruits": ["apple", "plum"],
        "mood": 7,
        "stars": 4,
        "people": 2,
        "place": {"lat": 51.546512, "lon": -0.075543, "accuracy": 12},
        "fruit_note": "Ripe",
    }
    assert set(photo) == {"sha256", "content_type", "size"}
    assert photo["content_type"] == "image/jpeg" and len(photo["sha256"]) == 64
    assert (change["form"], change["form_version"], change["subject_id"]) == ("every-field", 1, None)

    assert sync_now(page)["waiting"] == 0
    rev, data = field_server.documents()[change["id"]]
    assert rev == 1 and data["picture"] == photo and data["when"] == "2026-07-01T10:00:00+01:00"


def test_form_scales_are_rows_of_big_buttons_with_their_end_labels(every_field):
    page = every_field
    mood = question(page, "Mood")
    expect(mood.locator("input[type=radio]")).to_have_count(11)
    expect(mood.locator(".scale-ends")).to_contain_text("Awful")
    expect(mood.locator(".scale-ends")).to_contain_text("Great")
    expect(mood.get_by_label("0, Awful")).to_have_count(1)
    for option in mood.locator(".option").all() + question(page, "Stars").locator(".option").all():
        box = option.bounding_box()
        assert box["height"] >= 48 and box["width"] >= 48
    for button in page.locator(".count-step").all():
        box = button.bounding_box()
        assert box["height"] >= 64 and box["width"] >= 64


def test_form_short_scales_with_words_for_every_point_show_them_in_the_buttons(page):
    open_screen(page, VISIT_HASH)
    rating = question(page, "How are they today?")
    expect(rating.locator(".scale-word")).to_have_text(["Very low", "Low", "OK", "Good", "Very good"])
    rating.get_by_label("5, Very good", exact=True).check()
    expect(rating.get_by_label("5, Very good", exact=True)).to_be_checked()
    for option in rating.locator(".option").all():
        assert option.bounding_box()["height"] >= 48


def test_form_show_if_hides_and_shows_live_and_hidden_answers_are_not_sent(every_field):
    page = every_field
    expect(question(page, "Follow up")).to_be_hidden()
    choose(page, "All well", "No")
    expect(question(page, "Follow up")).to_be_visible()
    choose(page, "Follow up", "Visit")
    page.get_by_label("Date of the visit").fill("2026-12-01")
    # A chain: hiding "Follow up" hides what hangs on it.
    choose(page, "All well", "Yes")
    expect(question(page, "Follow up")).to_be_hidden()
    expect(question(page, "Date of the visit")).to_be_hidden()
    choose(page, "Fruits", "Plum")
    page.get_by_label("About the plums").fill("Sour")
    choose(page, "Fruits", "Pear")
    page.get_by_label("Plum", exact=True).uncheck()
    expect(question(page, "About the plums")).to_be_hidden()
    save(page)
    expect(page.get_by_text("Saved on this phone")).to_be_visible()
    data = last_saved(page, "every-field")["data"]
    assert data == {"ok": True, "fruits": ["pear"], "people": 0}


def test_form_required_applies_only_when_shown(page, screens):
    open_screen(page, VISIT_HASH)
    save(page)
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Time in")
    expect(summary).to_contain_text("Anything to raise?")
    expect(summary).not_to_contain_text("What happened")
    expect(question(page, "Time in").locator(".error")).to_have_text("Answer this question.")
    expect(page.get_by_label("Time in")).to_have_attribute("aria-invalid", "true")
    snap(page, screens, "form-home-visit-errors")

    choose(page, "Anything to raise?", "Yes")
    expect(question(page, "What happened")).to_be_visible()
    expect(question(page, "What happened")).to_have_class("q q-textarea raised")
    save(page)
    expect(summary).to_contain_text("What happened")
    expect(summary).to_contain_text("How urgent is it?")
    summary.get_by_role("link", name="What happened").click()
    expect(page.get_by_label("What happened")).to_be_focused()
    assert saved_records(page, "home-visit") == []


@pytest.mark.parametrize(
    "label, typed, message",
    [
        ("How many", "seven", "Enter a whole number"),
        ("How many", "11", "Enter a number from 0 to 10."),
        ("How many", "2.5", "Enter a whole number"),
        ("Price", "-1", "Enter 0 or more."),
        ("Price", "£2", "Enter a number"),
    ],
)
def test_form_checks_show_their_message_next_to_the_field(every_field, label, typed, message):
    page = every_field
    page.get_by_label(label).fill(typed)
    save(page)
    expect(question(page, label).locator(".error")).to_contain_text(message)
    expect(page.locator(".error-summary")).to_contain_text(f"{label}: {message}")
    assert saved_records(page, "every-field") == []


def test_form_draft_survives_a_reload_and_a_closed_page(page, context):
    open_screen(page, VISIT_HASH)
    page.get_by_label("Time in").fill("09:30")
    choose(page, "What was done", "Meal")
    choose(page, "Medicines", "Declined")
    page.get_by_label("Reason declined").fill("Said she had taken them already")
    page.get_by_label("How they are, in their own words").fill("Tired but happy")
    wait_for(page, lambda: any(d["answers"].get("own_words") == "Tired but happy" for d in drafts(page)))

    context.set_offline(True)
    page.reload()
    expect(page.get_by_label("Time in")).to_have_value("09:30")
    expect(page.get_by_text("Restored what you typed")).to_be_visible()
    page.close()

    again = context.new_page()
    again.goto(f"/app/{VISIT_HASH}")
    expect(again.get_by_label("Time in")).to_have_value("09:30")
    expect(question(again, "What was done").get_by_label("Meal")).to_be_checked()
    expect(question(again, "Medicines").get_by_label("Declined")).to_be_checked()
    expect(again.get_by_label("Reason declined")).to_have_value("Said she had taken them already")
    expect(again.get_by_label("How they are, in their own words")).to_have_value("Tired but happy")

    choose(again, "Anything to raise?", "No")
    save(again)
    expect(again.get_by_text("Saved on this phone")).to_be_visible()
    assert drafts(again) == []
    open_screen(again, VISIT_HASH)
    expect(again.get_by_label("Time in")).to_have_value("")


def test_form_footfall_counts_with_big_counters_and_a_timer(page, screens):
    open_screen(page, f"#/t/ridley-market/s/{MARKET}/new/footfall-count")
    page.get_by_role("button", name="Start the count").click()
    expect(page.get_by_role("timer")).to_be_visible()
    expect(page.get_by_label("Count started")).not_to_have_value("")
    for _ in range(5):
        page.get_by_role("button", name="Add one: People walking north").click()
    for _ in range(2):
        page.get_by_role("button", name="Add one: People walking south").click()
    page.get_by_role("button", name="Take one off: People walking north").click()
    page.get_by_role("button", name="Stop").click()
    expect(page.get_by_label("Length of the count (minutes)")).to_have_value("1")
    snap(page, screens, "form-footfall-count")
    save(page)
    expect(page.get_by_text("Saved on this phone")).to_be_visible()
    data = last_saved(page, "footfall-count")["data"]
    assert (data["count_north"], data["count_south"], data["minutes"]) == (4, 2, 1)
    assert data["interval_start"].endswith("+00:00")


def test_a_form_published_while_the_team_screen_is_open_appears_at_the_next_sync(page, field_server):
    open_screen(page, "#/t/clapton-circle")
    link = page.get_by_role("link", name="Every field")
    expect(link).to_have_count(0)
    publish_form(field_server, "clapton-circle", EVERY_FIELD)
    assert sync_now(page)["state"] == "idle"
    # The same screen, not reopened: the sync refreshed its forms with its people.
    expect(page.locator("#main h1")).to_have_text("Clapton Circle")
    expect(link).to_be_visible()
    link.click()
    expect(page.locator("#main h1")).to_have_text("Every field")
