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
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
import sqlite_utils

from fvfield.extensions import db
from fvfield.models import User
from fvfield.questionnaires.types import TYPES
from fvfield.sync.documents import documents, form_versions

CHUNK = 500
# The columns every record has, before its answers: (name, type, description).
RECORD_COLUMNS = (
    ("id", str, "The record's id (made by the phone that created it)."),
    ("form_version", int, "The version of the form the record was made with (forms.version)."),
    ("subject_id", str, "The person, market or pitch the record is about (subjects.id)."),
    ("subject_label", str, "The name of that person, market or pitch."),
    ("author", str, "The name of who recorded it."),
    ("recorded_at", str, "When it was recorded, by the phone's clock (ISO 8601 with offset)."),
    ("updated_at", str, "When the server stored its latest change (ISO 8601, UTC)."),
    ("rev", int, "How many changes of it the server has stored."),
    ("has_conflict", int, "1 when a conflicting version waits for a coordinator to resolve it."),
)
SUBJECT_COLUMNS = (
    ("id", str, "The subject's id."),
    ("kind", str, "What it is: person, market, pitch..."),
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
SQL_TYPES = {str: "TEXT", int: "INTEGER", float: "REAL"}
# The SQLite file's records are inserted this many to a transaction: sqlite_utils,
# bounded by SQLite's limit on a statement's parameters, commits every ~29 rows.
TRANSACTION = 20_000
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


def choice_words(choice):
    """Return a choice as the data dictionary shows it: value (label)."""
    return f"{choice['value']} ({choice.get('label', choice['value'])})"


def whole(answer):
    """Return an answer as an integer (booleans as 1/0)."""
    return int(answer)


def same(answer):
    """Return an answer as it is."""
    return answer


def choice_columns(choices):
    """A 0/1 column per choice (for a list of choices)."""
    for choice in choices:
        value = choice["value"]
        yield "__" + value, int, (lambda answer, value=value: int(value in answer)), choice_words(choice)


def position_columns(choices):
    """A column each for the latitude, longitude and accuracy of a position."""
    for key in ("lat", "lon", "accuracy"):
        yield "_" + key, float, (lambda answer, key=key: answer.get(key)), ""


# How each kind of answer (questionnaires.types.FieldType.export) is laid out in columns:
# choices -> [(part, type, how to read the answer, choices words)].
EXPORT_LAYOUTS = {
    "none": lambda choices: (),
    "choices": choice_columns,
    "position": position_columns,
    "photo": lambda choices: [("", str, lambda answer: answer.get("sha256"), "")],
    "whole": lambda choices: [("", int, whole, "")],
    "boolean": lambda choices: [("", int, whole, "")],
    "number": lambda choices: [("", float, same, "")],
    "text": lambda choices: [("", str, same, "; ".join(choice_words(choice) for choice in choices))],
}


def parts_of(question):
    """Yield (part, type, how to read the answer, choices) for each column a question fills."""
    layout = EXPORT_LAYOUTS[TYPES[question["type"]].export]
    yield from layout(question.get("choices") or [])


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


class FormLayout:
    """The columns of a form's export, from all its versions, and how to fill them from a record."""

    def __init__(self, form_id, versions):
        self.form_id = form_id
        self.versions = versions
        self.fixed = [Column(name, kind, description=text) for name, kind, text in RECORD_COLUMNS]
        self.answers, self.readers = {}, {}
        order, taken = [], {column.name for column in self.fixed}
        for version, definition in versions:
            previous, readers = None, []
            for question in definition["fields"]:
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
                        # A question new in this version goes after the one before it in this version.
                        order.insert(order.index(previous) + 1 if previous else 0, key)
                    column.type = widest(column.type, kind)
                    column.question = question.get("label", "")
                    column.field_type = question["type"]
                    column.choices = choices or column.choices
                    column.versions.append(version)
                    readers.append((column.name, question["name"], read))
                    previous = key
            self.readers[version] = readers
        self.columns = self.fixed + [self.answers[key] for key in order]
        self.names = [column.name for column in self.columns]

    @property
    def title(self):
        """Return the form's title in its latest version."""
        return self.versions[-1][1].get("title", self.form_id) if self.versions else self.form_id

    def row(self, record):
        """Return a record (a row of record_rows) as {column: value}."""
        values = dict.fromkeys(self.names)
        values.update(
            id=record.id,
            form_version=record.form_version,
            subject_id=record.subject_id,
            subject_label=record.subject_label,
            author=record.author_name,
            recorded_at=record.recorded_at,
            updated_at=iso(record.updated_at),
            rev=record.rev,
            has_conflict=int(record.has_conflict),
        )
        answers = json.loads(record.data)
        for name, question, read in self.readers.get(record.form_version, ()):
            answer = answers.get(question)
            if answer is not None:
                try:
                    values[name] = read(answer)
                except (AttributeError, TypeError, ValueError):
                    # An answer of another shape than its question's (stored before a
                    # check existed): kept as JSON rather than lost or failing the export.
                    values[name] = json.dumps(answer, ensure_ascii=False)
        return values


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


def record_rows(team_id, form_id):
    """Yield lists of the team's live records of a form, CHUNK at a time, oldest first."""
    subjects = documents.alias("subjects")
    users = User.__table__
    query = (
        sa.select(
            documents.c.id,
            documents.c.form_version,
            documents.c.subject_id,
            subjects.c.label.label("subject_label"),
            users.c.name.label("author_name"),
            documents.c.recorded_at,
            documents.c.updated_at,
            documents.c.rev,
            documents.c.has_conflict,
            documents.c.data,
        )
        .select_from(
            documents.outerjoin(
                subjects,
                sa.and_(
                    subjects.c.id == documents.c.subject_id,
                    subjects.c.id_scope == 0,
                    subjects.c.team_id == documents.c.team_id,
                ),
            ).outerjoin(users, users.c.id == documents.c.author)
        )
        .where(
            documents.c.team_id == team_id,
            documents.c.collection == "records",
            documents.c.form == form_id,
            documents.c.deleted == sa.false(),
        )
        .order_by(documents.c.pk)
        .execution_options(yield_per=CHUNK)
    )
    yield from db.session.execute(query).partitions()


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


def csv_rows(layout, team_id, raw=False):
    """Yield lists of a form's CSV rows: the header alone, then a list per chunk of records."""
    yield [layout.names]
    for chunk in record_rows(team_id, layout.form_id):
        yield [[csv_cell(value, raw) for value in layout.row(record).values()] for record in chunk]


def csv_chunks(layout, team_id, raw=False):
    """Yield a form's CSV file in pieces of text, a piece per chunk of records.

    It starts with a byte order mark, so that spreadsheet programs read it
    as UTF-8.
    """
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for rows in csv_rows(layout, team_id, raw):
        writer.writerows(rows)
        yield take(buffer)


def take(buffer):
    """Return what a text buffer holds and empty it."""
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def write_csv(layout, team_id, path, raw=False):
    """Write a form's CSV file; return how many records it holds."""
    count = -1
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        for rows in csv_rows(layout, team_id, raw):
            writer.writerows(rows)
            count += len(rows)
    return count


@dataclass
class SqliteExport:
    """What write_sqlite wrote: {table name: number of records} per form."""

    records: dict


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


def write_sqlite(team_id, path, report=None):
    """Write the team's forms, subjects and records, and a data dictionary, into a new SQLite file.

    The file is new and replaced whole when complete (save_sqlite), so it is
    written without a journal or syncs; `report(done, total)` hears of each
    chunk of records written.
    """
    target = sqlite_utils.Database(path)
    target.execute("PRAGMA journal_mode = OFF")
    target.execute("PRAGMA synchronous = OFF")
    progress = Progress(report, live_records(team_id) if report else None)
    dictionary = []
    taken = {"forms", "subjects", "data_dictionary"}
    layouts = [form_layout(team_id, form_id) for form_id in form_ids(team_id)]
    tables = {layout.form_id: unique_name(layout.form_id.replace("-", "_"), taken) for layout in layouts}
    write_forms(target, team_id, tables, dictionary)
    write_subjects(target, team_id, dictionary)
    counts = {}
    for layout in layouts:
        counts[tables[layout.form_id]] = write_form_table(
            target, team_id, layout, tables[layout.form_id], dictionary, progress
        )
    describe_fixed(dictionary, "data_dictionary", DICTIONARY_COLUMNS)
    target["data_dictionary"].create({name: kind for name, kind, _ in DICTIONARY_COLUMNS})
    target["data_dictionary"].insert_all(
        {name: entry.get(name) for name, _, _ in DICTIONARY_COLUMNS} for entry in dictionary
    )
    target.conn.close()
    return SqliteExport(counts)


def save_sqlite(team_id, path, report=None):
    """Write the team's SQLite file to `path`, replacing it only once it is complete; return its SqliteExport."""
    path = Path(path)
    fd, building = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        written = write_sqlite(team_id, building, report)
        os.replace(building, path)
    finally:
        if os.path.exists(building):
            os.unlink(building)
    return written


def save_csv_folder(team_id, folder, raw=False):
    """Write a CSV file per form of the team into `folder` (made if missing); return {file name: records}."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    counts = {}
    for form_id in form_ids(team_id):
        fd, building = tempfile.mkstemp(prefix=f".{form_id}.", suffix=".tmp", dir=folder)
        os.close(fd)
        try:
            counts[f"{form_id}.csv"] = write_csv(form_layout(team_id, form_id), team_id, building, raw)
            os.replace(building, folder / f"{form_id}.csv")
        finally:
            if os.path.exists(building):
                os.unlink(building)
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
        .order_by(documents.c.pk)
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


def write_form_table(target, team_id, layout, table, dictionary, progress):
    """Write a form's table of records, TRANSACTION rows to a transaction; return how many it holds."""
    target[table].create(
        {column.name: column.type for column in layout.columns},
        pk="id",
        not_null=("id",),
        foreign_keys=[("subject_id", "subjects", "id")],
    )
    names = ", ".join(f"[{name}]" for name in layout.names)
    insert = f"INSERT INTO [{table}] ({names}) VALUES ({', '.join('?' * len(layout.names))})"
    count = pending = 0
    target.conn.execute("BEGIN")
    for chunk in record_rows(team_id, layout.form_id):
        target.conn.executemany(insert, (tuple(layout.row(record).values()) for record in chunk))
        count, pending = count + len(chunk), pending + len(chunk)
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
    if export == "choices":
        return f"1 when '{column.choices}' was chosen, 0 when not, empty when the question was not answered."
    if export == "position":
        return {"_lat": "The position's latitude.", "_lon": "The position's longitude."}.get(
            column.part, "The position's accuracy, in metres."
        )
    if export == "photo":
        return "The sha256 of the photo (the name of its file in the attachments folder)."
    if export == "boolean":
        return "1 for yes, 0 for no."
    return "The answer."
