"""The results members and viewers see: no one named, and small numbers suppressed.

Coordinators see every chart as numbers.py and kept.py give it. Everyone
else in the team sees the same charts with the people added up together
(the care circle's charts name the people visited) and, as statistical
offices publish, every cell that counts fewer than the team's threshold
(teams.small_numbers, 5 unless a coordinator sets another) of records or
people written "fewer than N" instead of its number: a count of 1 to N-1,
a mean of fewer than N wellbeing checks, the hours of fewer than N visits.
A 0 stays 0: it tells of no one.

Where a table shows a total beside its parts (the pitches surveyed beside
each status), a single suppressed part could be worked out as the total
minus the others. So, as statistical offices do, a second cell is
suppressed too (secondary suppression, `protected`): the smallest other part
that is not 0, else the total itself, until no suppressed cell follows from
the shown numbers and totals. A secondary cell says "not shown", not "fewer
than N", as it may be larger.

Footfall counts and basket prices are left as they are: they count people
passing a street and prices on show at stalls, not anyone's records.
"""

from dataclasses import dataclass
from fractions import Fraction

from flask_babel import gettext

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
# The count charts whose last column is the total of the row's other counts.
ROW_TOTALS = {"pitches": "Pitches surveyed"}


@dataclass(frozen=True)
class Suppressed:
    """A cell that counts fewer than `threshold` records or people: shown as words, drawn as nothing.

    A secondary one (`secondary`) may count more: it is hidden so that another
    cell cannot be worked out from a total.
    """

    threshold: int
    secondary: bool = False

    def __str__(self):
        if self.secondary:
            return gettext("not shown")
        return gettext("fewer than %(number)s", number=self.threshold)


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


def protected(values, lines, threshold):
    """Return which cells of a table to suppress so that none can be worked out from the totals shown.

    `values` maps each cell (any hashable key) to its count, parts and totals
    alike; `lines` lists (parts, total): cells whose counts add up to the
    total cell, as a row with its total or a column with its total. Every
    small count (1 to threshold - 1) is suppressed first; then, while a
    suppressed cell follows from the shown numbers (`derivable`), the
    smallest shown part that is not 0 of a line through it is suppressed too,
    else that line's total. Returns {cell: Suppressed}.
    """
    hidden_cells = {cell: Suppressed(threshold) for cell, v in values.items() if is_small(v, threshold)}
    while True:
        found = derivable(hidden_cells, lines)
        if not found:
            return hidden_cells
        # Lines through a cell that follows first; else any line with a suppressed cell in it. One of
        # them has a cell left to hide: were every count of those lines hidden, their sums would all be
        # 0 and fix nothing but zeros, and no hidden count is 0.
        through = [line for line in lines if any(c in found for c in line[0] + [line[1]])]
        others = [line for line in lines if any(c in hidden_cells for c in line[0] + [line[1]])]
        left = (left_to_hide(line, values, hidden_cells) for line in through + others)
        choice = next(cell for cell in left if cell is not None)
        hidden_cells[choice] = Suppressed(threshold, secondary=True)


def left_to_hide(line, values, hidden_cells):
    """Return the cell of a line to hide next: its smallest shown part that is not 0, else its total, or None."""
    parts, total = line
    shown = [c for c in parts if c not in hidden_cells and values[c]]
    if shown:
        return min(shown, key=lambda c: (values[c], repr(c)))
    return total if total not in hidden_cells and values[total] else None


def derivable(hidden_cells, lines):
    """Return the suppressed cells whose counts follow from the shown ones through the lines' sums.

    Each line says that the suppressed cells of its parts, less its total when
    that is suppressed, add up to a known number. A cell follows when it is
    fixed by these equations: a row of their reduced echelon form is that
    cell alone (exact, in fractions).
    """
    unknowns = sorted(hidden_cells, key=repr)
    index = {cell: i for i, cell in enumerate(unknowns)}
    rows = []
    for parts, total in lines:
        row = [Fraction(0)] * len(unknowns)
        for cell in parts:
            if cell in index:
                row[index[cell]] += 1
        if total in index:
            row[index[total]] -= 1
        if any(row):
            rows.append(row)
    pivots = reduced(rows, len(unknowns))
    return {unknowns[column] for column, row in pivots if sum(1 for v in row if v) == 1}


def reduced(rows, width):
    """Bring `rows` to reduced row echelon form; return [(pivot column, row)]."""
    pivots, at = [], 0
    for column in range(width):
        found = next((i for i in range(at, len(rows)) if rows[i][column]), None)
        if found is None:
            continue
        rows[at], rows[found] = rows[found], rows[at]
        lead = rows[at][column]
        rows[at] = [v / lead for v in rows[at]]
        for i in range(len(rows)):
            if i != at and rows[i][column]:
                factor = rows[i][column]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[at])]
        pivots.append(column)
        at += 1
    return [(column, rows[i]) for i, column in enumerate(pivots)]


def counts_with_totals_hidden(table, threshold, keys=1):
    """Return a table of counts whose last column totals the others, small counts and any they would reveal hidden."""
    values, lines = {}, []
    for r, row in enumerate(table.rows):
        cells = [(r, c) for c in range(keys, len(row))]
        values.update({cell: row[cell[1]] for cell in cells})
        lines.append((cells[:-1], cells[-1]))
    hidden_cells = protected(values, lines, threshold)
    rows = [
        row[:keys] + [hidden_cells.get((r, c), row[c]) for c in range(keys, len(row))]
        for r, row in enumerate(table.rows)
    ]
    return Table(table.columns, rows)


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
    if chart.slug in ROW_TOTALS and table.columns[-1:] == [ROW_TOTALS[chart.slug]]:
        return counts_with_totals_hidden(table, threshold, chart.keys)
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
