"""The field app on a phone in Bengali and in Urdu (issue 15).

A carer logs in, chooses the language from the phone's menu, opens the
team's page, records a home visit offline and syncs it. Each screen: <html lang dir>
right, a screenshot, no serious or critical axe-core violation, no sideways
scroll at 320 px; and the phone's language outlives logging out.
"""

import json

import pytest
from playwright.sync_api import expect

from .conftest import ADA, log_in, wait_until_offline_ready
from .phone import axe_violations, open_screen, phone_context

CARER = "carer@example.org"

# code -> (<html lang>, dir, words the screens must show in it)
LANGUAGES = {
    "bn": ("bn", "ltr", {"saved": "এই ফোনে রাখা হয়েছে।", "record": "একটি ভিজিট রেকর্ড করুন"}),
    "ur": ("ur", "rtl", {"saved": "اس فون پر محفوظ ہو گیا۔", "record": "وزٹ درج کریں"}),
}


def choose_language(page, tag):
    """Choose a language from the phone's menu; the app reopens speaking it."""
    open_screen(page, "#/language")
    # The app reloads itself in the new words: wait for that reload, or a screen
    # opened meanwhile would be replaced by the language screen again.
    with page.expect_navigation():
        page.locator(f'.language-choices button[lang="{tag}"]').click()
    expect(page.locator("html")).to_have_attribute("lang", tag)
    expect(page.locator("html")).to_have_attribute("data-app", "ready")


def check(page, screens, name, found, tag, direction):
    """Shoot the screen; keep its serious axe violations, a wrong lang/dir and a sideways scroll at 320 px."""
    expect(page.locator("html")).to_have_attribute("lang", tag)
    expect(page.locator("html")).to_have_attribute("dir", direction)
    page.evaluate("() => window.scrollTo(0, 0)")
    screens(page, name)
    violations = axe_violations(page)
    if violations:
        found[name] = violations
    page.set_viewport_size({"width": 320, "height": 640})
    if not page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"):
        found[name + "-320"] = "scrolls sideways"
    page.set_viewport_size({"width": 390, "height": 844})


@pytest.mark.parametrize("code", LANGUAGES)
def test_a_carer_records_a_visit_offline_in_their_language(browser, field_server, screens, code):
    tag, direction, words = LANGUAGES[code]
    # An English browser: the language is the one chosen on the phone.
    context = phone_context(browser, field_server)
    page = context.new_page()
    found = {}
    try:
        log_in(page, CARER)
        wait_until_offline_ready(page)
        expect(page.get_by_role("link", name="Ada Brown")).to_be_visible(timeout=30_000)
        choose_language(page, tag)
        open_screen(page, "#/")
        # One team: straight to its page, once the first sync has brought the people.
        expect(page.get_by_role("link", name="Ada Brown")).to_be_visible(timeout=30_000)
        check(page, screens, f"lang-{code}-team", found, tag, direction)

        context.set_offline(True)
        page.reload()
        open_screen(page, f"#/t/clapton-circle/s/{ADA}")
        record = page.get_by_role("link", name=words["record"])
        expect(record).to_be_visible()
        check(page, screens, f"lang-{code}-person", found, tag, direction)
        # A phone number reads left to right in either direction of the page.
        phone = page.locator('.facts a[href^="tel:"]').first
        assert phone.evaluate("(e) => getComputedStyle(e).direction") == "ltr"
        record.click()
        page.locator('.q[data-field="time_in"] input').fill("10:05")
        page.locator('.q[data-field="concern"] input[type=radio]').nth(1).check()
        check(page, screens, f"lang-{code}-form", found, tag, direction)
        page.locator("button.save").click()
        expect(page.get_by_text(words["saved"])).to_be_visible()
        check(page, screens, f"lang-{code}-saved", found, tag, direction)

        context.set_offline(False)
        open_screen(page, "#/sync")
        page.locator(".sync-now button").click()
        expect(page.locator(".sync-line")).not_to_contain_text("…", timeout=30_000)
        rows = field_server.query(
            "SELECT id FROM documents WHERE collection = 'records' AND form = ?", "home-visit"
        )
        assert len(rows) == 1
        check(page, screens, f"lang-{code}-sync", found, tag, direction)

        # Logging out keeps the phone's language: the login page, and the app after it, still speak it.
        page.locator("button.danger").click()
        page.wait_for_url("**/login**")
        check(page, screens, f"lang-{code}-login", found, tag, direction)
        assert page.evaluate("() => window.localStorage.getItem('fvfield-language')") == code
    finally:
        context.close()
    assert found == {}


# code -> what the pitch survey's trader-facing questions say in it (the form's own translations).
PITCH_WORDS = {
    "bn": {"consent": "ব্যবসায়ী তাঁর চিন্তা বা সমস্যার কথা জানাতে রাজি হয়েছেন", "concerns": "ব্যবসায়ীর চিন্তা বা সমস্যা"},
    "ur": {"consent": "تاجر نے اپنی پریشانیاں بتانے پر رضامندی دی", "concerns": "تاجر کی پریشانیاں"},
}


@pytest.mark.parametrize("code", PITCH_WORDS)
def test_a_volunteer_records_a_pitch_survey_offline_in_their_language(browser, field_server, screens, code):
    tag, direction, words = LANGUAGES[code]
    context = phone_context(browser, field_server)
    page = context.new_page()
    found = {}
    try:
        log_in(page, "volunteer@example.org")
        wait_until_offline_ready(page)
        choose_language(page, tag)
        open_screen(page, "#/")
        market = page.get_by_role("link", name="Ridley Road Market")
        expect(market).to_be_visible(timeout=30_000)

        context.set_offline(True)
        page.reload()
        page.get_by_role("link", name="Ridley Road Market").click()
        page.get_by_role("link", name="Pitch 1").click()
        page.locator('.q[data-field="status"] input[type=radio]').first.check()  # trading
        page.locator('.q[data-field="goods_category"] input[type=radio]').first.check()
        consent = page.locator('.q[data-field="consent"]')
        expect(consent).to_contain_text(PITCH_WORDS[code]["consent"])
        consent.locator("input[type=radio]").first.check()  # yes
        concerns = page.locator('.q[data-field="trader_concerns"]')
        expect(concerns).to_contain_text(PITCH_WORDS[code]["concerns"])
        concerns.locator("textarea").fill("ভাড়া আবার বাড়ছে।" if code == "bn" else "کرایہ پھر بڑھ رہا ہے۔")
        check(page, screens, f"lang-{code}-pitch-survey", found, tag, direction)
        page.locator("button.save").click()
        expect(page.get_by_text(words["saved"])).to_be_visible()

        context.set_offline(False)
        open_screen(page, "#/sync")
        page.locator(".sync-now button").click()
        expect(page.locator(".sync-line")).not_to_contain_text("…", timeout=30_000)
        rows = field_server.query(
            "SELECT data FROM documents WHERE collection = 'records' AND form = ?", "pitch-survey"
        )
        # The record keeps values, never the words of the language it was asked in.
        assert [json.loads(data)["consent"] for (data,) in rows] == [True]
        assert json.loads(rows[0][0])["status"] == "trading"
    finally:
        context.close()
    assert found == {}
