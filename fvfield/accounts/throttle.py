"""Slow down password guessing: refuse logins after repeated failures."""

import math
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from fvfield.extensions import db
from fvfield.models import AuditEvent, utcnow

# A care office may share one address: it gets this many times more room than one account.
IP_ALLOWANCE = 4


def minutes_locked(email, ip):
    """Return for how many minutes logins stay refused for this email or IP (0: allowed).

    The failures counted are the audit log's `login_failed` events of the last
    LOGIN_LOCK_MINUTES; the lock ends when the oldest of them leaves that window.
    Refused attempts are not failures, so waiting always ends a lock.
    """
    window = timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    now = utcnow()
    recent = sa.select(AuditEvent.created_at).where(
        AuditEvent.event == "login_failed", AuditEvent.created_at > now - window
    )
    ends = []
    for who, allowed in ((AuditEvent.email == email, limit), (AuditEvent.ip == ip, limit * IP_ALLOWANCE)):
        times = db.session.scalars(
            recent.where(who).order_by(AuditEvent.created_at.desc()).limit(allowed)
        ).all()
        if len(times) >= allowed:
            ends.append(times[-1] + window)
    if not ends:
        return 0
    return max(1, math.ceil((max(ends) - now).total_seconds() / 60))
