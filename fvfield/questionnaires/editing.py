"""Edits of a form definition, on plain dicts: add, reword, move and remove questions.

Pure functions: nothing here touches the database (sync.drafts keeps the
draft they change), so the editor's rules can be tested on their own.
"""

import re
import unicodedata

from fvfield.questionnaires.definitions import COMMON_KEYS, OPTIONS

NAME_LENGTH = 40
DEFAULT_SCALE = {"min": 1, "max": 5}


def questions(definition):
    """Return a definition's questions (those that are objects), in order."""
    fields = definition.get("fields") if isinstance(definition, dict) else None
    return [f for f in fields if isinstance(f, dict)] if isinstance(fields, list) else []


def plain_words(text):
    """Return the lower-case ASCII words of a text, joined by underscores."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")


def name_from(label, taken, prefix="question"):
    """Return a question name made from its label, unique among `taken`."""
    words = plain_words(label)[:NAME_LENGTH].strip("_")
    if not words or not words[0].isalpha():
        words = f"{prefix}_{words}".strip("_")
    name, number = words, 2
    while name in taken:
        name, number = f"{words}_{number}", number + 1
    return name


def id_from(title):
    """Return a form id made from a title: 'Home visit' gives 'home-visit'."""
    words = plain_words(title).replace("_", "-")[:NAME_LENGTH].strip("-")
    return words or "form"


def new_question(kind, label, name):
    """Return a new question of a type, with the options it needs to start."""
    question = {"name": name, "type": kind, "label": label}
    if kind == "scale":
        question.update(DEFAULT_SCALE)
    return question


def with_type(question, kind):
    """Return a question changed to another type, keeping the options that type has."""
    kept = {key: value for key, value in question.items() if key in COMMON_KEYS + OPTIONS.get(kind, ())}
    kept["type"] = kind
    if kind == "note":
        kept.pop("required", None)
    if kind == "scale":
        for key, value in DEFAULT_SCALE.items():
            if not isinstance(kept.get(key), int) or isinstance(kept.get(key), bool):
                kept[key] = value
    return kept


def index_of(definition, name):
    """Return the position of the question with this name, or None."""
    fields = definition.get("fields") or []
    return next((i for i, f in enumerate(fields) if isinstance(f, dict) and f.get("name") == name), None)


def dependants(definition, name):
    """Return the labels of the questions whose show_if depends on the question `name`."""
    return [
        f.get("label") or f.get("name")
        for f in questions(definition)
        if isinstance(f.get("show_if"), dict) and f["show_if"].get("field") == name
    ]


def insert_question(definition, question, position):
    """Return the definition with a question inserted at `position` (at the end when None)."""
    fields = list(definition.get("fields") or [])
    fields.insert(len(fields) if position is None else position, question)
    return {**definition, "fields": fields}


def replace_question(definition, name, question):
    """Return the definition with the question `name` replaced; rules naming it follow a rename."""
    fields = []
    for field in definition.get("fields") or []:
        if isinstance(field, dict) and field.get("name") == name:
            field = question
        elif (
            isinstance(field, dict)
            and isinstance(field.get("show_if"), dict)
            and field["show_if"].get("field") == name
        ):
            field = {**field, "show_if": {**field["show_if"], "field": question["name"]}}
        fields.append(field)
    return {**definition, "fields": fields}


def move_question(definition, name, by):
    """Return the definition with a question moved `by` places (-1 up, +1 down), within the form."""
    fields = list(definition.get("fields") or [])
    index = index_of(definition, name)
    target = index + by
    if 0 <= target < len(fields):
        fields.insert(target, fields.pop(index))
    return {**definition, "fields": fields}


def remove_question(definition, name):
    """Return the definition without the question `name`."""
    index = index_of(definition, name)
    fields = list(definition.get("fields") or [])
    del fields[index]
    return {**definition, "fields": fields}
