"""Drafts of a team's forms: the next version, edited question by question, then published.

A draft holds a whole form definition (see fvfield/schema) and may be broken
while a coordinator works on it: schema.validate_definition says what to fix,
and publishing goes through sync.publish_form_version, which refuses a broken
one. The functions that change a definition work on plain dicts and never
touch the database.
"""
import copy
import re
import unicodedata

import sqlalchemy as sa

from fvfield.sync.documents import form_versions
from fvfield.extensions import db
from fvfield.models import FormDraft, utcnow
from fvfield.questionnaires import validate_definition
from fvfield.questionnaires.definitions import COMMON_KEYS, OPTIONS, is_slug
from fvfield.sync import publish_form_version

NAME_LENGTH = 40
# /forms/new is the page that starts a form, so no form may be called "new".
RESERVED_IDS = frozenset({"new"})
DEFAULT_SCALE = {"min": 1, "max": 5}


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
            form_versions.c.version, form_versions.c.definition,
            form_versions.c.published_at, form_versions.c.published_by,
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
        team_id=team.id, form_id=form_id, base_version=latest.version, definition=definition,
        rev=1, started_by=user.id, updated_by=user.id, updated_at=utcnow(),
    )
    db.session.add(draft)
    return draft


def check_new_id(team_id, form_id):
    """Raise FormIdTaken (or ValueError for a malformed id) unless a new form may have this id."""
    if not is_slug(form_id):
        raise ValueError(
            "Use lower-case letters, digits and dashes for the form's id, such as 'home-visit'."
        )
    if form_id in RESERVED_IDS:
        raise FormIdTaken(f"'{form_id}' is a word the pages use; choose another id.")
    if latest_version(team_id, form_id) is not None or draft_of(team_id, form_id) is not None:
        raise FormIdTaken(f"The team already has a form '{form_id}'; choose another id.")


def start_new_form(team, form_id, title, source, user):
    """Return a new draft of version 1 of a form, a copy of the `source` definition."""
    check_new_id(team.id, form_id)
    definition = {**copy.deepcopy(source), "id": form_id, "title": title, "version": 1}
    draft = FormDraft(
        team_id=team.id, form_id=form_id, base_version=None, definition=definition,
        rev=1, started_by=user.id, updated_by=user.id, updated_at=utcnow(),
    )
    db.session.add(draft)
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
            "Another version of this form was published after this draft started; "
            "discard the draft and edit the latest version."
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


def questions(definition):
    """Return a definition's questions (those that are objects), in order."""
    fields = definition.get("fields") if isinstance(definition, dict) else None
    return [f for f in fields if isinstance(f, dict)] if isinstance(fields, list) else []


def plain_words(text):
    """Return the lower-case ASCII words of a text, joined by underscores."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")


def name_from(label, taken, prefix="question"):
    """Return a question name made from its label, unique among `taken`."""
    words = plain_words(label)[:NAME_LENGTH].strip("_")
    if not words or not words[0].isalpha():
        words = f"{prefix}_{words}".strip("_")
    name, number = words, 2
    while name in taken:
        name, number = f"{words}_{number}", number + 1
    return name


def id_from(title):
    """Return a form id made from a title: 'Home visit' gives 'home-visit'."""
    words = plain_words(title).replace("_", "-")[:NAME_LENGTH].strip("-")
    return words or "form"


def new_question(kind, label, name):
    """Return a new question of a type, with the options it needs to start."""
    question = {"name": name, "type": kind, "label": label}
    if kind == "scale":
        question.update(DEFAULT_SCALE)
    return question


def with_type(question, kind):
    """Return a question changed to another type, keeping the options that type has."""
    kept = {key: value for key, value in question.items() if key in COMMON_KEYS + OPTIONS.get(kind, ())}
    kept["type"] = kind
    if kind == "note":
        kept.pop("required", None)
    if kind == "scale":
        for key, value in DEFAULT_SCALE.items():
            if not isinstance(kept.get(key), int) or isinstance(kept.get(key), bool):
                kept[key] = value
    return kept


def index_of(definition, name):
    """Return the position of the question with this name, or None."""
    fields = definition.get("fields") or []
    return next((i for i, f in enumerate(fields) if isinstance(f, dict) and f.get("name") == name), None)


def dependants(definition, name):
    """Return the labels of the questions whose show_if depends on the question `name`."""
    return [
        f.get("label") or f.get("name") for f in questions(definition)
        if isinstance(f.get("show_if"), dict) and f["show_if"].get("field") == name
    ]


def insert_question(definition, question, position):
    """Return the definition with a question inserted at `position` (at the end when None)."""
    fields = list(definition.get("fields") or [])
    fields.insert(len(fields) if position is None else position, question)
    return {**definition, "fields": fields}


def replace_question(definition, name, question):
    """Return the definition with the question `name` replaced; rules naming it follow a rename."""
    fields = []
    for field in definition.get("fields") or []:
        if isinstance(field, dict) and field.get("name") == name:
            field = question
        elif isinstance(field, dict) and isinstance(field.get("show_if"), dict) \
                and field["show_if"].get("field") == name:
            field = {**field, "show_if": {**field["show_if"], "field": question["name"]}}
        fields.append(field)
    return {**definition, "fields": fields}


def move_question(definition, name, by):
    """Return the definition with a question moved `by` places (-1 up, +1 down), within the form."""
    fields = list(definition.get("fields") or [])
    index = index_of(definition, name)
    target = index + by
    if 0 <= target < len(fields):
        fields.insert(target, fields.pop(index))
    return {**definition, "fields": fields}


def remove_question(definition, name):
    """Return the definition without the question `name`."""
    index = index_of(definition, name)
    fields = list(definition.get("fields") or [])
    del fields[index]
    return {**definition, "fields": fields}
