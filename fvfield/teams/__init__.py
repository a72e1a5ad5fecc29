"""Every coordinator page of a team, under /teams/<slug>: members, people and places, forms, records.

One blueprint; each module below adds the pages of one area (the results,
dashboards and exports, are reports/routes.py). Every view starts with
access.team_for(slug, "coordinator"). /new-team is creation.py.
"""

from flask import Blueprint, current_app

bp = Blueprint("teams", __name__, url_prefix="/teams/<slug>")

# The team's navigation: (endpoint, label), shown when the endpoint exists.
NAVIGATION = (
    ("teams.team", "Members"),
    ("teams.subjects", "People and places"),
    ("teams.forms", "Forms"),
    ("teams.records", "Records"),
    ("teams.concerns", "Concerns"),
    ("teams.conflicts", "Conflicts"),
    ("reports.dashboard", "Dashboard"),
    ("reports.exports", "Export"),
    ("teams.phones", "Phones"),
    ("teams.audit", "Audit log"),
)


@bp.app_context_processor
def team_navigation():
    """Offer templates the navigation entries that exist in this app."""
    return {
        "team_navigation": [
            (endpoint, label) for endpoint, label in NAVIGATION if endpoint in current_app.view_functions
        ]
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
