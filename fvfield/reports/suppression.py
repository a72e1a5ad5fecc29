"""The results members and viewers see: no one named, and small numbers suppressed.

Coordinators see every chart as numbers.py and kept.py give it. Everyone
else in the team sees the same charts with the people added up together
(the care circle's charts name the people visited) and, as statistical
offices publish, every cell that counts fewer than the team's threshold
(teams.small_numbers, 5 unless a coordinator sets another) of records or
people written "fewer than N" instead of its number: a count of 1 to N-1,
a mean of fewer than N wellbeing checks, the hours of fewer than N visits.
A 0 stays 0: it tells of no one.

Footfall counts and basket prices are left as they are: they count people
passing a street and prices on show at stalls, not anyone's records.
"""

from dataclasses import dataclass

from fvfield.reports import kept
from fvfield.reports.numbers import Table

DEFAULT = 5
LOWEST, HIGHEST = 2, 100
ALL_PEOPLE = "All people"
# The charts whose every number is a count of records or people.
COUNTS = {"visits", "tasks", "concerns", "stories", "pitches", "goods", "feedback"}
# The charts of means, and the column counting the checks each row's means are of.
MEANS = {"wellbeing": "Checks", "loneliness": "Checks"}
# The charts that name a person per column: added up into one column of ALL_PEOPLE.
NAMING = {"visits", "time-spent"}


@dataclass(frozen=True)
class Suppressed:
    """A cell that counts fewer than `threshold` records or people: shown as words, drawn as nothing."""

    threshold: int

    def __str__(self):
        return f"fewer than {self.threshold}"


def is_small(value, threshold):
    """Return whether a count is one of those suppressed: 1 to threshold - 1."""
    return isinstance(value, (int, float)) and 0 < value < threshold


def hidden(value, threshold):
    """Return a count as shown: itself, or Suppressed when it is small."""
    return Suppressed(threshold) if is_small(value, threshold) else value


def people_together(table, keys=1):
    """Return a table whose columns naming people are added up into one column of ALL_PEOPLE."""
    rows = [row[:keys] + [sum(v or 0 for v in row[keys:])] for row in table.rows]
    return Table(table.columns[:keys] + [ALL_PEOPLE], rows)


def counts_hidden(table, threshold, keys=1):
    """Return a table of counts with each small count suppressed."""
    return Table(
        table.columns, [row[:keys] + [hidden(v, threshold) for v in row[keys:]] for row in table.rows]
    )


def means_hidden(table, threshold, column, keys=1):
    """Return a table of means whose rows of fewer than `threshold` checks are suppressed, means and count."""
    at = table.columns.index(column)
    rows = []
    for row in table.rows:
        if is_small(row[at], threshold):
            row = row[:keys] + [Suppressed(threshold) if v is not None else None for v in row[keys:]]
        rows.append(row)
    return Table(table.columns, rows)


def hours_hidden(table, visits, threshold):
    """Return the table of hours with each bucket's hours suppressed when fewer than `threshold` visits made them."""
    made_of = {row[0]: row[1] for row in visits.rows}
    rows = [
        [row[0]] + [Suppressed(threshold) if is_small(made_of.get(row[0], 0), threshold) else row[1]]
        for row in table.rows
    ]
    return Table(table.columns, rows)


def shared_table(chart, table, team, period):
    """Return a chart's table as members and viewers see it: no one named, small numbers suppressed."""
    threshold = team.small_numbers or DEFAULT
    if chart.slug in NAMING:
        table = people_together(table)
    if chart.slug == "time-spent":
        visits = people_together(kept.visits_per_person_per_week(team.id, period))
        return hours_hidden(table, visits, threshold)
    if chart.slug in COUNTS:
        return counts_hidden(table, threshold, chart.keys)
    if chart.slug in MEANS:
        return means_hidden(table, threshold, MEANS[chart.slug], chart.keys)
    return table


def drawable(table):
    """Return a table whose suppressed cells are None: a chart draws nothing for them."""
    return Table(
        table.columns, [[None if isinstance(v, Suppressed) else v for v in row] for row in table.rows]
    )
