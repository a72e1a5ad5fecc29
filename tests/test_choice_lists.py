"""Cascading choices (choice_filter) and "Other, please say" (or_other), in definitions and answers."""

import copy

import pytest

from fvfield.questionnaires.answers import validate_answers
from fvfield.questionnaires.definitions import validate_definition

FORM = {
    "id": "stall-place",
    "version": 1,
    "title": "Where the stall is",
    "fields": [
        {
            "name": "county",
            "type": "choice",
            "label": "County",
            "required": True,
            "choices": [{"value": "dhaka", "label": "Dhaka"}, {"value": "khulna", "label": "Khulna"}],
        },
        {
            "name": "area",
            "type": "choice",
            "label": "Area",
            "required": True,
            "choice_filter": "county = ${county}",
            "or_other": True,
            "choices": [
                {"value": "gulshan", "label": "Gulshan", "columns": {"county": "dhaka"}},
                {"value": "mirpur", "label": "Mirpur", "columns": {"county": "dhaka"}},
                {"value": "sonadanga", "label": "Sonadanga", "columns": {"county": "khulna"}},
                {"value": "other", "label": "Other"},
            ],
        },
        {
            "name": "sells",
            "type": "multiple_choice",
            "label": "What is sold",
            "or_other": True,
            "choices": [{"value": "fish", "label": "Fish"}, {"value": "other", "label": "Other"}],
        },
    ],
}


def form(change=None):
    definition = copy.deepcopy(FORM)
    if change:
        change(definition)
    return definition


def test_a_filtered_form_with_other_is_a_form():
    assert validate_definition(form()) == {}


@pytest.mark.parametrize(
    "change, path, words",
    [
        (
            lambda d: d["fields"][1].update(choice_filter="county = "),
            "fields.1.choice_filter",
            "cannot be read",
        ),
        (
            lambda d: d["fields"][1].update(choice_filter="county = ${town}"),
            "fields.1.choice_filter",
            "'town'",
        ),
        (
            lambda d: d["fields"][1].update(choice_filter="region = ${county}"),
            "fields.1.choice_filter",
            "'region'",
        ),
        (
            lambda d: d["fields"][1].update(choice_filter="county = ${area}"),
            "fields.1.choice_filter",
            "own answer",
        ),
        (lambda d: d["fields"][1]["choices"][0].update(columns=[]), "fields.1.choices", "columns"),
        (
            lambda d: d["fields"][1]["choices"][0].update(columns={"name": "x"}),
            "fields.1.choices",
            "not name",
        ),
        (lambda d: d["fields"][1]["choices"][0].update(columns={"county": 3}), "fields.1.choices", "text"),
        (lambda d: d["fields"][2]["choices"].pop(), "fields.2.or_other", '"value": "other"'),
        (lambda d: d["fields"][2].update(or_other="yes"), "fields.2.or_other", "must be true"),
        (
            lambda d: d["fields"].append({"name": "sells_other", "type": "text", "label": "More"}),
            "fields.2.or_other",
            "sells_other",
        ),
        (lambda d: d["fields"][0].update(type="text", choice_filter="1"), "fields.0", "choice_filter"),
    ],
)
def test_a_filter_or_other_that_cannot_work_is_refused_with_the_reason(change, path, words):
    errors = validate_definition(form(change))
    assert path in errors, errors
    assert any(words in message for message in errors[path]), errors[path]


def test_an_answer_the_filter_does_not_offer_is_refused_with_the_choices_offered():
    errors = validate_answers(form(), {"county": "khulna", "area": "gulshan"})
    assert errors == {
        "area": ["'gulshan' is not offered for the answers given before it; choose from sonadanga, other."]
    }
    assert validate_answers(form(), {"county": "khulna", "area": "sonadanga"}) == {}
    assert validate_answers(form(), {"county": "dhaka", "area": "mirpur"}) == {}


def test_a_filter_reading_a_wrong_answer_leaves_that_answer_refused_alone():
    errors = validate_answers(form(), {"county": "sylhet", "area": "gulshan"})
    assert list(errors) == ["county"]


def test_other_needs_its_words_and_only_then():
    assert validate_answers(form(), {"county": "dhaka", "area": "other"}) == {
        "area_other": ["Say what the other is: 'Other' is chosen for 'Area'."]
    }
    good = {"county": "dhaka", "area": "other", "area_other": "Kawran Bazar"}
    assert validate_answers(form(), good) == {}
    spaces = {"county": "dhaka", "area": "other", "area_other": "  "}
    assert "area_other" in validate_answers(form(), spaces)
    stray = {"county": "dhaka", "area": "mirpur", "area_other": "Kawran Bazar"}
    assert validate_answers(form(), stray) == {
        "area_other": ["Leave this out: it is only given when 'Other' is chosen for 'Area'."]
    }
    wrong = {"county": "dhaka", "area": "other", "area_other": 12}
    assert validate_answers(form(), wrong) == {"area_other": ["Write what the other is, as text."]}


def test_other_among_several_choices():
    assert validate_answers(form(), {"county": "dhaka", "area": "mirpur", "sells": ["fish", "other"]}) == {
        "sells_other": ["Say what the other is: 'Other' is chosen for 'What is sold'."]
    }
    ok = {"county": "dhaka", "area": "mirpur", "sells": ["fish", "other"], "sells_other": "Spices"}
    assert validate_answers(form(), ok) == {}


def test_an_other_answer_without_or_other_is_no_question():
    definition = form(lambda d: d["fields"][2].pop("or_other"))
    errors = validate_answers(definition, {"county": "dhaka", "area": "mirpur", "sells_other": "Spices"})
    assert list(errors) == ["sells_other"]
