"""Records made after their subject was archived: kept, and flagged for the coordinator.

An archived subject is soft-deleted, not gone: a phone that was offline may
still push records about it, and the server applies them. A record whose
recorded_at (the phone's time) is later than the archiving was made by
someone who did not know yet, so the coordinator's pages say so.
"""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext

from fvfield.extensions import db
from fvfield.sync.documents import WINNERS, documents, revisions

SUBJECT_WORDS = {
    "person": lazy_gettext("the person"),
    "participant": lazy_gettext("the participant"),
    "market": lazy_gettext("the market"),
    "pitch": lazy_gettext("the pitch"),
}


def archived_at(team, subject_ids=None):
    """Return {subject id: when it was archived} of the team's archived subjects (these only, if given)."""
    archived = sa.select(documents.c.id).where(
        documents.c.team_id == team.id,
        documents.c.collection == "subjects",
        documents.c.deleted == sa.true(),
    )
    if subject_ids is not None:
        archived = archived.where(documents.c.id.in_(list(subject_ids)))
    rows = db.session.execute(
        sa.select(revisions.c.document_id, revisions.c.deleted, revisions.c.created_at)
        .where(
            revisions.c.team_id == team.id,
            revisions.c.collection == "subjects",
            revisions.c.status.in_(WINNERS),
            revisions.c.document_id.in_(archived),
        )
        .order_by(revisions.c.document_id, revisions.c.rev)
    ).all()
    found = {}
    for document_id, deleted, created_at in rows:
        # The archiving is the first deleted revision since the subject was last live.
        if not deleted:
            found.pop(document_id, None)
        else:
            found.setdefault(document_id, created_at)
    return found


def recorded_after(record, archived):
    """Return when the record's subject was archived if the record was made after that, else None."""
    when = archived.get(record.get("subject_id"))
    if when is None or not record.get("recorded_at"):
        return None
    try:
        recorded = datetime.fromisoformat(record["recorded_at"])
    except ValueError:
        return None
    return when if recorded.tzinfo is not None and recorded > when else None


def after_archiving_words(kind):
    """Return the flag's words for a subject of this kind."""
    return f"Recorded after {SUBJECT_WORDS.get(kind, 'the subject')} was archived"


def records_after_archiving(team, subject):
    """Return how many of the team's live records about an archived subject were made after the archiving."""
    archived = archived_at(team, {subject["id"]})
    rows = db.session.execute(
        sa.select(documents.c.subject_id, documents.c.recorded_at).where(
            documents.c.team_id == team.id,
            documents.c.collection == "records",
            documents.c.subject_id == subject["id"],
            documents.c.deleted == sa.false(),
        )
    ).all()
    return sum(recorded_after(row._asdict(), archived) is not None for row in rows)
