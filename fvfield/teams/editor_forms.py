"""The page forms of the form editor, and how one question goes into and out of them.

These are Flask-WTF forms of the coordinators' pages; what they edit are form
definitions, the questionnaires of fvfield/questionnaires. A question page shows the
options of every type (a small script hides those of other types), and the
answers of every question its show_if rule may depend on; the server reads
only those of the type and question chosen.
"""

import json
import math
import re

from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from fvfield.questionnaires import editing
from fvfield.questionnaires.definitions import MAX_HINT, MAX_NOTE, MAX_SLUG, MAX_TITLE
from fvfield.questionnaires.editing import name_from, with_type
from fvfield.questionnaires.rules import RULE_TYPES
from fvfield.questionnaires.types import FIELD_NAME, FIELD_TYPE_LIST, TYPES
from fvfield.questionnaires.xlsform import typed_default

TYPE_NAMES = tuple((t.name, lazy_gettext(t.label)) for t in FIELD_TYPE_LIST if t.in_editor)
TYPE_WORDS = dict(TYPE_NAMES)
SUBJECT_KINDS = (
    ("", lazy_gettext("Nothing in particular")),
    ("person", lazy_gettext("A person the team supports")),
    ("participant", lazy_gettext("A participant of an evaluation")),
    ("market", lazy_gettext("A market")),
    ("pitch", lazy_gettext("A pitch or stall of a market")),
)
# Which option groups of the question page apply to which types.
NUMBER_TYPES = tuple(name for name, t in TYPES.items() if "min" in t.options)
TEXT_TYPES = tuple(name for name, t in TYPES.items() if "max_length" in t.options)
CHOICE_TYPES = tuple(name for name, t in TYPES.items() if "choices" in t.options)
# The question page's option boxes, each shown for the types that take its option.
OPTION_TYPES = {
    option: " ".join(name for name, t in TYPES.items() if option in t.options)
    for option in ("max_length", "min", "labels", "choices", "calculation", "min_count")
}
# Rules on these are chosen from the question's answers; others are typed.
LISTED_RULE_TYPES = tuple(name for name, t in TYPES.items() if t.listed_in_rules)
# Rules on these are typed as numbers.
NUMBER_RULE_TYPES = tuple(name for name, t in TYPES.items() if t.export in ("whole", "number"))
# A scale with more points gets words for its two ends only.
MAX_WORDED_POINTS = 11
NEW_CHOICE_ROWS = 3
WHOLE = re.compile(r"[+-]?[0-9]{1,16}")


def options(pairs, group=None):
    """Return (value, label) pairs as the choices of a select field, in an optgroup when given."""
    return [SelectChoice(value, label, optgroup=group) for value, label in pairs]


class DraftAction(FlaskForm):
    """A button on the draft (move, remove, publish, discard): it carries the draft's rev."""

    rev = HiddenField()


class TitleForm(DraftAction):
    """The form's title and what each of its records is about."""

    title = StringField(
        lazy_gettext("Title"),
        validators=[
            InputRequired(lazy_gettext("Give the form a title, such as 'Home visit'.")),
            Length(max=MAX_TITLE),
        ],
    )
    subject_kind = SelectField(
        lazy_gettext("Each record is about"), choices=options(SUBJECT_KINDS), default=""
    )


class AddQuestionForm(DraftAction):
    """Add a question: its words and its type, then its own page for the rest."""

    label = TextAreaField(
        lazy_gettext("The question, as people will read it"),
        validators=[
            InputRequired(lazy_gettext("Write the question as people will read it.")),
            Length(max=MAX_NOTE),
        ],
    )
    kind = SelectField(lazy_gettext("Type of answer"), choices=options(TYPE_NAMES))
    position = SelectField(
        lazy_gettext("Where"), choices=options([("", lazy_gettext("At the end"))]), default=""
    )


class NewFormForm(FlaskForm):
    """Start a new form from a built-in form or from a copy of one of the team's."""

    source = SelectField(
        lazy_gettext("Start from"), validators=[InputRequired(lazy_gettext("Choose what to start from."))]
    )
    title = StringField(
        lazy_gettext("Title"),
        validators=[
            InputRequired(lazy_gettext("Give the new form a title.")),
            Length(max=MAX_TITLE),
        ],
    )
    form_id = StringField(
        lazy_gettext("Short name (id)"),
        validators=[Optional(), Length(max=MAX_SLUG)],
        filters=[lambda value: value.strip().lower() if isinstance(value, str) else value],
    )


class XLSFormFileForm(FlaskForm):
    """Bring a form in from an XLSForm file (ODK, KoBoToolbox, Enketo, the CHT)."""

    xlsform = FileField(
        lazy_gettext("XLSForm file (.xlsx or .xls)"),
        validators=[
            FileRequired(lazy_gettext("Choose an XLSForm file: a spreadsheet ending in .xlsx or .xls."))
        ],
        render_kw={"accept": ".xlsx,.xls,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    )
    form_id = StringField(
        lazy_gettext("Short name (id)"),
        validators=[Optional(), Length(max=MAX_SLUG)],
        filters=[lambda value: value.strip().lower() if isinstance(value, str) else value],
    )
    subject_kind = SelectField(
        lazy_gettext("Each record is about"), choices=options(SUBJECT_KINDS), default=""
    )


class ChoiceRow(Form):
    """One choice of a list: the value stored and the label people read."""

    value = StringField(lazy_gettext("Value stored"))
    label = StringField(lazy_gettext("Label"))
    remove = BooleanField(lazy_gettext("Remove"))


class QuestionForm(DraftAction):
    """Everything about one question."""

    label = TextAreaField(
        lazy_gettext("The question, as people will read it"),
        validators=[
            InputRequired(lazy_gettext("Write the question as people will read it.")),
            Length(max=MAX_NOTE),
        ],
    )
    name = StringField(lazy_gettext("Name in the data"), validators=[Length(max=64)])
    hint = TextAreaField(lazy_gettext("Hint (optional)"), validators=[Length(max=MAX_HINT)])
    kind = SelectField(lazy_gettext("Type of answer"), choices=options(TYPE_NAMES))
    required = BooleanField(lazy_gettext("An answer is required"))
    low = StringField(lazy_gettext("Smallest answer"))
    high = StringField(lazy_gettext("Largest answer"))
    max_length = StringField(lazy_gettext("Most characters"))
    scale_points = HiddenField()
    scale_labels = FieldList(StringField(lazy_gettext("Words")))
    choices = FieldList(FormField(ChoiceRow))
    show_if_field = SelectField(
        lazy_gettext("Ask this question"), choices=options([("", lazy_gettext("Always"))]), default=""
    )
    show_if_chosen = SelectMultipleField(lazy_gettext("Answers that show it"), choices=[])
    show_if_typed = TextAreaField(lazy_gettext("Answers that show it, one per line"))
    relevant = StringField(
        lazy_gettext("Or a condition: ask it only when this is true"), validators=[Length(max=2000)]
    )
    constraint = StringField(lazy_gettext("Its answer must make this true"), validators=[Length(max=2000)])
    constraint_message = StringField(
        lazy_gettext("What to say when it does not"), validators=[Length(max=MAX_HINT)]
    )
    required_message = StringField(
        lazy_gettext("What to say when it is left empty"), validators=[Length(max=MAX_HINT)]
    )
    default = StringField(
        lazy_gettext("Answer already filled in when a new record opens"), validators=[Length(max=MAX_HINT)]
    )
    calculation = StringField(
        lazy_gettext("How it is worked out from the other answers"), validators=[Length(max=2000)]
    )
    min_count = StringField(lazy_gettext("Fewest items"))
    max_count = StringField(lazy_gettext("Most items"))
    within = SelectField(lazy_gettext("Where it is"), choices=[], default="")


# The question's expression keys (docs/expressions.md) and their boxes, typed as written.
EXPRESSION_BOXES = ("relevant", "constraint", "constraint_message", "required_message", "calculation")


def default_text(value):
    """Return a question's default as typed in its box: a list of choices is its values, space-separated."""
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return number_text(value) if isinstance(value, (int, float)) else str(value)


def label_points(question):
    """Return the points of a scale that get a box for their words."""
    low, high = question.get("min"), question.get("max")
    if not all(type(v) is int for v in (low, high)) or low > high:
        return []
    if high - low + 1 <= MAX_WORDED_POINTS:
        return list(range(low, high + 1))
    return [low, high]


def point_words(question):
    """Return a scale's labels as {point: words}, from a list or an object."""
    labels, low = question.get("labels"), question.get("min")
    if isinstance(labels, list) and type(low) is int:
        return {low + i: text for i, text in enumerate(labels) if isinstance(text, str)}
    if isinstance(labels, dict):
        return {int(k): v for k, v in labels.items() if isinstance(k, str) and WHOLE.fullmatch(k)}
    return {}


def number_text(value):
    """Write a bound back into a box: 5 rather than 5.0, nothing for none."""
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return ""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def rule_option(name, answer):
    """Return the checkbox value of one answer a rule may compare with."""
    return f"{name}={json.dumps(answer)}"


def answers_of(question):
    """Return (answer, words) of a yes/no or choice question, the answers a rule may list."""
    if question.get("type") == "boolean":
        return [(True, "Yes"), (False, "No")]
    return [
        (c["value"], c.get("label") or c["value"])
        for c in question.get("choices") or []
        if isinstance(c, dict) and isinstance(c.get("value"), str)
    ]


def rule_controllers(definition, name):
    """Return the questions before `name` that a show_if rule may depend on."""
    found = []
    for field in editing.questions(definition):
        if field.get("name") == name:
            break
        if field.get("type") in RULE_TYPES and isinstance(field.get("name"), str):
            found.append(field)
    return found


def question_form(question, definition, formdata=None):
    """Return the question page's form: the question's values, or what was posted."""
    rule = question.get("show_if") if isinstance(question.get("show_if"), dict) else {}
    words = point_words(question)
    points = label_points(question)
    controllers = rule_controllers(definition, question.get("name"))
    listed = {c["name"] for c in controllers if c.get("type") in LISTED_RULE_TYPES}
    given = ([rule["equals"]] if "equals" in rule else rule.get("in") or []) if rule else []
    given = given if isinstance(given, list) else []
    chosen = [rule_option(rule.get("field"), answer) for answer in given]
    typed = (
        []
        if rule.get("field") in listed
        else [
            number_text(a) if isinstance(a, (int, float)) and not isinstance(a, bool) else str(a)
            for a in given
        ]
    )
    data = {
        "label": question.get("label", ""),
        "name": question.get("name", ""),
        "hint": question.get("hint", ""),
        "kind": question.get("type", "text"),
        "required": bool(question.get("required")),
        "low": number_text(question.get("min")),
        "high": number_text(question.get("max")),
        "max_length": number_text(question.get("max_length")),
        "scale_points": ",".join(map(str, points)),
        "scale_labels": [words.get(point, "") for point in points],
        "choices": [
            {"value": c.get("value", ""), "label": c.get("label", ""), "remove": False}
            for c in question.get("choices") or []
            if isinstance(c, dict)
        ]
        + [{"value": "", "label": "", "remove": False}] * NEW_CHOICE_ROWS,
        "show_if_field": rule.get("field", ""),
        "show_if_chosen": chosen,
        "show_if_typed": "\n".join(typed),
        **{key: question.get(key, "") for key in EXPRESSION_BOXES},
        "default": default_text(question.get("default")),
        "min_count": number_text(question.get("min_count")),
        "max_count": number_text(question.get("max_count")),
        "within": (parent_of(definition, question.get("name")) or {}).get("name", ""),
    }
    form = QuestionForm(formdata=formdata, data=data)
    # A question may go into any section or repeat; a section not into itself or what it holds.
    held = {f.get("name") for f in editing.questions({"fields": question.get("fields") or []})}
    form.within.choices = options(
        [("", gettext("In the form itself"))]
        + [
            (c["name"], f"In the {c['type']} '{short(c.get('label') or c['name'])}'")
            for c in editing.questions(definition)
            if c.get("type") in ("section", "repeat")
            and c.get("name") != question.get("name")
            and c.get("name") not in held
            and not (question.get("type") == "repeat" and c.get("type") == "repeat")
        ]
    )
    rules = [("", gettext("Always"))] + [
        (c["name"], f"Only when '{short(c.get('label') or c['name'])}' has certain answers")
        for c in controllers
    ]
    if rule.get("field") and rule["field"] not in {c["name"] for c in controllers}:
        rules.append((rule["field"], f"Only when '{rule['field']}' has certain answers"))
    form.show_if_field.choices = options(rules)
    form.show_if_chosen.choices = options(
        (rule_option(c["name"], answer), words)
        for c in controllers
        if c.get("type") in LISTED_RULE_TYPES
        for answer, words in answers_of(c)
    )
    form.controllers = controllers
    form.points = points
    return form


def parent_of(definition, name):
    """Return the section or repeat a question is in, or None (the form itself)."""
    return next(
        (parent for field, _, parent in editing.placed(definition) if field.get("name") == name), None
    )


def short(text, limit=60):
    """Cut a label short for a menu."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "…"


def parse_number(text, whole):
    """Return the number written in a box (None when it is empty), or raise ValueError saying what to enter."""
    text = (text or "").strip()
    if not text:
        return None
    if WHOLE.fullmatch(text):
        return int(text)
    if whole:
        raise ValueError("Enter a whole number, such as 0 or 10.")
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise ValueError("Enter a number, such as 0 or 2.5.")
    return number


def box_number(field, whole):
    """Return the number in a form's box, or note the problem on the box and raise ValueError."""
    try:
        return parse_number(field.data, whole)
    except ValueError as problem:
        field.errors.append(str(problem))
        raise


def has_errors(form):
    """Return whether any field of a form, its lists of rows included, has an error."""
    for field in form:
        if isinstance(field, FieldList):
            if any(
                has_errors(entry.form) if isinstance(entry, FormField) else entry.errors
                for entry in field.entries
            ):
                return True
        elif field.errors:
            return True
    return False


def question_from(form, old, definition, fixed_name):
    """Return the question the posted form describes, or None after adding errors to the form."""
    kind = form.kind.data
    if (kind in ("section", "repeat")) != (old.get("type") in ("section", "repeat")):
        form.kind.errors.append(
            "A section or repeat stays a section or repeat, and a question a question: "
            "add a new one and move the questions instead."
        )
    question = with_type(old, kind)
    question["label"] = form.label.data.replace("\r\n", "\n").strip()
    if not fixed_name:
        name = (form.name.data or "").strip()
        others = {f.get("name") for f in editing.questions(definition) if f is not old}
        if not FIELD_NAME.fullmatch(name):
            form.name.errors.append(
                "Start with a lower-case letter; use lower-case letters, digits and underscores, such as 'time_in'."
            )
        elif name in others:
            form.name.errors.append(f"Another question is called '{name}'; give each question its own name.")
        question["name"] = name
    hint = (form.hint.data or "").replace("\r\n", "\n").strip()
    question.pop("hint", None)
    if hint:
        question["hint"] = hint
    question.pop("required", None)
    if form.required.data and kind not in ("note", "section", "repeat"):
        question["required"] = True
    try:
        read_options(form, kind, question, old)
    except ValueError:
        pass
    read_rule(form, question)
    read_expressions(form, kind, question)
    return None if has_errors(form) else question


def read_expressions(form, kind, question):
    """Put the condition, constraint, messages, default and calculation from their boxes into the question.

    Whether an expression can be read is the definition's check (it names the
    question and the character); here only what the boxes must agree on.
    """
    for key in (*EXPRESSION_BOXES, "default"):
        question.pop(key, None)
        box = getattr(form, key)
        value = (
            " ".join((box.data or "").split())
            if key in ("relevant", "constraint", "calculation")
            else box.data
        )
        value = (value or "").strip()
        if value:
            question[key] = typed_default(kind, value) if key == "default" else value
    if question.get("relevant") and question.get("show_if"):
        form.relevant.errors.append("Use the choice above or a condition, not both: empty one of them.")
    if kind == "calculate" and not question.get("calculation"):
        form.calculation.errors.append("A calculated question needs its calculation, such as ${a} + ${b}.")
    if kind != "calculate":
        question.pop("calculation", None)


def read_options(form, kind, question, old):
    """Put the options of the question's type from the form into the question."""
    for key in ("min", "max", "max_length", "labels", "choices"):
        question.pop(key, None)
    if kind in TEXT_TYPES:
        length = box_number(form.max_length, whole=True)
        if length is not None:
            question["max_length"] = length
    elif kind in NUMBER_TYPES:
        low = box_number(form.low, whole=kind != "decimal")
        high = box_number(form.high, whole=kind != "decimal")
        if kind == "scale" and (low is None or high is None):
            (form.low if low is None else form.high).errors.append(
                "A scale needs its smallest and largest number."
            )
            raise ValueError("scale")
        for key, value in (("min", low), ("max", high)):
            if value is not None:
                question[key] = value
        if kind == "scale":
            read_scale_labels(form, question, old)
    elif kind in CHOICE_TYPES:
        question["choices"] = read_choices(form)
        keep_choice_extras(question, old)
    for key in ("min_count", "max_count"):
        question.pop(key, None)
        if kind == "repeat":
            count = box_number(getattr(form, key), whole=True)
            if count is not None:
                question[key] = count


def keep_choice_extras(question, old):
    """Keep what the page does not show of each choice: its columns (for a choice filter), its translations.

    A choice kept by its value keeps its columns; translations of choices no longer there are left out.
    """
    columns = {
        c.get("value"): c["columns"]
        for c in old.get("choices") or ()
        if isinstance(c, dict) and "columns" in c
    }
    for choice in question["choices"]:
        if choice["value"] in columns:
            choice["columns"] = columns[choice["value"]]
    values = {choice["value"] for choice in question["choices"]}
    table = {}
    for code, words in (question.get("translations") or {}).items():
        words = dict(words)
        if isinstance(words.get("choices"), dict):
            words["choices"] = {v: label for v, label in words["choices"].items() if v in values}
            if not words["choices"]:
                words.pop("choices")
        if words:
            table[code] = words
    question.pop("translations", None)
    if table:
        question["translations"] = table


def read_scale_labels(form, question, old):
    """Put the scale's words per point into the question: a list when every point has words."""
    words = {p: t for p, t in point_words(old).items() if question["min"] <= p <= question["max"]}
    shown = [int(p) for p in (form.scale_points.data or "").split(",") if WHOLE.fullmatch(p.strip())]
    for point, entry in zip(shown, form.scale_labels.entries):
        text = (entry.data or "").strip()
        words.pop(point, None)
        if text and question["min"] <= point <= question["max"]:
            words[point] = text
    points = range(question["min"], question["max"] + 1)
    if words and len(words) == len(points):
        question["labels"] = [words[p] for p in points]
    elif words:
        question["labels"] = {str(p): words[p] for p in sorted(words)}


def read_choices(form):
    """Return the choices in the form's rows: removed and empty rows left out, values made from labels."""
    rows = [row.form for row in form.choices.entries]
    taken = {(row.value.data or "").strip() for row in rows if not row.remove.data}
    choices, seen = [], set()
    for row in rows:
        value, label = (row.value.data or "").strip(), (row.label.data or "").strip()
        if row.remove.data or not (value or label):
            continue
        if not label:
            row.label.errors.append(f"Give the choice '{value}' a label, or tick Remove.")
            continue
        if not value:
            value = name_from(label, taken | seen, prefix="choice")
        if value in seen:
            row.value.errors.append(f"Another choice has the value '{value}'; give each its own.")
            continue
        seen.add(value)
        choices.append({"value": value, "label": label})
    if not choices and rows and not any(row.label.errors or row.value.errors for row in rows):
        rows[-1].label.errors.append("Add at least one choice: write its label in an empty row.")
    return choices


def read_rule(form, question):
    """Put the question's show_if rule from the form into the question (none for "Always")."""
    question.pop("show_if", None)
    source = form.show_if_field.data
    if not source:
        return
    controller = next((c for c in form.controllers if c["name"] == source), None)
    if controller is None:
        form.show_if_field.errors.append("Choose a question that comes before this one.")
        return
    if controller.get("type") in LISTED_RULE_TYPES:
        prefix = source + "="
        answers = [
            json.loads(v[len(prefix) :]) for v in form.show_if_chosen.data or [] if v.startswith(prefix)
        ]
    else:
        answers = typed_answers(form, controller)
        if answers is None:
            return
    if not answers:
        form.show_if_field.errors.append(
            f"Choose which answers to '{short(controller.get('label') or source)}' show this question."
        )
        return
    question["show_if"] = (
        {"field": source, "equals": answers[0]} if len(answers) == 1 else {"field": source, "in": answers}
    )


def typed_answers(form, controller):
    """Return the answers typed for a rule, read as the controller's type; None after an error."""
    kind = controller["type"]
    answers = []
    for line in (form.show_if_typed.data or "").splitlines():
        text = line.strip()
        if not text:
            continue
        if kind not in NUMBER_RULE_TYPES:
            answers.append(text)
            continue
        try:
            answers.append(parse_number(text, whole=kind != "decimal"))
        except ValueError as problem:
            form.show_if_typed.errors.append(f"'{short(text, 20)}': {problem}")
            return None
    return answers
