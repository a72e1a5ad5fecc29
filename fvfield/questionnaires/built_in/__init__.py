"""The built-in questionnaires a new team starts with: a JSON file beside this one per form."""

import copy
import functools
import json
from pathlib import Path

TEMPLATE_FOLDER = Path(__file__).parent
TEMPLATE_IDS = frozenset(path.stem for path in TEMPLATE_FOLDER.glob("*.json"))

# The forms each kind of team gets when it is created, in the order they are listed.
KIND_TEMPLATES = {
    "care-circle": ("home-visit", "wellbeing-check", "change-story"),
    "market-survey": ("market-visit", "pitch-survey", "footfall-count", "change-story"),
    "evaluation": ("wellbeing-check", "change-story", "workshop-feedback"),
}


# What a built-in form changes for a kind of team: its subject kind, and the keys of some questions.
# An evaluation's forms are about its participants, who are not cared for (no care questions).
KIND_CHANGES = {
    "evaluation": {
        "wellbeing-check": {
            "subject_kind": "participant",
            "fields": {
                "answered_by": {
                    "hint": (
                        "Only the participant can say how they feel. Answers given on their behalf are kept, "
                        "but the wellbeing and loneliness figures leave them out, as the ONS does."
                    ),
                    "choices": [
                        {"value": "self", "label": "The participant themselves"},
                        {"value": "proxy", "label": "Someone else, on their behalf"},
                    ],
                },
            },
        },
    },
}


class UnknownTemplate(LookupError):
    """There is no built-in form, or no team kind, by that name."""


@functools.cache
def read_template(form_id):
    """Read a template file once; callers get copies."""
    return json.loads((TEMPLATE_FOLDER / f"{form_id}.json").read_text(encoding="utf-8"))


def load_template(form_id, team_kind=None):
    """Return a copy of the built-in form definition with this id, as a team of `team_kind` gets it."""
    if type(form_id) is not str or form_id not in TEMPLATE_IDS:
        known = ", ".join(sorted(TEMPLATE_IDS))
        raise UnknownTemplate(f"There is no built-in form {form_id!r}; there are {known}.")
    definition = copy.deepcopy(read_template(form_id))
    changes = KIND_CHANGES.get(team_kind, {}).get(form_id)
    if changes:
        definition["subject_kind"] = changes.get("subject_kind", definition.get("subject_kind"))
        for field in definition["fields"]:
            field.update(copy.deepcopy(changes.get("fields", {}).get(field["name"], {})))
    return definition


def templates_for_kind(team_kind):
    """Return copies of the built-in forms a new team of this kind starts with."""
    if type(team_kind) is not str or team_kind not in KIND_TEMPLATES:
        kinds = ", ".join(KIND_TEMPLATES)
        raise UnknownTemplate(f"There are no built-in forms for the team kind {team_kind!r}: {kinds}.")
    return [load_template(form_id, team_kind) for form_id in KIND_TEMPLATES[team_kind]]
