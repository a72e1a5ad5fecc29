"""A device's pull: the team's documents changed since its cursor, oldest change first.

Every change of a team's documents takes the next number of the team's
change sequence inside the transaction that writes it, and each document
keeps the number of its latest change. A pull reads documents with a number
above its cursor, in order: since the writers of a team commit in number
order, a puller never skips a change committed while it pulls.
"""

import base64
import hashlib
import hmac
from dataclasses import dataclass

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


def pull_changes(team_id, since, limit):
    """Return the team's documents changed after the cursor `since` (None: all), oldest first."""
    conn = db.session.connection()
    after = read_cursor(team_id, since) if since else 0
    if after > conn.scalar(sa.select(teams.c.change_seq).where(teams.c.id == team_id)):
        raise CursorExpired()
    rows = conn.execute(
        sa.select(documents)
        .where(documents.c.team_id == team_id, documents.c.seq > after)
        .order_by(documents.c.seq)
        .limit(limit + 1)
    ).all()
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
