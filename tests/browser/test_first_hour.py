"""A new group's first hour: the setup link in the browser, and a phone on plain HTTP."""

import re

import pytest

from .conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, FieldServer

pytestmark = pytest.mark.slow


@pytest.fixture
def empty_server(tmp_path):
    """A server on a brand-new instance: nobody can log in, so it prints a setup link."""
    server = FieldServer(tmp_path / "instance")
    server.start()
    yield server
    server.stop()


def setup_link(server):
    """Return the setup link the server printed."""
    return re.search(r"http://127\.0\.0\.1:\d+(/setup/\S+)", server.log()).group(1)


def test_setup_link_creates_the_first_coordinator_once(browser, empty_server, screens):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, base_url=empty_server.url, locale="en-GB"
    )
    page = context.new_page()
    link = setup_link(empty_server)
    page.goto(link)
    screens(page, "setup-link")
    page.get_by_label("Your name").fill("Cora Coordinator")
    page.get_by_label("Your email").fill("cora@example.org")
    page.get_by_label("Choose a password").fill("correct horse battery")
    page.get_by_label("Password again").fill("correct horse battery")
    page.get_by_label("Team name").fill("Clapton care circle")
    page.get_by_label("Web address").fill("clapton-circle")
    page.get_by_label("Care circle").check()
    page.get_by_role("button", name="Create my account and the team").click()
    page.wait_for_load_state()
    assert "Clapton care circle is ready" in page.content()
    assert empty_server.query("SELECT role FROM memberships") == [("coordinator",)]

    other = browser.new_context(base_url=empty_server.url).new_page()
    answer = other.goto(link)
    assert answer.status == 410
    assert "fvfield is set up already" in other.content()
    context.close()


def test_phone_on_an_insecure_origin_is_told_to_use_https(playwright, field_server, screens):
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM or None,
        args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP field.test 127.0.0.1"],
    )
    try:
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"http://field.test:{field_server.port}/app/")
        assert page.evaluate("() => window.isSecureContext") is False
        problem = page.locator(".app-problem")
        problem.wait_for()
        assert "fvfield needs a secure (https) address" in problem.inner_text()
        assert f"http://field.test:{field_server.port}" in problem.inner_text()
        assert "randomUUID" not in page.locator("body").inner_text()
        assert errors == []
        screens(page, "field-insecure-origin")
    finally:
        browser.close()
