"""Possible duplicate pitches: the same market and the same reference once case and spaces are set aside.

Two volunteers offline can each add pitch "10a" and "10A" of one market.
Both are kept (neither phone could know of the other); the push answers the
second with `possible_duplicate_of` (the first one's id) and the
coordinators' subjects page lists them to merge (teams/subjects.py).
"""

import json

import sqlalchemy as sa

from fvfield.sync.documents import documents

PITCH = "pitch"


def normalised_reference(label):
    """Return a pitch reference as compared for duplicates: case, spaces around and runs of spaces aside."""
    return " ".join((label or "").split()).casefold()


def market_of(data):
    """Return a pitch's market id from its data (a dict or its JSON text), or None."""
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            return None
    return data.get("market_id") if isinstance(data, dict) else None


def key_of(label, data):
    """Return what two pitches share when one may be a duplicate of the other."""
    return market_of(data), normalised_reference(label)


class Pitches:
    """The team's live pitches by (market, reference), read once per push and kept up as it applies."""

    def __init__(self, conn, team_id):
        self.conn, self.team_id, self.by_key = conn, team_id, None

    def load(self):
        rows = self.conn.execute(
            sa.select(documents.c.id, documents.c.label, documents.c.data).where(
                documents.c.team_id == self.team_id,
                documents.c.collection == "subjects",
                documents.c.kind == PITCH,
                documents.c.deleted == sa.false(),
            )
        )
        self.by_key = {}
        for row in rows:
            self.by_key.setdefault(key_of(row.label, row.data), row.id)

    def match(self, state):
        """Return the id of another live pitch this new one may duplicate, remembering it; else None."""
        if state.get("collection") != "subjects" or state.get("kind") != PITCH or state.get("deleted"):
            return None
        if self.by_key is None:
            self.load()
        key = key_of(state.get("label"), state.get("data"))
        if not key[1]:
            return None
        found = self.by_key.get(key)
        if found is None:
            self.by_key[key] = state["id"]
            return None
        return found if found != state["id"] else None
