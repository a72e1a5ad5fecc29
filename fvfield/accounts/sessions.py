"""Logins kept on the server, so that logging out, a new password or the owner can end them.

A login's secret travels in the signed session and remember cookies (as
Flask-Login's user id, "<user id>:<secret>"); only its digest is stored. A
login stays valid for REMEMBER_COOKIE_DURATION after it was last seen, so a
phone offline for weeks still syncs when it comes back; an ended one never does.
"""

import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from fvfield.audit import record_event
from fvfield.extensions import db
from fvfield.models import UserSession, token_digest, utcnow

# Writing "last seen" on every request would make every page a write: once in a while is enough.
SEEN_EVERY = timedelta(minutes=5)


def lifetime():
    """Return how long a login lasts without being seen."""
    return current_app.config["REMEMBER_COOKIE_DURATION"]


def start(user, device="", ip=None):
    """Open a login for `user` and return its secret, to be put in the cookies."""
    secret = secrets.token_urlsafe(32)
    if user.id is None:
        db.session.flush()
    row = UserSession(user_id=user.id, secret_hash=token_digest(secret), device=device[:120], ip=ip)
    db.session.add(row)
    db.session.flush()
    user.session_secret, user.login_session = secret, row
    return secret


def find(user_id, secret):
    """Return the open login of `user_id` with this secret, or None (ended, expired, unknown)."""
    row = db.session.scalar(sa.select(UserSession).where(UserSession.secret_hash == token_digest(secret)))
    if row is None or row.user_id != user_id or row.ended_at is not None:
        return None
    if row.last_seen_at + lifetime() < utcnow():
        return None
    return row


def ended_by_removal(user_id, secret):
    """Return whether the login of `user_id` with this secret ended because they left their last team.

    Such a phone still asks to push and pull its teams' data: it is answered
    403 membership_ended, not 401, so it saves its unsent records to a file
    and forgets the teams instead of keeping them until someone logs in.
    """
    row = db.session.scalar(sa.select(UserSession).where(UserSession.secret_hash == token_digest(secret)))
    return row is not None and row.user_id == user_id and row.ended_why == REMOVED


def stale(row):
    """Return whether `row`'s last-seen time is old enough to be written again."""
    return row.last_seen_at + SEEN_EVERY < utcnow()


def touch(row_id, ip=None):
    """Write that login `row_id` was seen now, from `ip`; the caller commits."""
    db.session.execute(
        sa.update(UserSession).where(UserSession.id == row_id).values(last_seen_at=utcnow(), ip=ip)
    )


# Why the logins of someone removed from their last team ended.
REMOVED = "removed_from_teams"


def end(row, why, by=None):
    """End one login; the caller commits."""
    if row.ended_at is None:
        row.ended_at, row.ended_why = utcnow(), why
        record_event("session_ended", user=by, session=row.id, why=why, owner=row.user_id)


def end_all(user, except_current=None, why="ended_everywhere"):
    """End every open login of `user` but `except_current` (a UserSession); return how many.

    Call it when a member leaves their last team or their password is reset.
    It also changes the user's login token, which ends the logins made
    before logins were kept on the server. The caller commits.
    """
    keep = except_current.id if except_current is not None else None
    rows = db.session.scalars(
        sa.select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    ).all()
    ended = 0
    for row in rows:
        if row.id != keep:
            row.ended_at, row.ended_why = utcnow(), why
            ended += 1
    user.login_token = secrets.token_hex(16)
    record_event("sessions_ended", user=user, email=user.email, count=ended, why=why)
    return ended


def open_sessions(user):
    """Return the user's logins still valid, the most recently seen first."""
    since = utcnow() - lifetime()
    return db.session.scalars(
        sa.select(UserSession)
        .where(
            UserSession.user_id == user.id,
            UserSession.ended_at.is_(None),
            UserSession.last_seen_at >= since,
        )
        .order_by(UserSession.last_seen_at.desc())
    ).all()


def owned(user, session_id):
    """Return the user's open login with this id, or None: nobody ends another's login."""
    row = db.session.get(UserSession, session_id)
    if row is None or row.user_id != user.id or row.ended_at is not None:
        return None
    return row


def adopt_legacy(user, token, device="", ip=None):
    """Keep a login made before logins were kept (its id carries the login token) as a row.

    Phones logged in before this version carry "<user id>:<login token>";
    they stay logged in, now as a login the owner can see and end.
    """
    if not secrets.compare_digest(token, user.login_token):
        return None
    # Once kept (and perhaps ended since), the token is never adopted again.
    known = sa.select(UserSession.id).where(UserSession.secret_hash == token_digest(token))
    if db.session.scalar(known) is not None:
        return None
    row = UserSession(user_id=user.id, secret_hash=token_digest(token), device=device[:120], ip=ip)
    db.session.add(row)
    record_event("session_adopted", user=user, email=user.email)
    return row
