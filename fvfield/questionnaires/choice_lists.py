"""Choice lists that depend on other answers: cascading choices and "Other, please say".

- `choice_filter` (a choice or multiple choice question): an expression over
  each choice's `columns` and the record's answers, e.g. `county = ${county}`
  (XLSForm's choices sheet columns). A bare name reads the choice's column
  (`name` and `value` are its value, `label` its label); only the choices it
  holds true for are offered (and `other` of an or_other question, always),
  and an answer outside them is refused.
- `or_other: true`: the list has a choice whose value is `other`; choosing it
  asks for the words in a companion answer named `<name>_other` (text), which
  is required then and refused otherwise.

definitions.py calls `check_choice_options`; answers.py builds its checks with
`filter_check` and `other_steps`. static/js/form/choices.js is the phone's side.
"""

import re

from fvfield.questionnaires.expressions import (
    Context,
    ExpressionError,
    columns,
    compiled,
    items,
    references,
    truth,
)
from fvfield.questionnaires.expressions import parse as parse_expression
from fvfield.questionnaires.rules import UNSURE
from fvfield.questionnaires.types import choices_words, show, storable_text

OTHER = "other"
OTHER_SUFFIX = "_other"
OTHER_LIMIT = 2_000
COLUMN = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,63}")
# Names a filter reads of every choice, whatever its columns.
OWN_COLUMNS = ("name", "value", "label")
MAX_COLUMN_TEXT = 200


def other_name(field):
    """Return the name of a question's "other, please say" answer: <name>_other."""
    return f"{field['name']}{OTHER_SUFFIX}"


def choice_row(choice):
    """Return what a choice filter reads of one choice: its columns, its value as name and value, its label."""
    row = dict(choice.get("columns") or {})
    row.update(name=choice["value"], value=choice["value"], label=choice.get("label", ""))
    return row


# --- Definitions ---------------------------------------------------------------------------------


def check_choice_options(problems, path, who, field, all_names):
    """Check a choice question's columns of choices, its choice_filter and its or_other."""
    choices = field.get("choices") if type(field.get("choices")) is list else []
    known = set(OWN_COLUMNS)
    for number, choice in enumerate(choices, 1):
        if type(choice) is dict and "columns" in choice:
            problem = columns_problem(choice["columns"])
            if problem:
                problems.add(f"{path}.choices", f"{who}: choice {number} {problem}")
                return
            known |= set(choice["columns"])
    if "choice_filter" in field:
        check_filter(problems, path, who, field, all_names, known)
    if "or_other" in field:
        check_or_other(problems, path, who, field, choices, all_names)


def columns_problem(value):
    """Say what is wrong with a choice's columns ({"county": "dhaka"}), or None."""
    if type(value) is not dict or not value:
        return 'has "columns" that is not an object of column names and texts, e.g. {"county": "dhaka"}.'
    for key, text in value.items():
        if type(key) is not str or not COLUMN.fullmatch(key) or key in OWN_COLUMNS:
            return f"has a column {show(key)}: name a column with letters, digits and _ (not name, value, label)."
        if type(text) is not str or len(text) > MAX_COLUMN_TEXT or storable_text(text):
            return f"has the column '{key}' as {show(text)}: give it text of at most {MAX_COLUMN_TEXT} characters."
    return None


def check_filter(problems, path, who, field, all_names, known):
    """Check a choice_filter: an expression that reads columns the choices have and questions of the form."""
    try:
        tree = parse_expression(field["choice_filter"], columns=True)
    except ExpressionError as error:
        problems.add(f"{path}.choice_filter", f"{who}: its choice filter cannot be read: {error}.")
        return
    unknown = [name for name in references(tree) if name not in all_names]
    if unknown:
        problems.add(
            f"{path}.choice_filter",
            f"{who}: its choice filter names no question '{unknown[0]}' of this form.",
        )
    if field.get("name") in references(tree):
        problems.add(f"{path}.choice_filter", f"{who}: its choice filter cannot read its own answer.")
    missing = [name for name in columns(tree) if name not in known]
    if missing:
        problems.add(
            f"{path}.choice_filter",
            f"{who}: its choice filter reads a column '{missing[0]}' that none of its choices has.",
        )


def check_or_other(problems, path, who, field, choices, all_names):
    """Check or_other: true with a choice 'other', and a free name for the companion answer."""
    if field["or_other"] is not True:
        problems.add(
            f"{path}.or_other", f"{who}: or_other must be true (or left out), not {show(field['or_other'])}."
        )
        return
    values = {c.get("value") for c in choices if type(c) is dict}
    if OTHER not in values:
        problems.add(
            f"{path}.or_other",
            f'{who}: with or_other, add the choice {{"value": "other", "label": "Other"}} that opens the box.',
        )
    name = field.get("name")
    if type(name) is str and len(name) > 64 - len(OTHER_SUFFIX):
        problems.add(f"{path}.or_other", f"{who}: with or_other its name must be at most 58 characters.")
    elif type(name) is str and f"{name}{OTHER_SUFFIX}" in all_names:
        problems.add(
            f"{path}.or_other",
            f"{who}: with or_other its answer '{name}{OTHER_SUFFIX}' holds the other words; "
            "rename the question that has that name.",
        )


# --- Answers -------------------------------------------------------------------------------------


def filter_check(field):
    """Return a step's check of a filtered choice: the answer must be among the choices offered, else None."""
    if "choice_filter" not in field:
        return None
    tree = parse_expression(field["choice_filter"], columns=True)
    names = references(tree)
    run = compiled(tree)
    choices = [(c["value"], choice_row(c)) for c in field["choices"]]
    # "Other, please say" is offered whatever the filter: it is for what the list lacks.
    always = {OTHER} if field.get("or_other") is True else set()

    def allowed(value, answers, errors):
        if any(name in errors for name in names):
            return None
        offered = [v for v, row in choices if v in always or truth(run(Context(answers, choice=row)))]
        chosen = value if type(value) is list else [value]
        outside = [v for v in chosen if v not in offered]
        if not outside:
            return None
        if not offered:
            return f"{show(outside[0])} cannot be chosen: no choice fits the answers given before it."
        listed = choices_words(offered)
        return f"{show(outside[0])} is not offered for the answers given before it; choose from {listed}."

    return allowed


def both(first, second):
    """Return one step check from two (either may be None): the first's message, else the second's."""
    if first is None or second is None:
        return first or second

    def allowed(value, answers, errors):
        return first(value, answers, errors) or second(value, answers, errors)

    return allowed


def other_steps(fields):
    """Return (names, steps): the companion answers of the or_other questions, and a step for each.

    A step is shaped as answers.py's: its "Other" text is shown only when its
    question's answer holds `other`, required then, and text of at most 2,000 characters.
    """
    names, steps = set(), []
    for field in fields:
        if field.get("or_other") is True:
            names.add(other_name(field))
            steps.append(other_step(field))
    return names, tuple(steps)


def other_step(field):
    """Return the step of one question's "other, please say" answer."""
    parent, words = field["name"], " ".join(str(field.get("label", "")).split())[:60]

    def shown(seen, answers, errors):
        if parent in errors or seen.get(parent) is UNSURE:
            return None
        return parent in seen and OTHER in items(seen[parent])

    def check(value):
        if type(value) is not str:
            return "Write what the other is, as text."
        if len(value) > OTHER_LIMIT:
            return f"Write at most {OTHER_LIMIT:,} characters."
        return storable_text(value)

    required = f"Say what the other is: 'Other' is chosen for '{words}'."
    hidden = f"Leave this out: it is only given when 'Other' is chosen for '{words}'."
    return (other_name(field), check, required, lambda v: not v.strip(), shown, hidden, None)
