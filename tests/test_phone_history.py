"""What the phones keep: the team's setting, the pull of the team's window, older records on demand."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from admin_helpers import ROLES, csrf_app, csrf_logged_in, csrf_token_in, login_as  # noqa: F401
from conftest import new_id

from fvfield.extensions import db
from fvfield.models import AuditEvent, Team

pytestmark = pytest.mark.both_stores
SLUG = "clapton-circle"


def days_ago(days):
    """Return recorded_at of a visit `days` days before today (UTC)."""
    return f"{(date.today() - timedelta(days=days)).isoformat()}T09:41:00+00:00"


def team_setting(app):
    """Return (phone_visits, phone_days) of clapton-circle as stored."""
    with app.app_context():
        team = db.session.scalar(sa.select(Team).where(Team.slug == SLUG))
        return team.phone_visits, team.phone_days


def visits(sync, subject_id, ages):
    """Push one visit of the subject for each age in days; return their ids, in the order given."""
    changes = [sync.record(subject_id=subject_id, recorded_at=days_ago(age)) for age in ages]
    assert {r["status"] for r in sync.results(*changes)} == {"applied"}
    return [change["id"] for change in changes]


def pulled_ids(sync, **params):
    """Return the ids of every document a pull gives, with the pull's parameters, page by page."""
    found, since = [], None
    while True:
        query = dict(params, **({"since": since} if since else {}))
        page = sync.pull(SLUG, **query).get_json()
        found += [d["id"] for d in page["changes"]]
        since = page["cursor"]
        if not page["more"]:
            return found


def test_the_session_gives_each_team_what_its_phones_keep(sync, auth, client):
    auth.login("member@example.org")
    team = client.get("/api/v1/session").get_json()["teams"][0]
    assert team["phone_history"] == {"visits": 10, "days": 30}


@pytest.mark.parametrize(("who", "status"), ROLES)
def test_only_the_coordinator_sees_the_phones_page(sync, auth, client, who, status):
    login_as(auth, who)
    assert client.get(f"/teams/{SLUG}/phones").status_code == status
    saved = client.post(f"/teams/{SLUG}/phones", data={"visits": 3, "days": 7}).status_code
    assert saved == (302 if status == 200 else status)


def test_the_coordinator_sets_what_phones_keep_and_the_audit_log_says_so(sync, auth, client, app):
    auth.login()
    response = client.post(f"/teams/{SLUG}/phones", data={"visits": 3, "days": 7})
    assert response.status_code == 302
    assert team_setting(app) == (3, 7)
    assert client.get("/api/v1/session").get_json()["teams"][0]["phone_history"] == {"visits": 3, "days": 7}
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.event == "phone_history_changed"))
        assert event.detail == {"old": "10 visits, 30 days", "new": "3 visits, 7 days"}


@pytest.mark.parametrize(
    ("visits_", "days", "message"),
    [("0", "7", "from 1 to 100"), ("3", "", "how many days"), ("x", "7", "how many visits")],
)
def test_a_bad_setting_is_refused_with_a_message_and_nothing_changes(
    sync, auth, client, app, visits_, days, message
):
    auth.login()
    response = client.post(f"/teams/{SLUG}/phones", data={"visits": visits_, "days": days})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True).replace("Not a valid integer value.", "how many visits")
    assert team_setting(app) == (10, 30)


def test_the_phones_page_refuses_a_post_without_its_csrf_token(csrf_app):  # noqa: F811
    client = csrf_logged_in(csrf_app)
    assert client.post(f"/teams/{SLUG}/phones", data={"visits": 3, "days": 7}).status_code == 400
    token = csrf_token_in(client.get(f"/teams/{SLUG}/phones").text)
    answer = client.post(f"/teams/{SLUG}/phones", data={"visits": 3, "days": 7, "csrf_token": token})
    assert answer.status_code == 302
    assert team_setting(csrf_app) == (3, 7)


def test_a_windowed_pull_leaves_out_old_visits_beyond_the_last_ones(sync, auth, client):
    auth.login()
    assert client.post(f"/teams/{SLUG}/phones", data={"visits": 2, "days": 7}).status_code == 302
    auth.logout()
    auth.login("member@example.org")
    edna, lone = sync.subject(), sync.subject(label="Lone")
    sync.results(edna, lone)
    recent, week_old, older, oldest = visits(sync, edna["id"], [1, 20, 40, 60])
    (only_one,) = visits(sync, lone["id"], [400])
    loose = sync.record(recorded_at=days_ago(100))
    erased_old = sync.record(subject_id=edna["id"], recorded_at=days_ago(90))
    sync.results(loose, erased_old)
    sync.results(
        sync.record(
            id=erased_old["id"], base_rev=1, deleted=True, subject_id=edna["id"], recorded_at=days_ago(90)
        )
    )
    everything = pulled_ids(sync)
    assert {recent, week_old, older, oldest, only_one, loose["id"], erased_old["id"]} <= set(everything)
    windowed = pulled_ids(sync, window="recent", limit=2)
    # Kept: the last two of each subject, the week's, the tombstone; not: older visits, an old loose record.
    assert {recent, week_old, only_one, erased_old["id"]} <= set(windowed)
    assert not {older, oldest, loose["id"]} & set(windowed)
    assert {"visit", edna["id"], lone["id"]} <= set(windowed)


def test_a_windowed_pull_with_a_cursor_gives_a_later_change_of_a_kept_visit(sync, auth):
    auth.login("member@example.org")
    edna = sync.subject()
    sync.results(edna)
    (visit,) = visits(sync, edna["id"], [2])
    page = sync.pull(SLUG, window="recent").get_json()
    sync.results(
        sync.record(
            id=visit, base_rev=1, subject_id=edna["id"], recorded_at=days_ago(2), data={"time_in": "11:00"}
        )
    )
    later = sync.pull(SLUG, window="recent", since=page["cursor"]).get_json()
    assert [(d["id"], d["data"]) for d in later["changes"]] == [(visit, {"time_in": "11:00"})]


def test_a_pull_with_an_unknown_window_is_refused(sync, auth):
    auth.login("member@example.org")
    answer = sync.pull(SLUG, window="some")
    assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "invalid_window"


@pytest.mark.parametrize(
    ("who", "status"), [("coord", 200), ("member", 200), ("viewer", 200), ("other", 404)]
)
def test_older_records_of_a_subject_are_for_the_team_only(sync, auth, client, who, status):
    auth.login("member@example.org")
    edna = sync.subject()
    sync.results(edna)
    visits(sync, edna["id"], [50])
    login_as(auth, who)
    answer = client.get(f"/api/v1/teams/{SLUG}/subjects/{edna['id']}/records")
    assert answer.status_code == status
    if status == 404:
        assert answer.get_json()["error"]["code"] == "not_found"


def test_older_records_need_a_login(sync, client):
    answer = client.get(f"/api/v1/teams/{SLUG}/subjects/{new_id()}/records")
    assert answer.status_code == 401


def test_older_records_come_newest_first_a_page_at_a_time_without_tombstones(sync, auth, client):
    auth.login("member@example.org")
    edna, other = sync.subject(), sync.subject(label="Other")
    sync.results(edna, other)
    ids = visits(sync, edna["id"], [10, 30, 50, 70, 90])
    visits(sync, other["id"], [40])
    sync.results(
        sync.record(id=ids[2], base_rev=1, deleted=True, subject_id=edna["id"], recorded_at=days_ago(50))
    )
    url = f"/api/v1/teams/{SLUG}/subjects/{edna['id'].upper()}/records"
    first = client.get(url, query_string={"limit": 2}).get_json()
    assert [r["id"] for r in first["records"]] == ids[:2]
    assert first["records"][0]["data"] == {"time_in": "09:30"}
    second = client.get(url, query_string={"limit": 2, "cursor": first["cursor"]}).get_json()
    assert [r["id"] for r in second["records"]] == ids[3:]
    assert second["cursor"] is None


@pytest.mark.parametrize(
    ("query", "code"), [({"cursor": "bm90IGEgY3Vyc29y"}, "invalid_cursor"), ({"limit": "0"}, "invalid_limit")]
)
def test_older_records_refuse_a_bad_cursor_or_limit(sync, auth, client, query, code):
    auth.login("member@example.org")
    edna = sync.subject()
    sync.results(edna)
    answer = client.get(f"/api/v1/teams/{SLUG}/subjects/{edna['id']}/records", query_string=query)
    assert answer.status_code == 400 and answer.get_json()["error"]["code"] == code


def test_older_records_of_an_unknown_subject_are_not_found(sync, auth, client):
    auth.login("member@example.org")
    for subject in (new_id(), "not-a-uuid"):
        answer = client.get(f"/api/v1/teams/{SLUG}/subjects/{subject}/records")
        assert answer.status_code == 404
