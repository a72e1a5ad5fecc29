"""Fields and values in words: the question labels of a record's form version, subject names, yes and no."""

import json

from fvfield.formatting import NO_ANSWER, device_time
from fvfield.questionnaires.structure import answer_fields
from fvfield.questionnaires.types import FIELD_TYPES, TYPES
from fvfield.sync.forms import form_definition

RECORD_ATTRIBUTES = {
    "deleted": "Deleted",
    "form": "Form",
    "form_version": "Form version",
    "subject_id": "About",
    "recorded_at": "Recorded at",
}
SUBJECT_ATTRIBUTES = {"deleted": "Archived", "kind": "Kind", "label": "Name"}
# The subject data keys the coordinators' pages and the field app share.
SUBJECT_DATA = {
    "important": "What's important to them",
    "essentials": "Essentials",
    "contacts": "Key contacts",
    "group": "Group",
    "address": "Address or area",
    "notes": "Notes",
    "market_id": "Market",
    "unit_type": "Unit type",
    "position": "Position",
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
        return "Yes" if value else "No"
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
        words += f" (within {point['accuracy']:g} m)"
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
        return f"{value} of {field.get('max')}" + (f" – {label}" if label else "")
    if kind == "photo" and isinstance(value, dict):
        return f"Photo ({max(1, round(value.get('size', 0) / 1024))} KB)"
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
            return self.subjects.get(value, "an unknown subject") if value else NO_ANSWER
        if field == "form" and value:
            definition = self.definition(value, state.get("form_version"))
            return definition["title"] if definition else value
        if isinstance(field, tuple) and state["collection"] == "records":
            question = self.questions(state).get(field[1])
            return answer_words(question, value) if question else plain(value)
        if field == ("data", "unit_type") and value:
            return humanise(value)
        if field == "kind" and value:
            return humanise(value)
        if field == "recorded_at" and value:
            return device_time(value)
        return plain(value)

    def person(self, user_id):
        """Return the name of who made something."""
        return self.people.get(user_id, "a removed account") if user_id else "the server"
