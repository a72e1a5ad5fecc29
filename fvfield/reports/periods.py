"""The period a dashboard shows, and the buckets (weeks, months or quarters) its charts count in.

A dashboard reads only its period's records (by the documents' day index),
and a long period is counted by month or quarter, so that no chart grows
with the team's history: at most 26 weeks, 36 months or, back to 2000
(the earliest day a record counts on, sync/facets.py), about 110 quarters.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext

from fvfield.extensions import db
from fvfield.sync.documents import documents


def N_(text):
    """Mark words for the catalogue; Period.words translates them where they are shown."""
    return text


# name: (words, days back from today; None for all time)
PERIODS = {
    "12w": (N_("The last 12 weeks"), 12 * 7),
    "26w": (N_("The last 6 months"), 26 * 7),
    "1y": (N_("The last year"), 52 * 7),
    "3y": (N_("The last 3 years"), 3 * 52 * 7),
    "all": (N_("All time"), None),
}
DEFAULT = "12w"
WEEKLY_UP_TO = 26 * 7
MONTHLY_UP_TO = 3 * 366
HEADERS = {"week": "Week starting", "month": "Month", "quarter": "Quarter"}


def week_of(day):
    """Return the Monday of a day's week."""
    return day - timedelta(days=day.weekday())


def unit_for(days):
    """Return how a span of days is counted: by week, month or quarter."""
    if days <= WEEKLY_UP_TO:
        return "week"
    return "month" if days <= MONTHLY_UP_TO else "quarter"


@dataclass(frozen=True)
class Period:
    """The days a dashboard counts (start None: from the first record) and its bucket."""

    name: str
    start: date | None
    end: date
    unit: str

    @property
    def words(self):
        """Return the period as people read it, in the page's language."""
        return gettext(PERIODS[self.name][0])

    @property
    def header(self):
        """Return the heading of the column that names a row's bucket."""
        return HEADERS[self.unit]

    def bucket(self, day):
        """Return the key of the bucket a day counts in: a Monday's date, 'YYYY-MM' or 'YYYY Qn'."""
        if self.unit == "week":
            return week_of(day).isoformat()
        if self.unit == "month":
            return f"{day:%Y-%m}"
        return f"{day.year} Q{(day.month - 1) // 3 + 1}"

    def month(self, day):
        """Return the key of the month (or, counting by quarter, the quarter) a day counts in."""
        return self.bucket(day) if self.unit == "quarter" else f"{day:%Y-%m}"

    def day(self, day):
        """Return the key of a day for charts of days: the day, or its bucket when counting by month or quarter."""
        return day.isoformat() if self.unit == "week" else self.bucket(day)

    def buckets(self, first, last):
        """Return every bucket key from the one of day `first` to the one of day `last`."""
        found, day = [], first
        while day <= last:
            key = self.bucket(day)
            if not found or found[-1] != key:
                found.append(key)
            day += timedelta(days=7 if self.unit == "week" else 28)
        if found[-1] != self.bucket(last):
            found.append(self.bucket(last))
        return found

    def holds(self, column):
        """Return the SQL condition that a day column (YYYY-MM-DD text) lies in the period."""
        condition = column <= self.end.isoformat()
        return condition if self.start is None else sa.and_(column >= self.start.isoformat(), condition)


def span_of(team_id):
    """Return (first, last) day the team's records count on, by index, or None without records."""
    forms = db.session.scalars(
        sa.select(documents.c.id).where(documents.c.team_id == team_id, documents.c.collection == "forms")
    ).all()
    days = []
    for form_id in forms:
        where = (documents.c.team_id == team_id, documents.c.form == form_id)
        for extreme in (sa.func.min, sa.func.max):
            day = db.session.scalar(sa.select(extreme(documents.c.day)).where(*where))
            if day:
                days.append(date.fromisoformat(day))
    return (min(days), max(days)) if days else None


def period_of(team_id, name, today):
    """Return the Period `name` (an unknown name: the default) of a team, up to `today`.

    All time is counted in the bucket its records' own span needs.
    """
    name = name if name in PERIODS else DEFAULT
    days = PERIODS[name][1]
    # A record counts at most a day after it was received (sync/facets.py).
    end = today + timedelta(days=1)
    if days is None:
        first, last = span_of(team_id) or (today, today)
        return Period(name, None, end, unit_for((last - first).days))
    return Period(name, today - timedelta(days=days - 1), end, unit_for(days))
