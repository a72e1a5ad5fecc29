"""The merge rule: concurrent edits of different fields combine; of the same field, they conflict.

A field is one attribute of a document (deleted, form, form_version,
subject_id, recorded_at; kind, label) or one key of its data. A stale change
(its base_rev older than the document's rev) merges when the fields it
touched against its base were not touched since by another device (even
to the same value: both saves are kept, and a person looks); a device's own
earlier changes are its base, not rival edits (one phone may save a record
twice before it can push either edit).
"""

import json

from fvfield.sync.documents import ATTRIBUTES, data_of


def fields(collection, state):
    """Return a document state as {field: value}; data keys are ("data", key)."""
    if state is None:
        return {}
    found = {name: state.get(name) for name in ATTRIBUTES[collection]}
    found["deleted"] = bool(found["deleted"])
    for key, value in data_of(state).items():
        if value is not None:
            found[("data", key)] = value
    return found


def same(a, b):
    """Return whether two JSON values are equal (true is not 1, key order does not count)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def changed(before, after):
    """Return the fields whose values differ between two field maps."""
    return {f for f in before.keys() | after.keys() if not same(before.get(f), after.get(f))}


def changed_since(collection, history, base_rev, current_rev, device_id):
    """Return the fields other devices changed after base_rev, or None if history is missing.

    `history` maps rev to (the state it produced, the device that made it);
    rev 0 is nothing.
    """
    if base_rev and base_rev not in history:
        return None
    previous = fields(collection, history[base_rev][0] if base_rev else None)
    touched = set()
    for rev in range(base_rev + 1, current_rev + 1):
        if rev not in history:
            return None
        state, made_by = history[rev]
        now = fields(collection, state)
        if made_by is None or made_by != device_id:
            touched |= changed(previous, now)
        previous = now
    return touched


def merge(collection, current, proposed, touched):
    """Return the current state with the touched fields taken from the proposed state."""
    merged = dict(current)
    data = dict(data_of(current))
    incoming = fields(collection, proposed)
    for field in touched:
        if isinstance(field, tuple):
            if field in incoming:
                data[field[1]] = incoming[field]
            else:
                data.pop(field[1], None)
        else:
            merged[field] = incoming.get(field)
    merged["data"], merged["data_json"] = data, None
    return merged
