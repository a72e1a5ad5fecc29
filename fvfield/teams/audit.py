"""The team's audit log: who did what, when, and from where."""

import sqlalchemy as sa
from flask import render_template, request
from flask_login import login_required

from fvfield.accounts.access import team_for
from fvfield.extensions import db
from fvfield.models import AuditEvent, User
from fvfield.teams import bp

PER_PAGE = 50
# Any page number beyond this is as empty, and its offset still fits the database's integers.
LAST_PAGE = 1_000_000
EVENT_NAMES = {
    "team_created": "Team created",
    "member_added": "Member added",
    "role_changed": "Role changed",
    "member_removed": "Member removed",
    "invite_issued": "Invite link created",
    "invite_revoked": "Invite link withdrawn",
    "invite_used": "Invite link used",
    "data_exported": "Data exported",
    "phone_copy_imported": "Phone's copy imported",
    "phone_history_changed": "What the phones keep changed",
}
EXPORT_FORMATS = {"csv": "CSV file of the form {form}", "sqlite": "SQLite file of all the team's data"}
IMPORTED = (
    "{applied} applied, {duplicate} already here, {merged} merged, {conflict} in conflict, {rejected} rejected; "
    "{photos} photos stored; recorded as made by {author}; changes for other teams left out: {skipped}; "
    "from the phone {device_id}"
)
# Detail keys shown in a sentence of their own (describe), not in the list of the rest.
DESCRIBED = {"via", "format", "form", "role", "old", "new"}


def event_name(event):
    """Return an event's name as people read it."""
    return EVENT_NAMES.get(event, event.replace("_", " ").capitalize())


def describe(entry):
    """Return what an event did, in a few words, from its email and detail."""
    detail = entry.detail or {}
    words = []
    if entry.event == "data_exported":
        words.append(EXPORT_FORMATS.get(detail.get("format"), "{format}").format_map(detail))
    elif entry.event == "phone_copy_imported":
        words.append(IMPORTED.format_map({"skipped": 0, **detail}))
        return "; ".join(words)
    if entry.email:
        words.append(entry.email)
    if "old" in detail and "new" in detail:
        words.append(f"from {detail['old']} to {detail['new']}")
    elif detail.get("role"):
        words.append(f"as {detail['role']}")
    words += [
        f"{key.replace('_', ' ')}: {value}"
        for key, value in detail.items()
        if key not in DESCRIBED and value not in (None, "", [], {})
    ]
    if detail.get("via"):
        words.append(f"from the {detail['via']}")
    return "; ".join(words)


@bp.get("/audit")
@login_required
def audit(slug):
    """List the team's audit events, newest first, a page at a time, optionally of one kind."""
    team, _ = team_for(slug, "coordinator")
    kinds = db.session.scalars(
        sa.select(AuditEvent.event)
        .where(AuditEvent.team_id == team.id)
        .group_by(AuditEvent.event)
        .order_by(AuditEvent.event)
    ).all()
    chosen = request.args.get("event", "")
    query = sa.select(AuditEvent).where(AuditEvent.team_id == team.id)
    if chosen:
        query = query.where(AuditEvent.event == chosen)
    number = min(max(request.args.get("page", 1, type=int), 1), LAST_PAGE)
    page = db.paginate(
        query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()),
        page=number,
        per_page=PER_PAGE,
        max_per_page=PER_PAGE,
        error_out=False,
    )
    ids = {entry.user_id for entry in page.items if entry.user_id}
    people = (
        {user.id: user for user in db.session.scalars(sa.select(User).where(User.id.in_(ids)))} if ids else {}
    )
    return render_template(
        "teams/audit.html",
        team=team,
        page=page,
        people=people,
        chosen=chosen,
        kinds=[(kind, event_name(kind)) for kind in kinds],
        event_name=event_name,
        describe=describe,
    )
