"""The first coordinator from the browser: a one-time setup link printed by `fvfield serve`.

On an instance where nobody can log in yet, `serve` writes a secret token's
digest into the instance folder and prints the link that carries the token,
as a notebook server prints its login link. Opening it creates the first
coordinator and their first team; once anyone has an account, the link
answers that setup is done. The CLI way (create-user, create-team,
add-member) stays.
"""

import hmac
import os
import secrets
from pathlib import Path

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext

from fvfield import accounts
from fvfield.audit import record_event
from fvfield.auth import log_in
from fvfield.auth.forms import SetupForm
from fvfield.extensions import begin_write, db
from fvfield.models import User, token_digest

bp = Blueprint("setup", __name__)

TOKEN_FILE = "setup_token"


def token_path(instance_path):
    """Return where the setup token's digest is kept."""
    return Path(instance_path) / TOKEN_FILE


def new_setup_token(instance_path):
    """Make a new one-time setup token, keep its digest (mode 0600) and return the token."""
    token = secrets.token_urlsafe(24)
    path = token_path(instance_path)
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token_digest(token))
    return token


def token_matches(token):
    """Return whether `token` is the instance's current setup token."""
    try:
        kept = token_path(current_app.instance_path).read_text().strip()
    except OSError:
        return False
    return bool(kept) and hmac.compare_digest(kept, token_digest(token))


def anyone_exists():
    """Return whether any account exists (then setup is over)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(User)) > 0


@bp.route("/setup/<token>", methods=["GET", "POST"])
def first_coordinator(token):
    """Create the first coordinator and their first team, once."""
    if anyone_exists():
        return render_template("auth/setup_done.html"), 410
    if not token_matches(token):
        return render_template("auth/setup_unknown.html"), 404
    form = SetupForm()
    if form.validate_on_submit():
        begin_write()
        if anyone_exists():  # someone else used the link meanwhile
            db.session.rollback()
            return render_template("auth/setup_done.html"), 410
        try:
            user = accounts.create_user(form.email.data, form.person.data, form.password.data)
            team = accounts.create_team(form.slug.data, form.name.data, form.kind.data)
            db.session.flush()
            accounts.add_member(team, user, "coordinator", by=user)
        except accounts.DuplicateSlug as error:
            db.session.rollback()
            form.slug.errors.append(str(error))
        except accounts.AccountError as error:
            db.session.rollback()
            form.email.errors.append(str(error))
        else:
            record_event("first_coordinator_created", user=user, team=team, via="setup link")
            db.session.commit()
            token_path(current_app.instance_path).unlink(missing_ok=True)
            begin_write()
            log_in(user, remember=True)
            db.session.commit()
            flash(
                gettext(
                    "%(name)s is ready, with its forms. Add the people or places it works with, then invite "
                    "the team from Members.",
                    name=team.name,
                ),
                "info",
            )
            return redirect(url_for("auth.home"))
    status = 400 if form.errors else 200
    return render_template("auth/setup.html", form=form), status
