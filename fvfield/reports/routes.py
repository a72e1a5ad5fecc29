"""The results pages of a team: its dashboard, its change stories, its exports, and the import of a phone's copy."""

import csv
import dataclasses
import io
import os
import tempfile
from pathlib import Path

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    stream_with_context,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from fvfield.accounts.access import team_for
from fvfield.audit import record_event
from fvfield.extensions import begin_write, csrf, db
from fvfield.i18n import language_name
from fvfield.models import Team, utcnow
from fvfield.questionnaires.translations import is_language
from fvfield.reports import charts, files, numbers, stories, summaries, suppression, tallies
from fvfield.reports import wellbeing as checks_of
from fvfield.reports.dashboard import LONELINESS, N_, WELLBEING, charts_of, draw, in_words
from fvfield.reports.files import csv_cell
from fvfield.reports.periods import DEFAULT as DEFAULT_PERIOD
from fvfield.reports.periods import PERIODS, period_of
from fvfield.sync import phone_copy
from fvfield.sync.documents import documents

bp = Blueprint("reports", __name__, url_prefix="/teams/<slug>")

# Room for the multipart envelope and the CSRF token around the file itself.
FORM_OVERHEAD = 64 * 1024
NO_STORE = {"Cache-Control": "no-store"}


class ImportForm(FlaskForm):
    """Upload the file a phone saved with "Save a copy to a file"."""

    copy = FileField(
        "The phone's copy (a .json file)",
        validators=[FileRequired("Choose the file the phone saved.")],
        render_kw={"accept": ".json,application/json"},
    )


class SmallNumbersForm(FlaskForm):
    """The count below which members' and viewers' results say "fewer than N"."""

    small_numbers = IntegerField(
        "Suppress counts below",
        validators=[
            InputRequired("Give a whole number."),
            NumberRange(
                suppression.LOWEST,
                suppression.HIGHEST,
                f"Give a whole number from {suppression.LOWEST} to {suppression.HIGHEST}.",
            ),
        ],
    )


# The results pages every member of a team reads, by the team's kind: (endpoint, label).
RESULTS = {
    "care-circle": (("reports.dashboard", N_("Dashboard")), ("reports.wellbeing", N_("Wellbeing"))),
    "market-survey": (("reports.dashboard", N_("Dashboard")),),
    "evaluation": (
        ("reports.dashboard", N_("Dashboard")),
        ("reports.stories_page", N_("Change stories")),
        ("reports.wellbeing", N_("Wellbeing")),
    ),
}


def results_pages(team):
    """Return the results pages of the team's kind that this app has, named in the page's language."""
    return [(e, gettext(label)) for e, label in RESULTS.get(team.kind, ()) if e in current_app.view_functions]


@bp.app_context_processor
def results_navigation():
    """Offer templates the results pages of a team."""
    return {"results_pages": results_pages}


def forms_of(team):
    """Return (form id, title, versions, live records) for each of the team's forms."""
    counts = dict(
        db.session.execute(
            sa.select(documents.c.form, sa.func.count())
            .where(
                documents.c.team_id == team.id,
                documents.c.collection == "records",
                documents.c.deleted == sa.false(),
            )
            .group_by(documents.c.form)
        ).all()
    )
    found = []
    for form_id in files.form_ids(team.id):
        layout = files.form_layout(team.id, form_id)
        found.append((form_id, layout.title, len(layout.versions), counts.get(form_id, 0)))
    return found


def show_exports(team, form=None, report=None, status=200):
    """Render the export page, with the import form and what an import did."""
    page = render_template(
        "reports/exports.html",
        team=team,
        forms=forms_of(team),
        import_form=form or ImportForm(formdata=None),
        report=report,
        limit=phone_copy.megabytes(current_app.config["MAX_IMPORT_BYTES"]),
        languages=[(code, language_name(code)) for code in files.team_languages(team.id)],
    )
    return page, status


def codebook_language():
    """Return the language the ZIP's codebook is written in (?language=bn), or None for the forms' own words."""
    code = request.args.get("language")
    return code if is_language(code) else None


def note_export(team, **detail):
    """Record an export in the audit log, before its data leaves."""
    begin_write()
    record_event("data_exported", user=current_user, team=team, **detail)
    db.session.commit()


def file_name(team, *parts):
    """Return a download's name: the team, what it holds and today's date."""
    return "-".join((team.slug, *parts, f"{utcnow():%Y-%m-%d}"))


@bp.get("/export")
@login_required
def exports(slug):
    """List the team's forms with their downloads, and offer the import of a phone's copy."""
    team, _ = team_for(slug, "coordinator")
    return show_exports(team)


def raw_cells():
    """Return whether this CSV export keeps formulas as typed: ?cells=raw, or the CSV_RAW setting."""
    return request.args.get("cells") == "raw" or bool(current_app.config["CSV_RAW"])


def raw_noted(raw):
    """Return what the audit log notes of the raw switch: only that it was on."""
    return {"raw_cells": True} if raw else {}


def choice_labels():
    """Return whether this CSV export writes choices' labels instead of their values (?choices=labels)."""
    return request.args.get("choices") == "labels"


def how_noted(raw, labels):
    """Return what the audit log notes of a CSV export's switches: only those that were on."""
    return {**raw_noted(raw), **({"choices": "labels"} if labels else {})}


def scratch_folder():
    """Return the instance's folder for files an export builds before sending them."""
    folder = Path(current_app.instance_path) / "tmp"
    folder.mkdir(exist_ok=True)
    return folder


def send_built(path, mimetype, download_name):
    """Send a file an export built, deleting it: opened, then unlinked, it disappears when closed."""
    try:
        built = open(path, "rb")
    finally:
        os.unlink(path)
    response = send_file(built, mimetype=mimetype, as_attachment=True, download_name=download_name, max_age=0)
    response.headers.update(NO_STORE)
    return response


@bp.get("/export/<form_id>.csv")
@login_required
def export_csv(slug, form_id):
    """Stream one form's records as a CSV file."""
    team, _ = team_for(slug, "coordinator")
    layout = files.form_layout(team.id, form_id)
    if layout is None:
        abort(404, f"{team.name} has no form '{form_id}'.")
    raw, labels = raw_cells(), choice_labels()
    note_export(team, format="csv", form=form_id, **how_noted(raw, labels))
    chunks = stream_with_context(files.csv_chunks(layout, team.id, raw, labels))
    name = file_name(team, form_id) + ".csv"
    return current_app.response_class(
        chunks,
        mimetype="text/csv",
        headers={**NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/export/sqlite")
@login_required
def export_sqlite(slug):
    """Build the team's SQLite file in a temporary file and send it."""
    team, _ = team_for(slug, "coordinator")
    note_export(team, format="sqlite")
    fd, path = tempfile.mkstemp(suffix=".db", dir=scratch_folder())
    os.close(fd)
    try:
        files.write_sqlite(team.id, path)
    except BaseException:
        os.unlink(path)
        raise
    return send_built(path, "application/vnd.sqlite3", file_name(team) + ".db")


@bp.get("/export/zip")
@login_required
def export_zip(slug):
    """Build the team's ZIP file (CSV files, codebook, SQLite file, Datasette metadata, photos) and send it.

    It is written to a temporary file, not memory: a team's photos may be gigabytes.
    """
    team, _ = team_for(slug, "coordinator")
    raw, labels, language = raw_cells(), choice_labels(), codebook_language()
    note_export(team, format="zip", **how_noted(raw, labels), **({"language": language} if language else {}))
    folder = scratch_folder()
    fd, path = tempfile.mkstemp(suffix=".zip", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            files.write_zip(
                team.id, out, current_app.config["ATTACHMENTS_DIR"], raw, labels, folder, language
            )
    except BaseException:
        os.unlink(path)
        raise
    return send_built(path, "application/zip", file_name(team) + ".zip")


# CSRFProtect would read the body before this view raises the size limit for
# it; ImportForm checks the CSRF token itself instead.
@bp.post("/import")
@csrf.exempt
@login_required
def import_copy(slug):
    """Import a phone's copy: its photos, then its changes through the same push as the API."""
    team, _ = team_for(slug, "coordinator")
    limit = current_app.config["MAX_IMPORT_BYTES"]
    form = ImportForm(formdata=None)
    if (request.content_length or 0) > limit + FORM_OVERHEAD:
        form.copy.errors = [
            f"This file is larger than {phone_copy.megabytes(limit)}, more than a phone's copy may be."
        ]
        return show_exports(team, form, status=413)
    request.max_content_length = limit + FORM_OVERHEAD
    form = ImportForm()
    if not form.validate():
        if form.errors.get("csrf_token"):
            form.copy.errors = [
                "The page's security token is missing or stale: reload the page, then import the file again."
            ]
        return show_exports(team, form, status=400)
    try:
        copy = phone_copy.read_copy(form.copy.data.stream, limit)
    except phone_copy.CopyRefused as refusal:
        form.copy.errors = [str(refusal)]
        return show_exports(team, form, status=400)
    report = phone_copy.import_copy(team, current_user, copy, current_app.config)
    return show_exports(team, report=report)


def chart_of(team, slug):
    """Return the team's chart with this slug, or 404."""
    chart = next((c for c in charts_of(team) if c.slug == slug), None)
    if chart is None:
        abort(404, f"{team.name}'s dashboard has no chart '{slug}'.")
    return chart


def kept_up(team):
    """Bring the team's day tallies up to its latest change, taking the write lock only when they are behind."""
    if not tallies.behind(team.id):
        return
    begin_write(team.id)
    tallies.refresh(team.id)
    db.session.commit()


def chosen_period(team):
    """Return the period the query string asks for (?period=), the last 12 weeks by default."""
    return period_of(team.id, request.args.get("period"), utcnow().date())


def shown_fully(membership):
    """Return whether the page shows every name and number: to coordinators, unless they ask for the shared view."""
    return membership.role == "coordinator" and request.args.get("view") != "shared"


def chart_table(chart, team, period, full):
    """Return a chart's table for the page: as it is, or as members and viewers see it (suppression.py)."""
    table = chart.report(team.id, period)
    return table if full else suppression.shared_table(chart, table, team, period)


def show_dashboard(team, membership, form=None, status=200):
    """Render the dashboard of the period asked for, as the user's role may see it."""
    kept_up(team)
    period = chosen_period(team)
    full = shown_fully(membership)
    shown = []
    for chart in charts_of(team):
        said, table = in_words(chart, chart_table(chart, team, period, full))
        shown.append({"chart": said, "table": table, "svg": draw(said, suppression.drawable(table))})
    coordinator = membership.role == "coordinator"
    page = render_template(
        "reports/dashboard.html",
        team=team,
        charts=shown,
        number=charts.number_text,
        period=period,
        periods=PERIODS,
        top=numbers.TOP,
        full=full,
        coordinator=coordinator,
        settings=form or (SmallNumbersForm(small_numbers=team.small_numbers) if coordinator else None),
    )
    return page, status


@bp.get("/dashboard")
@login_required
def dashboard(slug):
    """Show the team's charts of a period, each with its table of numbers (and, for coordinators, its CSV file)."""
    team, membership = team_for(slug, "viewer")
    return show_dashboard(team, membership)


@bp.post("/dashboard/small-numbers")
@login_required
def small_numbers(slug):
    """Set the count below which members' and viewers' results say "fewer than N" (audited)."""
    team, membership = team_for(slug, "coordinator")
    form = SmallNumbersForm()
    if not form.validate():
        return show_dashboard(team, membership, form, status=400)
    begin_write(team.id)
    db.session.refresh(team)
    old, new = team.small_numbers, form.small_numbers.data
    if old != new:
        team.small_numbers = new
        record_event("small_numbers_changed", user=current_user, team=team, old=old, new=new)
    db.session.commit()
    flash(f"Members and viewers now see counts below {new} as “fewer than {new}”.", "success")
    return redirect(url_for("reports.dashboard", slug=team.slug))


@bp.get("/dashboard/<chart_slug>.svg")
@login_required
def dashboard_svg(slug, chart_slug):
    """Send one chart as an SVG file, as the user's role may see it."""
    team, membership = team_for(slug, "viewer")
    chart = chart_of(team, chart_slug)
    kept_up(team)
    table = chart_table(chart, team, chosen_period(team), shown_fully(membership))
    return current_app.response_class(
        charts.svg_file(draw(chart, suppression.drawable(table))),
        mimetype="image/svg+xml",
        headers=NO_STORE,
    )


@bp.get("/dashboard/<chart_slug>.csv")
@login_required
def dashboard_csv(slug, chart_slug):
    """Send one chart's numbers as a CSV file (recorded in the audit log, as every export is)."""
    team, _ = team_for(slug, "coordinator")
    chart = chart_of(team, chart_slug)
    kept_up(team)
    table = chart.report(team.id, chosen_period(team))
    raw = raw_cells()
    note_export(team, format="chart", chart=chart.slug, **raw_noted(raw))
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.columns)
    writer.writerows([csv_cell(value, raw) for value in row] for row in table.rows)
    name = file_name(team, "chart", chart.slug) + ".csv"
    return current_app.response_class(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={**NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'},
    )


# The change stories: read together, the panel's choices and their printable page (docs/results.md).


def trimmed(value):
    """Strip a text answer's spaces at both ends."""
    return value.strip() if isinstance(value, str) else value


class ChoiceForm(FlaskForm):
    """The panel's choice of the most significant change of a round and domain, and why."""

    round = HiddenField(validators=[DataRequired("Choose a round first.")])
    domain = HiddenField()
    record_id = HiddenField(validators=[DataRequired("Choose the story the panel chose.")])
    reasons = TextAreaField(
        "Why the panel chose it",
        filters=[trimmed],
        validators=[
            DataRequired("Say why the panel chose this story: the storytellers will read it."),
            Length(max=stories.MAX_REASONS),
        ],
    )


def asked(name, choices):
    """Return the query string's `name` when it is one of `choices`, else ""."""
    value = request.args.get(name, "")
    return value if value in choices else ""


def show_stories(team, membership, form=None, status=200):
    """Render the stories page of the round and domain asked for, as the reader's role may see it."""
    coordinator = membership.role == "coordinator"
    every = stories.team_stories(team.id)
    rounds = stories.rounds_in(every)
    labels = stories.domain_labels(team.id)
    round_key = asked("round", rounds) if form is None else form.round.data
    domain = asked("domain", labels) if form is None else ""
    shown = [
        s for s in every if (not round_key or s.round == round_key) and (not domain or s.domain == domain)
    ]
    selections = stories.selections_of(team.id)
    chosen = stories.chosen_ids(selections)
    counts = stories.domain_counts(shown)
    threshold = team.small_numbers or suppression.DEFAULT
    page = render_template(
        "reports/stories.html",
        team=team,
        coordinator=coordinator,
        rounds=rounds,
        round_key=round_key,
        domain=domain,
        labels=labels,
        round_words=stories.round_words,
        counts=[
            (labels.get(d, d), n if coordinator else suppression.hidden(n, threshold))
            for d, n in sorted(
                counts.items(), key=lambda item: list(labels).index(item[0]) if item[0] in labels else 99
            )
        ],
        # Members and viewers read the stories the panel chose and the storyteller agreed to share.
        stories=[s for s in stories.readable(shown, coordinator) if coordinator or s.id in chosen],
        groups=groups_of(stories.readable(shown, coordinator), labels) if coordinator and round_key else [],
        chosen=chosen,
        selections=selections,
        form=form,
    )
    return page, status


def groups_of(shown, labels):
    """Return [(domain, label, stories)] of a round's stories, for the panel's choice of each domain."""
    found = {}
    for story in shown:
        found.setdefault(story.domain, []).append(story)
    order = list(labels)
    return [
        (domain, labels.get(domain, domain), found[domain])
        for domain in sorted(found, key=lambda d: order.index(d) if d in order else len(order))
    ]


@bp.get("/stories")
@login_required
def stories_page(slug):
    """List the team's change stories to read together, by round and domain, with the panel's choices."""
    team, membership = team_for(slug, "viewer")
    return show_stories(team, membership)


@bp.post("/stories/choose")
@login_required
def choose_story(slug):
    """Record the panel's choice of a round's story for a domain, with its reasons (audited)."""
    team, membership = team_for(slug, "coordinator")
    form = ChoiceForm()
    if not form.validate():
        return show_stories(team, membership, form, status=400)
    begin_write(team.id)
    try:
        selection, replaced = stories.choose(
            team,
            current_user,
            form.round.data,
            form.domain.data or "",
            form.record_id.data,
            form.reasons.data,
        )
    except stories.NotChoosable as refusal:
        db.session.rollback()
        form.record_id.errors = [str(refusal)]
        return show_stories(team, membership, form, status=400)
    record_event(
        "story_chosen",
        user=current_user,
        team=team,
        round=selection.round,
        domain=selection.domain,
        record_id=selection.record_id,
        **({"replaced": replaced} if replaced else {}),
    )
    db.session.commit()
    flash("The panel's choice is recorded, with its reasons.", "info")
    return redirect(url_for("reports.stories_page", slug=team.slug, round=selection.round) + "#chosen")


@bp.get("/stories/chosen")
@login_required
def chosen_stories(slug):
    """Print the stories the panel chose in a round, with its reasons, to hand back to the storytellers."""
    team, _ = team_for(slug, "coordinator")
    every = stories.team_stories(team.id)
    round_key = asked("round", stories.rounds_in(every))
    if not round_key:
        abort(404, f"{team.name} has no stories in that round.")
    selections = stories.selections_of(team.id, round_key)
    chosen = stories.chosen_ids(selections)
    picked = [s for s in every if s.id in chosen]
    labels = stories.domain_labels(team.id)
    return render_template(
        "reports/stories_chosen.html",
        team=team,
        round_key=round_key,
        round_words=stories.round_words,
        labels=labels,
        printed=[s for s in picked if s.shared],
        panel_only=len([s for s in picked if not s.shared]),
        chosen=chosen,
    )


# Wellbeing over time: the group's, and each person's for coordinators (reports/wellbeing.py).


def band_chart(ident, title, table):
    """Draw a table of answers per ONS band (wellbeing.band_tables) as a stacked bar per question."""
    categories = [row[0] for row in table.rows]
    series = [(band, [row[i] for row in table.rows]) for i, band in enumerate(table.columns[1:], start=1)]
    description = (
        f"{title}: a bar per question, split by the ONS bands ({', '.join(table.columns[1:])}). "
        "The table beside the chart lists every number."
    )
    return charts.bar_chart(ident, title, description, categories, series)


def shown_chart(chart, table, **words):
    """Return what the wellbeing page shows of a means chart: its words, its table and its SVG."""
    chart = dataclasses.replace(chart, **words) if words else chart
    return {"chart": chart, "table": table, "svg": draw(chart, suppression.drawable(table))}


@bp.get("/wellbeing", endpoint="wellbeing")
@login_required
def wellbeing_page(slug):
    """Show the ONS wellbeing means and the loneliness total per month, with the ONS bands beside them."""
    team, membership = team_for(slug, "viewer")
    kept_up(team)
    period = chosen_period(team)
    full = shown_fully(membership)
    threshold = team.small_numbers or suppression.DEFAULT
    asked_for = request.args.get("person") if full else None
    found = checks_of.read_checks(team.id, period, asked_for)
    person = asked_for if asked_for in found.people else None
    ons, lonely = checks_of.group_means(team.id, period)
    bands = found.bands
    if not full:
        ons = suppression.means_hidden(ons, threshold, "Checks")
        lonely = suppression.means_hidden(lonely, threshold, "Checks")
        bands = tuple(suppression.counts_hidden(table, threshold) for table in bands)
    people = checks_of.people_named(team.id, found.people) if full else []
    theirs = None
    if person:
        name = next(n for i, n, _ in people if i == person)
        their_ons, their_lonely = checks_of.person_tables(period, found.person_months)
        theirs = {
            "name": name,
            "means": [
                shown_chart(
                    WELLBEING, their_ons, slug="person-wellbeing", title=f"{name}: {WELLBEING.title}"
                ),
                shown_chart(
                    LONELINESS, their_lonely, slug="person-loneliness", title=f"{name}: {LONELINESS.title}"
                ),
            ],
            "bands": band_parts(found.person_bands, "person-", f"{name}: "),
        }
    return render_template(
        "reports/wellbeing.html",
        team=team,
        coordinator=membership.role == "coordinator",
        full=full,
        period=period,
        periods=PERIODS,
        number=charts.number_text,
        means=[shown_chart(WELLBEING, ons), shown_chart(LONELINESS, lonely)],
        bands=band_parts(bands, "", ""),
        items=[name for name, _ in numbers.WELLBEING_ITEMS],
        band_of=checks_of.band_of,
        band_words=checks_of.band_words,
        labels=numbers.WELLBEING_ITEMS,
        people=people,
        person=person,
        theirs=theirs,
    )


def band_parts(tables, ident, title):
    """Return the two band tables (wellbeing.band_tables) with their charts, for the page."""
    positive, anxiety = tables
    parts = (
        (
            f"{ident}bands-positive",
            f"{title}Life satisfaction, worthwhile and happiness by ONS band",
            positive,
        ),
        (f"{ident}bands-anxiety", f"{title}Anxiety by ONS band", anxiety),
    )
    return [
        {
            "slug": slug,
            "title": words,
            "table": table,
            "svg": band_chart(f"chart-{slug}", words, suppression.drawable(table)),
        }
        for slug, words, table in parts
    ]


# Participant summaries: a period's chosen charts and stories behind a secret link (reports/summaries.py).


class SummaryForm(FlaskForm):
    """What a participant summary shows, and how long its link works."""

    title = StringField(
        "Title",
        filters=[trimmed],
        validators=[DataRequired("Give the summary a title."), Length(max=summaries.MAX_TITLE)],
    )
    text = TextAreaField(
        "Your words to the people who took part",
        filters=[trimmed],
        validators=[Length(max=summaries.MAX_TEXT)],
    )
    period = SelectField(
        "Period", choices=[SelectChoice(name, words) for name, (words, _) in PERIODS.items()]
    )
    charts = SelectMultipleField(
        "Charts",
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
        validate_choice=True,
    )
    with_stories = BooleanField("The change stories the panel chose in the period (those shared by consent)")
    days = IntegerField(
        "The link works for this many days",
        default=summaries.DEFAULT_DAYS,
        validators=[
            InputRequired("Give a number of days."),
            NumberRange(
                1, summaries.MOST_DAYS, f"Give a whole number of days from 1 to {summaries.MOST_DAYS}."
            ),
        ],
    )

    def validate_charts(self, field):
        """Refuse a summary with nothing in it."""
        if not field.data and not self.with_stories.data:
            raise ValidationError("Choose at least one chart, or the stories.")


def summary_form(team, formdata=None):
    """Return the summary form with the team's charts to choose from."""
    form = SummaryForm() if formdata else SummaryForm(formdata=None, period=DEFAULT_PERIOD)
    form.charts.choices = [SelectChoice(c.slug, c.title) for c in charts_of(team)]
    return form


def show_summaries(team, form=None, made=None, status=200):
    """Render the team's summaries, the form to publish one and, once, the link just made."""
    page = render_template(
        "reports/summaries.html",
        team=team,
        coordinator=True,
        form=form or summary_form(team),
        summaries=summaries.team_summaries(team.id),
        state_of=summaries.state_of,
        made=made,
        with_stories=team.kind == "evaluation",
        revoke=FlaskForm(formdata=None),
    )
    return page, status, NO_STORE


@bp.get("/summaries")
@login_required
def summaries_page(slug):
    """List the team's participant summaries, and offer to publish one; show a link just made, once."""
    team, _ = team_for(slug, "coordinator")
    made = None
    just = session.pop(JUST_PUBLISHED, None)
    if isinstance(just, dict) and just.get("team") == team.slug:
        summary = summaries.summary_of(team.id, just.get("summary"))
        if summary is not None:
            made = {"summary": summary, "link": just.get("link")}
    return show_summaries(team, made=made)


# The session key that carries a link just made from the publishing POST to the page it redirects to.
JUST_PUBLISHED = "summary_just_published"


@bp.post("/summaries")
@login_required
def publish_summary(slug):
    """Publish a participant summary of a period (audited), then redirect to the page showing its link once.

    Sending the same summary again within summaries.TWIN_WINDOW (a refresh, a
    second press) publishes nothing new.
    """
    team, _ = team_for(slug, "coordinator")
    form = summary_form(team, formdata=True)
    if not form.validate():
        return show_summaries(team, form, status=400)
    kept_up(team)
    period = period_of(team.id, form.period.data, utcnow().date())
    with_stories = form.with_stories.data and team.kind == "evaluation"
    begin_write(team.id)
    twin = summaries.recent_twin(
        team, current_user, form.title.data, form.text.data, period, form.charts.data, with_stories
    )
    if twin is not None:
        db.session.rollback()
        flash(
            gettext(
                "You published “%(title)s” a moment ago: it is the same summary, so nothing new was "
                "published. Its link was shown once, then; if it is lost, revoke it and publish again.",
                title=twin.title,
            ),
            "info",
        )
        return redirect(url_for("reports.summaries_page", slug=team.slug), 303)
    summary, token = summaries.publish(
        team,
        current_user,
        form.title.data,
        form.text.data,
        period,
        form.charts.data,
        with_stories=with_stories,
        days=form.days.data,
    )
    record_event(
        "summary_published",
        user=current_user,
        team=team,
        summary=summary.pk,
        period=period.name,
        charts=summary.charts.split(",") if summary.charts else [],
        stories=summary.with_stories,
        days=form.days.data,
    )
    db.session.commit()
    link = url_for("reports.shared_summary", slug=team.slug, token=token, _external=True)
    session[JUST_PUBLISHED] = {"team": team.slug, "summary": summary.pk, "link": link}
    return redirect(url_for("reports.summaries_page", slug=team.slug), 303)


@bp.get("/summaries/<int:pk>")
@login_required
def summary_preview(slug, pk):
    """Show a coordinator a summary as its link shows it, whether or not the link still works."""
    team, _ = team_for(slug, "coordinator")
    summary = summaries.summary_of(team.id, pk) or abort(404, f"{team.name} has no such summary.")
    return show_summary(team, summary, preview=True)


@bp.post("/summaries/<int:pk>/revoke")
@login_required
def revoke_summary(slug, pk):
    """Stop a summary's link working at once (audited)."""
    team, _ = team_for(slug, "coordinator")
    if not FlaskForm().validate():
        abort(400, "The page's security token is missing or stale: reload the page, then try again.")
    begin_write(team.id)
    summary = summaries.summary_of(team.id, pk) or abort(404, f"{team.name} has no such summary.")
    if summary.revoked_at is None:
        summary.revoked_at = utcnow()
        record_event("summary_revoked", user=current_user, team=team, summary=summary.pk)
    db.session.commit()
    flash(f"The link to “{summary.title}” no longer works.", "success")
    return redirect(url_for("reports.summaries_page", slug=team.slug))


def show_summary(team, summary, preview=False):
    """Render a summary's page: its sections as members and viewers see them, one printed page each."""
    shown, told = summaries.sections(team, summary)
    page = render_template(
        "reports/summary.html",
        team=team,
        summary=summary,
        period=summaries.period_of(summary),
        charts=shown,
        stories=told,
        labels=stories.domain_labels(team.id),
        chosen=stories.chosen_ids(stories.selections_of(team.id)),
        round_words=stories.round_words,
        number=charts.number_text,
        preview=preview,
        state=summaries.state_of(summary),
    )
    # No one's copy is kept, no search engine lists it, and the token leaves with no link followed.
    return page, 200, {**NO_STORE, "X-Robots-Tag": "noindex", "Referrer-Policy": "no-referrer"}


@bp.get("/summary/<token>")
def shared_summary(slug, token):
    """Show a participant summary to anyone with its link, while the link works: no login, no one named."""
    team = db.session.scalar(sa.select(Team).where(Team.slug == slug))
    summary = summaries.by_token(team, token) if team else None
    if summary is None:
        abort(404, "There is no summary at this address.")
    if summaries.state_of(summary) != "live":
        abort(410, "This summary's link no longer works: ask the team for a new one.")
    return show_summary(team, summary)
