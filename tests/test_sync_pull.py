"""Pull: everything, or what changed since a cursor, each document once, in pages."""

import pytest
import sqlalchemy as sa
from conftest import DEVICE, VISIT_FORM, new_id

from fvfield.extensions import db
from fvfield.models import Device, Team
from fvfield.sync.pull import make_cursor

pytestmark = pytest.mark.both_stores


def ids(documents):
    """Return the ids of pulled documents, in order."""
    return [d["id"] for d in documents]


def test_pull_without_cursor_gives_everything_once_in_its_latest_state(sync, auth):
    auth.login("member@example.org")
    person, record = sync.subject(), sync.record()
    sync.results(person, record)
    sync.results(sync.record(id=record["id"], base_rev=1, data={"time_in": "10:00"}))
    documents, _ = sync.pull_all()
    assert ids(documents) == ["visit", person["id"], record["id"]]
    form, subject, visit = documents
    assert (form["collection"], form["rev"], form["versions"], form["data"]["version"]) == (
        "forms",
        1,
        [1],
        1,
    )
    assert form["data"]["fields"] == VISIT_FORM["fields"]
    assert {
        k: subject[k] for k in ("collection", "rev", "kind", "label", "deleted", "has_conflict", "data")
    } == {
        "collection": "subjects",
        "rev": 1,
        "kind": "person",
        "label": "Edna",
        "deleted": False,
        "has_conflict": False,
        "data": {},
    }
    assert {
        k: visit[k]
        for k in ("collection", "rev", "form", "form_version", "subject_id", "recorded_at", "data")
    } == {
        "collection": "records",
        "rev": 2,
        "form": "visit",
        "form_version": 1,
        "subject_id": None,
        "recorded_at": "2026-11-25T09:41:00+00:00",
        "data": {"time_in": "10:00"},
    }
    assert visit["author"] and visit["updated_at"].endswith("+00:00")


def test_pull_with_cursor_gives_only_later_changes_oldest_first(sync, auth):
    auth.login("member@example.org")
    first, second, third = sync.record(), sync.record(), sync.record()
    sync.results(first, second)
    _, cursor = sync.pull_all()
    sync.results(third)
    sync.results(sync.record(id=first["id"], base_rev=1, data={"time_in": "08:00"}))
    documents, _ = sync.pull_all(since=cursor)
    assert ids(documents) == [third["id"], first["id"]]
    assert documents[1]["rev"] == 2


def test_pull_pages_by_limit_with_more(sync, auth):
    auth.login("member@example.org")
    records = [sync.record() for _ in range(5)]
    sync.results(*records)
    pages, since = [], None
    while True:
        page = sync.pull(limit=2, **({"since": since} if since else {})).get_json()
        pages.append((len(page["changes"]), page["more"]))
        since = page["cursor"]
        if not page["more"]:
            break
    assert pages == [(2, True), (2, True), (2, False)]
    documents, _ = sync.pull_all(limit=2)
    assert ids(documents) == ["visit"] + [r["id"] for r in records]
    last = sync.pull(since=since).get_json()
    assert (last["changes"], last["more"], last["cursor"]) == ([], False, since)


def test_pull_limit_defaults_to_the_configured_page(app, sync, auth):
    auth.login("member@example.org")
    app.config["PULL_LIMIT"] = 3
    sync.results(*[sync.record() for _ in range(4)])
    page = sync.pull().get_json()
    assert (len(page["changes"]), page["more"]) == (3, True)


@pytest.mark.parametrize("limit", ["0", "-1", "ten", "1.5", ""])
def test_pull_refuses_a_limit_that_is_not_a_positive_whole_number(sync, auth, limit):
    auth.login("member@example.org")
    response = sync.pull(limit=limit)
    assert (response.status_code, response.get_json()["error"]["code"]) == (400, "invalid_limit")


def test_pull_tombstones_travel(sync, auth):
    auth.login("member@example.org")
    record = sync.record()
    sync.results(record)
    _, cursor = sync.pull_all()
    sync.results(
        {"change_id": new_id(), "collection": "records", "id": record["id"], "base_rev": 1, "deleted": True}
    )
    [document] = sync.pull_all(since=cursor)[0]
    assert (document["id"], document["deleted"], document["rev"]) == (record["id"], True, 2)


def other_team_cursor(app):
    """Return a genuine cursor of ridley-market."""
    with app.app_context():
        team_id = db.session.scalar(sa.select(Team.id).where(Team.slug == "ridley-market"))
        return make_cursor(team_id, 1)


def beyond_cursor(app):
    """Return a correctly signed cursor past clapton-circle's last change."""
    with app.app_context():
        team = db.session.scalar(sa.select(Team).where(Team.slug == "clapton-circle"))
        return make_cursor(team.id, team.change_seq + 1)


@pytest.mark.parametrize(
    "cursor",
    [
        lambda app: "nonsense",
        lambda app: "v1.1",
        lambda app: "v1.1.AAAAAAAAAAAA",
        lambda app: "v2" + beyond_cursor(app)[2:],
        other_team_cursor,
        beyond_cursor,
    ],
)
def test_pull_unrecognised_cursor_expires(app, sync, auth, cursor):
    auth.login("member@example.org")
    response = sync.pull(since=cursor(app))
    assert (response.status_code, response.get_json()["error"]["code"]) == (410, "cursor_expired")


def test_pull_viewer_may_pull(sync, auth):
    auth.login("member@example.org")
    record = sync.record()
    sync.results(record)
    auth.logout()
    auth.login("viewer@example.org")
    assert record["id"] in ids(sync.pull_all()[0])


def test_pull_of_another_team_is_not_found(sync, auth):
    auth.login("other@example.org")
    for slug in ("clapton-circle", "no-such-team"):
        response = sync.pull(slug)
        assert (response.status_code, response.get_json()["error"]["code"]) == (404, "not_found")


def test_pull_needs_a_login(sync, client):
    response = sync.pull()
    assert (response.status_code, response.get_json()["error"]["code"]) == (401, "login_required")


def test_pull_never_gives_another_teams_documents(sync, auth):
    auth.login("other@example.org")
    stall = sync.subject(kind="pitch", label="Stall 12")
    sync.results(stall, slug="ridley-market")
    auth.logout()
    auth.login("member@example.org")
    assert stall["id"] not in ids(sync.pull_all()[0])


def test_pull_records_when_a_device_was_last_up_to_date(app, sync, auth):
    auth.login("member@example.org")
    sync.results(*[sync.record() for _ in range(3)])
    sync.pull(limit=2, device_id=DEVICE)
    with app.app_context():
        assert db.session.scalar(sa.select(Device.last_pull_at)) is None
    sync.pull(device_id=DEVICE)
    with app.app_context():
        assert db.session.scalar(sa.select(Device.last_pull_at)) is not None


def test_pull_refuses_a_device_id_that_is_not_a_uuid(sync, auth):
    auth.login("member@example.org")
    response = sync.pull(device_id="my phone")
    assert (response.status_code, response.get_json()["error"]["code"]) == (400, "invalid_device_id")


def test_pull_a_new_form_version_reaches_devices_and_old_records_stay_valid(sync, auth, client):
    auth.login("member@example.org")
    _, cursor = sync.pull_all()
    second = {
        **VISIT_FORM,
        "fields": VISIT_FORM["fields"] + [{"name": "weather", "type": "text", "label": "Weather"}],
    }
    assert sync.publish(second) == 2
    [form] = sync.pull_all(since=cursor)[0]
    assert (form["id"], form["rev"], form["versions"], form["data"]["version"]) == ("visit", 2, [1, 2], 2)
    old, new = sync.record(), sync.record(form_version=2, data={"time_in": "09:30", "weather": "Rain"})
    assert [r["status"] for r in sync.results(old, new)] == ["applied", "applied"]
    [rejected] = sync.results(sync.record(data={"time_in": "09:30", "weather": "Rain"}))
    assert list(rejected["errors"]) == ["weather"]
    response = client.get("/api/v1/teams/clapton-circle/forms/visit/versions/1")
    assert (response.status_code, response.get_json()["fields"]) == (200, VISIT_FORM["fields"])
    response = client.get("/api/v1/teams/clapton-circle/forms/visit/versions/3")
    assert (response.status_code, response.get_json()["error"]["code"]) == (404, "not_found")


def test_pull_form_versions_of_another_team_are_not_found(sync, auth, client):
    auth.login("other@example.org")
    response = client.get("/api/v1/teams/clapton-circle/forms/visit/versions/1")
    assert response.status_code == 404
