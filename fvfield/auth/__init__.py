"""Accounts: logging in and out, invites, passwords."""

import sqlalchemy as sa
from flask import g, redirect, request, url_for
from flask_login import login_user

from fvfield.accounts import sessions
from fvfield.accounts.access import MembershipEnded, removed_from
from fvfield.errors import json_error
from fvfield.extensions import begin_write, db, login_manager
from fvfield.models import User

# The first match names the browser and the system: Edge and Samsung's browser also say "Chrome".
BROWSERS = (
    ("Edg/", "Edge"),
    ("SamsungBrowser", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


# The phone's push and pull: a login ended by removal from the team is told so there (MembershipEnded).
SYNCING = {"api.push", "api.pull"}


def device_name():
    """Return words for the browser, for the list of sessions: "Chrome on Android", else what it says of itself."""
    agent = request.user_agent.string or ""
    browser = next((name for mark, name in BROWSERS if mark in agent), None)
    system = next((name for mark, name in SYSTEMS if mark in agent), None)
    if browser and system:
        return f"{browser} on {system}"
    return (agent or "an unnamed browser")[:120]


def log_in(user, remember):
    """Open a server-side session for `user` and log this browser in under it; the caller commits."""
    sessions.start(user, device=device_name(), ip=request.remote_addr)
    login_user(user, remember=remember)


def init_login(app):
    """Attach Flask-Login: users load by id and session secret, checked on every request."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log in to continue."
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(login_id):
        user_id, _, secret = login_id.partition(":")
        # Only a transaction this loader began may be committed by it.
        fresh = not db.session().in_transaction()
        user = db.session.get(User, user_id)
        if user is None or not secret:
            return None
        row = sessions.find(user.id, secret)
        if row is None and sessions.ended_by_removal(user.id, secret):
            g.removed_user = user
            return None
        if row is None:
            if not fresh:
                return None
            begin_write()
            row = sessions.adopt_legacy(user, secret, device=device_name(), ip=request.remote_addr)
            db.session.commit()
            if row is None:
                return None
        elif fresh and sessions.stale(row):
            row_id = row.id
            # A write as the first statement of its own transaction: no
            # writers' lock to wait for, and best effort (a full disk must
            # not stop a read).
            db.session.commit()
            try:
                sessions.touch(row_id, request.remote_addr)
                db.session.commit()
            except sa.exc.OperationalError:
                db.session.rollback()
            row = sessions.owned(user, row_id)
        user.session_secret, user.login_session = secret, row
        return user

    @login_manager.unauthorized_handler
    def unauthorized():
        removed = g.get("removed_user")
        slug = (request.view_args or {}).get("slug")
        if removed is not None and request.endpoint in SYNCING and slug and removed_from(slug, removed):
            raise MembershipEnded(removed_from(slug, removed))
        if request.path.startswith("/api/"):
            return json_error(
                401,
                "login_required",
                "Your session has ended. Log in again; nothing on this device was lost.",
            )
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
