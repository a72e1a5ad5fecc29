"""A member removed from a team while their phone held unsent records (issue 11).

The server answers their push 403 membership_ended; the phone saves that
team's unsent records to a copy file, removes the team's data, says so, and
lets the person log out: nothing is lost, nothing is left behind.
"""

import json
from pathlib import Path

from playwright.sync_api import expect
from realserver import SyncClient

from .conftest import ADA, call
from .phone import open_screen, save, snap
from .test_screens import SYNCED, heading, ready, record_visit, status


def remove_member(server, email, slug):
    """The coordinator removes a person from a team on the web (a form POST with the CSRF token)."""
    coordinator = SyncClient(server.url)
    coordinator.login("coord@example.org")
    [(membership_id,)] = server.query(
        "SELECT m.id FROM memberships m JOIN users u ON u.id = m.user_id JOIN teams t ON t.id = m.team_id "
        "WHERE u.email = ? AND t.slug = ?",
        email,
        slug,
    )
    answer = coordinator.http.post(
        f"{server.url}/teams/{slug}/members/{membership_id}/remove",
        headers=coordinator.headers(),
        data={"confirmed": "yes"},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302, answer.text


def test_a_removed_member_s_unsent_records_go_to_a_file_and_the_team_leaves_the_phone(
    page, context, field_server, screens
):
    ready(page, "Your teams")
    context.set_offline(True)
    open_screen(page, f"#/t/clapton-circle/s/{ADA}")
    page.get_by_role("link", name="Record a visit").click()
    expect(heading(page, "Home visit")).to_be_visible()
    record_visit(page)
    save(page)
    expect(page.get_by_text("Saved on this phone. 1 record waits to sync.")).to_be_visible()

    remove_member(field_server, "member@example.org", "clapton-circle")
    open_screen(page, "#/sync")
    with page.expect_download(timeout=SYNCED) as download:
        context.set_offline(False)
    copy = json.loads(Path(download.value.path()).read_text())
    assert list(copy["teams"]) == ["clapton-circle"]
    assert [change["subject_id"] for change in copy["teams"]["clapton-circle"]["changes"]] == [ADA]

    message = page.locator(".sync-message")
    expect(message).to_contain_text("You are no longer a member of Clapton Circle", timeout=SYNCED)
    expect(message).to_contain_text("Its one unsent record was saved to fvfield-outbox-member-")
    expect(status(page)).to_contain_text("Nothing waiting")
    expect(page.locator(".saved-to-file")).to_contain_text("1 record of a team you were removed from")
    snap(page, screens, "sync-screen-membership-ended")
    assert field_server.query("SELECT count(*) FROM documents WHERE form = 'home-visit'") == [(0,)]
    # The team's documents left the phone; the other team's stay.
    assert call(page, "screens/local", "findTeam", "clapton-circle") is None
    assert call(page, "screens/local", "findTeam", "ridley-market")["name"] == "Ridley Road Market"

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{field_server.url}/login", timeout=SYNCED)
