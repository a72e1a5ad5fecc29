"""Questions whose conditions and constraints are expressions: the definition is checked, the answers too.

tests/expression_forms.json holds a form and answers that the server (here) and the phone
(tests/browser/test_expressions.py) must refuse alike.
"""

import copy
import json
from pathlib import Path

import pytest

from fvfield.questionnaires import validate_answers, validate_definition

SHARED = json.loads((Path(__file__).parent / "expression_forms.json").read_text())
FORM = SHARED["form"]


def test_expression_form_is_a_valid_definition():
    assert validate_definition(FORM) == {}


@pytest.mark.parametrize("case", SHARED["cases"], ids=lambda c: json.dumps(c["answers"])[:70])
def test_expression_form_refuses_what_breaks_its_conditions_and_constraints(case):
    errors = validate_answers(FORM, case["answers"])
    assert sorted(errors) == sorted(case["refused"]), errors
    if "message" in case:
        assert errors[case["refused"][0]] == [case["message"]]


PHONE = next(i for i, field in enumerate(FORM["fields"]) if field["name"] == "phone")


def with_field(**changes):
    """Return the form with its phone question changed (a None value takes the key away)."""
    form = copy.deepcopy(FORM)
    form["fields"][PHONE].update(changes)
    for key, value in list(form["fields"][PHONE].items()):
        if value is None:
            del form["fields"][PHONE][key]
    return form


@pytest.mark.parametrize(
    ("changes", "path", "words"),
    [
        (
            {"constraint": "regex(., "},
            f"fields.{PHONE}.constraint",
            "its constraint cannot be read: the expression ends too soon",
        ),
        ({"relevant": "${age} >"}, f"fields.{PHONE}.relevant", "its condition (relevant) cannot be read"),
        ({"relevant": "${nobody} = 1"}, f"fields.{PHONE}.relevant", "names no question 'nobody'"),
        ({"relevant": "frobnicate(1)"}, f"fields.{PHONE}.relevant", "'frobnicate' is not a function"),
        (
            {"constraint": None, "constraint_message": "x"},
            f"fields.{PHONE}.constraint_message",
            "needs a constraint",
        ),
        ({"required_message": ""}, f"fields.{PHONE}.required_message", "must be text of 1 to"),
        (
            {"relevant": "true()", "show_if": {"field": "consent", "equals": True}},
            f"fields.{PHONE}.relevant",
            "show_if or relevant, not both",
        ),
    ],
)
def test_expression_form_mistakes_name_the_question_and_where(changes, path, words):
    errors = validate_definition(with_field(**changes))
    assert path in errors, errors
    assert any(words in message for message in errors[path]), errors[path]
    assert any("Phone" in message for message in errors[path])


def test_expression_form_label_may_name_only_questions_of_the_form():
    assert validate_definition(with_field(label="Phone of ${consent_name}")) == {}
    errors = validate_definition(with_field(label="Phone of ${nobody}"))
    assert "names no question 'nobody'" in errors[f"fields.{PHONE}.label"][0]


@pytest.mark.parametrize(("default", "fine"), [("07700 900123", True), (7, False), (None, False)])
def test_expression_form_default_is_an_answer_the_question_takes(default, fine):
    form = copy.deepcopy(FORM)
    form["fields"][PHONE]["default"] = default
    errors = validate_definition(form)
    assert (f"fields.{PHONE}.default" not in errors) is fine, errors


def test_expression_form_error_says_the_character():
    errors = validate_definition(with_field(constraint="(. > 1"))
    assert "(at character 7)" in errors[f"fields.{PHONE}.constraint"][0]
