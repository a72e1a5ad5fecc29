"""A concern a coordinator resolved shows as resolved on the circle's phones (issue 11)."""

from datetime import UTC, datetime

from playwright.sync_api import expect
from realserver import SyncClient

from .conftest import ADA, log_in, sync_now, wait_until_offline_ready
from .phone import open_screen, save, snap, wait_for
from .test_screens import SYNCED, heading, ready, record_visit, status


def resolve_on_the_web(server, record_id, note):
    """The coordinator resolves a record's concern on the concerns page (a form POST with CSRF)."""
    coordinator = SyncClient(server.url)
    coordinator.login("coord@example.org")
    answer = coordinator.http.post(
        f"{server.url}/teams/clapton-circle/concerns/{record_id}/resolve",
        data={f"concern-{record_id}-note": note},
        headers=coordinator.headers(),
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302, answer.text


def test_a_resolved_concern_says_who_resolved_it_and_how_on_the_person_s_page(context, field_server, screens):
    page = context.new_page()
    log_in(page, "carer@example.org")
    wait_until_offline_ready(page)
    ready(page, "Clapton Circle")
    open_screen(page, f"#/t/clapton-circle/s/{ADA}")
    page.get_by_role("link", name="Record a visit").click()
    expect(heading(page, "Home visit")).to_be_visible()
    record_visit(page, concern=("Ada seemed confused about her tablets.", "Today"))
    save(page)
    visit = page.locator(".visit").first
    expect(visit).to_contain_text("Concern raised")
    # "Nothing waiting" may still be showing from before the save: wait for the server's row.
    [(record_id,)] = wait_for(
        page, lambda: field_server.query("SELECT id FROM documents WHERE form = 'home-visit'"), tries=600
    )
    expect(status(page)).to_contain_text("Nothing waiting", timeout=SYNCED)
    resolve_on_the_web(field_server, record_id, "Called the GP, who is visiting tomorrow.")
    sync_now(page)
    day = datetime.now(UTC).strftime("%-d %b")
    expect(visit).to_contain_text(f"Resolved on {day} by Cora: Called the GP, who is visiting tomorrow.")
    expect(visit).not_to_contain_text("Concern raised")
    expect(visit).not_to_have_class("visit visit-raised")
    expect(visit).to_contain_text("Ada seemed confused about her tablets.")
    expect(page.get_by_text("Concerns resolved")).to_have_count(0)
    snap(page, screens, "person-page-concern-resolved")
