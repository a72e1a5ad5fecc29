"""CSV exports do not hand a spreadsheet formulas to run; the SQLite file and the raw switch keep them (issue 12)."""

import csv
import io
import sqlite3

import pytest
import team_data

FORMULAS = [
    '=HYPERLINK("http://evil.example","click")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "\t=1+2",
    "\r=1+2",
    "-2+3",
]
SAFE = ["plain words", "a = b", "", "5 stars"]


@pytest.fixture
def comments(app, people):
    """clapton-circle's feedback form with one record per comment; return the comments."""
    with app.app_context():
        circle = team_data.team("clapton-circle")
        team_data.publish(circle, team_data.FEEDBACK)
        changes = [
            team_data.record("feedback", 1, {"rating": 3, "comment": text}) for text in FORMULAS + SAFE
        ]
        team_data.push(circle, "member@example.org", "member", *changes)
    return FORMULAS + SAFE


def comment_cells(body):
    """Return the comment column of a CSV export."""
    return sorted(row["comment"] for row in csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_csv_cells_a_spreadsheet_would_run_start_with_a_quote(client, auth, comments):
    auth.login()
    cells = comment_cells(client.get("/teams/clapton-circle/export/feedback.csv").data)
    assert cells == sorted(["'" + text for text in FORMULAS] + SAFE)


def test_csv_raw_switch_keeps_the_cells_as_typed(client, auth, comments):
    auth.login()
    cells = comment_cells(client.get("/teams/clapton-circle/export/feedback.csv?cells=raw").data)
    assert cells == sorted(FORMULAS + SAFE)


def test_csv_raw_setting_keeps_the_cells_as_typed(app, client, auth, comments):
    app.config["CSV_RAW"] = True
    auth.login()
    assert comment_cells(client.get("/teams/clapton-circle/export/feedback.csv").data) == sorted(
        FORMULAS + SAFE
    )


def test_the_cli_csv_folder_is_neutralised_unless_raw(app, runner, comments, tmp_path):
    assert runner.invoke(args=["export", "clapton-circle", str(tmp_path / "safe")]).exit_code == 0
    assert comment_cells((tmp_path / "safe" / "feedback.csv").read_bytes()) == sorted(
        ["'" + text for text in FORMULAS] + SAFE
    )
    assert (
        runner.invoke(args=["export", "clapton-circle", str(tmp_path / "raw"), "--raw-cells"]).exit_code == 0
    )
    assert comment_cells((tmp_path / "raw" / "feedback.csv").read_bytes()) == sorted(FORMULAS + SAFE)


def test_the_sqlite_export_keeps_values_raw(client, auth, comments, tmp_path):
    auth.login()
    path = tmp_path / "export.db"
    path.write_bytes(client.get("/teams/clapton-circle/export/sqlite").data)
    with sqlite3.connect(path) as db:
        stored = sorted(row[0] for row in db.execute("select comment from feedback"))
    assert stored == sorted(FORMULAS + SAFE)
