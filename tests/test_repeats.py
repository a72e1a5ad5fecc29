"""Sections and repeats: their definitions, and records' answers to them (structure.py, repeats.py)."""

import copy
import json
from pathlib import Path

from fvfield.questionnaires import built_in
from fvfield.questionnaires.answers import validate_answers
from fvfield.questionnaires.definitions import validate_definition

HOUSEHOLD = {
    "id": "household",
    "version": 1,
    "title": "Household",
    "fields": [
        {"name": "village", "type": "text", "label": "Village"},
        {
            "name": "home",
            "type": "section",
            "label": "About the home",
            "relevant": "${village} != ''",
            "fields": [{"name": "rooms", "type": "integer", "label": "Rooms", "required": True}],
        },
        {
            "name": "members",
            "type": "repeat",
            "label": "Household member",
            "min_count": 1,
            "max_count": 4,
            "fields": [
                {"name": "member_name", "type": "text", "label": "Name", "required": True},
                {
                    "name": "age",
                    "type": "integer",
                    "label": "How old is ${member_name}?",
                    "constraint": ". <= 120",
                    "constraint_message": "An age is 120 or less.",
                },
                {
                    "name": "child",
                    "type": "section",
                    "label": "Children",
                    "relevant": "${age} < 5",
                    "fields": [{"name": "school", "type": "boolean", "label": "At nursery?"}],
                },
                {"name": "age_next", "type": "calculate", "label": "Next year", "calculation": "${age} + 1"},
            ],
        },
        {"name": "people", "type": "calculate", "label": "People", "calculation": "count(${members})"},
    ],
}

GOOD = {
    "village": "Kaliganj",
    "rooms": 3,
    "members": [
        {"member_name": "Ada", "age": 34, "age_next": "35"},
        {"member_name": "Bo", "age": 3, "school": True, "age_next": "4"},
    ],
    "people": "2",
}


TEXT_X = {"name": "x", "type": "text", "label": "X"}


def with_fields(*fields):
    return {"id": "f", "version": 1, "title": "F", "fields": list(fields)}


def test_a_form_with_a_section_and_a_repeat_is_valid_and_takes_good_answers():
    assert validate_definition(HOUSEHOLD) == {}
    assert validate_answers(HOUSEHOLD, GOOD) == {}


def test_a_repeat_item_is_checked_with_its_own_answers_and_the_forms_messages():
    answers = copy.deepcopy(GOOD)
    answers["members"].append({"age": 130, "age_next": "131"})
    answers["people"] = "3"
    errors = validate_answers(HOUSEHOLD, answers)
    assert errors == {
        "members.2.member_name": ["Household member 3: Answer this question: it is required."],
        "members.2.age": ["Household member 3: An age is 120 or less."],
    }


def test_a_wrong_calculation_in_an_item_and_of_the_count_are_refused():
    answers = copy.deepcopy(GOOD)
    answers["members"][0]["age_next"] = "99"
    answers["people"] = "5"
    errors = validate_answers(HOUSEHOLD, answers)
    assert errors["members.0.age_next"] == [
        "Household member 1: This calculation gives '35' from the answers, not '99'."
    ]
    assert errors["people"] == ["This calculation gives '2' from the answers, not '5'."]


def test_an_items_section_condition_reads_the_items_answer():
    answers = copy.deepcopy(GOOD)
    answers["members"][0]["school"] = False  # Ada is 34: the children's section is not asked
    errors = validate_answers(HOUSEHOLD, answers)
    assert errors == {
        "members.0.school": [
            "Household member 1: Leave this question out: its section 'Children' is not asked here."
        ]
    }


def test_a_hidden_section_takes_no_answers_and_a_shown_one_needs_its_required_ones():
    hidden = {**GOOD, "village": ""}
    assert validate_answers(HOUSEHOLD, hidden) == {
        "rooms": ["Leave this question out: its section 'About the home' is not asked here."]
    }
    assert validate_answers(HOUSEHOLD, {**hidden, "rooms": None}) == {}
    shown = {key: value for key, value in GOOD.items() if key != "rooms"}
    assert validate_answers(HOUSEHOLD, shown) == {"rooms": ["Answer this question: it is required here."]}


def test_the_counts_of_a_repeat_and_its_items_shape_are_checked():
    assert validate_answers(HOUSEHOLD, {**GOOD, "members": [], "people": "0"}) == {
        "members": ["Add at least 1 of these (Household member), not 0."]
    }
    absent = {key: value for key, value in GOOD.items() if key != "members"}
    assert validate_answers(HOUSEHOLD, {**absent, "people": "0"}) == {
        "members": ["Add at least 1 of these (Household member), not 0."]
    }
    five = [{"member_name": "A", "age_next": ""}] * 5
    assert validate_answers(HOUSEHOLD, {**GOOD, "members": five, "people": "5"}) == {
        "members": ["Add at most 4 of these, not 5."]
    }
    assert validate_answers(HOUSEHOLD, {**GOOD, "members": ["Ada"]}) == {
        "members": ["Item 1 must be an object of answers by question name, not text."]
    }
    odd = {**GOOD, "members": [{"member_name": "A", "age": 9, "age_next": "10", "shoe": 4}], "people": "1"}
    assert validate_answers(HOUSEHOLD, odd) == {
        "members.0.shoe": ["Household member 1: 'shoe' is not a question of this repeat."]
    }
    assert validate_answers(HOUSEHOLD, {**GOOD, "age": 3})["age"] == [
        "'age' is not a question of this form (version 1)."
    ]


def test_bad_sections_and_repeats_get_clear_messages():
    errors = validate_definition(
        with_fields(
            {"name": "a", "type": "section", "label": "A", "fields": []},
            {
                "name": "r",
                "type": "repeat",
                "label": "R",
                "min_count": 3,
                "max_count": 2,
                "fields": [
                    {
                        "name": "inner",
                        "type": "repeat",
                        "label": "I",
                        "fields": [{"name": "x", "type": "text", "label": "X"}],
                    },
                    {"name": "y", "type": "text", "label": "Y", "required": True},
                ],
            },
            {"name": "z", "type": "calculate", "label": "Z", "calculation": "${y}"},
            {
                "name": "s",
                "type": "section",
                "label": "S",
                "required": True,
                "fields": [{"name": "z", "type": "text", "label": "Again"}],
            },
        )
    )
    assert errors["fields.0.fields"] == [
        "'A' (a): a section needs 'fields', a list of at least one question."
    ]
    assert errors["fields.1.max_count"] == [
        "'R' (r): max_count (2) must be 1 or more, and at least min_count."
    ]
    assert errors["fields.1.fields.0.type"] == [
        "'I' (inner): a repeat cannot be inside another repeat ('r'); "
        "ask its questions in a repeat of its own, after it."
    ]
    assert errors["fields.2.calculation"] == [
        "'Z' (z): its calculation names 'y', a question of the repeat 'r', which is read only inside it "
        "(count(${r}) counts its items)."
    ]
    assert errors["fields.3"] == ["'S' (s): 'required' is not an option of a section."]
    assert "already used by question 3" in errors["fields.3.fields.0.name"][0]


def test_definitions_without_sections_still_validate():
    for path in sorted(Path(built_in.__file__).parent.glob("*.json")):
        assert validate_definition(json.loads(path.read_text())) == {}, path.name
