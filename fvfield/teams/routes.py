"""A coordinator's team page."""
from flask import Blueprint, render_template
from flask_login import login_required

from ..access import team_for

bp = Blueprint("teams", __name__, url_prefix="/teams")


@bp.get("/<slug>")
@login_required
def team(slug):
    """Show the team's members and invites."""
    team, _ = team_for(slug, "coordinator")
    return render_template("teams/team.html", team=team)
