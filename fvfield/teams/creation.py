"""Creating a team: its kind's built-in forms are installed, and its creator coordinates it.

Who may: anyone who already coordinates a team (the first team of an
installation comes from `fvfield create-team` or `fvfield seed-demo`). A
team holds care notes, so a new one starts from someone the lab already
trusts with a team's data; carers and volunteers who joined by invite
record and read, and never see an offer to create one.
"""

import secrets

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from fvfield import accounts
from fvfield.extensions import begin_write, db
from fvfield.models import Membership
from fvfield.questionnaires import templates_for_kind
from fvfield.teams import bp as teams_bp
from fvfield.teams.forms import KIND_WORDS, NewTeamForm

# Outside /teams/<slug>/, so it has a blueprint of its own, registered with the team pages.
bp = Blueprint("team_create", __name__)


@teams_bp.record_once
def register(state):
    """Register the team creation page with the app that registers the team pages."""
    state.app.register_blueprint(bp)


def may_create_team(user):
    """Return whether the user may create a team: they coordinate one already."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Membership)
            .where(Membership.user_id == user.id, Membership.role == "coordinator")
        )
        > 0
    )


@bp.app_context_processor
def team_creation():
    """Offer templates whether the current user may create a team."""
    return {"may_create_team": lambda: current_user.is_authenticated and may_create_team(current_user)}


def kinds():
    """Return [(kind, words, titles of its built-in forms)] for the kind choices."""
    return [
        (kind, words, [definition["title"] for definition in templates_for_kind(kind)])
        for kind, words in KIND_WORDS.items()
    ]


def create_somewhere(slug, name, kind):
    """Create the team at `slug`, or, when that is taken, at `slug` with a random ending.

    Saying "that address is taken" would tell any coordinator which teams
    exist (a care circle's address may carry a person's name); the page says
    the same in both cases: the address the team got.
    """
    for ending in ("", *(f"-{secrets.token_hex(2)}" for _ in range(5))):
        try:
            # A taken address is refused before anything is written: nothing to undo.
            return accounts.create_team(slug[: 64 - len(ending)] + ending, name, kind)
        except accounts.DuplicateSlug:
            continue
    raise accounts.AccountError("No address could be found for the team: try another one.")


@bp.route("/new-team", methods=["GET", "POST"])
@login_required
def new_team():
    """Create a team of a kind, with the current user as its coordinator."""
    if not may_create_team(current_user):
        abort(403, "Creating a team is for coordinators. Ask the lab, or the coordinator of your team.")
    form = NewTeamForm()
    if form.validate_on_submit():
        begin_write()
        try:
            team = create_somewhere(form.slug.data, form.name.data, form.kind.data)
        except accounts.AccountError as error:
            db.session.rollback()
            form.name.errors = [str(error)]
        else:
            accounts.add_member(team, current_user, "coordinator", by=current_user)
            db.session.commit()
            flash(
                gettext(
                    "%(name)s is ready at the address %(slug)s, with its forms. Add the people or places it "
                    "works with, then invite the team from Members.",
                    name=team.name,
                    slug=team.slug,
                ),
                "info",
            )
            return redirect(url_for("teams.subjects", slug=team.slug))
    return render_template("teams/new_team.html", form=form, kinds=kinds()), 400 if form.errors else 200
