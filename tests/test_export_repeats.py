"""Exports of a form with a section and a repeat: the repeat's items are a linked table (SQLite), a
file of their own (CSV folder, ZIP), and the codebook lists their questions; a push of such a record
is accepted, and refused with the form's message when an item breaks a constraint."""

import csv
import io
import sqlite3
import zipfile

import pytest
import sqlalchemy as sa
import team_data

from fvfield.extensions import db
from fvfield.models import Attachment
from fvfield.reports import files as export
from fvfield.sync.push import push_changes

HOUSEHOLD = {
    "id": "household",
    "title": "Household",
    "fields": [
        {
            "name": "home",
            "type": "section",
            "label": "The home",
            "fields": [{"name": "village", "type": "text", "label": "Village", "required": True}],
        },
        {
            "name": "members",
            "type": "repeat",
            "label": "Household member",
            "min_count": 1,
            "max_count": 6,
            "fields": [
                {"name": "member_name", "type": "text", "label": "Name", "required": True},
                {
                    "name": "age",
                    "type": "integer",
                    "label": "Age",
                    "constraint": ". <= 120",
                    "constraint_message": "An age is 120 or less.",
                },
                {"name": "face", "type": "photo", "label": "Photo"},
            ],
        },
        {"name": "people", "type": "calculate", "label": "People", "calculation": "count(${members})"},
    ],
}
PHOTO = {"sha256": team_data.PHOTO_SHA, "content_type": "image/jpeg", "size": len(team_data.PHOTO)}
ANSWERS = {
    "village": "Kaliganj",
    "members": [
        {"member_name": "Ada", "age": 34, "face": PHOTO},
        {"member_name": "Bo", "age": 3},
        {"member_name": "Cy"},
    ],
    "people": "3",
}


@pytest.fixture
def household(app, people):
    """The household form published in clapton-circle with one record of three members, and the photo's file."""
    with app.app_context():
        circle = team_data.team("clapton-circle")
        team_data.publish(circle, HOUSEHOLD)
        db.session.add(
            Attachment(
                team_id=circle.id,
                sha256=team_data.PHOTO_SHA,
                content_type="image/jpeg",
                size=len(team_data.PHOTO),
            )
        )
        db.session.commit()
        path = export.path_of(app.config["ATTACHMENTS_DIR"], team_data.PHOTO_SHA)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(team_data.PHOTO)
        change = team_data.record("household", 1, ANSWERS)
        team_data.push(circle, "member@example.org", "member", change)
        return circle.id, change["id"]


def test_a_record_with_a_bad_item_is_refused_with_the_forms_message(app, household):
    with app.app_context():
        circle = team_data.team("clapton-circle")
        user = db.session.scalar(
            sa.select(team_data.User).where(team_data.User.email == "member@example.org")
        )
        bad = {**ANSWERS, "members": [{"member_name": "Ada", "age": 130}], "people": "1"}
        results, _ = push_changes(
            circle.id, user.id, "member", team_data.DEVICE, [team_data.record("household", 1, bad)]
        )
    assert results[0]["status"] == "rejected"
    assert results[0]["errors"]["members.0.age"] == ["Household member 1: An age is 120 or less."]


def test_sqlite_export_has_a_linked_table_of_the_items(app, household, tmp_path):
    team_id, record_id = household
    with app.app_context():
        written = export.write_sqlite(team_id, tmp_path / "t.db")
    assert written.records["household"] == 1 and written.records["household__members"] == 3
    conn = sqlite3.connect(tmp_path / "t.db")
    conn.row_factory = sqlite3.Row
    record = dict(conn.execute("SELECT * FROM household").fetchone())
    assert (record["village"], record["members_count"], record["people"]) == ("Kaliganj", 3, "3")
    items = [dict(row) for row in conn.execute("SELECT * FROM household__members ORDER BY item_index")]
    assert [(i["record_id"], i["item_index"], i["member_name"], i["age"]) for i in items] == [
        (record_id, 1, "Ada", 34),
        (record_id, 2, "Bo", 3),
        (record_id, 3, "Cy", None),
    ]
    assert items[0]["face"] == team_data.PHOTO_SHA
    keys = conn.execute("PRAGMA foreign_key_list(household__members)").fetchall()
    assert [(k["table"], k["from"], k["to"]) for k in keys] == [("household", "record_id", "id")]
    described = {
        row["column_name"]: row["description"]
        for row in conn.execute("SELECT * FROM data_dictionary WHERE table_name = 'household__members'")
    }
    assert set(described) >= {"record_id", "item_index", "member_name", "age", "face"}
    codebook = [
        (row["position"], row["field"], row["type"], row["columns"])
        for row in conn.execute("SELECT * FROM codebook WHERE form = 'household' AND value IS NULL")
    ]
    assert codebook == [
        (1, "village", "text", "village"),
        (2, "members", "repeat", "members_count"),
        (3, "member_name", "text", "household__members.member_name"),
        (4, "age", "integer", "household__members.age"),
        (5, "face", "photo", "household__members.face, household__members.face_file"),
        (6, "people", "calculate", "people"),
    ]
    tables = next(iter(written.metadata["databases"].values()))["tables"]
    assert "linked to its record" in tables["household__members"]["description"]


def test_csv_folder_and_zip_have_a_file_per_repeat(app, household, tmp_path):
    team_id, record_id = household
    with app.app_context():
        counts = export.save_csv_folder(team_id, tmp_path / "csv")
        out = io.BytesIO()
        zipped = export.write_zip(team_id, out, app.config["ATTACHMENTS_DIR"], scratch=tmp_path)
    assert counts["household__members.csv"] == 3
    with open(tmp_path / "csv" / "household__members.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["record_id"], r["item_index"], r["member_name"]) for r in rows] == [
        (record_id, "1", "Ada"),
        (record_id, "2", "Bo"),
        (record_id, "3", "Cy"),
    ]
    assert zipped.records["household__members.csv"] == 3
    archive = zipfile.ZipFile(out)
    assert "household__members.csv" in archive.namelist()
    photo = f"media/household/{record_id}-members-1-face.jpg"
    assert archive.read(photo) == team_data.PHOTO
    text = archive.read("household__members.csv").decode("utf-8-sig")
    assert photo in text


def test_the_record_page_lists_each_items_answers(client, auth, household):
    _, record_id = household
    auth.login()
    page = client.get(f"/teams/clapton-circle/records/{record_id}")
    assert page.status_code == 200
    text = " ".join(page.get_data(as_text=True).split())
    assert "<dt>Household member</dt><dd>3 × Household member</dd>" in text
    assert "<dt>Household member 2: Name</dt><dd>Bo</dd>" in text
    assert "<dt>Household member 1: Photo</dt><dd><a href=" in text
    assert "<dt>Village</dt><dd>Kaliganj</dd>" in text
