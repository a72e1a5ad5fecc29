"""The sync engine: push, pull, cursors, and publishing forms; plain functions over the store.

Every change of a team's documents takes the next number of the team's
change sequence inside the transaction that writes it, and each document
keeps the number of its latest change. A pull reads documents with a number
above its cursor, in order: since the writers of a team commit in number
order, a puller never skips a change committed while it pulls.
"""
import base64
import hashlib
import hmac
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from fvfield.sync import checks
from fvfield.sync.devices import note_device
from fvfield.dialect import is_transient
from fvfield.sync.documents import ATTRIBUTES, ChangeLog, document_json, documents, dumps, form_versions
from fvfield.sync.documents import load_form, load_versions, revisions, state_from_row, teams
from fvfield.errors import ApiError
from fvfield.extensions import begin_write, db
from fvfield.models import utcnow
from fvfield.sync.push import Push
from fvfield.questionnaires import templates_for_kind, validate_definition

CURSOR_VERSION = "v1"
PUSH_ATTEMPTS = 3
# Version numbers are stored as 32-bit integers (PostgreSQL's INTEGER).
MAX_VERSION = 2**31 - 1


class PushRefused(ApiError):
    """A push the server refuses as a whole (malformed, or too large)."""


class CursorExpired(ApiError):
    """A pull cursor the server does not recognise: the device pulls everything again."""

    def __init__(self):
        super().__init__(
            410,
            "cursor_expired",
            "This sync position is not one the server recognises: "
            "pull everything again, without since.",
        )


class InvalidDefinition(Exception):
    """A form definition that cannot be published; `errors` says what is wrong, by field."""

    def __init__(self, errors):
        super().__init__("The form definition has errors: " + dumps(errors))
        self.errors = errors


def check_push(body, max_changes):
    """Return (device_id, changes) of a push body, or raise PushRefused naming what is wrong."""
    if not isinstance(body, dict):
        raise PushRefused(
            400, "body_not_object",
            'The body must be a JSON object: {"device_id": ..., "changes": [...]}.',
        )
    device_id = body.get("device_id")
    if not checks.is_uuid(device_id):
        raise PushRefused(
            400, "invalid_device_id", "device_id must be the UUID of this installed app."
        )
    changes = body.get("changes")
    if not isinstance(changes, list):
        raise PushRefused(400, "changes_not_list", "changes must be a list of changes.")
    if len(changes) > max_changes:
        raise PushRefused(
            413, "too_many_changes",
            f"A push carries at most {max_changes} changes; this one has {len(changes)}. "
            "Send them in smaller batches.",
        )
    for number, change in enumerate(changes, 1):
        if not isinstance(change, dict):
            raise PushRefused(400, "change_not_object", f"Change {number} is not a JSON object.")
        missing = checks.missing_keys(change)
        if missing:
            raise PushRefused(400, "missing_keys", f"Change {number} has no {', '.join(missing)}.")
    return device_id.lower(), changes


def push_changes(team_id, user_id, role, device_id, changes):
    """Apply a device's changes in one transaction; return (results, cursor).

    The transaction takes the team's write lock first, so the batch's reads
    and writes see no other writer of the team. On PostgreSQL other teams'
    pushes run beside it: a unique-index race or a deadlock with one of them
    (the same new ids) is done again, and answers the ids and changes the
    other stored as taken or duplicates.
    """
    for attempt in range(PUSH_ATTEMPTS):
        try:
            conn = begin_write(team_id)
            now = utcnow()
            push = Push(conn, team_id, user_id, role, device_id, now)
            push.load(changes)
            results = [push.apply(change) for change in changes]
            seq = push.log.write()
            note_device(conn, team_id, user_id, device_id, now, "push")
            db.session.commit()
            return results, make_cursor(team_id, seq)
        except sa.exc.DBAPIError as error:
            db.session.rollback()
            again = isinstance(error, sa.exc.IntegrityError) or is_transient(error)
            if not again or attempt + 1 == PUSH_ATTEMPTS:
                raise


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


def form_definition(team_id, form_id, version):
    """Return a published version of a team's form definition, or None."""
    if not 1 <= version <= MAX_VERSION:
        return None
    return db.session.scalar(
        sa.select(form_versions.c.definition).where(
            form_versions.c.team_id == team_id,
            form_versions.c.form_id == form_id,
            form_versions.c.version == version,
        )
    )


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


def publish_form_version(team, definition, user=None):
    """Publish a definition as the next version of the team's form; return the version.

    The version number is the form's latest plus one (1 for a new form),
    whatever the definition says. Raises InvalidDefinition with the errors.
    Callers commit; a page that publishes should start its transaction with
    extensions.begin_write() so that it queues behind concurrent pushes.
    """
    if not isinstance(definition, dict):
        raise InvalidDefinition({"_": ["A form definition is a JSON object."]})
    conn = db.session.connection()
    form_id = definition.get("id")
    latest = None
    if isinstance(form_id, str):
        latest = conn.scalar(
            sa.select(sa.func.max(form_versions.c.version)).where(
                form_versions.c.team_id == team.id, form_versions.c.form_id == form_id
            )
        )
    definition = {**definition, "version": (latest or 0) + 1}
    errors = validate_definition(definition)
    if errors:
        raise InvalidDefinition(errors)
    now, user_id = utcnow(), user.id if user else None
    conn.execute(
        sa.insert(form_versions).values(
            team_id=team.id, form_id=form_id, version=definition["version"],
            definition=definition, published_at=now, published_by=user_id,
        )
    )
    log = ChangeLog(conn, team.id, now)
    state = load_form(conn, team.id, form_id) or {"pk": None, "rev": 0, "has_conflict": False}
    base_rev = state["rev"]
    state.update(
        collection="forms", id=form_id, rev=base_rev + 1, deleted=False, author=user_id,
        data=definition, data_json=None,
    )
    log.keep(state)
    log.add_revision(state, str(uuid.uuid4()), base_rev, "applied", user_id, None)
    log.write()
    return definition["version"]


def install_questionnaires(team):
    """Publish the built-in questionnaires of the team's kind as version 1 of its forms."""
    for definition in templates_for_kind(team.kind):
        publish_form_version(team, definition)
