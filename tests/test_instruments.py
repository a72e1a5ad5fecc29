"""The built-in instruments as published (issue 14): ONS4 with who answered, the UCLA scale with the
ONS's direct question, and the most significant change story with its period, consent and date.
"""

from fvfield.questionnaires import load_template
from fvfield.questionnaires.answers import validate_answers
from fvfield.reports import numbers, tallies

OWN = {"answered_by": "self", "life_satisfaction": 8, "worthwhile": 7, "happy_yesterday": 6}
OWN |= {"anxious_yesterday": 2, "lack_companionship": 1, "left_out": 2, "isolated": 3}


def names(form_id):
    return [field["name"] for field in load_template(form_id)["fields"]]


def test_the_wellbeing_check_asks_who_answered_first_and_the_direct_loneliness_question():
    fields = {f["name"]: f for f in load_template("wellbeing-check")["fields"]}
    assert names("wellbeing-check")[0] == "answered_by"
    assert fields["answered_by"]["required"] is True
    assert [c["value"] for c in fields["answered_by"]["choices"]] == ["self", "proxy"]
    assert fields["lonely_direct"]["label"] == "How often do you feel lonely?"
    assert [c["label"] for c in fields["lonely_direct"]["choices"]] == [
        "Often or always",
        "Some of the time",
        "Occasionally",
        "Hardly ever",
        "Never",
    ]
    assert "how often you feel that way" in fields["loneliness_intro"]["label"]


def test_a_check_without_who_answered_is_refused():
    definition = load_template("wellbeing-check")
    errors = validate_answers(definition, {k: v for k, v in OWN.items() if k != "answered_by"})
    assert "answered_by" in errors
    assert validate_answers(definition, OWN) == {}


def test_answers_given_on_the_person_s_behalf_count_in_no_figure():
    proxy = {**OWN, "answered_by": "proxy"}
    assert numbers.ons_answers(OWN) == [8, 7, 6, 2]
    assert numbers.ons_answers(proxy) == [None, None, None, None]
    assert numbers.loneliness_total(OWN) == 6
    assert numbers.loneliness_total(proxy) is None
    assert tallies.wellbeing_tally(None, proxy) == {}
    # Checks made before the question existed are the person's own.
    assert numbers.ons_answers({k: v for k, v in OWN.items() if k != "answered_by"}) == [8, 7, 6, 2]


def test_the_change_story_has_its_period_consent_and_date():
    definition = load_template("change-story")
    fields = {f["name"]: f for f in definition["fields"]}
    assert names("change-story")[:2] == ["reference_period", "storyteller_consent"]
    assert "${reference_period}" in fields["what_changed"]["label"]
    assert fields["storyteller"]["relevant"] == "${storyteller_consent} = 'named'"
    story = {
        "reference_period": "last_3_months",
        "storyteller_consent": "anonymous",
        "title": "Out again",
        "what_changed": "I go to the market on Saturdays.",
        "why_it_matters": "I see people.",
    }
    assert validate_answers(definition, story) == {}
    assert "change_date" in validate_answers(definition, {**story, "change_date": "2999-01-01"})
    assert "storyteller" in validate_answers(definition, {**story, "storyteller": "Ada"})
    assert validate_answers(definition, {**story, "storyteller_consent": "named", "storyteller": "Ada"}) == {}
