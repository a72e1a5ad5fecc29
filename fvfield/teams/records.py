"""The records browser (filtered by form, subject, author and dates) and a record's page with its whole history."""

import json
from datetime import timedelta

import sqlalchemy as sa
from flask import render_template, request
from flask_login import login_required

from fvfield.accounts.access import team_for
from fvfield.extensions import db
from fvfield.models import Document, Membership, User
from fvfield.sync.documents import documents
from fvfield.teams import bp
from fvfield.teams.concerns import raised_concern, resolution_of
from fvfield.teams.forms import RecordFilterForm, options
from fvfield.teams.history import document_history
from fvfield.teams.store import (
    SUBJECT_KINDS,
    state_of,
    subject_labels,
    subjects_of,
    team_document,
    user_names,
)
from fvfield.teams.words import Words, humanise, plain

PER_PAGE = 50


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


def people_of(team):
    """Return [(user id, name)] of the team's members and of anyone who recorded in it, by name."""
    members = db.session.execute(
        sa.select(User.id, User.name).join(Membership).where(Membership.team_id == team.id)
    ).all()
    authors = db.session.scalars(
        sa.select(documents.c.author)
        .distinct()
        .where(documents.c.team_id == team.id, documents.c.collection == "records")
    ).all()
    found = dict(members) | user_names(set(authors) - {m.id for m in members})
    return sorted(found.items(), key=lambda pair: pair[1].casefold())


def filters_for(team):
    """Return the filter form read from the query string, with the team's choices."""
    filters = RecordFilterForm(request.args)
    filters.form.choices = options([("", "Every form")] + form_titles(team))
    filters.subject.choices = options(
        [("", "Anyone or anything")]
        + [
            (
                s["id"],
                f"{s['label']} ({SUBJECT_KINDS.get(s['kind'], s['kind']).lower()}"
                f"{', archived' if s['deleted'] else ''})",
            )
            for s in subjects_of(team)
        ]
    )
    filters.author.choices = options([("", "Anyone")] + people_of(team))
    return filters


def filtered(team, filters):
    """Return the query of the team's records that the filters ask for, newest first."""
    query = sa.select(Document).where(Document.team_id == team.id, Document.collection == "records")
    if filters.form.data:
        query = query.where(Document.form == filters.form.data)
    if filters.subject.data:
        query = query.where(Document.subject_id == filters.subject.data)
    if filters.author.data:
        query = query.where(Document.author == filters.author.data)
    # The day as the device saw it: the date part of recorded_at, before its offset.
    day = sa.func.substr(Document.recorded_at, 1, 10)
    if filters.start.data:
        query = query.where(day >= filters.start.data.isoformat())
    if filters.end.data:
        query = query.where(day < (filters.end.data + timedelta(days=1)).isoformat())
    if not filters.deleted.data:
        query = query.where(Document.deleted == sa.false())
    return query.order_by(Document.recorded_at.desc(), Document.pk.desc())


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
    query = filtered(team, filters) if valid else sa.select(Document).where(sa.false())
    page = db.paginate(query, per_page=PER_PAGE, max_per_page=PER_PAGE, error_out=False)
    rows = [state_of(document) for document in page.items]
    return render_template(
        "teams/records.html",
        team=team,
        filters=filters,
        page=page,
        rows=rows,
        titles=dict(form_titles(team)),
        labels=subject_labels(team),
        people=user_names({row["author"] for row in rows}),
        args={k: v for k, v in request.args.items() if k != "page" and v},
    ), 200 if valid else 400


@bp.get("/records/<record_id>")
@login_required
def record(slug, record_id):
    """Show a record: its answers in the words of its form version, who made it where, and its history."""
    team, _ = team_for(slug, "coordinator")
    found = team_document(team, "records", record_id)
    labels = subject_labels(team)
    history = document_history(team, found, labels)
    words = Words(team, labels, user_names({found["author"]}))
    definition = words.definition(found["form"], found["form_version"])
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
    )


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
        photo = value.get("sha256") if question["type"] == "photo" and isinstance(value, dict) else None
        answers.append((question["label"], words.value(state, ("data", name), value), photo))
    answers += [(humanise(name), plain(value), None) for name, value in data.items() if name not in questions]
    return answers
