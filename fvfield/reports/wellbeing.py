"""Wellbeing over time, for the group and per person, with the ONS thresholds beside the numbers.

The group's monthly means are the dashboard's own (kept.py, the kept day
tallies): the same numbers on both pages. The bands and each person's months
read the period's wellbeing checks (numbers.records_of), as the dashboard's
reports do. A proxy's answers count nowhere (numbers.own_answers).

The ONS publishes its personal wellbeing answers (0 to 10) in bands:

- life satisfaction, worthwhile, happiness: 0-4 low, 5-6 medium, 7-8 high,
  9-10 very high;
- anxiety: 0-1 very low, 2-3 low, 4-5 medium, 6-10 high.

A mean lies between whole answers: it is given the band its value reaches
(a mean of 6.5 is medium, 7 high), so that a band's lower bound is where it starts.
"""

from collections import Counter
from dataclasses import dataclass

from fvfield.reports import kept, numbers
from fvfield.reports.numbers import Table

POSITIVE_BANDS = ((0, "low"), (5, "medium"), (7, "high"), (9, "very high"))
ANXIETY_BANDS = ((0, "very low"), (2, "low"), (4, "medium"), (6, "high"))
ANXIETY = "anxious_yesterday"
BAND_HEADER = "Question"


def bands_of(name):
    """Return the ONS bands of a wellbeing question: ((lowest answer, band), ...)."""
    return ANXIETY_BANDS if name == ANXIETY else POSITIVE_BANDS


def band_of(name, value):
    """Return the ONS band of an answer or a mean of the question `name` ("" for no number)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return ""
    return [band for lowest, band in bands_of(name) if value >= lowest][-1]


def band_words(name):
    """Say a question's bands as the ONS gives them: 0 to 4 low, 5 to 6 medium, ..."""
    bands = bands_of(name)
    parts = []
    for index, (lowest, band) in enumerate(bands):
        highest = bands[index + 1][0] - 1 if index + 1 < len(bands) else 10
        parts.append(f"{lowest} to {highest} {band}")
    return ", ".join(parts)


def group_means(team_id, period):
    """Return (ONS means, loneliness means) per month of the group: the dashboard's tables."""
    return kept.wellbeing_over_time(team_id, period), kept.loneliness_over_time(team_id, period)


@dataclass
class Checks:
    """What the period's own wellbeing checks give beyond the group's monthly means."""

    bands: tuple
    people: dict
    person_bands: tuple
    person_months: dict


def read_checks(team_id, period, person=None):
    """Read the period's own wellbeing checks once: the band counts, the people with checks and one person's.

    `person_bands` and `person_months` (monthly_means-like sums of the ONS
    answers then the loneliness total) are those of `person` when one is given.
    """
    group = {name: Counter() for name, _ in numbers.WELLBEING_ITEMS}
    own = {name: Counter() for name, _ in numbers.WELLBEING_ITEMS}
    people, months = Counter(), {}
    for record in numbers.records_of(team_id, [numbers.WELLBEING], period):
        if not numbers.own_answers(record.answers) or not record.day:
            continue
        values = numbers.ons_answers(record.answers)
        lonely = numbers.loneliness_total(record.answers)
        if all(v is None for v in values) and lonely is None:
            continue
        if record.subject_id:
            people[record.subject_id] += 1
        theirs = person is not None and record.subject_id == person
        for (name, _), value in zip(numbers.WELLBEING_ITEMS, values):
            if value is not None:
                group[name][band_of(name, value)] += 1
                if theirs:
                    own[name][band_of(name, value)] += 1
        if theirs:
            add_month(months, period.month(record.day), values + [lonely])
    return Checks(band_tables(group), people, band_tables(own), months)


def add_month(months, month, values):
    """Add one check's values to its month's (sums, counts, checks)."""
    sums, counts, checks = months.setdefault(month, ([0] * len(values), [0] * len(values), [0]))
    checks[0] += 1
    for index, value in enumerate(values):
        if value is not None:
            sums[index] += value
            counts[index] += 1


def band_tables(counts):
    """Return how many answers of each question fall in each of its ONS bands: (positive questions, anxiety).

    Two tables, as the ONS's bands of anxiety are not those of the other three.
    """
    tables = []
    for names in ([n for n, _ in numbers.WELLBEING_ITEMS if n != ANXIETY], [ANXIETY]):
        bands = [band for _, band in bands_of(names[0])]
        labels = dict(numbers.WELLBEING_ITEMS)
        rows = [[labels[name]] + [counts[name][band] for band in bands] for name in names]
        tables.append(Table([BAND_HEADER] + bands, rows))
    return tuple(tables)


def person_tables(period, months):
    """Return (ONS means, loneliness means) per month of one person from read_checks' person_months."""
    items = len(numbers.WELLBEING_ITEMS)
    ons = {m: (s[:items], c[:items], k) for m, (s, c, k) in months.items()}
    lonely = {m: (s[items:], c[items:], k) for m, (s, c, k) in months.items()}
    return numbers.wellbeing_table(period, ons), numbers.loneliness_table(period, lonely)


def people_named(team_id, people):
    """Return [(subject id, name, checks)] of the people with checks, by name."""
    subjects = numbers.subjects_of(team_id, list(people))
    named = [(i, subjects[i][1] if i in subjects else numbers.NO_PERSON, n) for i, n in people.items()]
    return sorted(named, key=lambda p: p[1].casefold())
