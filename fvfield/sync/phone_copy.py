"""Importing a phone's "copy to a file": its photos, then its changes, through the API's push.

The field app saves what waits in its outbox as one JSON file (see
docs/exports.md). A coordinator imports the part of it for their team: the
photos are stored as an upload would store them, and the changes go through
push_changes, so a change the server already has is a duplicate and
nothing is stored twice, whether the phone syncs later or the file is
imported again.
"""

import base64
import binascii
import io
import json
from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa

from fvfield.audit import record_event
from fvfield.extensions import begin_write, db
from fvfield.models import Attachment, Membership
from fvfield.sync import checks
from fvfield.sync.attachments import MAGIC, SHA256, AttachmentRefused, find, receive
from fvfield.sync.push import check_push, push_changes
from fvfield.sync.statuses import REJECTED, STATUSES

FORMAT, VERSION = "fvfield-outbox", 1


class CopyRefused(Exception):
    """A file that is not a phone's copy this server can read; the message says why."""


def megabytes(size):
    """Return a size in bytes as people read it: 50 MB."""
    return f"{size / 1_000_000:g} MB"


def refuse_constant(name):
    """Refuse NaN and Infinity, which JSON does not have."""
    raise ValueError(f"{name} is not JSON")


def read_copy(stream, limit):
    """Return the phone's copy in a file, or raise CopyRefused saying what is wrong with it."""
    raw = stream.read(limit + 1)
    if len(raw) > limit:
        raise CopyRefused(
            f"This file is larger than {megabytes(limit)}, more than a phone's copy may be. "
            "Check that it is the file the field app saved."
        )
    try:
        copy = json.loads(raw.decode("utf-8-sig"), parse_constant=refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise CopyRefused(
            "This file is not a phone's copy: it is not JSON. Choose the .json file "
            'that "Save a copy to a file" made on the phone.'
        ) from None
    check_copy(copy)
    return copy


def check_copy(copy):
    """Raise CopyRefused unless `copy` has the shape of the field app's copy, version 1."""
    if not isinstance(copy, dict) or copy.get("format") != FORMAT:
        raise CopyRefused(
            'This file is JSON, but not a phone\'s copy: it was not made by "Save a copy to a file" in the field app.'
        )
    if copy.get("version") != VERSION:
        raise CopyRefused(
            f"This copy is in version {copy.get('version')!r} of the format; this server reads "
            f"version {VERSION}. Update fvfield, or sync the phone instead."
        )
    if not checks.is_uuid(copy.get("device_id")):
        raise CopyRefused(
            "This copy does not say which phone it came from: its device_id is missing or broken."
        )
    teams = copy.get("teams")
    if not isinstance(teams, dict):
        raise CopyRefused("This copy is broken: it has no list of teams and their changes.")
    for slug, part in teams.items():
        if not (
            isinstance(part, dict)
            and isinstance(part.get("changes", []), list)
            and isinstance(part.get("attachments", []), list)
        ):
            raise CopyRefused(
                f"This copy is broken: the part for the team '{slug}' is not a list of changes and photos."
            )


@dataclass
class ImportReport:
    """What importing a copy did: one result per change, per photo, and what was left out."""

    author: object
    # The member of the team the file says saved it, or None: provenance only, never the author.
    claimed: object
    results: list
    photos: list
    skipped: dict

    @property
    def counts(self):
        """Return {status: how many changes got it}, for every status."""
        found = Counter(result["status"] for result in self.results)
        return {status: found[status] for status in STATUSES}

    @property
    def skipped_changes(self):
        """Return how many changes of the copy were for other teams."""
        return sum(self.skipped.values())


def claimed_author(team, user):
    """Return the member of `team` the file's `user` names, or None.

    The file is not signed: anyone who can edit it can claim any id, so the
    claim is kept as provenance and the importer is the author.
    """
    user_id = user.get("id") if isinstance(user, dict) else None
    if not isinstance(user_id, str):
        return None
    member = db.session.scalar(
        sa.select(Membership).where(Membership.team_id == team.id, Membership.user_id == user_id)
    )
    return member.user if member is not None else None


def claim_noted(claimed, user):
    """Return what the audit log keeps of the file's claimed author."""
    if claimed is not None:
        return {"claimed_author": claimed.email}
    if isinstance(user, dict) and user.get("id") is not None:
        return {"claimed_author": None, "claimed_id": str(user.get("id"))[:64]}
    return {"claimed_author": None}


def keep_photo(team_id, user_id, attachment, folder, limit):
    """Store one photo of the copy under its hash; return {sha256, outcome, message}."""
    if not isinstance(attachment, dict):
        return {"sha256": "", "outcome": "refused", "message": "This entry is not a photo."}
    sha256, content_type, text = (attachment.get(k) for k in ("sha256", "content_type", "data_base64"))
    found = {"sha256": sha256 if isinstance(sha256, str) else "", "outcome": "refused"}
    if not isinstance(sha256, str) or not SHA256.match(sha256):
        return {**found, "message": "It is not named by the sha256 of its bytes."}
    if content_type not in MAGIC:
        return {**found, "message": "It is not a JPEG, PNG or WebP image."}
    if not isinstance(text, str) or len(text) > (limit + 2) // 3 * 4:
        return {**found, "message": f"It is missing or larger than {megabytes(limit)}."}
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return {**found, "message": "Its bytes are damaged (not base64)."}
    if find(team_id, sha256) is not None:
        return {**found, "outcome": "already there", "message": ""}
    try:
        size = receive(io.BytesIO(data), folder, sha256, content_type, limit)
    except AttachmentRefused as refusal:
        return {**found, "message": refusal.message}
    begin_write()
    if find(team_id, sha256) is None:
        db.session.add(
            Attachment(
                team_id=team_id, sha256=sha256, content_type=content_type, size=size, uploaded_by=user_id
            )
        )
    db.session.commit()
    return {**found, "outcome": "stored", "message": ""}


def malformed(change):
    """Return why a change cannot go to the push at all, or None."""
    if not isinstance(change, dict):
        return "This change is not a JSON object."
    missing = checks.missing_keys(change)
    return f"This change has no {', '.join(missing)}." if missing else None


def push_all(team_id, user_id, role, device_id, changes, batch):
    """Push the changes in batches as push_changes does for the API; return their results in order."""
    results = [None] * len(changes)
    ready = []
    for index, change in enumerate(changes):
        problem = malformed(change)
        if problem:
            results[index] = {
                "change_id": None,
                "id": None,
                "status": REJECTED.name,
                "errors": {"_": [problem]},
            }
        else:
            ready.append(index)
    for start in range(0, len(ready), batch):
        indexes = ready[start : start + batch]
        device, pushed = check_push({"device_id": device_id, "changes": [changes[i] for i in indexes]}, batch)
        done, _ = push_changes(team_id, user_id, role, device, pushed)
        for index, result in zip(indexes, done):
            results[index] = result
    for change, result in zip(changes, results):
        result["what"] = describe_change(change)
    return results


def describe_change(change):
    """Return what a change is about, as a person reads it."""
    if not isinstance(change, dict):
        return "Not a change"
    collection = change.get("collection")
    if change.get("deleted") is True:
        return f"Deleting a {'record' if collection == 'records' else 'subject'}"
    if collection == "records":
        return f"A record of the form {change.get('form')}, made {change.get('recorded_at')}"
    if collection == "subjects":
        return f"{change.get('label')} ({change.get('kind')})"
    return f"A change of {collection}"


def import_copy(team, importer, copy, config):
    """Import the part of a phone's copy for `team`; return an ImportReport.

    The changes are pushed as the coordinator importing, who vouches for
    them; the member the file says saved it is kept as provenance (the
    report and the audit log name them). Changes for other teams are left
    out and counted.
    """
    part = copy["teams"].get(team.slug) or {}
    skipped = {
        slug: len(other.get("changes", []))
        for slug, other in copy["teams"].items()
        if slug != team.slug and other.get("changes")
    }
    claimed = claimed_author(team, copy.get("user"))
    author, role = importer, "coordinator"
    author_id, team_id = author.id, team.id
    photos = [
        keep_photo(team_id, author_id, attachment, config["ATTACHMENTS_DIR"], config["MAX_ATTACHMENT_BYTES"])
        for attachment in part.get("attachments", [])
    ]
    results = push_all(
        team_id, author_id, role, copy["device_id"], part.get("changes", []), config["MAX_CHANGES"]
    )
    report = ImportReport(author, claimed, results, photos, skipped)
    begin_write()
    record_event(
        "phone_copy_imported",
        user=importer,
        team=team,
        device_id=copy["device_id"].lower(),
        author=author.email,
        **claim_noted(claimed, copy.get("user")),
        photos=sum(photo["outcome"] == "stored" for photo in photos),
        skipped=report.skipped_changes,
        **report.counts,
    )
    db.session.commit()
    return report
