"""Drafts of a team's forms: the next version, kept while edited, then published.

A draft holds a whole form definition (see fvfield/questionnaires) and may be
broken while a coordinator works on it: questionnaires.validate_definition
says what to fix, and publishing goes through sync.forms.publish_form_version,
which refuses a broken one. The edits themselves are questionnaires.editing.
"""

import copy

import sqlalchemy as sa

from fvfield.extensions import db
from fvfield.models import FormDraft, utcnow
from fvfield.problems import said
from fvfield.questionnaires import validate_definition
from fvfield.questionnaires.definitions import is_slug
from fvfield.questionnaires.editing import questions
from fvfield.sync.documents import form_versions
from fvfield.sync.forms import publish_form_version

# /forms/new is the page that starts a form, so no form may be called "new".
RESERVED_IDS = frozenset({"new"})


class DraftChanged(Exception):
    """Someone saved the draft after this page was opened: the edit would undo theirs."""


class DraftOutdated(Exception):
    """A version was published after the draft started from the one before it."""


class FormIdTaken(Exception):
    """The team already has a form, or a draft of one, with this id."""


def published_versions(team_id, form_id):
    """Return the rows (version, definition, published_at, published_by) of a form, oldest first."""
    return db.session.execute(
        sa.select(
            form_versions.c.version,
            form_versions.c.definition,
            form_versions.c.published_at,
            form_versions.c.published_by,
        )
        .where(form_versions.c.team_id == team_id, form_versions.c.form_id == form_id)
        .order_by(form_versions.c.version)
    ).all()


def latest_version(team_id, form_id):
    """Return the number of a form's latest published version, or None."""
    return db.session.scalar(
        sa.select(sa.func.max(form_versions.c.version)).where(
            form_versions.c.team_id == team_id, form_versions.c.form_id == form_id
        )
    )


def draft_of(team_id, form_id):
    """Return the draft of a team's form, or None."""
    return db.session.scalar(
        sa.select(FormDraft).where(FormDraft.team_id == team_id, FormDraft.form_id == form_id)
    )


def drafts_of(team_id):
    """Return the team's drafts by form id."""
    return {
        draft.form_id: draft
        for draft in db.session.scalars(sa.select(FormDraft).where(FormDraft.team_id == team_id))
    }


def start_draft(team, form_id, user):
    """Return the draft of a published form, starting one from its latest version if there is none."""
    draft = draft_of(team.id, form_id)
    if draft is not None:
        return draft
    versions = published_versions(team.id, form_id)
    if not versions:
        raise LookupError(f"{team.name} has no form '{form_id}'.")
    latest = versions[-1]
    definition = {**copy.deepcopy(latest.definition), "version": latest.version + 1}
    draft = FormDraft(
        team_id=team.id,
        form_id=form_id,
        base_version=latest.version,
        definition=definition,
        rev=1,
        started_by=user.id,
        updated_by=user.id,
        updated_at=utcnow(),
    )
    db.session.add(draft)
    return draft


def check_new_id(team_id, form_id):
    """Raise FormIdTaken (or ValueError for a malformed id) unless a new form may have this id."""
    if not is_slug(form_id):
        raise ValueError("Use lower-case letters, digits and dashes for the form's id, such as 'home-visit'.")
    if form_id in RESERVED_IDS:
        raise FormIdTaken(f"'{form_id}' is a word the pages use; choose another id.")
    if latest_version(team_id, form_id) is not None or draft_of(team_id, form_id) is not None:
        raise FormIdTaken(f"The team already has a form '{form_id}'; choose another id.")


def start_new_form(team, form_id, title, source, user):
    """Return a new draft of version 1 of a form, a copy of the `source` definition."""
    check_new_id(team.id, form_id)
    definition = {**copy.deepcopy(source), "id": form_id, "title": title, "version": 1}
    draft = FormDraft(
        team_id=team.id,
        form_id=form_id,
        base_version=None,
        definition=definition,
        rev=1,
        started_by=user.id,
        updated_by=user.id,
        updated_at=utcnow(),
    )
    db.session.add(draft)
    return draft


class DraftInTheWay(Exception):
    """The form already has a draft: an imported file would undo what someone is editing."""


def draft_from_file(team, definition, user):
    """Return a draft made of an imported definition: version 1 of a new form, or the next of `id`'s.

    Raises DraftInTheWay when the form has a draft, FormIdTaken or ValueError
    for an id a new form may not have.
    """
    form_id = definition["id"]
    latest = latest_version(team.id, form_id)
    if latest is None:
        return start_new_form(team, form_id, definition["title"], definition, user)
    if draft_of(team.id, form_id) is not None:
        raise DraftInTheWay(
            f"The form '{form_id}' already has a draft; publish or discard it before importing a new version."
        )
    draft = start_draft(team, form_id, user)
    draft.definition = {**definition, "version": latest + 1}
    return draft


def save_draft(draft, definition, rev, user):
    """Store an edited definition in the draft, unless someone saved it since `rev`."""
    if str(draft.rev) != str(rev):
        raise DraftChanged("Someone else changed this draft since you opened the page.")
    draft.definition = definition
    draft.rev += 1
    draft.updated_by = user.id
    draft.updated_at = utcnow()


def draft_problems(draft):
    """Return what must be fixed before the draft can be published, by path ({} when none)."""
    return validate_definition(draft.definition)


def publish_draft(team, draft, user):
    """Publish the draft as the form's next version and delete it; return the version number.

    Raises DraftOutdated when another version was published since the draft
    started, and sync.InvalidDefinition when the definition is broken.
    """
    if latest_version(team.id, draft.form_id) != draft.base_version:
        raise DraftOutdated(
            said(
                "Another version of this form was published after this draft started; "
                "discard the draft and edit the latest version."
            )
        )
    version = publish_form_version(team, draft.definition, user)
    db.session.delete(draft)
    return version


def names_used(team_id, form_id, definition):
    """Return the question names of every published version of a form and of a definition."""
    names = {f.get("name") for f in questions(definition)}
    for row in published_versions(team_id, form_id):
        names.update(f.get("name") for f in questions(row.definition))
    return names
