"""Dashboards stay the same size whatever the history: a period, weeks then months then quarters, the top people."""

import csv
import io
from datetime import UTC, datetime, timedelta

import dashboard_data as data
import pytest

from fvfield.questionnaires import load_template

pytestmark = pytest.mark.both_stores

NOW = datetime.now(UTC).replace(microsecond=0)


def read_csv(response):
    """Return the rows of a CSV download."""
    assert response.status_code == 200, response.get_data(as_text=True)
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))


@pytest.fixture
def circle(sync, auth):
    """The care circle with the built-in home visit, the coordinator logged in; returns a push of visits."""
    sync.publish(load_template("home-visit"))
    auth.login()

    def push(*changes):
        results = sync.results(*changes)
        assert {r["status"] for r in results} == {"applied"}, results

    return push


def visit(person, when):
    """Return a home visit's change about `person` at `when` (a datetime or an ISO text)."""
    when = when if isinstance(when, str) else when.isoformat()
    return data.visit(1, person, when, "09:00", "10:00")


def test_absurd_phone_clocks_count_on_the_day_received_and_keep_the_page_small(circle, client):
    ada = data.subject(data.ADA, "person", "Ada Brown")
    circle(
        ada,
        visit(data.ADA, NOW - timedelta(days=1)),
        visit(data.ADA, "9999-12-31T10:00:00+00:00"),
        visit(data.ADA, "1970-01-01T00:00:00+00:00"),
        visit(data.ADA, "1999-12-31T23:00:00+00:00"),
    )
    for period in ("12w", "all", "nonsense"):
        page = client.get("/teams/clapton-circle/dashboard", query_string={"period": period})
        assert page.status_code == 200
        assert len(page.data) < 200_000
        rows = read_csv(
            client.get("/teams/clapton-circle/dashboard/visits.csv", query_string={"period": period})
        )
        assert rows[0] == ["Week starting", "Ada Brown"]
        # Today's week, and yesterday's when it was another week.
        assert 1 <= len(rows) - 1 <= 2
        assert sum(int(row[1]) for row in rows[1:]) == 4
    svg = client.get("/teams/clapton-circle/dashboard/visits.svg", query_string={"period": "all"})
    assert svg.status_code == 200 and len(svg.data) < 50_000


def test_a_long_history_is_counted_by_week_then_month_then_quarter(circle, client):
    ada = data.subject(data.ADA, "person", "Ada Brown")
    # A visit every 10 days for about three and a half years.
    circle(ada, *[visit(data.ADA, NOW - timedelta(days=10 * n)) for n in range(130)])
    expected = {
        "12w": ("Week starting", 13),
        "26w": ("Week starting", 27),
        "1y": ("Month", 13),
        "all": ("Quarter", 16),
    }
    for period, (header, most) in expected.items():
        rows = read_csv(
            client.get("/teams/clapton-circle/dashboard/visits.csv", query_string={"period": period})
        )
        assert rows[0][0] == header, period
        assert len(rows) - 1 <= most, (period, len(rows))
    # The default is the last 12 weeks: 9 visits of the 130 in them.
    rows = read_csv(client.get("/teams/clapton-circle/dashboard/visits.csv"))
    assert rows[0][0] == "Week starting"
    assert sum(int(row[1]) for row in rows[1:]) == 9
    every = read_csv(client.get("/teams/clapton-circle/dashboard/visits.csv", query_string={"period": "all"}))
    assert sum(int(row[1]) for row in every[1:]) == 130


def test_the_people_with_most_visits_have_a_column_each_and_the_others_share_one(circle, client):
    people = [f"e0000000-0000-4000-8000-0000000000{n:02d}" for n in range(12)]
    subjects = [data.subject(p, "person", f"Person {n:02d}") for n, p in enumerate(people)]
    # Person n has n + 1 visits: the top 8 are persons 04 to 11.
    visits = [visit(p, NOW - timedelta(hours=k + 1)) for n, p in enumerate(people) for k in range(n + 1)]
    circle(*subjects, *visits)
    rows = read_csv(client.get("/teams/clapton-circle/dashboard/visits.csv"))
    assert rows[0] == ["Week starting"] + [f"Person {n:02d}" for n in range(4, 12)] + ["Others (4 people)"]
    totals = [sum(int(row[i]) for row in rows[1:]) for i in range(1, len(rows[0]))]
    assert totals == [n + 1 for n in range(4, 12)] + [1 + 2 + 3 + 4]
