"""A document's revisions in words: who made each, on which device, why, and what it changed, field by field."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext

from fvfield.extensions import db
from fvfield.models import ConflictResolution
from fvfield.problems import said
from fvfield.sync.documents import ATTRIBUTES, WINNERS
from fvfield.sync.merge import changed, fields
from fvfield.sync.statuses import STATUSES
from fvfield.sync.web_edits import web_device_id
from fvfield.teams.store import document_revisions, user_names
from fvfield.teams.words import SUBJECT_DATA, Words

# A revision's status (sync/statuses.py), and "resolved" for a coordinator's choice in a conflict.
STATUS_WORDS = {
    **{name: status.words for name, status in STATUSES.items() if status.kept},
    "resolved": said("Resolved conflict"),
}


@dataclass
class Entry:
    """One revision as the history shows it."""

    rev: int
    status: str
    author: str
    at: object
    device: str
    changes: list = field(default_factory=list)
    resolved_by: str | None = None
    resolved_at: object = None
    resolves: bool = False
    created: bool = False
    # Why its author made it (a correction, a deletion), as they said it.
    reason: str | None = None

    @property
    def status_words(self):
        """Return the revision's status in words."""
        words = STATUS_WORDS.get(self.status)
        return gettext(words) if words else self.status.capitalize()


def device_words(revision):
    """Return where a revision was made: a phone (by the start of its id), the web, or the server."""
    device = revision["device_id"]
    if device is None:
        return gettext("the server")
    if revision["user_id"] and device == web_device_id(revision["user_id"]):
        return gettext("the web")
    return gettext("phone %(device)s", device=device[:8])


def field_order(words, state):
    """Return a sort key for fields: attributes first, then the form's questions or the profile's keys in order."""
    if state["collection"] == "records":
        keys = list(words.questions(state))
    else:
        keys = list(SUBJECT_DATA)
    attributes = ATTRIBUTES[state["collection"]]

    def key(name):
        if not isinstance(name, tuple):
            return (0, attributes.index(name) if name in attributes else 99, str(name))
        return (1, keys.index(name[1]) if name[1] in keys else len(keys), name[1])

    return key


def field_changes(words, before, after):
    """Return [(label, before in words, after in words)] of the fields that differ between two states."""
    collection = after["collection"]
    old, new = fields(collection, before), fields(collection, after)
    names = changed(old, new)
    if before is None and not new.get("deleted"):
        names.discard("deleted")
    order = field_order(words, after)
    return [
        (
            words.label(after, name),
            words.value(before, name, old.get(name)) if before is not None else "—",
            words.value(after, name, new.get(name)),
        )
        for name in sorted(names, key=order)
    ]


def resolutions_of(team, document_id):
    """Return the coordinators' resolutions of a document's conflicts."""
    return db.session.scalars(
        sa.select(ConflictResolution).where(
            ConflictResolution.team_id == team.id, ConflictResolution.document_id == document_id
        )
    ).all()


def document_history(team, state, labels):
    """Return a document's revisions as Entries, newest first; `labels` names the team's subjects."""
    revisions = document_revisions(team, state["collection"], state["id"])
    decided = {row.conflict_change_id: row for row in resolutions_of(team, state["id"])}
    resolving = {row.resolution_change_id for row in decided.values()}
    people = user_names({r["user_id"] for r in revisions} | {row.resolved_by for row in decided.values()})
    words = Words(team, labels, people)
    winners, entries = {}, []
    for revision in revisions:
        if revision["status"] in WINNERS:
            before = winners.get(revision["rev"] - 1)
            winners[revision["rev"]] = revision
        else:
            before = winners.get(revision["rev"])
        decision = decided.get(revision["change_id"])
        entries.append(
            Entry(
                rev=revision["rev"],
                status="resolved" if decision else revision["status"],
                author=words.person(revision["user_id"]),
                at=revision["created_at"],
                device=device_words(revision),
                changes=field_changes(words, before, revision),
                resolved_by=words.person(decision.resolved_by) if decision else None,
                resolved_at=decision.resolved_at if decision else None,
                resolves=revision["change_id"] in resolving,
                created=before is None,
                reason=revision.get("reason"),
            )
        )
    return entries[::-1]
