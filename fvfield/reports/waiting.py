"""What waits for a team's coordinators: open concerns, the urgent ones among them, and conflicts, kept counted.

Every coordinator page shows these counts (the home page per team, the
Concerns badge of the team's menu), so they are kept in a row per team
(waiting_counts) rather than counted from the records each time. refresh()
brings the row up to the team's latest change: it reads only the documents
changed since the change it last saw (by the (team, seq) index) and the
records resolved since the resolution it last saw, and for each compares
what it is counted as now with what it was counted as before (waiting_flags,
a row per document counted), so each change moves the counts once. The
first time, it reads the team's flagged documents (by the concern and
conflict indexes) once.

A record is an open concern when the store marked it as raising one
(documents.concern) and no coordinator resolved it; urgent when its answer
to the urgency question (the choice shown when "concern" is yes) is that
question's first choice.
"""

import sqlalchemy as sa

from fvfield.extensions import db
from fvfield.models import ConcernResolution, FormVersion, WaitingCount, WaitingFlag
from fvfield.sync.documents import documents, teams
from fvfield.sync.jsontext import loads

FIELD = "concern"
CHUNK = 1000


def urgency_question(fields):
    """Return the choice question asked when "concern" is yes (its urgency), or None."""
    return next(
        (
            q
            for q in fields
            if q.get("type") == "choice"
            and (q.get("show_if") or {}).get("field") == FIELD
            and q.get("choices")
        ),
        None,
    )


def is_urgent(definition, data):
    """Return whether a concern's answers put it at its form's most urgent level (the first choice).

    The queue ranks concerns by the urgency question's choices, first first
    (teams/concerns.py raised_concern); a form that asks no urgency raises no
    urgent concern.
    """
    question = urgency_question((definition or {}).get("fields", ()))
    return (
        bool(question)
        and isinstance(data, dict)
        and data.get(question["name"]) == question["choices"][0]["value"]
    )


class Urgency:
    """Tell whether records raising a concern are urgent, reading each form version's definition once."""

    def __init__(self, team_id):
        self.team_id, self.questions = team_id, {}

    def question(self, form, version):
        """Return the urgency question of a form version, or None."""
        key = (form, version)
        if key not in self.questions:
            definition = db.session.scalar(
                sa.select(FormVersion.definition).where(
                    FormVersion.team_id == self.team_id,
                    FormVersion.form_id == form,
                    FormVersion.version == version,
                )
            )
            self.questions[key] = urgency_question((definition or {}).get("fields", ()))
        return self.questions[key]

    def of(self, form, version, data_json):
        """Return whether a record of this form version, with these answers (JSON text), is urgent."""
        question = self.question(form, version)
        if question is None:
            return False
        try:
            data = loads(data_json)
        except ValueError:
            return False
        return isinstance(data, dict) and data.get(question["name"]) == question["choices"][0]["value"]


def resolved(team_id):
    """Return the SQL condition that a document (a record) of the team has a concern resolution."""
    return (
        sa.select(ConcernResolution.pk)
        .where(ConcernResolution.team_id == team_id, ConcernResolution.record_id == documents.c.id)
        .exists()
    )


KINDS = ("concern", "urgent", "resolved", "conflict")
COUNTED = dict(zip(KINDS, ("concerns", "urgent", "resolved", "conflicts")))
NOTHING = (False, False, False, False)


def flags_of(team_id, pks, urgency):
    """Return {pk: (open concern, urgent, resolved concern, conflict)} of these documents as they are now."""
    rows = db.session.execute(
        sa.select(
            documents.c.pk,
            documents.c.concern,
            documents.c.has_conflict,
            documents.c.form,
            documents.c.form_version,
            sa.case((documents.c.concern == sa.true(), documents.c.data), else_=sa.null()).label("data"),
            resolved(team_id).label("resolved"),
        ).where(documents.c.team_id == team_id, documents.c.pk.in_(pks))
    )
    found = {}
    for row in rows:
        concern = bool(row.concern) and not row.resolved
        urgent = concern and urgency.of(row.form, row.form_version, row.data)
        found[row.pk] = (concern, urgent, bool(row.concern) and bool(row.resolved), bool(row.has_conflict))
    return found


def recount(team_id, pks, counts, urgency):
    """Count these documents as they are now instead of as they were counted before, updating `counts`."""
    for start in range(0, len(pks), CHUNK):
        chunk = pks[start : start + CHUNK]
        before = {
            flag.document_pk: tuple(getattr(flag, kind) for kind in KINDS)
            for flag in db.session.scalars(
                sa.select(WaitingFlag).where(
                    WaitingFlag.team_id == team_id, WaitingFlag.document_pk.in_(chunk)
                )
            )
        }
        now = flags_of(team_id, chunk, urgency)
        for pk in chunk:
            old, new = before.get(pk, NOTHING), now.get(pk, NOTHING)
            for kind, was, is_now in zip(KINDS, old, new):
                if was != is_now:
                    setattr(counts, COUNTED[kind], getattr(counts, COUNTED[kind]) + is_now - was)
        if before:
            db.session.execute(
                sa.delete(WaitingFlag).where(
                    WaitingFlag.team_id == team_id, WaitingFlag.document_pk.in_(list(before))
                )
            )
        rows = [
            {"team_id": team_id, "document_pk": pk, **dict(zip(KINDS, flags))}
            for pk, flags in now.items()
            if any(flags)
        ]
        if rows:
            db.session.execute(sa.insert(WaitingFlag), rows)


def latest(team_id):
    """Return (the team's latest change, its latest concern resolution's pk)."""
    seq = db.session.scalar(sa.select(teams.c.change_seq).where(teams.c.id == team_id))
    top = db.session.scalar(
        sa.select(sa.func.max(ConcernResolution.pk)).where(ConcernResolution.team_id == team_id)
    )
    return seq, top or 0


def changed_since(team_id, since, until, resolutions):
    """Yield lists of the pks of the documents changed after `since`, and of the records resolved since."""
    rows = db.session.execute(
        sa.select(documents.c.pk)
        .where(documents.c.team_id == team_id, documents.c.seq > since, documents.c.seq <= until)
        .execution_options(yield_per=CHUNK)
    )
    for chunk in rows.partitions():
        yield [pk for (pk,) in chunk]
    yield list(
        db.session.scalars(
            sa.select(documents.c.pk)
            .join(
                ConcernResolution,
                sa.and_(
                    ConcernResolution.team_id == team_id,
                    ConcernResolution.record_id == documents.c.id,
                    documents.c.id_scope == 0,
                ),
            )
            .where(ConcernResolution.pk > resolutions, documents.c.team_id == team_id)
        )
    )


def flagged(team_id):
    """Yield lists of the pks of the team's documents marked as raising a concern or in conflict."""
    for condition in (
        sa.and_(documents.c.collection == "records", documents.c.concern == sa.true()),
        documents.c.has_conflict == sa.true(),
    ):
        rows = db.session.execute(
            sa.select(documents.c.pk)
            .where(documents.c.team_id == team_id, condition)
            .execution_options(yield_per=CHUNK)
        )
        for chunk in rows.partitions():
            yield [pk for (pk,) in chunk]


def refresh(team_id):
    """Bring the team's kept counts up to its latest change and resolution; return the WaitingCount.

    The caller holds the team's write lock (begin_write) and commits.
    """
    seq, top = latest(team_id)
    counts = db.session.get(WaitingCount, team_id)
    if counts is not None and (counts.seq, counts.resolutions) == (seq, top):
        return counts
    urgency = Urgency(team_id)
    if counts is None:
        db.session.execute(sa.delete(WaitingFlag).where(WaitingFlag.team_id == team_id))
        counts = WaitingCount(team_id=team_id, seq=seq, resolutions=top, **dict.fromkeys(COUNTED.values(), 0))
        db.session.add(counts)
        chunks = flagged(team_id)
    else:
        chunks = changed_since(team_id, counts.seq, seq, counts.resolutions)
    # Read the pks first: the recount writes on the same connection.
    for chunk in list(chunks):
        recount(team_id, chunk, counts, urgency)
    counts.seq, counts.resolutions = seq, top
    db.session.flush()
    return counts


def kept(team_id):
    """Return {"concerns", "urgent", "resolved", "conflicts"} as kept, or None when they are behind."""
    counts = db.session.get(WaitingCount, team_id)
    if counts is None or (counts.seq, counts.resolutions) != latest(team_id):
        return None
    return numbers_of(counts)


def numbers_of(counts):
    """Return a WaitingCount's numbers as a dict."""
    return {name: getattr(counts, name) for name in COUNTED.values()}
