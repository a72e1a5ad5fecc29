"""Check a form definition itself, so that a coordinator's mistake gets a message.

Errors are keyed by path: "id", "version", "title", "subject_kind", "fields",
"fields.<index>" for a question as a whole (index from 0, as in the JSON list)
and "fields.<index>.<option>" for one of its options, "_" for the whole form.
Every message names the question by its label and name.
"""

import difflib
import re

from fvfield.questionnaires.choice_lists import check_choice_options
from fvfield.questionnaires.expressions import ExpressionError, references
from fvfield.questionnaires.expressions import parse as parse_expression
from fvfield.questionnaires.rules import check_show_if
from fvfield.questionnaires.structure import CONTAINERS, REPEAT, every_question
from fvfield.questionnaires.translations import check_field_translations, check_form_languages
from fvfield.questionnaires.types import (
    FIELD_NAME,
    FIELD_TYPES,
    SAFE_INTEGER,
    TEXT_LIMITS,
    TYPES,
    answer_check,
    field_words,
    is_number,
    kind_of,
    number_text,
    show,
    storable_text,
)

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
POINT = re.compile(r"-?(?:0|[1-9][0-9]{0,17})")
MAX_FIELDS = 1_000
MAX_CHOICES = 5_000
MAX_SCALE_POINTS = 101
MAX_SLUG = 64
MAX_TITLE = 200
MAX_LABEL = 500
MAX_NOTE = 5_000
MAX_HINT = 1_000
MAX_CHOICE_VALUE = 200
MAX_REPORTED = 10
MAX_REPEAT_COUNT = 10_000
# What a section or a repeat may have beside its type's options (it takes no answer of its own).
CONTAINER_KEYS = ("name", "type", "label", "hint", "relevant", "translations")

FORM_KEYS = ("id", "version", "title", "subject_kind", "fields", "default_language", "translations")
COMMON_KEYS = (
    "name",
    "type",
    "label",
    "required",
    "hint",
    "show_if",
    "relevant",
    "constraint",
    "constraint_message",
    "required_message",
    "default",
    "translations",
)
# The expressions a question may have (docs/expressions.md), and what each is in a sentence.
EXPRESSION_KEYS = {
    "relevant": "condition (relevant)",
    "constraint": "constraint",
    "calculation": "calculation",
}
# A label or hint may name another answer: "Was ${name} at home?" (the phone fills it in).
PIPED = re.compile(r"\$\{([a-z][a-z0-9_]*)\}")
OPTIONS = {name: field_type.options for name, field_type in TYPES.items() if field_type.options}
ALL_KEYS = COMMON_KEYS + tuple(sorted({key for keys in OPTIONS.values() for key in keys}))


class DefinitionError(ValueError):
    """A form definition that cannot be used; `errors` says what is wrong, by path."""

    def __init__(self, errors):
        first = next(iter(errors.values()))[0]
        super().__init__(first)
        self.errors = errors


class Problems:
    """Messages by path, in the order they were found."""

    def __init__(self):
        self.errors = {}
        self.count = 0

    def add(self, path, message):
        """Record one message under a path."""
        self.errors.setdefault(path, []).append(message)
        self.count += 1


def validate_definition(definition):
    """Return what is wrong with a form definition, by path; {} when it can be used."""
    if type(definition) is not dict:
        return {
            "_": [
                "A form definition must be an object with id, version, title and fields, "
                f"not {kind_of(definition)}."
            ]
        }
    problems = Problems()
    unknown_keys(problems, "_", "The form", definition, FORM_KEYS, "is not part of a form definition")
    check_form(problems, definition)
    check_form_languages(problems, definition)
    check_fields(problems, definition.get("fields"))
    return problems.errors


def is_slug(value):
    """Return whether a value is a short slug such as 'home-visit'."""
    return type(value) is str and len(value) <= MAX_SLUG and SLUG.fullmatch(value) is not None


def check_form(problems, definition):
    """Check the id, version, title and subject kind of a form."""
    if not is_slug(definition.get("id")):
        problems.add(
            "id",
            (
                "The form's id must be a short name of lower-case letters, digits and dashes, "
                f"such as 'home-visit', not {show(definition.get('id'))}."
            ),
        )
    version = definition.get("version")
    if type(version) is not int or not 1 <= version <= SAFE_INTEGER:
        problems.add("version", f"The version must be a whole number of 1 or more, not {show(version)}.")
    title = definition.get("title")
    if type(title) is not str or not title.strip():
        problems.add("title", f"Give the form a title, such as 'Home visit' (not {show(title)}).")
    elif len(title) > MAX_TITLE or storable_text(title):
        problems.add("title", f"Keep the title to {MAX_TITLE} characters of ordinary text.")
    kind = definition.get("subject_kind")
    if kind is not None and not is_slug(kind):
        problems.add(
            "subject_kind",
            (
                "The subject kind must be null or a short name such as person, market or pitch, "
                f"not {show(kind)}."
            ),
        )


def unknown_keys(problems, path, who, mapping, allowed, where):
    """Report keys a mapping should not have, suggesting the key probably meant."""
    unknown = [key for key in mapping if key not in allowed]
    for key in unknown[:MAX_REPORTED]:
        message = f"{who}: {show(key)} {where}"
        close = []
        if type(key) is str and len(key) <= MAX_SLUG:
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.7)
        problems.add(path, f"{message}; did you mean '{close[0]}'?" if close else f"{message}.")


def check_fields(problems, fields):
    """Check every question of a form, each against the ones before it, sections and repeats opened."""
    if type(fields) is not list or not fields:
        problems.add("fields", "A form needs 'fields': a list with at least one question.")
        return
    entries = list(every_question(fields))
    if len(entries) > MAX_FIELDS:
        problems.add(
            "fields",
            f"A form can have at most {MAX_FIELDS} questions, not {len(entries)} (sections counted).",
        )
        return
    all_names = {f.get("name") for f, _ in entries if type(f) is dict and type(f.get("name")) is str}
    # The repeat each question is in (None: the record's own); a name is read only where it is seen.
    inside = {
        f["name"]: r["name"] if r and type(r.get("name")) is str else None
        for f, r in entries
        if type(f) is dict and type(f.get("name")) is str
    }
    scope = Scope(all_names, inside, None)
    check_list(problems, "fields", fields, {}, scope)


class Scope:
    """The names a question may read: the form's, less those of repeats it is not in."""

    def __init__(self, all_names, inside, repeat):
        self.all_names, self.inside, self.repeat = all_names, inside, repeat

    def __contains__(self, name):
        return name in self.all_names

    def unseen(self, name):
        """Say why a name of this form cannot be read here, or None when it can."""
        where = self.inside.get(name)
        if where is None or where == self.repeat:
            return None
        return (
            f"names '{name}', a question of the repeat '{where}', which is read only inside it "
            f"(count(${{{where}}}) counts its items)"
        )


def check_list(problems, base, fields, earlier, scope):
    """Check a list of questions (a form's, a section's or a repeat's) at a path."""
    for index, field in enumerate(fields):
        check_field(problems, index, field, earlier, scope, f"{base}.{index}")


def check_field(problems, index, field, earlier, all_names, path=None):
    """Check one question and remember it, with its answer check, for later show_if rules."""
    path = path or f"fields.{index}"
    if type(field) is not dict:
        problems.add(
            path,
            (
                f"Question {index + 1} must be an object with a name, a type and a label, "
                f"not {kind_of(field)}."
            ),
        )
        return
    found = problems.count
    who = field_words(index, field)
    name = check_name(problems, path, who, field, earlier)
    kind = check_type(problems, path, who, field)
    check_label(problems, path, who, field, kind)
    if kind in CONTAINERS:
        allowed, where = CONTAINER_KEYS + OPTIONS[kind], f"is not an option of a {kind}"
    elif kind:
        allowed, where = COMMON_KEYS + OPTIONS.get(kind, ()), f"is not an option of a {kind} question"
    else:
        allowed, where = ALL_KEYS, "is not an option of a question"
    unknown_keys(problems, path, who, field, allowed, where)
    check_required_and_hint(problems, path, who, field, kind)
    if kind in OPTION_CHECKS:
        OPTION_CHECKS[kind](problems, path, who, field)
    if "show_if" in field:
        check_show_if(problems, f"{path}.show_if", who, field, earlier, all_names)
    check_expressions(problems, path, who, field, all_names)
    if kind in ("choice", "multiple_choice"):
        check_choice_options(problems, path, who, field, all_names)
    check_field_translations(problems, path, who, field, scale_labels_of(field), piped_unknown(all_names))
    if name is not None and name not in earlier:
        usable = kind is not None and problems.count == found
        earlier[name] = (index, field, answer_check(field) if usable else None)
    if kind in CONTAINERS and type(field.get("fields")) is list:
        check_container(problems, path, who, field, earlier, all_names)


def check_container(problems, path, who, field, earlier, scope):
    """Check the questions of a section or a repeat (a repeat's read its own items' answers)."""
    if field["type"] == REPEAT:
        if isinstance(scope, Scope) and scope.repeat is not None:
            problems.add(
                f"{path}.type",
                (
                    f"{who}: a repeat cannot be inside another repeat ('{scope.repeat}'); "
                    "ask its questions in a repeat of its own, after it."
                ),
            )
            return
        if isinstance(scope, Scope):
            scope = Scope(scope.all_names, scope.inside, field.get("name"))
    check_list(problems, f"{path}.fields", field["fields"], earlier, scope)


def check_container_fields(problems, path, who, field):
    """Check that a section or a repeat has a list of at least one question."""
    fields = field.get("fields")
    if type(fields) is not list or not fields:
        what = "section" if field["type"] != REPEAT else "repeat"
        problems.add(f"{path}.fields", f"{who}: a {what} needs 'fields', a list of at least one question.")


def check_repeat(problems, path, who, field):
    """Check a repeat's questions list and its min_count and max_count."""
    check_container_fields(problems, path, who, field)
    counts = []
    for key in ("min_count", "max_count"):
        value = field.get(key)
        if value is not None and (type(value) is not int or not 0 <= value <= MAX_REPEAT_COUNT):
            problems.add(
                f"{path}.{key}",
                f"{who}: {key} must be a whole number from 0 to {MAX_REPEAT_COUNT:,}, not {show(value)}.",
            )
            return
        counts.append(value)
    low, high = counts
    if high is not None and (high < 1 or (low is not None and low > high)):
        problems.add(
            f"{path}.max_count", f"{who}: max_count ({high}) must be 1 or more, and at least min_count."
        )


def check_name(problems, path, who, field, earlier):
    """Check a question's name; return it when it is a usable name."""
    name = field.get("name")
    if name is None:
        problems.add(
            f"{path}.name",
            (
                f"{who}: give the question a name such as 'time_in' "
                "(lower-case letters, digits and underscores)."
            ),
        )
        return None
    if type(name) is not str or not FIELD_NAME.fullmatch(name):
        problems.add(
            f"{path}.name",
            (
                f"{who}: the name {show(name)} must start with a lower-case letter and use only "
                "lower-case letters, digits and underscores (at most 64)."
            ),
        )
        return None
    if name in earlier:
        problems.add(
            f"{path}.name",
            (
                f"{who}: the name '{name}' is already used by question {earlier[name][0] + 1}; "
                "give each question its own name."
            ),
        )
    return name


def check_type(problems, path, who, field):
    """Check a question's type; return it when it is known."""
    kind = field.get("type")
    if type(kind) is str and kind in FIELD_TYPES:
        return kind
    types = ", ".join(FIELD_TYPES)
    problems.add(f"{path}.type", f"{who}: {show(kind)} is not a question type; use one of {types}.")
    return None


def check_label(problems, path, who, field, kind):
    """Check a question's label: the words people read (a note's whole text)."""
    label = field.get("label")
    limit = MAX_NOTE if kind == "note" else MAX_LABEL
    if type(label) is not str or not label.strip():
        what = "the text to show" if kind == "note" else "the question as people will read it"
        problems.add(f"{path}.label", f"{who}: add a label, {what}.")
    elif len(label) > limit:
        problems.add(
            f"{path}.label",
            (
                f"{who}: the label has {len(label):,} characters; keep it to {limit:,} "
                "and put detail in the hint."
            ),
        )
    elif storable_text(label):
        problems.add(f"{path}.label", f"{who}: the label holds a character that cannot be stored.")


def check_required_and_hint(problems, path, who, field, kind):
    """Check the required flag and the hint of a question."""
    required = field.get("required", False)
    if type(required) is not bool:
        problems.add(f"{path}.required", f"{who}: required must be true or false, not {show(required)}.")
    elif required and kind == "note":
        problems.add(f"{path}.required", f"{who}: a note takes no answer, so it cannot be required.")
    hint = field.get("hint")
    if hint is None:
        return
    if type(hint) is not str or len(hint) > MAX_HINT or storable_text(hint):
        problems.add(f"{path}.hint", f"{who}: the hint must be text of at most {MAX_HINT:,} characters.")


def check_expressions(problems, path, who, field, all_names):
    """Check a question's relevant and constraint expressions and its own messages."""
    for key, words in EXPRESSION_KEYS.items():
        if key not in field or (key == "calculation" and field.get("type") != "calculate"):
            continue
        try:
            tree = parse_expression(field[key])
        except ExpressionError as error:
            problems.add(f"{path}.{key}", f"{who}: its {words} cannot be read: {error}.")
            continue
        unknown = [name for name in references(tree) if name not in all_names]
        if unknown:
            problems.add(
                f"{path}.{key}", f"{who}: its {words} names no question '{unknown[0]}' of this form."
            )
        elif isinstance(all_names, Scope):
            unseen = [u for u in map(all_names.unseen, references(tree)) if u]
            if unseen:
                problems.add(f"{path}.{key}", f"{who}: its {words} {unseen[0]}.")
    for key in ("label", "hint"):
        piped = PIPED.findall(field[key]) if type(field.get(key)) is str else []
        unknown = [name for name in piped if name not in all_names]
        if unknown:
            problems.add(f"{path}.{key}", f"{who}: its {key} names no question '{unknown[0]}' of this form.")
    if "default" in field:
        check_default(problems, path, who, field)
    if "show_if" in field and "relevant" in field:
        problems.add(f"{path}.relevant", f"{who}: give it show_if or relevant, not both.")
    if "constraint_message" in field and "constraint" not in field:
        problems.add(f"{path}.constraint_message", f"{who}: a constraint_message needs a constraint.")
    for key in ("constraint_message", "required_message"):
        value = field.get(key)
        if key in field and (type(value) is not str or not value.strip() or len(value) > MAX_HINT):
            problems.add(f"{path}.{key}", f"{who}: {key} must be text of 1 to {MAX_HINT:,} characters.")


def scale_labels_of(field):
    """Return the check of a scale's labels in another language (shaped as its own), for translations."""

    def problem(labels):
        low, high = field.get("min"), field.get("max")
        if type(low) is not int or type(high) is not int or low >= high:
            return None
        return scale_labels_problem(labels, low, high)

    return problem


def piped_unknown(all_names):
    """Return the check of a translated text's ${names}: the ones that name no question."""
    return lambda text: [n for n in PIPED.findall(text) if n not in all_names] if type(text) is str else []


def check_default(problems, path, who, field):
    """Check a question's default: an answer the question takes (it is filled in when a form opens)."""
    kind = field.get("type")
    if kind not in TYPES or kind in ("note", "calculate", "photo"):
        problems.add(f"{path}.default", f"{who}: a {kind} question takes no default.")
        return
    try:
        problem = answer_check(field)(field["default"]) if field["default"] is not None else "it is empty"
    except (KeyError, TypeError, ValueError):
        return  # the question's own options are wrong: that is said already
    if problem:
        problems.add(f"{path}.default", f"{who}: its default is not an answer it takes: {problem}")


def check_calculation(problems, path, who, field):
    """Check that a calculated question has its calculation (check_expressions reads it)."""
    if "calculation" not in field:
        problems.add(f"{path}.calculation", f"{who}: give it a calculation, e.g. ${{price}} * ${{count}}.")


def check_max_length(problems, path, who, field):
    """Check the optional max_length of a text question."""
    if "max_length" not in field:
        return
    limit = TEXT_LIMITS[field["type"]]
    value = field["max_length"]
    if type(value) is not int or not 1 <= value <= limit:
        advice = " (use a textarea for longer answers)" if field["type"] == "text" else ""
        problems.add(
            f"{path}.max_length",
            (f"{who}: max_length must be a whole number from 1 to {limit:,}{advice}, not {show(value)}."),
        )


def check_bounds(problems, path, who, field, whole, needed=False):
    """Check min and max of a number or scale question; return them when usable."""
    bounds = []
    for key in ("min", "max"):
        value = field.get(key)
        if value is None and not needed:
            bounds.append(None)
            continue
        fits = type(value) is int if whole else is_number(value)
        if not fits or abs(value) > SAFE_INTEGER:
            words = "a whole number" if whole else "a number"
            problems.add(f"{path}.{key}", f"{who}: {key} must be {words}, not {show(value)}.")
            return None
        bounds.append(value)
    low, high = bounds
    if low is not None and high is not None and low > high:
        low, high = number_text(low), number_text(high)
        problems.add(f"{path}.max", f"{who}: min ({low}) is more than max ({high}).")
        return None
    return bounds


def check_integer(problems, path, who, field):
    """Check the options of an integer question."""
    check_bounds(problems, path, who, field, whole=True)


def check_decimal(problems, path, who, field):
    """Check the options of a decimal question."""
    check_bounds(problems, path, who, field, whole=False)


def check_scale(problems, path, who, field):
    """Check a scale: whole-number min and max, and labels for its points."""
    bounds = check_bounds(problems, path, who, field, whole=True, needed=True)
    if bounds is None:
        return
    low, high = bounds
    points = high - low + 1
    if not 2 <= points <= MAX_SCALE_POINTS:
        problems.add(
            f"{path}.max",
            (f"{who}: a scale needs from 2 to {MAX_SCALE_POINTS} points; {low} to {high} has {points}."),
        )
        return
    if "labels" in field:
        problem = scale_labels_problem(field["labels"], low, high)
        if problem:
            problems.add(f"{path}.labels", f"{who}: {problem}")


def scale_labels_problem(labels, low, high):
    """Say what is wrong with a scale's labels (a list, one per point, or a dict by point)."""
    points = high - low + 1
    if type(labels) is list:
        if len(labels) != points:
            return f"labels as a list needs one per point, {points} from {low} to {high}, not {len(labels)}."
        texts = labels
    elif type(labels) is dict:
        for key in labels:
            if type(key) is not str or not POINT.fullmatch(key) or not low <= int(key) <= high:
                return f"labels are keyed by points of the scale, {low} to {high}; {show(key)} is not one."
        texts = list(labels.values())
    else:
        return f"labels must be a list (one per point) or an object keyed by point, not {kind_of(labels)}."
    for text in texts:
        if not is_short_text(text, MAX_CHOICE_VALUE):
            return f"each scale label must be text of 1 to {MAX_CHOICE_VALUE} characters, not {show(text)}."
    return None


def is_short_text(value, limit):
    """Return whether a value is text that is not blank, at most limit long, and storable."""
    return type(value) is str and bool(value.strip()) and len(value) <= limit and not storable_text(value)


def check_choices(problems, path, who, field):
    """Check a choice question's choices: {value, label} with distinct values."""
    path = f"{path}.choices"
    choices = field.get("choices")
    if type(choices) is not list or not choices:
        problems.add(path, f'{who}: add \'choices\', a list of at least one {{"value", "label"}}.')
        return
    if len(choices) > MAX_CHOICES:
        problems.add(path, f"{who}: a question can have at most {MAX_CHOICES} choices, not {len(choices)}.")
        return
    first_use = {}
    found = 0
    for number, choice in enumerate(choices, 1):
        problem = choice_problem(choice, first_use, number)
        if problem and found < MAX_REPORTED:
            problems.add(path, f"{who}: choice {number} {problem}")
            found += 1


def choice_problem(choice, first_use, number):
    """Say what is wrong with one choice, remembering the values seen."""
    if type(choice) is not dict or not {"value", "label"} <= choice.keys() <= {"value", "label", "columns"}:
        return 'must be an object with exactly "value" and "label" (and "columns" for a choice filter).'
    value, label = choice["value"], choice["label"]
    if not is_short_text(value, MAX_CHOICE_VALUE):
        return f"needs a value: text of 1 to {MAX_CHOICE_VALUE} characters, not {show(value)}."
    if value in first_use:
        return f"repeats the value '{value}' of choice {first_use[value]}; give each its own value."
    first_use[value] = number
    if not is_short_text(label, MAX_LABEL):
        return f"('{value}') needs a label: text of 1 to {MAX_LABEL} characters."
    return None


OPTION_CHECKS = {
    "text": check_max_length,
    "textarea": check_max_length,
    "email": check_max_length,
    "calculate": check_calculation,
    "integer": check_integer,
    "decimal": check_decimal,
    "scale": check_scale,
    "choice": check_choices,
    "multiple_choice": check_choices,
    "section": check_container_fields,
    "repeat": check_repeat,
}
