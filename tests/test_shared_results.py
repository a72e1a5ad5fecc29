"""Results for every role: members and viewers read the dashboard with no one named and small numbers suppressed.

The records are those of tests/dashboard_data.py, pushed by phones (the seeded
fixture of test_dashboards.py).
"""

import re
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from test_dashboards import SVG, login_as, seeded  # noqa: F401  (seeded is a fixture)

from fvfield.extensions import db
from fvfield.models import AuditEvent, Team
from fvfield.reports import dashboard, suppression
from fvfield.reports.numbers import Table

NAMES = ("Ada Brown", "Ben Okafor")


def cells(page, header):
    """Return the rows of the table under the chart titled `header` as the page shows them (cells as text)."""
    section = page[page.index(f">{header}</h2>") :]
    body = section[section.index("<tbody>") : section.index("</tbody>")]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def set_threshold(client, slug, number):
    """Post the small-numbers setting as a coordinator."""
    return client.post(f"/teams/{slug}/dashboard/small-numbers", data={"small_numbers": str(number)})


@pytest.mark.parametrize("who", ["member", "viewer"])
def test_members_and_viewers_see_no_one_named(seeded, client, auth, who):  # noqa: F811
    login_as(auth, who)
    page = client.get("/teams/clapton-circle/dashboard?period=all").get_data(as_text=True)
    svg = client.get("/teams/clapton-circle/dashboard/visits.svg?period=all").get_data(as_text=True)
    hours = client.get("/teams/clapton-circle/dashboard/time-spent.svg?period=all").get_data(as_text=True)
    for name in NAMES:
        assert name not in page and name not in svg and name not in hours
    # No free text either: the coordinator's note on the resolved concern stays on the concerns page.
    assert "Called the GP" not in page
    assert ".csv" not in page
    assert cells(page, "Visits per person per week")[0] == ["2026-11-02", "fewer than 5"]
    assert "All people" in page
    # The coordinators' pages are not offered.
    assert 'href="/teams/clapton-circle/records"' not in page


def test_small_numbers_are_suppressed_below_the_teams_threshold(seeded, client, auth, app):  # noqa: F811
    login_as(auth, "coord")
    assert set_threshold(client, "clapton-circle", 2).status_code == 302
    login_as(auth, "viewer")
    page = client.get("/teams/clapton-circle/dashboard?period=all").get_data(as_text=True)
    assert cells(page, "Visits per person per week") == [
        ["2026-11-02", "3"],
        ["2026-11-09", "0"],
        ["2026-11-16", "fewer than 2"],
        ["2026-11-23", "fewer than 2"],
    ]
    # The hours of fewer than 2 visits say so too.
    assert cells(page, "Time spent with each person per week (hours)") == [
        ["2026-11-02", "3"],
        ["2026-11-09", "0"],
        ["2026-11-16", "fewer than 2"],
    ]
    # A month of a single check shows no mean at all.
    assert cells(page, "Wellbeing over time (ONS, 0 to 10)") == [
        ["2026-10", "fewer than 2", "fewer than 2", "fewer than 2", "fewer than 2", "fewer than 2"],
        ["2026-11", "7", "8", "6", "3", "2"],
    ]
    assert cells(page, "Tasks done and declined")[0] == ["Personal care", "0", "fewer than 2"]
    # The chart draws nothing for a suppressed number: no bar names its count.
    svg = client.get("/teams/clapton-circle/dashboard/visits.svg?period=all").data
    titles = [t.text for t in ET.fromstring(svg).iter(f"{SVG}title")]
    assert "Week of 2 Nov 2026, All people: 3" in titles
    assert not any(t.startswith("Week of 16 Nov 2026") for t in titles)
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.event == "small_numbers_changed"))
        assert event.detail == {"old": 5, "new": 2}
        assert db.session.scalar(sa.select(Team.small_numbers).where(Team.slug == "clapton-circle")) == 2


def test_coordinators_see_every_number_and_can_preview_the_shared_view(seeded, client, auth):  # noqa: F811
    login_as(auth, "coord")
    page = client.get("/teams/clapton-circle/dashboard?period=all").get_data(as_text=True)
    assert "Ada Brown" in page and "fewer than 5<" not in page
    assert "visits.csv" in page
    shared = client.get("/teams/clapton-circle/dashboard?period=all&view=shared").get_data(as_text=True)
    assert "Ada Brown" not in shared and "fewer than 5<" in shared
    assert "visits.csv" not in shared


@pytest.mark.parametrize("number", ["1", "101", "five", ""])
def test_the_threshold_must_be_a_sensible_whole_number(seeded, client, auth, app, number):  # noqa: F811
    login_as(auth, "coord")
    answer = set_threshold(client, "clapton-circle", number)
    assert answer.status_code == 400
    assert "from 2 to 100" in answer.get_data(as_text=True) or "whole number" in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(Team.small_numbers).where(Team.slug == "clapton-circle")) == 5


@pytest.mark.parametrize("who, status", [("member", 403), ("viewer", 403), ("other", 404)])
def test_only_coordinators_set_the_threshold(seeded, client, auth, who, status):  # noqa: F811
    login_as(auth, who)
    assert set_threshold(client, "clapton-circle", 3).status_code == status


def test_suppression_keeps_zero_and_large_counts():
    table = Table(["Domain", "Stories"], [["A", 0], ["B", 1], ["C", 4], ["D", 5]])
    shown = suppression.counts_hidden(table, 5)
    assert [str(row[1]) for row in shown.rows] == ["0", "fewer than 5", "fewer than 5", "5"]
    assert suppression.drawable(shown).rows[1] == ["B", None]


def test_workshop_feedback_counts_are_suppressed_for_members_and_viewers():
    table = Table(
        ["Question", "Answer", "Answers"],
        [["Overall, how was it?", "4 Good", 2], ["Overall, how was it?", "5 Very good", 6], ["Q", "No", 0]],
    )
    team = SimpleNamespace(id=1, small_numbers=5)
    shown = suppression.shared_table(dashboard.FEEDBACK, table, team, period=None)
    assert [[str(v) for v in row] for row in shown.rows] == [
        ["Overall, how was it?", "4 Good", "fewer than 5"],
        ["Overall, how was it?", "5 Very good", "6"],
        ["Q", "No", "0"],
    ]
