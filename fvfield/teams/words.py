"""Fields and values in words: the question labels of a record's form version, subject names, yes and no."""

import json

from flask_babel import gettext, lazy_gettext

from fvfield.formatting import NO_ANSWER, device_time
from fvfield.questionnaires.structure import answer_fields
from fvfield.questionnaires.types import FIELD_TYPES, TYPES
from fvfield.sync.forms import form_definition

RECORD_ATTRIBUTES = {
    "deleted": lazy_gettext("Deleted"),
    "form": lazy_gettext("Form"),
    "form_version": lazy_gettext("Form version"),
    "subject_id": lazy_gettext("About"),
    "recorded_at": lazy_gettext("Recorded at"),
}
SUBJECT_ATTRIBUTES = {
    "deleted": lazy_gettext("Archived"),
    "kind": lazy_gettext("Kind"),
    "label": lazy_gettext("Name"),
}
# The subject data keys the coordinators' pages and the field app share.
SUBJECT_DATA = {
    "important": lazy_gettext("What's important to them"),
    "essentials": lazy_gettext("Essentials"),
    "contacts": lazy_gettext("Key contacts"),
    "group": lazy_gettext("Group"),
    "address": lazy_gettext("Address or area"),
    "notes": lazy_gettext("Notes"),
    "market_id": lazy_gettext("Market"),
    "unit_type": lazy_gettext("Unit type"),
    "position": lazy_gettext("Position"),
}


def humanise(key):
    """Return a data key as words: "unit_type" reads "Unit type"."""
    words = str(key).replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def plain(value):
    """Return any JSON value as short words."""
    if value is None or value == "" or value == []:
        return NO_ANSWER
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, list):
        return ", ".join(plain(item) for item in value)
    if isinstance(value, dict):
        if "lat" in value and "lon" in value:
            return position(value)
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def position(point):
    """Return a position as "51.54210, -0.07510 (within 12 m)"."""
    words = f"{point.get('lat')}, {point.get('lon')}"
    if isinstance(point.get("accuracy"), (int, float)):
        words += " " + gettext("(within %(metres)s m)", metres=f"{point['accuracy']:g}")
    return words


def choice_words(field, value):
    """Return the label of a choice, or the value itself when the version has no such choice."""
    for choice in field.get("choices") or []:
        if choice.get("value") == value:
            return choice.get("label") or str(value)
    return plain(value)


def answer_words(field, value):
    """Return an answer as the people who filled the form read it."""
    kind = field.get("type")
    if value is None or value == "" or value == []:
        return NO_ANSWER
    if kind == "choice":
        return choice_words(field, value)
    if kind in TYPES and TYPES[kind].export == "choices" and isinstance(value, list):
        return ", ".join(choice_words(field, item) for item in value)
    if kind == "scale" and isinstance(value, int):
        labels = field.get("labels")
        label = None
        if isinstance(labels, list) and 0 <= value - field.get("min", 0) < len(labels):
            label = labels[value - field.get("min", 0)]
        elif isinstance(labels, dict):
            label = labels.get(str(value))
        words = gettext("%(value)s of %(max)s", value=value, max=field.get("max"))
        return words + (f" – {label}" if label else "")
    if kind == "photo" and isinstance(value, dict):
        return gettext("Photo (%(size)s KB)", size=max(1, round(value.get("size", 0) / 1024)))
    if kind == "repeat" and isinstance(value, list):
        return f"{len(value)} × {field.get('label')}"
    return plain(value)


class Words:
    """Labels and values of one team's documents, reading each form version once."""

    def __init__(self, team, subjects=None, people=None):
        self.team, self.subjects, self.people = team, subjects or {}, people or {}
        self.versions = {}

    def definition(self, form_id, version):
        """Return a published version of a form (None if it is not one)."""
        key = (form_id, version)
        if key not in self.versions:
            self.versions[key] = form_definition(self.team.id, form_id, version) if form_id else None
        return self.versions[key]

    def questions(self, state):
        """Return {field name: field} of a record's form version ({} for a subject)."""
        definition = self.definition(state.get("form"), state.get("form_version"))
        if definition is None:
            return {}
        return {f["name"]: f for f in answer_fields(definition) if f.get("type") in FIELD_TYPES}

    def label(self, state, field):
        """Return the words for a field of a document (a merge field name or ("data", key))."""
        if isinstance(field, tuple):
            key = field[1]
            if state["collection"] == "records":
                question = self.questions(state).get(key)
                return question["label"] if question else humanise(key)
            return SUBJECT_DATA.get(key) or humanise(key)
        names = RECORD_ATTRIBUTES if state["collection"] == "records" else SUBJECT_ATTRIBUTES
        return names.get(field, humanise(field))

    def value(self, state, field, value):
        """Return a field's value in words."""
        if field == "subject_id" or field == ("data", "market_id"):
            return self.subjects.get(value, gettext("an unknown subject")) if value else NO_ANSWER
        if field == "form" and value:
            definition = self.definition(value, state.get("form_version"))
            return definition["title"] if definition else value
        if isinstance(field, tuple) and state["collection"] == "records":
            question = self.questions(state).get(field[1])
            return answer_words(question, value) if question else plain(value)
        if field == ("data", "unit_type") and value:
            from fvfield.teams.forms import UNIT_TYPES

            return dict(UNIT_TYPES).get(value) or humanise(value)
        if field == "kind" and value:
            from fvfield.teams.store import SUBJECT_KINDS

            return SUBJECT_KINDS.get(value) or humanise(value)
        if field == "recorded_at" and value:
            return device_time(value)
        return plain(value)

    def person(self, user_id):
        """Return the name of who made something."""
        return self.people.get(user_id, gettext("a removed account")) if user_id else gettext("the server")
