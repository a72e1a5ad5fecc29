"""The ZIP export for an analyst: CSV files that identify subjects, a codebook, photos, and Datasette metadata."""

import asyncio
import csv
import io
import json
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa
import team_data
from datasette.app import Datasette

from fvfield.extensions import db
from fvfield.models import AuditEvent
from fvfield.questionnaires.built_in import load_template
from fvfield.sync.attachments import path_of

pytestmark = pytest.mark.both_stores

EXPORT = "/teams/clapton-circle/export"
MARKET_EXPORT = "/teams/ridley-market/export"
# A form with a scale whose points carry words, as the codebook must show them.
CONTACT = {
    "id": "contact",
    "title": "Contact",
    "subject_kind": "person",
    "fields": [
        {
            "name": "lonely",
            "type": "scale",
            "label": "How often do you feel lonely?",
            "min": 1,
            "max": 3,
            "labels": {"1": "Hardly ever or never", "2": "Some of the time", "3": "Often"},
        },
        {"name": "seen", "type": "photo", "label": "A photo"},
    ],
}


@pytest.fixture
def seeded(app, people):
    """The export data, the photo's file on disk, and a contact record that reuses the check-in's photo."""
    found = team_data.seed(app)
    with app.app_context():
        path = path_of(app.config["ATTACHMENTS_DIR"], team_data.PHOTO_SHA)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(team_data.PHOTO)
        circle = team_data.team("clapton-circle")
        team_data.publish(circle, CONTACT)
        photo = found.full["photo"]
        # Later in UTC than the check-in of 18:05+01:00, but earlier when its text is sorted.
        first = team_data.record(
            "contact", 1, {"lonely": 1, "seen": photo}, found.edna, recorded_at="2026-11-23T17:30:00+00:00"
        )
        second = team_data.record("contact", 1, {"lonely": 3, "seen": photo}, found.frank)
        team_data.push(circle, "member@example.org", "member", first, second)
        found.contacts = (first["id"], second["id"])
    return found


def read_rows(text):
    """Return the rows of CSV text (from a file with a byte order mark) as dicts."""
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))


def download_zip(client, query=""):
    """Download the team's ZIP file; return it opened."""
    response = client.get(f"{EXPORT}/zip{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=clapton-circle-")
    assert response.headers["Cache-Control"] == "no-store"
    return zipfile.ZipFile(io.BytesIO(response.data))


def entry_rows(archive, name):
    """Return the rows of a CSV file in the ZIP."""
    return read_rows(archive.read(name).decode("utf-8"))


def test_zip_holds_the_csv_files_the_codebook_the_sqlite_file_and_every_photo_once(client, auth, seeded):
    auth.login()
    archive = download_zip(client)
    assert archive.testzip() is None
    photo = f"media/check-in/{seeded.first}-photo.jpg"
    # Records are read oldest first by the phone's clock: the second contact was recorded first (20 Nov).
    reused = f"media/contact/{seeded.contacts[1]}-seen.jpg"
    assert sorted(archive.namelist()) == sorted(
        [
            "check-in.csv",
            "contact.csv",
            "feedback.csv",
            "codebook.csv",
            "clapton-circle.db",
            "metadata.json",
            photo,
            reused,
        ]
    )
    assert archive.read(photo) == team_data.PHOTO
    assert archive.getinfo(photo).compress_type == zipfile.ZIP_STORED
    check_ins = {row["id"]: row for row in entry_rows(archive, "check-in.csv")}
    assert (check_ins[seeded.first]["photo"], check_ins[seeded.first]["photo_file"]) == (
        team_data.PHOTO_SHA,
        photo,
    )
    assert check_ins[seeded.sparse]["photo_file"] == ""
    # Both contact records have the same photo: one file, named after the one recorded first.
    assert {row["seen_file"] for row in entry_rows(archive, "contact.csv")} == {reused}
    assert team_data.SECRET.encode() not in b"".join(archive.read(name) for name in archive.namelist())


def test_zip_lists_a_photo_missing_from_the_attachments_folder(client, auth, app, seeded):
    Path(path_of(app.config["ATTACHMENTS_DIR"], team_data.PHOTO_SHA)).unlink()
    auth.login()
    archive = download_zip(client)
    assert not [name for name in archive.namelist() if name.endswith(".jpg")]
    missing = entry_rows(archive, "media/missing.csv")
    assert {row["sha256"] for row in missing} == {team_data.PHOTO_SHA}
    assert len(missing) == 2


def test_codebook_has_every_question_of_every_version_with_its_codes(client, auth, seeded):
    auth.login()
    rows = entry_rows(download_zip(client), "codebook.csv")
    questions = [(r["form"], r["form_version"], r["field"]) for r in rows if not r["value"]]
    assert questions.count(("check-in", "1", "mood")) == 1
    assert ("check-in", "2", "sleep") in questions and ("check-in", "1", "sleep") not in questions
    assert ("check-in", "1", "intro") in questions
    codes = {(r["form"], r["form_version"], r["field"], r["value"]): r for r in rows if r["value"]}
    assert codes["contact", "1", "lonely", "1"]["value_label"] == "Hardly ever or never"
    assert codes["check-in", "2", "mood", "low"]["question"] == "How they seem"
    assert codes["check-in", "2", "tasks", "company"]["value_label"] == "Company"
    assert ("check-in", "1", "tasks", "company") not in codes
    assert codes["check-in", "1", "okay", "0"]["value_label"] == "No"
    cups = next(r for r in rows if r["field"] == "cups" and r["form_version"] == "1")
    assert (cups["type"], cups["minimum"], cups["maximum"], cups["required"]) == ("integer", "0", "20", "0")
    visited = next(r for r in rows if r["field"] == "visited_on")
    assert visited["required"] == "1" and visited["columns"] == "visited_on"
    where = next(r for r in rows if r["field"] == "where")
    assert where["columns"] == "where_lat, where_lon, where_accuracy"


def test_sqlite_file_has_the_codebook_and_scale_words_in_its_data_dictionary(client, auth, seeded, tmp_path):
    auth.login()
    (tmp_path / "circle.db").write_bytes(download_zip(client).read("clapton-circle.db"))
    database = sqlite_db(tmp_path / "circle.db")
    words = database.execute(
        "SELECT value_label FROM codebook WHERE form = 'contact' AND field = 'lonely' AND value = '1'"
    ).fetchone()
    assert words == ("Hardly ever or never",)
    choices = database.execute(
        "SELECT choices FROM data_dictionary WHERE table_name = 'contact' AND column_name = 'lonely'"
    ).fetchone()[0]
    assert choices == "1 (Hardly ever or never); 2 (Some of the time); 3 (Often)"
    described = {
        (r[0], r[1]) for r in database.execute("SELECT table_name, column_name FROM data_dictionary")
    }
    assert ("codebook", "value_label") in described and ("contact", "recorded_at_utc") in described


def sqlite_db(path):
    """Open a SQLite file read-only."""
    import sqlite3

    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def test_csv_sorts_by_recorded_at_utc_as_text_and_names_the_author_by_id(client, auth, app, seeded):
    auth.login()
    archive = download_zip(client)
    rows = entry_rows(archive, "check-in.csv") + entry_rows(archive, "contact.csv")
    by_utc = [row["id"] for row in sorted(rows, key=lambda row: row["recorded_at_utc"])]
    # The contact at 17:30Z came after the check-in at 18:05+01:00 (17:05Z); the phone's text says otherwise.
    assert by_utc.index(seeded.contacts[0]) == by_utc.index(seeded.third) + 1
    by_text = [row["id"] for row in sorted(rows, key=lambda row: row["recorded_at"])]
    assert by_text.index(seeded.contacts[0]) < by_text.index(seeded.third)
    assert all(row["recorded_at_utc"].endswith("Z") for row in rows)
    member = team_data.user_id(app, "member@example.org")
    assert {(row["author_id"], row["author"]) for row in rows} == {(member, "Mo Member")}


def test_labels_write_a_choices_label_and_a_scales_word(client, auth, seeded):
    auth.login()
    archive = download_zip(client, "?choices=labels")
    check_ins = {row["id"]: row for row in entry_rows(archive, "check-in.csv")}
    assert (check_ins[seeded.first]["mood"], check_ins[seeded.third]["mood"]) == ("Good", "Low")
    assert (check_ins[seeded.first]["okay"], check_ins[seeded.third]["sleep"]) == ("1", "4")
    contacts = {row["id"]: row["lonely"] for row in entry_rows(archive, "contact.csv")}
    assert contacts == {seeded.contacts[0]: "Hardly ever or never", seeded.contacts[1]: "Often"}
    values = {
        row["id"]: row for row in read_rows(client.get(f"{EXPORT}/check-in.csv").get_data(as_text=True))
    }
    assert values[seeded.first]["mood"] == "good"
    labelled = read_rows(client.get(f"{EXPORT}/check-in.csv?choices=labels").get_data(as_text=True))
    assert {row["mood"] for row in labelled} == {"Good", "Low", ""}


def test_zip_csv_cells_are_formula_safe_unless_raw(client, auth, app, seeded):
    with app.app_context():
        circle = team_data.team("clapton-circle")
        note = team_data.record("feedback", 1, {"rating": 2, "comment": "=HYPERLINK(1)"})
        team_data.push(circle, "coord@example.org", "coordinator", note)
    auth.login()
    safe = {row["comment"] for row in entry_rows(download_zip(client), "feedback.csv")}
    raw = {row["comment"] for row in entry_rows(download_zip(client, "?cells=raw"), "feedback.csv")}
    assert "'=HYPERLINK(1)" in safe and "=HYPERLINK(1)" in raw


def market_with_two_pitches_called_1(app):
    """Publish the pitch survey into ridley-market; two markets each with a pitch '1', a survey of each."""
    with app.app_context():
        market = team_data.team("ridley-market")
        team_data.publish(market, load_template("pitch-survey"))
        team_data.publish(market, load_template("market-visit"))
        ridley = team_data.subject("Ridley Road", {}, kind="market")
        chapel = team_data.subject("Chapel Market", {}, kind="market")
        ridley_1 = team_data.subject("1", {"market_id": ridley["id"]}, kind="pitch")
        chapel_1 = team_data.subject("1", {"market_id": chapel["id"]}, kind="pitch")
        surveys = [
            team_data.record("pitch-survey", 1, {"status": "vacant"}, ridley_1["id"]),
            team_data.record(
                "pitch-survey",
                1,
                {"status": "trading", "goods_category": "bakery", "price_bread_loaf": 120},
                chapel_1["id"],
            ),
        ]
        team_data.push(
            market, "other@example.org", "coordinator", ridley, chapel, ridley_1, chapel_1, *surveys
        )
        # Chapel Market was visited on the day of its survey; Ridley Road the day before.
        visits = [
            team_data.record(
                "market-visit", 1, {"visit_date": "2026-11-20", "start_time": "09:00"}, chapel["id"]
            ),
            team_data.record(
                "market-visit",
                1,
                {"visit_date": "2026-11-19", "start_time": "09:00"},
                ridley["id"],
                recorded_at="2026-11-19T09:00:00+00:00",
            ),
        ]
        team_data.push(market, "other@example.org", "coordinator", *visits)
        return {
            surveys[0]["id"]: (ridley_1["id"], ridley["id"], "Ridley Road", ""),
            surveys[1]["id"]: (chapel_1["id"], chapel["id"], "Chapel Market", visits[0]["id"]),
        }


def test_pitch_survey_csv_names_the_market_of_each_pitch(client, auth, app, people):
    expected = market_with_two_pitches_called_1(app)
    auth.login("other@example.org")
    rows = read_rows(client.get(f"{MARKET_EXPORT}/pitch-survey.csv").get_data(as_text=True))
    assert list(rows[0])[:7] == [
        "id",
        "form_version",
        "subject_id",
        "subject_label",
        "market_id",
        "market",
        "market_visit_id",
    ]
    found = {
        row["id"]: (row["subject_id"], row["market_id"], row["market"], row["market_visit_id"])
        for row in rows
    }
    assert found == expected
    assert {row["subject_label"] for row in rows} == {"1"}
    # A price is kept in pence and exported in pounds; as "£1.20" when labels are asked for.
    assert {row["price_bread_loaf"] for row in rows} == {"", "1.2"}
    labelled = read_rows(
        client.get(f"{MARKET_EXPORT}/pitch-survey.csv?choices=labels").get_data(as_text=True)
    )
    assert {(row["status"], row["price_bread_loaf"]) for row in labelled} == {
        ("Vacant", ""),
        ("Trading", "£1.20"),
    }


def datasette_get(database_path, metadata, path):
    """GET a path from Datasette serving the file with its metadata; return the response."""

    async def get():
        datasette = Datasette([str(database_path)], metadata=metadata)
        await datasette.invoke_startup()
        return await datasette.client.get(path)

    # In a thread of its own: after the browser tests, Playwright's loop runs in this one.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, get()).result()


def test_datasette_shows_a_records_subject_by_its_name(client, auth, seeded, tmp_path):
    auth.login()
    archive = download_zip(client)
    database = tmp_path / "clapton-circle.db"
    database.write_bytes(archive.read("clapton-circle.db"))
    metadata = json.loads(archive.read("metadata.json"))
    assert metadata["databases"]["clapton-circle"]["tables"]["subjects"]["label_column"] == "label"
    response = datasette_get(
        database, metadata, f"/clapton-circle/check_in.json?_labels=on&id={seeded.first}"
    )
    assert response.status_code == 200
    [row] = response.json()["rows"]
    assert row["subject_id"] == {"value": seeded.edna, "label": "Edna"}
    page = datasette_get(database, metadata, "/clapton-circle/check_in")
    assert page.status_code == 200
    assert f'<a href="/clapton-circle/subjects/{seeded.edna}">Edna</a>' in page.text
    assert "The same moment in UTC" in page.text
    described = datasette_get(database, metadata, "/clapton-circle/contact")
    assert "A row per record of the form &#39;Contact&#39;" in described.text


def test_export_cli_to_a_zip_file_with_labels(runner, app, seeded, tmp_path):
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "circle.zip"
    out.write_text("old")
    result = runner.invoke(args=["export", "clapton-circle", str(out), "--labels"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == f"Exported 6 records of 3 forms of clapton-circle to {out}."
    archive = zipfile.ZipFile(out)
    assert "codebook.csv" in archive.namelist() and "metadata.json" in archive.namelist()
    assert {row["mood"] for row in entry_rows(archive, "check-in.csv")} == {"Good", "Low", ""}
    assert [p.name for p in out.parent.iterdir()] == ["circle.zip"]
    with app.app_context():
        [event] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event == "data_exported")).all()
        assert event.detail == {"format": "zip", "via": "command line", "path": str(out), "choices": "labels"}


def test_export_cli_writes_datasette_metadata_beside_a_sqlite_file(runner, seeded, tmp_path):
    out = tmp_path / "circle.db"
    assert runner.invoke(args=["export", "clapton-circle", str(out)]).exit_code == 0
    metadata = json.loads((tmp_path / "circle.metadata.json").read_text())
    tables = metadata["databases"]["circle"]["tables"]
    assert tables["check_in"]["title"] == "Check in"
    assert tables["check_in"]["columns"]["author_id"].startswith("The id of who recorded it")


def test_zip_download_is_recorded_in_the_audit_log(client, auth, app, seeded):
    auth.login()
    download_zip(client, "?choices=labels")
    with app.app_context():
        [event] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event == "data_exported")).all()
        assert event.detail == {"format": "zip", "choices": "labels"}


@pytest.mark.parametrize(
    "email, status",
    [
        ("coord@example.org", 200),
        ("member@example.org", 403),
        ("viewer@example.org", 403),
        ("other@example.org", 404),
    ],
)
def test_zip_download_is_for_the_teams_coordinators_only(client, auth, app, seeded, email, status):
    auth.login(email)
    response = client.get(f"{EXPORT}/zip")
    assert response.status_code == status
    if status != 200:
        assert b"Edna" not in response.data
        with app.app_context():
            assert (
                db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event == "data_exported")).all()
                == []
            )


def test_export_page_offers_the_zip_file(client, auth, seeded):
    auth.login()
    page = client.get(EXPORT).get_data(as_text=True)
    assert f'href="{EXPORT}/zip"' in page and f'href="{EXPORT}/zip?choices=labels"' in page
    assert f'href="{EXPORT}/check-in.csv?choices=labels"' in page


def test_sqlite_links_a_pitch_survey_to_its_market_and_visit_for_datasette(
    client, auth, app, people, tmp_path
):
    expected = market_with_two_pitches_called_1(app)
    auth.login("other@example.org")
    response = client.get(f"{MARKET_EXPORT}/zip")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    database = tmp_path / "ridley-market.db"
    database.write_bytes(archive.read("ridley-market.db"))
    metadata = json.loads(archive.read("metadata.json"))
    [chapel_survey] = [key for key, value in expected.items() if value[3]]
    found = datasette_get(
        database, metadata, f"/ridley-market/pitch_survey.json?_labels=on&id={chapel_survey}"
    )
    [row] = found.json()["rows"]
    assert row["market_id"]["label"] == "Chapel Market"
    assert row["market_visit_id"] == {"value": expected[chapel_survey][3], "label": "2026-11-20"}
    assert row["subject_id"]["label"] == "1"
    assert sqlite_db(database).execute("PRAGMA foreign_key_check").fetchall() == []
