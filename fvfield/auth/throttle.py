"""Slow down password guessing: refuse logins after repeated failures."""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from ..extensions import db
from ..models import AuditEvent, utcnow


def minutes_locked(email, ip):
    """Return how many minutes logins stay refused for this address or IP (0: allowed)."""
    window = timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    since = utcnow() - window
    failures = sa.select(AuditEvent.created_at).where(
        AuditEvent.event == "login_failed", AuditEvent.created_at > since
    )
    by_email = failures.where(AuditEvent.email == email)
    # An IP shared by a whole care office gets more room than one account.
    by_ip = failures.where(AuditEvent.ip == ip)
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    for query, allowed in ((by_email, limit), (by_ip, limit * 4)):
        times = db.session.scalars(query.order_by(AuditEvent.created_at.desc()).limit(allowed)).all()
        if len(times) >= allowed:
            free_at = times[-1] + window
            return max(1, int((free_at - utcnow()).total_seconds() // 60) + 1)
    return 0
