"""The team's audit log: who did what, when, and from where."""

import sqlalchemy as sa
from flask import render_template, request
from flask_babel import gettext, lazy_gettext
from flask_login import login_required

from fvfield.accounts.access import team_for
from fvfield.extensions import db
from fvfield.models import AuditEvent, User
from fvfield.teams import bp

PER_PAGE = 50
# Any page number beyond this is as empty, and its offset still fits the database's integers.
LAST_PAGE = 1_000_000
EVENT_NAMES = {
    "team_created": lazy_gettext("Team created"),
    "member_added": lazy_gettext("Member added"),
    "role_changed": lazy_gettext("Role changed"),
    "member_removed": lazy_gettext("Member removed"),
    "invite_issued": lazy_gettext("Invite link created"),
    "invite_revoked": lazy_gettext("Invite link withdrawn"),
    "invite_used": lazy_gettext("Invite link used"),
    "data_exported": lazy_gettext("Data exported"),
    "phone_copy_imported": lazy_gettext("Phone's copy imported"),
    "phone_history_changed": lazy_gettext("What the phones keep changed"),
    "concern_resolved": lazy_gettext("Concern resolved"),
    "form_draft_started": lazy_gettext("Form draft started"),
    "form_draft_discarded": lazy_gettext("Form draft discarded"),
    "form_published": lazy_gettext("Form published"),
    "pitches_imported": lazy_gettext("Pitches imported"),
    "password_reset_issued": lazy_gettext("Password link created"),
    "small_numbers_changed": lazy_gettext("Small numbers setting changed"),
    "summary_revoked": lazy_gettext("Shared summary withdrawn"),
    "record_deleted": lazy_gettext("Record deleted"),
    "erased": lazy_gettext("Erased on request"),
}
# The names of an event's details, as people read them (other keys show as written).
DETAIL_WORDS = {
    "note": lazy_gettext("note"),
    "form": lazy_gettext("form"),
    "version": lazy_gettext("version"),
    "reason": lazy_gettext("reason"),
    "records": lazy_gettext("records"),
    "photos": lazy_gettext("photos"),
    "rev": lazy_gettext("rev"),
    "kind": lazy_gettext("kind"),
    "collection": lazy_gettext("collection"),
    "count": lazy_gettext("count"),
    "days": lazy_gettext("days"),
    "visits": lazy_gettext("visits"),
}
EXPORT_FORMATS = {
    "csv": lazy_gettext("CSV file of the form {form}"),
    "sqlite": lazy_gettext("SQLite file of all the team's data"),
}
IMPORTED = lazy_gettext(
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
        words.append(str(EXPORT_FORMATS.get(detail.get("format"), "{format}")).format_map(detail))
    elif entry.event == "phone_copy_imported":
        words.append(str(IMPORTED).format_map({"skipped": 0, **detail}))
        return "; ".join(words)
    if entry.email:
        words.append(entry.email)
    if "old" in detail and "new" in detail:
        words.append(gettext("from %(old)s to %(new)s", old=detail["old"], new=detail["new"]))
    elif detail.get("role"):
        words.append(gettext("as %(role)s", role=detail["role"]))
    words += [
        f"{DETAIL_WORDS.get(key) or key.replace('_', ' ')}: {value}"
        for key, value in detail.items()
        if key not in DESCRIBED and value not in (None, "", [], {})
    ]
    if detail.get("via"):
        words.append(gettext("from the %(via)s", via=detail["via"]))
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
