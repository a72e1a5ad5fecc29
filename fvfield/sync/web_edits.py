"""Coordinators' edits on the web, made as changes of the sync store.

An edit on a page becomes a change like a phone's: a new change_id, the rev
the coordinator saw as its base_rev, and the push logic (fvfield.sync.push)
applies it as the coordinator's "web device". So every rule holds (checks,
merge, conflicts, a revision, the team's change sequence) and phones receive
the edit at their next pull. Pages call these functions, never Push itself.

Unlike a phone, the web device's earlier edits are rivals, not a base: an
edit is made on the page as it was loaded, so a stale edit of a field that
changed since (in another tab of the same person too) is a conflict.
"""

import uuid

import sqlalchemy as sa

from fvfield.audit import record_event
from fvfield.extensions import begin_write, db
from fvfield.models import ConflictResolution, utcnow
from fvfield.problems import said
from fvfield.sync.batch import Push
from fvfield.sync.documents import data_of, load_documents, load_history, revisions
from fvfield.sync.merge import changed, fields
from fvfield.sync.statuses import APPLIED, CONFLICT

# The namespace of web device ids: one fixed id per user, never a phone's.
WEB_DEVICES = uuid.UUID("4a0b6f8e-2d1c-4e9a-b7f3-5c8d9e0a1b2c")
resolutions = ConflictResolution.__table__


class ConflictMoved(Exception):
    """The document changed while the coordinator was choosing: they look again."""


def web_device_id(user_id):
    """Return the device id of a user's edits on the web (the same every time)."""
    return str(uuid.uuid5(WEB_DEVICES, user_id))


def new_change(collection, document_id=None, base_rev=0, **attributes):
    """Return a change as a device makes it: a new change_id, and a new document id unless given."""
    return {
        "change_id": str(uuid.uuid4()),
        "collection": collection,
        "id": document_id or str(uuid.uuid4()),
        "base_rev": base_rev,
        **attributes,
    }


def apply_changes(conn, team, user, role, changes):
    """Apply changes inside the caller's write transaction; return (push, results)."""
    push = Push(conn, team.id, user.id, role, web_device_id(user.id), utcnow(), own_edits_are_base=False)
    push.load(changes)
    return push, [push.apply(change) for change in changes]


def save_changes(team, user, role, changes, note=None):
    """Apply server-made changes in one durable transaction; return their results, in order.

    `note(results)`, if given, runs before the commit (to add an audit event beside the changes).
    """
    conn = begin_write(team.id)
    push, results = apply_changes(conn, team, user, role, changes)
    push.log.write()
    if note is not None:
        note(results)
    db.session.commit()
    return results


def save_subject(team, user, role, kind, label, data, document_id=None, base_rev=0):
    """Add a subject (no id) or save an edit of one made on its rev `base_rev`; return the result."""
    change = new_change("subjects", document_id, base_rev, deleted=False, kind=kind, label=label, data=data)
    return save_changes(team, user, role, [change])[0]


def archive_subject(team, user, role, document_id, base_rev):
    """Archive a subject: a tombstone that travels to phones; return the result."""
    change = new_change("subjects", document_id, base_rev, deleted=True)
    return save_changes(team, user, role, [change])[0]


def delete_record(team, user, role, document_id, base_rev, reason):
    """Delete a record made on its rev `base_rev`: a tombstone that travels, the reason audited; return the result.

    A stale base meets the merge rule like any change (the tombstone keeps
    the newer answers); the records page refuses a stale deletion before it
    gets here, so nobody deletes what they have not seen.
    """
    change = new_change("records", document_id, base_rev, deleted=True, reason=reason)

    def note(results):
        if results[0]["status"] in ("applied", "merged"):
            record_event(
                "record_deleted",
                user=user,
                team=team,
                record_id=document_id,
                rev=results[0]["rev"],
                reason=reason,
            )

    return save_changes(team, user, role, [change], note)[0]


def correct_record(team, user, role, record, base_rev, data, reason):
    """Save a coordinator's correction of a record's answers, made on its rev `base_rev`; return the result.

    The page's base is the rev it was loaded on, so a correction of answers
    someone changed since is a conflict (both kept), never an overwrite; the
    reason is kept with the revision and shown in the history.
    """
    change = new_change(
        "records",
        record["id"],
        base_rev,
        deleted=False,
        form=record["form"],
        form_version=record["form_version"],
        subject_id=record["subject_id"],
        recorded_at=record["recorded_at"],
        data=data,
        reason=reason,
    )
    return save_changes(team, user, role, [change])[0]


def restore_subject(team, user, role, subject):
    """Bring an archived subject back as it was; return the result."""
    change = new_change(
        "subjects",
        subject["id"],
        subject["rev"],
        deleted=False,
        kind=subject["kind"],
        label=subject["label"],
        data=data_of(subject),
    )
    return save_changes(team, user, role, [change])[0]


def state_at(team_id, document_id, rev):
    """Return the state a document's winning revision `rev` produced, or None."""
    found = load_history(db.session.connection(), team_id, document_id, rev).get(rev)
    return found[0] if found else None


def open_conflicts(team_id, collection, document_id, conn=None):
    """Return a document's conflicting revisions no coordinator has resolved, oldest first."""
    conn = conn or db.session.connection()
    decided = sa.select(resolutions.c.conflict_change_id).where(
        resolutions.c.team_id == team_id, resolutions.c.document_id == document_id
    )
    return conn.execute(
        sa.select(revisions)
        .where(
            revisions.c.team_id == team_id,
            revisions.c.collection == collection,
            revisions.c.document_id == document_id,
            revisions.c.status == CONFLICT.name,
            revisions.c.change_id.not_in(decided),
        )
        .order_by(revisions.c.pk)
    ).all()


def resolution_change(current, chosen):
    """Return the change that keeps the current state except the chosen {field: value}."""
    collection = current["collection"]
    values = fields(collection, current)
    data = dict(data_of(current))
    for field, value in chosen.items():
        if isinstance(field, tuple):
            data[field[1]] = value
        else:
            values[field] = value
    names = (
        ("form", "form_version", "subject_id", "recorded_at")
        if collection == "records"
        else ("kind", "label")
    )
    change = new_change(
        collection,
        current["id"],
        current["rev"],
        resolves_conflict=True,
        deleted=bool(values["deleted"]),
        data={k: v for k, v in data.items() if v is not None},
    )
    change.update({name: values.get(name) for name in names})
    return change


def resolve_conflict(team, user, role, current, seen, chosen):
    """Save a coordinator's choice as a new revision that clears the conflict; return the result.

    `current` is the document state the coordinator saw and `seen` the
    change ids of the conflicting revisions shown beside it; `chosen` maps
    fields (as merge.fields names them) to the values chosen. Raises
    ConflictMoved, storing nothing, when the document or its open conflicts
    changed meanwhile. A rejected result (the choice breaks the form) stores
    nothing either. The conflicting revisions shown are marked resolved.
    """
    conn = begin_write(team.id)
    now = load_documents(conn, [current["id"]]).get(current["id"])
    waiting = [row.change_id for row in open_conflicts(team.id, current["collection"], current["id"], conn)]
    if (
        now is None
        or now["team_id"] != team.id
        or now["rev"] != current["rev"]
        or not now["has_conflict"]
        or set(waiting) != set(seen)
    ):
        db.session.rollback()
        raise ConflictMoved(said("This changed while you were choosing: look at it again."))
    change = resolution_change(now, chosen)
    push, (result,) = apply_changes(conn, team, user, role, [change])
    if result["status"] != APPLIED.name:
        db.session.rollback()
        return result
    push.log.write()
    for change_id in waiting:
        conn.execute(
            sa.insert(resolutions).values(
                team_id=team.id,
                collection=now["collection"],
                document_id=now["id"],
                conflict_change_id=change_id,
                resolution_change_id=change["change_id"],
                resolved_by=user.id,
                resolved_at=utcnow(),
            )
        )
    record_event(
        "conflict_resolved",
        user=user,
        team=team,
        collection=now["collection"],
        document_id=now["id"],
        rev=result["rev"],
    )
    db.session.commit()
    return result


def conflicting_fields(current, conflict, base):
    """Return the fields a conflicting revision changed (against its base) to other values than the current ones.

    Without its base (never expected), every field that differs counts.
    """
    collection = current["collection"]
    now, theirs = fields(collection, current), fields(collection, conflict)
    differing = changed(now, theirs)
    if base is not None:
        differing &= changed(fields(collection, base), theirs)
    return differing
