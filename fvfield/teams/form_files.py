"""A form from an XLSForm file, and a form version as one: the forms pages' import and download.

The same as `fvfield import-form` and `export-form` (sync/form_files.py):
the import makes a draft and shows what every row of the file became.
"""

from flask import Response, abort, render_template
from flask_login import current_user, login_required

from fvfield.accounts.access import team_for
from fvfield.extensions import begin_write, db
from fvfield.questionnaires.xlsform import Imported
from fvfield.sync import drafts, form_files
from fvfield.teams import bp
from fvfield.teams.editor_forms import XLSFormFileForm


@bp.route("/forms/import", methods=["GET", "POST"])
@login_required
def import_xlsform(slug):
    """Make a draft from an uploaded XLSForm, then show the report of every row."""
    team, _ = team_for(slug, "coordinator")
    form = XLSFormFileForm()
    if not form.is_submitted():
        return render_template("teams/forms/import.html", team=team, form=form)
    begin_write(team.id)
    imported = None
    if form.validate():
        upload = form.xlsform.data
        try:
            draft, imported = form_files.draft_from_xlsform(
                team,
                upload.read(),
                upload.filename or "form.xlsx",
                current_user,
                form_id=form.form_id.data or None,
                subject_kind=form.subject_kind.data or None,
            )
        except form_files.NothingKept as error:
            form.xlsform.errors.append(str(error))
            imported = error.imported
        except (form_files.NotAnXLSForm, drafts.DraftInTheWay) as error:
            form.xlsform.errors.append(str(error))
        except (drafts.FormIdTaken, ValueError) as error:
            form.form_id.errors.append(str(error))
        else:
            db.session.commit()
            return render_template("teams/forms/imported.html", team=team, draft=draft, imported=imported)
    db.session.rollback()
    report = imported if isinstance(imported, Imported) else None
    return render_template("teams/forms/import.html", team=team, form=form, report=report), 400


@bp.get("/forms/<form_id>/versions/<int:version>/xlsform")
@login_required
def download_xlsform(slug, form_id, version):
    """Download a published version as an XLSForm (.xlsx)."""
    team, _ = team_for(slug, "coordinator")
    found = form_files.xlsform_of(team, form_id, version)
    if found is None:
        abort(404, f"{team.name} has no version {version} of a form '{form_id}'.")
    _, data = found
    return Response(
        data,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{form_id}-v{version}.xlsx"'},
    )
