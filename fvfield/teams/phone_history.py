"""What a team's phones keep: the coordinator sets how much of each subject's history stays on them.

A phone keeps the team's subjects and forms, everything not yet sent, and for
each subject the last `phone_visits` records plus every record of the last
`phone_days` days; older records stay on the server and load on demand
(docs/field-app.md, "What the phone keeps"). The session gives each team's
setting to its phones; a phone that sees it change pulls again from scratch.
"""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from fvfield.accounts.access import team_for
from fvfield.audit import record_event
from fvfield.extensions import begin_write, db
from fvfield.teams import bp

MAX_VISITS = 100
MAX_DAYS = 3650


def phone_history(team):
    """Return what the team's phones keep, as the session gives it: {"visits", "days"}."""
    return {"visits": team.phone_visits, "days": team.phone_days}


class PhoneHistoryForm(FlaskForm):
    """How much of each subject's history the phones keep."""

    visits = IntegerField(
        lazy_gettext("Last visits kept for each person or place"),
        validators=[
            InputRequired(lazy_gettext("Say how many visits a phone keeps.")),
            NumberRange(1, MAX_VISITS, f"Choose a whole number from 1 to {MAX_VISITS}."),
        ],
    )
    days = IntegerField(
        lazy_gettext("And every record of the last … days"),
        validators=[
            InputRequired(lazy_gettext("Say how many days a phone keeps.")),
            NumberRange(1, MAX_DAYS, f"Choose a whole number of days from 1 to {MAX_DAYS}."),
        ],
    )


@bp.route("/phones", methods=["GET", "POST"])
@login_required
def phones(slug):
    """Show and change what the team's phones keep (coordinators only)."""
    team, _ = team_for(slug, "coordinator")
    form = PhoneHistoryForm(data=phone_history(team))
    if form.validate_on_submit():
        begin_write(team.id)
        old = phone_history(team)
        team.phone_visits, team.phone_days = form.visits.data, form.days.data
        new = phone_history(team)
        if new != old:
            record_event(
                "phone_history_changed",
                user=current_user,
                team=team,
                old=f"{old['visits']} visits, {old['days']} days",
                new=f"{new['visits']} visits, {new['days']} days",
            )
        db.session.commit()
        flash(gettext("Saved. Phones keep this from their next sync."), "info")
        return redirect(url_for("teams.phones", slug=team.slug))
    return render_template("teams/phones.html", team=team, form=form), 400 if form.errors else 200
