"""Check a record's answers against one version of a form, fast enough for every push.

A definition is compiled once into an AnswerValidator: one small step per
question, each holding its answer check and its show_if test. Compiled
validators are cached by the definition object and by its content, so treat a
definition as read-only once answers have been checked against it.
"""

import functools
import json

from fvfield.questionnaires.choice_lists import both, filter_check, other_steps
from fvfield.questionnaires.definitions import DefinitionError, validate_definition
from fvfield.questionnaires.expressions import Context, compiled, references, text, truth
from fvfield.questionnaires.expressions import parse as parse_expression
from fvfield.questionnaires.fastcheck import form_function
from fvfield.questionnaires.repeats import check_steps, compile_repeat, within_sections
from fvfield.questionnaires.rules import compile_rule, rule_words
from fvfield.questionnaires.structure import REPEAT, every_question, record_questions
from fvfield.questionnaires.types import TYPES, answer_check, kind_of, show

MAX_UNKNOWN_REPORTED = 10
CACHE_SIZE = 256


class AnswerValidator:
    """The compiled checks of one form version; validate(answers) for each record."""

    def __init__(self, definition):
        fields = definition["fields"]
        by_name = {field["name"]: field for field, _ in every_question(fields)}
        self.form_id = definition["id"]
        self.version = definition["version"]
        # Sections opened, a repeat as one step (repeats.py): docs/questionnaires.md; then the
        # "other, please say" answers of the questions that have one (choice_lists.py).
        own = list(record_questions(fields))
        others, other_checks = other_steps([field for field, _ in own])
        self.names = frozenset(field["name"] for field, _ in own) | others
        self.steps = (
            tuple(within_sections(compile_step(field, by_name), sections) for field, sections in own)
            + other_checks
        )
        # The same steps as one generated function (questionnaires/fastcheck.py), when it can be
        # built: a form with sections, repeats, choice filters or "other" boxes keeps the steps.
        self.fast = form_function(definition, self.steps, self.report_unknown, self.names)

    def validate(self, answers):
        """Return what is wrong with a record's answers, by question name; {} when they fit."""
        if type(answers) is not dict:
            message = f"The answers must be an object keyed by question name, not {kind_of(answers)}."
            return {"_": [message]}
        if self.fast is not None:
            return self.fast(answers)
        errors = {}
        check_steps(self.steps, answers.get, answers, {}, errors)
        if not answers.keys() <= self.names:
            self.report_unknown(answers, errors)
        return errors

    __call__ = validate

    def report_unknown(self, answers, errors):
        """Reject answers to questions this version does not have."""
        unknown = [key for key in answers if key not in self.names]
        where = f"this form (version {self.version})"
        for key in unknown[:MAX_UNKNOWN_REPORTED]:
            path = key if type(key) is str and len(key) <= 100 else "_"
            errors.setdefault(path, []).append(f"{show(key)} is not a question of {where}.")
        if len(unknown) > MAX_UNKNOWN_REPORTED:
            more = len(unknown) - MAX_UNKNOWN_REPORTED
            errors.setdefault("_", []).append(f"{more} more answers are not questions of {where}.")


def compile_step(field, by_name):
    """Build one question's step: name, check, required message, blank test, condition, constraint."""
    rule = field.get("show_if")
    if "relevant" in field:
        shown = expression_condition(parse_expression(field["relevant"]))
        hidden = "Leave this question out: its condition is not met."
        required = "Answer this question: it is required here."
    elif rule is None:
        shown = hidden = None
        required = "Answer this question: it is required."
    else:
        controller = by_name[rule["field"]]
        words = rule_words(rule, controller)
        decide = compile_rule(rule, controller)
        shown = lambda seen, answers, errors: decide(seen)  # noqa: E731
        hidden = f"Leave this question out: it is only asked when {words}."
        required = f"Answer this question: it is required when {words}."
    if not field.get("required", False):
        required = None
    elif "required_message" in field:
        required = field["required_message"]
    allowed = None
    if field["type"] == REPEAT:
        allowed = compile_repeat(field, by_name, compile_step)
        if field.get("min_count"):
            required = f"Add at least {field['min_count']} of these ({field['label']}), not 0."
    elif field["type"] == "calculate":
        allowed = calculation_check(parse_expression(field["calculation"]))
    elif "constraint" in field:
        message = field.get("constraint_message") or "This answer is not allowed here: check it."
        allowed = expression_constraint(parse_expression(field["constraint"]), message)
    allowed = both(filter_check(field), allowed)
    return (field["name"], answer_check(field), required, TYPES[field["type"]].blank, shown, hidden, allowed)


def expression_condition(tree):
    """Return a step's condition from a relevant expression: True, False, or None (unsure).

    None, as a show_if rule's test says, when a question it reads has a wrong or
    missing-but-required answer: only that other answer is refused then.
    """
    names = references(tree)
    run = compiled(tree)

    def shown(seen, answers, errors):
        if any(name in errors for name in names):
            return None
        return truth(run(Context(answers)))

    return shown


def calculation_check(tree):
    """Return a calculated answer's check: it is what the calculation gives from the other answers.

    A calculation that reads today() or now() is taken as the phone worked it
    out: the phone's day may not be the server's.
    """
    names = references(tree)
    if uses_the_clock(tree):
        return None
    run = compiled(tree)

    def allowed(value, answers, errors):
        if any(name in errors for name in names):
            return None
        expected = text(run(Context(answers)))
        if expected == value:
            return None
        return f"This calculation gives '{expected}' from the answers, not '{value}'."

    return allowed


def uses_the_clock(tree):
    """Return whether a tree calls today() or now()."""
    if tree[0] == "call" and tree[1] in ("today", "now"):
        return True
    parts = [p for p in tree[1:] if isinstance(p, list)]
    children = [c for p in parts for c in (p if p and isinstance(p[0], list) else [p])]
    return any(uses_the_clock(child) for child in children if child)


def expression_constraint(tree, message):
    """Return a step's constraint: the form's message when the answer (.) breaks it, else None."""
    names = references(tree)
    run = compiled(tree)

    def allowed(value, answers, errors):
        if any(name in errors for name in names):
            return None
        return None if truth(run(Context(answers, current=value))) else message

    return allowed


def compile_definition(definition):
    """Compile a form definition into an AnswerValidator; raise DefinitionError if it is broken."""
    errors = validate_definition(definition)
    if errors:
        raise DefinitionError(errors)
    return AnswerValidator(definition)


@functools.lru_cache(maxsize=CACHE_SIZE)
def compile_content(content):
    """Compile a definition given as canonical JSON text (the cache key)."""
    return compile_definition(json.loads(content))


def content_key(definition):
    """Return the JSON text of a definition (the cache key), or None when it is not JSON."""
    try:
        return json.dumps(definition, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError):
        return None


# id(definition) -> (definition, validator); holding the definition keeps its id from reuse.
_by_identity = {}


def validator_for(definition):
    """Return the compiled validator of a definition, compiling each definition once."""
    entry = _by_identity.get(id(definition))
    if entry is not None and entry[0] is definition:
        return entry[1]
    content = content_key(definition)
    validator = compile_definition(definition) if content is None else compile_content(content)
    if len(_by_identity) >= CACHE_SIZE:
        _by_identity.clear()
    _by_identity[id(definition)] = (definition, validator)
    return validator


def validate_answers(definition, answers):
    """Return what is wrong with a record's answers to a form version, by question; {} when none."""
    try:
        validator = validator_for(definition)
    except DefinitionError as error:
        return {"_": [f"This version of the form is broken, so it cannot take answers: {error}"]}
    return validator.validate(answers)
