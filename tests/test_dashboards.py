"""Dashboards: each chart's SVG, table and CSV hold the numbers of the records pushed by phones.

Records are pushed through the real push (the API, with the test client);
records of every version count and deleted ones do not.
"""

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import dashboard_data as data
import pytest
import sqlalchemy as sa
from conftest import make_team

from fvfield.extensions import begin_write, db
from fvfield.models import AuditEvent, ConcernResolution, Team, User
from fvfield.sync import drafts
from fvfield.sync.forms import install_questionnaires, publish_form_version

SVG = "{http://www.w3.org/2000/svg}"
ROLES = [("coord", 200), ("member", 403), ("viewer", 403), ("other", 404)]
CHARTS = {
    "clapton-circle": ["visits", "time-spent", "tasks", "concerns", "wellbeing", "loneliness"],
    "ridley-market": ["pitches", "goods", "prices", "footfall"],
    "hackney-stories": ["stories", "feedback", "wellbeing", "loneliness"],
}
COORDINATORS = {"clapton-circle": "coord", "ridley-market": "other", "hackney-stories": "coord"}


def login_as(auth, who):
    """Log the test client in as coord, member, viewer or other (all @example.org)."""
    auth.logout()
    assert auth.login(email=f"{who}@example.org").status_code == 302


def publish_next(app, slug, form_id, change):
    """Publish the next version of a built-in form of a team, changed by `change(definition)`."""
    with app.app_context():
        begin_write()
        team = db.session.scalar(sa.select(Team).where(Team.slug == slug))
        latest = drafts.published_versions(team.id, form_id)[-1].definition
        publish_form_version(team, change(latest))
        db.session.commit()


def push_all(client, slug, changes):
    """Push changes one at a time as a phone would; assert each was applied."""
    for change in changes:
        answer = client.post(
            f"/api/v1/teams/{slug}/push",
            json={"device_id": "7d3c1a52-5f6e-4d7a-9b8c-1e2f3a4b5c6d", "changes": [change]},
        )
        assert answer.status_code == 200, answer.get_data(as_text=True)
        assert answer.get_json()["results"][0]["status"] == "applied", answer.get_json()


@pytest.fixture
def seeded(app, client, auth, people):
    """Three teams with their built-in forms (two in a second version) and the records of dashboard_data."""
    with app.app_context():
        begin_write()
        coord = db.session.scalar(sa.select(User).where(User.email == "coord@example.org"))
        make_team("hackney-stories", kind="evaluation", members=[(coord, "coordinator")])
        for team in db.session.scalars(sa.select(Team)):
            install_questionnaires(team)
        db.session.commit()
    publish_next(app, "clapton-circle", "home-visit", data.home_visit_v2)
    publish_next(app, "ridley-market", "footfall-count", data.footfall_v2)
    login_as(auth, "coord")
    push_all(client, "clapton-circle", data.care_circle_changes())
    push_all(client, "hackney-stories", data.evaluation_changes())
    login_as(auth, "other")
    push_all(client, "ridley-market", data.market_changes())
    with app.app_context():
        begin_write()
        team = db.session.scalar(sa.select(Team).where(Team.slug == "clapton-circle"))
        db.session.add(
            ConcernResolution(
                team_id=team.id,
                record_id=data.RESOLVED_CONCERN,
                record_rev=1,
                note="Called the GP.",
                resolved_at=datetime(2026, 11, 11, 16, 0, tzinfo=UTC),
            )
        )
        db.session.commit()
    return people


def read_csv(response):
    """Return the rows of a CSV download."""
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))


def drawn_numbers(svg_text, series):
    """Return {(row, series): number} as the chart's bars and dots name them in their <title>s."""
    root = ET.fromstring(svg_text)
    found = {}
    for shape in list(root.iter(f"{SVG}rect")) + list(root.iter(f"{SVG}circle")):
        title = shape.find(f"{SVG}title")
        if title is None:
            continue
        about, _, number = title.text.rpartition(": ")
        name = next(s for s in series if about.endswith(", " + s))
        found[(about[: -len(name) - 2], name)] = float(number.replace(",", ""))
    return found


def row_names(svg_text):
    """Return the names of a bar chart's rows, as drawn above each bar (their order on the chart)."""
    root = ET.fromstring(svg_text)
    texts = [t.text for t in root.iter(f"{SVG}text") if t.get("x") == "0"]
    return texts


@pytest.mark.parametrize("who, status", ROLES)
def test_dashboard_csv_is_for_coordinators(seeded, client, auth, who, status):
    login_as(auth, who)
    assert client.get("/teams/clapton-circle/dashboard/visits.csv").status_code == status


@pytest.mark.parametrize("who, status", [("coord", 200), ("member", 200), ("viewer", 200), ("other", 404)])
def test_dashboard_pages_for_every_role(seeded, client, auth, who, status):
    login_as(auth, who)
    paths = ["/teams/clapton-circle/dashboard", "/teams/clapton-circle/dashboard/visits.svg"]
    assert {path: client.get(path).status_code for path in paths} == dict.fromkeys(paths, status)


EVERY_CHART = [(slug, chart) for slug, charts in CHARTS.items() for chart in charts]
DRAWN = [
    (slug, chart)
    for slug, chart in EVERY_CHART
    if slug != "hackney-stories" or chart in ("stories", "feedback")
]
LINES = ("wellbeing", "loneliness", "prices")
TABLE_ONLY = ("Checks", "Pitches surveyed", "Minutes", "Total", "People per hour")


@pytest.mark.both_stores
def test_dashboard_csv_holds_the_charts_numbers(seeded, client, auth, app):
    found, expected = {}, {}
    for slug, chart in EVERY_CHART:
        login_as(auth, COORDINATORS[slug])
        response = client.get(f"/teams/{slug}/dashboard/{chart}.csv?period=all")
        assert response.status_code == 200
        assert response.mimetype == "text/csv"
        assert response.headers["Content-Disposition"].startswith(
            f'attachment; filename="{slug}-chart-{chart}-'
        )
        found[(slug, chart)] = read_csv(response)
        # The evaluation team has no wellbeing checks: its tables have a header only.
        expected[(slug, chart)] = (
            data.EXPECTED[chart][:1]
            if slug == "hackney-stories" and chart not in ("stories", "feedback")
            else data.EXPECTED[chart]
        )
    assert found == expected
    with app.app_context():
        events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event == "data_exported")).all()
        assert [e.detail for e in events] == [{"format": "chart", "chart": chart} for _, chart in EVERY_CHART]


def expected_numbers(chart, row_names):
    """Return {(row, series): number} that a chart must draw: the numbers of its drawn columns.

    Stacked bars leave out their parts of 0; grouped bars and lines draw every number they have.
    """
    header, *rows = data.EXPECTED[chart]
    keys = 2 if chart in ("pitches", "footfall", "feedback") else 1
    every = chart in LINES or chart in ("tasks", "concerns")
    numbers = {}
    for row, name in zip(rows, row_names):
        for column, value in zip(header[keys:], row[keys:]):
            if column not in TABLE_ONLY and value != "" and (every or float(value) != 0):
                numbers[(name, column)] = float(value)
    return numbers


@pytest.mark.both_stores
def test_dashboard_svg_draws_the_records_numbers(seeded, client, auth):
    found, expected = {}, {}
    for slug, chart in DRAWN:
        login_as(auth, COORDINATORS[slug])
        response = client.get(f"/teams/{slug}/dashboard/{chart}.svg?period=all")
        assert response.status_code == 200
        assert response.mimetype == "image/svg+xml"
        text = response.get_data(as_text=True)
        root = ET.fromstring(text)
        assert root.tag == f"{SVG}svg" and root.get("role") == "img"
        title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
        assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert title.text and "every number" in desc.text
        header = data.EXPECTED[chart][0]
        drawn = drawn_numbers(text, [c for c in header if c not in TABLE_ONLY])
        names = list(dict.fromkeys(row for row, _ in drawn)) if chart in LINES else row_names(text)
        assert len(names) == len(data.EXPECTED[chart]) - 1, (chart, names)
        found[chart], expected[chart] = drawn, expected_numbers(chart, names)
    assert found == expected


def test_dashboard_bar_charts_write_their_numbers_as_text(seeded, client, auth):
    login_as(auth, "coord")
    root = ET.fromstring(client.get("/teams/clapton-circle/dashboard/visits.svg?period=all").data)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts[:2] == ["Ada Brown", "Ben Okafor"]
    assert "Week of 2 Nov 2026" in texts and "Week of 23 Nov 2026" in texts
    week = texts.index("Week of 2 Nov 2026")
    assert texts[week + 1 : week + 4] == ["2", "1", "3"]


def test_dashboard_page_shows_each_chart_with_its_table_and_links(seeded, client, auth):
    login_as(auth, "other")
    page = client.get("/teams/ridley-market/dashboard?period=all").get_data(as_text=True)
    for chart in CHARTS["ridley-market"]:
        assert f'href="/teams/ridley-market/dashboard/{chart}.csv?period=all"' in page
        assert f'href="/teams/ridley-market/dashboard/{chart}.svg?period=all"' in page
        assert f'id="chart-{chart}-title"' in page
    assert page.count('role="img"') == 4
    assert re.search(
        r'<th scope="row">Ridley Road Market</th>\s*<th scope="row" class="word">2026-11-19</th>\s*'
        r'<td class="num">2</td>',
        page,
    )
    assert "visits.svg" not in page


def test_dashboard_charts_of_another_kind_are_not_found(seeded, client, auth):
    login_as(auth, "coord")
    assert client.get("/teams/clapton-circle/dashboard/footfall.svg").status_code == 404
    assert client.get("/teams/clapton-circle/dashboard/nothing.csv").status_code == 404


def test_dashboard_without_records_says_so(client, auth, people, app):
    with app.app_context():
        begin_write()
        install_questionnaires(db.session.scalar(sa.select(Team).where(Team.slug == "clapton-circle")))
        db.session.commit()
    login_as(auth, "coord")
    page = client.get("/teams/clapton-circle/dashboard")
    assert page.status_code == 200
    assert page.get_data(as_text=True).count("Nothing recorded for this chart yet.") == 6
    svg = ET.fromstring(client.get("/teams/clapton-circle/dashboard/visits.svg?period=all").data)
    assert "Nothing has been recorded" in svg.find(f"{SVG}desc").text
    assert read_csv(client.get("/teams/clapton-circle/dashboard/visits.csv")) == [["Week starting"]]
