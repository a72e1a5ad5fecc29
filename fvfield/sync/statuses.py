"""The push statuses: THE list of what the server can answer for one change, and what each means.

Every place that names a status reads it from here: the push logic, the
revision history, the phone-copy import, the OpenAPI description (its enums)
and the field app (served to it as /field/registry.js). A guard test
(tests/test_registries.py) fails when one of them handles less than all.
"""

from dataclasses import dataclass

from fvfield.problems import said


@dataclass(frozen=True)
class Status:
    """One answer to a pushed change."""

    name: str
    # The change is the server's now: the phone may drop it from its outbox.
    acknowledged: bool
    # The change was kept as a revision of its document (a duplicate is not kept again).
    kept: bool
    # The revision it made is the document's current state (a conflict's is kept beside it).
    current: bool
    # How a person reads it in a document's history (English; the pages translate it).
    words: str


APPLIED = Status("applied", acknowledged=True, kept=True, current=True, words=said("Applied"))
DUPLICATE = Status("duplicate", acknowledged=True, kept=False, current=False, words=said("Duplicate"))
MERGED = Status("merged", acknowledged=True, kept=True, current=True, words=said("Merged"))
CONFLICT = Status("conflict", acknowledged=True, kept=True, current=False, words=said("Conflict"))
REJECTED = Status("rejected", acknowledged=False, kept=False, current=False, words=said("Rejected"))

STATUSES = {status.name: status for status in (APPLIED, DUPLICATE, MERGED, CONFLICT, REJECTED)}
# The statuses a stored revision can have (a duplicate's original status is one of them).
KEPT = tuple(name for name, status in STATUSES.items() if status.kept)
# The statuses whose revision is the document's state: a merge's base is the latest of these.
CURRENT = tuple(name for name, status in STATUSES.items() if status.current)


def for_the_phone():
    """Return what the field app needs of the statuses, as JSON values."""
    return {
        "PUSH_STATUSES": list(STATUSES),
        "ACKNOWLEDGED_STATUSES": [name for name, status in STATUSES.items() if status.acknowledged],
    }
