"""Pages to log in and out, accept an invite, change a password; the home page."""

from functools import cache
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext, lazy_gettext, ngettext
from flask_login import current_user, login_required, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from fvfield import accounts
from fvfield.accounts import sessions, throttle
from fvfield.accounts.access import teams_of
from fvfield.audit import record_event
from fvfield.auth import known_device, log_in
from fvfield.auth.forms import AcceptInviteForm, ChangePasswordForm, JoinTeamForm, LoginForm
from fvfield.extensions import begin_write, db
from fvfield.models import Invite, password_hash_method, token_digest

bp = Blueprint("auth", __name__)

# One message whatever went wrong, so no page says whether an email exists.
BAD_LOGIN = lazy_gettext("That email and password do not match. Check them and try again.")

INVITE_CLOSED_STATUS = {"unknown": 404, "used": 410, "expired": 410, "revoked": 410}


def role_word(role):
    """Return a team role in the page's language (member, coordinator)."""
    return {"member": gettext("member"), "coordinator": gettext("coordinator")}.get(role, role)


def safe_next(target):
    """Return `target` when it is a path on this site, else the home page."""
    target = target or ""
    parts = urlsplit(target)
    # Browsers read "/\evil.example" and "/<tab>/evil.example" as "//evil.example".
    local = (
        target.startswith("/")
        and not target.startswith("//")
        and not parts.scheme
        and not parts.netloc
        and "\\" not in target
        and target.isprintable()
    )
    return target if local else landing_page()


def landing_page():
    """Return where a user starts: the field app, or the home page for coordinators.

    Someone in no team yet also starts at home, which says what to do.
    """
    roles = {m.role for m in teams_of()}
    if not roles or "coordinator" in roles:
        return url_for("auth.home")
    return url_for("field.shell")


def unknown_user_hash():
    """Return a password hash to check when the email is unknown, so both take as long."""
    return dummy_hash(password_hash_method())


@cache
def dummy_hash(method):
    """Return a hash, made once per method, that no password matches."""
    return generate_password_hash("no account has this password", method=method)


def wait_words(seconds):
    """Return a wait in words: "40 seconds", "12 minutes"."""
    if seconds < 120:
        return ngettext("%(num)s second", "%(num)s seconds", seconds)
    return ngettext("%(num)s minute", "%(num)s minutes", -(-seconds // 60))


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
        email = accounts.normalise_email(form.email.data)
        user = accounts.find_user(email)
        own = known_device.own_failures(user)
        wait = throttle.wait_for(email, request.remote_addr, known_device=own is not None)
        if wait.seconds:
            begin_write()
            record_event("login_refused", email=email, seconds=wait.seconds, because=wait.because)
            db.session.commit()
            flash(
                gettext(
                    "Too many failed attempts: wait %(wait)s, then try again.", wait=wait_words(wait.seconds)
                ),
                "error",
            )
            page = render_template("auth/login.html", form=form)
            return page, 429, {"Retry-After": str(wait.seconds)}
        if user is None:
            check_password_hash(unknown_user_hash(), form.password.data)
        # Write locks are taken only after the slow password check, so that
        # many people logging in at once do not queue behind each other's hashing.
        if user is None or not user.check_password(form.password.data):
            begin_write()
            record_event("login_failed", user=user, email=email, known_device=own is not None)
            db.session.commit()
            if own is not None:
                known_device.remember(user, own + 1)
            flash(str(BAD_LOGIN), "error")
            return render_template("auth/login.html", form=form)
        begin_write()
        log_in(user, remember=form.remember.data)
        record_event("login", user=user, email=email)
        db.session.commit()
        known_device.remember(user)
        return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    """Log out of this browser."""
    if current_user.is_authenticated:
        begin_write()
        record_event("logout", user=current_user, email=current_user.email)
        # A copy of the cookies taken before now must not log anyone in again.
        if current_user.login_session is not None:
            sessions.end(current_user.login_session, "logged_out", by=current_user)
        db.session.commit()
    return logged_out()


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the user's password; other devices have to log in again."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        begin_write()
        try:
            accounts.change_password(current_user, form.current.data, form.password.data)
            sessions.end_all(current_user, except_current=current_user.login_session, why="password_changed")
        except accounts.WrongPassword as error:
            form.current.errors.append(str(error))
        except accounts.AccountError as error:
            form.password.errors.append(str(error))
        else:
            db.session.commit()
            flash(
                gettext("Your password is changed. Your other devices will ask you to log in again."), "info"
            )
            return redirect(url_for("auth.home"))
    return render_template("auth/password.html", form=form, everywhere=JoinTeamForm())


@bp.get("/sessions")
@login_required
def list_sessions():
    """List where the user is logged in (device, last seen), each with a button to end it."""
    rows = sessions.open_sessions(current_user)
    here = current_user.login_session.id if current_user.login_session else None
    return render_template("auth/sessions.html", rows=rows, here=here, form=JoinTeamForm())


@bp.post("/sessions/<int:session_id>/end")
@login_required
def end_session(session_id):
    """End one of the user's own logins; ending this one logs this browser out."""
    if not JoinTeamForm().validate_on_submit():
        abort(400)
    begin_write()
    row = sessions.owned(current_user, session_id)
    if row is None:
        abort(404)
    here = current_user.login_session is not None and row.id == current_user.login_session.id
    sessions.end(row, "ended_by_owner", by=current_user)
    db.session.commit()
    if here:
        return logged_out()
    flash(gettext("That device is logged out. It will ask for the password at its next sync."), "info")
    return redirect(url_for("auth.list_sessions"))


@bp.post("/sessions/end-all")
@login_required
def end_all_sessions():
    """Log out everywhere: end every login of the user, this one included."""
    if not JoinTeamForm().validate_on_submit():
        abort(400)
    begin_write()
    sessions.end_all(current_user, why="ended_everywhere")
    db.session.commit()
    return logged_out(lazy_gettext("You are logged out on every device."))


def logged_out(message=None):
    """Forget this browser's login and say so on the login page."""
    # A shared phone: nothing of this user's session (messages included) is left for the next.
    session.clear()
    logout_user()
    flash(str(message or gettext("You are logged out.")), "info")
    return redirect(url_for("auth.login"))


def find_invite(token):
    """Return the invite whose link carries `token`, or None."""
    return db.session.scalar(sa.select(Invite).where(Invite.token_hash == token_digest(token)))


def invite_closed(state):
    """Answer the page that says why an invite link cannot be used, and what to do."""
    return render_template("auth/invite_closed.html", state=state), INVITE_CLOSED_STATUS[state]


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invite(token):
    """Join a team through an invite link, creating an account if needed."""
    invite = find_invite(token)
    if invite is None or invite.state != "open":
        return invite_closed(invite.state if invite else "unknown")
    if current_user.is_authenticated:
        return join_as_current_user(invite)
    form = AcceptInviteForm()
    if form.validate_on_submit():
        begin_write()
        try:
            user = accounts.create_user(form.email.data, form.name.data, form.password.data)
            accounts.use_invite(invite, user)
        except accounts.DuplicateEmail:
            db.session.rollback()
            # Saying "this email is taken" would reveal who has an account.
            flash(
                gettext(
                    "If you already have an fvfield account, log in first, then open "
                    "this link again. Otherwise use another email address."
                ),
                "error",
            )
        except accounts.InviteClosed:
            db.session.rollback()
            return invite_closed(find_invite(token).state)
        except accounts.AccountError as error:
            db.session.rollback()
            form.email.errors.append(str(error))
        else:
            log_in(user, remember=True)
            db.session.commit()
            landing = landing_page()
            if landing == url_for("auth.home"):
                flash(gettext("Welcome to %(team)s.", team=invite.team.name), "info")
            return redirect(landing)
    return render_template("auth/invite.html", form=form, invite=invite)


def join_as_current_user(invite):
    """Show the join button to a logged-in user, and join on POST."""
    form = JoinTeamForm()
    if form.validate_on_submit():
        begin_write()
        try:
            accounts.use_invite(invite, current_user)
        except accounts.AlreadyMember:
            db.session.rollback()
            flash(
                gettext("You are already in %(team)s; the link is still unused.", team=invite.team.name),
                "info",
            )
            return redirect(url_for("auth.home"))
        except accounts.InviteClosed:
            db.session.rollback()
            return invite_closed(invite.state)
        db.session.commit()
        flash(
            gettext("You joined %(team)s as a %(role)s.", team=invite.team.name, role=role_word(invite.role)),
            "info",
        )
        return redirect(url_for("auth.home"))
    return render_template("auth/invite_join.html", invite=invite, form=form)
