"""The account pages in Chromium on a laptop and on a phone: logging in, the password, the logins, a reset link.

Each page is saved as a screenshot at 1280x900, 390x844 and 320 wide and
checked with axe-core (issue 12: the sessions page; issue 11: the reset link).
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect
from realserver import REPO, server_environment

from .conftest import log_in
from .phone import axe_violations

VIEWPORTS = {
    "laptop": {"width": 1280, "height": 900},
    "phone": {"width": 390, "height": 844},
    "narrow": {"width": 320, "height": 640},
}
MEMBER = "member@example.org"


def new_context(browser, field_server, viewport, agent=None):
    """Return a page of a fresh browser context at `viewport`."""
    context = browser.new_context(
        viewport=viewport,
        base_url=field_server.url,
        locale="en-GB",
        timezone_id="Europe/London",
        **({"user_agent": agent} if agent else {}),
    )
    context.set_default_timeout(15_000)
    return context.new_page()


def check(page, screens, name, found):
    """Shoot the page, keep its serious axe violations, and say whether it scrolls sideways."""
    screens(page, name)
    violations = axe_violations(page)
    if violations:
        found[name] = violations
    if not page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"):
        found[name + "-width"] = "scrolls sideways"


def reset_link(field_server, email):
    """Return a one-time password link made by `fvfield reset-password`, as an operator would."""
    done = subprocess.run(
        [str(Path(sys.executable).parent / "fvfield"), "reset-password", email, "--url", field_server.url],
        env=server_environment(field_server.instance),
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return re.search(r"(http\S+/reset/\S+)", done.stdout).group(1)


@pytest.mark.parametrize("size", VIEWPORTS)
def test_account_pages_read_well_and_pass_axe(browser, field_server, screens, size):
    found = {}
    viewport = VIEWPORTS[size]
    other = new_context(browser, field_server, viewport, agent="Mozilla/5.0 (Linux; Android 14) Chrome/131.0")
    log_in(other, MEMBER, next_path="/sessions")

    page = new_context(browser, field_server, viewport)
    page.goto("/login")
    check(page, screens, f"account-login-{size}", found)
    log_in(page, MEMBER, next_path="/sessions")
    expect(page.get_by_text("Chrome on Android")).to_be_visible()
    check(page, screens, f"account-sessions-{size}", found)
    page.goto("/password")
    expect(page.get_by_role("button", name="Log out everywhere")).to_be_visible()
    check(page, screens, f"account-password-{size}", found)

    link = reset_link(field_server, MEMBER)
    page.goto(link)
    check(page, screens, f"account-reset-{size}", found)
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("New password again").fill("short")
    page.get_by_role("button", name=re.compile("password", re.I)).click()
    check(page, screens, f"account-reset-error-{size}", found)
    new = "a long new password for Mo"
    page.get_by_label("New password", exact=True).fill(new)
    page.get_by_label("New password again").fill(new)
    page.get_by_role("button", name=re.compile("password", re.I)).click()
    expect(page.get_by_text("you are logged out everywhere")).to_be_visible()

    # The other browser's login ended with the reset, and the link works once.
    other.goto("/sessions")
    expect(other).to_have_url(re.compile(r"/login"))
    page.goto(link)
    check(page, screens, f"account-reset-used-{size}", found)
    assert found == {}


@pytest.fixture(autouse=True)
def closed_contexts(browser):
    """Close the contexts a test opened."""
    yield
    for context in browser.contexts:
        context.close()
