"""The coordinator pages' error summary, confirmations and team menu in Chromium (issue 16).

At 1280x900, 390x844 and 320 wide: a new form refused with its summary
focused, the confirmation before removing a member and before discarding a
draft, and the team's menu with its name on the members page. Screenshots
are saved and checked with axe-core.
"""

import re

import pytest
from playwright.sync_api import expect

from .conftest import log_in
from .phone import axe_violations

VIEWPORTS = {
    "laptop": {"width": 1280, "height": 900},
    "phone": {"width": 390, "height": 844},
    "narrow": {"width": 320, "height": 640},
}


def check(page, screens, name, found):
    """Shoot the page, keep its serious axe violations and whether it scrolls sideways."""
    screens(page, name)
    violations = axe_violations(page)
    if violations:
        found[name] = violations
    if not page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"):
        found[name + "-width"] = "scrolls sideways"


@pytest.mark.parametrize("size", VIEWPORTS)
def test_summary_confirmations_and_the_team_menu(browser, field_server, screens, size):
    context = browser.new_context(viewport=VIEWPORTS[size], base_url=field_server.url, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    found = {}
    log_in(page, "coord@example.org", next_path="/teams/clapton-circle")
    menu = page.get_by_role("navigation", name="Clapton Circle")
    expect(menu.get_by_role("link", name="Members")).to_have_attribute("aria-current", "page")
    check(page, screens, f"steps-members-{size}", found)

    page.get_by_role("button", name="Remove Mo Member from team").click()
    expect(page.get_by_role("heading", name="Remove Mo Member from Clapton Circle?")).to_be_visible()
    check(page, screens, f"steps-remove-confirm-{size}", found)
    page.get_by_role("link", name="No, go back").click()
    expect(page.get_by_text("Mo Member").first).to_be_visible()

    page.goto("/teams/clapton-circle/forms/new")
    page.get_by_role("button", name="Start the draft").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: New form"))
    check(page, screens, f"steps-error-summary-{size}", found)
    summary.get_by_role("link").first.click()
    expect(page.locator("#title")).to_be_focused()

    page.goto("/teams/clapton-circle/forms/home-visit")
    page.get_by_role("button", name="Edit this form").click()
    page.get_by_role("button", name="Discard this draft").click()
    expect(page.get_by_role("heading", name="Discard the draft of 'Home visit'?")).to_be_visible()
    check(page, screens, f"steps-discard-confirm-{size}", found)
    page.get_by_role("button", name="Yes, discard the draft").click()
    expect(page.get_by_text("Discarded the draft.")).to_be_visible()
    assert found == {}
    context.close()
