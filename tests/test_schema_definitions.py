"""Form definitions: the built-in templates, the checks of a definition, the change list."""

import copy
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fvfield.questionnaires.built_in
from fvfield.models import TEAM_KINDS
from fvfield.questionnaires import (
    FIELD_TYPES,
    KIND_TEMPLATES,
    UnknownTemplate,
    describe_changes,
    load_template,
    templates_for_kind,
    validate_definition,
)

TEMPLATE_FOLDER = Path(fvfield.questionnaires.built_in.__file__).parent
TEMPLATE_FILES = sorted(TEMPLATE_FOLDER.glob("*.json"))


def test_field_types_are_those_of_the_sync_contract():
    assert FIELD_TYPES == (
        "text",
        "textarea",
        "email",
        "integer",
        "decimal",
        "date",
        "time",
        "datetime",
        "boolean",
        "choice",
        "multiple_choice",
        "scale",
        "counter",
        "price",
        "geopoint",
        "photo",
        "note",
        "calculate",
        "section",
        "repeat",
    )


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=lambda path: path.stem)
def test_template_file_is_a_valid_first_version_named_by_its_id(path):
    definition = json.loads(path.read_text(encoding="utf-8"))
    assert validate_definition(definition) == {}
    assert definition["id"] == path.stem
    assert definition["version"] == 1
    assert load_template(path.stem) == definition


def test_templates_every_file_belongs_to_a_kind():
    used = {form_id for form_ids in KIND_TEMPLATES.values() for form_id in form_ids}
    assert used == {path.stem for path in TEMPLATE_FILES}


@pytest.mark.parametrize(
    "kind, form_ids",
    [
        ("care-circle", ["home-visit", "wellbeing-check", "change-story"]),
        ("market-survey", ["market-visit", "pitch-survey", "footfall-count", "change-story"]),
        ("evaluation", ["wellbeing-check", "change-story", "workshop-feedback"]),
    ],
)
def test_templates_for_kind_gives_valid_forms(kind, form_ids):
    forms = templates_for_kind(kind)
    assert [form["id"] for form in forms] == form_ids
    assert all(validate_definition(form) == {} for form in forms)


def test_templates_for_kind_covers_every_team_kind():
    assert set(KIND_TEMPLATES) == set(TEAM_KINDS)


def test_templates_for_kind_gives_copies():
    templates_for_kind("care-circle")[0]["fields"].clear()
    load_template("home-visit")["title"] = "Changed"
    assert templates_for_kind("care-circle")[0]["fields"]
    assert load_template("home-visit")["title"] == "Home visit"


@pytest.mark.parametrize(
    "form_id, subject_kind",
    [
        ("home-visit", "person"),
        ("wellbeing-check", "person"),
        ("change-story", None),
        ("market-visit", "market"),
        ("pitch-survey", "pitch"),
        ("footfall-count", "market"),
        ("workshop-feedback", None),
    ],
)
def test_template_subject_kind(form_id, subject_kind):
    assert load_template(form_id)["subject_kind"] == subject_kind


@pytest.mark.parametrize("form_id", ["nope", "../home-visit", "home-visit.json", "", None, ["home-visit"]])
def test_load_template_unknown(form_id):
    with pytest.raises(UnknownTemplate):
        load_template(form_id)


@pytest.mark.parametrize("kind", ["choir", "", None])
def test_templates_for_kind_unknown(kind):
    with pytest.raises(UnknownTemplate, match="no built-in forms"):
        templates_for_kind(kind)


def test_template_home_visit_asks_details_only_on_a_concern():
    fields = {field["name"]: field for field in load_template("home-visit")["fields"]}
    assert fields["concern"]["label"] == "Anything to raise?"
    assert fields["concern_details"]["show_if"] == {"field": "concern", "equals": True}
    assert fields["concern_details"]["required"] is True
    assert fields["concern_urgency"]["show_if"] == {"field": "concern", "equals": True}
    assert fields["medicines_declined_reason"]["show_if"] == {"field": "medicines", "equals": "declined"}
    assert fields["tasks_done"]["choices"] == fields["tasks_declined"]["choices"]


def test_template_wellbeing_check_uses_the_ons_scales():
    fields = {field["name"]: field for field in load_template("wellbeing-check")["fields"]}
    ons = ["life_satisfaction", "worthwhile", "happy_yesterday", "anxious_yesterday"]
    for name in ons:
        assert (fields[name]["min"], fields[name]["max"]) == (0, 10)
        assert fields[name]["labels"] == {"0": "Not at all", "10": "Completely"}
    assert fields["life_satisfaction"]["label"] == "Overall, how satisfied are you with your life nowadays?"
    for name in ["lack_companionship", "left_out", "isolated"]:
        assert (fields[name]["min"], fields[name]["max"]) == (1, 3)


def test_template_pitch_survey_asks_concerns_only_with_consent():
    fields = {field["name"]: field for field in load_template("pitch-survey")["fields"]}
    assert fields["trader_concerns"]["show_if"] == {"field": "consent", "equals": True}
    assert fields["goods_category"]["show_if"] == {"field": "status", "in": ["trading", "casual"]}
    # Vacant and closed pitches skip every trader question; the position is always asked.
    trader = ["trader_present", "consent", "languages", "photo"] + [
        n for n in fields if n.startswith("price_")
    ]
    assert all(fields[name]["show_if"] == {"field": "status", "in": ["trading", "casual"]} for name in trader)
    assert "show_if" not in fields["position"] and "show_if" not in fields["status"]
    assert [c["value"] for c in fields["status"]["choices"]] == [
        "trading",
        "vacant",
        "closed_today",
        "casual",
    ]
    prices = [name for name in fields if name.startswith("price_")]
    assert prices and all(fields[name]["type"] == "price" for name in prices)


def home_visit(change):
    """Return the home-visit template with one change applied."""
    definition = load_template("home-visit")
    change(definition)
    return definition


def field(definition, name):
    """Return the field of a definition with this name."""
    return next(f for f in definition["fields"] if f["name"] == name)


def set_field(field_name, /, **options):
    """Return a change that sets options on one field (None removes the option)."""

    def change(definition):
        target = field(definition, field_name)
        for key, value in options.items():
            if value is None:
                target.pop(key, None)
            else:
                target[key] = value

    return change


def set_form(**options):
    """Return a change that sets top-level keys of the form."""
    return lambda definition: definition.update(options)


# index of each home-visit field, for the expected paths
TIME_IN, TIME_OUT, TASKS_DONE, MEDICINES, RATING, CONCERN, DETAILS, URGENCY = 0, 1, 2, 4, 8, 10, 11, 12

BROKEN = [
    (set_form(id="Home Visit"), "id", "lower-case letters, digits and dashes"),
    (set_form(id=None), "id", "such as 'home-visit'"),
    (set_form(version=0), "version", "1 or more"),
    (set_form(version=True), "version", "whole number"),
    (set_form(version="2"), "version", "whole number"),
    (set_form(title="  "), "title", "Give the form a title"),
    (set_form(title="x" * 201), "title", "200 characters"),
    (set_form(subject_kind="People!"), "subject_kind", "person, market or pitch"),
    (set_form(fields=[]), "fields", "at least one question"),
    (set_form(fields={"time_in": {}}), "fields", "a list"),
    (
        set_form(fields=[{"name": f"q{i}", "type": "text", "label": "Q"} for i in range(1001)]),
        "fields",
        "at most 1000",
    ),
    (set_form(feilds=[]), "_", "'feilds' is not part of a form definition; did you mean 'fields'?"),
    (lambda d: d["fields"].insert(0, "time_in"), "fields.0", "Question 1 must be an object"),
    (
        set_field("time_in", name=None),
        f"fields.{TIME_IN}.name",
        "'Time in' (question 1): give the question a name",
    ),
    (set_field("time_in", name="Time In"), f"fields.{TIME_IN}.name", "must start with a lower-case letter"),
    (set_field("time_in", name="1st"), f"fields.{TIME_IN}.name", "must start with a lower-case letter"),
    (set_field("time_in", name="a" * 65), f"fields.{TIME_IN}.name", "at most 64"),
    (
        set_field("time_out", name="time_in"),
        f"fields.{TIME_OUT}.name",
        "'Time out' (time_in): the name 'time_in' is already used by question 1",
    ),
    (
        set_field("time_in", type="clock"),
        f"fields.{TIME_IN}.type",
        "'Time in' (time_in): 'clock' is not a question type",
    ),
    (set_field("time_in", label=None), f"fields.{TIME_IN}.label", "'time_in': add a label"),
    (set_field("time_in", label="x" * 501), f"fields.{TIME_IN}.label", "keep it to 500"),
    (set_field("time_in", label="Time\x00in"), f"fields.{TIME_IN}.label", "cannot be stored"),
    (
        set_field("time_in", requird=True),
        f"fields.{TIME_IN}",
        "'Time in' (time_in): 'requird' is not an option of a time question; did you mean 'required'?",
    ),
    (
        set_field("tasks_done", max_length=10),
        f"fields.{TASKS_DONE}",
        "'What was done' (tasks_done): 'max_length' is not an option of a multiple_choice question.",
    ),
    (set_field("time_in", required="yes"), f"fields.{TIME_IN}.required", "required must be true or false"),
    (set_field("time_in", hint=["Arrival"]), f"fields.{TIME_IN}.hint", "the hint must be text"),
    (
        set_field("tasks_done", choices=None),
        f"fields.{TASKS_DONE}.choices",
        "'What was done' (tasks_done): add 'choices'",
    ),
    (set_field("tasks_done", choices=[]), f"fields.{TASKS_DONE}.choices", "at least one"),
    (
        set_field("tasks_done", choices=["meal"]),
        f"fields.{TASKS_DONE}.choices",
        'choice 1 must be an object with exactly "value" and "label"',
    ),
    (
        set_field("tasks_done", choices=[{"value": "meal", "label": "Meal", "score": 1}]),
        f"fields.{TASKS_DONE}.choices",
        'exactly "value" and "label"',
    ),
    (
        set_field(
            "tasks_done", choices=[{"value": "meal", "label": "Meal"}, {"value": "meal", "label": "Food"}]
        ),
        f"fields.{TASKS_DONE}.choices",
        "choice 2 repeats the value 'meal' of choice 1",
    ),
    (
        set_field("tasks_done", choices=[{"value": 1, "label": "Meal"}]),
        f"fields.{TASKS_DONE}.choices",
        "choice 1 needs a value",
    ),
    (
        set_field("tasks_done", choices=[{"value": "meal", "label": ""}]),
        f"fields.{TASKS_DONE}.choices",
        "choice 1 ('meal') needs a label",
    ),
    (
        set_field("tasks_done", choices=[{"value": f"v{i}", "label": "V"} for i in range(5001)]),
        f"fields.{TASKS_DONE}.choices",
        "at most 5000 choices",
    ),
    (
        set_field("rating", max=None),
        f"fields.{RATING}.max",
        "'How are they today?' (rating): max must be a whole number",
    ),
    (set_field("rating", min=1.5), f"fields.{RATING}.min", "min must be a whole number"),
    (set_field("rating", min=6), f"fields.{RATING}.max", "min (6) is more than max (5)"),
    (set_field("rating", min=5, labels=None), f"fields.{RATING}.max", "a scale needs from 2 to 101 points"),
    (set_field("rating", max=500, labels=None), f"fields.{RATING}.max", "from 2 to 101 points"),
    (
        set_field("rating", labels=["Low", "High"]),
        f"fields.{RATING}.labels",
        "needs one per point, 5 from 1 to 5",
    ),
    (set_field("rating", labels={"6": "Great"}), f"fields.{RATING}.labels", "'6' is not one"),
    (set_field("rating", labels={"01": "Low"}), f"fields.{RATING}.labels", "'01' is not one"),
    (set_field("rating", labels={"--1": "Low"}), f"fields.{RATING}.labels", "'--1' is not one"),
    (set_field("rating", labels={"²": "Low"}), f"fields.{RATING}.labels", "'²' is not one"),
    (set_field("rating", labels={"1": ""}), f"fields.{RATING}.labels", "each scale label must be text"),
    (set_field("rating", labels="Low to high"), f"fields.{RATING}.labels", "must be a list"),
    (
        set_field("notes", max_length=0),
        "fields.9.max_length",
        "'Notes' (notes): max_length must be a whole number",
    ),
    (set_field("notes", max_length=50_000), "fields.9.max_length", "from 1 to 20,000"),
    (
        set_field("concern_details", show_if={"field": "concern_urgency", "equals": "today"}),
        f"fields.{DETAILS}.show_if",
        "'What happened' (concern_details): show_if depends on 'concern_urgency', which comes later",
    ),
    (
        set_field("concern_details", show_if={"field": "worry", "equals": True}),
        f"fields.{DETAILS}.show_if",
        "'worry', which is not a question of this form",
    ),
    (
        set_field("concern_details", show_if={"field": "concern_details", "equals": "x"}),
        f"fields.{DETAILS}.show_if",
        "cannot depend on the question itself",
    ),
    (
        set_field("concern_details", show_if={"field": "concern", "equals": "yes"}),
        f"fields.{DETAILS}.show_if",
        "show_if compares with 'yes', which is never an answer to 'Anything to raise?' (concern)",
    ),
    (
        set_field("concern_details", show_if={"field": "concern", "equals": True, "in": [True]}),
        f"fields.{DETAILS}.show_if",
        "with nothing else",
    ),
    (
        set_field("concern_details", show_if={"field": "concern", "equal": True}),
        f"fields.{DETAILS}.show_if",
        "with nothing else",
    ),
    (
        set_field("concern_details", show_if={"field": "concern", "in": []}),
        f"fields.{DETAILS}.show_if",
        "must list 1 to 200 answers",
    ),
    (
        set_field("concern_details", show_if={"field": "concern", "in": True}),
        f"fields.{DETAILS}.show_if",
        "must list 1 to 200 answers",
    ),
    (
        set_field("concern_details", show_if={"field": "medicines", "in": ["given", "refused"]}),
        f"fields.{DETAILS}.show_if",
        "'refused' is not one of the choices",
    ),
    (
        set_field("concern_details", show_if={"field": "tasks_done", "equals": ["meal"]}),
        f"fields.{DETAILS}.show_if",
        "which is never an answer to 'What was done' (tasks_done)",
    ),
    (
        set_field(
            "concern_details", show_if={"field": "time_in", "equals": "09:00"}, type="note", required=None
        ),
        f"fields.{DETAILS}.show_if",
        None,
    ),
    (
        set_field("concern_details", show_if="concern"),
        f"fields.{DETAILS}.show_if",
        '{"field": name, "equals": answer}',
    ),
    (
        set_field("concern_details", type="note"),
        f"fields.{DETAILS}.required",
        "a note takes no answer, so it cannot be required",
    ),
]


@pytest.mark.parametrize("change, path, words", BROKEN)
def test_validate_definition_names_the_problem(change, path, words):
    errors = validate_definition(home_visit(change))
    if words is None:
        assert path not in errors
        return
    assert path in errors, errors
    assert any(words in message for message in errors[path]), errors[path]


def test_validate_definition_show_if_cannot_depend_on_a_photo():
    definition = {
        "id": "stall",
        "version": 1,
        "title": "Stall",
        "fields": [
            {"name": "photo", "type": "photo", "label": "Photo"},
            {
                "name": "why",
                "type": "text",
                "label": "Why no photo?",
                "show_if": {"field": "photo", "equals": "x"},
            },
        ],
    }
    assert validate_definition(definition) == {
        "fields.1.show_if": [
            "'Why no photo?' (why): show_if cannot depend on 'Photo' (photo), a photo question; "
            "choose a yes/no, choice, number, text, date or time question."
        ]
    }


def test_validate_definition_unknown_top_level_key_without_suggestion():
    errors = validate_definition({**load_template("home-visit"), "colour": "blue"})
    assert errors == {"_": ["The form: 'colour' is not part of a form definition."]}


@pytest.mark.parametrize("definition", [None, [], "home-visit", 3])
def test_validate_definition_not_an_object(definition):
    assert list(validate_definition(definition)) == ["_"]


def test_validate_definition_accepts_a_minimal_form_and_a_long_note():
    definition = {
        "id": "x",
        "version": 7,
        "title": "X",
        "fields": [
            {"name": "intro", "type": "note", "label": "Read me. " * 500, "required": False},
            {"name": "mood", "type": "choice", "label": "Mood", "choices": [{"value": "ok", "label": "OK"}]},
            {"name": "why", "type": "text", "label": "Why", "show_if": {"field": "mood", "in": ["ok"]}},
            {"name": "how_much", "type": "decimal", "label": "How much", "min": -1.5, "max": 2},
        ],
    }
    assert validate_definition(definition) == {}


def test_validate_definition_keeps_checking_after_a_broken_field():
    definition = home_visit(set_field("concern", type="yes_no"))
    errors = validate_definition(definition)
    # The rules on 'concern' cannot be checked against an unknown type, but nothing crashes
    # and only the real mistake is reported.
    assert list(errors) == [f"fields.{CONCERN}.type"]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
FIELD_KEYS = st.sampled_from(
    [
        "name",
        "type",
        "label",
        "required",
        "hint",
        "show_if",
        "choices",
        "min",
        "max",
        "labels",
        "max_length",
        "field",
        "equals",
        "in",
        "value",
    ]
)


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_validate_definition_random_json_never_raises(value):
    errors = validate_definition(value)
    assert errors and all(isinstance(message, str) for messages in errors.values() for message in messages)


@settings(max_examples=500, deadline=None)
@given(st.data())
def test_validate_definition_random_options_never_raise(data):
    definition = load_template(
        data.draw(st.sampled_from(sorted(KIND_TEMPLATES["market-survey"] + ("home-visit",))))
    )
    for _ in range(data.draw(st.integers(1, 3))):
        target = data.draw(st.sampled_from(definition["fields"]))
        target[data.draw(FIELD_KEYS)] = data.draw(JSON | st.sampled_from(FIELD_TYPES))
    errors = validate_definition(definition)
    assert all(isinstance(message, str) for messages in errors.values() for message in messages)


def edited(change):
    """Return (home-visit version 1, an edited version 2)."""
    old = load_template("home-visit")
    new = copy.deepcopy(old)
    new["version"] = 2
    change(new)
    return old, new


@pytest.mark.parametrize(
    "change, sentences",
    [
        (lambda d: None, []),
        (
            lambda d: d["fields"].append({"name": "urgency", "type": "text", "label": "Urgency"}),
            ["Added question 'Urgency'"],
        ),
        (lambda d: d["fields"].pop(), ["Removed question 'How urgent is it?'"]),
        (set_field("notes", label="Anything else?"), ["Reworded 'Notes' to 'Anything else?'"]),
        (set_field("time_out", required=True), ["Made 'Time out' required"]),
        (set_field("time_in", required=False), ["Made 'Time in' optional"]),
        (set_field("time_in", hint="As you arrive."), ["Added a hint to 'Time in'"]),
        (set_field("notes", hint=None), ["Removed the hint from 'Notes'"]),
        (
            set_field(
                "tasks_done", choices=load_template("home-visit")["fields"][TASKS_DONE]["choices"][:-1]
            ),
            ["Removed choice 'Other' from 'What was done'"],
        ),
        (
            lambda d: field(d, "tasks_done")["choices"].append({"value": "garden", "label": "Gardening"}),
            ["Added choice 'Gardening' to 'What was done'"],
        ),
        (
            lambda d: field(d, "tasks_done")["choices"][0].update(label="Washing and dressing"),
            ["Reworded choice 'Personal care' of 'What was done' to 'Washing and dressing'"],
        ),
        (lambda d: field(d, "tasks_done")["choices"].reverse(), ["Reordered the choices of 'What was done'"]),
        (
            set_field("rating", type="integer", labels=None, min=0, max=10),
            [
                "Changed 'How are they today?' from a scale to a whole number",
                "Changed the range of 'How are they today?' from 1–5 to 0–10",
                "Changed the scale labels of 'How are they today?'",
            ],
        ),
        (set_field("notes", max_length=500), ["Limited 'Notes' to 500 characters"]),
        (
            set_field("notes", show_if={"field": "concern", "equals": False}),
            ["'Notes' is now asked only when 'Anything to raise?' is no"],
        ),
        (set_field("concern_details", show_if=None), ["'What happened' is now always asked"]),
        (lambda d: d["fields"].insert(0, d["fields"].pop(1)), ["Reordered the questions"]),
        (set_form(title="Visit"), ["Renamed the form from 'Home visit' to 'Visit'"]),
    ],
)
def test_describe_changes(change, sentences):
    old, new = edited(change)
    assert describe_changes(old, new) == sentences


def test_schema_definitions_real_sizes_fit_a_thousand_questions_and_five_thousand_choices():
    """A real market survey has 222 questions and 1,040 districts (issue 14)."""
    districts = [{"value": f"d{i}", "label": f"District {i}"} for i in range(5000)]
    fields = [{"name": "district", "type": "choice", "label": "District", "choices": districts}]
    fields += [{"name": f"q{i}", "type": "integer", "label": f"Q{i}"} for i in range(999)]
    definition = {"id": "big", "version": 1, "title": "Big", "subject_kind": None, "fields": fields}
    assert validate_definition(definition) == {}
