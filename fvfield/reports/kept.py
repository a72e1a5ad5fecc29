"""The additive reports of the dashboard, from the kept day tallies rather than from the records.

Each gives the very table its namesake in numbers.py computes from every
record of the period (tests/test_kept_numbers.py holds them equal): it reads
a row per day of the period instead, whatever the number of records.
"""

import json
from collections import Counter

import sqlalchemy as sa
from flask import g

from fvfield.extensions import db
from fvfield.models import TallyMark
from fvfield.reports import numbers
from fvfield.reports.tallies import SEP, period_tallies


def by_day(team_id, form, period, name):
    """Return {(day, key): number} of the tallies `name<TAB>key` of a form in the period."""
    return split(team_id, form, period).get(name, Counter())


def split(team_id, form, period):
    """Return {name: {(day, key): number}} of a form's tallies in the period, read once per app context.

    The charts of one dashboard read the same form's tallies (visits, minutes,
    tasks): they are read and split by name once, for the team's latest
    counted change (tally_marks), so a later change reads them again.
    """
    mark = db.session.scalar(sa.select(TallyMark.seq).where(TallyMark.team_id == team_id))
    kept = g.setdefault("fvfield_split_tallies", {})
    key = (team_id, form, period, mark)
    if key not in kept:
        found = {}
        for day, tallies in period_tallies(team_id, form, period).items():
            for tally, number in tallies.items():
                name, _, what = tally.partition(SEP)
                counts = found.get(name)
                if counts is None:
                    counts = found[name] = Counter()
                counts[(day, what or None)] += number
        kept[key] = found
    return kept[key]


def visits_per_person_per_week(team_id, period):
    """Count home visits per person per week (or month, or quarter)."""
    counts = by_day(team_id, numbers.HOME_VISIT, period, "visits")
    return numbers.bucket_table(period, *numbers.top_people(team_id, counts))


def time_spent_per_week(team_id, period):
    """Add up the hours of home visits per person per week (or month, or quarter)."""
    return numbers.hours_table(team_id, period, by_day(team_id, numbers.HOME_VISIT, period, "minutes"))


def tasks_mix(team_id, period):
    """Count how often each task was done, and declined, in home visits."""
    done, declined = Counter(), Counter()
    for (_, task), number in by_day(team_id, numbers.HOME_VISIT, period, "tasks_done").items():
        done[task] += number
    for (_, task), number in by_day(team_id, numbers.HOME_VISIT, period, "tasks_declined").items():
        declined[task] += number
    return numbers.tasks_table(team_id, done, declined)


def months_of(team_id, period, read):
    """Return monthly_means' {month: (sums, counts, checks)} from each day's tallies, read by `read`."""
    months = {}
    for day, tallies in sorted(period_tallies(team_id, numbers.WELLBEING, period).items()):
        found = read(tallies)
        if found is None:
            continue
        sums, counts, checks = found
        kept = months.setdefault(period.month(day), ([0] * len(sums), [0] * len(sums), [0]))
        kept[2][0] += checks
        for index, (total, count) in enumerate(zip(sums, counts)):
            kept[0][index] += total
            kept[1][index] += count
    return months


def ons_read(tallies):
    """Return (sums, counts, checks) of a day's ONS answers, or None when it has no check."""
    if not tallies["checks"]:
        return None
    items = range(len(numbers.WELLBEING_ITEMS))
    return (
        [tallies[f"sum{SEP}{i}"] for i in items],
        [tallies[f"count{SEP}{i}"] for i in items],
        tallies["checks"],
    )


def lonely_read(tallies):
    """Return (sums, counts, checks) of a day's loneliness totals, or None when it has none."""
    if not tallies["lonely_count"]:
        return None
    return [tallies["lonely_sum"]], [tallies["lonely_count"]], tallies["lonely_count"]


def wellbeing_over_time(team_id, period):
    """Average each ONS personal wellbeing answer (0-10) per month of wellbeing checks."""
    return numbers.wellbeing_table(period, months_of(team_id, period, ons_read))


def loneliness_over_time(team_id, period):
    """Average the UCLA 3-item loneliness total (3 low to 9 high) per month of wellbeing checks."""
    return numbers.loneliness_table(period, months_of(team_id, period, lonely_read))


def stories_per_domain(team_id, period):
    """Count change stories by what each change is mostly about."""
    counts = Counter()
    for (_, domain), number in by_day(team_id, numbers.STORY, period, "domain").items():
        counts[json.loads(domain)] += number
    return numbers.stories_table(team_id, counts)
