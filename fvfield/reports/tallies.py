"""Each day's tallies of a team's form, kept up to date from the team's change sequence.

A tally is what one record adds to the dashboard's additive reports (visits
and minutes per person, tasks, wellbeing sums and counts, story domains).
The tallies of a day are the sum over that day's live records. refresh()
reads the documents changed since the last change it saw (tally_marks),
finds the days they are on now and were on before (their revisions), and
recounts those days only, then adds up again the months those days are in
(month_tallies). A report then adds up a period's days, never its records
(reports/kept.py); a period counted by month or quarter reads the whole
months it spans from month_tallies and only the days of the months it cuts,
so that all time reads a row per month rather than per day.
"""

import json
from collections import Counter
from datetime import date, timedelta

import sqlalchemy as sa

from fvfield.extensions import db
from fvfield.models import DayTally, MonthTally, TallyMark
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
    add_up_months(team_id, {(form, day[:7]) for form, day in counted} if since >= 0 else None)
    if mark is None:
        db.session.add(TallyMark(team_id=team_id, seq=until))
    else:
        mark.seq = until
    db.session.flush()
    return len(counted)


def add_up_months(team_id, months=None):
    """Add up the day tallies of these (form, "YYYY-MM") months again (None: every month of the team)."""
    query = sa.select(DayTally.form, DayTally.day, DayTally.tallies).where(DayTally.team_id == team_id)
    if months is None:
        db.session.execute(sa.delete(MonthTally).where(MonthTally.team_id == team_id))
        chosen = [query]
    else:
        chosen = []
        for form, month in sorted(months):
            db.session.execute(
                sa.delete(MonthTally).where(
                    MonthTally.team_id == team_id, MonthTally.form == form, MonthTally.month == month
                )
            )
            chosen.append(
                query.where(
                    DayTally.form == form, DayTally.day >= f"{month}-01", DayTally.day <= f"{month}-31"
                )
            )
    found = {}
    for each in chosen:
        for form, day, tallies in db.session.execute(each):
            found.setdefault((form, day[:7]), Counter()).update(json.loads(tallies))
    rows = [
        {"team_id": team_id, "form": form, "month": month, "tallies": json.dumps(total)}
        for (form, month), total in sorted(found.items())
        if total
    ]
    if rows:
        db.session.execute(sa.insert(MonthTally), rows)


def whole_months(period):
    """Return the first and last day of the whole months a period spans, or None when it spans none."""
    first = None if period.start is None else period.start
    if first is not None and first.day != 1:
        first = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    after = period.end + timedelta(days=1)
    last = after - timedelta(days=1) if after.day == 1 else after.replace(day=1) - timedelta(days=1)
    if first is not None and first > last:
        return None
    return first, last


def period_tallies(team_id, form, period):
    """Return {day: Counter} of a form's kept tallies in the period, for reports that count in its buckets.

    Counting by month or quarter, a whole month of the period comes as one
    entry on its first day (month_tallies); the days of a month the period
    cuts come one by one. By week, every day comes on its own.
    """
    if period.unit == "week":
        return day_tallies(team_id, form, period)
    span = whole_months(period)
    if span is None:
        return day_tallies(team_id, form, period)
    first, last = span
    months = sa.select(MonthTally.month, MonthTally.tallies).where(
        MonthTally.team_id == team_id, MonthTally.form == form, MonthTally.month <= f"{last:%Y-%m}"
    )
    if first is not None:
        months = months.where(MonthTally.month >= f"{first:%Y-%m}")
    found = {
        date.fromisoformat(f"{month}-01"): Counter(json.loads(t)) for month, t in db.session.execute(months)
    }
    inside = DayTally.day <= last.isoformat()
    if first is not None:
        inside = sa.and_(DayTally.day >= first.isoformat(), inside)
    days = db.session.execute(
        sa.select(DayTally.day, DayTally.tallies).where(
            DayTally.team_id == team_id, DayTally.form == form, period.holds(DayTally.day), ~inside
        )
    )
    for day, tallies in days:
        found.setdefault(date.fromisoformat(day), Counter()).update(json.loads(tallies))
    return found


def day_tallies(team_id, form, period):
    """Return {day: Counter} of a form's kept tallies in the period."""
    rows = db.session.execute(
        sa.select(DayTally.day, DayTally.tallies).where(
            DayTally.team_id == team_id, DayTally.form == form, period.holds(DayTally.day)
        )
    )
    return {date.fromisoformat(day): Counter(json.loads(tallies)) for day, tallies in rows}
