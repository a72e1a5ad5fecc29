"""axe-core 4.14.1 on every screen of the field app: no serious or critical violation.

Each screen is checked in the states people meet: lists with something in
them, a person with a concern raised, every built-in form blank and after a
failed save, a refused record opened to be fixed. Each is also saved as a
screenshot at 390x844.
"""

import pytest
from playwright.sync_api import expect

from .conftest import ADA, MARKET, PITCHES, sync_now
from .phone import axe_violations, choose, open_screen, publish_form, question, save, snap
from .test_forms import EVERY_FIELD

FORMS = {
    "home-visit": f"#/t/clapton-circle/s/{ADA}/new/home-visit",
    "wellbeing-check": f"#/t/clapton-circle/s/{ADA}/new/wellbeing-check",
    "change-story": f"#/t/clapton-circle/s/{ADA}/new/change-story",
    "workshop-feedback": "#/t/clapton-circle/new/workshop-feedback",
    "every-field": "#/t/clapton-circle/new/every-field",
    "market-visit": f"#/t/ridley-market/s/{MARKET}/new/market-visit",
    "pitch-survey": f"#/t/ridley-market/s/{PITCHES[0]}/new/pitch-survey",
    "footfall-count": f"#/t/ridley-market/s/{MARKET}/new/footfall-count",
}


def check(page, screens, name, found):
    """Screenshot the screen and keep its serious and critical violations under its name."""
    snap(page, screens, f"a11y-{name}")
    violations = axe_violations(page)
    if violations:
        found[name] = violations


@pytest.fixture
def phone(page, field_server):
    """The member's phone with the workshop feedback and every-field forms, synced."""
    publish_form(field_server, "clapton-circle", EVERY_FIELD)
    from fvfield.questionnaires import load_template

    publish_form(field_server, "clapton-circle", load_template("workshop-feedback"))
    assert sync_now(page)["state"] == "idle"
    hint = page.get_by_role("button", name="Not now")
    if hint.count():
        hint.click()
    return page


def test_accessibility_of_lists_and_pages(phone, screens):
    page = phone
    found = {}
    open_screen(page, FORMS["home-visit"])
    page.get_by_label("Time in").fill("09:30")
    choose(page, "Anything to raise?", "Yes")
    page.get_by_label("What happened").fill("A fall in the kitchen.")
    choose(page, "How urgent is it?", "Today")
    save(page)
    expect(page.get_by_text("Saved on this phone")).to_be_visible()
    open_screen(page, FORMS["pitch-survey"])
    choose(page, "Status", "Closed today")
    save(page)
    expect(page.get_by_text("Saved on this phone")).to_be_visible()

    for name, hash_ in [
        ("team-picker", "#/"),
        ("people-list", "#/t/clapton-circle"),
        ("person-page", f"#/t/clapton-circle/s/{ADA}"),
        ("markets-list", "#/t/ridley-market"),
        ("market-page", f"#/t/ridley-market/s/{MARKET}"),
        ("pitch-page", f"#/t/ridley-market/s/{PITCHES[0]}"),
        ("add-pitch", f"#/t/ridley-market/s/{MARKET}/add-pitch"),
        ("sync-screen", "#/sync"),
    ]:
        open_screen(page, hash_)
        check(page, screens, name, found)
    assert found == {}


def test_accessibility_of_every_form_blank_and_with_errors(phone, screens):
    page = phone
    found = {}
    for name, hash_ in FORMS.items():
        open_screen(page, hash_)
        expect(page.locator(".questions")).to_be_visible()
        check(page, screens, f"form-{name}", found)
        if name == "every-field":
            # No required question there, and its counter counts 0: a mistake instead.
            page.get_by_label("How many").fill("many")
        save(page)
        expect(page.locator(".error-summary")).to_be_focused()
        check(page, screens, f"form-{name}-errors", found)
    assert found == {}


def test_accessibility_of_a_refused_record_opened_to_fix(phone, context, screens):
    page = phone
    found = {}
    # Offline, so the record stays in the outbox until it is marked refused below.
    context.set_offline(True)
    open_screen(page, FORMS["pitch-survey"])
    choose(page, "Status", "Trading")
    choose(page, "What is sold", "Hot food and drink")
    save(page)
    expect(page.get_by_text("Saved on this phone")).to_be_visible()
    # The server refuses a record whose answers break the form: made here as an
    # older client would send it, past the phone's own checks.
    page.evaluate("""async () => {
      const {listOutbox, NEEDS_ATTENTION} = await import('/static/js/outbox.js');
      const {put} = await import('/static/js/db.js');
      const [item] = await listOutbox();
      await put('outbox', {...item, state: NEEDS_ATTENTION,
        errors: {price_tomatoes_kg: ['Enter a number of at least 0.'], _: ['Check the answers.']}});
    }""")
    open_screen(page, "#/sync")
    check(page, screens, "sync-screen-needs-attention", found)
    page.locator(".attention-list a").click()
    expect(question(page, "Tomatoes, per kg").locator(".error")).to_have_text("Enter a number of at least 0.")
    check(page, screens, "form-fix", found)
    assert found == {}
