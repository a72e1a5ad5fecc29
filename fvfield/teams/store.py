"""Reading a team's subjects and records for the coordinators' pages.

Every lookup is scoped to the team: an id of another team's document is
answered as not found, like an id that does not exist.
"""

import json

import sqlalchemy as sa
from flask import abort
from flask_babel import lazy_gettext

from fvfield.extensions import db
from fvfield.models import Document, User
from fvfield.sync.documents import documents, revisions, state_from_row

SUBJECT_KINDS = {
    "person": lazy_gettext("Person"),
    "participant": lazy_gettext("Participant"),
    "market": lazy_gettext("Market"),
    "pitch": lazy_gettext("Pitch"),
}
# The kinds of subject that are people: a care circle's people, an evaluation's participants.
PEOPLE_KINDS = frozenset({"person", "participant"})


def parsed(row):
    """Return a document or revision row as a state dict with its data parsed."""
    state = state_from_row(row)
    state["data"] = json.loads(state["data_json"])
    return state


def state_of(document):
    """Return an ORM Document as a state dict with its data parsed."""
    state = {column.key: getattr(document, column.key) for column in Document.__table__.columns}
    state["data"] = json.loads(state["data"])
    return state


def team_document(team, collection, document_id, description=None):
    """Return the team's subject or record with this id as a state dict, or 404."""
    row = db.session.execute(
        sa.select(documents).where(
            documents.c.team_id == team.id,
            documents.c.collection == collection,
            documents.c.id == document_id.lower(),
            documents.c.id_scope == 0,
        )
    ).first()
    if row is None:
        abort(404, description or f"{team.name} has no such {collection[:-1]}.")
    return parsed(row)


def subjects_of(team, kind=None, deleted=None):
    """Return the team's subjects (of a kind; live, archived or both), by label."""
    query = sa.select(documents).where(documents.c.team_id == team.id, documents.c.collection == "subjects")
    if kind is not None:
        query = query.where(documents.c.kind == kind)
    if deleted is not None:
        query = query.where(documents.c.deleted == deleted)
    rows = db.session.execute(query).all()
    return sorted((parsed(row) for row in rows), key=lambda s: natural_key(s["label"]))


def natural_key(label):
    """Return a sort key where the numbers in a label sort as numbers (Pitch 2 before Pitch 10)."""
    text = (label or "").casefold()
    parts, digits = [], ""
    for char in text + " ":
        if char.isdigit():
            digits += char
            continue
        if digits:
            parts.append((0, int(digits), ""))
            digits = ""
        parts.append((1, 0, char))
    return parts


def subject_labels(team):
    """Return {subject id: label} of all the team's subjects, archived ones included.

    A pitch is named with its market, "Ridley Road, pitch 1": pitch 1 is in
    every market, so "Pitch survey: 1" would not say which.
    """
    rows = db.session.execute(
        sa.select(documents.c.id, documents.c.kind, documents.c.label, documents.c.data).where(
            documents.c.team_id == team.id, documents.c.collection == "subjects"
        )
    ).all()
    names = {row.id: row.label for row in rows}
    labels = dict(names)
    for row in rows:
        market_id = json.loads(row.data).get("market_id") if row.kind == "pitch" else None
        if isinstance(market_id, str) and market_id in names:
            labels[row.id] = f"{names[market_id]}, pitch {row.label}"
    return labels


def user_names(ids):
    """Return {user id: name} for these ids."""
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(ids))).all())


def document_revisions(team, collection, document_id):
    """Return a document's revisions as state dicts (with status, user, device, time), oldest first."""
    rows = db.session.execute(
        sa.select(revisions)
        .where(
            revisions.c.team_id == team.id,
            revisions.c.collection == collection,
            revisions.c.document_id == document_id,
        )
        .order_by(revisions.c.pk)
    ).all()
    return [parsed(row) for row in rows]
