"""Pages to log in and out, accept an invite, change a password; the home page."""
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..access import membership_for, teams_of
from ..accounts import find_user, normalise_email
from ..audit import record_event
from ..extensions import db
from ..models import Invite, Membership, User, token_digest, utcnow
from .forms import AcceptInviteForm, ChangePasswordForm, JoinTeamForm, LoginForm
from .throttle import minutes_locked

bp = Blueprint("auth", __name__)

# One message whatever went wrong, so no page says whether an email exists.
BAD_LOGIN = "That email and password do not match. Check them and try again."


def safe_next(target):
    """Return `target` when it is a path on this site, else the home page."""
    parts = urlsplit(target or "")
    if target and not parts.scheme and not parts.netloc and target.startswith("/"):
        return target
    return url_for("auth.home")


@bp.get("/")
@login_required
def home():
    """List the teams the user belongs to."""
    return render_template("auth/home.html", memberships=teams_of())


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log a user in, refusing for a while after repeated failures."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        email = normalise_email(form.email.data)
        locked = minutes_locked(email, request.remote_addr)
        if locked:
            flash(
                f"Too many failed attempts. Logging in is paused for {locked} minute"
                f"{'s' if locked != 1 else ''}; try again then, or ask your coordinator.",
                "error",
            )
            return render_template("auth/login.html", form=form), 429
        user = find_user(email)
        if user is None or not user.check_password(form.password.data):
            record_event("login_failed", user=user, email=email)
            db.session.commit()
            flash(BAD_LOGIN, "error")
            return render_template("auth/login.html", form=form), 200
        login_user(user, remember=form.remember.data)
        record_event("login", user=user, email=email)
        db.session.commit()
        return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    """Log out of this browser."""
    if current_user.is_authenticated:
        record_event("logout", user=current_user, email=current_user.email)
        db.session.commit()
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the user's password; other devices have to log in again."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append("That is not your current password.")
        else:
            current_user.set_password(form.password.data)
            record_event("password_changed", user=current_user, email=current_user.email)
            db.session.commit()
            login_user(current_user, remember=True)
            flash("Your password is changed.", "info")
            return redirect(url_for("auth.home"))
    return render_template("auth/password.html", form=form)


def find_invite(token):
    """Return the invite whose link carries `token`, or None."""
    return db.session.scalar(sa.select(Invite).where(Invite.token_hash == token_digest(token)))


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invite(token):
    """Join a team through an invite link, creating an account if needed."""
    invite = find_invite(token)
    if invite is None or invite.state != "open":
        state = invite.state if invite else "unknown"
        return render_template("auth/invite_closed.html", state=state), 410
    if current_user.is_authenticated:
        return join_as_current_user(invite)
    form = AcceptInviteForm()
    if form.validate_on_submit():
        email = normalise_email(form.email.data)
        if find_user(email) is not None:
            # Saying "this email is taken" would reveal who has an account.
            flash(
                "If you already have an fvfield account, log in first, then open "
                "this link again. Otherwise use another email address.",
                "error",
            )
            return render_template("auth/invite.html", form=form, invite=invite)
        user = User(email=email, name=form.name.data.strip())
        user.set_password(form.password.data)
        db.session.add(user)
        use_invite(invite, user)
        db.session.commit()
        login_user(user, remember=True)
        flash(f"Welcome to {invite.team.name}.", "info")
        return redirect(url_for("auth.home"))
    return render_template("auth/invite.html", form=form, invite=invite)


def join_as_current_user(invite):
    """Show the join button to a logged-in user, and join on POST."""
    form = JoinTeamForm()
    if form.validate_on_submit():
        if membership_for(invite.team.slug):
            flash(f"You are already in {invite.team.name}; the link is still unused.", "info")
            return redirect(url_for("auth.home"))
        use_invite(invite, current_user)
        db.session.commit()
        flash(f"You joined {invite.team.name}.", "info")
        return redirect(url_for("auth.home"))
    return render_template("auth/invite_join.html", invite=invite, form=form)


def use_invite(invite, user):
    """Make `user` a member with the invite's role and close the invite."""
    invite.used_at = utcnow()
    invite.used_by = user.id
    db.session.add(Membership(team_id=invite.team_id, user=user, role=invite.role))
    record_event("invite_used", user=user, team=invite.team, email=user.email, role=invite.role)
