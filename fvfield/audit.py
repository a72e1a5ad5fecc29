"""The audit log: security and data events, written beside the change they describe."""

from flask import has_request_context, request

from fvfield.extensions import db
from fvfield.models import AuditEvent


def record_event(event, user=None, team=None, email=None, **detail):
    """Add an audit event to the session; the caller's commit stores it."""
    entry = AuditEvent(
        event=event,
        user_id=user.id if user else None,
        team_id=team.id if team else None,
        email=email,
        ip=request.remote_addr if has_request_context() else None,
        detail=detail,
    )
    db.session.add(entry)
    return entry
