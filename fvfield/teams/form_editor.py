"""The form editor: coordinators change a form's draft question by question, then publish it.

Every change is a POST that carries the draft's rev: an edit made on a page
older than someone else's save is refused (drafts.DraftChanged) rather
than undoing theirs. Every POST takes the write lock first, so publishing
queues behind the phones' pushes. Publishing validates the draft with the
questionnaire module and nothing is published while it has problems.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from fvfield.accounts.access import team_for
from fvfield.audit import record_event
from fvfield.errors import translated
from fvfield.extensions import begin_write, db
from fvfield.questionnaires import editing
from fvfield.sync import drafts
from fvfield.sync.errors import InvalidDefinition
from fvfield.teams import bp
from fvfield.teams.confirming import confirmation, confirmed
from fvfield.teams.editor_forms import (
    LISTED_RULE_TYPES,
    OPTION_TYPES,
    SUBJECT_KINDS,
    AddQuestionForm,
    DraftAction,
    TitleForm,
    answers_of,
    options,
    parent_of,
    question_form,
    question_from,
    rule_option,
    short,
)
from fvfield.teams.questionnaires import changes_in_words, published_definition, question_words, user_names


def draft_or_404(team, form_id):
    """Return the draft of a team's form, or 404."""
    draft = drafts.draft_of(team.id, form_id)
    if draft is None:
        abort(404, f"There is no draft of the form '{form_id}'. It may have been published or discarded.")
    return draft


def question_or_404(draft, name):
    """Return the draft's question with this name, or 404."""
    index = editing.index_of(draft.definition, name)
    if index is None:
        abort(404, f"The draft has no question '{name}'. It may have been removed or renamed.")
    return editing.questions(draft.definition)[index]


def to_draft(team, form_id, anchor=None):
    """Redirect to the draft page (at a question when `anchor` is given)."""
    url = url_for("teams.form_draft", slug=team.slug, form_id=form_id)
    return redirect(f"{url}#{anchor}" if anchor else url, 303)


def refused_as_stale(team, form_id):
    """Say that someone saved the draft meanwhile, and go back to its latest state."""
    db.session.rollback()
    flash(
        gettext(
            "Someone else changed this draft since you opened the page, so nothing was saved. Here is "
            "the latest draft: make your change again."
        ),
        "error",
    )
    return to_draft(team, form_id)


def problems_by_question(errors, definition=None):
    """Split a definition's problems into those of the whole form and those of each question.

    A problem's path (fields.3, or fields.3.fields.1 inside a section) says
    its question: keyed by that question's place among all (from 0), as
    editing.index_of counts.
    """
    general, per_question = [], {}
    every = editing.questions(definition) if definition is not None else None
    for path, messages in errors.items():
        parts = path.split(".")
        chain = []
        while len(parts) >= 2 and parts[0] == "fields" and parts[1].isdigit():
            chain.append(int(parts[1]))
            parts = parts[2:]
        question = question_at(definition, chain) if chain and every is not None else None
        if question is not None:
            index = next(i for i, q in enumerate(every) if q is question)
            per_question.setdefault(index, []).extend(messages)
        elif chain and every is None:
            per_question.setdefault(chain[0], []).extend(messages)
        else:
            general.extend(messages)
    return general, per_question


def question_at(definition, chain):
    """Return the question at a chain of indexes (fields.3.fields.1 is [3, 1]), or None."""
    fields, found = definition.get("fields"), None
    for index in chain:
        if (
            not isinstance(fields, list)
            or not 0 <= index < len(fields)
            or not isinstance(fields[index], dict)
        ):
            return found
        found = fields[index]
        fields = found.get("fields")
    return found


def published_names(team, form_id):
    """Return the names of the questions of every published version of a form."""
    names = set()
    for row in drafts.published_versions(team.id, form_id):
        names.update(f.get("name") for f in editing.questions(row.definition))
    return names


def show_draft(team, draft, title_form=None, add_form=None, errors=None, status=200):
    """Render the draft page: problems, what it changes, the title and every question."""
    definition = draft.definition
    errors = drafts.draft_problems(draft) if errors is None else errors
    general, per_question = problems_by_question(errors, definition)
    base = published_definition(team, draft.form_id, draft.base_version) if draft.base_version else None
    fixed = published_names(team, draft.form_id)
    placed = editing.placed(definition)
    questions = [
        {
            "index": index,
            "field": field,
            "name": field.get("name"),
            "words": question_words(field, definition),
            "problems": per_question.get(index, []),
            "published": field.get("name") in fixed,
            "depth": depth,
            "inside": parent,
        }
        for index, (field, depth, parent) in enumerate(placed)
    ]
    # Up and down move a question within its own list (the form's, a section's or a repeat's).
    for question in questions:
        siblings = [q for q in questions if q["inside"] is question["inside"]]
        question["first"], question["last"] = siblings[0] is question, siblings[-1] is question
    if title_form is None:
        title_form = TitleForm(
            formdata=None,
            data={
                "rev": draft.rev,
                "title": definition.get("title", ""),
                "subject_kind": definition.get("subject_kind") or "",
            },
        )
    kinds = dict(SUBJECT_KINDS)
    current_kind = definition.get("subject_kind") or ""
    title_form.subject_kind.choices = options(
        list(SUBJECT_KINDS) + ([(current_kind, current_kind)] if current_kind not in kinds else [])
    )
    if add_form is None:
        add_form = AddQuestionForm(formdata=None, data={"rev": draft.rev})
    add_form.position.choices = options(
        [("", gettext("At the end")), ("0", gettext("At the start"))]
        + [
            (
                f"after:{q['name']}",
                gettext(
                    "After %(number)s. %(question)s",
                    number=q["index"] + 1,
                    question=short(q["field"].get("label") or q["name"], 50),
                )
                + (f" (in '{short(q['inside'].get('label') or '', 30)}')" if q["inside"] else ""),
            )
            for q in questions
        ]
        + [
            (f"in:{q['name']}", f"Inside '{short(q['field'].get('label') or q['name'], 50)}', at its end")
            for q in questions
            if q["field"].get("type") in ("section", "repeat")
        ]
    )
    names = user_names([draft.started_by, draft.updated_by])
    return render_template(
        "teams/forms/draft.html",
        team=team,
        draft=draft,
        definition=definition,
        questions=questions,
        general=general,
        problem_count=sum(len(m) for m in errors.values()),
        changes=changes_in_words(base, definition) if base else None,
        title_form=title_form,
        add_form=add_form,
        started_by=names.get(draft.started_by),
        updated_by=names.get(draft.updated_by),
    ), status


@bp.post("/forms/<form_id>/draft")
@login_required
def start_editing(slug, form_id):
    """Start the draft of a form's next version (or carry on with the one there is)."""
    team, _ = team_for(slug, "coordinator")
    begin_write(team.id)
    if drafts.draft_of(team.id, form_id) is None:
        try:
            drafts.start_draft(team, form_id, current_user)
        except LookupError as missing:
            abort(404, str(missing))
        record_event("form_draft_started", user=current_user, team=team, form=form_id)
        db.session.commit()
    return to_draft(team, form_id)


@bp.get("/forms/<form_id>/draft")
@login_required
def form_draft(slug, form_id):
    """Show the draft of a form's next version, to change, preview and publish."""
    team, _ = team_for(slug, "coordinator")
    draft = drafts.draft_of(team.id, form_id)
    if draft is None:
        if drafts.latest_version(team.id, form_id) is None:
            abort(404, f"{team.name} has no form '{form_id}'.")
        return redirect(url_for("teams.form_versions_page", slug=team.slug, form_id=form_id), 303)
    return show_draft(team, draft)


@bp.post("/forms/<form_id>/draft/title")
@login_required
def draft_title(slug, form_id):
    """Change the draft's title and what its records are about."""
    team, _ = team_for(slug, "coordinator")
    begin_write(team.id)
    draft = draft_or_404(team, form_id)
    form = TitleForm()
    form.subject_kind.choices = options(
        list(SUBJECT_KINDS) + [(draft.definition.get("subject_kind") or "", "")]
    )
    if not form.validate():
        return show_draft(team, draft, title_form=form, status=400)
    definition = {**draft.definition, "title": form.title.data.strip()}
    definition.pop("subject_kind", None)
    if form.subject_kind.data:
        definition["subject_kind"] = form.subject_kind.data
    try:
        drafts.save_draft(draft, definition, form.rev.data, current_user)
    except drafts.DraftChanged:
        return refused_as_stale(team, form_id)
    db.session.commit()
    flash(gettext("Saved the title."), "success")
    return to_draft(team, form_id)


def insert_position(definition, position):
    """Return where a new question goes (editing.insert_question): None for the end, 0, after:…, in:…."""
    if position == "0":
        return 0
    if position.startswith(("after:", "in:")):
        return position if editing.index_of(definition, position.split(":", 1)[1]) is not None else None
    return None


@bp.post("/forms/<form_id>/draft/questions")
@login_required
def add_question(slug, form_id):
    """Add a question to the draft, then open its page for the rest."""
    team, _ = team_for(slug, "coordinator")
    begin_write(team.id)
    draft = draft_or_404(team, form_id)
    form = AddQuestionForm()
    form.position.choices = options([(request.form.get("position", ""), "")])
    if not form.validate():
        return show_draft(team, draft, add_form=form, status=400)
    label = form.label.data.replace("\r\n", "\n").strip()
    definition = draft.definition
    name = editing.name_from(label, drafts.names_used(team.id, form_id, definition))
    question = editing.new_question(form.kind.data, label, name)
    definition = editing.insert_question(
        definition, question, insert_position(definition, form.position.data)
    )
    try:
        drafts.save_draft(draft, definition, form.rev.data, current_user)
    except drafts.DraftChanged:
        return refused_as_stale(team, form_id)
    db.session.commit()
    flash(gettext("Added the question '%(label)s'. Set its details below.", label=short(label)), "success")
    return redirect(url_for("teams.draft_question", slug=team.slug, form_id=form_id, name=name), 303)


def show_question(team, draft, question, form, status=200):
    """Render a question's page with its problems in the draft."""
    definition = draft.definition
    index = editing.index_of(definition, question.get("name"))
    _, per_question = problems_by_question(drafts.draft_problems(draft), definition)
    base = published_definition(team, draft.form_id, draft.base_version) if draft.base_version else {}
    old = next((f for f in editing.questions(base) if f.get("name") == question.get("name")), {})
    return render_template(
        "teams/forms/question.html",
        team=team,
        draft=draft,
        question=question,
        form=form,
        number=index + 1,
        problems=per_question.get(index, []),
        fixed_name=question.get("name") in published_names(team, draft.form_id),
        fixed_values={c.get("value") for c in old.get("choices") or [] if isinstance(c, dict)},
        rule_groups=[
            (c, [(rule_option(c["name"], answer), words) for answer, words in answers_of(c)])
            for c in form.controllers
            if c.get("type") in LISTED_RULE_TYPES
        ],
        typed_controllers=[c for c in form.controllers if c.get("type") not in LISTED_RULE_TYPES],
        option_types=OPTION_TYPES,
    ), status


@bp.route("/forms/<form_id>/draft/questions/<name>", methods=["GET", "POST"])
@login_required
def draft_question(slug, form_id, name):
    """Show or save everything about one question of the draft."""
    team, _ = team_for(slug, "coordinator")
    if request.method == "POST":
        begin_write(team.id)
    draft = draft_or_404(team, form_id)
    question = question_or_404(draft, name)
    if request.method == "GET":
        form = question_form(question, draft.definition)
        form.rev.data = draft.rev
        return show_question(team, draft, question, form)
    form = question_form(question, draft.definition, request.form)
    if str(form.rev.data) != str(draft.rev):
        return refused_as_stale(team, form_id)
    form.validate()
    fixed = name in published_names(team, form_id)
    changed = question_from(form, question, draft.definition, fixed_name=fixed)
    if changed is None:
        return show_question(team, draft, question, form, status=400)
    definition = editing.replace_question(draft.definition, name, changed)
    within = form.within.data or None
    if within != (parent_of(definition, changed["name"]) or {}).get("name"):
        definition = editing.move_into(definition, changed["name"], within)
    drafts.save_draft(draft, definition, form.rev.data, current_user)
    db.session.commit()
    _, per_question = problems_by_question(drafts.draft_problems(draft), definition)
    if per_question.get(editing.index_of(definition, changed["name"])):
        flash(
            gettext("Saved. This question still has a problem to fix before the form can be published."),
            "error",
        )
        return redirect(
            url_for("teams.draft_question", slug=team.slug, form_id=form_id, name=changed["name"]), 303
        )
    flash(gettext("Saved the question '%(changed)s'.", changed=short(changed["label"])), "success")
    return to_draft(team, form_id, f"q-{changed['name']}")


def change_question(slug, form_id, name, change, say, anchor=None):
    """Apply a button's change to a question of the draft, flash what `say(question, definition)` returns."""
    team, _ = team_for(slug, "coordinator")
    begin_write(team.id)
    draft = draft_or_404(team, form_id)
    question = question_or_404(draft, name)
    form = DraftAction()
    if not form.validate():
        abort(400, "The button's form was incomplete; reload the page and try again.")
    try:
        drafts.save_draft(draft, change(draft.definition), form.rev.data, current_user)
    except drafts.DraftChanged:
        return refused_as_stale(team, form_id)
    db.session.commit()
    flash(*say(question, draft.definition))
    return to_draft(team, form_id, anchor)


@bp.post("/forms/<form_id>/draft/questions/<name>/move")
@login_required
def move_question(slug, form_id, name):
    """Move a question one place up or down."""
    by = {"up": -1, "down": 1}.get(request.form.get("direction"))
    if by is None:
        abort(400, "Say whether to move the question up or down.")

    def say(question, definition):
        """Say which question moved where."""
        label = short(question.get("label") or name)
        if by < 0:
            return gettext("Moved '%(label)s' up.", label=label), "success"
        return gettext("Moved '%(label)s' down.", label=label), "success"

    return change_question(
        slug, form_id, name, lambda d: editing.move_question(d, name, by), say, f"q-{name}"
    )


@bp.post("/forms/<form_id>/draft/questions/<name>/remove")
@login_required
def remove_question(slug, form_id, name):
    """Remove a question from the draft (earlier versions and their records keep it)."""

    def say(question, definition):
        """Say what was removed, and which questions hung on it."""
        message = gettext(
            "Removed '%(label)s'. Records made with earlier versions keep its answers.",
            label=short(question.get("label") or name),
        )
        waiting = editing.dependants(definition, name)
        if not waiting:
            return message, "success"
        listed = "; ".join(f"'{short(label)}'" for label in waiting)
        return (
            message
            + " "
            + gettext(
                "These questions were asked only after it: choose when to ask them: %(listed)s.",
                listed=listed,
            ),
            "error",
        )

    if not confirmed():
        return confirm_removal(slug, form_id, name)
    return change_question(slug, form_id, name, lambda d: editing.remove_question(d, name), say)


def confirm_removal(slug, form_id, name):
    """Ask before a question leaves the draft: the page says what goes, the same POST with confirmed=yes acts."""
    team, _ = team_for(slug, "coordinator")
    draft = draft_or_404(team, form_id)
    question = question_or_404(draft, name)
    form = DraftAction()
    if not form.validate():
        abort(400, "The button's form was incomplete; reload the page and try again.")
    if str(form.rev.data) != str(draft.rev):
        return refused_as_stale(team, form_id)
    label = short(question.get("label") or name)
    details = [
        gettext("The question, its choices and its rules leave this draft."),
        gettext("Records made with earlier versions keep its answers."),
    ]
    waiting = editing.dependants(draft.definition, name)
    if waiting:
        details.append(
            gettext(
                "These questions are asked only after it, and will need a new rule: %(listed)s.",
                listed="; ".join(f"'{short(words)}'" for words in waiting),
            )
        )
    return confirmation(
        team,
        gettext("Remove the question '%(label)s'?", label=label),
        details,
        gettext("Yes, remove the question"),
        url_for("teams.remove_question", slug=team.slug, form_id=form_id, name=name),
        url_for("teams.form_draft", slug=team.slug, form_id=form_id, _anchor=f"q-{name}"),
        hidden={"rev": draft.rev},
        active="teams.forms",
    )


@bp.post("/forms/<form_id>/draft/publish")
@login_required
def publish_draft(slug, form_id):
    """Publish the draft as the form's next version, which phones receive at their next sync."""
    team, _ = team_for(slug, "coordinator")
    begin_write(team.id)
    draft = drafts.draft_of(team.id, form_id)
    if draft is None:
        flash(gettext("There is no draft to publish: it may have been published already."), "error")
        return redirect(url_for("teams.forms", slug=team.slug), 303)
    form = DraftAction()
    if not form.validate():
        abort(400, "The button's form was incomplete; reload the page and try again.")
    if str(form.rev.data) != str(draft.rev):
        return refused_as_stale(team, form_id)
    title = draft.definition.get("title")
    try:
        version = drafts.publish_draft(team, draft, current_user)
    except InvalidDefinition as invalid:
        db.session.rollback()
        flash(gettext("Nothing was published: fix the problems below first."), "error")
        return show_draft(team, drafts.draft_of(team.id, form_id), errors=invalid.errors, status=400)
    except drafts.DraftOutdated as outdated:
        db.session.rollback()
        flash(translated(outdated.args[0]), "error")
        return redirect(url_for("teams.form_versions_page", slug=team.slug, form_id=form_id), 303)
    record_event("form_published", user=current_user, team=team, form=form_id, version=version)
    db.session.commit()
    flash(
        gettext(
            "Published version %(version)s of '%(title)s'. Phones receive it at their next sync; "
            "records made with earlier versions keep their version.",
            version=version,
            title=short(title),
        ),
        "success",
    )
    return redirect(url_for("teams.form_versions_page", slug=team.slug, form_id=form_id), 303)


@bp.post("/forms/<form_id>/draft/discard")
@login_required
def discard_draft(slug, form_id):
    """Throw the draft away; the published versions stay as they are."""
    team, _ = team_for(slug, "coordinator")
    begin_write(team.id)
    draft = draft_or_404(team, form_id)
    form = DraftAction()
    if not form.validate():
        abort(400, "The button's form was incomplete; reload the page and try again.")
    if str(form.rev.data) != str(draft.rev):
        return refused_as_stale(team, form_id)
    published = draft.base_version is not None
    if not confirmed():
        db.session.rollback()
        title = draft.definition.get("title") or form_id
        return confirmation(
            team,
            f"Discard the draft of '{title}'?",
            [
                "Every change made in this draft is lost, and cannot be brought back.",
                "The published versions stay as they are." if published else "The form was never published.",
            ],
            "Yes, discard the draft",
            url_for("teams.discard_draft", slug=team.slug, form_id=form_id),
            url_for("teams.form_draft", slug=team.slug, form_id=form_id),
            hidden={"rev": draft.rev},
            active="teams.forms",
        )
    db.session.delete(draft)
    record_event("form_draft_discarded", user=current_user, team=team, form=form_id)
    db.session.commit()
    flash("Discarded the draft." + (" The published versions are unchanged." if published else ""), "success")
    if published:
        return redirect(url_for("teams.form_versions_page", slug=team.slug, form_id=form_id), 303)
    return redirect(url_for("teams.forms", slug=team.slug), 303)
