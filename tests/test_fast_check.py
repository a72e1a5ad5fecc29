"""A form's check as one generated function (questionnaires/fastcheck.py) gives what the steps give.

The step-by-step check (AnswerValidator with no generated function) and the
plain tree walk (expressions.evaluate) are the reference: the shared vectors,
then random expressions over random answers, then random forms around them.
"""

import json
from pathlib import Path

import pytest
from browser.test_expressions import ANSWERS, EXPRESSIONS
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from fvfield.questionnaires.answers import AnswerValidator, uses_the_clock
from fvfield.questionnaires.definitions import validate_definition
from fvfield.questionnaires.expressions import Context, evaluate, item_answers, parse, result_of, text
from fvfield.questionnaires.fastcheck import expression_function

VECTORS = json.loads((Path(__file__).parent / "expression_vectors.json").read_text())
# A choice filter's case (with "choice") is never translated: forms with filters keep the steps.
CLOCKLESS = [
    case
    for case in VECTORS["cases"]
    if "result" in case and "choice" not in case and not uses_the_clock(parse(case["expression"]))
]
MORE = parse("${calc} * 2 + coalesce(${calc}, 1)")
SETTINGS = settings(max_examples=50, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


def same(found, expected):
    """Whether two values are alike: the same kind and text (NaN included)."""
    return type(found) is type(expected) and result_of(found) == result_of(expected)


@pytest.mark.parametrize("case", CLOCKLESS, ids=lambda c: c["expression"][:60])
def test_generated_expressions_give_the_shared_results(case):
    answers = case["answers"]
    if case.get("item") is not None:  # inside a repeat: the item's answers first, as Context reads them
        answers = item_answers(answers, case["item"])
    value = expression_function(parse(case["expression"]))(answers, case.get("current"))
    assert result_of(value) == case["result"]


@SETTINGS
@given(expression=EXPRESSIONS, answers=ANSWERS, current=st.sampled_from([None, "", "me", "3", 4]))
def test_generated_expressions_give_what_the_tree_gives(expression, answers, current):
    tree = parse(expression)
    expected = evaluate(
        tree, Context(answers, current=current, today="2026-12-04", now="2026-12-04T03:00:00Z")
    )
    if uses_the_clock(tree):
        return  # the clock is read where it runs
    assert same(expression_function(tree)(answers, current), expected), expression


def form_around(expression, number_type="decimal"):
    """A form whose questions the random expressions read, with the expression in every place it can go."""
    multiple = [{"value": v, "label": v} for v in ("a", "b", "c")]
    return {
        "id": "random-form",
        "version": 1,
        "title": "Random",
        "subject_kind": None,
        "fields": [
            {"name": "early", "type": "text", "label": "Early", "relevant": expression},
            {"name": "n", "type": number_type, "label": "N", "min": -10_000_000, "max": 10_000_000},
            {"name": "t", "type": "text", "label": "T", "required": True},
            {"name": "b", "type": "boolean", "label": "B"},
            {"name": "d", "type": "text", "label": "D"},
            {"name": "m", "type": "multiple_choice", "label": "M", "choices": multiple},
            {"name": "e", "type": "text", "label": "E"},
            {"name": "k", "type": "choice", "label": "K", "choices": multiple},
            {"name": "s", "type": "integer", "label": "S", "show_if": {"field": "k", "in": ["a", "b"]}},
            {
                "name": "z",
                "type": "multiple_choice",
                "label": "Z",
                "choices": multiple,
                "show_if": {"field": "m", "equals": "a"},
            },
            {"name": "calc", "type": "calculate", "label": "Calc", "calculation": expression},
            {"name": "rel", "type": "text", "label": "Rel", "relevant": expression, "required": True},
            {
                "name": "con",
                "type": "decimal",
                "label": "Con",
                "constraint": expression,
                "constraint_message": "No.",
            },
            {"name": "last", "type": "calculate", "label": "Last", "calculation": "concat(${calc}, 'x')"},
            {
                "name": "more",
                "type": "calculate",
                "label": "More",
                "calculation": "${calc} * 2 + coalesce(${calc}, 1)",
            },
        ],
    }


ODD = st.sampled_from([None, "", "a", ["a"], ["a", "b"], 3, 2.5, True, {"x": 1}, "2026-12-03", "\x00"])


@SETTINGS
@given(
    expression=EXPRESSIONS,
    answers=ANSWERS,
    odd=st.dictionaries(
        st.sampled_from(["early", "t", "k", "s", "z", "rel", "con", "n", "b", "unknown"]), ODD
    ),
    calc_right=st.booleans(),
    number_type=st.sampled_from(["decimal", "integer"]),
)
def test_generated_form_check_gives_what_the_steps_give(expression, answers, odd, calc_right, number_type):
    definition = form_around(expression, number_type)
    assume(validate_definition(definition) == {})
    fast = AnswerValidator(definition)
    assert fast.fast is not None
    steps = AnswerValidator(definition)
    steps.fast = None
    if number_type == "integer" and type(answers["n"]) is float:
        answers = {**answers, "n": round(answers["n"])}
    record = {**answers, "t": "here", "k": "a", "s": 2, "rel": "yes", "con": 1.5, **odd}
    if "m" in record and not record["m"]:
        del record["m"]
    tree = parse(expression)
    record["calc"] = text(evaluate(tree, Context(record))) if calc_right else "wrong"
    record["last"] = record["calc"] + "x"
    record["more"] = text(evaluate(MORE, Context(record)))
    assert fast.validate(record) == steps.validate(record), expression
    assert list(fast.validate(record)) == list(steps.validate(record))


def test_a_form_with_what_it_does_not_know_is_checked_step_by_step():
    definition = form_around("${n} > 1")
    definition["fields"][1]["future_option"] = True
    assert AnswerValidator(definition).fast is None


TYPICAL = [
    "${n} + 1",
    "coalesce(${n}, 0) * 1.5 + if(${n} > 10, ${n}, 0)",
    "round(${n} div 3, 2) + coalesce(${calc}, 0) div 2",
    "round(-${n} * 1.25, 1)",
    "${n} mod 3 = 1",
    "${n} = 2 or ${n} = ''",
    "boolean(${n}) and not(${b})",
    "${b} = true() or ${b}",
    "${t} = 'yes'",
    "${t} != '' and string-length(${t}) > 1",
    "coalesce(${t}, 'none')",
    "number(${t}) + 1",
    "concat(${t}, '-', ${n}, '-', ${b})",
    "if(${b}, ${t}, ${n})",
    "${d} - 1",
    "count-selected(${m}) + sum(${m})",
    "selected(${m}, 'a') and ${k} = 'a'",
    "string(${n} div 0)",
    "${n} div 7",
    "${e}",
    "${d} = '' or ${e} != 'x'",
]
RECORDS = [
    {},
    {"n": 0, "t": "", "b": False},
    {"n": 3, "t": "yes", "b": True, "d": "2026-12-03", "m": ["a", "b"]},
    {"n": 12, "t": " 3.5 ", "d": "09:30", "e": "x"},
    {"n": -7, "t": "12", "b": None, "m": ["c"]},
    {"n": 2.5, "t": "Zoë", "d": "a\x00b", "e": "x" * 2001, "k": "d", "s": True, "b": 1},
]


@pytest.mark.parametrize("number_type", ["decimal", "integer"])
@pytest.mark.parametrize("expression", TYPICAL)
def test_generated_form_check_on_typical_expressions(expression, number_type):
    definition = form_around(expression, number_type)
    assert validate_definition(definition) == {}
    fast, steps = AnswerValidator(definition), AnswerValidator(definition)
    steps.fast = None
    tree = parse(expression)
    for answers in RECORDS:
        record = {"t": "here", "k": "a", "s": 2, "rel": "yes", "con": 1.5, **answers}
        for calc in (text(evaluate(tree, Context(record))), "wrong"):
            record = {**record, "calc": calc, "last": calc + "x"}
            record["more"] = text(evaluate(MORE, Context(record)))
            assert fast.validate(record) == steps.validate(record), (expression, record)
            assert list(fast.validate(record)) == list(steps.validate(record))


WRITTEN = parse("string(${n} * 1)")
TRICKY = [
    0.1 + 0.2,
    1 / 3,
    -0.5,
    1e-5,
    5e-11,
    -4e-11,
    123.456,
    131071.9999999999,
    131072.5,
    65536.1,
    1e15 + 0.5,
]
TRICKY += [
    2.675,
    0.30000000000000004,
    99999.99999999999,
    -131071.12345678901,
    1e300,
    2**-30,
    12345.0000000001,
]


def written(value):
    return expression_function(WRITTEN)({"n": value}, None)


@pytest.mark.parametrize("value", TRICKY)
def test_generated_numbers_are_written_as_number_text_writes_them(value):
    assert written(value) == evaluate(WRITTEN, Context({"n": value}))


@SETTINGS
@given(value=st.floats(allow_nan=True, allow_infinity=True) | st.floats(-140_000, 140_000))
def test_generated_numbers_are_written_alike_for_any_number(value):
    assert written(value) == evaluate(WRITTEN, Context({"n": value}))
