"""Checks on the shape of pushed changes, before anything is looked up.

Errors use the sync contract's shape: {"attribute or field name": ["message"],
"_": ["message about the whole change"]}.
"""

import re
from datetime import datetime

from fvfield.problems import said

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
REQUIRED = ("change_id", "collection", "id", "base_rev")
# What a change must carry besides REQUIRED, unless it deletes the document.
REQUIRED_BY_COLLECTION = {
    "records": ("form", "form_version", "recorded_at", "data"),
    "subjects": ("kind", "label"),
}
MAX_KIND, MAX_LABEL, MAX_FORM_ID = 40, 200, 64
# Why a change was made (a correction, a deletion): a sentence or two for the
# history, not a second set of notes. The revisions' column holds this many.
MAX_REASON = 500
# A subject's own attributes (room, contacts, a pitch's number): room for a
# card of key facts, not for a file, and nested no deeper than a list of contacts needs.
MAX_SUBJECT_DATA_CHARS, MAX_SUBJECT_DEPTH, MAX_SUBJECT_TEXT = 20_000, 6, 5_000


def is_uuid(value):
    """Return whether a value is a UUID in its usual text form."""
    return isinstance(value, str) and len(value) == 36 and UUID.match(value) is not None


def is_count(value, least=0):
    """Return whether a value is a JSON integer (not a boolean) from `least` to 2**31 - 1."""
    return isinstance(value, int) and not isinstance(value, bool) and least <= value < 2**31


def missing_keys(change):
    """Return the keys a change lacks, in the order the contract lists them."""
    needed, collection = REQUIRED, change.get("collection")
    if change.get("deleted") is not True and isinstance(collection, str):
        needed += REQUIRED_BY_COLLECTION.get(collection, ())
    return [key for key in needed if key not in change]


def add(errors, name, message):
    """Add a message for a field to an errors dict."""
    errors.setdefault(name, []).append(message)


def check_common(change):
    """Return the errors of the keys every change carries."""
    errors = {}
    if not is_uuid(change["change_id"]):
        add(errors, "change_id", said("change_id must be a UUID made when the edit was saved."))
    if change["collection"] not in ("forms", "subjects", "records"):
        add(errors, "collection", said("collection must be forms, subjects or records."))
    elif change["collection"] == "forms":
        if not isinstance(change["id"], str) or len(change["id"]) > MAX_FORM_ID:
            add(errors, "id", said("A form's id is its slug."))
    elif not is_uuid(change["id"]):
        add(errors, "id", said("id must be a UUID made when the document was created."))
    if not is_count(change["base_rev"]):
        add(errors, "base_rev", said("base_rev must be a whole number: the rev you last saw, 0 if new."))
    if not isinstance(change.get("deleted", False), bool):
        add(errors, "deleted", said("deleted must be true or false."))
    if not isinstance(change.get("resolves_conflict", False), bool):
        add(errors, "resolves_conflict", said("resolves_conflict must be true or false."))
    reason = change.get("reason")
    if reason is not None and not isinstance(reason, str):
        add(errors, "reason", said("reason must be text: why the record was corrected or deleted."))
    elif isinstance(reason, str) and len(reason) > MAX_REASON:
        add(
            errors,
            "reason",
            said(
                "The reason is %(reason)s characters long; say why in at most %(MAX_REASON)s.",
                reason=len(reason),
                MAX_REASON=MAX_REASON,
            ),
        )
    return errors


def reason_of(change):
    """Return a change's reason as the history keeps it: trimmed, or None when not said."""
    reason = change.get("reason")
    return reason.strip() or None if isinstance(reason, str) else None


def is_datetime_with_offset(value):
    """Return whether a value is an ISO 8601 date and time with a UTC offset."""
    if not isinstance(value, str) or len(value) > 40 or len(value) < 16:
        return False
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


def check_record(state):
    """Return the errors of a record's attributes (not of its answers)."""
    errors = {}
    form = state.get("form")
    if not isinstance(form, str) or not form or len(form) > MAX_FORM_ID:
        add(errors, "form", said("form must be the id of one of the team's forms."))
    if not is_count(state.get("form_version"), 1):
        add(errors, "form_version", said("form_version must be the number of a published version."))
    subject_id = state.get("subject_id")
    if subject_id is not None and not is_uuid(subject_id):
        add(errors, "subject_id", said("subject_id must be the id of a subject, or null."))
    if not is_datetime_with_offset(state.get("recorded_at")):
        add(
            errors,
            "recorded_at",
            said("recorded_at must be the date and time with its offset, like 2026-11-25T09:41:00+00:00."),
        )
    if not isinstance(state.get("data"), dict):
        add(errors, "data", said("data must be an object of answers keyed by field name."))
    return errors


def check_subject(state):
    """Return the errors of a subject's attributes."""
    errors = {}
    kind, label = state.get("kind"), state.get("label")
    if not isinstance(kind, str) or not kind.strip() or len(kind) > MAX_KIND:
        add(
            errors,
            "kind",
            said(
                "kind must be a word such as person, market or pitch (at most %(MAX_KIND)s characters).",
                MAX_KIND=MAX_KIND,
            ),
        )
    if not isinstance(label, str) or not label.strip() or len(label) > MAX_LABEL:
        add(
            errors,
            "label",
            said("label must be a name to show, of 1 to %(MAX_LABEL)s characters.", MAX_LABEL=MAX_LABEL),
        )
    if isinstance(label, str) and "\x00" in label:
        add(errors, "label", said("label must not hold a NUL character."))
    data = state.get("data")
    if not isinstance(data, dict):
        add(errors, "data", said("data must be an object of the subject's attributes."))
    else:
        problem = data_problem(data)
        if problem:
            add(errors, "data", problem)
    return errors


def data_problem(data):
    """Return what is wrong with a subject's attributes (too large, too deep, a NUL), or None."""
    chars, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_SUBJECT_DEPTH:
            return f"data must not nest deeper than {MAX_SUBJECT_DEPTH} levels."
        if isinstance(value, dict):
            texts, children = list(value), list(value.values())
        elif isinstance(value, list):
            texts, children = [], value
        elif isinstance(value, str):
            texts, children = [value], []
        else:
            texts, children = [], []
            chars += len(str(value))
        for text in texts:
            if "\x00" in text:
                return "data must not hold a NUL character."
            if len(text) > MAX_SUBJECT_TEXT:
                return f"data's texts must be at most {MAX_SUBJECT_TEXT} characters each."
            chars += len(text)
        if chars > MAX_SUBJECT_DATA_CHARS:
            return f"data must be at most {MAX_SUBJECT_DATA_CHARS} characters in all."
        stack.extend((child, depth + 1) for child in children)
    return None
