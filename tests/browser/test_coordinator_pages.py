"""The form editor, its preview and the dashboards in Chromium, on a laptop and on a phone.

A coordinator changes home-visit through the editor, previews it (the
phone's own renderer and checks) and publishes it; phones push records; the
dashboards draw them. Every page is saved as a screenshot at 1280x900 and
390x844 and checked with axe-core.
"""

import dashboard_data as data
import pytest
from playwright.sync_api import expect
from realserver import SyncClient

from fvfield.questionnaires import load_template

from .conftest import log_in
from .phone import axe_violations, publish_form

LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
COORDINATOR = "coord@example.org"


def open_as_coordinator(browser, field_server, viewport, path):
    """Return a page of a fresh browser context of the coordinator, on `path`."""
    context = browser.new_context(
        viewport=viewport, base_url=field_server.url, locale="en-GB", timezone_id="Europe/London"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, COORDINATOR, next_path=path)
    return page


def shot(page, screens, name, found):
    """Save a full-page screenshot and keep the page's serious axe violations, if any."""
    screens(page, name)
    violations = axe_violations(page)
    if violations:
        found[name] = violations


def fits(page):
    """Return whether the page fits its width (nothing to scroll sideways)."""
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def edit_home_visit(page, screens, found):
    """Add a task to home-visit and remove its notes question, through the editor; shoot its pages."""
    page.goto("/teams/clapton-circle/forms")
    shot(page, screens, "editor-forms-laptop", found)
    page.get_by_role("link", name="Home visit").click()
    page.get_by_role("button", name="Edit this form").click()
    expect(page.get_by_role("heading", name="Editing: Home visit")).to_be_visible()
    page.get_by_role("link", name="Edit question 3").click()
    expect(page.get_by_role("group", name="Choices")).to_be_visible()
    expect(page.get_by_role("group", name="For a number or a scale")).to_be_hidden()
    page.get_by_label("Type of answer").select_option("scale")
    expect(page.get_by_role("group", name="For a number or a scale")).to_be_visible()
    page.get_by_label("Type of answer").select_option("multiple_choice")
    page.get_by_label("Label of choice 9", exact=True).fill("Laundry")
    shot(page, screens, "editor-question-laptop", found)
    page.get_by_role("button", name="Save the question").click()
    expect(page.get_by_text("Saved the question 'What was done'.")).to_be_visible()
    page.get_by_role("button", name="Remove question 10").click()
    expect(page.get_by_role("heading", name="Remove the question 'Notes'?")).to_be_visible()
    shot(page, screens, "confirm-remove-question", found)
    page.get_by_role("button", name="Yes, remove the question").click()
    expect(page.get_by_text("Removed 'Notes'.")).to_be_visible()
    expect(page.get_by_text("Added choice 'Laundry' to 'What was done'")).to_be_visible()
    shot(page, screens, "editor-draft-laptop", found)


def check_preview(page, screens, found, name):
    """Open the draft's preview; check the phone's renderer drew it and its checks run."""
    page.get_by_role("link", name="Preview as on a phone").click()
    definition = load_template("home-visit")
    questions = page.locator(".questions > .q")
    expect(questions).to_have_count(len(definition["fields"]) - 1)
    expect(page.get_by_role("group", name="What was done")).to_contain_text("Laundry")
    expect(page.get_by_label("What happened")).to_be_hidden()
    page.get_by_role("group", name="Anything to raise?").get_by_text("Yes", exact=True).click()
    expect(page.get_by_label("What happened (required)")).to_be_visible()
    page.get_by_role("button", name="Save on this phone").click()
    expect(page.get_by_role("heading", name="There are problems")).to_be_visible()
    shot(page, screens, name, found)
    assert fits(page)


def test_coordinator_pages_in_chromium(browser, field_server, screens):
    found = {}
    page = open_as_coordinator(browser, field_server, LAPTOP, "/teams/clapton-circle/forms")
    edit_home_visit(page, screens, found)
    check_preview(page, screens, found, "editor-preview-laptop")
    page.get_by_role("link", name="Back to the draft").click()

    phone = open_as_coordinator(browser, field_server, PHONE, "/teams/clapton-circle/forms/home-visit/draft")
    shot(phone, screens, "editor-draft-phone", found)
    assert fits(phone)
    check_preview(phone, screens, found, "editor-preview-phone")
    phone.goto("/teams/clapton-circle/forms/home-visit/draft/questions/rating")
    shot(phone, screens, "editor-question-phone", found)
    assert fits(phone)

    page.get_by_role("button", name="Publish as version 2").click()
    expect(page.get_by_text("Published version 2 of 'Home visit'.")).to_be_visible()
    shot(page, screens, "editor-versions-laptop", found)
    publish_form(field_server, "ridley-market", data.footfall_v2(load_template("footfall-count")))

    carer = SyncClient(field_server.url)
    carer.login(COORDINATOR)
    for slug, changes in (
        ("clapton-circle", data.care_circle_changes()),
        ("ridley-market", data.market_changes()),
    ):
        for change in changes:
            answer = carer.push(slug, [change])
            assert answer.json()["results"][0]["status"] == "applied", answer.text

    for slug, charts in (("clapton-circle", 6), ("ridley-market", 4)):
        for _viewport, size in ((LAPTOP, "laptop"), (PHONE, "phone")):
            view = page if size == "laptop" else phone
            view.goto(f"/teams/{slug}/dashboard?period=all")
            expect(view.locator("svg[role=img]")).to_have_count(charts)
            expect(view.get_by_text("Nothing recorded for this chart yet.")).to_have_count(0)
            shot(view, screens, f"dashboard-{slug}-{size}", found)
            assert fits(view), f"{slug} on a {size} scrolls sideways"
    assert found == {}


@pytest.fixture(autouse=True)
def closed_contexts(browser):
    """Close the contexts a test opened."""
    yield
    for context in browser.contexts:
        context.close()
