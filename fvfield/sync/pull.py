"""A device's pull: the team's documents changed since its cursor, oldest change first.

Every change of a team's documents takes the next number of the team's
change sequence inside the transaction that writes it, and each document
keeps the number of its latest change. A pull reads documents with a number
above its cursor, in order: since the writers of a team commit in number
order, a puller never skips a change committed while it pulls.

A phone that asks for the team's window (`window=recent`) is not sent a
live record older than what its phones keep (teams/phone_history.py):
recorded before the window's days and not among the last visits of its
subject. Such a record is one the phone would drop after the pull, so
leaving it out skips nothing the phone keeps; the cursor still moves past
it only as far as a row that was sent, as before. Tombstones always travel
(an erased record must leave every phone), and so do forms and subjects.
"""

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from fvfield.extensions import begin_write, db
from fvfield.models import utcnow
from fvfield.sync.devices import note_device
from fvfield.sync.documents import (
    ATTRIBUTES,
    document_json,
    documents,
    dumps,
    load_versions,
    revisions,
    state_from_row,
    teams,
)
from fvfield.sync.errors import CursorExpired

CURSOR_VERSION = "v1"
# The page of older records a phone asks for on demand, and the most it may ask for.
OLDER_LIMIT = 20
MAX_OLDER_LIMIT = 100
# A phone's "today" may be a day off the server's (time zones): the server keeps a day more.
WINDOW_SLACK = timedelta(days=1)


def cursor_signature(team_id, seq):
    """Return the signature binding a cursor to its team (a cursor is no use elsewhere)."""
    key = hashlib.sha256(b"fvfield-cursor:" + current_app.config["SECRET_KEY"].encode()).digest()
    digest = hmac.new(key, f"{team_id}:{seq}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:9]).decode()


def make_cursor(team_id, seq):
    """Return the opaque cursor for a position in a team's change sequence."""
    return f"{CURSOR_VERSION}.{seq}.{cursor_signature(team_id, seq)}"


def read_cursor(team_id, cursor):
    """Return the position a cursor stands for, or raise CursorExpired."""
    version, _, rest = cursor.partition(".")
    seq, _, signature = rest.partition(".")
    if version != CURSOR_VERSION or not seq.isdigit() or len(seq) > 18:
        raise CursorExpired()
    if not hmac.compare_digest(signature, cursor_signature(team_id, int(seq))):
        raise CursorExpired()
    return int(seq)


@dataclass
class Page:
    """One page of a pull: documents as JSON texts, the next cursor, and whether more wait."""

    documents: list
    cursor: str
    more: bool


def first_day_kept(days, today=None):
    """Return the first day ("YYYY-MM-DD") whose records a phone keeps in a window of `days`."""
    today = today or utcnow().date()
    return (today - timedelta(days=days) - WINDOW_SLACK).isoformat()


def in_window(team):
    """Return the condition a document meets when a phone keeping the team's window needs it."""
    newer = documents.alias("newer")
    # The subject's `visits`-th live record newer than this one exists: this one is not among the last.
    crowded_out = sa.exists(
        sa.select(newer.c.pk)
        .where(
            newer.c.team_id == documents.c.team_id,
            newer.c.collection == "records",
            newer.c.subject_id == documents.c.subject_id,
            newer.c.deleted == sa.false(),
            newer.c.recorded_at > documents.c.recorded_at,
        )
        .limit(1)
        .offset(team.phone_visits - 1)
        .correlate(documents)
    )
    return sa.or_(
        documents.c.collection != "records",
        documents.c.deleted == sa.true(),
        documents.c.day >= first_day_kept(team.phone_days),
        sa.and_(documents.c.subject_id.is_not(None), ~crowded_out),
    )


def pull_changes(team_id, since, limit, window=None):
    """Return the team's documents changed after the cursor `since` (None: all), oldest first.

    With `window` (the Team), only what a phone keeping the team's window needs.
    """
    conn = db.session.connection()
    after = read_cursor(team_id, since) if since else 0
    if after > conn.scalar(sa.select(teams.c.change_seq).where(teams.c.id == team_id)):
        raise CursorExpired()
    query = sa.select(documents).where(documents.c.team_id == team_id, documents.c.seq > after)
    if window is not None:
        query = query.where(in_window(window))
    rows = conn.execute(query.order_by(documents.c.seq).limit(limit + 1)).all()
    more, rows = len(rows) > limit, rows[:limit]
    versions = load_versions(conn, team_id, [r.id for r in rows if r.collection == "forms"])
    texts = [document_json(state_from_row(row), versions.get(row.id)) for row in rows]
    return Page(texts, make_cursor(team_id, rows[-1].seq if rows else after), more)


def note_pull(team_id, user_id, device_id):
    """Record that a device finished a pull (it holds the team's current state)."""
    conn = begin_write(team_id)
    note_device(conn, team_id, user_id, device_id, utcnow(), "pull")
    db.session.commit()


def document_revisions(team_id, collection, document_id):
    """Return a document's revisions, conflicting ones included, oldest first ([] if none)."""
    rows = db.session.execute(
        sa.select(revisions)
        .where(
            revisions.c.team_id == team_id,
            revisions.c.collection == collection,
            revisions.c.document_id == document_id,
        )
        .order_by(revisions.c.pk)
    )
    keep = ("change_id", "rev", "base_rev", "status", "user_id", "device_id")
    found = []
    for row in rows:
        revision = {name: getattr(row, name) for name in keep + ATTRIBUTES[collection]}
        revision["created_at"] = row.created_at.isoformat(timespec="milliseconds")
        found.append(dumps(revision)[:-1] + ',"data":' + row.data + "}")
    return found


def older_cursor(recorded_at, pk):
    """Return the opaque position after which a subject's older records continue."""
    return base64.urlsafe_b64encode(json.dumps([recorded_at, pk]).encode()).decode()


def read_older_cursor(cursor):
    """Return (recorded_at, pk) of a cursor from older_records, or None when it is not one."""
    try:
        recorded_at, pk = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError):
        return None
    if not isinstance(recorded_at, str) or not isinstance(pk, int) or isinstance(pk, bool):
        return None
    return recorded_at, pk


def subject_exists(team_id, subject_id):
    """Return whether the team has this subject (archived ones included: their records stay readable)."""
    return bool(
        db.session.scalar(
            sa.select(documents.c.pk).where(
                documents.c.team_id == team_id,
                documents.c.collection == "subjects",
                documents.c.id == subject_id,
            )
        )
    )


def older_records(team_id, subject_id, before, limit):
    """Return (record JSON texts, next cursor or None): a subject's live records, newest first.

    `before` is None for the newest, or (recorded_at, pk) from the previous
    page's cursor. A phone asks for these when a person's older visits are
    no longer on it (the index ix_documents_team_subject_recorded reads them).
    """
    query = sa.select(documents).where(
        documents.c.team_id == team_id,
        documents.c.collection == "records",
        documents.c.subject_id == subject_id,
        documents.c.deleted == sa.false(),
    )
    if before is not None:
        query = query.where(sa.tuple_(documents.c.recorded_at, documents.c.pk) < sa.tuple_(*before))
    rows = db.session.execute(
        query.order_by(documents.c.recorded_at.desc(), documents.c.pk.desc()).limit(limit + 1)
    ).all()
    more, rows = len(rows) > limit, rows[:limit]
    texts = [document_json(state_from_row(row)) for row in rows]
    return texts, older_cursor(rows[-1].recorded_at, rows[-1].pk) if more else None
