"""The dashboard's kept numbers equal a count from scratch, after any pushes, edits, deletes, conflicts and versions."""

import json
from datetime import UTC, datetime, timedelta
from random import Random

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fvfield.extensions import begin_write, db
from fvfield.models import Team
from fvfield.questionnaires import load_template
from fvfield.reports import kept, numbers, tallies
from fvfield.reports.periods import period_of

pytestmark = pytest.mark.both_stores

REPORTS = (
    "visits_per_person_per_week",
    "time_spent_per_week",
    "tasks_mix",
    "wellbeing_over_time",
    "loneliness_over_time",
    "stories_per_domain",
)
PEOPLE = [f"f0000000-0000-4000-8000-00000000000{n}" for n in range(3)]
TASKS = ["personal_care", "meal", "shopping", "laundry"]
DOMAINS = [None, "wellbeing", "relationships", "other"]
NOW = datetime.now(UTC).replace(microsecond=0)

forms = st.sampled_from(["home-visit", "wellbeing-check", "change-story"])
# ("new", form, person, days back), ("edit", which, person, days back), ("delete", which),
# ("conflict", which, days back), ("version",), ("look",)
operations = st.one_of(
    st.tuples(st.just("new"), forms, st.sampled_from(PEOPLE), st.integers(0, 400), st.integers(0, 2**32)),
    st.tuples(
        st.just("edit"),
        st.integers(0, 50),
        st.sampled_from(PEOPLE),
        st.integers(0, 400),
        st.integers(0, 2**32),
    ),
    st.tuples(st.just("delete"), st.integers(0, 50)),
    st.tuples(st.just("conflict"), st.integers(0, 50), st.integers(0, 400), st.integers(0, 2**32)),
    st.tuples(st.just("version")),
    st.tuples(st.just("look")),
)


def answers_for(form, random, version=1):
    """Return answers of a form, drawn with `random`."""
    if form == "home-visit":
        answers = {
            "time_in": random.choice(["08:00", "09:30", "23:45"]),
            "tasks_done": random.sample(TASKS if version > 1 else TASKS[:3], random.randint(0, 3)),
            "concern": False,
        }
        if random.random() < 0.7:
            answers["time_out"] = random.choice(["09:00", "10:15", "00:30"])
    elif form == "wellbeing-check":
        answers = {
            name: random.randint(0, 10) for name, _ in numbers.WELLBEING_ITEMS if random.random() < 0.8
        }
        answers.update(
            {name: random.randint(1, 3) for name in numbers.LONELINESS_ITEMS if random.random() < 0.8}
        )
        # Answers on the person's behalf are kept but counted nowhere.
        answers["answered_by"] = random.choice(["self", "self", "proxy"])
    else:
        answers = {"title": "A change", "what_changed": "Out more.", "why_it_matters": "Less alone."}
        answers.update(reference_period="last_3_months", storyteller_consent="anonymous")
        domain = random.choice(DOMAINS)
        if domain:
            answers["domain"] = domain
    return answers


def moment(days_back, random):
    """Return a recorded_at `days_back` days ago, sometimes from an absurd phone clock."""
    if random.random() < 0.05:
        return random.choice(["1970-01-01T00:00:00+00:00", "9999-12-31T10:00:00+00:00"])
    return (NOW - timedelta(days=days_back, hours=random.randint(0, 23))).isoformat()


class Team13:
    """The records pushed so far: {id: [form, version, person, recorded_at, rev, answers]}."""

    def __init__(self, sync):
        self.sync, self.records, self.version = sync, {}, 1

    def push(self, change):
        [result] = self.sync.results(change)
        assert result["status"] in ("applied", "merged", "conflict"), result
        return result

    def change(self, record_id, base_rev, form, version, person, recorded_at, answers, deleted=False):
        return self.sync.record(
            id=record_id,
            base_rev=base_rev,
            form=form,
            form_version=version,
            subject_id=person,
            recorded_at=recorded_at,
            data=answers,
            deleted=deleted,
        )

    def pick(self, which):
        live = sorted(self.records)
        return live[which % len(live)] if live else None

    def apply(self, operation):
        kind = operation[0]
        if kind == "new":
            _, form, person, days_back, seed = operation
            random = Random(seed)
            version = self.version if form == "home-visit" else 1
            change = self.change(
                None, 0, form, version, person, moment(days_back, random), answers_for(form, random, version)
            )
            result = self.push(change)
            self.records[change["id"]] = [
                form,
                version,
                person,
                change["recorded_at"],
                result["rev"],
                change["data"],
            ]
        elif kind in ("edit", "delete", "conflict"):
            record_id = self.pick(operation[1])
            if record_id is None:
                return
            form, version, person, recorded_at, rev, answers = self.records[record_id]
            if kind == "delete":
                change = self.change(
                    record_id, rev, form, version, person, recorded_at, answers, deleted=True
                )
            else:
                random = Random(operation[-1])
                if kind == "edit":
                    person, base = operation[2], rev
                else:
                    # A phone that missed the latest change: merged or kept as a conflict.
                    base = max(1, rev - 1)
                recorded_at = moment(operation[-2], random)
                change = self.change(
                    record_id, base, form, version, person, recorded_at, answers_for(form, random, version)
                )
            result = self.push(change)
            self.records[record_id][4] = result["rev"]
            if result["status"] == "applied" and kind == "edit":
                self.records[record_id][2:4] = [person, recorded_at]
                self.records[record_id][5] = change["data"]
        elif kind == "version":
            definition = load_template("home-visit")
            for field in definition["fields"]:
                if field["name"] == "tasks_done":
                    field["choices"] = field["choices"] + [{"value": "laundry", "label": "Laundry"}]
            self.version = self.sync.publish(definition)
        else:
            self.look()

    def look(self):
        with self.sync.app.app_context():
            team_id = db.session.scalar(sa.select(Team.id).where(Team.slug == "clapton-circle"))
            begin_write(team_id)
            tallies.refresh(team_id)
            db.session.commit()
            return team_id


def test_kept_numbers_equal_a_count_from_scratch(app, sync, auth):
    for form in ("home-visit", "wellbeing-check", "change-story"):
        sync.publish(load_template(form))
    auth.login()
    team = Team13(sync)
    team.push(sync.subject(id=PEOPLE[0], label="Ada"))
    team.push(sync.subject(id=PEOPLE[1], label="Ben"))
    team.push(sync.subject(id=PEOPLE[2], label="Cy"))

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(operations, min_size=1, max_size=20))
    def check(steps):
        for step in steps:
            team.apply(step)
        team_id = team.look()
        with app.app_context():
            today = datetime.now(UTC).date()
            for name in ("12w", "1y", "all"):
                period = period_of(team_id, name, today)
                for report in REPORTS:
                    assert getattr(kept, report)(team_id, period) == getattr(numbers, report)(
                        team_id, period
                    ), (
                        report,
                        name,
                    )

    check()


# What waits for coordinators (reports/waiting.py): kept counts equal a count from scratch.
URGENCIES = ["today", "this_week", "for_information"]
# ("new", concern?, urgency), ("edit", which, concern?, urgency), ("delete", which),
# ("conflict", which), ("resolve", which), ("look",)
waiting_steps = st.one_of(
    st.tuples(st.just("new"), st.booleans(), st.sampled_from(URGENCIES)),
    st.tuples(st.just("edit"), st.integers(0, 30), st.booleans(), st.sampled_from(URGENCIES)),
    st.tuples(st.just("delete"), st.integers(0, 30)),
    st.tuples(st.just("conflict"), st.integers(0, 30)),
    st.tuples(st.just("resolve"), st.integers(0, 30)),
    st.tuples(st.just("look")),
)


def from_scratch(team_id):
    """Count open, urgent and resolved concerns and conflicts by reading every document of the team."""
    from fvfield.models import ConcernResolution, Document
    from fvfield.reports.waiting import is_urgent
    from fvfield.sync.facets import asks_concern

    definitions = {
        (row.form_id, row.version): row.definition
        for row in db.session.execute(sa.text("SELECT form_id, version, definition FROM form_versions"))
    }
    definitions = {key: (json.loads(d) if isinstance(d, str) else d) for key, d in definitions.items()}
    resolved = set(
        db.session.scalars(sa.select(ConcernResolution.record_id).where(ConcernResolution.team_id == team_id))
    )
    found = {"concerns": 0, "urgent": 0, "resolved": 0, "conflicts": 0}
    for doc in db.session.scalars(sa.select(Document).where(Document.team_id == team_id)):
        found["conflicts"] += bool(doc.has_conflict)
        definition = definitions.get((doc.form, doc.form_version))
        data = json.loads(doc.data)
        if doc.collection != "records" or doc.deleted or not asks_concern(definition):
            continue
        if data.get("concern") is not True:
            continue
        if doc.id in resolved:
            found["resolved"] += 1
        else:
            found["concerns"] += 1
            found["urgent"] += is_urgent(definition, data)
    return found


def test_waiting_counts_equal_a_count_from_scratch(app, client, sync, auth):
    from fvfield.reports import waiting

    sync.publish(load_template("home-visit"))
    auth.login()
    person = sync.subject(label="Ada")
    sync.results(person)
    records = {}

    def visit(record_id, rev, concern, urgency, base=None):
        data = {"time_in": "09:00", "concern": concern}
        if concern:
            data.update(concern_details="Found on the floor.", concern_urgency=urgency or "this_week")
        return sync.record(
            id=record_id,
            base_rev=rev if base is None else base,
            form="home-visit",
            subject_id=person["id"],
            data=data,
        )

    def pick(which):
        live = sorted(records)
        return live[which % len(live)] if live else None

    def team_id():
        with app.app_context():
            return db.session.scalar(sa.select(Team.id).where(Team.slug == "clapton-circle"))

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(waiting_steps, min_size=1, max_size=12))
    def check(steps):
        for step in steps:
            kind = step[0]
            if kind == "new":
                change = visit(None, 0, step[1], step[2])
                [result] = sync.results(change)
                assert result["status"] == "applied", result
                records[change["id"]] = result["rev"]
            elif kind == "look":
                assert client.get("/").status_code == 200
            else:
                record_id = pick(step[1])
                if record_id is None:
                    continue
                rev = records[record_id]
                if kind == "resolve":
                    client.post(
                        f"/teams/clapton-circle/concerns/{record_id}/resolve",
                        data={f"concern-{record_id}-note": "Called the family."},
                    )
                    continue
                if kind == "delete":
                    change = visit(record_id, rev, False, None)
                    change["deleted"] = True
                elif kind == "edit":
                    change = visit(record_id, rev, step[2], step[3])
                else:
                    # A phone that missed the latest change: merged or kept as a conflict.
                    change = visit(record_id, rev, True, "today", base=max(1, rev - 1))
                [result] = sync.results(change)
                if result["status"] in ("applied", "merged", "conflict"):
                    records[record_id] = result["rev"]
        with app.app_context():
            begin_write(team_id())
            kept = waiting.numbers_of(waiting.refresh(team_id()))
            db.session.commit()
            assert kept == from_scratch(team_id())

    check()
