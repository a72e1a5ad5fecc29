"""Sections and repeats: how a form's questions nest, read by every place that walks a form.

A **section** (XLSForm's group) is an entry of a form's `fields` with type
`section`, a `label` (its title), an optional `relevant` condition that applies
to every question in it, and its own `fields`. Its questions' answers stay in
the record's answers, keyed by name, as if the section were not there.

A **repeat** is an entry with type `repeat`, a `label` (what one item is: "Household
member"), optional `min_count` and `max_count`, an optional `relevant`, and its own
`fields` (sections inside allowed, a repeat inside a repeat not). Its answer is
a list of items, each an object of the item's answers by name:
`{"members": [{"member_name": "Ada", "age": 34}, {"member_name": "Bo", "age": 3}]}`.
Names are unique across the whole form, inside repeats too.
"""

SECTION = "section"
REPEAT = "repeat"
CONTAINERS = (SECTION, REPEAT)


def is_container(field):
    """Return whether an entry of `fields` is a section or a repeat (a dict with its own fields)."""
    return type(field) is dict and field.get("type") in CONTAINERS


def record_questions(fields, sections=()):
    """Yield (question, sections) for the questions whose answers are the record's own.

    Sections are opened (each question comes with the sections around it,
    outermost first); a repeat comes as one entry, its questions not.
    """
    for field in fields:
        if type(field) is dict and field.get("type") == SECTION and type(field.get("fields")) is list:
            yield from record_questions(field["fields"], (*sections, field))
        else:
            yield field, sections


def item_questions(repeat):
    """Yield (question, sections) for the questions of one item of a repeat."""
    return record_questions(repeat.get("fields") or ())


def every_question(fields, repeat=None):
    """Yield (question, repeat or None) for every entry at any depth, sections and repeats too."""
    for field in fields:
        yield field, repeat
        if is_container(field) and type(field.get("fields")) is list:
            inner = field if field.get("type") == REPEAT else repeat
            yield from every_question(field["fields"], inner)


def answer_fields(definition):
    """Return the record-level questions of a definition, sections opened (repeats as one entry)."""
    return [field for field, _ in record_questions(definition.get("fields") or ())]


def repeats_of(definition):
    """Return the repeats of a definition, in order."""
    return [
        f
        for f, _ in every_question(definition.get("fields") or ())
        if type(f) is dict and f.get("type") == REPEAT
    ]


def names_in(fields):
    """Return every question name of a list of fields, at any depth."""
    return {
        f.get("name") for f, _ in every_question(fields) if type(f) is dict and type(f.get("name")) is str
    }
