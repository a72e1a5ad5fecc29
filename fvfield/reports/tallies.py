"""Each day's tallies of a team's form, kept up to date from the team's change sequence.

A tally is what one record adds to the dashboard's additive reports (visits
and minutes per person, tasks, wellbeing sums and counts, story domains).
The tallies of a day are the sum over that day's live records. refresh()
reads the documents changed since the last change it saw (tally_marks),
finds the days they are on now and were on before (their revisions), and
recounts those days only; a report then adds up a period's days, never its
records (reports/kept.py).
"""

import json
from collections import Counter
from datetime import date

import sqlalchemy as sa

from fvfield.extensions import db
from fvfield.models import DayTally, TallyMark
from fvfield.reports import numbers
from fvfield.sync.documents import documents, revisions, teams
from fvfield.sync.facets import day_of

CHUNK = 500
SEP = "\t"


def visit_tally(subject_id, answers):
    """Return what a home visit adds: a visit and its minutes for its person, its tasks."""
    person = subject_id or ""
    found = Counter({f"visits{SEP}{person}": 1})
    minutes = numbers.minutes_between(answers.get("time_in"), answers.get("time_out"))
    if minutes is not None:
        found[f"minutes{SEP}{person}"] += minutes
    for name in ("tasks_done", "tasks_declined"):
        answer = answers.get(name)
        if isinstance(answer, list):
            found.update(f"{name}{SEP}{task}" for task in set(answer) if isinstance(task, str))
    return found


def wellbeing_tally(subject_id, answers):
    """Return what a wellbeing check adds: sums and counts of each ONS answer and of the loneliness total."""
    found = Counter()
    values = numbers.ons_answers(answers)
    if any(v is not None for v in values):
        found["checks"] += 1
        for index, value in enumerate(values):
            if value is not None:
                found[f"sum{SEP}{index}"] += value
                found[f"count{SEP}{index}"] += 1
    total = numbers.loneliness_total(answers)
    if total is not None:
        found["lonely_sum"] += total
        found["lonely_count"] += 1
    return found


def story_tally(subject_id, answers):
    """Return what a change story adds: one story of its domain."""
    domain = answers.get("domain")
    return Counter({f"domain{SEP}{json.dumps(domain)}": 1})


TALLIES = {numbers.HOME_VISIT: visit_tally, numbers.WELLBEING: wellbeing_tally, numbers.STORY: story_tally}


def count_days(team_id, days=None):
    """Return {(form, day): tallies} of the live records on these days (None: on every day), streamed."""
    query = (
        sa.select(documents.c.form, documents.c.day, documents.c.subject_id, documents.c.data)
        .where(
            documents.c.team_id == team_id,
            documents.c.collection == "records",
            documents.c.deleted == sa.false(),
        )
        .execution_options(yield_per=CHUNK)
    )
    if days is None:
        pairs = [query.where(documents.c.form.in_(list(TALLIES)))]
    else:
        # One query per day, by the day index.
        pairs = [query.where(documents.c.form == form, documents.c.day == day) for form, day in sorted(days)]
    found = {pair: Counter() for pair in days or ()}
    for each in pairs:
        for form, day, subject_id, data in db.session.execute(each):
            answers = json.loads(data)
            tally = TALLIES[form](subject_id, answers if isinstance(answers, dict) else {})
            if day is not None:
                found.setdefault((form, day), Counter()).update(tally)
    return found


def dirty_days(team_id, since, until):
    """Return the (form, day) pairs that the team's changes after `since` up to `until` may have changed."""
    rows = db.session.execute(
        sa.select(documents.c.id, documents.c.form, documents.c.day, documents.c.received_at)
        .where(
            documents.c.team_id == team_id,
            documents.c.seq > since,
            documents.c.seq <= until,
            documents.c.collection == "records",
        )
        .execution_options(yield_per=CHUNK)
    )
    found = set()
    for chunk in rows.partitions():
        found.update((row.form, row.day) for row in chunk)
        if since < 0:
            continue
        # The days they were on before: a change may move a record to another day or form.
        received = {row.id: row.received_at for row in chunk}
        earlier = db.session.execute(
            sa.select(revisions.c.document_id, revisions.c.form, revisions.c.recorded_at).where(
                revisions.c.team_id == team_id, revisions.c.document_id.in_(list(received))
            )
        )
        for document_id, form, recorded_at in earlier:
            if received[document_id] is not None:
                found.add((form, day_of(recorded_at, received[document_id])[0]))
    return {(form, day) for form, day in found if form in TALLIES and day}


def behind(team_id):
    """Return whether changes of the team came after those its tallies include."""
    mark = db.session.scalar(sa.select(TallyMark.seq).where(TallyMark.team_id == team_id))
    return mark != db.session.scalar(sa.select(teams.c.change_seq).where(teams.c.id == team_id))


def refresh(team_id):
    """Bring the team's day tallies up to its latest change; return how many days were recounted.

    The caller holds the team's write lock (begin_write) and commits.
    """
    mark = db.session.get(TallyMark, team_id)
    until = db.session.scalar(sa.select(teams.c.change_seq).where(teams.c.id == team_id))
    since = mark.seq if mark is not None else -1
    if since == until:
        return 0
    # The first time, every record is read once; then only the days changes touched.
    if since < 0:
        counted = count_days(team_id)
        db.session.execute(sa.delete(DayTally).where(DayTally.team_id == team_id))
    else:
        counted = count_days(team_id, dirty_days(team_id, since, until))
        for form, day in counted:
            db.session.execute(
                sa.delete(DayTally).where(
                    DayTally.team_id == team_id, DayTally.form == form, DayTally.day == day
                )
            )
    rows = [
        {"team_id": team_id, "form": form, "day": day, "tallies": json.dumps(tallies)}
        for (form, day), tallies in sorted(counted.items())
        if tallies
    ]
    if rows:
        db.session.execute(sa.insert(DayTally), rows)
    if mark is None:
        db.session.add(TallyMark(team_id=team_id, seq=until))
    else:
        mark.seq = until
    db.session.flush()
    return len(counted)


def day_tallies(team_id, form, period):
    """Return {day: Counter} of a form's kept tallies in the period."""
    rows = db.session.execute(
        sa.select(DayTally.day, DayTally.tallies).where(
            DayTally.team_id == team_id, DayTally.form == form, period.holds(DayTally.day)
        )
    )
    return {date.fromisoformat(day): Counter(json.loads(tallies)) for day, tallies in rows}
