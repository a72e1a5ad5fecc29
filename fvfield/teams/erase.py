"""Erase on request: a coordinator erases a person or place, with every record about them, or one record.

For good: unlike archiving or deleting, nothing can be restored (the core is
fvfield.sync.erasure). The page says what goes, and asks the coordinator to
type the person's name (or, for a record, to tick a box) before it erases.
"""

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired

from fvfield.accounts.access import team_for
from fvfield.extensions import begin_write, db
from fvfield.sync import erasure
from fvfield.teams import bp
from fvfield.teams.store import SUBJECT_KINDS, team_document


class EraseForm(FlaskForm):
    """The confirmation: the subject's name typed again (subjects only) and the box ticked."""

    label = StringField(lazy_gettext("Type the name to confirm"))
    understood = BooleanField(
        lazy_gettext("I understand this erases it for good: it cannot be restored"),
        validators=[DataRequired(lazy_gettext("Tick the box to erase for good."))],
    )


def same_label(typed, label):
    """Return whether the typed name is the subject's (spaces around and case aside)."""
    return " ".join((typed or "").split()).casefold() == " ".join((label or "").split()).casefold()


def erase_page(team, collection, document, form, status=200):
    """Render the confirmation page of erasing a subject or a record."""
    what = erasure.preview(team.id, collection, document["id"])
    page = render_template(
        "teams/erase.html",
        team=team,
        collection=collection,
        document=document,
        kind_words=SUBJECT_KINDS.get(document.get("kind"), "subject").lower(),
        what=what,
        form=form,
    )
    return page, status


def erase_now(team, collection, document_id):
    """Erase a document in one transaction, then remove its photo files; return what went."""
    conn = begin_write(team.id)
    erased = erasure.erase(conn, team, current_user, collection, document_id)
    db.session.commit()
    erasure.remove_photo_files(current_app.config["ATTACHMENTS_DIR"], erased["hashes"])
    return erased


def erased_already(team, document):
    """Return whether the document was erased (its tombstone is all that is left)."""
    return bool(erasure.erased_ids(db.session.connection(), team.id, [document["id"]]))


def gone(erased):
    """Return the words of what an erasure took."""
    records, photos = erased["records"], erased["photos"]
    return f"{records} record{'s' if records != 1 else ''} and {photos} photo{'s' if photos != 1 else ''}"


@bp.route("/subjects/<subject_id>/erase", methods=["GET", "POST"])
@login_required
def erase_subject(slug, subject_id):
    """Ask, then erase a person or place with every record about them, for good."""
    team, _ = team_for(slug, "coordinator")
    found = team_document(team, "subjects", subject_id, f"{team.name} has no such person or place.")
    form = EraseForm()
    if erased_already(team, found):
        flash(gettext("This was erased already."), "info")
        return redirect(url_for("teams.subjects", slug=team.slug))
    if form.validate_on_submit():
        if same_label(form.label.data, found["label"]):
            erased = erase_now(team, "subjects", found["id"])
            flash(
                gettext(
                    "Erased for good, with %(erased)s. Phones remove it at their next sync.",
                    erased=gone(erased),
                ),
                "info",
            )
            return redirect(url_for("teams.subjects", slug=team.slug))
        form.label.errors = ["This is not the name shown above: nothing was erased."]
    return erase_page(team, "subjects", found, form, 400 if form.errors else 200)


@bp.route("/records/<record_id>/erase", methods=["GET", "POST"])
@login_required
def erase_record(slug, record_id):
    """Ask, then erase one record (with its history and photos), for good."""
    team, _ = team_for(slug, "coordinator")
    found = team_document(team, "records", record_id)
    form = EraseForm()
    if erased_already(team, found):
        flash(gettext("This record was erased already."), "info")
        return redirect(url_for("teams.records", slug=team.slug))
    if form.validate_on_submit():
        erased = erase_now(team, "records", found["id"])
        flash(
            gettext(
                "Erased for good, with %(erased)s. Phones remove it at their next sync.", erased=gone(erased)
            ),
            "info",
        )
        return redirect(url_for("teams.records", slug=team.slug))
    return erase_page(team, "records", found, form, 400 if form.errors else 200)
