"""XLSForm files in and out of a team: a draft made from a file, and a file made from a version.

Used alike by `fvfield import-form` / `export-form` and the forms pages, so
both say the same. The reading and writing is questionnaires/xlsform.py.
"""

import sqlalchemy as sa

from fvfield.audit import record_event
from fvfield.extensions import db
from fvfield.questionnaires import editing
from fvfield.questionnaires.structure import every_question
from fvfield.questionnaires.xlsform import NotAnXLSForm, read_workbook, to_definition, to_workbook
from fvfield.sync import drafts
from fvfield.sync.documents import form_versions

__all__ = ["NothingKept", "NotAnXLSForm", "draft_from_xlsform", "xlsform_of"]


class NothingKept(ValueError):
    """None of the file's questions could be kept, so there is no draft to make; `imported` says why."""

    def __init__(self, message, imported):
        super().__init__(message)
        self.imported = imported


def form_id_for(workbook, form_id, filename):
    """Return the id the imported form gets: the one asked for, else the file's form_id, else its name."""
    if form_id:
        return form_id.strip()
    settings = dict(workbook.settings[0]) if workbook.settings else {}
    stem = filename.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    # form_id is XLSForm's name for it; older files say id_string.
    return editing.id_from(str(settings.get("form_id") or settings.get("id_string") or "") or stem)


def draft_from_xlsform(
    team, data, filename, user, form_id=None, title=None, subject_kind=None, language=None
):
    """Make a draft of a team's form from an XLSForm file's bytes; return (draft, Imported).

    Raises NotAnXLSForm, NothingKept, drafts.DraftInTheWay, drafts.FormIdTaken
    or ValueError (a malformed id); the caller commits.
    """
    workbook = read_workbook(data, filename)
    form_id = form_id_for(workbook, form_id, filename)
    if drafts.latest_version(team.id, form_id) is None:
        drafts.check_new_id(team.id, form_id)
    elif subject_kind is None:
        subject_kind = latest_definition(team, form_id).get("subject_kind")
    imported = to_definition(workbook, form_id, title=title, subject_kind=subject_kind, language=language)
    if not imported.definition["fields"]:
        raise NothingKept(
            f"None of the questions of {filename} could be kept: the report says why for each row.",
            imported,
        )
    draft = drafts.draft_from_file(team, imported.definition, user)
    record_event(
        "form_imported",
        user=user,
        team=team,
        form=form_id,
        file=filename[:200],
        questions=sum(1 for _ in every_question(imported.definition["fields"])),
        not_kept=imported.not_kept,
    )
    return draft, imported


def latest_definition(team, form_id):
    """Return the definition of a form's latest published version."""
    return db.session.scalar(
        sa.select(form_versions.c.definition)
        .where(form_versions.c.team_id == team.id, form_versions.c.form_id == form_id)
        .order_by(form_versions.c.version.desc())
        .limit(1)
    )


def xlsform_of(team, form_id, version=None):
    """Return (definition, .xlsx bytes) of a published version (the latest by default), or None."""
    query = sa.select(form_versions.c.definition).where(
        form_versions.c.team_id == team.id, form_versions.c.form_id == form_id
    )
    if version is not None:
        query = query.where(form_versions.c.version == version)
    definition = db.session.scalar(query.order_by(form_versions.c.version.desc()).limit(1))
    if definition is None:
        return None
    return definition, to_workbook(definition)
