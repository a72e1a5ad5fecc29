"""Exports of a team's data: a CSV file per form, and one SQLite file with a table per form.

Both read the team's documents with one streamed query each (yield_per) and
write rows as they come, so a large team never sits in memory at once; on
SQLite each query reads one snapshot. The columns of a form are those of
every version it ever had, in definition order (see docs/exports.md).
"""

import csv
import dataclasses
import io
import json
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
import sqlite_utils

from fvfield.extensions import db
from fvfield.models import Team, User
from fvfield.questionnaires.choice_lists import OTHER_SUFFIX, other_name
from fvfield.questionnaires.structure import answer_fields, every_question, repeats_of
from fvfield.questionnaires.translations import best_language, languages_of, translated
from fvfield.questionnaires.types import TYPES, price_text
from fvfield.sync.attachments import path_of
from fvfield.sync.documents import documents, form_versions

try:
    import orjson
except ImportError:  # the standard library reads the same, slower
    orjson = None

CHUNK = 500
# The columns every record has, before its answers: (name, type, description).
RECORD_COLUMNS = (
    ("id", str, "The record's id (made by the phone that created it)."),
    ("form_version", int, "The version of the form the record was made with (forms.version)."),
    ("subject_id", str, "The person, participant, market or pitch the record is about (subjects.id)."),
    ("subject_label", str, "The name of that person, participant, market or pitch."),
    ("author_id", str, "The id of who recorded it (the same person has the same id in every export)."),
    ("author", str, "The name of who recorded it (a name may change, or two people share one)."),
    ("recorded_at", str, "When it was recorded, by the phone's clock (ISO 8601 with the phone's offset)."),
    ("recorded_at_utc", str, "The same moment in UTC (ISO 8601 ending in Z): sorts right as text."),
    ("updated_at", str, "When the server stored its latest change (ISO 8601, UTC)."),
    ("rev", int, "How many changes of it the server has stored."),
    ("has_conflict", int, "1 when a conflicting version waits for a coordinator to resolve it."),
)
# A repeat's table (one row per item, its record's id and the item's place) starts with these.
REPEAT_COLUMNS = (
    ("record_id", str, "The record the item belongs to (the id column of the form's table)."),
    ("item_index", int, "The item's place in its record, from 1, as the phone numbered it."),
    ("form_version", int, "The version of the form the record was made with (forms.version)."),
)
# A form about pitches also names each pitch's market, after subject_label: pitch "1" is in every market.
MARKET_COLUMNS = (
    ("market_id", str, "The market the pitch is in (subjects.id)."),
    ("market", str, "The name of the market the pitch is in."),
    (
        "market_visit_id",
        str,
        "The market visit (a record of the form market-visit) of the pitch's market on the survey's day: "
        "its date, times, weather and surveyors. The first of the day when there were several.",
    ),
)
# The form whose records are the visits to a market that pitch surveys belong to (built_in/market-visit.json).
MARKET_VISIT = "market-visit"
SUBJECT_COLUMNS = (
    ("id", str, "The subject's id."),
    ("kind", str, "What it is: person, participant, market, pitch..."),
    ("label", str, "Its name."),
    ("deleted", int, "1 when it was archived (records about it are kept)."),
    ("rev", int, "How many changes of it the server has stored."),
    ("updated_at", str, "When the server stored its latest change (ISO 8601, UTC)."),
    ("data", str, "All its attributes, as JSON."),
)
FORM_COLUMNS = (
    ("id", str, "The form's id."),
    ("version", int, "The version number; records keep the version they were made with."),
    ("title", str, "The form's title in this version."),
    ("subject_kind", str, "What its records are about."),
    ("table_name", str, "The table holding its records."),
    ("published_at", str, "When this version was published (ISO 8601, UTC)."),
    ("definition", str, "The whole definition of this version, as JSON."),
)
DICTIONARY_COLUMNS = (
    ("table_name", str, "The table the column is in."),
    ("column_name", str, "The column."),
    ("form_versions", str, "The form versions that have this question, e.g. 1, 2."),
    ("field", str, "The question's name in the form definition."),
    ("question", str, "The question as people read it (its latest label)."),
    ("type", str, "The question's type, or what the column holds."),
    ("choices", str, "For a choice: its value and label; for a list of choices, all of them."),
    ("description", str, "What the column holds."),
)
CODEBOOK_COLUMNS = (
    ("form", str, "The form's id (forms.id)."),
    ("form_version", int, "The version of the form (forms.version): every version has its rows."),
    ("position", int, "Where the question is in that version: 1 for the first."),
    ("field", str, "The question's name in the form definition."),
    ("type", str, "The question's type (text, choice, scale, photo...)."),
    ("question", str, "The question as people read it in that version."),
    ("required", int, "1 when an answer is required (when the question is shown), else 0."),
    ("minimum", float, "The lowest number allowed, for numbers and scales."),
    ("maximum", float, "The highest number allowed, for numbers and scales."),
    (
        "value",
        str,
        "A code its answers hold (a choice's value, a scale's number, 1 or 0 for yes or no); "
        "empty on the question's own row.",
    ),
    ("value_label", str, "What that code means (a choice's label, a scale's word, Yes or No)."),
    ("columns", str, "The columns of the form's table and CSV file that hold its answer."),
)
SQL_TYPES = {str: "TEXT", int: "INTEGER", float: "REAL"}
# The SQLite file's records are inserted this many to a transaction: sqlite_utils,
# bounded by SQLite's limit on a statement's parameters, commits every ~29 rows.
TRANSACTION = 100_000
# The SQLite file's page cache (KiB): a table's id index takes its records in
# random order, and a cache that holds it spares rewriting its pages.
CACHE_KIB = 32_000
# Subject attributes become columns of their own when named plainly, up to this many.
SUBJECT_ATTRIBUTE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
MAX_SUBJECT_ATTRIBUTES = 100


@dataclass
class Column:
    """One column of a form's export and what the data dictionary says of it."""

    name: str
    type: type
    field: str = ""
    part: str = ""
    question: str = ""
    field_type: str = ""
    choices: str = ""
    description: str = ""
    versions: list = dataclasses.field(default_factory=list)


def code_words(codes):
    """Return a question's codes as the data dictionary shows them: value (label); value (label)."""
    return "; ".join(f"{value} ({words})" for value, words in codes)


def codes_of(question):
    """Return [(value, words)] of the codes a question's exported answers may hold (types.FieldType.codebook)."""
    return TYPES[question["type"]].codebook(question)


@dataclass
class Reading:
    """What reading an answer into cells may need beyond the answer itself.

    `labels` writes a choice's label (a scale's word) instead of its value;
    `media` names each photo's file in the ZIP export.
    """

    record_id: str = ""
    labels: bool = False
    media: "MediaNames | None" = None
    subject_labels: dict = dataclasses.field(default_factory=dict)
    author_names: dict = dataclasses.field(default_factory=dict)


# The file name ending of each photo type, in the ZIP's media folder.
PHOTO_ENDINGS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


class MediaNames:
    """Name each photo of a form's records once: media/<form>/<record id>-<question>.<jpg|png|webp>.

    The same photo in a second record (the same sha256) keeps the name it got
    first, so the ZIP holds every photo once. Records are read in the same
    order by every export, so the CSV, the SQLite file and the ZIP agree.
    """

    def __init__(self, form_id):
        self.form_id = form_id
        self.paths = {}
        self.new = []

    def name(self, record_id, question, photo):
        """Return the file name of a photo answer, naming it when it is new."""
        sha256 = photo["sha256"]
        if sha256 not in self.paths:
            ending = PHOTO_ENDINGS.get(photo.get("content_type"), "bin")
            self.paths[sha256] = f"media/{self.form_id}/{record_id}-{question}.{ending}"
            self.new.append((self.paths[sha256], sha256))
        return self.paths[sha256]

    def take_new(self):
        """Return the [(file name, sha256)] named since the last call, and forget them."""
        new, self.new = self.new, []
        return new


def whole(answer, reading):
    """Return an answer as an integer (booleans as 1/0)."""
    return int(answer)


def same(answer, reading):
    """Return an answer as it is."""
    return answer


def coded(codes, read=same):
    """Return a reader that writes the words of a code instead of the code, when the export asks for labels."""
    words = dict(codes)

    def read_coded(answer, reading):
        value = read(answer, reading)
        return words.get(value, value) if reading.labels else value

    return read_coded


def choice_columns(question):
    """A 0/1 column per choice (for a list of choices)."""
    for value, words in codes_of(question):
        yield (
            "__" + value,
            int,
            (lambda answer, reading, value=value: int(value in answer)),
            code_words([(value, words)]),
        )


def position_columns(question):
    """A column each for the latitude, longitude and accuracy of a position."""
    for key in ("lat", "lon", "accuracy"):
        yield "_" + key, float, (lambda answer, reading, key=key: answer.get(key)), ""


def photo_columns(question):
    """The photo's sha256, and the name of its file in the ZIP export's media folder."""
    name = question["name"]
    yield "", str, lambda answer, reading: answer.get("sha256"), ""
    yield "_file", str, lambda answer, reading: reading.media.name(reading.record_id, name, answer), ""


def whole_columns(question):
    """One whole number (a scale's words instead, when the export asks for labels and it has them)."""
    codes = codes_of(question)
    yield "", int, coded(codes, whole) if codes else whole, code_words(codes)


def text_columns(question):
    """The answer as it is (a choice's label instead, when the export asks for labels)."""
    codes = codes_of(question)
    yield "", str, coded(codes) if codes else same, code_words(codes)


def price_columns(question):
    """A price in pounds (it is kept in pence): 1.2 for 120; "£1.20" when the export asks for labels."""

    def read(answer, reading):
        if type(answer) is not int:
            raise TypeError("a price is kept in whole pence")
        return price_text(answer) if reading.labels else answer / 100

    yield "", float, read, ""


# How each kind of answer (questionnaires.types.FieldType.export) is laid out in columns:
# question -> [(part, type, how to read the answer, codes words)].
EXPORT_LAYOUTS = {
    "none": lambda question: (),
    "choices": choice_columns,
    "position": position_columns,
    "photo": photo_columns,
    "whole": whole_columns,
    "boolean": lambda question: [("", int, whole, code_words(codes_of(question)))],
    "number": lambda question: [("", float, same, "")],
    "price": price_columns,
    "text": text_columns,
    # A repeat's items are rows of a table (a CSV file) of their own, RepeatLayout; here, how many.
    "repeat": lambda question: [("_count", int, lambda answer, reading: len(answer), "")],
}


def parts_of(question):
    """Yield (part, type, how to read the answer, codes words) for each column a question fills.

    A question with "Other, please say" (or_other) has a column more, <name>_other: the words given.
    """
    yield from EXPORT_LAYOUTS[TYPES[question["type"]].export](question)
    if question.get("or_other") is True:
        yield OTHER_SUFFIX, str, same, ""


def answer_key(question, part):
    """Return the answer a column reads: the question's own, or its "other" words for the _other part."""
    return (
        other_name(question)
        if part == OTHER_SUFFIX and question.get("or_other") is True
        else question["name"]
    )


def unique_name(wanted, taken):
    """Return `wanted`, or it with _2, _3... when another column has that name (SQLite ignores case)."""
    name, number = wanted, 2
    while name.lower() in taken:
        name, number = f"{wanted}_{number}", number + 1
    taken.add(name.lower())
    return name


def widest(first, second):
    """Return the type of column that holds values of both types (None: no value seen yet)."""
    if first is second or second is None:
        return first
    if first is None:
        return second
    return float if {first, second} == {int, float} else str


def about_pitches(versions):
    """Return whether any version of a form is about pitches (its records then name the pitch's market)."""
    return any(definition.get("subject_kind") == "pitch" for _, definition in versions)


class FormLayout:
    """The columns of a form's export, from all its versions, and how to fill them from a record."""

    def __init__(self, form_id, versions, fixed=None):
        self.form_id = form_id
        self.versions = versions
        if fixed is None:
            fixed = list(RECORD_COLUMNS)
            if about_pitches(versions):
                fixed[4:4] = MARKET_COLUMNS
        self.fixed = [Column(name, kind, description=text) for name, kind, text in fixed]
        self.answers, self.readers, self.fields = {}, {}, {}
        order, taken = [], {column.name for column in self.fixed}
        for version, definition in versions:
            previous, readers = None, []
            for question in answer_fields(definition):
                names = self.fields.setdefault(question["name"], [])
                for part, kind, read, choices in parts_of(question):
                    key = (question["name"], part)
                    column = self.answers.get(key)
                    if column is None:
                        column = self.answers[key] = Column(
                            unique_name(question["name"] + part, taken),
                            kind,
                            question["name"],
                            part,
                        )
                        names.append(column.name)
                        # A question new in this version goes after the one before it in this version.
                        order.insert(order.index(previous) + 1 if previous else 0, key)
                    column.type = widest(column.type, kind)
                    column.question = question.get("label", "")
                    column.field_type = question["type"]
                    column.choices = choices or column.choices
                    column.versions.append(version)
                    readers.append((column.name, answer_key(question, part), read))
                    previous = key
            self.readers[version] = readers
        self.columns = self.fixed + [self.answers[key] for key in order]
        self.names = [column.name for column in self.columns]
        self.positions = {}

    @property
    def title(self):
        """Return the form's title in its latest version."""
        return self.versions[-1][1].get("title", self.form_id) if self.versions else self.form_id

    @property
    def names_markets(self):
        """Return whether its records name their pitch's market."""
        return "market_id" in {column.name for column in self.fixed}

    def row(self, record, reading, markets=None):
        """Return a record (a row of record_rows) as the list of its cells, in the order of `names`.

        `reading` says how to write choices, names the photos' files (its
        record_id is set here) and holds the team's subject labels and
        people's names; `markets` is the team's Markets, for a form about
        pitches. A version's answers go by position (`placed`), so a row
        costs a list and a step per answer given.
        """
        record_id, subject_id, author, recorded_at = (
            record[ID],
            record[SUBJECT_ID],
            record[AUTHOR],
            record[RECORDED_AT],
        )
        values = [
            record_id,
            record[FORM_VERSION],
            subject_id,
            reading.subject_labels.get(subject_id),
            author,
            reading.author_names.get(author),
            recorded_at,
            utc_text(recorded_at),
            stamp_text(record[UPDATED_AT]),
            record[REV],
            int(record[HAS_CONFLICT]),
        ]
        if markets is not None:
            market_id, market = markets.of(subject_id)
            values[4:4] = [market_id, market, markets.visit(market_id, record[DAY])]
        values.extend([None] * (len(self.names) - len(values)))
        reading.record_id = record_id
        self.fill(values, answers_of(record[DATA]), record[FORM_VERSION], reading)
        return values

    def rows(self, record, reading, markets=None):
        """Return the rows of one record: its own (a repeat's layout: one per item)."""
        return [self.row(record, reading, markets)]

    def repeats(self):
        """Return the layouts of the form's repeats (any version's), each a table of its items."""
        names = []
        for _, definition in self.versions:
            names += [r["name"] for r in repeats_of(definition) if r["name"] not in names]
        return [RepeatLayout(self, name) for name in names]

    def fill(self, values, answers, version, reading):
        """Put a version's answers into a row's cells, by position (`placed`): a step per answer given."""
        placed = self.placed(version)
        for question, answer in answers.items() if isinstance(answers, dict) else ():
            if answer is None or question not in placed:
                continue
            for index, read in placed[question]:
                try:
                    values[index] = read(answer, reading)
                except (AttributeError, TypeError, ValueError, KeyError):
                    # An answer of another shape than its question's (stored before a
                    # check existed): kept as JSON rather than lost or failing the export.
                    values[index] = json.dumps(answer, ensure_ascii=False)

    def placed(self, version):
        """Return {question: [(cell index, how to read its answer)]} of a form version, worked out once."""
        found = self.positions.get(version)
        if found is None:
            where = {name: index for index, name in enumerate(self.names)}
            found = self.positions[version] = {}
            for name, question, read in self.readers.get(version, ()):
                found.setdefault(question, []).append((where[name], read))
        return found


class RepeatLayout(FormLayout):
    """The columns of a repeat's table: a row per item, the record's id, the item's place, its answers."""

    def __init__(self, form, repeat):
        self.form, self.repeat = form, repeat
        self.labels = {}
        items = []
        for version, definition in form.versions:
            for field in repeats_of(definition):
                if field["name"] == repeat:
                    items.append((version, {"fields": field["fields"]}))
                    self.labels[version] = field.get("label", repeat)
        super().__init__(form.form_id, items, fixed=REPEAT_COLUMNS)
        # The file and table name: form ids have no underscore, so "household__members" is never a form's.
        self.file_stem = f"{form.form_id}__{repeat}"

    @property
    def title(self):
        """Return the form's title and what one item is: "Household: Household member"."""
        return f"{self.form.title}: {self.labels[max(self.labels)]}" if self.labels else self.file_stem

    @property
    def names_markets(self):
        """A repeat's items name no market (their record does)."""
        return False

    def rows(self, record, reading, markets=None):
        """Return a row per item of a record's repeat (a row of record_rows), each a list in `names` order."""
        answers = answers_of(record[DATA])
        items = answers.get(self.repeat) if isinstance(answers, dict) else None
        if not isinstance(items, list):
            return []
        rows, record_id, version = [], record[ID], record[FORM_VERSION]
        for index, item in enumerate(items, 1):
            values = [record_id, index, version] + [None] * (len(self.names) - len(REPEAT_COLUMNS))
            # A photo of an item is named <record id>-<repeat>-<item>-<question> in the ZIP.
            reading.record_id = f"{record_id}-{self.repeat}-{index}"
            self.fill(values, item if isinstance(item, dict) else {}, version, reading)
            rows.append(values)
        return rows


class Markets:
    """The market of each of a team's pitches (subjects' market_id), the markets' names, and their visits.

    A team has hundreds of pitches and a visit per market day, not millions:
    they are read once per export.
    """

    def __init__(self, team_id):
        self.market_of, self.names = {}, {}
        self.visits = market_visits(team_id)
        for chunk in subject_rows(team_id):
            for subject in chunk:
                if subject.kind == "market":
                    self.names[subject.id] = subject.label
                elif subject.kind == "pitch":
                    market_id = json.loads(subject.data).get("market_id")
                    if isinstance(market_id, str):
                        self.market_of[subject.id] = market_id

    def of(self, pitch_id):
        """Return (market id, market name) of a pitch, (None, None) when it has none."""
        market_id = self.market_of.get(pitch_id)
        return market_id, self.names.get(market_id)

    def visit(self, market_id, day):
        """Return the id of the market's visit on that day, or None."""
        return self.visits.get((market_id, day))


def market_visits(team_id):
    """Return {(market id, day): id of its first live market visit that day}."""
    rows = db.session.execute(
        sa.select(documents.c.id, documents.c.subject_id, documents.c.day)
        .where(
            documents.c.team_id == team_id,
            documents.c.collection == "records",
            documents.c.form == MARKET_VISIT,
            documents.c.deleted == sa.false(),
            documents.c.day.is_not(None),
        )
        .order_by(documents.c.recorded_at, documents.c.pk)
    )
    visits = {}
    for row in rows:
        visits.setdefault((row.subject_id, row.day), row.id)
    return visits


def answers_of(text):
    """Return a stored record's answers from their JSON text (orjson when installed: several times faster)."""
    if orjson is not None:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass  # integers beyond 64 bits: the standard library reads them
    return json.loads(text)


def utc_text(stamp):
    """Return a phone's ISO 8601 time (with its offset) as UTC, ISO 8601 with Z; None when unreadable."""
    try:
        moment = datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    # "…T10:00:00.000+00:00" -> "…T10:00:00.000Z"
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


def iso(moment):
    """Return a server timestamp as ISO 8601, as the API gives it."""
    return moment.isoformat(timespec="milliseconds") if moment is not None else None


def form_ids(team_id):
    """Return the ids of the team's forms, in alphabetical order."""
    return list(
        db.session.scalars(
            sa.select(form_versions.c.form_id)
            .where(form_versions.c.team_id == team_id)
            .group_by(form_versions.c.form_id)
            .order_by(form_versions.c.form_id)
        )
    )


def published_versions(team_id, form_id):
    """Return [(version, definition, published_at)] of a team's form, oldest first."""
    return db.session.execute(
        sa.select(form_versions.c.version, form_versions.c.definition, form_versions.c.published_at)
        .where(form_versions.c.team_id == team_id, form_versions.c.form_id == form_id)
        .order_by(form_versions.c.version)
    ).all()


def form_layout(team_id, form_id):
    """Return the FormLayout of a team's form, or None when the team has no such form."""
    versions = [(version, definition) for version, definition, _ in published_versions(team_id, form_id)]
    return FormLayout(form_id, versions) if versions else None


# The columns record_rows reads, in this order.
ID, FORM_VERSION, SUBJECT_ID, AUTHOR, RECORDED_AT, UPDATED_AT, REV, HAS_CONFLICT, DAY, DATA = range(10)


def stored_text(column):
    """Return a server timestamp column as the text ISO 8601 cells need, read without a datetime per row.

    SQLite keeps it as "YYYY-MM-DD HH:MM:SS.ffffff" (UTC), which turns into
    the API's ISO 8601 by slicing (stamp_text); other databases give a datetime.
    """
    return sa.type_coerce(column, sa.String) if db.engine.dialect.name == "sqlite" else column


def stamp_text(value):
    """Return a server timestamp read by stored_text as ISO 8601 with milliseconds, as iso() writes it."""
    if value is None or not isinstance(value, str):
        return iso(value)
    if len(value) == 19:
        value += ".000000"
    return f"{value[:10]}T{value[11:23]}+00:00"


def record_rows(team_id, form_id):
    """Yield lists of the team's live records of a form, CHUNK at a time, oldest first by the phone's clock.

    Each row holds the columns ID ... DATA above; names and labels come
    from dicts (names_and_labels), not a join per row. The order is that of
    ix_documents_team_form_recorded (recorded_at, then first stored), so
    the records are read along the index and never sorted whole.
    """
    query = (
        sa.select(
            documents.c.id,
            documents.c.form_version,
            documents.c.subject_id,
            documents.c.author,
            documents.c.recorded_at,
            stored_text(documents.c.updated_at),
            documents.c.rev,
            documents.c.has_conflict,
            documents.c.day,
            documents.c.data,
        )
        .where(
            documents.c.team_id == team_id,
            documents.c.collection == "records",
            documents.c.form == form_id,
            documents.c.deleted == sa.false(),
        )
        .order_by(documents.c.recorded_at, documents.c.pk)
        .execution_options(yield_per=CHUNK)
    )
    for chunk in db.session.execute(query).partitions():
        yield [tuple(row) for row in chunk]


def names_and_labels(team_id):
    """Return ({subject id: label} of the team's subjects, {user id: name} of everyone who wrote in the team)."""
    labels = dict(
        db.session.execute(
            sa.select(documents.c.id, documents.c.label).where(
                documents.c.team_id == team_id,
                documents.c.collection == "subjects",
                documents.c.id_scope == 0,
            )
        ).all()
    )
    users = User.__table__
    names = dict(db.session.execute(sa.select(users.c.id, users.c.name)).all())
    return labels, names


# A spreadsheet runs a cell that starts with one of these as a formula
# (OWASP, "CSV Injection"): =HYPERLINK(...), +cmd|..., @SUM, a tab or CR before =.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value, raw=False):
    """Return a value as a CSV cell: empty for no answer; text a spreadsheet would run gets a leading '.

    `raw` keeps text as it was typed, for analysts who read the file with a
    program rather than a spreadsheet (the export's raw switch).
    """
    if value is None:
        return ""
    if not raw and isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def read_records(layout, team_id, labels=False, media=None):
    """Yield lists of a form's records as lists of cells (layout.names), a list per chunk; `media` names the photos."""
    reading = Reading(labels=labels, media=media or MediaNames(layout.form_id))
    reading.subject_labels, reading.author_names = names_and_labels(team_id)
    markets = Markets(team_id) if layout.names_markets else None
    for chunk in record_rows(team_id, layout.form_id):
        yield [row for record in chunk for row in layout.rows(record, reading, markets)]


def csv_rows(layout, team_id, raw=False, labels=False, media=None):
    """Yield lists of a form's CSV rows: the header alone, then a list per chunk of records."""
    yield [layout.names]
    for chunk in read_records(layout, team_id, labels, media):
        yield [[csv_cell(value, raw) for value in row] for row in chunk]


def csv_chunks(layout, team_id, raw=False, labels=False):
    """Yield a form's CSV file in pieces of text, a piece per chunk of records.

    It starts with a byte order mark, so that spreadsheet programs read it
    as UTF-8.
    """
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for rows in csv_rows(layout, team_id, raw, labels):
        writer.writerows(rows)
        yield take(buffer)


def take(buffer):
    """Return what a text buffer holds and empty it."""
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def write_csv_to(out, layout, team_id, raw=False, labels=False, media=None):
    """Write a form's CSV file into an open text file; return how many records it holds."""
    count = -1
    writer = csv.writer(out, lineterminator="\r\n")
    for rows in csv_rows(layout, team_id, raw, labels, media):
        writer.writerows(rows)
        count += len(rows)
    return count


def write_csv(layout, team_id, path, raw=False, labels=False):
    """Write a form's CSV file; return how many records it holds."""
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        return write_csv_to(out, layout, team_id, raw, labels)


@dataclass
class SqliteExport:
    """What write_sqlite wrote: {table name: number of records} per form, and its Datasette metadata."""

    records: dict
    metadata: dict = dataclasses.field(default_factory=dict)


def live_records(team_id):
    """Return how many live records the team has (what an export writes)."""
    return db.session.scalar(
        sa.select(sa.func.count()).where(
            documents.c.team_id == team_id,
            documents.c.collection == "records",
            documents.c.deleted == sa.false(),
        )
    )


class Progress:
    """Count the records an export has written and tell `report(done, total)` as it goes."""

    def __init__(self, report, total):
        self.report, self.total, self.done = report, total, 0

    def add(self, count):
        """Count records written."""
        self.done += count
        if self.report:
            self.report(self.done, self.total)


def write_sqlite(team_id, path, report=None, name=None):
    """Write the team's forms, subjects and records, and a data dictionary, into a new SQLite file.

    The file is new and replaced whole when complete (save_sqlite), so it is
    written without a journal or syncs; `report(done, total)` hears of each
    chunk of records written. `name` is the database's name in Datasette
    (the file's name without .db), for the metadata it returns.
    """
    target = sqlite_utils.Database(path)
    target.execute("PRAGMA journal_mode = OFF")
    target.execute("PRAGMA synchronous = OFF")
    target.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    progress = Progress(report, live_records(team_id) if report else None)
    dictionary = []
    taken = {"forms", "subjects", "data_dictionary", "codebook"}
    layouts = [form_layout(team_id, form_id) for form_id in form_ids(team_id)]
    tables = {layout.form_id: unique_name(layout.form_id.replace("-", "_"), taken) for layout in layouts}
    write_forms(target, team_id, tables, dictionary)
    write_subjects(target, team_id, dictionary)
    counts, items = {}, {}
    # The market visits first, so that pitch surveys' market_visit_id can point to them.
    for layout in sorted(layouts, key=lambda layout: layout.form_id != MARKET_VISIT):
        table = tables[layout.form_id]
        counts[table] = write_form_table(
            target, team_id, layout, table, dictionary, progress, tables.get(MARKET_VISIT)
        )
        for repeat in layout.repeats():
            # A repeat's items: a table linked to its form's by record_id.
            name = unique_name(f"{table}__{repeat.repeat}", taken)
            items[name] = repeat.title
            counts[name] = write_form_table(target, team_id, repeat, name, dictionary, None, parent=table)
    target["codebook"].create({name: kind for name, kind, _ in CODEBOOK_COLUMNS})
    target["codebook"].insert_all(codebook_rows(team_id), batch_size=CHUNK)
    describe_fixed(dictionary, "codebook", CODEBOOK_COLUMNS)
    describe_fixed(dictionary, "data_dictionary", DICTIONARY_COLUMNS)
    target["data_dictionary"].create({name: kind for name, kind, _ in DICTIONARY_COLUMNS})
    target["data_dictionary"].insert_all(
        {name: entry.get(name) for name, _, _ in DICTIONARY_COLUMNS} for entry in dictionary
    )
    target.conn.close()
    metadata = datasette_metadata(team_id, name or Path(path).stem, tables, dictionary, items)
    return SqliteExport(counts, metadata)


def metadata_path(path):
    """Return where the Datasette metadata of a SQLite export goes: circle.db -> circle.metadata.json."""
    path = Path(path)
    return path.with_name(path.stem + ".metadata.json")


def replace_whole(path, write):
    """Call write(temporary path) beside `path`, then rename it into place; return what write returned.

    An existing file is replaced only by a whole new one.
    """
    path = Path(path)
    fd, building = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        written = write(building)
        os.replace(building, path)
    finally:
        if os.path.exists(building):
            os.unlink(building)
    return written


def save_sqlite(team_id, path, report=None):
    """Write the team's SQLite file to `path`, and its Datasette metadata beside it; return its SqliteExport.

    Each file replaces an older one only once it is complete.
    """
    path = Path(path)
    written = replace_whole(path, lambda building: write_sqlite(team_id, building, report, path.stem))
    metadata = json.dumps(written.metadata, ensure_ascii=False, indent=2)
    replace_whole(metadata_path(path), lambda building: Path(building).write_text(metadata, encoding="utf-8"))
    return written


def save_csv_folder(team_id, folder, raw=False, labels=False):
    """Write a CSV file per form of the team into `folder` (made if missing); return {file name: records}."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    counts = {}
    for form_id in form_ids(team_id):
        fd, building = tempfile.mkstemp(prefix=f".{form_id}.", suffix=".tmp", dir=folder)
        os.close(fd)
        try:
            counts[f"{form_id}.csv"] = write_csv(
                form_layout(team_id, form_id), team_id, building, raw, labels
            )
            os.replace(building, folder / f"{form_id}.csv")
        finally:
            if os.path.exists(building):
                os.unlink(building)
        for repeat in form_layout(team_id, form_id).repeats():
            # A file per repeat: form__repeat.csv, a row per item.
            name = f"{repeat.file_stem}.csv"
            counts[name] = replace_whole(
                folder / name, lambda building, r=repeat: write_csv(r, team_id, building, raw, labels)
            )
    return counts


def describe_fixed(dictionary, table, columns):
    """Add data dictionary entries for columns that are not questions."""
    for name, kind, text in columns:
        dictionary.append(
            {"table_name": table, "column_name": name, "type": SQL_TYPES[kind].lower(), "description": text}
        )


def write_forms(target, team_id, tables, dictionary):
    """Write the `forms` table: every published version of every form."""
    target["forms"].create(
        {name: kind for name, kind, _ in FORM_COLUMNS}, pk=("id", "version"), not_null=("id", "version")
    )
    for form_id, table in tables.items():
        target["forms"].insert_all(
            {
                "id": form_id,
                "version": version,
                "title": definition.get("title"),
                "subject_kind": definition.get("subject_kind"),
                "table_name": table,
                "published_at": iso(published_at),
                "definition": json.dumps(definition, ensure_ascii=False),
            }
            for version, definition, published_at in published_versions(team_id, form_id)
        )
    describe_fixed(dictionary, "forms", FORM_COLUMNS)


def subject_rows(team_id):
    """Yield lists of the team's subjects (archived ones included), CHUNK at a time."""
    query = (
        sa.select(
            documents.c.id,
            documents.c.kind,
            documents.c.label,
            documents.c.deleted,
            documents.c.rev,
            documents.c.updated_at,
            documents.c.data,
        )
        .where(documents.c.team_id == team_id, documents.c.collection == "subjects")
        # The order of ix_documents_team_form_recorded: read along the index, never sorted whole.
        .order_by(documents.c.recorded_at, documents.c.pk)
        .execution_options(yield_per=CHUNK)
    )
    yield from db.session.execute(query).partitions()


def subject_attributes(team_id):
    """Return {attribute: (column name, type)} for the subjects' attributes that get a column of their own."""
    found = {}
    for chunk in subject_rows(team_id):
        for subject in chunk:
            for key, value in json.loads(subject.data).items():
                if key in found or (len(found) < MAX_SUBJECT_ATTRIBUTES and SUBJECT_ATTRIBUTE.fullmatch(key)):
                    found[key] = widest(found.get(key, None), cell_type(value))
    taken = {name for name, _, _ in SUBJECT_COLUMNS}
    return {key: (unique_name(key, taken), kind or str) for key, kind in found.items()}


def cell_type(value):
    """Return the column type a subject attribute's value needs (None for null)."""
    if value is None:
        return None
    if isinstance(value, (bool, int)):
        return int
    return float if isinstance(value, float) else str


def flat(value):
    """Return an attribute's value as a cell: lists and objects as JSON, true/false as 1/0."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return int(value) if isinstance(value, bool) else value


def write_subjects(target, team_id, dictionary):
    """Write the `subjects` table: a column per attribute, and all of them as JSON."""
    attributes = subject_attributes(team_id)
    columns = {name: kind for name, kind, _ in SUBJECT_COLUMNS}
    columns.update(attributes.values())
    target["subjects"].create(columns, pk="id", not_null=("id",))

    def rows():
        for chunk in subject_rows(team_id):
            for subject in chunk:
                data = json.loads(subject.data)
                row = {
                    "id": subject.id,
                    "kind": subject.kind,
                    "label": subject.label,
                    "deleted": int(subject.deleted),
                    "rev": subject.rev,
                    "updated_at": iso(subject.updated_at),
                    "data": subject.data,
                }
                row.update((name, flat(data.get(key))) for key, (name, _) in attributes.items())
                yield row

    target["subjects"].insert_all(rows(), batch_size=CHUNK)
    describe_fixed(dictionary, "subjects", SUBJECT_COLUMNS)
    for key, (name, _) in attributes.items():
        dictionary.append(
            {
                "table_name": "subjects",
                "column_name": name,
                "field": key,
                "type": "attribute",
                "description": f"The subject's attribute '{key}' (lists and objects as JSON).",
            }
        )


def market_keys(target, layout, visits_table):
    """Return the foreign keys of a form about pitches: its market, and its market visit when that table is written."""
    if not layout.names_markets:
        return []
    keys = [("market_id", "subjects", "id")]
    if visits_table in target.table_names():
        keys.append(("market_visit_id", visits_table, "id"))
    return keys


def write_form_table(target, team_id, layout, table, dictionary, progress, visits_table=None, parent=None):
    """Write a form's table of records, TRANSACTION rows to a transaction; return how many it holds.

    `visits_table` is the table of market visits, which a form about pitches points to; `parent`
    the form's table when this is a repeat's (a row per item, linked by record_id).
    """
    if parent is None:
        target[table].create(
            {column.name: column.type for column in layout.columns},
            pk="id",
            not_null=("id",),
            foreign_keys=[("subject_id", "subjects", "id")] + market_keys(target, layout, visits_table),
        )
    else:
        target[table].create(
            {column.name: column.type for column in layout.columns},
            pk=("record_id", "item_index"),
            not_null=("record_id", "item_index"),
            foreign_keys=[("record_id", parent, "id")],
        )
    progress = progress or Progress(None, None)
    names = ", ".join(f"[{name}]" for name in layout.names)
    insert = f"INSERT INTO [{table}] ({names}) VALUES ({', '.join('?' * len(layout.names))})"
    count = pending = 0
    target.conn.execute("BEGIN")
    for chunk in read_records(layout, team_id):
        target.conn.executemany(insert, chunk)
        count, pending = count + len(chunk), pending + len(chunk)
        if parent is None:
            progress.add(len(chunk))
        if pending >= TRANSACTION:
            target.conn.execute("COMMIT")
            target.conn.execute("BEGIN")
            pending = 0
    target.conn.execute("COMMIT")
    for column in layout.columns:
        dictionary.append(
            {
                "table_name": table,
                "column_name": column.name,
                "form_versions": ", ".join(map(str, column.versions)) or None,
                "field": column.field or None,
                "question": column.question or None,
                "type": column.field_type or SQL_TYPES[column.type].lower(),
                "choices": column.choices or None,
                "description": column.description or describe_answer(column),
            }
        )
    return count


def describe_answer(column):
    """Return what an answer column holds, in a sentence."""
    export = TYPES[column.field_type].export if column.field_type in TYPES else None
    if column.part == OTHER_SUFFIX and column.field_type in ("choice", "multiple_choice"):
        return "The words given when 'other' was chosen (Other, please say); empty otherwise."
    if export == "choices":
        return f"1 when '{column.choices}' was chosen, 0 when not, empty when the question was not answered."
    if export == "position":
        return {"_lat": "The position's latitude.", "_lon": "The position's longitude."}.get(
            column.part, "The position's accuracy, in metres."
        )
    if export == "photo" and column.part == "_file":
        return (
            "The photo's file in the ZIP export: media/<form>/<record id>-<question>.jpg "
            "(or .png, .webp); a photo in two records is there once, under the first one's name."
        )
    if export == "photo":
        return "The sha256 of the photo (the name of its file in the attachments folder)."
    if export == "boolean":
        return "1 for yes, 0 for no."
    if export == "price":
        return "The price in pounds (1.2 is £1.20); the phone keeps it in whole pence."
    if export == "repeat":
        return "How many items were added; each is a row of the repeat's own table (form__repeat)."
    return "The answer."


def team_languages(team_id):
    """Return the codes of the languages the team's published forms are translated into (not their defaults)."""
    found = []
    for form_id in form_ids(team_id):
        for _, definition in form_layout(team_id, form_id).versions:
            default = definition.get("default_language")
            found += [code for code in languages_of(definition) if code not in found and code != default]
    return found


def codebook_rows(team_id, language=None):
    """Yield the codebook: a row per question of every version of every form, then a row per code it has.

    With `language` (a code such as bn), questions and choices are in that
    language where a form has it, else in the form's own words.
    """
    for form_id in form_ids(team_id):
        layout = form_layout(team_id, form_id)
        repeats = {repeat.repeat: repeat for repeat in layout.repeats()}
        for version, definition in layout.versions:
            definition = translated(definition, best_language(definition, language))
            questions = [(q, r) for q, r in every_question(definition["fields"]) if q["type"] != "section"]
            for position, (question, inside) in enumerate(questions, 1):
                kind = question["type"]
                # A repeat's questions are columns of its own table (form__repeat), named with it.
                where = repeats[inside["name"]] if inside else layout
                columns = where.fields.get(question["name"], ())
                if inside:
                    columns = [f"{where.file_stem}.{column}" for column in columns]
                low, high = question.get("min"), question.get("max")
                if kind == "counter":
                    low = 0
                row = {
                    "form": form_id,
                    "form_version": version,
                    "position": position,
                    "field": question["name"],
                    "type": kind,
                    "question": question.get("label"),
                    "required": int(bool(question.get("required"))),
                    "minimum": low,
                    "maximum": high,
                    "value": None,
                    "value_label": None,
                    "columns": ", ".join(columns) or None,
                }
                yield row
                for value, words in codes_of(question):
                    yield {**row, "value": str(value), "value_label": words}


def write_codebook_csv(out, team_id, language=None):
    """Write the codebook as CSV into an open text file (its words in `language` where the forms have it)."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([name for name, _, _ in CODEBOOK_COLUMNS])
    writer.writerows(
        ["" if row[name] is None else row[name] for name, _, _ in CODEBOOK_COLUMNS]
        for row in codebook_rows(team_id, language)
    )


TABLE_WORDS = {
    "subjects": (
        "People, markets and pitches",
        "Everyone and everywhere the team records, archived ones too.",
    ),
    "forms": ("Forms", "Every published version of every form, with its whole definition."),
    "data_dictionary": ("Data dictionary", "What every column of every table holds."),
    "codebook": (
        "Codebook",
        "Every question of every form version: its type, whether it is required, its range, "
        "and what each code means (a choice's label, a scale's word).",
    ),
}


def datasette_metadata(team_id, database, tables, dictionary, items=None):
    """Return the Datasette metadata of a team's SQLite file (`datasette circle.db -m circle.metadata.json`).

    Titles and descriptions of the tables and their columns (from the data
    dictionary), and `label_column` on subjects, so that Datasette shows a
    record's subject_id (a foreign key) with the subject's name.
    """
    team = db.session.get(Team, team_id)
    described = {}
    for entry in dictionary:
        described.setdefault(entry["table_name"], {})[entry["column_name"]] = entry["description"]
    titles = {table: form_layout(team_id, form_id).title for form_id, table in tables.items()}
    shown = {}
    for table, columns in described.items():
        title, text = TABLE_WORDS.get(table, (titles.get(table, table), None))
        if table in (items or {}):
            title = items[table]
            text = f"A row per item of '{title}', linked to its record by record_id, numbered by item_index."
        shown[table] = {
            "title": title,
            "description": text or f"A row per record of the form '{title}', with a column per question.",
            "columns": columns,
        }
    shown["subjects"]["label_column"] = "label"
    visits = tables.get(MARKET_VISIT)
    if visits in shown and "visit_date" in shown[visits]["columns"]:
        # A pitch survey's market_visit_id then shows as the visit's date.
        shown[visits]["label_column"] = "visit_date"
    return {
        "title": f"{team.name}: exported data",
        "description": (
            "Everything the team recorded, care notes and other special-category data included: "
            "keep this file on an encrypted drive and share it only with people who may read it."
        ),
        "databases": {database: {"title": team.name, "tables": shown}},
    }


@dataclass
class ZipExport:
    """What write_zip wrote: {file name: records} per CSV file, photos written, and photos missing."""

    records: dict
    photos: int
    missing: list


def write_zip(team_id, out, attachments, raw=False, labels=False, scratch=None, language=None):
    """Write the team's ZIP file into `out` (a binary file open for writing); return its ZipExport.

    It holds a CSV file per form, codebook.csv, <team>.db (the SQLite file),
    metadata.json for Datasette, and media/<form>/ with every photo of the
    form's records once. Each CSV file is written into the archive as its
    records are read, and the SQLite file is built in a temporary file in
    `scratch`, so a big team never sits in memory; photos are copied from the
    `attachments` folder without compressing them again (they are JPEG, PNG
    or WebP already).
    """
    team = db.session.get(Team, team_id)
    counts, photos, missing = {}, 0, []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for form_id in form_ids(team_id):
            layout, media = form_layout(team_id, form_id), MediaNames(form_id)
            with text_entry(archive, f"{form_id}.csv") as entry:
                counts[f"{form_id}.csv"] = write_csv_to(entry, layout, team_id, raw, labels, media)
            for repeat in layout.repeats():
                with text_entry(archive, f"{repeat.file_stem}.csv") as entry:
                    counts[f"{repeat.file_stem}.csv"] = write_csv_to(
                        entry, repeat, team_id, raw, labels, media
                    )
            for name, sha256 in media.take_new():
                source = path_of(attachments, sha256)
                if source.is_file():
                    archive.write(source, name, compress_type=zipfile.ZIP_STORED)
                    photos += 1
                else:
                    missing.append((name, sha256))
        with text_entry(archive, "codebook.csv") as entry:
            write_codebook_csv(entry, team_id, language)
        fd, building = tempfile.mkstemp(suffix=".db", dir=scratch)
        os.close(fd)
        try:
            written = write_sqlite(team_id, building, name=team.slug)
            archive.write(building, f"{team.slug}.db")
        finally:
            os.unlink(building)
        archive.writestr(
            zip_entry("metadata.json"), json.dumps(written.metadata, ensure_ascii=False, indent=2)
        )
        if missing:
            with text_entry(archive, "media/missing.csv") as entry:
                # A photo the database names but the attachments folder lacks (restored without it).
                writer = csv.writer(entry, lineterminator="\r\n")
                writer.writerow(["file", "sha256"])
                writer.writerows(missing)
    return ZipExport(counts, photos, missing)


def zip_entry(name):
    """Return the ZipInfo of a new file of the archive: compressed, dated now (UTC)."""
    entry = zipfile.ZipInfo(name, date_time=datetime.now(UTC).timetuple()[:6])
    entry.compress_type = zipfile.ZIP_DEFLATED
    return entry


def text_entry(archive, name):
    """Open a new file of a ZIP archive for writing CSV text: UTF-8 with a byte order mark, as large as need be."""
    return io.TextIOWrapper(
        archive.open(zip_entry(name), "w", force_zip64=True), encoding="utf-8-sig", newline=""
    )


def save_zip(team_id, path, attachments, raw=False, labels=False, language=None):
    """Write the team's ZIP file to `path`, replacing an older one only once it is complete."""
    path = Path(path)

    def write(building):
        with open(building, "wb") as out:
            return write_zip(team_id, out, attachments, raw, labels, path.parent, language)

    return replace_whole(path, write)
