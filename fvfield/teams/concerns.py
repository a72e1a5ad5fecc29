"""The concerns queue: records whose "anything to raise?" is yes, open ones first, resolved with a note.

A concern is a record of any form whose version has a boolean field named
`concern`, answered true; the questions shown only when it is true (details,
urgency) describe it. The store marks such records when it writes them
(documents.concern, sync/facets.py), so the queue and the home page's count
read an index, however long the team's history. A resolution is a row of
concern_resolutions, so the carer's record itself is never changed.
So that the circle's phones stop showing the concern as open, the resolution
also travels in the subject's data (`concerns_resolved`, keyed by record id),
saved through web_edits in the same transaction: the sync rules carry it to
every phone's next pull.
"""

import json
import logging
import threading

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from fvfield.accounts.access import team_for
from fvfield.audit import record_event
from fvfield.auth.mail import mail_configured, send_urgent_concern
from fvfield.extensions import begin_write, db
from fvfield.models import AuditEvent, ConcernResolution, FormVersion, Membership, Team, User, utcnow
from fvfield.reports import waiting
from fvfield.reports.waiting import FIELD, is_urgent
from fvfield.sync import web_edits
from fvfield.sync.documents import documents
from fvfield.sync.statuses import APPLIED, MERGED, REJECTED
from fvfield.teams import bp
from fvfield.teams.forms import ConcernForm
from fvfield.teams.store import parsed, subject_labels, team_document, user_names
from fvfield.teams.words import Words

# The newest open concerns shown, most urgent first; the page says how many more wait.
SHOWN_OPEN = 100
# The subject data key the phones read resolutions from.
RESOLVED_KEY = "concerns_resolved"
SHOWN_RESOLVED = 100
# Where a concern of a form that asks no urgency goes in the queue: after the ranked ones.
UNRANKED = 1000
# The audit events of urgent concern emails: one per record alerted, and one per failed sending.
ALERTED = "urgent_concern_alerted"
ALERT_FAILED = "urgent_concern_alert_failed"
log = logging.getLogger("fvfield.alerts")


def raised_concern(words, record):
    """Return {"urgency", "rank", "details"} of a record that raises a concern, else None."""
    questions = words.questions(record)
    question, data = questions.get(FIELD), record["data"]
    if record["deleted"] or not question or question["type"] != "boolean" or data.get(FIELD) is not True:
        return None
    about = [q for q in questions.values() if (q.get("show_if") or {}).get("field") == FIELD]
    urgency = next((q for q in about if q["type"] == "choice"), None)
    answer = data.get(urgency["name"]) if urgency else None
    values = [choice["value"] for choice in urgency["choices"]] if urgency else []
    return {
        "urgency": words.value(record, ("data", urgency["name"]), answer) if answer is not None else None,
        "rank": values.index(answer) if answer in values else len(values) if urgency else UNRANKED,
        "details": [
            (q["label"], words.value(record, ("data", q["name"]), data[q["name"]]))
            for q in about
            if q is not urgency and data.get(q["name"]) is not None
        ],
    }


def resolution_of(team, record_id):
    """Return the resolution of a record's concern, or None."""
    return db.session.scalar(
        sa.select(ConcernResolution).where(
            ConcernResolution.team_id == team.id, ConcernResolution.record_id == record_id
        )
    )


def resolution_exists(team):
    """Return the SQL condition that a record of the team has a concern resolution."""
    return (
        sa.select(ConcernResolution.pk)
        .where(ConcernResolution.team_id == team.id, ConcernResolution.record_id == documents.c.id)
        .exists()
    )


def raising(team):
    """Return the query of the team's records that raise a concern (by the concern index)."""
    return sa.select(documents).where(
        documents.c.team_id == team.id, documents.c.collection == "records", documents.c.concern == sa.true()
    )


def record_of(row):
    """Return the record of a row of documents joined with its resolution."""
    state = parsed(row)
    del state["ConcernResolution"]
    return state


def concerns_of(team):
    """Return (open, resolved, words): the newest open concerns most urgent first, the newest resolved.

    At most SHOWN_OPEN open and SHOWN_RESOLVED resolved ones, each read by index.
    """
    newest = (documents.c.recorded_at.desc(), documents.c.pk.desc())
    open_rows = db.session.execute(
        raising(team).where(~resolution_exists(team)).order_by(*newest).limit(SHOWN_OPEN)
    ).all()
    resolved_rows = db.session.execute(
        sa.select(documents, ConcernResolution)
        .join(
            ConcernResolution,
            sa.and_(ConcernResolution.team_id == team.id, ConcernResolution.record_id == documents.c.id),
        )
        .where(documents.c.id_scope == 0, documents.c.concern == sa.true())
        .order_by(ConcernResolution.resolved_at.desc(), ConcernResolution.pk.desc())
        .limit(SHOWN_RESOLVED)
    ).all()
    records = [(parsed(row), None) for row in open_rows]
    records += [(record_of(row), row.ConcernResolution) for row in resolved_rows]
    people = user_names({r["author"] for r, _ in records} | {r.resolved_by for _, r in records if r})
    words = Words(team, subject_labels(team), people)
    waiting, resolved = [], []
    for record, resolution in records:
        concern = raised_concern(words, record)
        if concern is not None:
            found = waiting if resolution is None else resolved
            found.append({**concern, "record": record, "resolution": resolution})
    waiting.sort(key=lambda c: c["rank"])
    return waiting, resolved, words


def form_prefix(record_id):
    """Return the prefix of one concern's form, so each card's fields have their own names."""
    return f"concern-{record_id}"


def show_concerns(team, failed=None, status=200):
    """Render the queue; `failed` is (record id, form) of a resolution that needs fixing."""
    waiting, resolved, words = concerns_of(team)
    counts = waiting_for(team)
    waiting_total, resolved_total = counts["concerns"], counts["resolved"]
    forms = {
        c["record"]["id"]: ConcernForm(formdata=None, prefix=form_prefix(c["record"]["id"])) for c in waiting
    }
    if failed:
        forms[failed[0]] = failed[1]
    page = render_template(
        "teams/concerns.html",
        team=team,
        waiting=waiting,
        resolved=resolved,
        waiting_total=waiting_total,
        more_waiting=max(0, waiting_total - len(waiting)),
        more_resolved=max(0, resolved_total - len(resolved)),
        forms=forms,
        words=words,
    )
    return page, status


@bp.get("/concerns")
@login_required
def concerns(slug):
    """List the concerns raised in records, open ones first."""
    team, _ = team_for(slug, "coordinator")
    return show_concerns(team)


@bp.post("/concerns/<record_id>/resolve")
@login_required
def resolve_concern(slug, record_id):
    """Mark a concern resolved with a note of what was done."""
    team, _ = team_for(slug, "coordinator")
    record = team_document(team, "records", record_id)
    if raised_concern(Words(team), record) is None:
        abort(404, "This record raises no concern.")
    form = ConcernForm(prefix=form_prefix(record["id"]))
    if not form.validate():
        return show_concerns(team, (record["id"], form), 400)
    conn = begin_write(team.id)
    if resolution_of(team, record["id"]) is not None:
        flash(gettext("Someone resolved this concern already."), "info")
        return redirect(url_for("teams.concerns", slug=team.slug))
    resolution = ConcernResolution(
        team_id=team.id,
        record_id=record["id"],
        record_rev=record["rev"],
        note=form.note.data.strip(),
        resolved_by=current_user.id,
        resolved_at=utcnow(),
    )
    # Read under the lock, so the subject's rev is the latest: the change applies, never a conflict.
    change = resolution_change(team, record, resolution)
    if change is not None:
        push, (result,) = web_edits.apply_changes(conn, team, current_user, "coordinator", [change])
        if result["status"] != REJECTED.name:
            push.log.write()
    db.session.add(resolution)
    record_event("concern_resolved", user=current_user, team=team, record_id=record["id"])
    db.session.commit()
    flash(gettext("The concern is marked resolved, with your note."), "info")
    return redirect(url_for("teams.concerns", slug=team.slug))


@bp.app_template_global()
def waiting_for(team):
    """Return how many concerns (and urgent ones, and resolved ones) and conflicts wait for a team's coordinators.

    Kept counted (reports/waiting.py): brought up to the team's latest change
    first, taking the team's write lock only when changes came since.
    """
    counts = waiting.kept(team.id)
    if counts is None:
        begin_write(team.id)
        counts = waiting.numbers_of(waiting.refresh(team.id))
        db.session.commit()
    return counts


def resolution_change(team, record, resolution):
    """Return the web change that adds a resolution to the record's subject's data, or None without a subject."""
    if not record.get("subject_id"):
        return None
    row = db.session.execute(
        sa.select(documents).where(
            documents.c.team_id == team.id,
            documents.c.collection == "subjects",
            documents.c.id == record["subject_id"],
        )
    ).first()
    if row is None:
        return None
    subject = parsed(row)
    data = dict(subject["data"])
    resolved = dict(data.get(RESOLVED_KEY) or {})
    resolved[record["id"]] = {
        "status": "resolved",
        "note": resolution.note,
        "by": current_user.name,
        "at": resolution.resolved_at.isoformat(timespec="seconds"),
    }
    data[RESOLVED_KEY] = resolved
    return web_edits.new_change(
        "subjects",
        subject["id"],
        subject["rev"],
        deleted=bool(subject["deleted"]),
        kind=subject["kind"],
        label=subject["label"],
        data=data,
    )


# Urgent concerns: the badge on the coordinators' pages and the email after a push.


def urgent_among(team, rows):
    """Return the ids of the rows (records raising a concern) that are urgent."""
    pairs = {(row.form, row.form_version) for row in rows}
    definitions = {}
    if pairs:
        for form_id, version, definition in db.session.execute(
            sa.select(FormVersion.form_id, FormVersion.version, FormVersion.definition).where(
                FormVersion.team_id == team.id, FormVersion.form_id.in_({form for form, _ in pairs})
            )
        ):
            definitions[form_id, version] = definition
    return [
        row.id
        for row in rows
        if is_urgent(definitions.get((row.form, row.form_version)), json.loads(row.data))
    ]


def alerted_already(team, record_ids):
    """Return which of these records an urgent concern email was already sent for."""
    events = db.session.scalars(
        sa.select(AuditEvent.detail).where(AuditEvent.team_id == team.id, AuditEvent.event == ALERTED)
    )
    return {detail.get("record_id") for detail in events} & set(record_ids)


def new_urgent_concerns(team, results):
    """Return the ids of records a push just stored that raise an urgent concern nobody was alerted to."""
    ids = [r["id"] for r in results if r.get("status") in (APPLIED.name, MERGED.name) and r.get("id")]
    if not ids:
        return []
    rows = db.session.execute(
        raising(team)
        .where(documents.c.id.in_(ids), ~resolution_exists(team))
        .with_only_columns(documents.c.id, documents.c.form, documents.c.form_version, documents.c.data)
    ).all()
    urgent = urgent_among(team, rows)
    done = alerted_already(team, urgent)
    return [record_id for record_id in urgent if record_id not in done]


def alert_coordinators(team, results):
    """After a push committed: email the team's coordinators about its new urgent concerns, if any.

    Never fails the push: the email goes from a background thread (a slow
    or absent mail server does not hold the phone's answer), and a failure
    is logged and audited. Returns the thread, or None when nothing is sent.
    """
    if not mail_configured():
        return None
    urgent = new_urgent_concerns(team, results)
    if not urgent:
        return None
    emails = list(
        db.session.scalars(
            sa.select(User.email)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.team_id == team.id, Membership.role == "coordinator")
        )
    )
    begin_write(team.id)
    for record_id in urgent:
        record_event(ALERTED, team=team, record_id=record_id, coordinators=len(emails))
    db.session.commit()
    app = current_app._get_current_object()
    link = url_for("teams.concerns", slug=team.slug, _external=True)
    thread = threading.Thread(
        target=send_alert, args=(app, team.id, team.name, emails, link, urgent), daemon=True
    )
    thread.start()
    app.extensions.setdefault("fvfield_alerts", []).append(thread)
    return thread


def send_alert(app, team_id, team_name, emails, link, urgent):
    """Send the alert emails (in the background); audit the addresses not reached."""
    with app.app_context():
        try:
            missed = send_urgent_concern(emails, team_name, link)
        except Exception:  # a mail backend's own error: logged, never raised into nothing
            log.exception("urgent concern alert for team %s not sent", team_id)
            missed = list(emails)
        if missed:
            begin_write(team_id)
            team = db.session.get(Team, team_id)
            record_event(ALERT_FAILED, team=team, records=len(urgent), missed=len(missed))
            db.session.commit()
