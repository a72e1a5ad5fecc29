"""A market's pitches: add one, or import many from a CSV file after a preview.

The preview's rows travel to the confirm page in a signed hidden field
(bound to the team, the market and the coordinator, valid for an hour), so
the server keeps nothing between the two pages and nobody can slip other
rows in. The import is one batch of changes through the push logic.
"""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user, login_required
from itsdangerous import BadSignature, URLSafeTimedSerializer

from fvfield.accounts.access import team_for
from fvfield.audit import record_event
from fvfield.sync import web_edits
from fvfield.teams import bp, pitch_import
from fvfield.teams.forms import ConfirmImportForm, PitchFileForm, PitchForm
from fvfield.teams.store import subjects_of, team_document
from fvfield.teams.subjects import form_data, outcome, show_form

TOKEN_SECONDS = 3600
# Room for the multipart envelope and the CSRF token around the file itself.
FORM_OVERHEAD = 16 * 1024


def market_of(team, market_id):
    """Return the team's live market with this id, or 404."""
    market = team_document(team, "subjects", market_id, f"{team.name} has no such market.")
    if market["kind"] != "market" or market["deleted"]:
        abort(404, f"{team.name} has no such market.")
    return market


def references(team, market):
    """Return the references of the market's live pitches."""
    pitches = subjects_of(team, "pitch", deleted=False)
    return [p["label"] for p in pitches if p["data"].get("market_id") == market["id"]]


def signer():
    """Return the serializer that signs rows between the preview and the import."""
    return URLSafeTimedSerializer(current_app.secret_key, salt="fvfield-pitch-import")


def sign_rows(team, market, rows):
    """Return the rows to import as a signed text bound to the team, the market and the coordinator."""
    return signer().dumps({"team": team.id, "market": market["id"], "user": current_user.id, "rows": rows})


def signed_rows(team, market, text):
    """Return the rows a signed text carries, or None if it is not this preview's (or too old)."""
    try:
        carried = signer().loads(text, max_age=TOKEN_SECONDS)
    except BadSignature:
        return None
    bound = (carried.get("team"), carried.get("market"), carried.get("user"))
    if bound != (team.id, market["id"], current_user.id):
        return None
    return carried["rows"]


@bp.route("/subjects/<market_id>/pitches/new", methods=["GET", "POST"])
@login_required
def new_pitch(slug, market_id):
    """Add a pitch to a market."""
    team, membership = team_for(slug, "coordinator")
    market = market_of(team, market_id)
    form = PitchForm()
    if form.validate_on_submit():
        taken = {pitch_import.reference_key(r) for r in references(team, market)}
        if pitch_import.reference_key(form.label.data) in taken:
            form.label.errors = [f"{market['label']} already has a pitch {form.label.data.strip()}."]
        else:
            data = form_data(form, {"market_id": market["id"]})
            result = web_edits.save_subject(
                team, current_user, membership.role, "pitch", " ".join(form.label.data.split()), data
            )
            if outcome(team, result, form) is not None:
                return redirect(url_for("teams.subject", slug=team.slug, subject_id=market["id"]))
    return show_form(team, form, "pitch", market=market, status=400 if form.errors else 200)


def show_import(team, market, form=None, rows=None, problem=None, status=200):
    """Render the import page: the upload form, or the preview of a file's rows."""
    good = [row for row in rows or [] if not row.errors]
    confirm = None
    if good:
        confirm = ConfirmImportForm(formdata=None, rows=sign_rows(team, market, [r.values() for r in good]))
    page = render_template(
        "teams/pitch_import.html",
        team=team,
        market=market,
        form=form or PitchFileForm(formdata=None),
        rows=rows,
        good=good,
        confirm=confirm,
        problem=problem,
        limit_kb=pitch_import.MAX_BYTES // 1024,
        max_rows=pitch_import.MAX_ROWS,
    )
    return page, status


@bp.route("/subjects/<market_id>/pitches/import", methods=["GET", "POST"])
@login_required
def import_pitches(slug, market_id):
    """Upload a CSV file of pitches and preview each row with its errors."""
    team, _ = team_for(slug, "coordinator")
    market = market_of(team, market_id)
    if request.method == "GET":
        return show_import(team, market)
    if (request.content_length or 0) > pitch_import.MAX_BYTES + FORM_OVERHEAD:
        return show_import(
            team,
            market,
            problem=f"This file is larger than {pitch_import.MAX_BYTES // 1024} KB: "
            "split it into smaller files.",
            status=413,
        )
    request.max_content_length = pitch_import.MAX_BYTES + FORM_OVERHEAD
    form = PitchFileForm()
    if not form.validate():
        return show_import(team, market, form, status=400)
    try:
        raw = form.pitches.data.read(pitch_import.MAX_BYTES + 1)
        rows = pitch_import.read_pitches(raw, references(team, market))
    except pitch_import.ImportRefused as refusal:
        return show_import(team, market, form, problem=str(refusal), status=400)
    return show_import(team, market, rows=rows)


@bp.post("/subjects/<market_id>/pitches/import/confirm")
@login_required
def confirm_import(slug, market_id):
    """Import the previewed pitches, leaving out any whose reference was taken meanwhile."""
    team, membership = team_for(slug, "coordinator")
    market = market_of(team, market_id)
    form = ConfirmImportForm()
    rows = signed_rows(team, market, form.rows.data) if form.validate() else None
    if rows is None:
        flash(gettext("This preview is too old or was not made here: upload the file again."), "error")
        return redirect(url_for("teams.import_pitches", slug=team.slug, market_id=market["id"]))
    taken = {pitch_import.reference_key(r) for r in references(team, market)}
    changes, skipped = [], []
    for reference, unit_type, lat, lon in rows:
        if pitch_import.reference_key(reference) in taken:
            skipped.append(reference)
            continue
        taken.add(pitch_import.reference_key(reference))
        data = {"market_id": market["id"], "unit_type": unit_type}
        if lat is not None:
            data["position"] = {"lat": lat, "lon": lon}
        changes.append(
            web_edits.new_change("subjects", kind="pitch", label=reference, data=data, deleted=False)
        )

    def note(results):
        added = sum(result["status"] == "applied" for result in results)
        record_event("pitches_imported", user=current_user, team=team, market=market["label"], pitches=added)

    results = web_edits.save_changes(team, current_user, membership.role, changes, note) if changes else []
    added = sum(result["status"] == "applied" for result in results)
    message = ngettext(
        "Imported %(num)s pitch into %(market)s.",
        "Imported %(num)s pitches into %(market)s.",
        added,
        market=market["label"],
    )
    if skipped:
        message += " " + gettext(
            "Left out, as the market has them already: %(skipped)s.", skipped=", ".join(skipped)
        )
    flash(message, "info")
    return redirect(url_for("teams.subject", slug=team.slug, subject_id=market["id"]))
