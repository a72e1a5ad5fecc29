"""The form editor's translations: every text of a draft side by side, a column per language.

GET shows the draft's texts in its default language beside a box for each
other language (the ones it has, and one added with ?add=bn); POST saves
every box of the page at once, with the draft's rev like every editor page
(an edit made on a page older than someone else's save is refused).
"""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from fvfield.accounts.access import team_for
from fvfield.extensions import begin_write, db
from fvfield.i18n import language_name
from fvfield.questionnaires.translations import (
    MAX_LANGUAGES,
    is_language,
    languages_of,
    text_rows,
    with_words,
    words_at,
)
from fvfield.sync import drafts
from fvfield.teams import bp
from fvfield.teams.editor_forms import DraftAction
from fvfield.teams.form_editor import draft_or_404, refused_as_stale


def page_languages(definition, wanted=()):
    """Return the other languages the page has a column for: the draft's, then those asked for."""
    default = definition.get("default_language")
    found = [code for code in languages_of(definition) if code != default]
    for code in wanted:
        if is_language(code) and code != default and code not in found and len(found) < MAX_LANGUAGES:
            found.append(code)
    return found


def show_translations(team, draft, languages, form=None, problem=None, status=200):
    """Render the side-by-side table of the draft's texts."""
    definition = draft.definition
    form = form or DraftAction(formdata=None, data={"rev": draft.rev})
    rows = [
        (index, path, words, what, [words_at(definition, code, path) for code in languages])
        for index, (path, words, what) in enumerate(text_rows(definition))
    ]
    problems = [
        m
        for path, ms in drafts.draft_problems(draft).items()
        if "translations" in path or "language" in path
        for m in ms
    ]
    return render_template(
        "teams/forms/translations.html",
        team=team,
        draft=draft,
        definition=definition,
        default=definition.get("default_language") or "",
        languages=[(code, language_name(code)) for code in languages],
        rows=rows,
        form=form,
        problem=problem,
        problems=problems,
    ), status


@bp.get("/forms/<form_id>/draft/translations")
@login_required
def draft_translations(slug, form_id):
    """Show every text of the draft beside its translations."""
    team, _ = team_for(slug, "coordinator")
    draft = draft_or_404(team, form_id)
    added = request.args.get("add", "").strip()
    problem = None
    if added and not is_language(added):
        problem = f"'{added[:20]}' is not a language code: write one such as bn (Bengali), ur (Urdu) or so (Somali)."
    languages = page_languages(
        draft.definition, request.args.getlist("language") + ([added] if added else [])
    )
    return show_translations(team, draft, languages, problem=problem, status=400 if problem else 200)


@bp.post("/forms/<form_id>/draft/translations")
@login_required
def save_translations(slug, form_id):
    """Save the default language and every translated text of the page."""
    team, _ = team_for(slug, "coordinator")
    begin_write(team.id)
    draft = draft_or_404(team, form_id)
    form = DraftAction()
    languages = page_languages(draft.definition, request.form.getlist("language"))
    if not form.validate():
        return show_translations(team, draft, languages, form=form, status=400)
    if str(form.rev.data) != str(draft.rev):
        return refused_as_stale(team, form_id)
    default = request.form.get("default_language", "").strip()
    if default and not is_language(default):
        problem = f"'{default[:20]}' is not a language code: write the one of the plain texts, such as en."
        return show_translations(team, draft, languages, form=form, problem=problem, status=400)
    definition = dict(draft.definition)
    if default:
        definition["default_language"] = default
    else:
        definition.pop("default_language", None)
    rows = text_rows(definition)
    for number, code in enumerate(languages):
        if code == default:
            continue
        entries = [
            (path, request.form.get(f"t-{number}-{index}", "")) for index, (path, _, _) in enumerate(rows)
        ]
        definition = with_words(definition, code, entries)
    try:
        drafts.save_draft(draft, definition, form.rev.data, current_user)
    except drafts.DraftChanged:
        return refused_as_stale(team, form_id)
    db.session.commit()
    flash("Saved the translations.", "success")
    kept = [code for code in languages if code != default]
    return redirect(url_for("teams.draft_translations", slug=team.slug, form_id=form_id, language=kept), 303)
