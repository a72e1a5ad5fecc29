"""Slow down password guessing without letting a guesser lock the owner out.

Failures are counted per account and per address, separately, from the audit
log's `login_failed` events of the last LOGIN_LOCK_MINUTES. Past
LOGIN_MAX_FAILURES, each further attempt waits twice as long after the latest
failure, up to LOGIN_MAX_DELAY seconds: a slow-down, never a lock of the
account. Only an address that keeps failing past ADDRESS_REFUSAL times the
limit is refused for the rest of the window. A browser the owner logged in on
before (a known device, see auth/known_device.py) is not slowed by other
people's failures.
"""

import math
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from fvfield.extensions import db
from fvfield.models import AuditEvent, utcnow

# A care office may share one address: it gets this many times more room than one account.
IP_ALLOWANCE = 4
# An address failing this many times the address allowance is refused for the window.
ADDRESS_REFUSAL = 2


@dataclass
class Wait:
    """How long until the next attempt is taken (seconds, 0: now), and whose failures made it."""

    seconds: int = 0
    because: str = ""


def failures(who):
    """Return the times of the window's login failures matching `who`, latest first."""
    window = timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    query = (
        sa.select(AuditEvent.created_at)
        .where(AuditEvent.event == "login_failed", AuditEvent.created_at > utcnow() - window, who)
        .order_by(AuditEvent.created_at.desc())
    )
    return db.session.scalars(query).all()


def delay(times, free):
    """Return how many seconds are left of the slow-down earned by `times` beyond `free` failures."""
    over = len(times) - free
    if over < 0:
        return 0
    seconds = min(2 ** (over + 1), current_app.config["LOGIN_MAX_DELAY"])
    left = (times[0] + timedelta(seconds=seconds) - utcnow()).total_seconds()
    return max(0, math.ceil(left))


def wait_for(email, ip, known_device=False):
    """Return the Wait before a login of `email` from `ip` is checked.

    A known device of the account waits for nobody else's failures: its own
    are counted in its cookie.
    """
    if known_device:
        return Wait()
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    by_address = failures(AuditEvent.ip == ip)
    if len(by_address) >= limit * IP_ALLOWANCE * ADDRESS_REFUSAL:
        window = timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
        left = by_address[-1] + window - utcnow()
        return Wait(max(1, math.ceil(left.total_seconds())), "address")
    waits = [
        Wait(delay(failures(AuditEvent.email == email), limit), "account"),
        Wait(delay(by_address, limit * IP_ALLOWANCE), "address"),
    ]
    return max(waits, key=lambda wait: wait.seconds)
