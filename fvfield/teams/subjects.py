"""The people a team supports and the markets and pitches it surveys: list, add, edit, archive, restore.

Every edit is a change pushed as the coordinator's web device
(fvfield.sync.web_edits), so it gets a revision and reaches phones at their
next pull. Subject data keys are those the field app reads: a person's
important, essentials and contacts; a market's address and notes; a pitch's
market_id, unit_type and position {"lat", "lon"}.
"""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext, ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import DataRequired

from fvfield.accounts.access import team_for
from fvfield.audit import record_event
from fvfield.errors import translated
from fvfield.extensions import begin_write, db
from fvfield.sync import web_edits
from fvfield.sync.documents import data_of, documents, load_documents
from fvfield.sync.duplicates import key_of
from fvfield.sync.erasure import erased_ids
from fvfield.teams import bp
from fvfield.teams.archived import after_archiving_words, records_after_archiving
from fvfield.teams.concerns import RESOLVED_KEY
from fvfield.teams.confirming import confirmation, confirmed
from fvfield.teams.forms import ButtonForm, LabelForm, MarketForm, ParticipantForm, PersonForm, PitchForm
from fvfield.teams.history import document_history
from fvfield.teams.store import SUBJECT_KINDS, parsed, subject_labels, subjects_of, team_document, user_names
from fvfield.teams.words import SUBJECT_DATA, Words

FORMS = {"person": PersonForm, "participant": ParticipantForm, "market": MarketForm, "pitch": PitchForm}
# What a coordinator adds from the subjects page, by kind of team (pitches are added to a market).
# An evaluation's participants are not cared for: no care questions (docs/results.md).
ADDABLE = {"care-circle": ("person",), "market-survey": ("market",), "evaluation": ("participant",)}
# The kind of subject a team's people are: an evaluation's are participants, any other team's persons.
PEOPLE_KIND = {"evaluation": "participant"}
SAVED = {
    "applied": (lazy_gettext("Saved. Phones get it at their next sync."), "info"),
    "merged": (
        lazy_gettext(
            "Saved, together with other changes made meanwhile (on a phone or another page). "
            "Phones get it at their next sync."
        ),
        "info",
    ),
}
# The data key of a merged subject's tombstone: the subject its records moved to.
MERGED_INTO = "merged_into"
CONFLICTED = lazy_gettext(
    "Someone changed the same details while you were editing. Both versions are kept: "
    "choose between them here."
)


class MergeForm(FlaskForm):
    """Merge the subject of the address into `into`, the one kept."""

    into = HiddenField(validators=[DataRequired()])


def subject_of(team, subject_id):
    """Return the team's subject with this id, or 404 (an erased one too: nothing of it is left)."""
    found = team_document(team, "subjects", subject_id, f"{team.name} has no such person or place.")
    if erased_ids(db.session.connection(), team.id, [found["id"]]):
        abort(404, "This was erased on request: nothing of it is kept.")
    return found


def listed_subjects(team):
    """Return the team's subjects, by label, leaving out the tombstones of erased ones."""
    everything = subjects_of(team)
    erased = erased_ids(db.session.connection(), team.id, [s["id"] for s in everything if s["deleted"]])
    return [s for s in everything if s["id"] not in erased]


def form_for(kind, subject=None):
    """Return the page form of a subject's kind, filled from the subject unless a form was posted."""
    form_class = FORMS.get(kind, LabelForm)
    if subject is None or request.method == "POST":
        return form_class()
    data = subject["data"]
    values = {"label": subject["label"], "base_rev": subject["rev"]}
    values.update({key: data.get(key) for key in form_class.data_keys})
    position = data.get("position")
    if kind == "pitch" and isinstance(position, dict):
        values.update(lat=str(position.get("lat", "")), lon=str(position.get("lon", "")))
    return form_class(formdata=None, data=values)


def form_data(form, base_data):
    """Return a subject's data: its base data with the form's answers (blank ones removed)."""
    data = dict(base_data)
    for key in form.data_keys:
        value = form[key].data
        value = value.strip() if isinstance(value, str) else value
        if value:
            data[key] = value
        else:
            data.pop(key, None)
    if isinstance(form, PitchForm):
        data["position"] = form.position()
        if data["position"] is None:
            del data["position"]
    return data


def outcome(team, result, form=None):
    """Tell the coordinator what a save did; return a redirect, or None when the form must be shown again."""
    status = result["status"]
    if status in SAVED:
        message, category = SAVED[status]
        flash(str(message), category)
        return redirect(url_for("teams.subject", slug=team.slug, subject_id=result["id"]))
    if status == "conflict":
        flash(str(CONFLICTED), "error")
        return redirect(
            url_for("teams.conflict", slug=team.slug, collection="subjects", document_id=result["id"])
        )
    errors = result.get("errors", {})
    if form is not None and "label" in errors:
        form.label.errors = [translated(message) for message in errors.pop("label")]
    for messages in errors.values():
        flash(" ".join(translated(message) for message in messages), "error")
    return None


def show_form(team, form, kind, subject=None, market=None, status=200):
    """Render the add or edit page of a subject."""
    page = render_template(
        "teams/subject_form.html",
        team=team,
        form=form,
        kind=kind,
        subject=subject,
        market=market,
        kind_words=SUBJECT_KINDS.get(kind, "Subject").lower(),
    )
    return page, status


@bp.get("/subjects")
@login_required
def subjects(slug):
    """List the team's people, markets and other subjects, with the archived ones apart."""
    team, _ = team_for(slug, "coordinator")
    everything = listed_subjects(team)
    live = [s for s in everything if not s["deleted"]]
    markets = {s["id"] for s in live if s["kind"] == "market"}
    pitches, groups = {}, {}
    for subject in live:
        market_id = subject["data"].get("market_id") if subject["kind"] == "pitch" else None
        if market_id in markets:
            pitches.setdefault(market_id, []).append(subject)
        else:
            groups.setdefault(subject["kind"], []).append(subject)
    addable = ADDABLE.get(team.kind, ())
    order = [kind for kind in ("participant", "person", "market") if kind in groups or kind in addable]
    order += sorted(kind for kind in groups if kind not in order)
    return render_template(
        "teams/subjects.html",
        team=team,
        groups=groups,
        order=order,
        pitches=pitches,
        kinds=SUBJECT_KINDS,
        addable=addable,
        archived=[s for s in everything if s["deleted"]],
        duplicates=possible_duplicates(live),
        labels={s["id"]: s["label"] for s in everything},
    )


@bp.route("/subjects/new/<kind>", methods=["GET", "POST"])
@login_required
def new_subject(slug, kind):
    """Add a person, a participant or a market: the kinds the team's kind adds (ADDABLE)."""
    team, membership = team_for(slug, "coordinator")
    if kind not in ("market", PEOPLE_KIND.get(team.kind, "person")):
        abort(
            404, "People, participants and markets are added here; pitches are added on their market's page."
        )
    form = form_for(kind)
    if form.validate_on_submit():
        result = web_edits.save_subject(
            team, current_user, membership.role, kind, form.label.data.strip(), form_data(form, {})
        )
        return outcome(team, result, form) or show_form(team, form, kind, status=400)
    return show_form(team, form, kind, status=400 if form.errors else 200)


@bp.get("/subjects/<subject_id>")
@login_required
def subject(slug, subject_id):
    """Show a subject: its details, its pitches (for a market) and its revision history."""
    team, _ = team_for(slug, "coordinator")
    found = subject_of(team, subject_id)
    labels = subject_labels(team)
    pitches = []
    if found["kind"] == "market":
        everyone = subjects_of(team, "pitch", deleted=False)
        pitches = [p for p in everyone if p["data"].get("market_id") == found["id"]]
    history = document_history(team, found, labels)
    words = Words(team, labels, user_names({found["author"]}))
    late = records_after_archiving(team, found) if found["deleted"] else 0
    known = list(SUBJECT_DATA)
    shown = sorted(
        ((key, value) for key, value in found["data"].items() if key not in ("market_id", RESOLVED_KEY)),
        key=lambda item: (known.index(item[0]) if item[0] in known else len(known), item[0]),
    )
    return render_template(
        "teams/subject.html",
        team=team,
        subject=found,
        pitches=pitches,
        history=history,
        words=words,
        shown=shown,
        kinds=SUBJECT_KINDS,
        button=ButtonForm(formdata=None, base_rev=found["rev"]),
        late=late,
        late_words=after_archiving_words(found["kind"]),
    )


@bp.route("/subjects/<subject_id>/edit", methods=["GET", "POST"])
@login_required
def edit_subject(slug, subject_id):
    """Edit a subject's name and details, on the rev the coordinator saw."""
    team, membership = team_for(slug, "coordinator")
    found = subject_of(team, subject_id)
    if found["deleted"]:
        flash(gettext("%(name)s is archived: restore it first, then edit it.", name=found["label"]), "error")
        return redirect(url_for("teams.subject", slug=team.slug, subject_id=found["id"]))
    form = form_for(found["kind"], found)
    market = market_of(team, found)
    valid = form.validate_on_submit()
    if valid and not form.base_rev.data:
        # Without the rev the page was opened on, saving could overwrite an edit unseen.
        flash(gettext("This page was not opened from the server: open it again, then save."), "error")
    elif valid:
        base_rev = form.base_rev.data
        base = found if base_rev == found["rev"] else web_edits.state_at(team.id, found["id"], base_rev)
        data = form_data(form, data_of(base) if base else found["data"])
        result = web_edits.save_subject(
            team,
            current_user,
            membership.role,
            found["kind"],
            form.label.data.strip(),
            data,
            document_id=found["id"],
            base_rev=base_rev,
        )
        return outcome(team, result, form) or show_form(team, form, found["kind"], found, market, 400)
    return show_form(team, form, found["kind"], found, market, 400 if form.errors or valid else 200)


def market_of(team, found):
    """Return a pitch's market (as a state dict), or None."""
    market_id = found["data"].get("market_id") if found["kind"] == "pitch" else None
    if not isinstance(market_id, str):
        return None
    labels = subject_labels(team)
    return {"id": market_id, "label": labels[market_id]} if market_id in labels else None


def after_archive_words(team, subject):
    """Return what the archive confirmation says happens: off the phones, records kept, restorable."""
    return [
        gettext(
            "Phones stop listing %(label)s at their next sync, so nobody records about them by mistake.",
            label=subject["label"],
        ),
        gettext(
            "Every record stays, and you can restore %(label)s from this page whenever you need to.",
            label=subject["label"],
        ),
    ]


@bp.post("/subjects/<subject_id>/archive")
@login_required
def archive_subject(slug, subject_id):
    """Archive a subject: phones stop listing it at their next sync; it can be restored."""
    team, membership = team_for(slug, "coordinator")
    found = subject_of(team, subject_id)
    form = ButtonForm()
    if not form.validate() or found["deleted"]:
        flash(
            f"{found['label']} is already archived." if found["deleted"] else "Try again from the page.",
            "error",
        )
        return redirect(url_for("teams.subject", slug=team.slug, subject_id=found["id"]))
    if not confirmed():
        words = after_archive_words(team, found)
        return confirmation(
            team,
            gettext("Archive %(label)s?", label=found["label"]),
            words,
            gettext("Yes, archive %(label)s", label=found["label"]),
            url_for("teams.archive_subject", slug=team.slug, subject_id=found["id"]),
            url_for("teams.subject", slug=team.slug, subject_id=found["id"]),
            hidden={"base_rev": form.base_rev.data},
            active="teams.subjects",
        )
    result = web_edits.archive_subject(team, current_user, membership.role, found["id"], form.base_rev.data)
    if result["status"] in SAVED:
        flash(
            gettext("%(name)s is archived. Phones stop listing it at their next sync.", name=found["label"]),
            "info",
        )
        return redirect(url_for("teams.subjects", slug=team.slug))
    return outcome(team, result) or redirect(url_for("teams.subject", slug=team.slug, subject_id=found["id"]))


@bp.post("/subjects/<subject_id>/restore")
@login_required
def restore_subject(slug, subject_id):
    """Bring an archived subject back, as it was when archived."""
    team, membership = team_for(slug, "coordinator")
    found = subject_of(team, subject_id)
    if ButtonForm().validate() and found["deleted"]:
        result = web_edits.restore_subject(team, current_user, membership.role, found)
        if result["status"] in SAVED:
            flash(
                gettext("%(name)s is back. Phones list it again at their next sync.", name=found["label"]),
                "info",
            )
        else:
            outcome(team, result)
    return redirect(url_for("teams.subject", slug=team.slug, subject_id=found["id"]))


# Possible duplicates: two phones adding the same new pitch offline ("9" and "9", "10a" and "10A").


def possible_duplicates(live):
    """Return groups (lists, by label) of the live pitches of one market with the same normalised reference.

    Both are kept when pushed (a phone offline cannot know of the other);
    a coordinator sees them here and merges one into the other.
    """
    groups = {}
    for subject in live:
        if subject["kind"] == "pitch":
            key = key_of(subject["label"], subject["data"])
            groups.setdefault(key, []).append(subject)
    return [group for _, group in sorted(groups.items(), key=lambda item: str(item[0])) if len(group) > 1]


class MergeRefused(Exception):
    """The two subjects cannot be merged as asked (gone, archived, another kind): nothing changed."""


def record_change(row, subject_id):
    """Return the web change that moves a live record to another subject, everything else as it is."""
    state = parsed(row)
    return web_edits.new_change(
        "records",
        state["id"],
        state["rev"],
        deleted=False,
        form=state["form"],
        form_version=state["form_version"],
        recorded_at=state["recorded_at"],
        subject_id=subject_id,
        data=state["data"],
    )


def merge_subjects(team, user, role, merged_id, survivor_id):
    """Move every live record of `merged_id` to `survivor_id` and archive it pointing there; return how many moved.

    One transaction through web_edits, read under the team's write lock so
    every change applies on the latest rev: phones follow at their next pull.
    The merged subject's tombstone keeps its label and history, with
    `merged_into` in its data.
    """
    conn = begin_write(team.id)
    found = load_documents(conn, [merged_id, survivor_id])
    merged, survivor = found.get(merged_id), found.get(survivor_id)
    for subject in (merged, survivor):
        if subject is None or subject["team_id"] != team.id or subject["collection"] != "subjects":
            raise MergeRefused(gettext("One of them is no longer there: look at the list again."))
        if subject["deleted"]:
            raise MergeRefused(gettext("%(name)s is archived: restore it first.", name=subject["label"]))
    if merged_id == survivor_id or merged["kind"] != survivor["kind"]:
        raise MergeRefused(gettext("Only two different subjects of the same kind can be merged."))
    rows = conn.execute(
        sa.select(documents).where(
            documents.c.team_id == team.id,
            documents.c.collection == "records",
            documents.c.subject_id == merged_id,
            documents.c.deleted == sa.false(),
        )
    ).all()
    changes = [record_change(row, survivor_id) for row in rows]
    changes.append(
        web_edits.new_change(
            "subjects",
            merged_id,
            merged["rev"],
            deleted=True,
            kind=merged["kind"],
            label=merged["label"],
            data={**data_of(merged), MERGED_INTO: survivor_id},
        )
    )
    push, results = web_edits.apply_changes(conn, team, user, role, changes)
    if any(result["status"] not in SAVED for result in results):
        db.session.rollback()
        raise MergeRefused(gettext("The records could not all be moved: nothing was merged. Try again."))
    push.log.write()
    record_event(
        "subjects_merged", user=user, team=team, subject_id=merged_id, into_id=survivor_id, records=len(rows)
    )
    db.session.commit()
    return len(rows)


@bp.post("/subjects/<subject_id>/merge")
@login_required
def merge_subject(slug, subject_id):
    """Merge a subject into another (the one kept, `into`): its records move, it is archived."""
    team, membership = team_for(slug, "coordinator")
    found = subject_of(team, subject_id)
    form = MergeForm()
    if not form.validate():
        flash(gettext("Try again from the page."), "error")
        return redirect(url_for("teams.subjects", slug=team.slug))
    survivor = subject_of(team, form.into.data)
    try:
        moved = merge_subjects(team, current_user, membership.role, found["id"], survivor["id"])
    except MergeRefused as refusal:
        flash(str(refusal), "error")
        return redirect(url_for("teams.subjects", slug=team.slug))
    flash(
        ngettext(
            "%(name)s is merged into %(survivor)s: %(num)s record moved. Phones follow at their next sync.",
            "%(name)s is merged into %(survivor)s: %(num)s records moved. Phones follow at their next sync.",
            moved,
            name=found["label"],
            survivor=survivor["label"],
        ),
        "info",
    )
    return redirect(url_for("teams.subject", slug=team.slug, subject_id=survivor["id"]))
