"""Erasure on request (UK GDPR Art. 17): a subject with every record about it, or one record, for good.

Archiving and deleting keep the history; erasing does not. Each erased
document becomes a tombstone with no content (no label, answers, time or
author), numbered in the team's change sequence so that every phone drops
its copy at its next pull. Its revisions (the history and any conflicting
versions), the coordinators' decisions about it, and the photos that nothing
else refers to (their rows, and the files on disk once no team has them)
go. An `erasures` row keeps only the id, so that a phone offline since
cannot bring the data back (batch.py meets its change with the tombstone).

The tombstone keeps what is not about the person: its collection, kind or
form, and a record's day, which the dashboard's tallies need to recount the
day without it. The audit log says that an erasure happened, by whom, of
what and how many, and loses the free text (reasons, notes) of earlier
events about the erased documents.
"""

import os
import re

import sqlalchemy as sa

from fvfield.audit import record_event
from fvfield.extensions import db
from fvfield.models import (
    Attachment,
    AuditEvent,
    ConcernResolution,
    ConflictResolution,
    Erasure,
    utcnow,
)
from fvfield.problems import Problem, said
from fvfield.sync.attachments import path_of
from fvfield.sync.documents import documents, revisions, teams

PHOTO = re.compile(r'"sha256"\s*:\s*"([0-9a-f]{64})"')
erasures = Erasure.__table__
attachments = Attachment.__table__
# What an audit event about an erased document keeps: its ids, numbers and names of things, no free text.
KEPT_DETAIL = frozenset({"rev", "form", "collection", "status", "kind", "records", "photos"})


class NothingToErase(Problem):
    """The team has no such subject or record (or it is erased already)."""


def erased_ids(conn, team_id, ids):
    """Return which of these document ids of the team were erased."""
    if not ids:
        return set()
    return set(
        conn.scalars(
            sa.select(erasures.c.document_id).where(
                erasures.c.team_id == team_id,
                erasures.c.document_id.in_(sa.bindparam("ids", expanding=True)),
            ),
            {"ids": list(ids)},
        )
    )


def target_of(conn, team_id, collection, document_id):
    """Return the row of the team's subject or record to erase, or raise NothingToErase."""
    row = conn.execute(
        sa.select(documents).where(
            documents.c.team_id == team_id,
            documents.c.collection == collection,
            documents.c.id == document_id,
            documents.c.id_scope == 0,
        )
    ).first()
    if row is None or erased_ids(conn, team_id, [document_id]):
        raise NothingToErase("not_found", said("There is no such person, place or record to erase."))
    return row


def erased_rows(conn, team_id, target):
    """Return the rows erasing `target` takes: itself and, for a subject, every record about it."""
    rows = [target]
    if target.collection == "subjects":
        rows += conn.execute(
            sa.select(documents)
            .where(
                documents.c.team_id == team_id,
                documents.c.collection == "records",
                documents.c.subject_id == target.id,
            )
            .order_by(documents.c.pk)
        ).all()
    return rows


def preview(team_id, collection, document_id):
    """Return {"records", "photos", "forms"}: what erasing this document would take, for the page."""
    conn = db.session.connection()
    target = target_of(conn, team_id, collection, document_id)
    rows = erased_rows(conn, team_id, target)
    ids = [row.id for row in rows]
    return {
        "records": sum(row.collection == "records" for row in rows),
        "photos": len(photos_left_alone(conn, team_id, ids, photos_of(conn, team_id, ids))),
        "forms": sorted({row.form for row in rows if row.form}),
    }


def photos_of(conn, team_id, ids):
    """Return the photo hashes the documents and their revisions refer to."""
    found = set()
    for table, column in ((documents, documents.c.id), (revisions, revisions.c.document_id)):
        for (data,) in conn.execute(
            sa.select(table.c.data).where(
                table.c.team_id == team_id, column.in_(sa.bindparam("ids", expanding=True))
            ),
            {"ids": ids},
        ):
            found.update(PHOTO.findall(data or ""))
    return found


def photos_left_alone(conn, team_id, ids, hashes):
    """Return the hashes no other document or revision of the team refers to (those that go)."""
    alone = set()
    for sha in hashes:
        pattern = f"%{sha}%"
        used = False
        for table, column in ((documents, documents.c.id), (revisions, revisions.c.document_id)):
            query = sa.select(table.c.pk).where(
                table.c.team_id == team_id,
                column.not_in(sa.bindparam("ids", expanding=True)),
                table.c.data.like(pattern),
            )
            if conn.execute(query.limit(1), {"ids": ids}).first() is not None:
                used = True
                break
        if not used:
            alone.add(sha)
    return alone


def scrub_audit(team_id, ids):
    """Drop the free text (reasons, notes) from the team's earlier audit events about these documents."""
    wanted = set(ids)
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.team_id == team_id))
    for event in events:
        detail = event.detail or {}
        about = {value for key, value in detail.items() if key.endswith("id") and isinstance(value, str)}
        if about & wanted:
            event.detail = {
                key: value
                for key, value in detail.items()
                if key in KEPT_DETAIL or key.endswith("id") or not isinstance(value, str)
            }


def tombstone(row, rev, seq, now):
    """Return the values of a document's erased state: nothing about the person is left."""
    return {
        "_pk": row.pk,
        "rev": rev,
        "seq": seq,
        "deleted": True,
        "has_conflict": False,
        "updated_at": now,
        "author": None,
        "label": None,
        "recorded_at": None,
        "data": "{}",
        "odd_time": False,
        "concern": False,
    }


def erase(conn, team, user, collection, document_id):
    """Erase a subject (with its records) or a record inside the caller's write transaction.

    The caller took the team's write lock (begin_write) and commits, then
    calls remove_photo_files with the hashes returned: {"records", "photos",
    "hashes", "forms"}.
    """
    target = target_of(conn, team.id, collection, document_id)
    rows = erased_rows(conn, team.id, target)
    ids = [row.id for row in rows]
    hashes = photos_left_alone(conn, team.id, ids, photos_of(conn, team.id, ids))
    now = utcnow()
    seq = conn.scalar(sa.select(teams.c.change_seq).where(teams.c.id == team.id).with_for_update())
    states = []
    for row in rows:
        seq += 1
        states.append(tombstone(row, row.rev + 1, seq, now))
    conn.execute(
        sa.update(documents).where(documents.c.pk == sa.bindparam("_pk")),
        states,
    )
    conn.execute(sa.update(teams).where(teams.c.id == team.id).values(change_seq=seq))
    many = {"ids": ids}
    listed = sa.bindparam("ids", expanding=True)
    conn.execute(
        sa.delete(revisions).where(revisions.c.team_id == team.id, revisions.c.document_id.in_(listed)), many
    )
    for table, column in (
        (ConflictResolution.__table__, ConflictResolution.__table__.c.document_id),
        (ConcernResolution.__table__, ConcernResolution.__table__.c.record_id),
    ):
        conn.execute(sa.delete(table).where(table.c.team_id == team.id, column.in_(listed)), many)
    if hashes:
        conn.execute(
            sa.delete(attachments).where(attachments.c.team_id == team.id, attachments.c.sha256.in_(hashes))
        )
    conn.execute(
        sa.insert(erasures),
        [
            {
                "team_id": team.id,
                "collection": row.collection,
                "document_id": row.id,
                "erased_by": user.id,
                "erased_at": now,
            }
            for row in rows
        ],
    )
    scrub_audit(team.id, ids)
    found = {
        "records": sum(row.collection == "records" for row in rows),
        "photos": len(hashes),
        "forms": sorted({row.form for row in rows if row.form}),
    }
    record_event(
        "erased",
        user=user,
        team=team,
        what="subject" if collection == "subjects" else "record",
        kind=target.kind if collection == "subjects" else None,
        document_id=target.id,
        **found,
    )
    return {**found, "hashes": hashes}


def remove_photo_files(folder, hashes):
    """Remove the files of erased photos that no team keeps any more (after the commit)."""
    if not hashes:
        return
    kept = set(
        db.session.scalars(sa.select(attachments.c.sha256).where(attachments.c.sha256.in_(list(hashes))))
    )
    for sha in set(hashes) - kept:
        try:
            os.unlink(path_of(folder, sha))
        except FileNotFoundError:
            pass
