"""A device's push: the body checked as a whole, then its changes applied in one transaction."""

import sqlalchemy as sa

from fvfield.dialect import is_transient
from fvfield.extensions import begin_write, db
from fvfield.models import utcnow
from fvfield.problems import said
from fvfield.sync import checks
from fvfield.sync.batch import Push
from fvfield.sync.devices import note_device
from fvfield.sync.errors import PushRefused
from fvfield.sync.pull import make_cursor

PUSH_ATTEMPTS = 3


def check_push(body, max_changes):
    """Return (device_id, changes) of a push body, or raise PushRefused naming what is wrong."""
    if not isinstance(body, dict):
        raise PushRefused(
            "body_not_object", said('The body must be a JSON object: {"device_id": ..., "changes": [...]}.')
        )
    device_id = body.get("device_id")
    if not checks.is_uuid(device_id):
        raise PushRefused("invalid_device_id", said("device_id must be the UUID of this installed app."))
    changes = body.get("changes")
    if not isinstance(changes, list):
        raise PushRefused("changes_not_list", said("changes must be a list of changes."))
    if len(changes) > max_changes:
        raise PushRefused(
            "too_many_changes",
            said(
                "A push carries at most %(max_changes)s changes; this one has %(changes)s. Send them in "
                "smaller batches.",
                max_changes=max_changes,
                changes=len(changes),
            ),
        )
    for number, change in enumerate(changes, 1):
        if not isinstance(change, dict):
            raise PushRefused(
                "change_not_object", said("Change %(number)s is not a JSON object.", number=number)
            )
        missing = checks.missing_keys(change)
        if missing:
            raise PushRefused(
                "missing_keys",
                said("Change %(number)s has no %(missing)s.", number=number, missing=", ".join(missing)),
            )
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
