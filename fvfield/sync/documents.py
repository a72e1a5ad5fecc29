"""Documents as the sync engine holds them: plain dicts, read and written in bulk.

A push touches hundreds of documents at once, so this module works on rows
and dicts with SQLAlchemy Core (one IN query to read, one executemany to
write) rather than on an ORM object per document.
"""

import functools
import operator

import sqlalchemy as sa

from fvfield.dialect import insert_rows
from fvfield.models import Document, FormVersion, Revision, Team
from fvfield.sync.facets import answers_yes, asks_concern, facets
from fvfield.sync.jsontext import dumps, loads
from fvfield.sync.statuses import CURRENT

documents = Document.__table__
revisions = Revision.__table__
form_versions = FormVersion.__table__
teams = Team.__table__

# The attributes of each collection besides `data`; a merge treats each of
# them, and each key of `data`, as one field.
ATTRIBUTES = {
    "records": ("deleted", "form", "form_version", "subject_id", "recorded_at"),
    "subjects": ("deleted", "kind", "label"),
    "forms": ("deleted",),
}
STATE = ("deleted", "form", "form_version", "subject_id", "recorded_at", "kind", "label")
WINNERS = CURRENT
# The columns the bulk inserts write, in the tables' order.
DOCUMENT_COLUMNS = (
    "team_id",
    "collection",
    "id",
    "id_scope",
    "rev",
    "seq",
    "deleted",
    "has_conflict",
    "updated_at",
    "author",
    *STATE[1:],
    "data",
    "received_at",
    "day",
    "odd_time",
    "concern",
)
# Worked out from a document's state at every write (facets.py).
FACETS = ("day", "odd_time", "concern")
REVISION_COLUMNS = (
    "change_id",
    "team_id",
    "collection",
    "document_id",
    "rev",
    "base_rev",
    "status",
    "user_id",
    "device_id",
    "created_at",
    "deleted",
    *STATE[1:],
    "data",
    "reason",
)


@functools.lru_cache(maxsize=32)
def compiled_insert(dialect, table, columns):
    """Return (SQL, positional column order or None) of a bulk insert of these columns."""
    compiled = dialect.statement_compiler(
        dialect, sa.insert(table), column_keys=list(columns), for_executemany=True
    )
    return str(compiled), compiled.positiontup


def insert_many(conn, table, columns, rows):
    """Insert rows (tuples in `columns` order, values as the driver takes them) in one executemany.

    SQLAlchemy would convert every value of every row; a push inserts
    hundreds of rows whose only converted values (a time, flags) are shared,
    so ChangeLog converts those once (see bound).
    """
    if conn.dialect.name == "postgresql":
        insert_rows(conn, table, columns, rows)
        return
    sql, order = compiled_insert(conn.dialect, table, columns)
    if order is None:
        params = [dict(zip(columns, row)) for row in rows]
    elif tuple(order) == columns:
        params = rows
    else:
        pick = operator.itemgetter(*[columns.index(name) for name in order])
        params = [pick(row) for row in rows]
    conn.exec_driver_sql(sql, params)


def bound(dialect, column, value):
    """Return a value as the database driver takes it for a column (a time, a flag)."""
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    return value if process is None else process(value)


def data_of(state):
    """Return a document state's data as a dict, parsing its JSON text once."""
    if state.get("data") is None:
        state["data"] = loads(state["data_json"])
    return state["data"]


def state_from_row(row):
    """Return the dict for a row of documents or revisions."""
    state = dict(row._mapping)
    state["data_json"] = state.pop("data")
    state["data"] = None
    return state


def load_documents(conn, ids):
    """Return the subject and record documents with these ids, by id (any team)."""
    if not ids:
        return {}
    rows = conn.execute(
        sa.select(documents).where(
            documents.c.id.in_(sa.bindparam("ids", expanding=True)), documents.c.id_scope == 0
        ),
        {"ids": list(ids)},
    )
    return {row.id: state_from_row(row) for row in rows}


def load_form(conn, team_id, form_id):
    """Return a team's form document, or None."""
    row = conn.execute(
        sa.select(documents).where(documents.c.id == form_id, documents.c.id_scope == team_id)
    ).first()
    return state_from_row(row) if row else None


def load_history(conn, team_id, document_id, from_rev):
    """Return {rev: (state, device id)} of a document's winning revisions from `from_rev` on."""
    rows = conn.execute(
        sa.select(revisions).where(
            revisions.c.team_id == team_id,
            revisions.c.document_id == document_id,
            revisions.c.rev >= from_rev,
            revisions.c.status.in_(WINNERS),
        )
    )
    return {row.rev: (state_from_row(row), row.device_id) for row in rows}


def load_versions(conn, team_id, form_ids):
    """Return {form id: [published version numbers]} for a team's forms."""
    found = {}
    if form_ids:
        rows = conn.execute(
            sa.select(form_versions.c.form_id, form_versions.c.version)
            .where(form_versions.c.team_id == team_id, form_versions.c.form_id.in_(form_ids))
            .order_by(form_versions.c.version)
        )
        for form_id, version in rows:
            found.setdefault(form_id, []).append(version)
    return found


def document_json(state, versions=None):
    """Return a document as the JSON text pull and push results carry."""
    collection = state["collection"]
    meta = {
        "collection": collection,
        "id": state["id"],
        "rev": state["rev"],
        "deleted": bool(state["deleted"]),
        "updated_at": state["updated_at"].isoformat(timespec="milliseconds"),
    }
    if collection == "records":
        for name in ("form", "form_version", "subject_id", "recorded_at", "author"):
            meta[name] = state[name]
    elif collection == "subjects":
        for name in ("kind", "label", "author"):
            meta[name] = state[name]
    else:
        meta["versions"] = versions or []
    if collection != "forms":
        meta["has_conflict"] = bool(state["has_conflict"])
    data_json = state["data_json"] if state.get("data_json") is not None else dumps(state["data"])
    return dumps(meta)[:-1] + ',"data":' + data_json + "}"


class ChangeLog:
    """The document and revision writes of one transaction, numbered in the team's sequence.

    Reading the team's change_seq FOR UPDATE takes the team's row lock on
    PostgreSQL (on SQLite the transaction already holds the write lock), so
    the writers of a team commit in sequence order and a puller that has
    seen number n has seen everything up to n.
    """

    def __init__(self, conn, team_id, now):
        self.conn, self.team_id, self.now = conn, team_id, now
        self.seq = conn.scalar(sa.select(teams.c.change_seq).where(teams.c.id == team_id).with_for_update())
        self.new, self.changed, self.revisions = {}, {}, []
        # Every row written shares this time and one of two flags: convert them once.
        self.stamp = bound(conn.dialect, documents.c.updated_at, now)
        self.flag = {flag: bound(conn.dialect, documents.c.deleted, flag) for flag in (False, True)}

    def keep(self, state):
        """Number a document's new state and queue it for writing."""
        self.seq += 1
        state["seq"], state["updated_at"] = self.seq, self.now
        if state.get("data_json") is None:
            state["data_json"] = dumps(state["data"])
        key = (state["collection"], state["id"])
        if state.get("pk") is None:
            self.new[key] = state
        else:
            self.changed[key] = state

    def add_revision(self, state, change_id, base_rev, status, user_id, device_id, reason=None):
        """Queue the revision of a change: the whole state it produced (or proposed), and why, if said."""
        data = state.get("data_json")
        self.revisions.append(
            (
                change_id,
                self.team_id,
                state["collection"],
                state["id"],
                state["rev"],
                base_rev,
                status,
                user_id,
                device_id,
                self.stamp,
                self.flag[bool(state.get("deleted"))],
                *map(state.get, STATE[1:]),
                data if data is not None else dumps(state["data"]),
                reason,
            )
        )

    def asking(self):
        """Return the (form, version) pairs asking "concern" among those of the records answering yes."""
        pairs = {
            (s.get("form"), s.get("form_version"))
            for s in (*self.new.values(), *self.changed.values())
            if answers_yes(s)
        }
        if not pairs:
            return set()
        rows = self.conn.execute(
            sa.select(form_versions.c.form_id, form_versions.c.version, form_versions.c.definition).where(
                form_versions.c.team_id == self.team_id,
                form_versions.c.form_id.in_({form for form, _ in pairs}),
            )
        )
        return {(form, version) for form, version, definition in rows if asks_concern(definition)}

    def facets(self, state, received_at, asking):
        """Return a new document's day, odd_time and concern, the flags as the driver takes them."""
        day, odd, concern = facets(state, received_at, asking)
        return day, self.flag[odd], self.flag[concern]

    def write(self):
        """Write the queued documents and revisions with one statement each; return the last seq."""
        columns = ("rev", "seq", "deleted", "has_conflict", "updated_at", "author") + STATE[1:]
        asking = self.asking()
        if self.new:
            insert_many(
                self.conn,
                documents,
                DOCUMENT_COLUMNS,
                [
                    (
                        self.team_id,
                        s["collection"],
                        s["id"],
                        self.team_id if s["collection"] == "forms" else 0,
                        s["rev"],
                        s["seq"],
                        self.flag[bool(s.get("deleted"))],
                        self.flag[bool(s.get("has_conflict"))],
                        self.stamp,
                        s.get("author"),
                        *map(s.get, STATE[1:]),
                        s["data_json"],
                        self.stamp,
                        *self.facets(s, self.now, asking),
                    )
                    for s in self.new.values()
                ],
            )
        if self.changed:
            self.conn.execute(
                sa.update(documents).where(documents.c.pk == sa.bindparam("_pk")),
                [
                    {
                        **{name: s.get(name) for name in columns},
                        "_pk": s["pk"],
                        "deleted": bool(s.get("deleted")),
                        "has_conflict": bool(s.get("has_conflict")),
                        "data": s["data_json"],
                        **dict(zip(FACETS, facets(s, s.get("received_at") or self.now, asking))),
                    }
                    for s in self.changed.values()
                ],
            )
        if self.revisions:
            insert_many(self.conn, revisions, REVISION_COLUMNS, self.revisions)
        self.conn.execute(sa.update(teams).where(teams.c.id == self.team_id).values(change_seq=self.seq))
        return self.seq
