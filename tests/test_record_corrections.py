"""Correcting and deleting a record with a reason, from a phone or the web, kept in its history (issue 11)."""

import json
import re

import pytest
from admin_helpers import login_as, text
from conftest import new_id

pytestmark = pytest.mark.both_stores

OTHER_PHONE = "9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a"


@pytest.fixture
def visit(sync, auth):
    """A visit to Edna recorded by the member's phone; return its pulled state."""
    login_as(auth, "member")
    edna = sync.subject(label="Edna")
    record = sync.record(
        subject_id=edna["id"], data={"time_in": "09:30", "notes": "Made tea", "mood": "good"}
    )
    assert [r["status"] for r in sync.results(edna, record)] == ["applied", "applied"]
    return current(sync, record["id"])


def current(sync, record_id):
    """Return a record as a full pull gives it."""
    return [d for d in sync.pull_all()[0] if d["id"] == record_id][0]


def correction(sync, state, **data):
    """Return a phone's change correcting a record's answers on its rev."""
    return sync.record(
        id=state["id"],
        base_rev=state["rev"],
        subject_id=state["subject_id"],
        recorded_at=state["recorded_at"],
        data={**state["data"], **data},
    )


def history_of(client, record_id):
    """Return the words of a record's history on its page."""
    return text(client.get(f"/teams/clapton-circle/records/{record_id}")).split("History", 1)[1]


def test_a_pushed_correction_keeps_its_reason_in_the_history(client, auth, sync, visit):
    change = {**correction(sync, visit, mood="low"), "reason": "  Wrong mood picked  "}
    assert sync.results(change)[0] == {
        "change_id": change["change_id"],
        "id": visit["id"],
        "status": "applied",
        "rev": 2,
    }
    deletion = {
        **sync.record(id=visit["id"], base_rev=2, deleted=True),
        "reason": "Recorded for the wrong person",
    }
    assert sync.results(deletion)[0]["status"] == "applied"
    login_as(auth, "coord")
    history = history_of(client, visit["id"])
    deleted, corrected, made = re.split(r"Rev \d+", history)[1:]
    assert "Why: Recorded for the wrong person" in deleted and "Mo Member · phone 0d3c1a52" in deleted
    assert "Why: Wrong mood picked" in corrected and "Mood Good Low" in corrected
    assert "Why:" not in made


@pytest.mark.parametrize(
    "reason, message",
    [
        ("x" * 501, "The reason is 501 characters long; say why in at most 500."),
        (["wrong"], "reason must be text: why the record was corrected or deleted."),
    ],
)
def test_a_reason_too_long_or_not_text_is_refused_and_nothing_stored(sync, visit, reason, message):
    change = {**correction(sync, visit, mood="low"), "reason": reason}
    (result,) = sync.results(change)
    assert result["status"] == "rejected" and result["errors"] == {"reason": [message]}
    assert current(sync, visit["id"])["rev"] == 1
    assert sync.results({**change, "change_id": new_id(), "reason": "x" * 500})[0]["status"] == "applied"


def test_a_conflicting_revision_keeps_its_reason_too(client, auth, sync, visit):
    assert sync.results(correction(sync, visit, mood="low"), device=OTHER_PHONE)[0]["status"] == "applied"
    stale = {**correction(sync, visit, mood="low", notes="Made soup"), "reason": "Soup, not tea"}
    assert sync.results(stale)[0]["status"] == "conflict"
    login_as(auth, "coord")
    assert "Why: Soup, not tea" in history_of(client, visit["id"])


def correct_page(client, record_id):
    """Open a record's correction page; return (its form's rev, its answers, the page)."""
    page = client.get(f"/teams/clapton-circle/records/{record_id}/correct")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    rev = int(re.search(r'name="base_rev" type="hidden" value="(\d+)"', html)[1])
    answers = json.loads(re.search(r'id="record-answers-data">(.*?)</script>', html, re.S)[1])
    return rev, answers, html


def test_a_coordinator_corrects_a_record_on_the_web_with_a_reason(client, auth, sync, visit):
    login_as(auth, "coord")
    url = f"/teams/clapton-circle/records/{visit['id']}"
    assert f'href="{url}/correct"' in client.get(url).get_data(as_text=True)
    rev, answers, html = correct_page(client, visit["id"])
    assert (rev, answers) == (1, visit["data"])
    assert '"label": "Mood"' in html and "js/record-edit.js" in html
    refused = client.post(
        f"{url}/correct", data={"base_rev": rev, "answers": json.dumps(answers), "reason": ""}
    )
    assert refused.status_code == 400 and "Say why, for the team's record." in text(refused)
    broken = client.post(
        f"{url}/correct",
        data={"base_rev": rev, "answers": json.dumps({**answers, "cups": 99}), "reason": "Two cups"},
    )
    assert broken.status_code == 400
    assert '"cups": [' in broken.get_data(as_text=True) and current(sync, visit["id"])["rev"] == 1

    done = client.post(
        f"{url}/correct",
        data={"base_rev": rev, "answers": json.dumps({**answers, "cups": 2}), "reason": "She had two cups"},
    )
    assert done.headers["Location"] == url
    after = current(sync, visit["id"])
    assert (after["rev"], after["data"]["cups"], after["has_conflict"]) == (2, 2, False)
    history = history_of(client, visit["id"])
    assert "Why: She had two cups" in history and "Cora Coordinator · the web" in history


def test_a_stale_web_correction_of_the_same_answer_is_a_conflict(client, auth, sync, visit):
    login_as(auth, "coord")
    rev, answers, _ = correct_page(client, visit["id"])
    login_as(auth, "member")
    assert sync.results(correction(sync, visit, mood="low"))[0]["status"] == "applied"
    login_as(auth, "coord")
    url = f"/teams/clapton-circle/records/{visit['id']}"
    response = client.post(
        f"{url}/correct",
        data={
            "base_rev": rev,
            "answers": json.dumps({**answers, "mood": "low", "notes": "Tea"}),
            "reason": "Oops",
        },
    )
    assert response.headers["Location"] == f"/teams/clapton-circle/conflicts/records/{visit['id']}"
    after = current(sync, visit["id"])
    assert (after["rev"], after["data"]["mood"], after["has_conflict"]) == (2, "low", True)
    assert "Why: Oops" in history_of(client, visit["id"])


@pytest.mark.parametrize("who, status", [("member", 403), ("viewer", 403), ("other", 404)])
def test_the_correction_page_is_for_the_team_coordinator_only(client, auth, sync, visit, who, status):
    login_as(auth, who)
    url = f"/teams/clapton-circle/records/{visit['id']}/correct"
    assert client.get(url).status_code == status
    answers = json.dumps({**visit["data"], "mood": "low"})
    assert client.post(url, data={"base_rev": 1, "answers": answers, "reason": "Mine"}).status_code == status
    login_as(auth, "coord")
    assert current(sync, visit["id"])["rev"] == 1


def test_a_deleted_record_has_no_correction(client, auth, sync, visit):
    login_as(auth, "coord")
    url = f"/teams/clapton-circle/records/{visit['id']}"
    client.post(f"{url}/delete", data={"base_rev": 1, "reason": "Wrong person"})
    assert "Correct the answers" not in text(client.get(url))
    assert client.get(f"{url}/correct").headers["Location"] == url
    history = history_of(client, visit["id"])
    assert "Why: Wrong person" in history


def test_the_session_names_the_members_of_each_team_only(client, auth, people):
    login_as(auth, "member")
    teams = client.get("/api/v1/session").get_json()["teams"]
    assert [team["slug"] for team in teams] == ["clapton-circle"]
    assert [m["name"] for m in teams[0]["members"]] == ["Cora Coordinator", "Mo Member", "Vi Viewer"]
    assert "Otto Other" not in json.dumps(teams)
