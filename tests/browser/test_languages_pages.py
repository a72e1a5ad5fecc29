"""The field app's screens in the pseudo-language, and coordinator pages in Bengali and Urdu (issue 15).

One walk through the phone's screens with the server offering the test
pseudo-language (every catalogue string accented): any plain English word
left on a screen is a string the field app shows without t(). Then a
coordinator's team page and records page in bn and ur, at 390 and 320 px
wide: screenshots, no serious axe-core violation, no sideways scroll.
"""

import re

import pytest
from playwright.sync_api import expect

from fvfield import catalogue, i18n

from .conftest import ADA, PASSWORD, wait_until_offline_ready
from .phone import axe_violations, open_screen, phone_context

# The seeded instance's own data (names, teams, a person's details) and the product's name.
DATA_WORDS = {
    "fvfield",
    "Cai",
    "Carer",
    "Ada",
    "Brown",
    "Clapton",
    "Circle",
    "Her",
    "cat",
    "Biscuit",
    "and",
    "the",
    "radio",
    "morning",
    "Diabetic",
    "check",
    "she",
    "has",
    "eaten",
    "Key",
    "safe",
    "code",
    "from",
    "coordinator",
    "English",
    "Daughter",
    "Jo",
}
SCREEN_WORDS = """() => {
  const spoken = [...document.querySelectorAll('[aria-label], [title], [placeholder], [alt]')]
    .map((e) => [e.getAttribute('aria-label'), e.getAttribute('title'), e.getAttribute('placeholder'),
      e.getAttribute('alt')].filter(Boolean).join(' '));
  return [document.body.innerText, document.title, ...spoken].join(' ');
}"""


def english_on(page, allowed):
    """Return the plain English words of three letters or more the screen shows, less the allowed ones."""
    text = page.evaluate(SCREEN_WORDS)
    return sorted(set(re.findall(r"\b[A-Za-z]{3,}\b", text)) - allowed)


def log_in_any_language(page, email, next_path):
    """Log in through the login page, whatever language it speaks: its fields are found by name."""
    page.goto(f"/login?next={next_path}")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"**{next_path}**")


def form_words(field_server):
    """Return the words of the seeded forms' own questions and choices (a form's words show as written)."""
    rows = field_server.query("SELECT definition FROM form_versions")
    return set(re.findall(r"[A-Za-z]{3,}", " ".join(row[0] for row in rows)))


def test_the_phone_screens_show_no_string_missing_from_the_catalogue(browser, field_server, tmp_path):
    pseudo = tmp_path / "pseudo"
    catalogue.pseudo(pseudo)
    field_server.configure(
        PSEUDO_LANGUAGES=True, BABEL_TRANSLATION_DIRECTORIES=f"{i18n.TRANSLATIONS};{pseudo}"
    )
    field_server.restart()
    allowed = DATA_WORDS | form_words(field_server)
    # The browser asks for the pseudo-language: the phone follows it.
    context = phone_context(browser, field_server, locale="eo")
    page = context.new_page()
    found = {}

    def look(name):
        expect(page.locator("html")).to_have_attribute("lang", "eo")
        words = english_on(page, allowed)
        if words:
            found[name] = words

    try:
        log_in_any_language(page, "carer@example.org", "/app/")
        wait_until_offline_ready(page)
        expect(page.get_by_role("link", name="Ada Brown")).to_be_visible(timeout=30_000)
        look("team")
        open_screen(page, f"#/t/clapton-circle/s/{ADA}")
        look("person")
        page.locator('a[href*="/new/"]').first.click()
        expect(page.locator("button.save")).to_be_visible()
        look("form")
        # Saved with nothing filled in: the form's checks speak.
        page.locator("button.save").click()
        expect(page.locator(".error-summary, [role=alert]").first).to_be_visible()
        look("form-problems")
        for screen in ("#/sync", "#/language", "#/saved", "#/"):
            open_screen(page, screen)
            look(screen)
        # Offline: the sync screen says why nothing can be sent.
        context.set_offline(True)
        open_screen(page, "#/sync")
        page.locator(".sync-now button").click()
        expect(page.locator(".sync-line")).not_to_contain_text("…", timeout=30_000)
        look("sync-offline")
        context.set_offline(False)
    finally:
        context.close()
    assert found == {}, "\n".join(f"{name}: {' '.join(words)}" for name, words in found.items())


@pytest.mark.parametrize("code, direction", [("bn", "ltr"), ("ur", "rtl")])
def test_coordinator_pages_in_bengali_and_urdu_fit_a_phone(browser, field_server, screens, code, direction):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        base_url=field_server.url,
        locale=code,
        timezone_id="Europe/London",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    found = {}
    try:
        log_in_any_language(page, "coord@example.org", "/teams/clapton-circle")
        for name, path in (("team", "/teams/clapton-circle"), ("subjects", "/teams/clapton-circle/subjects")):
            page.set_viewport_size({"width": 390, "height": 844})
            page.goto(path)
            expect(page.locator("html")).to_have_attribute("lang", code)
            expect(page.locator("html")).to_have_attribute("dir", direction)
            screens(page, f"lang-{code}-coordinator-{name}")
            violations = axe_violations(page)
            if violations:
                found[name] = violations
            page.set_viewport_size({"width": 320, "height": 640})
            screens(page, f"lang-{code}-coordinator-{name}-320")
            if not page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"):
                found[name + "-320"] = "scrolls sideways"
        # The phone's home in the same language, at 320 px too.
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto("/app/")
        expect(page.locator("html")).to_have_attribute("lang", code)
        expect(page.locator("#main h1")).to_be_visible()
        screens(page, f"lang-{code}-phone-home")
        page.set_viewport_size({"width": 320, "height": 640})
        screens(page, f"lang-{code}-phone-home-320")
        if not page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"):
            found["home-320"] = "scrolls sideways"
    finally:
        context.close()
    assert found == {}
