"""The conflicts queue: a coordinator chooses per field; the choice is a new revision that phones pull."""

import re

import pytest
import sqlalchemy as sa
from admin_helpers import ROLES, location, login_as, pulled, text
from conftest import new_id

from fvfield.extensions import db
from fvfield.models import ConflictResolution, Revision

# The queries behind these pages (LIKE on data, substr of recorded_at) run on both stores.
pytestmark = pytest.mark.both_stores

PHONE_B = "9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a"


@pytest.fixture
def conflict(sync, auth):
    """A visit edited on two phones from rev 1: notes on both, cups on the second only."""
    login_as(auth, "member")
    record = sync.record(data={"time_in": "09:30", "notes": "Tea", "cups": 1})
    sync.results(record)
    mine = sync.record(
        id=record["id"], base_rev=1, data={"time_in": "09:30", "notes": "Tea and toast", "cups": 1}
    )
    assert sync.results(mine)[0]["status"] == "applied"
    theirs = sync.record(
        id=record["id"], base_rev=1, data={"time_in": "09:30", "notes": "Tea, no toast", "cups": 3}
    )
    assert sync.results(theirs, device=PHONE_B)[0]["status"] == "conflict"
    login_as(auth, "coord")
    return record["id"]


def page_path(record_id):
    return f"/teams/clapton-circle/conflicts/records/{record_id}"


def radios(response):
    """Return {field radio name: [(value, checked)]} of a conflict page."""
    found = {}
    for tag in re.findall(r"<input[^>]*type=\"radio\"[^>]*>", response.get_data(as_text=True)):
        name = re.search(r'name="([^"]+)"', tag).group(1)
        found.setdefault(name, []).append((re.search(r'value="([^"]+)"', tag).group(1), "checked" in tag))
    return found


def conflict_links(response):
    """Return the links to conflict pages on a page."""
    return re.findall(
        r'href="(/teams/clapton-circle/conflicts/records/[^"]+)"', response.get_data(as_text=True)
    )


def seen_changes(response):
    """Return the hidden list of conflicting revisions a conflict page shows."""
    return re.search(
        r'name="seen_changes" type="hidden" value="([^"]*)"', response.get_data(as_text=True)
    ).group(1)


@pytest.mark.parametrize("who, status", ROLES)
def test_admin_conflicts_pages_by_role(client, auth, conflict, who, status):
    login_as(auth, who)
    assert client.get("/teams/clapton-circle/conflicts").status_code == status
    assert client.get(page_path(conflict)).status_code == status
    assert client.post(page_path(conflict), data={"rev": 2}).status_code in (
        (302, 400) if status == 200 else (status,)
    )


def test_admin_conflicts_of_another_team_are_not_found(client, auth, conflict):
    login_as(auth, "other")
    assert client.get(f"/teams/ridley-market/conflicts/records/{conflict}").status_code == 404
    login_as(auth, "coord")
    assert client.get(f"/teams/clapton-circle/conflicts/records/{new_id()}").status_code == 404
    assert client.get("/teams/clapton-circle/conflicts/forms/visit").status_code == 404


def test_admin_conflicts_queue_lists_what_waits(client, auth, conflict):
    page = client.get("/teams/clapton-circle/conflicts")
    assert conflict_links(page) == [page_path(conflict)]
    assert "Visit" in text(page)


def test_admin_conflicts_page_shows_each_field_with_both_values(client, auth, conflict):
    response = client.get(page_path(conflict))
    page = text(response)
    assert (
        "Notes Tea and toast Current version (rev 2) Tea, no toast Mo Member's version, from phone 9e8d7c6b"
        in page
    )
    assert "Cups of tea 1 Current version (rev 2) 3 Mo Member's version" in page
    assert "Time in" not in page.split("Choose between", 1)[1]
    choices = radios(response)
    assert len(choices) == 2
    assert all(options[0] == ("current", True) for options in choices.values())


def test_admin_conflicts_choice_is_a_new_revision_phones_pull(app, client, auth, conflict, sync):
    response = client.get(page_path(conflict))
    names = list(radios(response))
    form = {"rev": 2, "seen_changes": seen_changes(response)}
    form[names[0]] = "rival-0"  # notes: keep the second phone's
    form[names[1]] = "current"  # cups: keep 1
    response = client.post(page_path(conflict), data=form)
    assert location(response) == f"/teams/clapton-circle/records/{conflict}"
    assert "Your choice is saved as rev 3" in text(client.get(location(response)))
    login_as(auth, "member")
    document = pulled(sync, conflict)
    assert (document["rev"], document["has_conflict"]) == (3, False)
    assert document["data"] == {"time_in": "09:30", "notes": "Tea, no toast", "cups": 1}
    with app.app_context():
        statuses = db.session.execute(
            sa.select(Revision.rev, Revision.status)
            .where(Revision.document_id == conflict)
            .order_by(Revision.pk)
        ).all()
        assert [tuple(row) for row in statuses] == [
            (1, "applied"),
            (2, "applied"),
            (2, "conflict"),
            (3, "applied"),
        ]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ConflictResolution)) == 1
    login_as(auth, "coord")
    assert conflict_links(client.get("/teams/clapton-circle/conflicts")) == []
    history = text(client.get(f"/teams/clapton-circle/records/{conflict}")).split("History", 1)[1]
    assert "Rev 3 Applied Resolves a conflict Cora Coordinator · the web" in history
    assert "Rev 2 Resolved conflict" in history and "Resolved by Cora Coordinator" in history


def test_admin_conflicts_retried_conflicting_change_still_answers_conflict(client, auth, conflict, sync):
    response = client.get(page_path(conflict))
    seen = seen_changes(response)
    client.post(
        page_path(conflict),
        data={"rev": 2, "seen_changes": seen, **{name: "current" for name in radios(response)}},
    )
    login_as(auth, "member")
    retry = sync.record(
        id=conflict,
        base_rev=1,
        change_id=seen,
        data={"time_in": "09:30", "notes": "Tea, no toast", "cups": 3},
    )
    result = sync.results(retry, device=PHONE_B)[0]
    assert (result["status"], result["original_status"]) == ("duplicate", "conflict")
    assert pulled(sync, conflict)["has_conflict"] is False


def test_admin_conflicts_choice_on_a_stale_page_saves_nothing(client, auth, conflict, sync):
    response = client.get(page_path(conflict))
    seen = seen_changes(response)
    names = list(radios(response))
    login_as(auth, "member")
    late = sync.record(id=conflict, base_rev=1, data={"time_in": "09:30", "notes": "Biscuits", "cups": 1})
    assert sync.results(late, device="1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d")[0]["status"] == "conflict"
    login_as(auth, "coord")
    response = client.post(
        page_path(conflict), data={"rev": 2, "seen_changes": seen, **{name: "current" for name in names}}
    )
    assert location(response) == page_path(conflict)
    assert "This changed while you were choosing" in text(client.get(page_path(conflict)))
    document = pulled(sync, conflict)
    assert (document["rev"], document["has_conflict"]) == (2, True)
    assert "Biscuits" in text(client.get(page_path(conflict)))


def test_admin_conflicts_without_a_conflict_goes_to_the_record(client, auth, sync):
    login_as(auth, "coord")
    record = sync.record()
    sync.results(record)
    response = client.get(page_path(record["id"]))
    assert location(response) == f"/teams/clapton-circle/records/{record['id']}"


def test_admin_conflicts_of_a_subject_resolved_the_same_way(client, auth, sync):
    login_as(auth, "member")
    person = sync.subject(label="Edna", data={"contacts": "Rob"})
    sync.results(person)
    sync.results(sync.subject(id=person["id"], base_rev=1, label="Edna Jones", data={"contacts": "Rob"}))
    late = sync.subject(id=person["id"], base_rev=1, label="Edna May", data={"contacts": "Rob, 07700 900456"})
    assert sync.results(late, device=PHONE_B)[0]["status"] == "conflict"
    login_as(auth, "coord")
    path = f"/teams/clapton-circle/conflicts/subjects/{person['id']}"
    response = client.get(path)
    page = text(response)
    assert "Name Edna Jones Current version (rev 2) Edna May Mo Member's version" in page
    assert "Key contacts Rob Current version (rev 2) Rob, 07700 900456" in page
    seen = seen_changes(response)
    names = list(radios(response))
    response = client.post(
        path, data={"rev": 2, "seen_changes": seen, names[0]: "rival-0", names[1]: "rival-0"}
    )
    assert location(response) == f"/teams/clapton-circle/subjects/{person['id']}"
    document = pulled(sync, person["id"])
    assert (document["label"], document["data"], document["has_conflict"]) == (
        "Edna May",
        {"contacts": "Rob, 07700 900456"},
        False,
    )


def test_admin_conflicts_choice_that_breaks_the_form_saves_nothing(client, auth, sync):
    from fvfield.questionnaires import load_template

    sync.publish(load_template("home-visit"))
    login_as(auth, "member")
    base = {"time_in": "09:00", "concern": False, "medicines": "prompted"}
    record = sync.record(form="home-visit", data=base)
    sync.results(record)
    sync.results(
        sync.record(id=record["id"], base_rev=1, form="home-visit", data={**base, "medicines": "given"})
    )
    declined = {**base, "medicines": "declined", "medicines_declined_reason": "Had taken them already"}
    late = sync.record(id=record["id"], base_rev=1, form="home-visit", data=declined)
    assert sync.results(late, device=PHONE_B)[0]["status"] == "conflict"
    login_as(auth, "coord")
    response = client.get(page_path(record["id"]))
    names = list(radios(response))
    assert len(names) == 2
    response = client.post(
        page_path(record["id"]),
        data={"rev": 2, "seen_changes": seen_changes(response), names[0]: "rival-0", names[1]: "current"},
    )
    assert response.status_code == 400
    assert "This choice cannot be saved Reason declined:" in text(response)
    document = pulled(sync, record["id"])
    assert (document["rev"], document["has_conflict"], document["data"]["medicines"]) == (2, True, "given")
