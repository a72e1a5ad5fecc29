"""Coordinators' pages for a team's data: subjects, forms, records, dashboards, exports.

One blueprint under /teams/<slug>/; each module below adds the pages of one
area. Every view starts with access.team_for(slug, "coordinator").
"""
from flask import Blueprint, current_app

bp = Blueprint("admin", __name__, url_prefix="/teams/<slug>")

# The team's navigation: (endpoint, label), shown when the endpoint exists.
NAVIGATION = (
    ("teams.team", "Members"),
    ("admin.subjects", "People and places"),
    ("admin.forms", "Forms"),
    ("admin.records", "Records"),
    ("admin.concerns", "Concerns"),
    ("admin.conflicts", "Conflicts"),
    ("admin.dashboard", "Dashboard"),
    ("admin.exports", "Export"),
    ("admin.audit", "Audit log"),
)


@bp.app_context_processor
def team_navigation():
    """Offer templates the navigation entries that exist in this app."""
    return {
        "team_navigation": [
            (endpoint, label)
            for endpoint, label in NAVIGATION
            if endpoint in current_app.view_functions
        ]
    }


# The areas' pages, registered on bp by importing them (one line each).
from fvfield.admin import exports  # noqa: E402,F401
from fvfield.admin import audit  # noqa: E402,F401
from fvfield.admin import team_create  # noqa: E402,F401
from fvfield.admin import subjects  # noqa: E402,F401
from fvfield.admin import pitches  # noqa: E402,F401
from fvfield.admin import records  # noqa: E402,F401
from fvfield.admin import conflicts  # noqa: E402,F401
from fvfield.admin import concerns  # noqa: E402,F401
from fvfield.admin import questionnaires  # noqa: E402,F401
from fvfield.admin import form_editor  # noqa: E402,F401
from fvfield.admin import dashboard  # noqa: E402,F401
