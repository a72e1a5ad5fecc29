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


class UnknownTemplate(LookupError):
    """There is no built-in form, or no team kind, by that name."""


@functools.cache
def read_template(form_id):
    """Read a template file once; callers get copies."""
    return json.loads((TEMPLATE_FOLDER / f"{form_id}.json").read_text(encoding="utf-8"))


def load_template(form_id):
    """Return a copy of the built-in form definition with this id."""
    if type(form_id) is not str or form_id not in TEMPLATE_IDS:
        known = ", ".join(sorted(TEMPLATE_IDS))
        raise UnknownTemplate(f"There is no built-in form {form_id!r}; there are {known}.")
    return copy.deepcopy(read_template(form_id))


def templates_for_kind(team_kind):
    """Return copies of the built-in forms a new team of this kind starts with."""
    if type(team_kind) is not str or team_kind not in KIND_TEMPLATES:
        kinds = ", ".join(KIND_TEMPLATES)
        raise UnknownTemplate(f"There are no built-in forms for the team kind {team_kind!r}: {kinds}.")
    return [load_template(form_id) for form_id in KIND_TEMPLATES[team_kind]]
