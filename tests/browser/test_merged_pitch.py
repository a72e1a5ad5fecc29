"""A pitch added twice ("Pitch 2" and "PITCH 2") is merged by a coordinator, and the phones follow (issue 11)."""

import uuid

from playwright.sync_api import expect
from realserver import SyncClient

from .conftest import MARKET, PITCHES, sync_now
from .phone import open_screen, snap
from .test_screens import SYNCED, ready, status


def merge_on_the_web(server, merged_id, survivor_id):
    """The market team's coordinator merges one pitch into another on the subjects page (POST with CSRF)."""
    coordinator = SyncClient(server.url)
    coordinator.login("coord@example.org")
    answer = coordinator.http.post(
        f"{server.url}/teams/ridley-market/subjects/{merged_id}/merge",
        data={"into": survivor_id},
        headers=coordinator.headers(),
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302, answer.text
    assert f"/subjects/{survivor_id}" in answer.headers["Location"]


def added_on_another_phone(server, label):
    """Another volunteer's phone, offline meanwhile, adds a pitch of the market; return its id and result."""
    volunteer = SyncClient(server.url)
    volunteer.login("volunteer@example.org")
    pitch_id = str(uuid.uuid4())
    change = {
        "change_id": str(uuid.uuid4()),
        "collection": "subjects",
        "id": pitch_id,
        "base_rev": 0,
        "deleted": False,
        "kind": "pitch",
        "label": label,
        "data": {"market_id": MARKET, "unit_type": "stall"},
    }
    [result] = volunteer.push("ridley-market", [change]).json()["results"]
    return pitch_id, result


def pitch_link(page, pitch_id):
    """Return the market page's row of one pitch."""
    return page.locator(f'a.pitch[href*="/s/{pitch_id}/"]')


def test_a_merged_pitch_leaves_the_phone_s_list(page, field_server, screens):
    ready(page, "Your teams")
    twin, result = added_on_another_phone(field_server, "PITCH 2")
    # Kept, and flagged: the server cannot know which of the two is the right one.
    assert (result["status"], result["possible_duplicate_of"]) == ("applied", PITCHES[1])
    sync_now(page)
    open_screen(page, f"#/t/ridley-market/s/{MARKET}")
    expect(pitch_link(page, twin)).to_contain_text("PITCH 2")
    expect(pitch_link(page, PITCHES[1])).to_contain_text("Pitch 2")

    merge_on_the_web(field_server, twin, PITCHES[1])
    sync_now(page)
    open_screen(page, f"#/t/ridley-market/s/{MARKET}")
    expect(pitch_link(page, PITCHES[1])).to_contain_text("Pitch 2")
    expect(pitch_link(page, twin)).to_have_count(0)
    expect(status(page)).to_contain_text("Nothing waiting", timeout=SYNCED)
    snap(page, screens, "market-page-after-merge")
