"""People, markets and pitches on the coordinators' pages: every edit is a change that phones pull."""

import io
import re

import pytest
import sqlalchemy as sa
from admin_helpers import ROLES, location, login_as, pulled, text
from conftest import new_id

from fvfield.extensions import db
from fvfield.models import Revision
from fvfield.sync.web_edits import web_device_id

# The queries behind these pages (LIKE on data, substr of recorded_at) run on both stores.
pytestmark = pytest.mark.both_stores

PERSON = {
    "label": "Edna Jones",
    "important": "Her garden, and Radio 4 in the morning.",
    "essentials": "Hard of hearing: face her when you speak.\nMedicines in the kitchen drawer.",
    "contacts": "Son: Rob Jones, 07700 900456",
}
PHONE = "0d3c1a52-5f6e-4d7a-9b8c-1e2f3a4b5c6e"


@pytest.fixture
def edna(sync, auth):
    """A person pushed by a member's phone, with a detail the web form does not know."""
    login_as(auth, "member")
    change = sync.subject(label="Edna", data={"important": "Her garden", "key_safe": "1234"})
    assert sync.results(change, device=PHONE)[0]["status"] == "applied"
    login_as(auth, "coord")
    return change["id"]


@pytest.fixture
def market(sync, auth, client):
    """A market in ridley-market, added by its coordinator on the web; return its id."""
    login_as(auth, "other")
    response = client.post(
        "/teams/ridley-market/subjects/new/market",
        data={"label": "Ridley Road Market", "address": "Ridley Road, E8"},
    )
    assert response.status_code == 302
    return location(response).rsplit("/", 1)[1]


def pages(subject_id):
    return [
        "/teams/clapton-circle/subjects",
        "/teams/clapton-circle/subjects/new/person",
        f"/teams/clapton-circle/subjects/{subject_id}",
        f"/teams/clapton-circle/subjects/{subject_id}/edit",
    ]


@pytest.mark.parametrize("who, status", ROLES)
def test_admin_subjects_pages_by_role(client, auth, edna, who, status):
    login_as(auth, who)
    for path in pages(edna):
        assert client.get(path).status_code == status, path
    for action in ("archive", "restore", "edit"):
        response = client.post(
            f"/teams/clapton-circle/subjects/{edna}/{action}", data={"base_rev": 1, "label": "X"}
        )
        assert response.status_code in ((302, 200) if status == 200 else (status,)), action


def test_admin_subjects_of_another_team_are_not_found(client, auth, edna):
    login_as(auth, "other")
    for path in pages(edna)[2:]:
        assert client.get(path.replace("clapton-circle", "ridley-market")).status_code == 404
    archive = f"/teams/ridley-market/subjects/{edna}/archive"
    assert client.post(archive, data={"base_rev": 1, "confirmed": "yes"}).status_code == 404


def test_admin_subjects_add_person_is_a_change_phones_pull(app, client, auth, sync):
    login_as(auth, "coord")
    response = client.post("/teams/clapton-circle/subjects/new/person", data=PERSON)
    assert response.status_code == 302
    subject_id = location(response).rsplit("/", 1)[1]
    login_as(auth, "member")
    document = pulled(sync, subject_id)
    assert (document["kind"], document["label"], document["rev"]) == ("person", "Edna Jones", 1)
    assert document["data"] == {key: PERSON[key] for key in ("important", "essentials", "contacts")}
    with app.app_context():
        revision = db.session.scalar(sa.select(Revision).where(Revision.document_id == subject_id))
        assert (revision.status, revision.device_id) == ("applied", web_device_id(revision.user_id))
    login_as(auth, "coord")
    page = text(client.get(f"/teams/clapton-circle/subjects/{subject_id}"))
    assert "Medicines in the kitchen drawer." in page and "Key contacts" in page


def test_admin_subjects_list_people_and_archived_apart(client, auth, edna, sync):
    login_as(auth, "coord")
    page = text(client.get("/teams/clapton-circle/subjects"))
    assert "People" in page and "Edna" in page and "Archived" not in page
    client.post(f"/teams/clapton-circle/subjects/{edna}/archive", data={"base_rev": 1, "confirmed": "yes"})
    assert "Edna is archived" in text(client.get("/teams/clapton-circle/subjects"))
    people, archived = text(client.get("/teams/clapton-circle/subjects")).split("Archived", 1)
    assert "Edna" not in people and "None yet" in people and "Edna" in archived


def test_admin_subjects_edit_keeps_details_the_form_does_not_show(client, auth, edna, sync):
    response = client.post(
        f"/teams/clapton-circle/subjects/{edna}/edit", data={**PERSON, "contacts": "", "base_rev": 1}
    )
    assert response.status_code == 302
    document = pulled(sync, edna)
    assert document["rev"] == 2
    assert document["label"] == "Edna Jones"
    assert document["data"] == {
        "important": PERSON["important"],
        "essentials": PERSON["essentials"],
        "key_safe": "1234",
    }


def test_admin_subjects_edit_merges_with_a_phone_edit_of_other_fields(client, auth, edna, sync):
    login_as(auth, "member")
    phone_edit = sync.subject(
        id=edna, base_rev=1, label="Edna", data={"important": "Her garden", "key_safe": "9999"}
    )
    assert sync.results(phone_edit, device=PHONE)[0]["status"] == "applied"
    login_as(auth, "coord")
    response = client.post(
        f"/teams/clapton-circle/subjects/{edna}/edit",
        data={"label": "Edna Jones", "important": "Her garden", "base_rev": 1},
    )
    assert response.status_code == 302
    assert "together with other changes made meanwhile" in text(client.get(location(response)))
    document = pulled(sync, edna)
    assert (document["rev"], document["label"], document["data"]["key_safe"]) == (3, "Edna Jones", "9999")


def test_admin_subjects_edit_of_the_same_field_keeps_both_as_a_conflict(client, auth, edna, sync):
    login_as(auth, "member")
    phone_edit = sync.subject(
        id=edna, base_rev=1, label="Edna May", data={"important": "Her garden", "key_safe": "1234"}
    )
    sync.results(phone_edit, device=PHONE)
    login_as(auth, "coord")
    response = client.post(
        f"/teams/clapton-circle/subjects/{edna}/edit",
        data={"label": "Edna Jones", "important": "Her garden", "base_rev": 1},
    )
    assert location(response) == f"/teams/clapton-circle/conflicts/subjects/{edna}"
    document = pulled(sync, edna)
    assert (document["label"], document["has_conflict"]) == ("Edna May", True)


def test_admin_subjects_two_pages_of_one_coordinator_editing_the_same_field_conflict(
    client, auth, edna, sync
):
    # Two tabs: both opened on rev 1, both save the name.
    first = client.get(f"/teams/clapton-circle/subjects/{edna}/edit").get_data(as_text=True)
    second = client.get(f"/teams/clapton-circle/subjects/{edna}/edit").get_data(as_text=True)
    assert (
        first.count('name="base_rev" type="hidden" value="1"')
        == second.count('name="base_rev" type="hidden" value="1"')
        == 1
    )
    saved = client.post(
        f"/teams/clapton-circle/subjects/{edna}/edit", data={"label": "Edna Jones", "base_rev": 1}
    )
    assert location(saved) == f"/teams/clapton-circle/subjects/{edna}"
    stale = client.post(
        f"/teams/clapton-circle/subjects/{edna}/edit", data={"label": "Edna May", "base_rev": 1}
    )
    assert location(stale) == f"/teams/clapton-circle/conflicts/subjects/{edna}"
    document = pulled(sync, edna)
    assert (document["label"], document["has_conflict"]) == ("Edna Jones", True)
    history = text(client.get(f"/teams/clapton-circle/subjects/{edna}"))
    assert "Merged" not in history and "a phone made meanwhile" not in history


def test_admin_subjects_edit_without_the_rev_it_was_opened_on_saves_nothing(client, auth, edna, sync):
    response = client.post(f"/teams/clapton-circle/subjects/{edna}/edit", data={"label": "Edna Jones"})
    assert response.status_code == 400
    assert "open it again" in text(response)
    assert pulled(sync, edna)["rev"] == 1


def test_admin_subjects_archive_and_restore_travel_to_phones(client, auth, edna, sync):
    response = client.post(
        f"/teams/clapton-circle/subjects/{edna}/archive", data={"base_rev": 1, "confirmed": "yes"}
    )
    assert location(response) == "/teams/clapton-circle/subjects"
    archived = pulled(sync, edna)
    assert (archived["deleted"], archived["rev"], archived["label"]) == (True, 2, "Edna")
    assert "restore it first" in text(
        client.get(f"/teams/clapton-circle/subjects/{edna}/edit", follow_redirects=True)
    )
    client.post(f"/teams/clapton-circle/subjects/{edna}/restore", data={"base_rev": 2})
    restored = pulled(sync, edna)
    assert (restored["deleted"], restored["rev"]) == (False, 3)
    assert restored["data"] == {"important": "Her garden", "key_safe": "1234"}


def test_admin_subjects_archived_person_keeps_visits_phones_bring_later(client, auth, edna, sync):
    # Archived is not deleted: a phone offline since the archiving still brings its visits.
    client.post(f"/teams/clapton-circle/subjects/{edna}/archive", data={"base_rev": 1, "confirmed": "yes"})
    login_as(auth, "member")
    result = sync.results(sync.record(subject_id=edna))[0]
    assert result["status"] == "applied"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"label": ""}, "Write the person's name."),
        ({"label": "x" * 201}, "Field cannot be longer than 200 characters."),
    ],
)
def test_admin_subjects_add_refuses_with_a_message(client, auth, sync, data, message):
    login_as(auth, "coord")
    response = client.post("/teams/clapton-circle/subjects/new/person", data=data)
    assert response.status_code == 400
    assert message in text(response)
    assert [d for d in sync.pull_all()[0] if d["collection"] == "subjects"] == []


def test_admin_subjects_pitches_only_on_a_market(client, auth, sync):
    login_as(auth, "coord")
    assert client.get("/teams/clapton-circle/subjects/new/pitch").status_code == 404


def test_admin_subjects_pitch_added_to_a_market(client, auth, market, sync):
    response = client.post(
        f"/teams/ridley-market/subjects/{market}/pitches/new",
        data={"label": " 14B ", "unit_type": "kiosk", "lat": "51.5468", "lon": "-0.0753"},
    )
    assert location(response) == f"/teams/ridley-market/subjects/{market}"
    pitch = next(d for d in sync.pull_all("ridley-market")[0] if d["kind"] == "pitch")
    assert pitch["label"] == "14B"
    assert pitch["data"] == {
        "market_id": market,
        "unit_type": "kiosk",
        "position": {"lat": 51.5468, "lon": -0.0753},
    }
    page = text(client.get(f"/teams/ridley-market/subjects/{market}"))
    assert "14B Kiosk 51.5468, -0.0753" in page


@pytest.mark.parametrize(
    "data, message",
    [
        ({"label": "14b", "unit_type": "stall"}, "Ridley Road Market already has a pitch 14b."),
        ({"label": "15", "unit_type": "van"}, "Not a valid choice"),
        ({"label": "15", "unit_type": "stall", "lat": "95", "lon": "0"}, "Enter a number from -90 to 90."),
        ({"label": "15", "unit_type": "stall", "lat": "nan", "lon": "0"}, "Enter a number from -90 to 90."),
        (
            {"label": "15", "unit_type": "stall", "lat": "51.5"},
            "Give both the latitude and the longitude, or neither.",
        ),
    ],
)
def test_admin_subjects_pitch_refused_with_a_message(client, auth, market, sync, data, message):
    client.post(
        f"/teams/ridley-market/subjects/{market}/pitches/new", data={"label": "14B", "unit_type": "stall"}
    )
    response = client.post(f"/teams/ridley-market/subjects/{market}/pitches/new", data=data)
    assert response.status_code == 400
    assert message in text(response)
    assert len([d for d in sync.pull_all("ridley-market")[0] if d["kind"] == "pitch"]) == 1


def test_admin_subjects_pitch_edit_moves_and_clears_its_position(client, auth, market, sync):
    client.post(
        f"/teams/ridley-market/subjects/{market}/pitches/new",
        data={"label": "3", "unit_type": "shop", "lat": "51.5", "lon": "-0.07"},
    )
    pitch = next(d for d in sync.pull_all("ridley-market")[0] if d["kind"] == "pitch")
    edit = client.get(f"/teams/ridley-market/subjects/{pitch['id']}/edit").get_data(as_text=True)
    assert 'value="51.5"' in edit
    client.post(
        f"/teams/ridley-market/subjects/{pitch['id']}/edit",
        data={"label": "3", "unit_type": "stall", "lat": "", "lon": "", "base_rev": 1},
    )
    assert pulled(sync, pitch["id"], "ridley-market")["data"] == {"market_id": market, "unit_type": "stall"}


def test_admin_subjects_market_page_of_another_team_is_not_found(client, auth, market, sync):
    login_as(auth, "coord")
    assert client.get(f"/teams/clapton-circle/subjects/{market}").status_code == 404
    assert client.get(f"/teams/clapton-circle/subjects/{market}/pitches/new").status_code == 404
    assert client.get(f"/teams/clapton-circle/subjects/{new_id()}").status_code == 404


# Importing pitches from a CSV file: a preview with per-row errors, then the import.

CSV = (
    "reference,unit_type,lat,lon\n"
    "1,stall,51.5468,-0.0753\n"
    "2,Kiosk,,\n"
    "14B,stall,,\n"
    "1,shop,,\n"
    "3,van,,\n"
    "4,stall,95,0\n"
    "5,stall,51.5,east\n"
    "6,stall,51.5,\n"
    ",stall,,\n"
)


def upload(client, market, body, name="pitches.csv"):
    return client.post(
        f"/teams/ridley-market/subjects/{market}/pitches/import",
        data={"pitches": (io.BytesIO(body), name)},
        content_type="multipart/form-data",
    )


def import_token(response):
    return re.search(r'name="rows" type="hidden" value="([^"]+)"', response.get_data(as_text=True)).group(1)


def test_admin_subjects_import_preview_shows_each_row_with_its_errors(client, auth, market, sync):
    client.post(
        f"/teams/ridley-market/subjects/{market}/pitches/new", data={"label": "14b", "unit_type": "stall"}
    )
    response = upload(client, market, CSV.encode())
    assert response.status_code == 200
    page = text(response)
    assert "9 rows in the file: 2 ready to import, 7 with errors" in page
    for message in (
        "Pitch 14B is already in this market.",
        "Pitch 1 is also on line 2.",
        'The unit type must be stall, kiosk or shop, not "van".',
        "The latitude 95 is out of range: it must be from -90 to 90.",
        'The longitude "east" is not a number.',
        "Give both lat and lon, or neither.",
        "No reference: write the pitch's number or name.",
    ):
        assert message in page
    assert "Import 2 pitches" in page
    assert len([d for d in sync.pull_all("ridley-market")[0] if d["kind"] == "pitch"]) == 1


def test_admin_subjects_import_confirm_pushes_the_good_rows(client, auth, market, sync):
    preview = upload(
        client, market, b"\xef\xbb\xbfReference,Unit Type,lat,lon\r\n1,stall,51.5468,-0.0753\r\n2,KIOSK,,\r\n"
    )
    response = client.post(
        f"/teams/ridley-market/subjects/{market}/pitches/import/confirm", data={"rows": import_token(preview)}
    )
    assert location(response) == f"/teams/ridley-market/subjects/{market}"
    assert "Imported 2 pitches into Ridley Road Market." in text(client.get(location(response)))
    login_as(auth, "other")
    pitches = sorted(
        (d for d in sync.pull_all("ridley-market")[0] if d["kind"] == "pitch"), key=lambda d: d["label"]
    )
    assert [(p["label"], p["data"]) for p in pitches] == [
        ("1", {"market_id": market, "unit_type": "stall", "position": {"lat": 51.5468, "lon": -0.0753}}),
        ("2", {"market_id": market, "unit_type": "kiosk"}),
    ]
    again = client.post(
        f"/teams/ridley-market/subjects/{market}/pitches/import/confirm",
        data={"rows": import_token(preview)},
        follow_redirects=True,
    )
    assert "Imported 0 pitches" in text(again) and "Left out, as the market has them already: 1, 2." in text(
        again
    )
    assert len([d for d in sync.pull_all("ridley-market")[0] if d["kind"] == "pitch"]) == 2


@pytest.mark.parametrize("token", ["", "not-a-token", "tampered"])
def test_admin_subjects_import_confirm_refuses_rows_it_did_not_sign(client, auth, market, sync, token):
    if token == "tampered":
        good = import_token(upload(client, market, b"reference,unit_type\n1,stall\n"))
        token = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    response = client.post(
        f"/teams/ridley-market/subjects/{market}/pitches/import/confirm",
        data={"rows": token},
        follow_redirects=True,
    )
    assert "upload the file again" in text(response)
    assert [d for d in sync.pull_all("ridley-market")[0] if d["kind"] == "pitch"] == []


def test_admin_subjects_import_rows_are_bound_to_their_market(client, auth, market, sync):
    other = location(client.post("/teams/ridley-market/subjects/new/market", data={"label": "Chapel Market"}))
    other = other.rsplit("/", 1)[1]
    token = import_token(upload(client, market, b"reference,unit_type\n1,stall\n"))
    response = client.post(
        f"/teams/ridley-market/subjects/{other}/pitches/import/confirm",
        data={"rows": token},
        follow_redirects=True,
    )
    assert "upload the file again" in text(response)


@pytest.mark.parametrize(
    "body, message",
    [
        (b"", "This file is empty"),
        (b"name,type\nA,stall\n", "this file has no reference or unit_type column"),
        (b"reference,unit_type\n", "no pitches under it"),
        ("reference,unit_type\nCaf\u00e9,stall\n".encode("latin-1"), 'save it as "CSV UTF-8"'),
        (b"reference,unit_type\n" + b"x" * (300 * 1024), "larger than 256 KB"),
        (b"reference,unit_type\n" + b"".join(b"%d,stall\n" % n for n in range(501)), "more than 500 pitches"),
    ],
)
def test_admin_subjects_import_refuses_a_file_it_cannot_read(client, auth, market, sync, body, message):
    response = upload(client, market, body)
    assert response.status_code in (400, 413)
    assert message in text(response)


def test_admin_subjects_import_needs_a_file(client, auth, market):
    response = client.post(f"/teams/ridley-market/subjects/{market}/pitches/import", data={})
    assert response.status_code == 400
    assert "Choose a CSV file." in text(response)


@pytest.mark.parametrize("who, status", ROLES)
def test_admin_subjects_pitch_pages_by_role(client, auth, sync, who, status):
    login_as(auth, "coord")
    response = client.post("/teams/clapton-circle/subjects/new/market", data={"label": "Chatsworth Road"})
    market = location(response).rsplit("/", 1)[1]
    login_as(auth, who)
    assert client.get(f"/teams/clapton-circle/subjects/{market}/pitches/import").status_code == status
    assert client.get(f"/teams/clapton-circle/subjects/{market}/pitches/new").status_code == status
    response = client.post(
        f"/teams/clapton-circle/subjects/{market}/pitches/new", data={"label": "9", "unit_type": "stall"}
    )
    assert response.status_code == (302 if status == 200 else status)
    response = client.post(
        f"/teams/clapton-circle/subjects/{market}/pitches/import",
        data={"pitches": (io.BytesIO(b"reference,unit_type\n1,stall\n"), "p.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == status
