"""The concerns queue: records whose "anything to raise?" is yes, open ones first, resolved with a note.

A concern is a record of any form whose version has a boolean field named
`concern`, answered true; the questions shown only when it is true (details,
urgency) describe it. A resolution is a row of concern_resolutions, so the
carer's record itself is never changed.
"""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from fvfield.accounts.access import team_for
from fvfield.audit import record_event
from fvfield.extensions import begin_write, db
from fvfield.models import ConcernResolution
from fvfield.sync.documents import documents
from fvfield.teams import bp
from fvfield.teams.forms import ConcernForm
from fvfield.teams.store import parsed, subject_labels, team_document, user_names
from fvfield.teams.words import Words

FIELD = "concern"
# Compact JSON, as the store writes it: narrows the search before each record is read.
RAISED = '%"concern":true%'
SHOWN_RESOLVED = 100
# Where a concern of a form that asks no urgency goes in the queue: after the ranked ones.
UNRANKED = 1000


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


def concerns_of(team):
    """Return (open, resolved) concerns of the team: open most urgent then newest, resolved newest first."""
    rows = db.session.execute(
        sa.select(documents)
        .where(
            documents.c.team_id == team.id,
            documents.c.collection == "records",
            documents.c.deleted == sa.false(),
            documents.c.data.like(RAISED),
        )
        .order_by(documents.c.recorded_at.desc(), documents.c.pk.desc())
    ).all()
    records = [parsed(row) for row in rows]
    resolutions = {
        r.record_id: r
        for r in db.session.scalars(sa.select(ConcernResolution).where(ConcernResolution.team_id == team.id))
    }
    people = user_names({r["author"] for r in records} | {r.resolved_by for r in resolutions.values()})
    words = Words(team, subject_labels(team), people)
    found = []
    for record in records:
        concern = raised_concern(words, record)
        if concern is not None:
            found.append({**concern, "record": record, "resolution": resolutions.get(record["id"])})
    waiting = sorted((c for c in found if c["resolution"] is None), key=lambda c: c["rank"])
    resolved = sorted(
        (c for c in found if c["resolution"] is not None),
        key=lambda c: c["resolution"].resolved_at,
        reverse=True,
    )
    return waiting, resolved, words


def form_prefix(record_id):
    """Return the prefix of one concern's form, so each card's fields have their own names."""
    return f"concern-{record_id}"


def show_concerns(team, failed=None, status=200):
    """Render the queue; `failed` is (record id, form) of a resolution that needs fixing."""
    waiting, resolved, words = concerns_of(team)
    forms = {
        c["record"]["id"]: ConcernForm(formdata=None, prefix=form_prefix(c["record"]["id"])) for c in waiting
    }
    if failed:
        forms[failed[0]] = failed[1]
    page = render_template(
        "teams/concerns.html",
        team=team,
        waiting=waiting,
        resolved=resolved[:SHOWN_RESOLVED],
        more_resolved=max(0, len(resolved) - SHOWN_RESOLVED),
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
    begin_write(team.id)
    if resolution_of(team, record["id"]) is not None:
        flash("Someone resolved this concern already.", "info")
        return redirect(url_for("teams.concerns", slug=team.slug))
    db.session.add(
        ConcernResolution(
            team_id=team.id,
            record_id=record["id"],
            record_rev=record["rev"],
            note=form.note.data.strip(),
            resolved_by=current_user.id,
        )
    )
    record_event("concern_resolved", user=current_user, team=team, record_id=record["id"])
    db.session.commit()
    flash("The concern is marked resolved, with your note.", "info")
    return redirect(url_for("teams.concerns", slug=team.slug))


@bp.app_template_global()
def waiting_for(team):
    """Return how many concerns and conflicts wait for a team's coordinators."""
    waiting, _, _ = concerns_of(team)
    conflicts = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(documents)
        .where(documents.c.team_id == team.id, documents.c.has_conflict == sa.true())
    )
    return {"concerns": len(waiting), "conflicts": conflicts}
