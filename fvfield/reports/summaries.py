"""Participant summaries: what a team found in a period, published by a coordinator behind a secret link.

A summary holds chosen charts of the team's dashboard, as members and viewers
see them (no one named, small numbers suppressed, suppression.py), the change
stories the panel chose in the period that their storytellers agreed to share,
never with a name, and the coordinator's own words. Nothing else a record says
is shown: no names, no free text.

The link carries a random token; only its sha256 is stored (models.token_digest,
as for invitations and the setup link), so the link is shown once, when it is
made. A link expires after the days the coordinator chose (DEFAULT_DAYS) and
can be revoked at once; either way it stops working (410).
"""

import hmac
import secrets
from datetime import timedelta

import sqlalchemy as sa

from fvfield.extensions import db
from fvfield.models import Summary, token_digest, utcnow
from fvfield.reports import stories, suppression
from fvfield.reports.dashboard import charts_of, draw, in_words
from fvfield.reports.periods import Period

DEFAULT_DAYS, MOST_DAYS = 30, 365
MAX_TITLE, MAX_TEXT = 120, 4000
# A publish identical to one the same coordinator made this recently is the same summary
# (a page sent twice, a button pressed twice), not a second one.
TWIN_WINDOW = timedelta(minutes=10)


def chosen_charts(team, chart_slugs):
    """Return the chosen charts as a summary keeps them: by slug, in the dashboard's order."""
    return ",".join(c.slug for c in charts_of(team) if c.slug in chart_slugs)


def recent_twin(team, user, title, text, period, chart_slugs, with_stories, now=None):
    """Return the live summary this user published within TWIN_WINDOW with exactly these contents, or None."""
    now = now or utcnow()
    return db.session.scalar(
        sa.select(Summary)
        .where(
            Summary.team_id == team.id,
            Summary.created_by == user.id,
            Summary.created_at >= now - TWIN_WINDOW,
            Summary.revoked_at.is_(None),
            Summary.expires_at > now,
            Summary.title == title,
            Summary.text == (text or ""),
            Summary.period_name == period.name,
            Summary.period_end == period.end,
            Summary.charts == chosen_charts(team, chart_slugs),
            Summary.with_stories == bool(with_stories),
        )
        .order_by(Summary.pk.desc())
        .limit(1)
    )


def publish(team, user, title, text, period, chart_slugs, with_stories, days):
    """Add a summary of the period and return (summary, token): the token goes in the link, once.

    The caller holds the team's write lock, records the audit event and commits.
    """
    token = secrets.token_urlsafe(32)
    summary = Summary(
        team_id=team.id,
        token_digest=token_digest(token),
        title=title,
        text=text or "",
        period_name=period.name,
        period_start=period.start,
        period_end=period.end,
        period_unit=period.unit,
        charts=chosen_charts(team, chart_slugs),
        with_stories=bool(with_stories),
        created_by=user.id,
        created_at=utcnow(),
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(summary)
    db.session.flush()
    return summary, token


def state_of(summary, now=None):
    """Return whether a summary's link works: "live", "revoked" or "expired"."""
    if summary.revoked_at is not None:
        return "revoked"
    return "expired" if summary.expires_at <= (now or utcnow()) else "live"


def by_token(team, token):
    """Return the team's summary whose link carries `token`, or None."""
    digest = token_digest(token)
    summary = db.session.scalar(
        sa.select(Summary).where(Summary.team_id == team.id, Summary.token_digest == digest)
    )
    # The digest was looked up by index; compared again in constant time all the same.
    return summary if summary and hmac.compare_digest(summary.token_digest, digest) else None


def team_summaries(team_id):
    """Return the team's summaries, newest first."""
    return db.session.scalars(
        sa.select(Summary).where(Summary.team_id == team_id).order_by(Summary.pk.desc())
    ).all()


def summary_of(team_id, pk):
    """Return the team's summary `pk`, or None."""
    return db.session.scalar(sa.select(Summary).where(Summary.team_id == team_id, Summary.pk == pk))


def period_of(summary):
    """Return the period a summary keeps to."""
    return Period(summary.period_name, summary.period_start, summary.period_end, summary.period_unit)


def sections(team, summary):
    """Return what a summary shows: [{chart, table, svg}] as members and viewers see them, and its stories."""
    period = period_of(summary)
    chosen = set(filter(None, summary.charts.split(",")))
    shown = []
    for chart in charts_of(team):
        if chart.slug in chosen:
            table = suppression.shared_table(chart, chart.report(team.id, period), team, period)
            said, table = in_words(chart, table)
            shown.append({"chart": said, "table": table, "svg": draw(said, suppression.drawable(table))})
    return shown, shared_stories(team, period) if summary.with_stories else []


def shared_stories(team, period):
    """Return the panel's chosen stories of the period that their storytellers agreed to share."""
    chosen = stories.chosen_ids(stories.selections_of(team.id))
    start = period.start
    return [
        s
        for s in stories.team_stories(team.id)
        if s.id in chosen and s.shared and (start is None or s.day >= start) and s.day <= period.end
    ]
