"""Password reset links: signed, expiring like invites, and used once.

A link carries the user's id and their login token, signed with the app's
secret. Setting a new password changes the login token (models.User), so the
same link then reads as used, and every other login of the user ends: their
other devices have to log in again. Nothing is stored but the audit events.
"""

from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from fvfield.accounts import sessions
from fvfield.accounts.errors import UnknownUser
from fvfield.accounts.users import check_password, find_user
from fvfield.audit import record_event
from fvfield.extensions import db
from fvfield.models import User

SALT = "fvfield-password-reset"


def serializer():
    """Return the signer of reset links."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def lifetime():
    """Return how long a reset link lasts: INVITE_DAYS, as an invite link does."""
    return timedelta(days=current_app.config["INVITE_DAYS"])


def issue_reset(email, by=None, team=None, via="web"):
    """Return (user, token) of a new reset link for the user with this email; raise UnknownUser."""
    user = find_user(email)
    if user is None:
        raise UnknownUser(f"There is no user with the email {email.strip()}.")
    token = serializer().dumps({"u": user.id, "t": user.login_token})
    record_event("password_reset_issued", user=by or user, team=team, email=user.email, via=via)
    return user, token


def reset_state(token):
    """Return (user, "open") for a link that can be used, else (None, "expired" | "used" | "unknown")."""
    try:
        claims = serializer().loads(token, max_age=int(lifetime().total_seconds()))
    except SignatureExpired:
        return None, "expired"
    except BadSignature:
        return None, "unknown"
    user = db.session.get(User, claims.get("u")) if isinstance(claims, dict) else None
    if user is None:
        return None, "unknown"
    # A new password (by this link or any other way) changed the login token.
    return (user, "open") if user.login_token == claims.get("t") else (None, "used")


def use_reset(user, password):
    """Give the user a new password through a reset link, ending all their other logins."""
    check_password(password)
    user.set_password(password)
    record_event("password_reset", user=user, email=user.email)
    sessions.end_all(user, why="password_reset")
    return user
