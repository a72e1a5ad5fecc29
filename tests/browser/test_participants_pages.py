"""An evaluation team's participants in Chromium: added on the web, listed on the phone, archived after asking.

A coordinator creates an evaluation team, adds a participant (a pseudonym
and a group, no care questions), sees them in the phone's list, and archives
them through the confirmation page, going back once first. Screenshots at
1280x900, 390x844 and 320 wide, checked with axe-core and for sideways
scrolling.
"""

from playwright.sync_api import expect

from .conftest import wait_until_offline_ready
from .test_coordinator_pages import LAPTOP, PHONE, fits, open_as_coordinator, shot
from .test_stories_pages import create_evaluation_team

NARROW = {"width": 320, "height": 640}
SLUG = "hackney-stories"


def test_participants_on_the_web_and_the_phone(browser, field_server, screens):
    found = {}
    page = open_as_coordinator(browser, field_server, LAPTOP, "/new-team")
    create_evaluation_team(page)
    expect(page.get_by_role("heading", name="Participants", exact=True, level=1)).to_be_visible()
    menu = page.get_by_role("navigation", name="Hackney Stories")
    expect(menu.get_by_role("link", name="Participants")).to_have_attribute("aria-current", "page")
    page.get_by_role("link", name="Add a participant").click()
    expect(page.get_by_label("What's important to them")).to_have_count(0)
    page.get_by_label("Name or pseudonym").fill("Robin")
    page.get_by_label("Group").fill("Tuesday walkers")
    shot(page, screens, "participant-add-laptop", found)
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_text("Saved. Phones get it at their next sync.")).to_be_visible()
    page.get_by_role("link", name="‹ Participants").click()
    expect(page.get_by_role("cell", name="Tuesday walkers")).to_be_visible()
    shot(page, screens, "participants-laptop", found)

    for size, viewport in (("phone", PHONE), ("narrow", NARROW)):
        small = open_as_coordinator(browser, field_server, viewport, f"/teams/{SLUG}/subjects")
        expect(small.get_by_role("link", name="Robin")).to_be_visible()
        shot(small, screens, f"participants-{size}", found)
        assert fits(small), f"the participants page scrolls sideways at {size}"

    # The phone lists the team's participants.
    phone = open_as_coordinator(browser, field_server, PHONE, "/app/")
    wait_until_offline_ready(phone)
    phone.goto(f"/app/#/t/{SLUG}")
    expect(phone.get_by_role("heading", name="Participants", level=2)).to_be_visible()
    expect(phone.get_by_role("link", name="Robin")).to_be_visible()
    shot(phone, screens, "participants-field-app-phone", found)

    # Archiving asks first; going back changes nothing; confirming archives.
    page.get_by_role("link", name="Robin").click()
    page.get_by_role("button", name="Archive").click()
    expect(page.get_by_role("heading", name="Archive Robin?")).to_be_visible()
    shot(page, screens, "confirm-archive-laptop", found)
    page.get_by_role("link", name="No, go back").click()
    expect(page.get_by_role("button", name="Archive")).to_be_visible()
    page.set_viewport_size(PHONE)
    page.get_by_role("button", name="Archive").click()
    expect(page.get_by_role("heading", name="Archive Robin?")).to_be_visible()
    shot(page, screens, "confirm-archive-phone", found)
    assert fits(page), "the confirmation page scrolls sideways on a phone"
    page.get_by_role("button", name="Yes, archive Robin").click()
    expect(page.get_by_text("Robin is archived.")).to_be_visible()
    assert found == {}, found
