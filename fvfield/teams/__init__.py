"""Every coordinator page of a team, under /teams/<slug>: members, people and places, forms, records.

One blueprint; each module below adds the pages of one area (the results,
dashboards and exports, are reports/routes.py). Every view starts with
access.team_for(slug, "coordinator"). /new-team is creation.py.
"""

from flask import Blueprint, current_app
from flask_babel import lazy_gettext

bp = Blueprint("teams", __name__, url_prefix="/teams/<slug>")

# The team's navigation: (endpoint, label), shown when the endpoint exists.
NAVIGATION = (
    ("teams.team", lazy_gettext("Members")),
    ("teams.subjects", lazy_gettext("People and places")),
    ("teams.forms", lazy_gettext("Forms")),
    ("teams.records", lazy_gettext("Records")),
    ("teams.concerns", lazy_gettext("Concerns")),
    ("teams.conflicts", lazy_gettext("Conflicts")),
    ("reports.dashboard", lazy_gettext("Dashboard")),
    ("reports.exports", lazy_gettext("Export")),
    ("teams.phones", lazy_gettext("Phones")),
    ("teams.audit", lazy_gettext("Audit log")),
)


@bp.app_context_processor
def team_navigation():
    """Offer templates the navigation entries that exist in this app."""
    from fvfield.teams.forms import KIND_WORDS, ROLE_WORDS

    return {
        "team_navigation": [
            (endpoint, label) for endpoint, label in NAVIGATION if endpoint in current_app.view_functions
        ],
        "kind_words_of": KIND_WORDS,
        "role_words": ROLE_WORDS,
    }


# The areas' pages, registered on bp by importing them (one line each).
from fvfield.teams import (  # noqa: E402, F401  (each registers its pages on bp)
    audit,
    concerns,
    conflicts,
    creation,
    erase,
    form_editor,
    form_files,
    form_translations,
    members,
    phone_history,
    pitches,
    questionnaires,
    records,
    subjects,
)
