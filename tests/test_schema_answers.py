"""Answers checked against a form version: every field type, show_if, unknown questions."""

import copy
import math
import string
from datetime import timedelta, timezone

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from fvfield.questionnaires import (
    FIELD_TYPES,
    DefinitionError,
    compile_definition,
    load_template,
    templates_for_kind,
    validate_answers,
    validate_definition,
)
from fvfield.questionnaires.built_in import TEMPLATE_IDS
from fvfield.questionnaires.expressions import Context, evaluate, parse, truth

CHOICES = [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}]
LETTERS = [{"value": v, "label": v.upper()} for v in "abc"]
EVERY_TYPE = {
    "id": "every-type",
    "version": 2,
    "title": "Every type",
    "subject_kind": None,
    "fields": [
        {"name": "short", "type": "text", "label": "Short", "max_length": 10},
        {"name": "long", "type": "textarea", "label": "Long"},
        {"name": "mail", "type": "email", "label": "Email"},
        {"name": "whole", "type": "integer", "label": "Whole", "min": 1, "max": 5},
        {"name": "amount", "type": "decimal", "label": "Amount", "min": 0, "max": 100},
        {"name": "day", "type": "date", "label": "Day"},
        {"name": "at", "type": "time", "label": "At"},
        {"name": "moment", "type": "datetime", "label": "Moment"},
        {"name": "flag", "type": "boolean", "label": "Flag"},
        {"name": "pick", "type": "choice", "label": "Pick", "choices": CHOICES},
        {"name": "picks", "type": "multiple_choice", "label": "Picks", "choices": LETTERS},
        {"name": "rating", "type": "scale", "label": "Rating", "min": 1, "max": 5},
        {"name": "count", "type": "counter", "label": "Count"},
        {"name": "place", "type": "geopoint", "label": "Place"},
        {"name": "picture", "type": "photo", "label": "Picture"},
        {"name": "intro", "type": "note", "label": "Read this first."},
        {"name": "big", "type": "integer", "label": "Big"},
    ],
}
HASH = "a" * 64
PHOTO = {"sha256": HASH, "content_type": "image/jpeg", "size": 123456}
PLACE = {"lat": 51.5484, "lon": -0.0557, "accuracy": 12.5}

VALID = [
    ("short", ""),
    ("short", "hello"),
    ("short", "x" * 10),
    ("short", "Zoë ☕ 你好"),
    ("long", "x" * 20_000),
    ("long", "two\nlines"),
    ("mail", "ann@example.org"),
    ("mail", "Zoë.O'Neil+circle@mail.example.co.uk"),
    ("mail", " ann@example.org "),
    ("whole", 1),
    ("whole", 5),
    ("big", 2**53 - 1),
    ("big", -(2**53 - 1)),
    ("amount", 0),
    ("amount", 100),
    ("amount", 2.5),
    ("amount", 0.0),
    ("amount", 99.99),
    ("day", "2026-11-25"),
    ("day", "2024-02-29"),
    ("at", "00:00"),
    ("at", "23:59"),
    ("at", "09:30"),
    ("moment", "2026-11-25T09:41:00+00:00"),
    ("moment", "2026-11-25T09:41Z"),
    ("moment", "2026-11-25T09:41:00.123Z"),
    ("moment", "2026-11-25T09:41:00.123456-05:30"),
    ("flag", True),
    ("flag", False),
    ("pick", "yes"),
    ("pick", "no"),
    ("picks", []),
    ("picks", ["a"]),
    ("picks", ["c", "a", "b"]),
    ("rating", 1),
    ("rating", 5),
    ("count", 0),
    ("count", 12345),
    ("place", PLACE),
    ("place", {**PLACE, "accuracy": None}),
    ("place", {"lat": -90, "lon": 180, "accuracy": 0}),
    ("picture", PHOTO),
    ("picture", {**PHOTO, "content_type": "image/webp", "size": 1}),
] + [(f["name"], None) for f in EVERY_TYPE["fields"]]


@pytest.mark.parametrize("name, value", VALID)
def test_validate_answers_accepts(name, value):
    assert validate_answers(EVERY_TYPE, {name: value}) == {}


INVALID = [
    ("short", 5, "Enter text, not a number."),
    ("short", True, "Enter text, not true/false."),
    ("short", ["x"], "Enter text, not a list."),
    ("short", "x" * 11, "Enter at most 10 characters."),
    ("short", "a\x00b", "Remove the NUL character"),
    ("short", "broken \ud800", "unpaired surrogate"),
    ("long", "x" * 20_001, "Enter at most 20,000 characters."),
    ("whole", True, "Enter a whole number between 1 and 5, not true/false."),
    ("whole", False, "not true/false"),
    ("whole", 3.0, "Enter a whole number without a decimal point (3, not 3.0)."),
    ("whole", 2.5, "Enter a whole number between 1 and 5, not a number."),
    ("whole", 6, "Enter a whole number between 1 and 5."),
    ("whole", 0, "Enter a whole number between 1 and 5."),
    ("whole", "3", "not text"),
    ("big", 2**53, "Enter a whole number between -9,007,199,254,740,991 and 9,007,199,254,740,991."),
    ("big", 10**400, "between -9,007,199,254,740,991"),
    ("amount", True, "Enter a number between 0 and 100, not true/false."),
    ("amount", float("nan"), "Enter a number, not nan."),
    ("amount", float("inf"), "Enter a number, not inf."),
    ("amount", -0.5, "Enter a number between 0 and 100."),
    ("amount", 100.01, "Enter a number between 0 and 100."),
    ("amount", 10**400, "Enter a number between 0 and 100."),
    ("amount", "1.50", "not text"),
    ("day", "2026-02-30", "'2026-02-30' is not a date on the calendar."),
    ("day", "2026-2-3", "Enter a date as YYYY-MM-DD"),
    ("day", "25/11/2026", "Enter a date as YYYY-MM-DD"),
    ("day", "20261125", "Enter a date as YYYY-MM-DD"),
    ("day", "2026-11-25T10:00", "Enter a date as YYYY-MM-DD"),
    ("day", "２０２６-11-25", "Enter a date as YYYY-MM-DD"),
    ("day", 20261125, "Enter a date as YYYY-MM-DD"),
    ("at", "24:00", "Enter a time as HH:MM from 00:00 to 23:59, not '24:00'."),
    ("at", "9:30", "Enter a time as HH:MM"),
    ("at", "09:60", "Enter a time as HH:MM"),
    ("at", "09:30:00", "Enter a time as HH:MM"),
    ("at", "09:30\n", "Enter a time as HH:MM"),
    ("at", 930, "Enter a time as HH:MM"),
    ("moment", "2026-11-25T09:41:00", "ISO 8601 with its offset"),
    ("moment", "2026-11-25 09:41:00+00:00", "ISO 8601 with its offset"),
    ("moment", "20261125T094100Z", "ISO 8601 with its offset"),
    ("moment", "2026-02-30T09:41:00+00:00", "is not a real date and time."),
    ("moment", "2026-11-25T24:00:00+00:00", "is not a real date and time."),
    ("moment", "2026-11-25T09:41:00+24:00", "is not a real date and time."),
    ("moment", 1764063660, "ISO 8601 with its offset"),
    ("flag", 1, "Choose yes or no (true or false), not 1."),
    ("flag", 0, "Choose yes or no"),
    ("flag", "true", "Choose yes or no (true or false), not 'true'."),
    ("pick", "maybe", "'maybe' is not one of the choices: yes, no."),
    ("pick", "Yes", "'Yes' is not one of the choices: yes, no."),
    ("pick", ["yes"], "Choose one of: yes, no; not a list."),
    ("pick", 1, "Choose one of: yes, no; not a number."),
    ("picks", ["a", "a"], "'a' is chosen more than once"),
    ("picks", ["d"], "'d' is not one of the choices: a, b, c."),
    ("picks", "a", "Choose a list of values from: a, b, c; not text."),
    ("picks", [1], "1 is not one of the choices"),
    ("picks", [["a"]], "is not one of the choices"),
    ("picks", {"a": True}, "not an object"),
    ("rating", True, "Enter a whole number between 1 and 5, not true/false."),
    ("rating", 0, "Enter a whole number between 1 and 5."),
    ("rating", 6, "Enter a whole number between 1 and 5."),
    ("rating", 2.5, "Enter a whole number between 1 and 5, not a number."),
    ("count", -1, "Enter a count of at least 0."),
    ("count", True, "not true/false"),
    ("count", 1.5, "not a number"),
    ("count", "3", "not text"),
    ("place", {**PLACE, "lat": 91}, "The latitude must be a number from -90 to 90, not 91."),
    ("place", {**PLACE, "lon": -181}, "The longitude must be a number from -180 to 180"),
    ("place", {**PLACE, "lat": True}, "The latitude must be a number"),
    ("place", {**PLACE, "lat": float("nan")}, "The latitude must be a number"),
    ("place", {**PLACE, "lat": "51.5"}, "The latitude must be a number"),
    ("place", {**PLACE, "accuracy": -1}, "The accuracy must be a number of metres, 0 or more, or null"),
    ("place", {**PLACE, "accuracy": float("inf")}, "The accuracy must be a number of metres"),
    ("place", {"lat": 51.5, "lon": -0.05}, "A position needs accuracy (accuracy may be null)."),
    ("place", {**PLACE, "altitude": 20}, "A position takes only accuracy, lat, lon; remove 'altitude'."),
    ("place", [51.5, -0.05], "Enter a position as"),
    ("picture", {**PHOTO, "sha256": HASH.upper()}, "64 lower-case hex characters"),
    ("picture", {**PHOTO, "sha256": HASH[:63]}, "64 lower-case hex characters"),
    ("picture", {**PHOTO, "sha256": "g" * 64}, "64 lower-case hex characters"),
    (
        "picture",
        {**PHOTO, "content_type": "image/gif"},
        "must be image/jpeg, image/png or image/webp, not 'image/gif'",
    ),
    ("picture", {**PHOTO, "content_type": ["image/jpeg"]}, "must be image/jpeg, image/png or image/webp"),
    ("picture", {**PHOTO, "size": 0}, "a whole number of bytes above 0"),
    ("picture", {**PHOTO, "size": True}, "a whole number of bytes above 0"),
    ("picture", {"sha256": HASH, "content_type": "image/png"}, "A photo needs size"),
    ("picture", {**PHOTO, "url": "http://x"}, "remove 'url'"),
    ("picture", HASH, "Attach a photo as"),
    ("mail", "ann", "Enter an email address, like name@example.org."),
    ("mail", "ann@example", "Enter an email address, like name@example.org."),
    ("mail", "ann @example.org", "Enter an email address"),
    ("mail", "a@b@example.org", "Enter an email address"),
    ("mail", "x" * 250 + "@example.org", "Enter at most 254 characters."),
    ("mail", 7, "Enter text, not a number."),
    ("intro", "hello", "This is a note to read; it takes no answer"),
    ("intro", False, "This is a note to read"),
]


@pytest.mark.parametrize("name, value, words", INVALID)
def test_validate_answers_rejects(name, value, words):
    errors = validate_answers(EVERY_TYPE, {name: value})
    assert list(errors) == [name]
    assert len(errors[name]) == 1 and words in errors[name][0], errors[name]


@pytest.mark.parametrize("answers", [None, [], "answers", 3, [["time_in", "09:30"]]])
def test_validate_answers_needs_an_object(answers):
    errors = validate_answers(EVERY_TYPE, answers)
    assert list(errors) == ["_"]
    assert errors["_"][0].startswith("The answers must be an object keyed by question name")


def test_validate_answers_rejects_an_unknown_question():
    errors = validate_answers(EVERY_TYPE, {"colour": "red", "flag": True})
    assert errors == {"colour": ["'colour' is not a question of this form (version 2)."]}


def test_validate_answers_reports_many_unknown_questions_briefly():
    errors = validate_answers(EVERY_TYPE, {f"q{i}": 1 for i in range(1000)})
    assert len(errors) == 11
    assert errors["_"] == ["990 more answers are not questions of this form (version 2)."]


def home_visit(**answers):
    """Return good home-visit answers with some replaced (None removes one)."""
    good = {
        "time_in": "09:30",
        "time_out": "10:15",
        "tasks_done": ["personal_care", "meal", "company"],
        "tasks_declined": [],
        "medicines": "prompted",
        "food_drink": "Porridge and tea, ate most of it.",
        "own_words": "Tired but fine, looking forward to Sunday.",
        "rating": 4,
        "notes": "Fridge needs milk.",
        "concern": False,
    }
    good.update(answers)
    return {name: value for name, value in good.items() if value is not None}


HOME_VISIT = load_template("home-visit")
RAISED = "when 'Anything to raise?' is yes."


@pytest.mark.parametrize(
    "answers, errors",
    [
        (home_visit(), {}),
        (home_visit(time_out=None, notes=None, rating=None, medicines=None), {}),
        (home_visit(notes=None) | {"notes": None}, {}),
        (home_visit(time_in=None), {"time_in": ["Answer this question: it is required."]}),
        (home_visit() | {"time_in": None}, {"time_in": ["Answer this question: it is required."]}),
        (
            home_visit(concern=True),
            {
                "concern_details": [f"Answer this question: it is required {RAISED}"],
                "concern_urgency": [f"Answer this question: it is required {RAISED}"],
            },
        ),
        (home_visit(concern=True, concern_details="Fell in the hall.", concern_urgency="today"), {}),
        (
            home_visit(concern=True, concern_details="   ", concern_urgency="today"),
            {"concern_details": [f"Answer this question: it is required {RAISED}"]},
        ),
        (
            home_visit(concern_details="Fell in the hall."),
            {"concern_details": [f"Leave this question out: it is only asked {RAISED}"]},
        ),
        (
            home_visit(concern_urgency="today") | {"concern_details": None},
            {
                "concern_urgency": [f"Leave this question out: it is only asked {RAISED}"],
            },
        ),
        (
            home_visit(medicines="declined"),
            {
                "medicines_declined_reason": [
                    "Answer this question: it is required when 'Medicines' is 'Declined'."
                ],
            },
        ),
        (home_visit(medicines="declined", medicines_declined_reason="Said she had taken them."), {}),
        (
            home_visit(medicines="given", medicines_declined_reason="x"),
            {
                "medicines_declined_reason": [
                    "Leave this question out: it is only asked when 'Medicines' is 'Declined'."
                ],
            },
        ),
    ],
)
def test_validate_answers_home_visit_show_if(answers, errors):
    assert validate_answers(HOME_VISIT, answers) == errors


def test_validate_answers_controller_with_a_wrong_answer_reports_only_real_problems():
    # 'yes' is not a boolean: the details are neither required nor hidden, but still type-checked.
    assert validate_answers(HOME_VISIT, home_visit(concern="yes", concern_details="Fell.")) == {
        "concern": ["Choose yes or no (true or false), not 'yes'."],
    }
    assert list(validate_answers(HOME_VISIT, home_visit(concern="yes", concern_details=5))) == [
        "concern",
        "concern_details",
    ]


PITCH = load_template("pitch-survey")


@pytest.mark.parametrize(
    "answers, errors",
    [
        ({"status": "vacant"}, {}),
        ({"status": "trading", "goods_category": "fruit_veg"}, {}),
        (
            {"status": "casual"},
            {
                "goods_category": [
                    "Answer this question: it is required when 'Status' is 'Trading' or 'Casual trader'."
                ]
            },
        ),
        (
            {"status": "closed_today", "goods_category": "bakery"},
            {
                "goods_category": [
                    "Leave this question out: it is only asked when 'Status' is 'Trading' or 'Casual trader'."
                ]
            },
        ),
        (
            {"status": "trading", "consent": False, "trader_concerns": "Rents", "goods_category": "bakery"},
            {
                "trader_concerns": [
                    "Leave this question out: it is only asked when 'The trader agreed to share their concerns' is yes."
                ]
            },
        ),
        # A vacant or closed pitch has no trader to ask: presence, prices, consent, languages, photo.
        (
            {"status": "vacant", "trader_present": False, "languages": ["english"], "photo": PHOTO},
            {
                name: [
                    "Leave this question out: it is only asked when 'Status' is 'Trading' or 'Casual trader'."
                ]
                for name in ("trader_present", "languages", "photo")
            },
        ),
        ({"status": "closed_today", "position": PLACE}, {}),
        (
            {
                "status": "trading",
                "goods_category": "meat_fish",
                "consent": True,
                "trader_concerns": "Rents went up.",
                "price_eggs_dozen": 320,
                "price_bread_loaf": 100,
                "languages": ["turkish", "english"],
                "photo": PHOTO,
                "position": PLACE,
                "trader_present": True,
            },
            {},
        ),
    ],
)
def test_validate_answers_pitch_survey_show_if_in(answers, errors):
    assert validate_answers(PITCH, answers) == errors


CHAIN = {
    "id": "chain",
    "version": 1,
    "title": "Chain",
    "fields": [
        {"name": "visited", "type": "boolean", "label": "Visited?"},
        {
            "name": "outcome",
            "type": "choice",
            "label": "Outcome",
            "choices": [{"value": "ok", "label": "All well"}, {"value": "issue", "label": "An issue"}],
            "show_if": {"field": "visited", "equals": True},
        },
        {
            "name": "issue",
            "type": "text",
            "label": "The issue",
            "required": True,
            "show_if": {"field": "outcome", "equals": "issue"},
        },
        {"name": "tasks", "type": "multiple_choice", "label": "Tasks", "choices": LETTERS},
        {
            "name": "task_b_note",
            "type": "text",
            "label": "About b",
            "required": True,
            "show_if": {"field": "tasks", "equals": "b"},
        },
        {
            "name": "task_ac_note",
            "type": "text",
            "label": "About a or c",
            "show_if": {"field": "tasks", "in": ["a", "c"]},
        },
    ],
}
HIDDEN_ISSUE = "Leave this question out: it is only asked when 'Outcome' is 'An issue'."


@pytest.mark.parametrize(
    "answers, errors",
    [
        ({}, {}),
        ({"visited": False}, {}),
        ({"visited": True, "outcome": "ok"}, {}),
        (
            {"visited": True, "outcome": "issue"},
            {"issue": ["Answer this question: it is required when 'Outcome' is 'An issue'."]},
        ),
        ({"visited": True, "outcome": "issue", "issue": "Leak"}, {}),
        ({"visited": False, "issue": "Leak"}, {"issue": [HIDDEN_ISSUE]}),
        ({"visited": True, "outcome": "ok", "issue": "Leak"}, {"issue": [HIDDEN_ISSUE]}),
        # A hidden answer counts as absent: 'outcome' is hidden, so 'issue' is hidden too and not required.
        (
            {"visited": False, "outcome": "issue"},
            {"outcome": ["Leave this question out: it is only asked when 'Visited?' is yes."]},
        ),
        (
            {"outcome": "issue", "issue": "Leak"},
            {
                "outcome": ["Leave this question out: it is only asked when 'Visited?' is yes."],
                "issue": [HIDDEN_ISSUE],
            },
        ),
        (
            {"tasks": ["a", "b"]},
            {"task_b_note": ["Answer this question: it is required when 'Tasks' includes 'B'."]},
        ),
        ({"tasks": ["a", "b"], "task_b_note": "x", "task_ac_note": "y"}, {}),
        (
            {"tasks": ["b"], "task_b_note": "x", "task_ac_note": "y"},
            {"task_ac_note": ["Leave this question out: it is only asked when 'Tasks' includes 'A' or 'C'."]},
        ),
        (
            {"tasks": [], "task_b_note": "x"},
            {"task_b_note": ["Leave this question out: it is only asked when 'Tasks' includes 'B'."]},
        ),
    ],
)
def test_validate_answers_show_if_chains(answers, errors):
    assert validate_answers(CHAIN, answers) == errors


def test_validate_answers_required_multiple_choice_needs_a_choice():
    definition = copy.deepcopy(CHAIN)
    definition["fields"][3]["required"] = True
    assert validate_answers(definition, {"tasks": []}) == {"tasks": ["Answer this question: it is required."]}


def test_validate_answers_keeps_versions_with_the_same_id_apart():
    other_team = copy.deepcopy(HOME_VISIT)
    other_team["fields"].append({"name": "pets", "type": "text", "label": "Pets"})
    answers = home_visit(pets="A cat")
    assert validate_answers(other_team, answers) == {}
    assert validate_answers(HOME_VISIT, answers) == {
        "pets": ["'pets' is not a question of this form (version 1)."]
    }
    assert validate_answers(copy.deepcopy(other_team), answers) == {}


def test_validate_answers_broken_definition_is_an_error_not_an_exception():
    broken = {**HOME_VISIT, "fields": []}
    errors = validate_answers(broken, home_visit())
    assert list(errors) == ["_"]
    assert "This version of the form is broken" in errors["_"][0]


def test_compile_definition_gives_a_reusable_validator():
    validator = compile_definition(HOME_VISIT)
    assert (validator.form_id, validator.version) == ("home-visit", 1)
    assert validator.validate(home_visit()) == {}
    assert validator(home_visit(rating=9)) == {"rating": ["Enter a whole number between 1 and 5."]}


def test_compile_definition_refuses_a_broken_definition():
    with pytest.raises(DefinitionError) as caught:
        compile_definition({**HOME_VISIT, "version": 0})
    assert caught.value.errors == {"version": ["The version must be a whole number of 1 or more, not 0."]}


# Answers built from a definition's own types must always pass.

TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))
OFFSETS = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda minutes: timezone(timedelta(minutes=minutes)))
SAFE = 2**53 - 1


def text_answers(field, required):
    """Text within the field's limit; not blank when required."""
    limit = field.get("max_length", 2_000 if field["type"] == "text" else 20_000)
    if required:
        return st.text(max_size=limit - 1).map(lambda s: s + "x").filter(lambda s: "\x00" not in s)
    return TEXT.filter(lambda s: len(s) <= limit)


def decimal_answers(low, high):
    """Numbers from low to high, floats and whole numbers."""
    whole = (
        st.integers(math.ceil(low), math.floor(high)) if math.ceil(low) <= math.floor(high) else st.nothing()
    )
    return st.floats(low, high) | whole


def answers_for(field, required):
    """Return a strategy of good answers to one field."""
    kind = field["type"]
    values = [choice["value"] for choice in field.get("choices", ())]
    low, high = field.get("min"), field.get("max")
    strategies = {
        "text": lambda: text_answers(field, required),
        "textarea": lambda: text_answers(field, required),
        "email": lambda: st.from_regex(
            r"[a-z0-9._+-]{1,20}@[a-z0-9-]{1,20}(\.[a-z]{2,6}){1,2}", fullmatch=True
        ),
        "integer": lambda: st.integers(-SAFE if low is None else low, SAFE if high is None else high),
        "decimal": lambda: decimal_answers(-SAFE if low is None else low, SAFE if high is None else high),
        "date": lambda: st.dates().map(lambda d: d.isoformat()),
        "time": lambda: st.times().map(lambda t: t.strftime("%H:%M")),
        "datetime": lambda: st.datetimes(timezones=OFFSETS).map(lambda d: d.isoformat()),
        "boolean": st.booleans,
        "choice": lambda: st.sampled_from(values),
        "multiple_choice": lambda: st.lists(
            st.sampled_from(values), unique=True, min_size=1 if required else 0
        ),
        "scale": lambda: st.integers(low, high),
        "counter": lambda: st.integers(0, SAFE),
        "price": lambda: st.integers(0, SAFE),
        "geopoint": lambda: st.fixed_dictionaries(
            {
                "lat": st.floats(-90, 90),
                "lon": st.floats(-180, 180),
                "accuracy": st.none() | st.floats(0, 1e6) | st.integers(0, 10_000),
            }
        ),
        "photo": lambda: st.fixed_dictionaries(
            {
                "sha256": st.text(string.hexdigits.lower()[:16], min_size=64, max_size=64),
                "content_type": st.sampled_from(["image/jpeg", "image/png", "image/webp"]),
                "size": st.integers(1, 10**9),
            }
        ),
    }
    return strategies[kind]()


def shown(field, answers, by_name):
    """Decide, as the contract says, whether a field is shown given the answers so far."""
    if "relevant" in field:
        return truth(evaluate(parse(field["relevant"]), Context(answers)))
    rule = field.get("show_if")
    if rule is None:
        return True
    answer = answers.get(rule["field"])
    if answer is None:
        return False
    targets = [rule["equals"]] if "equals" in rule else rule["in"]
    if by_name[rule["field"]]["type"] == "multiple_choice":
        return any(target in answer for target in targets)
    return answer in targets


@st.composite
def good_answers(draw, definition):
    """Draw answers that a person could give to a definition on the phone."""
    by_name = {field["name"]: field for field in definition["fields"]}
    answers = {}
    for field in definition["fields"]:
        required = field.get("required", False)
        if field["type"] == "note" or not shown(field, answers, by_name):
            continue
        if not required and draw(st.booleans()):
            if draw(st.booleans()):
                answers[field["name"]] = None
            continue
        answer = draw(answers_for(field, required))
        if "constraint" in field and not truth(
            evaluate(parse(field["constraint"]), Context(answers, answer))
        ):
            # A person told "this answer is not allowed" changes it; one not required can leave it.
            assume(not required)
            answer = None
        answers[field["name"]] = answer
    return answers


DEFINITIONS = [load_template(form_id) for form_id in sorted(TEMPLATE_IDS)] + [EVERY_TYPE, CHAIN]


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_validate_answers_good_answers_always_pass(data):
    definition = data.draw(st.sampled_from(DEFINITIONS))
    answers = data.draw(good_answers(definition))
    assert validate_answers(definition, answers) == {}


RULE_TYPES = [
    "text",
    "textarea",
    "integer",
    "decimal",
    "date",
    "time",
    "boolean",
    "choice",
    "multiple_choice",
    "scale",
    "counter",
]


@st.composite
def field_options(draw, kind):
    """Draw the type-specific options of a field."""
    if kind in ("text", "textarea") and draw(st.booleans()):
        return {"max_length": draw(st.integers(1, 2_000))}
    if kind == "email" and draw(st.booleans()):
        return {"max_length": draw(st.integers(60, 254))}
    if kind in ("integer", "scale") or (kind == "decimal" and draw(st.booleans())):
        low = draw(st.integers(-1_000, 1_000))
        high = draw(st.integers(low + 1, low + 100))
        return {"min": low, "max": high} if kind == "scale" or draw(st.booleans()) else {"min": low}
    if kind == "decimal":
        low = draw(st.floats(-1e6, 1e6))
        return {"min": low, "max": draw(st.floats(low, 2e6))}
    if kind in ("choice", "multiple_choice"):
        values = draw(
            st.lists(
                st.text(string.ascii_lowercase, min_size=1, max_size=8), min_size=1, max_size=6, unique=True
            )
        )
        return {"choices": [{"value": value, "label": value.title()} for value in values]}
    return {}


@st.composite
def definitions(draw):
    """Draw a valid form definition with every kind of question and show_if rules."""
    fields = []
    for index in range(draw(st.integers(1, 8))):
        # A calculation's good answer is what it gives: tests/test_expression_forms.py has those.
        kind = draw(
            st.sampled_from([kind for kind in FIELD_TYPES if kind not in ("calculate", "section", "repeat")])
        )
        field = {"name": f"q{index}", "type": kind, "label": f"Question {index}", **draw(field_options(kind))}
        if kind != "note":
            field["required"] = draw(st.booleans())
        controllers = [f for f in fields if f["type"] in RULE_TYPES]
        if controllers and draw(st.booleans()):
            controller = draw(st.sampled_from(controllers))
            answers = (
                st.sampled_from([c["value"] for c in controller.get("choices", ())])
                if controller["type"] == "multiple_choice"
                else answers_for(controller, required=True)
            )
            targets = draw(st.lists(answers, min_size=1, max_size=3))
            rule = {"equals": targets[0]} if len(targets) == 1 else {"in": targets}
            field["show_if"] = {"field": controller["name"], **rule}
        fields.append(field)
    return {"id": "random", "version": 1, "title": "Random", "fields": fields}


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_validate_answers_good_answers_to_random_definitions_pass(data):
    definition = data.draw(definitions())
    assert validate_definition(definition) == {}
    answers = data.draw(good_answers(definition))
    assert validate_answers(definition, answers) == {}


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=25,
)


def assert_errors_shape(errors):
    assert isinstance(errors, dict)
    for key, messages in errors.items():
        assert isinstance(key, str) and messages
        assert all(isinstance(message, str) and message for message in messages)


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_validate_answers_random_json_only_returns_errors(data):
    definition = data.draw(st.sampled_from(DEFINITIONS))
    names = st.sampled_from([field["name"] for field in definition["fields"]])
    answers = data.draw(JSON | st.dictionaries(names | st.text(max_size=10), JSON, max_size=8))
    assert_errors_shape(validate_answers(definition, answers))


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_validate_answers_random_definitions_only_return_errors(data):
    definition = copy.deepcopy(data.draw(st.sampled_from(DEFINITIONS)))
    target = data.draw(st.sampled_from(definition["fields"]))
    target[data.draw(st.sampled_from(["type", "min", "max", "choices", "show_if", "labels"]))] = data.draw(
        JSON
    )
    errors = validate_answers(definition, data.draw(JSON))
    assert_errors_shape(errors)
    if validate_definition(definition):
        assert list(errors) == ["_"]


def test_templates_for_kind_forms_take_empty_answers_only_when_nothing_is_required():
    for kind in ["care-circle", "market-survey", "evaluation"]:
        for definition in templates_for_kind(kind):
            errors = validate_answers(definition, {})
            required = [f["name"] for f in definition["fields"] if f.get("required") and "show_if" not in f]
            assert sorted(errors) == sorted(required)
