"""The wellbeing page and a participant summary in Chromium, on a laptop and a phone.

A coordinator creates an evaluation team on the web, a phone pushes change
stories and workshop feedback, the coordinator records the panel's choice,
reads the wellbeing page, publishes a summary and opens its link logged out.
Every page is saved as a screenshot at 1280x900 and 390x844, checked with
axe-core and for sideways scrolling.
"""

import pytest
from playwright.sync_api import expect
from realserver import SyncClient
from team_stories import ANONYMOUS, NAMED, NAMES, TEXTS, TITLES, told

from .test_coordinator_pages import COORDINATOR, LAPTOP, PHONE, fits, open_as_coordinator, shot
from .test_stories_pages import create_evaluation_team

SLUG = "hackney-stories"


def test_wellbeing_and_summary_pages_in_chromium(browser, field_server, screens):
    found = {}
    page = open_as_coordinator(browser, field_server, LAPTOP, "/new-team")
    create_evaluation_team(page)
    phone_app = SyncClient(field_server.url)
    phone_app.login(COORDINATOR)
    for change in told():
        assert phone_app.push(SLUG, [change]).json()["results"][0]["status"] == "applied"
    page.goto(f"/teams/{SLUG}/stories?round=2026-Q4")
    choice = page.locator("form.panel-choice").filter(has_text="Health and wellbeing")
    choice.get_by_label(TITLES[ANONYMOUS]).check()
    choice.get_by_label("Why the panel chose it").fill("Eating together changed her week.")
    choice.get_by_role("button", name="Record the panel's choice").click()

    phone = open_as_coordinator(browser, field_server, PHONE, f"/teams/{SLUG}/wellbeing?period=all")
    for view, size in ((page, "laptop"), (phone, "phone")):
        view.goto(f"/teams/{SLUG}/wellbeing?period=all")
        expect(view.get_by_role("heading", name="Wellbeing over time", exact=True)).to_be_visible()
        shot(view, screens, f"wellbeing-{size}", found)
        assert fits(view), f"the wellbeing page scrolls sideways on a {size}"

    page.goto(f"/teams/{SLUG}/summaries")
    page.get_by_label("Title").fill("What came of our autumn")
    page.get_by_label("Change stories per domain").check()
    page.get_by_label("The change stories the panel chose", exact=False).check()
    page.get_by_label("Your words to the people who took part").fill("Thank you for telling us.")
    page.get_by_label("Period", exact=True).select_option("all")
    page.get_by_role("button", name="Publish the summary").click()
    link = page.get_by_label("The summary's link").input_value()
    shot(page, screens, "summaries-laptop", found)
    phone.goto(f"/teams/{SLUG}/summaries")
    shot(phone, screens, "summaries-phone", found)
    assert fits(page) and fits(phone)

    for viewport, size in ((LAPTOP, "laptop"), (PHONE, "phone")):
        context = browser.new_context(viewport=viewport, locale="en-GB")
        reader = context.new_page()
        reader.goto(link)
        expect(reader.get_by_role("heading", name="What came of our autumn")).to_be_visible()
        expect(reader.get_by_text(TEXTS[ANONYMOUS])).to_be_visible()
        expect(reader.get_by_text(NAMES[NAMED])).to_have_count(0)
        shot(reader, screens, f"summary-link-{size}", found)
        assert fits(reader), f"the summary scrolls sideways on a {size}"
    reader.emulate_media(media="print")
    expect(reader.get_by_role("navigation")).to_have_count(0)
    assert found == {}


@pytest.fixture(autouse=True)
def closed_contexts(browser):
    """Close the contexts a test opened."""
    yield
    for context in browser.contexts:
        context.close()
