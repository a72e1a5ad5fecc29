"""`fvfield seed-demo`: demo teams full of sample data that dashboards and phones show, and --remove."""

import json
import re
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from fvfield.accounts import demo
from fvfield.extensions import db
from fvfield.models import Device, Document, Membership, Revision, Team, User
from fvfield.reports.dashboard import charts_of
from fvfield.reports.periods import period_of
from fvfield.sync.push import push_changes

SLUGS = ("demo-circle", "demo-market")
DEMO_EMAILS = {email for email, _, _ in demo.PEOPLE}
NOTHING = "Nothing recorded for this chart yet."


def seed(runner, *args):
    """Run seed-demo; return its output, asserting it succeeded."""
    result = runner.invoke(args=["seed-demo", *args])
    assert result.exit_code == 0, result.output
    return result.output


def password_of(output, email):
    """Return the password seed-demo printed for a demo login."""
    return re.search(rf"{re.escape(email)}\s+(\S+)", output).group(1)


def team_id(slug):
    """Return the id of the team with this slug, or None."""
    return db.session.scalar(sa.select(Team.id).where(Team.slug == slug))


def live(slug, collection, **where):
    """Return the team's live documents of a collection, as rows."""
    query = (
        sa.select(Document)
        .where(
            Document.team_id == team_id(slug),
            Document.collection == collection,
            Document.deleted == sa.false(),
        )
        .filter_by(**where)
    )
    return db.session.scalars(query).all()


def footprint(team_ids):
    """Return how many rows of each table that refers to a team belong to these teams."""
    counts = {}
    for table in db.metadata.sorted_tables:
        if "team_id" in table.c and table.name != "audit_events":
            query = sa.select(sa.func.count()).select_from(table).where(table.c.team_id.in_(team_ids))
            counts[table.name] = db.session.scalar(query)
    return counts


def snapshot():
    """Return the counts of documents, revisions, devices and users, and the teams' change numbers."""
    count = lambda model: db.session.scalar(sa.select(sa.func.count()).select_from(model))  # noqa: E731
    seqs = dict(db.session.execute(sa.select(Team.slug, Team.change_seq)).all())
    return {
        "documents": count(Document),
        "revisions": count(Revision),
        "devices": count(Device),
        "users": count(User),
        "memberships": count(Membership),
        "seqs": seqs,
    }


def test_seed_demo_fills_the_circle_with_people_and_weeks_of_visits(app, runner):
    output = seed(runner)
    assert "Sample data in demo-circle: added 3 people and " in output
    with app.app_context():
        people = live("demo-circle", "subjects")
        assert len(people) == 3 and {p.kind for p in people} == {"person"}
        for person in people:
            facts = json.loads(person.data)
            assert facts["important"] and facts["essentials"] and facts["contacts"]
            assert facts[demo.SAMPLE_KEY] == demo.SAMPLE_NOTE
        visits = live("demo-circle", "records", form="home-visit")
        checks = live("demo-circle", "records", form="wellbeing-check")
        assert len(visits) >= 60 and len(checks) >= 3
        assert {v.subject_id for v in visits} == {p.id for p in people}
        days = {date.fromisoformat(v.recorded_at[:10]) for v in visits}
        assert min(days) >= demo.today() - timedelta(weeks=8) and max(days) < demo.today()
        answers = [json.loads(v.data) for v in visits]
        assert all(
            {"time_in", "time_out", "tasks_done", "medicines", "rating", "concern"} <= set(a) for a in answers
        )
        concerns = [a for a in answers if a["concern"]]
        assert len(concerns) == 1
        assert concerns[0]["concern_details"] and concerns[0]["concern_urgency"] == "today"
        authors = {v.author for v in visits}
        names = set(db.session.scalars(sa.select(User.email).where(User.id.in_(authors))))
        assert names == {"demo-coordinator@example.org", "demo-member@example.org"}


def test_seed_demo_fills_the_market_with_pitches_surveys_and_counts(app, runner):
    output = seed(runner)
    assert "Sample data in demo-market: added 1 market, 20 pitches and " in output
    with app.app_context():
        (market,) = live("demo-market", "subjects", kind="market")
        pitches = live("demo-market", "subjects", kind="pitch")
        assert sorted(int(p.label) for p in pitches) == list(range(1, 21))
        assert all(json.loads(p.data)["market_id"] == market.id for p in pitches)
        visits = live("demo-market", "records", form="market-visit")
        surveys = live("demo-market", "records", form="pitch-survey")
        counts = live("demo-market", "records", form="footfall-count")
        assert len(visits) == 3 and len(surveys) == 60 and len(counts) >= 3
        answers = [json.loads(s.data) for s in surveys]
        assert {a["status"] for a in answers} >= {"trading", "vacant", "closed_today", "casual"}
        assert {a["goods_category"] for a in answers if "goods_category" in a} >= {"fruit_veg", "bakery"}
        assert any(name.startswith("price_") for a in answers for name in a)


def test_sample_data_is_stored_by_the_push_logic_and_pulls_to_phones(app, runner, client, auth):
    output = seed(runner)
    with app.app_context():
        rows = db.session.execute(
            sa.select(Document.id, Document.team_id, Document.rev).where(Document.collection != "forms")
        ).all()
        revisions = db.session.execute(
            sa.select(Revision.document_id, Revision.status, Revision.device_id).where(
                Revision.collection != "forms"
            )
        ).all()
        devices = db.session.scalar(sa.select(sa.func.count()).select_from(Device))
    assert rows and all(rev == 1 for _, _, rev in rows)
    assert sorted(r.document_id for r in revisions) == sorted(i for i, _, _ in rows)
    assert {r.status for r in revisions} == {"applied"} and all(r.device_id for r in revisions)
    assert devices == 4  # the coordinator's and the member's phone, in each team
    email = "demo-member@example.org"
    assert auth.login(email=email, password=password_of(output, email)).status_code == 302
    for slug in SLUGS:
        pulled, since = [], None
        while True:
            page = client.get(f"/api/v1/teams/{slug}/pull", query_string={"since": since} if since else {})
            assert page.status_code == 200
            pulled += page.get_json()["changes"]
            since = page.get_json()["cursor"]
            if not page.get_json()["more"]:
                break
        with app.app_context():
            stored = db.session.scalar(
                sa.select(sa.func.count()).select_from(Document).where(Document.team_id == team_id(slug))
            )
        assert len(pulled) == stored
        assert {d["collection"] for d in pulled} == {"forms", "subjects", "records"}


def has_numbers(chart, table):
    """Return whether a chart's table has a row with a number above 0 in a drawn column."""
    drawn = [i for i in range(chart.keys, len(table.columns)) if table.columns[i] not in chart.skip]
    return any(isinstance(row[i], (int, float)) and row[i] > 0 for row in table.rows for i in drawn)


def test_every_chart_of_both_demo_dashboards_has_numbers(app, runner, client, auth):
    output = seed(runner)
    email = "demo-coordinator@example.org"
    assert auth.login(email=email, password=password_of(output, email)).status_code == 302
    for slug in SLUGS:
        page = client.get(f"/teams/{slug}/dashboard")
        assert page.status_code == 200
        assert NOTHING not in page.get_data(as_text=True)
        with app.app_context():
            team = db.session.scalar(sa.select(Team).where(Team.slug == slug))
            charts = charts_of(team)
            assert charts
            for chart in charts:
                table = chart.report(team.id, period_of(team.id, "12w", date.today()))
                assert has_numbers(chart, table), (slug, chart.slug, table)


def test_the_sample_is_the_same_every_time_and_dated_back_from_today(app):
    team = Team(slug="demo-circle", name="Care circle (demo)", kind="care-circle")
    first, again = demo.plan_of(team, date(2026, 3, 2)), demo.plan_of(team, date(2026, 3, 2))
    later = demo.plan_of(team, date(2026, 9, 14))
    assert first == again
    assert [e.change["id"] for e in first] == [e.change["id"] for e in later]
    records = [e for e in later if e.change["collection"] == "records"]
    moments = [datetime.fromisoformat(e.change["recorded_at"]).date() for e in records]
    assert date(2026, 9, 14) - timedelta(days=demo.DAYS) <= min(moments) < date(2026, 7, 27)
    assert max(moments) < date(2026, 9, 14)


def test_a_second_seed_demo_adds_nothing(app, runner):
    seed(runner)
    with app.app_context():
        before = snapshot()
    output = seed(runner)
    assert "Sample data in demo-circle: already there." in output
    assert "Sample data in demo-market: already there." in output
    with app.app_context():
        assert snapshot() == before


def make_other_team(app, runner):
    """Make a team of someone else's, with a member, a person and a visit, and a demo user in it too."""
    assert (
        runner.invoke(
            args=["create-team", "clapton-circle", "--name", "Clapton circle", "--kind", "care-circle"]
        ).exit_code
        == 0
    )
    assert (
        runner.invoke(
            args=["create-user", "cora@example.org", "--name", "Cora"], input="correct horse battery\n"
        ).exit_code
        == 0
    )
    assert (
        runner.invoke(
            args=["add-member", "clapton-circle", "cora@example.org", "--role", "coordinator"]
        ).exit_code
        == 0
    )
    assert (
        runner.invoke(
            args=["add-member", "clapton-circle", "demo-member@example.org", "--role", "member"]
        ).exit_code
        == 0
    )
    with app.app_context():
        cora = db.session.scalar(sa.select(User).where(User.email == "cora@example.org"))
        person = {
            "change_id": demo.demo_id("t", "c1"),
            "collection": "subjects",
            "id": demo.demo_id("t", "p"),
            "base_rev": 0,
            "kind": "person",
            "label": "Edna",
            "data": {},
        }
        visit = {
            "change_id": demo.demo_id("t", "c2"),
            "collection": "records",
            "id": demo.demo_id("t", "v"),
            "base_rev": 0,
            "form": "home-visit",
            "form_version": 1,
            "subject_id": person["id"],
            "recorded_at": "2026-03-02T09:41:00+00:00",
            "data": {"time_in": "09:30", "concern": False},
        }
        results, _ = push_changes(
            team_id("clapton-circle"), cora.id, "coordinator", demo.demo_id("t", "d"), [person, visit]
        )
        assert [r["status"] for r in results] == ["applied", "applied"]
        return footprint([team_id("clapton-circle")])


def test_remove_takes_the_demo_away_and_leaves_other_teams_alone(app, runner):
    seed(runner)
    others = make_other_team(app, runner)
    with app.app_context():
        demo_ids = [team_id(slug) for slug in SLUGS]
    result = runner.invoke(args=["seed-demo", "--remove"])
    assert result.exit_code == 0, result.output
    line = result.output.strip().splitlines()[-1]
    assert line.startswith("Removed the demo teams demo-circle and demo-market (")
    assert "and 2 demo users; kept demo-member@example.org: still in other teams." in line
    with app.app_context():
        assert all(team_id(slug) is None for slug in SLUGS)
        assert not any(footprint(demo_ids).values())
        assert footprint([team_id("clapton-circle")]) == others
        emails = set(db.session.scalars(sa.select(User.email)))
        assert emails == {"cora@example.org", "demo-member@example.org"}
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Device)
                .where(Device.user_id.notin_(sa.select(User.id)))
            )
            == 0
        )


def test_seed_demo_again_after_remove(app, runner):
    seed(runner)
    assert "Removed the demo teams" in runner.invoke(args=["seed-demo", "--remove"]).output
    output = seed(runner)
    assert "Created the team demo-circle." in output
    assert "Sample data in demo-market: added 1 market, 20 pitches and " in output
    with app.app_context():
        assert len(live("demo-circle", "subjects")) == 3
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 3


def test_remove_with_nothing_to_remove(runner):
    result = runner.invoke(args=["seed-demo", "--remove"])
    assert result.exit_code == 0, result.output
    assert "There was no demo data to remove." in result.output


def test_a_team_that_only_shares_a_demo_address_is_left_alone(app, runner):
    assert (
        runner.invoke(
            args=["create-team", "demo-circle", "--name", "Our real circle", "--kind", "care-circle"]
        ).exit_code
        == 0
    )
    output = seed(runner)
    assert "Left demo-circle alone: it is not a demo team, so it gets no sample data." in output
    with app.app_context():
        assert live("demo-circle", "subjects") == []
    runner.invoke(args=["seed-demo", "--remove"])
    with app.app_context():
        assert team_id("demo-circle") is not None and team_id("demo-market") is None
