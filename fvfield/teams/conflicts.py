"""The conflicts queue, and a coordinator's choice between versions, field by field.

A conflict is a change a phone made on an older rev that touched fields
changed since: the push logic kept it as a conflicting revision beside the
current state. Here the coordinator sees, for each field that conflicting
revision changed, the current value and its value, and chooses. The choice
is saved through the push logic as a new revision (base_rev the current
rev, resolves_conflict), which clears has_conflict; phones receive it at
their next pull. The conflicting revisions shown are marked resolved in
conflict_resolutions (web_edits.resolve_conflict).
"""

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from fvfield.accounts.access import team_for
from fvfield.errors import translated
from fvfield.extensions import db
from fvfield.formatting import stamp
from fvfield.sync import web_edits
from fvfield.sync.documents import ATTRIBUTES, documents
from fvfield.sync.merge import fields
from fvfield.teams import bp
from fvfield.teams.forms import conflict_choice_form
from fvfield.teams.history import device_words, field_order
from fvfield.teams.store import parsed, subject_labels, team_document, user_names
from fvfield.teams.words import Words

CURRENT = "current"


def conflicted(team):
    """Return the team's records and subjects that wait for a choice, the longest waiting first."""
    rows = db.session.execute(
        sa.select(documents)
        .where(
            documents.c.team_id == team.id,
            documents.c.has_conflict == sa.true(),
            documents.c.collection.in_(("records", "subjects")),
        )
        .order_by(documents.c.updated_at, documents.c.pk)
    ).all()
    return [parsed(row) for row in rows]


def choices_for(team, current):
    """Return (rivals, choices): the open conflicting revisions and, per field they changed, the versions.

    Each choice is {"field", "label", "options": [(key, value, value in words, who)]}, the current value first.
    """
    rivals = [parsed(row) for row in web_edits.open_conflicts(team.id, current["collection"], current["id"])]
    people = user_names({current["author"]} | {r["user_id"] for r in rivals})
    words = Words(team, subject_labels(team), people)
    collection, now = current["collection"], fields(current["collection"], current)
    options, order = {}, field_order(words, current)
    for number, rival in enumerate(rivals):
        base = web_edits.state_at(team.id, current["id"], rival["base_rev"]) if rival["base_rev"] else None
        theirs = fields(collection, rival)
        who = gettext(
            "%(name)s's version, from %(device)s, %(when)s",
            name=words.person(rival["user_id"]),
            device=device_words(rival),
            when=stamp(rival["created_at"]),
        )
        for name in web_edits.conflicting_fields(current, rival, base):
            options.setdefault(name, []).append(
                (f"rival-{number}", theirs.get(name), words.value(rival, name, theirs.get(name)), who)
            )
    choices = []
    for name in sorted(options, key=order):
        value = now.get(name)
        mine = (
            CURRENT,
            value,
            words.value(current, name, value),
            gettext("Current version (rev %(rev)s)", rev=current["rev"]),
        )
        choices.append(
            {"field": name, "label": words.label(current, name), "options": [mine] + options[name]}
        )
    return rivals, choices, words


def problem_words(words, document, errors):
    """Return why the push logic refused a choice, as sentences naming the fields."""
    attributes = ATTRIBUTES[document["collection"]]
    found = []
    for name, messages in errors.items():
        text = " ".join(messages)
        if name == "_":
            found.append(text)
        else:
            found.append(f"{words.label(document, name if name in attributes else ('data', name))}: {text}")
    return found


def page_of(team, document):
    """Return the address of a record's or subject's own page."""
    if document["collection"] == "records":
        return url_for("teams.record", slug=team.slug, record_id=document["id"])
    return url_for("teams.subject", slug=team.slug, subject_id=document["id"])


@bp.get("/conflicts")
@login_required
def conflicts(slug):
    """List the records and subjects with a conflict waiting for a choice."""
    team, _ = team_for(slug, "coordinator")
    waiting = conflicted(team)
    return render_template(
        "teams/conflicts.html",
        team=team,
        waiting=waiting,
        words=Words(team, subject_labels(team)),
        page_of=lambda document: page_of(team, document),
    )


@bp.route("/conflicts/<any(records, subjects):collection>/<document_id>", methods=["GET", "POST"])
@login_required
def conflict(slug, collection, document_id):
    """Show a conflict field by field and save the coordinator's choice as a new revision."""
    team, membership = team_for(slug, "coordinator")
    current = team_document(team, collection, document_id)
    if not current["has_conflict"]:
        flash(gettext("There is no conflict waiting here: someone resolved it already."), "info")
        return redirect(page_of(team, current))
    rivals, choices, words = choices_for(team, current)
    seen = [rival["change_id"] for rival in rivals]
    form = conflict_choice_form(
        [([(o[0], o[0]) for o in c["options"]], CURRENT) for c in choices], current["rev"], seen
    )()
    problems = []
    if form.validate_on_submit():
        if form.rev.data != current["rev"] or form.seen_changes.data.split(",") != seen:
            flash(gettext("This changed while you were choosing: look at it again."), "error")
            return redirect(
                url_for("teams.conflict", slug=team.slug, collection=collection, document_id=current["id"])
            )
        chosen = {}
        for number, choice in enumerate(choices):
            key = form[f"field_{number}"].data
            chosen[choice["field"]] = next(o[1] for o in choice["options"] if o[0] == key)
        try:
            result = web_edits.resolve_conflict(team, current_user, membership.role, current, seen, chosen)
        except web_edits.ConflictMoved as moved:
            flash(translated(moved.args[0]), "error")
            return redirect(
                url_for("teams.conflict", slug=team.slug, collection=collection, document_id=current["id"])
            )
        if result["status"] == "applied":
            flash(
                gettext(
                    "Your choice is saved as rev %(rev)s. Phones get it at their next sync.",
                    rev=result["rev"],
                ),
                "info",
            )
            return redirect(page_of(team, current))
        problems = problem_words(words, current, result.get("errors", {}))
    return render_template(
        "teams/conflict.html",
        team=team,
        document=current,
        rivals=rivals,
        choices=choices,
        form=form,
        words=words,
        problems=problems,
        back=page_of(team, current),
    ), 400 if form.errors or problems else 200
