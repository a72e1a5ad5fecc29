"""Edits of a form definition, on plain dicts: add, reword, move and remove questions.

Pure functions: nothing here touches the database (sync.drafts keeps the
draft they change), so the editor's rules can be tested on their own.
A question may be inside a section or a repeat (structure.py): each edit finds
it where it is, moves it within its own list, and a new question goes after
any question or at the end of any section or repeat.
"""

import re
import unicodedata

from fvfield.questionnaires.definitions import COMMON_KEYS, CONTAINER_KEYS, OPTIONS
from fvfield.questionnaires.structure import CONTAINERS, every_question, is_container

NAME_LENGTH = 40
DEFAULT_SCALE = {"min": 1, "max": 5}


def questions(definition):
    """Return a definition's questions (those that are objects), in order, those inside sections and repeats too."""
    fields = definition.get("fields") if isinstance(definition, dict) else None
    if not isinstance(fields, list):
        return []
    return [f for f, _ in every_question(fields) if isinstance(f, dict)]


def placed(definition):
    """Return [(question, depth, the section or repeat it is in or None)] of a definition, in order."""
    found = []

    def walk(fields, depth, parent):
        for field in fields if isinstance(fields, list) else ():
            if isinstance(field, dict):
                found.append((field, depth, parent))
                if is_container(field):
                    walk(field.get("fields"), depth + 1, field)

    walk(definition.get("fields") if isinstance(definition, dict) else None, 0, None)
    return found


def copied(definition):
    """Return a definition whose lists of questions (at any depth) are new lists, safe to change."""

    def copy_list(fields):
        out = []
        for field in fields:
            if is_container(field) and isinstance(field.get("fields"), list):
                field = {**field, "fields": copy_list(field["fields"])}
            out.append(field)
        return out

    return {**definition, "fields": copy_list(list(definition.get("fields") or []))}


def locate(fields, name):
    """Return (the list holding the question `name`, its index there), or (None, None)."""
    for index, field in enumerate(fields):
        if isinstance(field, dict) and field.get("name") == name:
            return fields, index
        if is_container(field) and isinstance(field.get("fields"), list):
            holder, found = locate(field["fields"], name)
            if holder is not None:
                return holder, found
    return None, None


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
    """Return a new question of a type, with the options it needs to start (a section starts empty)."""
    question = {"name": name, "type": kind, "label": label}
    if kind == "scale":
        question.update(DEFAULT_SCALE)
    if kind in CONTAINERS:
        question["fields"] = []
    return question


def with_type(question, kind):
    """Return a question changed to another type, keeping the options that type has."""
    allowed = CONTAINER_KEYS if kind in CONTAINERS else COMMON_KEYS
    kept = {key: value for key, value in question.items() if key in allowed + OPTIONS.get(kind, ())}
    kept["type"] = kind
    if kind in CONTAINERS:
        kept.setdefault("fields", [])
    if kind == "note":
        kept.pop("required", None)
    if kind == "scale":
        for key, value in DEFAULT_SCALE.items():
            if not isinstance(kept.get(key), int) or isinstance(kept.get(key), bool):
                kept[key] = value
    return kept


def index_of(definition, name):
    """Return the position of the question with this name in the form, counting every question, or None."""
    return next((i for i, f in enumerate(questions(definition)) if f.get("name") == name), None)


def dependants(definition, name):
    """Return the labels of the questions whose show_if depends on the question `name`."""
    return [
        f.get("label") or f.get("name")
        for f in questions(definition)
        if isinstance(f.get("show_if"), dict) and f["show_if"].get("field") == name
    ]


def insert_question(definition, question, position):
    """Return the definition with a question inserted: at the end (None), at the start (0),
    after a question ("after:<name>", in that question's list) or at the end of a section
    or repeat ("in:<name>")."""
    definition = copied(definition)
    fields = definition["fields"]
    if position is None:
        fields.append(question)
    elif position == 0:
        fields.insert(0, question)
    elif position.startswith("after:"):
        holder, index = locate(fields, position[len("after:") :])
        holder = fields if holder is None else holder
        holder.insert(len(holder) if index is None else index + 1, question)
    elif position.startswith("in:"):
        holder, index = locate(fields, position[len("in:") :])
        container = holder[index] if holder is not None else None
        (container["fields"] if is_container(container) else fields).append(question)
    return definition


def replace_question(definition, name, question):
    """Return the definition with the question `name` replaced; rules naming it follow a rename."""
    definition = copied(definition)

    def follow(fields):
        for index, field in enumerate(fields):
            if (
                isinstance(field, dict)
                and isinstance(field.get("show_if"), dict)
                and field["show_if"].get("field") == name
            ):
                fields[index] = {**field, "show_if": {**field["show_if"], "field": question["name"]}}
            if is_container(fields[index]) and isinstance(fields[index].get("fields"), list):
                follow(fields[index]["fields"])

    holder, index = locate(definition["fields"], name)
    if holder is not None:
        holder[index] = question
    follow(definition["fields"])
    return definition


def move_question(definition, name, by):
    """Return the definition with a question moved `by` places (-1 up, +1 down), within its own list."""
    definition = copied(definition)
    holder, index = locate(definition["fields"], name)
    if holder is not None and 0 <= index + by < len(holder):
        holder.insert(index + by, holder.pop(index))
    return definition


def move_into(definition, name, target):
    """Return the definition with a question moved to the end of the section or repeat `target`,
    or out of its section to just after it (target None)."""
    definition = copied(definition)
    fields = definition["fields"]
    holder, index = locate(fields, name)
    if holder is None:
        return definition
    question = holder[index]
    if target is None:
        outer = next(
            (c for c, _, _ in placed(definition) if is_container(c) and c.get("fields") is holder), None
        )
        if outer is None:
            return definition
        del holder[index]
        around, at = locate(fields, outer["name"])
        around.insert(at + 1, question)
        return definition
    place, at = locate(fields, target)
    if (
        place is None
        or not is_container(place[at])
        or target == name
        or target in {f.get("name") for f in questions({"fields": question.get("fields") or []})}
    ):
        return definition
    del holder[index]
    place, at = locate(fields, target)
    place[at]["fields"].append(question)
    return definition


def remove_question(definition, name):
    """Return the definition without the question `name`; a section's or repeat's questions stay, in its place."""
    definition = copied(definition)
    holder, index = locate(definition["fields"], name)
    if holder is not None:
        removed = holder.pop(index)
        if is_container(removed) and isinstance(removed.get("fields"), list):
            holder[index:index] = removed["fields"]
    return definition
