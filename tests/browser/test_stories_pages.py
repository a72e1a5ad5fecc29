"""The change stories page, the panel's choice and the printable page in Chromium, on a laptop and a phone.

A coordinator creates an evaluation team on the web, a phone pushes four
stories, the coordinator records the panel's choice and opens the page to
print. Every page is saved as a screenshot at 1280x900 and 390x844, checked
with axe-core and for sideways scrolling.
"""

import pytest
from playwright.sync_api import expect
from realserver import SyncClient
from team_stories import ANONYMOUS, NAMED, NAMES, TITLES, told

from .test_coordinator_pages import COORDINATOR, LAPTOP, PHONE, fits, open_as_coordinator, shot


def create_evaluation_team(page):
    """Create the evaluation team hackney-stories through the new-team page."""
    page.goto("/new-team")
    page.get_by_label("Team name").fill("Hackney Stories")
    page.get_by_label("Web address").fill("hackney-stories")
    page.get_by_label("Evaluation", exact=False).first.check()
    page.get_by_role("button", name="Create").click()
    page.wait_for_url("**/subjects")


def test_stories_pages_in_chromium(browser, field_server, screens):
    found = {}
    page = open_as_coordinator(browser, field_server, LAPTOP, "/new-team")
    create_evaluation_team(page)
    slug = "hackney-stories"
    phone_app = SyncClient(field_server.url)
    phone_app.login(COORDINATOR)
    for change in told():
        answer = phone_app.push(slug, [change])
        assert answer.json()["results"][0]["status"] == "applied", answer.text

    page.goto(f"/teams/{slug}/stories?round=2026-Q4")
    expect(page.get_by_role("heading", name=TITLES[NAMED]).first).to_be_visible()
    shot(page, screens, "stories-laptop", found)
    assert fits(page)
    choice = page.locator("form.panel-choice").filter(has_text="Health and wellbeing")
    choice.get_by_label(TITLES[ANONYMOUS]).check()
    choice.get_by_label("Why the panel chose it").fill("Eating together changed her week.")
    choice.get_by_role("button", name="Record the panel's choice").click()
    expect(page.get_by_text("The panel's choice is recorded, with its reasons.")).to_be_visible()
    expect(page.locator("#chosen").get_by_text("Eating together changed her week.")).to_be_visible()
    shot(page, screens, "stories-chosen-laptop", found)

    phone = open_as_coordinator(browser, field_server, PHONE, f"/teams/{slug}/stories?round=2026-Q4")
    shot(phone, screens, "stories-phone", found)
    assert fits(phone), "the stories page scrolls sideways on a phone"
    # A choice without its reasons is refused, with the problem said.
    choice = phone.locator("form.panel-choice").filter(has_text="Relationships")
    choice.get_by_role("radio").first.check()
    choice.get_by_role("button", name="Record the panel's choice").click()
    expect(phone.get_by_role("heading", name="There is a problem")).to_be_visible()
    shot(phone, screens, "stories-refused-phone", found)
    assert fits(phone)

    for view, size in ((page, "laptop"), (phone, "phone")):
        view.goto(f"/teams/{slug}/stories/chosen?round=2026-Q4")
        expect(view.get_by_role("heading", name=TITLES[ANONYMOUS])).to_be_visible()
        expect(view.get_by_text(NAMES[NAMED])).to_have_count(0)
        shot(view, screens, f"stories-printable-{size}", found)
        assert fits(view)
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation")).to_have_count(0)
    assert found == {}


@pytest.fixture(autouse=True)
def closed_contexts(browser):
    """Close the contexts a test opened."""
    yield
    for context in browser.contexts:
        context.close()
