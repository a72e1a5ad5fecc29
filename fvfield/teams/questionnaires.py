"""The team's forms (questionnaires): their list, versions, old versions and previews; new forms.

Editing a form's next version is in form_editor.py. A preview is the phone's
own renderer (static/js/form/render.js) given the definition in a JSON data
block, on a page with the phone's stylesheets: there is no second renderer.
"""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from fvfield.accounts.access import team_for
from fvfield.audit import record_event
from fvfield.errors import translated
from fvfield.extensions import begin_write, db
from fvfield.field.precache import STYLESHEETS
from fvfield.models import User
from fvfield.questionnaires import describe_changes, editing, load_template
from fvfield.questionnaires.built_in import TEMPLATE_IDS
from fvfield.questionnaires.changes import range_text
from fvfield.questionnaires.rules import rule_words
from fvfield.sync import drafts
from fvfield.sync.documents import documents, form_versions
from fvfield.teams import bp
from fvfield.teams.editor_forms import TYPE_WORDS, NewFormForm, options, short


def record_counts(team_id):
    """Return {(form id, version): number of live records} of a team."""
    rows = db.session.execute(
        sa.select(documents.c.form, documents.c.form_version, sa.func.count())
        .where(
            documents.c.team_id == team_id,
            documents.c.collection == "records",
            documents.c.deleted == sa.false(),
        )
        .group_by(documents.c.form, documents.c.form_version)
    )
    return {(form, version): count for form, version, count in rows}


def latest_definitions(team_id):
    """Return {form id: (version, definition, published_at)} of each form's latest version."""
    rows = db.session.execute(
        sa.select(
            form_versions.c.form_id,
            form_versions.c.version,
            form_versions.c.definition,
            form_versions.c.published_at,
        )
        .where(form_versions.c.team_id == team_id)
        .order_by(form_versions.c.form_id, form_versions.c.version)
    )
    return {
        form_id: (version, definition, published_at) for form_id, version, definition, published_at in rows
    }


def user_names(ids):
    """Return {user id: name} for these ids."""
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(ids))).all())


def forms_of(team):
    """Return the team's forms, published or only drafted, by title, with their numbers."""
    latest, drafted, counts = latest_definitions(team.id), drafts.drafts_of(team.id), record_counts(team.id)
    found = []
    for form_id in set(latest) | set(drafted):
        version, definition, published_at = latest.get(form_id, (None, None, None))
        draft = drafted.get(form_id)
        source = definition or draft.definition
        found.append(
            {
                "id": form_id,
                "title": source.get("title") or form_id,
                "version": version,
                "published_at": published_at,
                "draft": draft,
                "records": sum(n for (form, _), n in counts.items() if form == form_id),
            }
        )
    return sorted(found, key=lambda form: (str(form["title"]).casefold(), form["id"]))


def changes_in_words(old_definition, new_definition):
    """Return what a new version changes, as sentences in the page's language."""
    return [translated(sentence) for sentence in describe_changes(old_definition, new_definition)]


def question_words(question, definition):
    """Return short sentences that say what a question asks for: type, options, when it is asked."""
    kind = question.get("type")
    words = [str(TYPE_WORDS.get(kind, kind))]
    if question.get("required"):
        words.append(gettext("Required"))
    if kind in ("integer", "decimal", "scale") and ("min" in question or "max" in question):
        words.append(gettext("Range: %(range)s", range=range_text(question)))
    if question.get("max_length"):
        words.append(gettext("At most %(num)s characters", num=question["max_length"]))
    if isinstance(question.get("labels"), (list, dict)):
        labels = question["labels"]
        pairs = labels.items() if isinstance(labels, dict) else enumerate(labels, question.get("min", 0))
        words.append(
            gettext("Words: %(words)s", words="; ".join(f"{point} = {text}" for point, text in pairs))
        )
    if isinstance(question.get("choices"), list):
        labels = [c.get("label") or c.get("value") for c in question["choices"] if isinstance(c, dict)]
        words.append(gettext("Choices: %(choices)s", choices="; ".join(map(str, labels))))
    rule = question.get("show_if")
    if isinstance(rule, dict):
        controller = next(
            (f for f in editing.questions(definition) if f.get("name") == rule.get("field")),
            None,
        )
        # A draft's rule may name a question that was removed, or one without choices yet.
        try:
            words.append(gettext("Asked only when %(rule)s", rule=rule_words(rule, controller)))
        except (KeyError, TypeError, AttributeError):
            words.append(gettext("Asked only when '%(field)s' has certain answers", field=rule.get("field")))
    if kind in ("section", "repeat"):
        if question.get("relevant"):
            words.append(f"Asked only when {question['relevant']}")
        count = len(question.get("fields") or [])
        words.append(f"Holds {count} question{'' if count == 1 else 's'}")
    if kind == "repeat" and ("min_count" in question or "max_count" in question):
        low, high = question.get("min_count"), question.get("max_count")
        words.append(
            f"Items: {low if low is not None else 0} to {high if high is not None else 'any number'}"
        )
    return words


def versions_with_changes(team, form_id):
    """Return the form's versions, newest first, each with who published it and what it changed."""
    rows = drafts.published_versions(team.id, form_id)
    names = user_names(row.published_by for row in rows)
    counts = record_counts(team.id)
    found, previous = [], None
    for row in rows:
        found.append(
            {
                "version": row.version,
                "title": row.definition.get("title"),
                "published_at": row.published_at,
                "by": names.get(row.published_by),
                "records": counts.get((form_id, row.version), 0),
                "changes": changes_in_words(previous, row.definition) if previous else None,
            }
        )
        previous = row.definition
    return list(reversed(found))


def published_definition(team, form_id, version):
    """Return a published version's definition, or 404."""
    definition = db.session.scalar(
        sa.select(form_versions.c.definition).where(
            form_versions.c.team_id == team.id,
            form_versions.c.form_id == form_id,
            form_versions.c.version == version,
        )
    )
    if definition is None:
        abort(404, f"{team.name} has no version {version} of a form '{form_id}'.")
    return definition


def source_choices(team):
    """Return the choices of what a new form may start from: built-in forms and the team's own."""
    builtin = sorted((load_template(form_id) for form_id in TEMPLATE_IDS), key=lambda d: d["title"])
    own = [form for form in forms_of(team) if form["version"]]
    return options([(f"template:{d['id']}", d["title"]) for d in builtin], "Built-in forms") + options(
        [
            (
                f"form:{form['id']}",
                gettext(
                    "%(title)s (version %(version)s)", title=short(form["title"]), version=form["version"]
                ),
            )
            for form in own
        ],
        f"A copy of one of {team.name}'s forms",
    )


def source_definition(team, source):
    """Return the definition a new form starts from, given a source choice."""
    kind, _, form_id = source.partition(":")
    if kind == "template":
        return load_template(form_id, team.kind)
    latest = latest_definitions(team.id).get(form_id)
    return latest[1] if latest else None


@bp.get("/forms")
@login_required
def forms(slug):
    """List the team's forms with their current version and records."""
    team, _ = team_for(slug, "coordinator")
    return render_template("teams/forms/list.html", team=team, forms=forms_of(team))


@bp.route("/forms/new", methods=["GET", "POST"])
@login_required
def new_form(slug):
    """Start a new form from a built-in form or a copy of one of the team's forms."""
    team, _ = team_for(slug, "coordinator")
    form = NewFormForm()
    form.source.choices = source_choices(team)
    status = 200
    if form.is_submitted():
        begin_write(team.id)
        if form.validate():
            source = source_definition(team, form.source.data)
            form_id = form.form_id.data or editing.id_from(form.title.data)
            try:
                drafts.start_new_form(team, form_id, form.title.data.strip(), source, current_user)
            except (drafts.FormIdTaken, ValueError) as problem:
                form.form_id.errors.append(str(problem))
            else:
                record_event("form_draft_started", user=current_user, team=team, form=form_id)
                db.session.commit()
                flash(
                    gettext(
                        "Started the form '%(title)s'. Change it, preview it, then publish it.",
                        title=form.title.data.strip(),
                    ),
                    "success",
                )
                return redirect(url_for("teams.form_draft", slug=team.slug, form_id=form_id), 303)
        db.session.rollback()
        status = 400
    return render_template("teams/forms/new.html", team=team, form=form), status


@bp.get("/forms/<form_id>")
@login_required
def form_versions_page(slug, form_id):
    """Show a form: its versions with what each changed, and its draft."""
    team, _ = team_for(slug, "coordinator")
    versions = versions_with_changes(team, form_id)
    draft = drafts.draft_of(team.id, form_id)
    if not versions and draft is None:
        abort(404, f"{team.name} has no form '{form_id}'.")
    title = versions[0]["title"] if versions else draft.definition.get("title")
    pending = None
    if draft is not None and versions:
        latest = published_definition(team, form_id, versions[0]["version"])
        pending = changes_in_words(latest, draft.definition)
    names = user_names([draft.updated_by] if draft else [])
    return render_template(
        "teams/forms/form.html",
        team=team,
        form_id=form_id,
        title=title,
        versions=versions,
        draft=draft,
        pending=pending,
        editor=names.get(draft.updated_by) if draft else None,
        records=sum(v["records"] for v in versions),
    )


@bp.get("/forms/<form_id>/versions/<int:version>")
@login_required
def form_version(slug, form_id, version):
    """Show one published version of a form, question by question."""
    team, _ = team_for(slug, "coordinator")
    definition = published_definition(team, form_id, version)
    row = next(v for v in versions_with_changes(team, form_id) if v["version"] == version)
    return render_template(
        "teams/forms/version.html",
        team=team,
        form_id=form_id,
        definition=definition,
        version=row,
        questions=[(q, question_words(q, definition)) for q in editing.questions(definition)],
    )


def show_preview(team, definition, heading, back, back_label):
    """Render a definition on a phone-like page, by the phone's own form renderer."""
    return render_template(
        "teams/forms/preview.html",
        team=team,
        definition=definition,
        heading=heading,
        back=back,
        back_label=back_label,
        stylesheets=STYLESHEETS,
    )


@bp.get("/forms/<form_id>/versions/<int:version>/preview")
@login_required
def preview_version(slug, form_id, version):
    """Preview a published version as a phone shows it."""
    team, _ = team_for(slug, "coordinator")
    definition = published_definition(team, form_id, version)
    back = url_for("teams.form_version", slug=team.slug, form_id=form_id, version=version)
    return show_preview(
        team,
        definition,
        gettext("Version %(version)s", version=version),
        back,
        gettext("Back to version %(version)s", version=version),
    )


@bp.get("/forms/<form_id>/draft/preview")
@login_required
def preview_draft(slug, form_id):
    """Preview the draft as a phone would show it once published."""
    team, _ = team_for(slug, "coordinator")
    draft = drafts.draft_of(team.id, form_id)
    if draft is None:
        abort(404, f"There is no draft of the form '{form_id}'.")
    back = url_for("teams.form_draft", slug=team.slug, form_id=form_id)
    return show_preview(
        team,
        draft.definition,
        gettext("Draft of version %(version)s", version=draft.definition.get("version")),
        back,
        gettext("Back to the draft"),
    )
