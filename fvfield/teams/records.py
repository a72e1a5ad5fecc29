"""The records browser (filtered by form, subject, author, dates and flags) and a record's page with its whole history.

The browser pages by keyset, newest first: a page starts after (or before)
a record named by its id, so every page reads PER_PAGE rows by index
whatever the team's history, and the total is counted up to COUNTED only.
"""

import json
import re
from datetime import timedelta

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from fvfield.accounts.access import team_for
from fvfield.errors import translated
from fvfield.extensions import db
from fvfield.field.precache import STYLESHEETS
from fvfield.models import Document, Membership, User
from fvfield.questionnaires.structure import answer_fields
from fvfield.sync import web_edits
from fvfield.sync.documents import documents
from fvfield.teams import bp
from fvfield.teams.archived import after_archiving_words, archived_at, recorded_after
from fvfield.teams.concerns import raised_concern, resolution_of
from fvfield.teams.forms import CorrectRecordForm, DeleteRecordForm, RecordFilterForm, options
from fvfield.teams.history import document_history
from fvfield.teams.store import (
    SUBJECT_KINDS,
    state_of,
    subject_labels,
    subjects_of,
    team_document,
    user_names,
)
from fvfield.teams.words import Words, answer_words, humanise, plain

PER_PAGE = 50
# Totals above this read "more than": counting them all would read the whole team.
COUNTED = 1_000


def form_titles(team):
    """Return [(form id, title)] of the team's forms, by title."""
    rows = db.session.execute(
        sa.select(documents.c.id, documents.c.data).where(
            documents.c.team_id == team.id, documents.c.collection == "forms"
        )
    ).all()
    titles = [(form_id, parsed_title(data, form_id)) for form_id, data in rows]
    return sorted(titles, key=lambda pair: pair[1].casefold())


def parsed_title(data, form_id):
    """Return a form's title from its definition's JSON text."""
    return json.loads(data).get("title") or form_id


def authors_of(team):
    """Return the ids of everyone who wrote a document of the team, one index step each.

    A loose index scan per collection (ix_documents_team_author_recorded):
    each step asks for the next author after the last, so it reads as many
    rows as there are authors, not documents. The collection must be named
    for the index to find the authors in order.
    """
    found = set()
    for collection in ("records", "subjects", "forms"):
        doc = documents.alias("doc")
        mine = sa.and_(documents.c.team_id == team.id, documents.c.collection == collection)
        first = sa.select(sa.func.min(documents.c.author)).where(mine)
        steps = first.cte(f"authors_{collection}", recursive=True)
        after = (
            sa.select(sa.func.min(doc.c.author))
            .where(doc.c.team_id == team.id, doc.c.collection == collection, doc.c.author > steps.c.min)
            .scalar_subquery()
        )
        steps = steps.union_all(sa.select(after).where(steps.c.min.is_not(None)))
        found.update(db.session.scalars(sa.select(steps.c.min).where(steps.c.min.is_not(None))))
    return found


def people_of(team):
    """Return [(user id, name)] of the team's members and of anyone who recorded in it, by name."""
    members = db.session.execute(
        sa.select(User.id, User.name).join(Membership).where(Membership.team_id == team.id)
    ).all()
    found = dict(members) | user_names(authors_of(team) - {m.id for m in members})
    return sorted(found.items(), key=lambda pair: pair[1].casefold())


def filters_for(team):
    """Return the filter form read from the query string, with the team's choices."""
    filters = RecordFilterForm(request.args)
    filters.form.choices = options([("", gettext("Every form"))] + form_titles(team))
    filters.subject.choices = options(
        [("", gettext("Anyone or anything"))]
        + [
            (
                s["id"],
                (
                    gettext(
                        "%(name)s (%(kind)s, archived)",
                        name=s["label"],
                        kind=SUBJECT_KINDS.get(s["kind"], s["kind"]).lower(),
                    )
                    if s["deleted"]
                    else f"{s['label']} ({SUBJECT_KINDS.get(s['kind'], s['kind']).lower()})"
                ),
            )
            for s in subjects_of(team)
        ]
    )
    filters.author.choices = options([("", gettext("Anyone"))] + people_of(team))
    return filters


FLAGS = {
    "concern": Document.concern,
    "conflict": Document.has_conflict,
    "odd-time": Document.odd_time,
}


def filtered(team, filters):
    """Return the query of the team's records that the filters ask for, unordered."""
    query = sa.select(Document).where(Document.team_id == team.id, Document.collection == "records")
    if filters.form.data:
        query = query.where(Document.form == filters.form.data)
    if filters.subject.data:
        query = query.where(Document.subject_id == filters.subject.data)
    if filters.author.data:
        query = query.where(Document.author == filters.author.data)
    # The day as the device saw it: the date part of recorded_at, before its offset. As
    # text, "its date is on or after S" is "it sorts on or after S", which an index answers.
    if filters.start.data:
        query = query.where(Document.recorded_at >= filters.start.data.isoformat())
    if filters.end.data:
        query = query.where(Document.recorded_at < (filters.end.data + timedelta(days=1)).isoformat())
    if filters.flag.data:
        query = query.where(FLAGS[filters.flag.data] == sa.true())
    if not filters.deleted.data:
        query = query.where(Document.deleted == sa.false())
    return query


def cursor_of(team, record_id):
    """Return (recorded_at, pk) of the team's record a page starts from, or 404."""
    found = db.session.execute(
        sa.select(Document.recorded_at, Document.pk).where(
            Document.id == record_id,
            Document.id_scope == 0,
            Document.team_id == team.id,
            Document.collection == "records",
        )
    ).first()
    if found is None:
        abort(404, "That page of records is gone: start again from the newest.")
    return tuple(found)


def page_of(team, query, older_than=None, newer_than=None):
    """Return (rows, newer, older): a page of records newest first, and whether more lie either side.

    A cursor past either end answers the page at that end.
    """
    key = sa.tuple_(Document.recorded_at, Document.pk)
    if newer_than:
        rows, newer = oldest_first(query.where(key > sa.tuple_(*cursor_of(team, newer_than))))
        return (rows, newer, True) if rows else page_of(team, query)
    start = query.where(key < sa.tuple_(*cursor_of(team, older_than))) if older_than else query
    rows = db.session.scalars(
        start.order_by(Document.recorded_at.desc(), Document.pk.desc()).limit(PER_PAGE + 1)
    ).all()
    if older_than and not rows:
        return last_page(query)
    return rows[:PER_PAGE], older_than is not None, len(rows) > PER_PAGE


def oldest_first(query):
    """Return (the PER_PAGE oldest records of a query, newest first; whether newer ones remain)."""
    rows = db.session.scalars(
        query.order_by(Document.recorded_at.asc(), Document.pk.asc()).limit(PER_PAGE + 1)
    ).all()
    return rows[:PER_PAGE][::-1], len(rows) > PER_PAGE


def last_page(query):
    """Return the page of the oldest records, as page_of does."""
    rows, newer = oldest_first(query)
    return rows, newer, False


def counted(query):
    """Return how many records a query finds, up to COUNTED + 1."""
    capped = query.with_only_columns(Document.pk).limit(COUNTED + 1).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(capped))


@bp.get("/records")
@login_required
def records(slug):
    """List the team's records, newest first, filtered, a page at a time."""
    team, _ = team_for(slug, "coordinator")
    filters = filters_for(team)
    valid = filters.validate()
    if valid and filters.start.data and filters.end.data and filters.end.data < filters.start.data:
        filters.end.errors = ["Choose a day on or after the first day."]
        valid = False
    rows, newer, older, total = [], False, False, 0
    if valid:
        query = filtered(team, filters)
        older_than, newer_than = request.args.get("older_than"), request.args.get("newer_than")
        if request.args.get("oldest"):
            found, newer, older = last_page(query)
        else:
            found, newer, older = page_of(team, query, older_than, newer_than)
        rows = [state_of(document) for document in found]
        total = counted(query)
        archived = archived_at(team, {row["subject_id"] for row in rows if row["subject_id"]})
        for row in rows:
            row["after_archiving"] = recorded_after(row, archived)
    return render_template(
        "teams/records.html",
        team=team,
        filters=filters,
        rows=rows,
        newer=newer,
        older=older,
        total=total,
        counted=COUNTED,
        titles=dict(form_titles(team)),
        labels=subject_labels(team),
        people=user_names({row["author"] for row in rows}),
        args={
            k: v
            for k, v in request.args.items()
            if k not in ("older_than", "newer_than", "oldest", "page") and v
        },
    ), 200 if valid else 400


@bp.get("/records/<record_id>")
@login_required
def record(slug, record_id, delete_form=None):
    """Show a record: its answers in the words of its form version, who made it where, and its history."""
    team, _ = team_for(slug, "coordinator")
    found = team_document(team, "records", record_id)
    labels = subject_labels(team)
    history = document_history(team, found, labels)
    words = Words(team, labels, user_names({found["author"]}))
    definition = words.definition(found["form"], found["form_version"])
    late = recorded_after(found, archived_at(team, {found["subject_id"]})) if found["subject_id"] else None
    subject = team_subject_kind(team, found["subject_id"]) if late else None
    return render_template(
        "teams/record.html",
        team=team,
        record=found,
        words=words,
        definition=definition,
        answers=answers_of(words, found),
        history=history,
        created=history[-1] if history else None,
        concern=raised_concern(words, found),
        resolution=resolution_of(team, found["id"]),
        after_archiving=(after_archiving_words(subject), late) if late else None,
        delete_form=delete_form or DeleteRecordForm(formdata=None, base_rev=found["rev"]),
    ), 400 if delete_form else 200


@bp.post("/records/<record_id>/delete")
@login_required
def delete_record(slug, record_id):
    """Delete a record with a reason: a new revision (a tombstone) through the sync rules; its history stays."""
    team, membership = team_for(slug, "coordinator")
    found = team_document(team, "records", record_id)
    form = DeleteRecordForm()
    if found["deleted"]:
        flash(gettext("This record is already deleted."), "info")
        return redirect(url_for("teams.record", slug=team.slug, record_id=found["id"]))
    if not form.validate():
        return record(slug, record_id, delete_form=form)
    if form.base_rev.data != found["rev"]:
        flash(
            gettext("This record changed since you opened it: look at it again before deleting it."), "error"
        )
        return redirect(url_for("teams.record", slug=team.slug, record_id=found["id"]))
    result = web_edits.delete_record(
        team, current_user, membership.role, found["id"], form.base_rev.data, form.reason.data
    )
    if result["status"] in ("applied", "merged"):
        flash(
            gettext("The record is deleted. Phones drop it at their next sync; its history stays here."),
            "info",
        )
    elif result["status"] == "conflict":
        flash(
            gettext("The record changed while you were looking: both versions are kept, choose here."),
            "error",
        )
        return redirect(
            url_for("teams.conflict", slug=team.slug, collection="records", document_id=found["id"])
        )
    else:
        flash(
            " ".join(translated(m) for messages in result.get("errors", {}).values() for m in messages),
            "error",
        )
    return redirect(url_for("teams.record", slug=team.slug, record_id=found["id"]))


@bp.get("/records/<record_id>/correct")
@login_required
def correct_record(slug, record_id, correct_form=None, errors=None, answers=None):
    """Show a record's answers in its form version, as the phone's own form, to correct them with a reason.

    The phone's renderer (static/js/form/render.js, through record-edit.js)
    draws the questions from the definition in a JSON data block; the server
    checks the answers as it checks a phone's push. The rev the page was
    loaded on goes with the correction as its base.
    """
    team, _ = team_for(slug, "coordinator")
    found = team_document(team, "records", record_id)
    labels = subject_labels(team)
    words = Words(team, labels, {})
    definition = words.definition(found["form"], found["form_version"])
    if found["deleted"] or definition is None:
        flash(
            "This record is deleted: it cannot be corrected."
            if found["deleted"]
            else f"Version {found['form_version']} of this form is not on the server: it cannot be corrected here.",
            "error",
        )
        return redirect(url_for("teams.record", slug=team.slug, record_id=found["id"]))
    return render_template(
        "teams/record_correct.html",
        team=team,
        record=found,
        definition=definition,
        about=words.value(found, "subject_id", found["subject_id"]) if found["subject_id"] else None,
        answers=found["data"] if answers is None else answers,
        errors=errors or {},
        form=correct_form or CorrectRecordForm(formdata=None, base_rev=found["rev"]),
        stylesheets=STYLESHEETS,
    ), 400 if correct_form else 200


@bp.post("/records/<record_id>/correct")
@login_required
def save_correction(slug, record_id):
    """Save a correction as a new revision through the sync rules: applied, merged, or a conflict to choose."""
    team, membership = team_for(slug, "coordinator")
    found = team_document(team, "records", record_id)
    form = CorrectRecordForm()
    answers = parsed_answers(form.answers.data)
    if not form.validate() or answers is None:
        if answers is None and not form.answers.errors:
            form.answers.errors = ["The answers did not arrive as the form sent them: reload the page."]
        return correct_record(slug, record_id, correct_form=form, answers=answers)
    if found["deleted"]:
        flash(gettext("This record was deleted while you were correcting it: nothing was saved."), "error")
        return redirect(url_for("teams.record", slug=team.slug, record_id=found["id"]))
    result = web_edits.correct_record(
        team, current_user, membership.role, found, form.base_rev.data, answers, form.reason.data
    )
    if result["status"] == "rejected":
        return correct_record(slug, record_id, correct_form=form, errors=result["errors"], answers=answers)
    if result["status"] == "conflict":
        flash(
            gettext(
                "Someone changed the same answers while you were correcting them: both versions are kept, choose here."
            ),
            "error",
        )
        return redirect(
            url_for("teams.conflict", slug=team.slug, collection="records", document_id=found["id"])
        )
    flash(
        gettext("The correction is saved. Phones receive it at their next sync; the history shows why."),
        "info",
    )
    return redirect(url_for("teams.record", slug=team.slug, record_id=found["id"]))


def parsed_answers(text):
    """Return the answers the correction page sent (a JSON object), or None when they are not one."""
    try:
        answers = json.loads(text or "")
    except ValueError:
        return None
    return answers if isinstance(answers, dict) else None


def team_subject_kind(team, subject_id):
    """Return the kind of one of the team's subjects, or None."""
    return db.session.scalar(
        sa.select(documents.c.kind).where(
            documents.c.team_id == team.id, documents.c.collection == "subjects", documents.c.id == subject_id
        )
    )


PIPED = re.compile(r"\$\{([a-z][a-z0-9_]*)\}")


def item_answers(repeat, items, data=None):
    """Return [(label, words, photo)] of a repeat's items: "Household member 2: Age", item by item."""
    rows = [(repeat["label"], answer_words(repeat, items), None)]
    questions = answer_fields(repeat)
    for number, item in enumerate(items, 1):
        item = item if isinstance(item, dict) else {}
        for question in questions:
            value = item.get(question["name"])
            if question["type"] == "note" or value is None:
                continue
            photo = value.get("sha256") if question["type"] == "photo" and isinstance(value, dict) else None
            # "How old is ${member_name}?" reads as the phone showed it: "How old is Cy?".
            read = {**(data or {}), **item}
            asked = PIPED.sub(lambda m, read=read: plain(read.get(m[1], "…")), question["label"])
            label = f"{repeat['label']} {number}: {asked}"
            rows.append((label, answer_words(question, value), photo))
    return rows


def answers_of(words, state):
    """Return [(label, answer in words, photo sha256 or None)] of a record, in its form version's order."""
    questions = words.questions(state)
    data = state["data"]
    answers = []
    for name, question in questions.items():
        value = data.get(name)
        # A question the phone did not show (its show_if was false) has no answer to list.
        if question["type"] == "note" or (value is None and question.get("show_if")):
            continue
        if question["type"] == "repeat" and isinstance(value, list):
            answers += item_answers(question, value, data)
            continue
        photo = value.get("sha256") if question["type"] == "photo" and isinstance(value, dict) else None
        answers.append((question["label"], words.value(state, ("data", name), value), photo))
    answers += [(humanise(name), plain(value), None) for name, value in data.items() if name not in questions]
    return answers
