"""Exports: a CSV file per form and the SQLite file hold exactly the team's data, and nobody else's."""

import csv
import io
import json
import sqlite3

import pytest
import sqlalchemy as sa
import sqlite_utils
import team_data

from fvfield.extensions import db
from fvfield.models import AuditEvent
from fvfield.reports import files as export

pytestmark = pytest.mark.both_stores

EXPORT = "/teams/clapton-circle/export"


@pytest.fixture
def seeded(app, people):
    return team_data.seed(app)


def read_csv(body):
    """Return (header, rows by id) of a CSV file's bytes."""
    reader = csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline=""))
    rows = list(reader)
    return reader.fieldnames, {row["id"]: row for row in rows}


def download_sqlite(client, tmp_path):
    """Download the SQLite file; return it opened with sqlite-utils."""
    response = client.get(f"{EXPORT}/sqlite")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.sqlite3"
    path = tmp_path / "export.db"
    path.write_bytes(response.data)
    return sqlite_utils.Database(path)


def events(app, name):
    with app.app_context():
        return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event == name)).all()


@pytest.mark.parametrize(
    "form, columns, expected",
    [
        ("check-in", team_data.CHECK_IN_COLUMNS, team_data.expected_check_ins),
        ("feedback", team_data.FEEDBACK_COLUMNS, team_data.expected_feedback),
    ],
)
def test_export_csv_holds_exactly_the_records_of_the_form(client, auth, app, seeded, form, columns, expected):
    auth.login()
    response = client.get(f"{EXPORT}/{form}.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith(f'attachment; filename="clapton-circle-{form}-')
    assert response.headers["Cache-Control"] == "no-store"
    header, rows = read_csv(response.data)
    assert header == columns
    assert rows == team_data.as_csv_text(expected(app, seeded))


def test_export_csv_leaves_out_deleted_records_and_other_teams(client, auth, seeded):
    auth.login()
    text = client.get(f"{EXPORT}/check-in.csv").get_data(as_text=True)
    assert seeded.doomed not in text and "made by mistake" not in text
    assert team_data.SECRET not in text
    assert client.get(f"{EXPORT}/stall.csv").status_code == 404


def test_export_csv_is_streamed_a_chunk_at_a_time(client, auth, seeded, monkeypatch):
    monkeypatch.setattr(export, "CHUNK", 2)
    auth.login()
    response = client.get(f"{EXPORT}/check-in.csv", buffered=False)
    assert response.is_streamed
    pieces = [piece for piece in response.response if piece]
    response.close()
    # The header, then two chunks for three records.
    assert len(pieces) == 3
    assert b"".join(p if isinstance(p, bytes) else p.encode() for p in pieces).count(b"\r\n") == 4


def test_export_csv_of_an_unknown_form_is_404(client, auth, seeded):
    auth.login()
    assert client.get(f"{EXPORT}/no-such-form.csv").status_code == 404


def test_export_sqlite_form_tables_hold_exactly_the_seeded_records(client, auth, app, seeded, tmp_path):
    auth.login()
    database = download_sqlite(client, tmp_path)
    assert set(database.table_names()) == {
        "forms",
        "subjects",
        "check_in",
        "feedback",
        "data_dictionary",
        "codebook",
    }
    check_in = {row["id"]: row for row in database["check_in"].rows}
    assert check_in == team_data.expected_check_ins(app, seeded)
    assert [c.name for c in database["check_in"].columns] == team_data.CHECK_IN_COLUMNS
    assert {row["id"]: row for row in database["feedback"].rows} == team_data.expected_feedback(app, seeded)


def test_export_sqlite_columns_are_typed(client, auth, seeded, tmp_path):
    auth.login()
    types = {c.name: c.type for c in download_sqlite(client, tmp_path)["check_in"].columns}
    assert {
        name: types[name]
        for name in (
            "form_version",
            "rev",
            "has_conflict",
            "sleep",
            "tasks__meal",
            "cups",
            "okay",
        )
    } == dict.fromkeys(
        ("form_version", "rev", "has_conflict", "sleep", "tasks__meal", "cups", "okay"), "INTEGER"
    )
    assert {types[name] for name in ("where_lat", "where_lon", "where_accuracy", "weight")} == {"REAL"}
    assert {types[name] for name in ("id", "visited_on", "mood", "notes", "photo", "recorded_at")} == {"TEXT"}


def test_export_sqlite_subjects_and_foreign_keys(client, auth, seeded, tmp_path):
    auth.login()
    database = download_sqlite(client, tmp_path)
    subjects = {row["id"]: row for row in database["subjects"].rows}
    assert set(subjects) == {seeded.edna, seeded.frank, seeded.gone}
    edna = subjects[seeded.edna]
    assert (edna["kind"], edna["label"], edna["deleted"], edna["rev"]) == ("person", "Edna", 0, 1)
    assert (edna["room"], json.loads(edna["contacts"]), edna["keysafe"]) == ("3B", ["Ann", "Raj"], 1)
    assert json.loads(edna["data"]) == {"room": "3B", "contacts": ["Ann", "Raj"], "keysafe": True}
    assert subjects[seeded.frank]["contacts"] is None
    assert (subjects[seeded.gone]["deleted"], subjects[seeded.gone]["rev"]) == (1, 2)
    for table in ("check_in", "feedback"):
        [key] = database[table].foreign_keys
        assert (key.column, key.other_table, key.other_column) == ("subject_id", "subjects", "id")
    assert database.execute("PRAGMA foreign_key_check").fetchall() == []
    assert database.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_export_sqlite_forms_table_keeps_every_version(client, auth, seeded, tmp_path):
    auth.login()
    rows = {(row["id"], row["version"]): row for row in download_sqlite(client, tmp_path)["forms"].rows}
    assert set(rows) == {("check-in", 1), ("check-in", 2), ("feedback", 1)}
    assert json.loads(rows["check-in", 2]["definition"])["fields"][2]["name"] == "sleep"
    assert json.loads(rows["check-in", 1]["definition"]) == {**team_data.CHECK_IN_V1, "version": 1}
    assert (rows["check-in", 1]["title"], rows["check-in", 1]["table_name"]) == ("Check in", "check_in")


def test_export_sqlite_data_dictionary_describes_every_column(client, auth, seeded, tmp_path):
    auth.login()
    database = download_sqlite(client, tmp_path)
    described = {(row["table_name"], row["column_name"]): row for row in database["data_dictionary"].rows}
    every = {(table.name, column.name) for table in database.tables for column in table.columns}
    assert set(described) == every
    assert all(row["description"] for row in described.values())
    picks = {
        "mood": ("1, 2", "mood", "How they seem", "choice", "good (Good); low (Low)"),
        "sleep": ("2", "sleep", "How well they slept", "scale", None),
        "tasks__company": ("2", "tasks", "What was done", "multiple_choice", "company (Company)"),
        "tasks__meal": ("1, 2", "tasks", "What was done", "multiple_choice", "meal (Meal)"),
        "weight": ("1", "weight", "Weight (kg)", "decimal", None),
        "where_accuracy": ("1, 2", "where", "Where", "geopoint", None),
        "photo": ("1", "photo", "Photo", "photo", None),
        "rev": (None, None, None, "integer", None),
    }
    for column, values in picks.items():
        row = described["check_in", column]
        assert (row["form_versions"], row["field"], row["question"], row["type"], row["choices"]) == values


def test_export_sqlite_never_holds_another_teams_data(client, auth, seeded, tmp_path):
    auth.login()
    download_sqlite(client, tmp_path)
    raw = (tmp_path / "export.db").read_bytes()
    for secret in (team_data.SECRET, seeded.other_subject, "stall"):
        assert secret.encode() not in raw


def test_export_sqlite_opens_with_the_plain_sqlite3_module(client, auth, seeded, tmp_path):
    auth.login()
    download_sqlite(client, tmp_path)
    with sqlite3.connect(tmp_path / "export.db") as plain:
        assert plain.execute(
            "SELECT subject_label, count(*) FROM check_in GROUP BY subject_label ORDER BY 1"
        ).fetchall() == [("Edna", 2), ("Frank", 1)]
        assert plain.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_export_of_a_team_without_records_has_empty_tables(client, auth, app, people, tmp_path):
    with app.app_context():
        team_data.publish(team_data.team("clapton-circle"), team_data.FEEDBACK)
    auth.login()
    database = download_sqlite(client, tmp_path)
    assert database["feedback"].count == 0 and database["subjects"].count == 0
    header, rows = read_csv(client.get(f"{EXPORT}/feedback.csv").data)
    assert (header, rows) == (team_data.FEEDBACK_COLUMNS, {})


@pytest.mark.parametrize(
    "path, detail",
    [
        ("/check-in.csv", {"format": "csv", "form": "check-in"}),
        ("/sqlite", {"format": "sqlite"}),
    ],
)
def test_export_is_recorded_in_the_audit_log(client, auth, app, seeded, path, detail):
    auth.login()
    client.get(EXPORT + path)
    [event] = events(app, "data_exported")
    assert event.detail == detail
    assert event.ip == "127.0.0.1"
    with app.app_context():
        assert event.team_id == team_data.team("clapton-circle").id


def test_export_page_lists_forms_with_their_downloads(client, auth, seeded):
    auth.login()
    page = client.get(EXPORT).get_data(as_text=True)
    assert f'href="{EXPORT}/check-in.csv"' in page and f'href="{EXPORT}/feedback.csv"' in page
    assert f'href="{EXPORT}/sqlite"' in page
    assert "Check in" in page and "Workshop feedback" in page
    assert 'enctype="multipart/form-data"' in page
    assert team_data.SECRET not in page and "stall" not in page


def test_export_cli_to_a_sqlite_file(runner, app, seeded, tmp_path):
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "circle.db"
    result = runner.invoke(args=["export", "clapton-circle", str(out)])
    assert result.exit_code == 0, result.output
    folder, said = result.stdout.splitlines()
    assert folder.startswith(f"Data folder: {app.instance_path}")
    assert said == f"Exported 4 records of 2 forms of clapton-circle to {out}."
    assert result.stderr.rstrip().endswith("[####################] 100% 4 of 4 records")
    database = sqlite_utils.Database(out)
    assert {row["id"]: row for row in database["check_in"].rows} == team_data.expected_check_ins(app, seeded)
    assert sorted(p.name for p in out.parent.iterdir()) == ["circle.db", "circle.metadata.json"]
    [event] = events(app, "data_exported")
    assert event.detail == {"format": "sqlite", "via": "command line", "path": str(out)}


def test_export_sqlite_reports_its_progress_and_commits_in_large_transactions(
    app, seeded, tmp_path, monkeypatch
):
    monkeypatch.setattr(export, "CHUNK", 1)
    monkeypatch.setattr(export, "TRANSACTION", 2)
    heard = []
    with app.app_context():
        team_id = db.session.scalar(sa.text("SELECT id FROM teams WHERE slug = 'clapton-circle'"))
        written = export.save_sqlite(
            team_id, tmp_path / "circle.db", lambda done, total: heard.append((done, total))
        )
    assert sum(written.records.values()) == 4
    assert heard == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert sum(sqlite_utils.Database(tmp_path / "circle.db")[t].count for t in written.records) == 4


def test_export_cli_replaces_an_existing_file(runner, seeded, tmp_path):
    out = tmp_path / "circle.db"
    out.write_text("old")
    assert runner.invoke(args=["export", "clapton-circle", str(out)]).exit_code == 0
    assert sqlite_utils.Database(out)["feedback"].count == 1


def test_export_cli_to_a_folder_of_csv_files(runner, app, seeded, tmp_path):
    out = tmp_path / "csv" / "circle"
    result = runner.invoke(args=["export", "clapton-circle", f"{out}/"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["check-in.csv", "feedback.csv"]
    header, rows = read_csv((out / "check-in.csv").read_bytes())
    assert header == team_data.CHECK_IN_COLUMNS
    assert rows == team_data.as_csv_text(team_data.expected_check_ins(app, seeded))
    assert read_csv((out / "feedback.csv").read_bytes())[1] == team_data.as_csv_text(
        team_data.expected_feedback(app, seeded)
    )
    [event] = events(app, "data_exported")
    assert event.detail["format"] == "csv"


@pytest.mark.parametrize(
    "slug, out, message",
    [
        ("nope", "{tmp}/x.db", "Error: There is no team 'nope'."),
        ("clapton-circle", "{tmp}/a-file/x.db", "Error: Cannot write {tmp}/a-file/x.db: Not a directory."),
        (
            "clapton-circle",
            "{tmp}/a-file",
            "Error: {tmp}/a-file is a file: give a folder for CSV files, or a name ending in .db or .zip.",
        ),
        ("clapton-circle", "{tmp}/a-file/csv/", "Error: Cannot write {tmp}/a-file/csv: Not a directory."),
    ],
)
def test_export_cli_refuses_with_one_line(runner, app, seeded, tmp_path, slug, out, message):
    (tmp_path / "a-file").write_text("not a folder")
    result = runner.invoke(args=["export", slug, out.format(tmp=tmp_path)])
    assert result.exit_code == 1
    assert result.stderr == message.format(tmp=tmp_path) + "\n"
    assert events(app, "data_exported") == []


@pytest.mark.parametrize("path", ["", "/check-in.csv", "/sqlite"])
@pytest.mark.parametrize(
    "email, status",
    [
        ("coord@example.org", 200),
        ("member@example.org", 403),
        ("viewer@example.org", 403),
        ("other@example.org", 404),
    ],
)
def test_export_pages_are_for_the_teams_coordinators_only(client, auth, app, seeded, path, email, status):
    auth.login(email)
    response = client.get(EXPORT + path)
    assert response.status_code == status
    if status != 200:
        assert team_data.SECRET not in response.get_data(as_text=True)
        assert events(app, "data_exported") == []


def test_export_pages_need_a_login(client, seeded):
    response = client.get(f"{EXPORT}/sqlite")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_export_keeps_an_answer_of_an_unexpected_shape_as_json(client, auth, app, seeded):
    with app.app_context():
        record = db.session.scalar(sa.select(team_data.Document).where(team_data.Document.id == seeded.third))
        record.data = json.dumps({**seeded.later, "where": "by the canal", "sleep": [4]})
        db.session.commit()
    auth.login()
    _, rows = read_csv(client.get(f"{EXPORT}/check-in.csv").data)
    assert (rows[seeded.third]["where_lat"], rows[seeded.third]["sleep"]) == ('"by the canal"', "[4]")
