"""A form in several languages: the definition's shape, its checks, and the texts in a language."""

import copy

import pytest

from fvfield.questionnaires.answers import validate_answers
from fvfield.questionnaires.definitions import validate_definition
from fvfield.questionnaires.translations import best_language, languages_of, translated

FORM = {
    "id": "pitch-words",
    "version": 1,
    "title": "Pitch survey",
    "default_language": "en",
    "translations": {"bn": {"title": "পিচ জরিপ"}},
    "fields": [
        {
            "name": "consent",
            "type": "boolean",
            "label": "May we ask you a few questions?",
            "hint": "You can stop at any time.",
            "required": True,
            "required_message": "Ask first.",
            "translations": {
                "bn": {
                    "label": "আমরা কি আপনাকে কয়েকটি প্রশ্ন করতে পারি?",
                    "hint": "আপনি যেকোনো সময় থামতে পারেন।",
                    "required_message": "আগে জিজ্ঞেস করুন।",
                },
                "ur": {"label": "کیا ہم آپ سے چند سوال پوچھ سکتے ہیں؟"},
            },
        },
        {
            "name": "concern",
            "type": "choice",
            "label": "Your main concern",
            "choices": [{"value": "rent", "label": "Rent"}, {"value": "footfall", "label": "Fewer shoppers"}],
            "translations": {"bn": {"label": "আপনার প্রধান চিন্তা", "choices": {"rent": "ভাড়া"}}},
        },
        {
            "name": "mood",
            "type": "scale",
            "label": "How is trade, ${concern}?",
            "min": 1,
            "max": 3,
            "labels": ["Bad", "So-so", "Good"],
            "translations": {"bn": {"label": "ব্যবসা কেমন, ${concern}?", "labels": ["খারাপ", "মোটামুটি", "ভালো"]}},
        },
    ],
}


def form(change=None):
    definition = copy.deepcopy(FORM)
    if change:
        change(definition)
    return definition


def test_a_form_in_three_languages_is_a_form_and_plain_labels_stay_valid():
    assert validate_definition(form()) == {}
    plain = form(
        lambda d: (
            [d.pop("translations"), d.pop("default_language")] + [f.pop("translations") for f in d["fields"]]
        )
    )
    assert validate_definition(plain) == {}


def test_records_keep_values_whatever_the_language():
    answers = {"consent": True, "concern": "rent", "mood": 2}
    assert validate_answers(form(), answers) == {}
    assert validate_answers(translated(form(), "bn"), answers) == {}


@pytest.mark.parametrize(
    "change, path, words",
    [
        (lambda d: d.update(default_language="English"), "default_language", "language code"),
        (lambda d: d["translations"].update(en={"title": "x"}), "translations", "default language"),
        (lambda d: d["translations"]["bn"].update(label="x"), "translations", "only a title"),
        (
            lambda d: d["fields"][0]["translations"].update(Bengali={"label": "x"}),
            "fields.0.translations",
            "code",
        ),
        (lambda d: d["fields"][0]["translations"]["bn"].update(labl="x"), "fields.0.translations", "'labl'"),
        (
            lambda d: d["fields"][0]["translations"]["bn"].update(label=" "),
            "fields.0.translations",
            "label must",
        ),
        (
            lambda d: d["fields"][0]["translations"]["bn"].update(constraint_message="x"),
            "fields.0.translations",
            "has none in its default language",
        ),
        (
            lambda d: d["fields"][1]["translations"]["bn"]["choices"].update(tax="কর"),
            "fields.1.translations",
            "'tax' is not a value",
        ),
        (
            lambda d: d["fields"][2]["translations"]["bn"].update(labels=["a"]),
            "fields.2.translations",
            "one per point",
        ),
        (
            lambda d: d["fields"][2]["translations"]["bn"].update(label="${nobody}?"),
            "fields.2.translations",
            "'nobody'",
        ),
    ],
)
def test_a_translation_that_cannot_be_shown_is_refused_with_the_reason(change, path, words):
    errors = validate_definition(form(change))
    assert path in errors, errors
    assert any(words in message for message in errors[path]), errors[path]


def test_the_texts_in_a_language_fall_back_to_the_default():
    bengali = translated(form(), "bn")
    assert bengali["title"] == "পিচ জরিপ"
    consent, concern, mood = bengali["fields"]
    assert consent["label"].startswith("আমরা") and consent["required_message"] == "আগে জিজ্ঞেস করুন।"
    assert [c["label"] for c in concern["choices"]] == ["ভাড়া", "Fewer shoppers"]
    assert [c["value"] for c in concern["choices"]] == ["rent", "footfall"]
    assert mood["labels"] == ["খারাপ", "মোটামুটি", "ভালো"]
    urdu = translated(form(), "ur")
    assert urdu["title"] == "Pitch survey" and urdu["fields"][0]["hint"] == "You can stop at any time."
    assert translated(form(), "en") is not None and translated(form(), "en")["fields"][0]["label"].startswith(
        "May"
    )


def test_which_language_a_person_sees():
    assert languages_of(form()) == ["en", "bn", "ur"]
    assert best_language(form(), "bn") == "bn"
    assert best_language(form(), "bn-BD") == "bn"
    assert best_language(form(), "en_GB") is None
    assert best_language(form(), "fr") is None


def test_the_pitch_survey_asks_traders_in_bengali_and_urdu():
    from fvfield.questionnaires.built_in import load_template

    definition = load_template("pitch-survey")
    assert validate_definition(definition) == {}
    assert definition["default_language"] == "en"
    for code, script in (("bn", "\u0980"), ("ur", "\u0600")):
        shown = {f["name"]: f for f in translated(definition, code)["fields"]}
        for name in ("consent", "trader_concerns", "languages"):
            assert shown[name]["label"][0] >= script, (code, name)
        assert all(c["label"][0] >= script for c in shown["languages"]["choices"]), code
        assert shown["consent"]["hint"][0] >= script
        assert [c["value"] for c in shown["languages"]["choices"]][:3] == ["english", "turkish", "bengali"]


def test_what_a_new_version_changes_names_its_languages_filters_and_other_boxes():
    from test_choice_lists import FORM as PLACES

    from fvfield.questionnaires import describe_changes

    plain = form(
        lambda d: (
            [d.pop("translations"), d.pop("default_language")] + [f.pop("translations") for f in d["fields"]]
        )
    )
    assert describe_changes(plain, form()) == [
        "Made the form's own language 'en'",
        "Added translations into bn, ur",
    ]
    reworded = form(lambda d: d["fields"][1]["translations"]["bn"].update(label="চিন্তা"))
    assert describe_changes(form(), reworded) == ["Changed the translations of concern"]
    changed = copy.deepcopy(PLACES)
    changed["fields"][1]["choice_filter"] = "county != ${county}"
    changed["fields"][2].pop("or_other")
    assert describe_changes(PLACES, changed) == [
        "Changed which choices 'Area' offers (choice filter: 'county != ${county}')",
        "Removed the 'Other, please say' box of 'What is sold'",
    ]
