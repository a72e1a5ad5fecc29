"""The numbers of a team's dashboard: plain functions over the store, one per chart.

Each returns a Table (column names and rows): the numbers its chart draws,
its page lists and its CSV file holds. Records of every version of a form
count, their answers read by question name; deleted records do not. Dates
are the phone's own (the date part of recorded_at, in the phone's time
zone) unless its clock was absurd, when the server's day counts instead
(documents.day, sync/facets.py); weeks start on Monday.

Each report counts the records of a Period (periods.py) only, by week,
month or quarter as its length needs, and lists the TOP people or markets
with the rest together as "Others": every table has a bounded size
whatever the team's history.

Each report reads its records with one streamed query (yield_per, CHUNK rows
at a time) and sums them in Python. The SQL stays plain and portable (no
JSON functions, which SQLite and PostgreSQL spell differently), and memory
is bounded by the number of weeks, people, markets and pitches rather than
of records, except for the medians of prices, which keep each price.
"""

import json
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from fvfield.extensions import db
from fvfield.models import ConcernResolution
from fvfield.reports.files import published_versions
from fvfield.sync.documents import documents

CHUNK = 500
HOME_VISIT, WELLBEING, STORY = "home-visit", "wellbeing-check", "change-story"
PITCH_SURVEY, FOOTFALL = "pitch-survey", "footfall-count"
FEEDBACK = "workshop-feedback"
# The questions of workshop feedback a chart counts: those with a few answers to choose from.
CLOSED = ("scale", "boolean", "choice", "multiple_choice")
WELLBEING_ITEMS = (
    ("life_satisfaction", "Life satisfaction"),
    ("worthwhile", "Worthwhile"),
    ("happy_yesterday", "Happy yesterday"),
    ("anxious_yesterday", "Anxious yesterday"),
)
LONELINESS_ITEMS = ("lack_companionship", "left_out", "isolated")
# Who answered a wellbeing check: answers given on the person's behalf are left out of the figures.
ANSWERED_BY, PROXY = "answered_by", "proxy"
CONCERN = "concern"
# Compact JSON, as the store keeps it: narrows the query before each record is read.
RAISED = '%"concern":true%'
PRICE_PREFIX = "price_"
# Versions of the pitch survey before the price type asked prices as decimals, in pounds.
PRICE_TYPES = ("price", "decimal")
WEEK, MONTH, DAY = "Week starting", "Month", "Day"
NO_PERSON, NO_MARKET, NOT_SAID = "No person given", "No market given", "Not said"
# The people (or markets) a chart names one by one; the others are added up together.
TOP = 8
OTHERS = "Others"
# The footfall counts listed one by one: the latest of the period.
LATEST_COUNTS = 100


@dataclass
class Table:
    """A report's numbers: a header and rows, the first columns naming what each row is about."""

    columns: list
    rows: list


@dataclass
class Record:
    """What a report reads of a record."""

    id: str
    subject_id: str | None
    recorded_at: str | None
    day: date | None
    form: str
    form_version: int
    answers: dict


def records_of(team_id, form_ids, period, narrow=None):
    """Yield the team's live records of these forms in the period, oldest first, streamed CHUNK at a time."""
    query = (
        sa.select(
            documents.c.id,
            documents.c.subject_id,
            documents.c.recorded_at,
            documents.c.day,
            documents.c.form,
            documents.c.form_version,
            documents.c.data,
        )
        .where(
            documents.c.team_id == team_id,
            documents.c.collection == "records",
            documents.c.deleted == sa.false(),
            period.holds(documents.c.day),
        )
        .order_by(documents.c.pk)
        .execution_options(yield_per=CHUNK)
    )
    if form_ids is not None:
        query = query.where(documents.c.form.in_(form_ids))
    if narrow is not None:
        query = query.where(narrow)
    for row in db.session.execute(query):
        answers = json.loads(row.data)
        yield Record(
            row.id,
            row.subject_id,
            row.recorded_at,
            day_of(row.day),
            row.form,
            row.form_version,
            answers if isinstance(answers, dict) else {},
        )


def subjects_of(team_id, ids=None):
    """Return {subject id: (kind, label, data)} of the team's subjects (these only), archived ones included."""
    query = (
        sa.select(documents.c.id, documents.c.kind, documents.c.label, documents.c.data)
        .where(documents.c.team_id == team_id, documents.c.collection == "subjects")
        .execution_options(yield_per=CHUNK)
    )
    if ids is not None:
        query = query.where(documents.c.id.in_([i for i in ids if i]), documents.c.id_scope == 0)
    rows = db.session.execute(query)
    return {row.id: (row.kind, row.label or "", json.loads(row.data)) for row in rows}


def definitions_of(team_id, form_id):
    """Return {version: definition} of a team's form."""
    return {version: definition for version, definition, _ in published_versions(team_id, form_id)}


def question_in(definitions, version, name):
    """Return the question `name` of a version of a form, or None."""
    definition = definitions.get(version) or {}
    return next((f for f in definition.get("fields", ()) if f.get("name") == name), None)


def choice_labels(definitions, name):
    """Return {value: label} of a choice question over all versions, in order, latest labels winning."""
    labels = {}
    for version in sorted(definitions, reverse=True):
        question = question_in(definitions, version, name) or {}
        for choice in question.get("choices", ()):
            labels.setdefault(choice["value"], choice.get("label") or choice["value"])
    latest = [
        c["value"]
        for c in (question_in(definitions, max(definitions, default=0), name) or {}).get("choices", ())
    ]
    return {value: labels[value] for value in latest + [v for v in labels if v not in latest]}


def day_of(recorded_at):
    """Return the phone's date of a record (from recorded_at), or None."""
    try:
        return date.fromisoformat(str(recorded_at)[:10])
    except ValueError:
        return None


def rounded(value):
    """Round a mean, total of hours or median for a table: 2 decimals, whole numbers as integers."""
    value = round(value, 2)
    return int(value) if value == int(value) else value


def unique_labels(labels):
    """Return labels made unique with (2), (3)... so that each names one column."""
    seen, found = Counter(), []
    for label in labels:
        seen[label] += 1
        found.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return found


def bucket_table(period, counts, keys, labels):
    """Return a table of a number per bucket (every one from the first to the last counted) and per key.

    `counts` is {(day, key): number}.
    """
    days = {day for day, _ in counts}
    totals = Counter()
    for (day, key), number in counts.items():
        totals[(period.bucket(day), key)] += number
    if not days:
        return Table([period.header] + labels, [])
    rows = [
        [bucket] + [rounded(totals.get((bucket, key), 0)) for key in keys]
        for bucket in period.buckets(min(days), max(days))
    ]
    return Table([period.header] + labels, rows)


def top_people(team_id, counts):
    """Return (counts, keys, labels): the TOP people by total, by name, and the others as one column."""
    totals = Counter()
    for (_, key), number in counts.items():
        totals[key] += number
    top = {key for key, _ in sorted(totals.items(), key=lambda item: (-item[1], str(item[0])))[:TOP]}
    others = len(totals) - len(top)
    subjects = subjects_of(team_id, top)
    keys = sorted(top, key=lambda i: (i is None, (subjects.get(i, (None, ""))[1] or "").casefold()))
    labels = unique_labels([subjects[i][1] if i in subjects else NO_PERSON for i in keys])
    if others:
        kept = Counter()
        for (day, key), number in counts.items():
            kept[(day, key if key in top else OTHERS)] += number
        counts, keys = kept, keys + [OTHERS]
        labels.append(f"{OTHERS} ({others} {'person' if others == 1 else 'people'})")
    return counts, keys, labels


def visits_per_person_per_week(team_id, period):
    """Count home visits per person per week (or month, or quarter)."""
    counts = Counter()
    for record in records_of(team_id, [HOME_VISIT], period):
        if record.day:
            counts[(record.day, record.subject_id)] += 1
    return bucket_table(period, *top_people(team_id, counts))


def minutes_between(time_in, time_out):
    """Return the minutes from one "HH:MM" to another; a visit past midnight ends the next day."""
    try:
        start, end = (datetime.strptime(t, "%H:%M") for t in (time_in, time_out))
    except (TypeError, ValueError):
        return None
    return (end - start).seconds // 60


def time_spent_per_week(team_id, period):
    """Add up the hours of home visits (time out minus time in) per person per week (or month, or quarter)."""
    minutes = Counter()
    for record in records_of(team_id, [HOME_VISIT], period):
        spent = minutes_between(record.answers.get("time_in"), record.answers.get("time_out"))
        if record.day and spent is not None:
            minutes[(record.day, record.subject_id)] += spent
    return hours_table(team_id, period, minutes)


def hours_table(team_id, period, minutes):
    """Return the table of hours per person and bucket from {(day, person): minutes}."""
    counts, keys, labels = top_people(team_id, minutes)
    return bucket_table(period, Counter({key: spent / 60 for key, spent in counts.items()}), keys, labels)


def tasks_mix(team_id, period):
    """Count how often each task was done, and declined, in home visits."""
    done, declined = Counter(), Counter()
    for record in records_of(team_id, [HOME_VISIT], period):
        for counts, name in ((done, "tasks_done"), (declined, "tasks_declined")):
            answer = record.answers.get(name)
            if isinstance(answer, list):
                counts.update(set(answer))
    return tasks_table(team_id, done, declined)


def tasks_table(team_id, done, declined):
    """Return the table of tasks done and declined from their Counters."""
    definitions = definitions_of(team_id, HOME_VISIT)
    labels = {**choice_labels(definitions, "tasks_declined"), **choice_labels(definitions, "tasks_done")}
    values = [v for v in labels if done[v] or declined[v]]
    values += sorted(v for v in set(done) | set(declined) if v not in labels)
    return Table(["Task", "Done", "Declined"], [[labels.get(v, v), done[v], declined[v]] for v in values])


def concerns_per_week(team_id, period):
    """Count the concerns raised per week (when recorded) and resolved per week (when resolved).

    The store marks the records that raise one (documents.concern): counted by index, none read.
    """
    counts = Counter()
    raised = db.session.execute(
        sa.select(documents.c.day, sa.func.count())
        .where(
            documents.c.team_id == team_id,
            documents.c.collection == "records",
            documents.c.concern == sa.true(),
            period.holds(documents.c.day),
        )
        .group_by(documents.c.day)
    )
    for day, number in raised:
        counts[(date.fromisoformat(day), "raised")] += number
    resolutions = db.session.execute(
        sa.select(ConcernResolution.resolved_at)
        .join(documents, sa.and_(documents.c.id == ConcernResolution.record_id, documents.c.id_scope == 0))
        .where(ConcernResolution.team_id == team_id, documents.c.concern == sa.true())
        .where(
            ConcernResolution.resolved_at >= datetime.combine(period.start or date(2000, 1, 1), time(), UTC)
        )
        .where(ConcernResolution.resolved_at < datetime.combine(period.end + timedelta(days=1), time(), UTC))
    )
    for (resolved_at,) in resolutions:
        counts[(resolved_at.date(), "resolved")] += 1
    return bucket_table(period, counts, ["raised", "resolved"], ["Raised", "Resolved"])


def monthly_means(team_id, form_id, period, read):
    """Return {month (or quarter): (sums, counts)} of the lists of numbers `read(answers)` gives per record."""
    months = {}
    for record in records_of(team_id, [form_id], period):
        day = record.day
        values = read(record.answers)
        if not day or all(v is None for v in values):
            continue
        sums, counts, checks = months.setdefault(
            period.month(day), ([0] * len(values), [0] * len(values), [0])
        )
        checks[0] += 1
        for index, value in enumerate(values):
            if value is not None:
                sums[index] += value
                counts[index] += 1
    return months


def number_answer(answers, name):
    """Return an answer when it is a number (true/false are not), else None."""
    value = answers.get(name)
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def wellbeing_over_time(team_id, period):
    """Average each ONS personal wellbeing answer (0-10) per month of wellbeing checks."""
    return wellbeing_table(period, monthly_means(team_id, WELLBEING, period, ons_answers))


def own_answers(answers):
    """Return whether a wellbeing check holds the person's own answers: the ONS counts no proxy's."""
    return answers.get(ANSWERED_BY) != PROXY


def ons_answers(answers):
    """Return the ONS personal wellbeing answers of a check (None for each unanswered, all None for a proxy's)."""
    if not own_answers(answers):
        return [None] * len(WELLBEING_ITEMS)
    return [number_answer(answers, name) for name, _ in WELLBEING_ITEMS]


def wellbeing_table(period, months):
    """Return the table of ONS means from monthly_means' {month: (sums, counts, checks)}."""
    rows = [
        [month] + [rounded(s / c) if c else None for s, c in zip(sums, counts)] + [checks[0]]
        for month, (sums, counts, checks) in sorted(months.items())
    ]
    return Table([month_header(period)] + [label for _, label in WELLBEING_ITEMS] + ["Checks"], rows)


def loneliness_total(answers):
    """Return the UCLA 3-item loneliness total (3 to 9), or None when an item is unanswered or by a proxy."""
    if not own_answers(answers):
        return None
    values = [number_answer(answers, name) for name in LONELINESS_ITEMS]
    return None if None in values else sum(values)


def loneliness_over_time(team_id, period):
    """Average the UCLA 3-item loneliness total (3 low to 9 high) per month of wellbeing checks."""
    return loneliness_table(
        period, monthly_means(team_id, WELLBEING, period, lambda a: [loneliness_total(a)])
    )


def loneliness_table(period, months):
    """Return the table of loneliness means from monthly_means' {month: (sums, counts, checks)}."""
    rows = [
        [month, rounded(sums[0] / counts[0]), counts[0]]
        for month, (sums, counts, _) in sorted(months.items())
        if counts[0]
    ]
    return Table([month_header(period), "Loneliness (3 to 9)", "Checks"], rows)


def month_header(period):
    """Return the heading of a monthly table's first column: Month, or Quarter when counting by quarter."""
    return period.header if period.unit == "quarter" else MONTH


def stories_per_domain(team_id, period):
    """Count change stories by what each change is mostly about."""
    return stories_table(
        team_id, Counter(r.answers.get("domain") for r in records_of(team_id, [STORY], period))
    )


def stories_table(team_id, counts):
    """Return the table of stories per domain from a Counter of domains (None: not said)."""
    labels = choice_labels(definitions_of(team_id, STORY), "domain")
    values = [v for v in labels if counts[v]] + sorted(v for v in counts if v not in labels and v is not None)
    rows = [[labels.get(v, v), counts[v]] for v in values]
    if counts[None]:
        rows.append([NOT_SAID, counts[None]])
    return Table(["Domain", "Stories"], rows)


def markets_of(subjects):
    """Return {pitch id: market label} from the team's subjects."""
    return {
        subject_id: subjects.get(data.get("market_id"), (None, NO_MARKET, None))[1] or NO_MARKET
        for subject_id, (kind, _, data) in subjects.items()
        if isinstance(data, dict)
    }


def instant(text):
    """Return an ISO 8601 time with an offset as seconds since 1970, for ordering (-inf when unreadable)."""
    try:
        when = datetime.fromisoformat(str(text))
    except ValueError:
        return float("-inf")
    return when.timestamp() if when.tzinfo else float("-inf")


def latest_first(record):
    """Return what orders a record's surveys in time: its day, then its moment (an odd clock's, by its day)."""
    return (
        record.day,
        instant(record.recorded_at) if record.day.isoformat() == str(record.recorded_at)[:10] else 0,
    )


def latest_surveys(team_id, period, per_day):
    """Return {(pitch, day or None): record} of the latest pitch survey of each pitch (on each day)."""
    latest = {}
    for record in records_of(team_id, [PITCH_SURVEY], period):
        day = record.day
        key = (record.subject_id, period.day(day) if per_day and day else None)
        if (
            record.subject_id
            and day
            and (key not in latest or latest_first(record) >= latest_first(latest[key]))
        ):
            latest[key] = record
    return latest


def pitch_status_per_day(team_id, period):
    """Count pitches trading, vacant, closed today or casual per market on each day of survey.

    Counting by month or quarter, each row is a market's month or quarter, from each pitch's latest survey in it.
    """
    markets = markets_of(subjects_of(team_id))
    counts = defaultdict(Counter)
    for (pitch, day), record in latest_surveys(team_id, period, per_day=True).items():
        counts[(markets.get(pitch, NO_MARKET), day)][record.answers.get("status")] += 1
    labels = choice_labels(definitions_of(team_id, PITCH_SURVEY), "status")
    seen = {status for tally in counts.values() for status in tally}
    statuses = [v for v in labels] + sorted(v for v in seen if v not in labels and v is not None)
    rows = [
        [market, day] + [tally[s] for s in statuses] + [sum(tally.values())]
        for (market, day), tally in sorted(
            counts.items(), key=lambda item: (item[0][0].casefold(), item[0][1])
        )
    ]
    return Table(
        ["Market", day_header(period)] + [labels.get(s, s) for s in statuses] + ["Pitches surveyed"], rows
    )


def day_header(period):
    """Return the heading of a table of days: Day, or the bucket counting by month or quarter."""
    return DAY if period.unit == "week" else period.header


def goods_mix(team_id, period):
    """Count what the pitches sell, by market, from the latest survey of each pitch in the period."""
    markets = markets_of(subjects_of(team_id))
    counts = Counter()
    for (pitch, _), record in latest_surveys(team_id, period, per_day=False).items():
        goods = record.answers.get("goods_category")
        if goods is not None:
            counts[(goods, markets.get(pitch, NO_MARKET))] += 1
    labels = choice_labels(definitions_of(team_id, PITCH_SURVEY), "goods_category")
    names = sorted({market for _, market in counts}, key=str.casefold)
    goods = [v for v in labels if any(g == v for g, _ in counts)]
    goods += sorted({g for g, _ in counts if g not in labels})
    rows = [[labels.get(g, g)] + [counts[(g, market)] for market in names] for g in goods]
    return Table(["What is sold"] + names, rows)


def price_questions(definitions):
    """Return {name: label} of the basket's prices: price (or older decimal) questions named price_..."""
    found = {}
    for version in sorted(definitions, reverse=True):
        for question in definitions[version].get("fields", ()):
            name = question.get("name", "")
            if name.startswith(PRICE_PREFIX) and question.get("type") in PRICE_TYPES:
                found.setdefault(name, question.get("label") or name)
    return found


def in_pence(definitions):
    """Return the (version, name) of the price questions kept in pence (type price; a decimal is in pounds)."""
    return {
        (version, question.get("name"))
        for version, definition in definitions.items()
        for question in definition.get("fields", ())
        if question.get("type") == "price"
    }


def basket_prices(team_id, period):
    """Take the median price (£) of each basket item per day of survey (or month, or quarter), over all markets."""
    definitions = definitions_of(team_id, PITCH_SURVEY)
    items, pence = price_questions(definitions), in_pence(definitions)
    prices = defaultdict(list)
    for record in records_of(team_id, [PITCH_SURVEY], period):
        for name in items:
            price = number_answer(record.answers, name)
            if record.day and price is not None:
                pounds = price / 100 if (record.form_version, name) in pence else price
                prices[(period.day(record.day), name)].append(pounds)
    days = sorted({day for day, _ in prices})
    rows = [
        [day] + [rounded(statistics.median(prices[(day, n)])) if prices[(day, n)] else None for n in items]
        for day in days
    ]
    return Table([day_header(period)] + list(items.values()), rows)


def counter_questions(definitions):
    """Return {name: label} of the counters (one per direction) of every version of a form."""
    found = {}
    for version in sorted(definitions, reverse=True):
        for question in definitions[version].get("fields", ()):
            if question.get("type") == "counter":
                found.setdefault(question["name"], question.get("label") or question["name"])
    return found


def footfall_per_interval(team_id, period):
    """List each footfall count: when it started, where, how long, its counters and their total.

    The LATEST_COUNTS latest of the period only: each is a row of its own.
    """
    definitions = definitions_of(team_id, FOOTFALL)
    counters = counter_questions(definitions)
    subjects = subjects_of(team_id)
    counts = []
    for record in records_of(team_id, [FOOTFALL], period):
        started = record.answers.get("interval_start") or record.recorded_at
        numbers = [number_answer(record.answers, name) for name in counters]
        total = sum(n for n in numbers if n is not None)
        minutes = number_answer(record.answers, "minutes")
        market = subjects.get(record.subject_id, (None, NO_MARKET, None))[1] or NO_MARKET
        counts.append(
            (
                instant(started),
                [
                    str(started)[:16].replace("T", " "),
                    market,
                    minutes,
                    *numbers,
                    total,
                    rounded(total * 60 / minutes) if minutes else None,
                ],
            )
        )
    counts.sort(key=lambda item: item[0])
    return Table(
        ["Count started", "Market", "Minutes", *counters.values(), "Total", "People per hour"],
        [row for _, row in counts[-LATEST_COUNTS:]],
    )


def closed_questions(definitions):
    """Return {name: question} of a form's scale, yes/no and choice questions over its versions, latest winning."""
    found = {}
    for version in sorted(definitions, reverse=True):
        for question in definitions[version].get("fields", ()):
            if question.get("type") in CLOSED:
                found.setdefault(question["name"], question)
    return found


def answer_options(question):
    """Return [(value, label)] of a closed question's answers: 1 Very poor ... 5 Very good, Yes, No, a choice."""
    kind = question.get("type")
    if kind == "boolean":
        return [(True, "Yes"), (False, "No")]
    if kind == "scale":
        labels = question.get("labels") or []
        low = int(question.get("min", 0))
        return [
            (value, f"{value} {labels[value - low]}" if value - low < len(labels) else str(value))
            for value in range(low, int(question.get("max", low)) + 1)
        ]
    return [(c["value"], c.get("label") or c["value"]) for c in question.get("choices", ())]


def feedback_answers(team_id, period):
    """Count the answers of the period's workshop feedback to each scale, yes/no and choice question."""
    questions = closed_questions(definitions_of(team_id, FEEDBACK))
    counts = Counter()
    for record in records_of(team_id, [FEEDBACK], period):
        for name in questions:
            answer = record.answers.get(name)
            for value in answer if isinstance(answer, list) else [answer]:
                if value is not None:
                    # A yes/no is kept apart from a scale's 1 and 0: True == 1 in Python.
                    counts[(name, type(value) is bool, value)] += 1
    rows = [
        [question.get("label") or name, label, counts[(name, isinstance(value, bool), value)]]
        for name, question in questions.items()
        for value, label in answer_options(question)
    ]
    return Table(["Question", "Answer", "Answers"], rows if any(row[2] for row in rows) else [])
