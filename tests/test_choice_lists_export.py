"""A form with cascading choices, "Other, please say" and Bengali: pushed, refused when wrong, exported."""

import copy
import io
import zipfile

import pytest
import sqlalchemy as sa
import team_data
from test_choice_lists import FORM

from fvfield.extensions import db
from fvfield.models import User
from fvfield.sync.push import push_changes

EXPORT = "/teams/clapton-circle/export"


def places():
    definition = copy.deepcopy(FORM)
    definition["default_language"] = "en"
    definition["fields"][1]["translations"] = {"bn": {"label": "এলাকা", "choices": {"gulshan": "গুলশান"}}}
    return definition


@pytest.fixture
def published(app, people):
    with app.app_context():
        circle = team_data.team("clapton-circle")
        team_data.publish(circle, places())
        good = team_data.record(
            "stall-place", 1, {"county": "dhaka", "area": "other", "area_other": "Kawran Bazar"}
        )
        plain = team_data.record("stall-place", 1, {"county": "dhaka", "area": "gulshan", "sells": ["fish"]})
        team_data.push(circle, "coord@example.org", "coordinator", good, plain)
        return good, plain


def test_a_push_with_an_answer_the_filter_does_not_offer_is_refused_with_why(app, published):
    with app.app_context():
        circle = team_data.team("clapton-circle")
        user = db.session.scalar(sa.select(User).where(User.email == "coord@example.org"))
        wrong = team_data.record("stall-place", 1, {"county": "khulna", "area": "gulshan"})
        silent = team_data.record("stall-place", 1, {"county": "dhaka", "area": "other"})
        results, _ = push_changes(circle.id, user.id, "coordinator", team_data.DEVICE, [wrong, silent])
    assert [r["status"] for r in results] == ["rejected", "rejected"]
    assert "'gulshan' is not offered" in str(results[0])
    assert "Say what the other is" in str(results[1])


def test_the_other_words_have_their_column_and_the_codebook_speaks_bengali(client, auth, published):
    good, plain = published
    auth.login()
    header, rows = read_csv(client.get(f"{EXPORT}/stall-place.csv").data)
    assert header.index("area_other") == header.index("area") + 1
    assert rows[good["id"]]["area"] == "other" and rows[good["id"]]["area_other"] == "Kawran Bazar"
    assert rows[plain["id"]]["area_other"] == ""
    response = client.get(f"{EXPORT}/zip?language=bn")
    assert response.status_code == 200
    codebook = zipfile.ZipFile(io.BytesIO(response.data)).read("codebook.csv").decode("utf-8-sig")
    assert "এলাকা" in codebook and "গুলশান" in codebook and "Mirpur" in codebook
    english = zipfile.ZipFile(io.BytesIO(client.get(f"{EXPORT}/zip").data)).read("codebook.csv").decode()
    assert "গুলশান" not in english and "Gulshan" in english
    page = client.get(EXPORT).get_data(as_text=True)
    assert "language=bn" in page and "বাংলা" in page


def read_csv(body):
    import csv

    reader = csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline=""))
    rows = list(reader)
    return reader.fieldnames, {row["id"]: row for row in rows}
