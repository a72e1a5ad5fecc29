"""Secondary suppression: a small number hidden beside a total cannot be worked out as the total minus the rest."""

from types import SimpleNamespace

import numpy
from hypothesis import given, settings
from hypothesis import strategies as st

from fvfield.reports import suppression
from fvfield.reports.dashboard import PITCHES
from fvfield.reports.numbers import Table
from fvfield.reports.suppression import Suppressed, protected

COLUMNS = ["Market", "Day", "Trading", "Vacant", "Closed today", "Casual", "Pitches surveyed"]


def shown_pitches(*rows, threshold=5):
    """Return the pitches table's rows as members and viewers see them."""
    team = SimpleNamespace(small_numbers=threshold, id=None)
    table = Table(COLUMNS, [["Ridley Road", "2026-11-12", *row, sum(row)] for row in rows])
    return [row[2:] for row in suppression.shared_table(PITCHES, table, team, None).rows]


def test_a_single_small_part_beside_its_total_takes_the_next_smallest_with_it():
    (row,) = shown_pitches([16, 2, 0, 7])
    assert row == [16, Suppressed(5), 0, Suppressed(5, secondary=True), 25]
    assert [str(v) for v in row] == ["16", "fewer than 5", "0", "not shown", "25"]


def test_two_small_parts_protect_each_other_and_a_small_total_is_hidden_with_its_parts():
    assert shown_pitches([16, 2, 3, 0], [2, 0, 0, 0]) == [
        [16, Suppressed(5), Suppressed(5), 0, 21],
        # The total equals the one part: both are hidden, and neither tells the other's number.
        [Suppressed(5), 0, 0, 0, Suppressed(5)],
    ]


def test_a_row_with_nothing_small_is_shown_whole_and_zeros_stay_zeros():
    assert shown_pitches([16, 5, 0, 0]) == [[16, 5, 0, 0, 21]]
    assert shown_pitches([3, 0, 0, 0], threshold=2) == [[3, 0, 0, 0, 3]]


def test_the_words_of_a_secondary_cell_are_not_fewer_than():
    assert str(Suppressed(10, secondary=True)) == "not shown"
    assert str(Suppressed(10)) == "fewer than 10"


def grid_lines(counts, column_totals):
    """Return (values, lines) of a table with a total per row, and per column (and overall) when asked."""
    rows, columns = len(counts), len(counts[0])
    values = {(r, c): counts[r][c] for r in range(rows) for c in range(columns)}
    values.update({(r, "total"): sum(counts[r]) for r in range(rows)})
    lines = [([(r, c) for c in range(columns)], (r, "total")) for r in range(rows)]
    if column_totals:
        values.update({("total", c): sum(counts[r][c] for r in range(rows)) for c in range(columns)})
        values[("total", "total")] = sum(map(sum, counts))
        lines += [([(r, c) for r in range(rows)], ("total", c)) for c in range(columns)]
        lines.append(([("total", c) for c in range(columns)], ("total", "total")))
        lines.append(([(r, "total") for r in range(rows)], ("total", "total")))
    return values, lines


def fixed_by_the_totals(values, lines, hidden):
    """Return the hidden cells a reader can work out from the shown cells and totals (linear algebra, numpy)."""
    unknowns = sorted(hidden, key=repr)
    if not unknowns:
        return set()
    index = {cell: i for i, cell in enumerate(unknowns)}
    equations = []
    for parts, total in lines:
        row = numpy.zeros(len(unknowns))
        for cell in parts:
            if cell in index:
                row[index[cell]] += 1
        if total in index:
            row[index[total]] -= 1
        equations.append(row)
    system = numpy.array(equations)
    rank = numpy.linalg.matrix_rank(system)
    found = set()
    for cell, i in index.items():
        alone = numpy.zeros(len(unknowns))
        alone[i] = 1
        if numpy.linalg.matrix_rank(numpy.vstack([system, alone])) == rank:
            found.add(cell)
    return found


tables = st.integers(1, 4).flatmap(
    lambda rows: st.integers(1, 4).flatmap(
        lambda columns: st.lists(
            st.lists(st.integers(0, 12), min_size=columns, max_size=columns), min_size=rows, max_size=rows
        )
    )
)


@settings(max_examples=50, deadline=None)
@given(counts=tables, threshold=st.integers(2, 6), column_totals=st.booleans())
def test_no_suppressed_cell_can_be_worked_out_from_the_totals(counts, threshold, column_totals):
    values, lines = grid_lines(counts, column_totals)
    hidden = protected(values, lines, threshold)
    # Every small count is hidden as "fewer than N"; what is hidden besides is marked secondary.
    for cell, value in values.items():
        if suppression.is_small(value, threshold):
            assert hidden[cell] == Suppressed(threshold)
    assert all(h.secondary for cell, h in hidden.items() if not suppression.is_small(values[cell], threshold))
    # A 0 is never hidden: it tells of no one.
    assert not [cell for cell in hidden if values[cell] == 0]
    assert fixed_by_the_totals(values, lines, hidden) == set()
