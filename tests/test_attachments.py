"""Photos: uploaded by hash before the record, kept on disk, shown only to the team."""

import hashlib
import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from fvfield.extensions import db
from fvfield.models import Attachment

pytestmark = pytest.mark.both_stores

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"a tiny photo" * 10
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"pixels" * 10
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"pixels" * 10


def sha(data):
    """Return the name of some bytes."""
    return hashlib.sha256(data).hexdigest()


def url(data_or_name, slug="clapton-circle"):
    """Return the attachment address of some bytes (or of a name)."""
    name = data_or_name if isinstance(data_or_name, str) else sha(data_or_name)
    return f"/api/v1/teams/{slug}/attachments/{name}"


def put(client, data, content_type="image/jpeg", slug="clapton-circle", name=None):
    """Upload bytes; return the response."""
    return client.put(url(name or data, slug), data=data, content_type=content_type)


@pytest.mark.parametrize(
    "data, content_type", [(JPEG, "image/jpeg"), (PNG, "image/png"), (WEBP, "image/webp")]
)
def test_attachments_upload_then_download(sync, auth, client, data, content_type):
    auth.login("member@example.org")
    response = put(client, data, content_type)
    assert response.status_code == 201
    assert response.get_json() == {"sha256": sha(data), "content_type": content_type, "size": len(data)}
    response = client.get(url(data))
    assert (response.status_code, response.data, response.mimetype) == (200, data, content_type)
    assert response.headers["Cache-Control"].startswith("private")


def test_attachments_upload_twice_is_already_there(sync, auth, client):
    auth.login("member@example.org")
    assert put(client, JPEG).status_code == 201
    assert put(client, JPEG).status_code == 200


def test_attachments_live_on_disk_named_by_hash(app, sync, auth, client):
    auth.login("member@example.org")
    put(client, JPEG)
    path = Path(app.config["ATTACHMENTS_DIR"]) / sha(JPEG)[:2] / sha(JPEG)
    assert path.read_bytes() == JPEG
    assert list((Path(app.config["ATTACHMENTS_DIR"]) / "tmp").iterdir()) == []
    with app.app_context():
        row = db.session.scalar(sa.select(Attachment))
        assert (row.sha256, row.size, row.content_type) == (sha(JPEG), len(JPEG), "image/jpeg")


def test_attachments_bytes_that_do_not_hash_to_the_name_are_refused(app, sync, auth, client):
    auth.login("member@example.org")
    response = put(client, JPEG, name=sha(PNG))
    assert (response.status_code, response.get_json()["error"]["code"]) == (400, "hash_mismatch")
    assert client.get(url(PNG)).status_code == 404
    assert list((Path(app.config["ATTACHMENTS_DIR"]) / "tmp").iterdir()) == []


@pytest.mark.parametrize(
    "data, content_type",
    [
        (b"just text", "text/plain"),
        (JPEG, "application/octet-stream"),
        (PNG, "image/jpeg"),
        (JPEG, "image/png"),
        (b"<svg></svg>", "image/webp"),
        (b"", "image/jpeg"),
        (b"\xff\xd8", "image/jpeg"),
    ],
)
def test_attachments_only_jpeg_png_and_webp_are_kept(sync, auth, client, data, content_type):
    auth.login("member@example.org")
    response = put(client, data, content_type)
    assert (response.status_code, response.get_json()["error"]["code"]) == (415, "unsupported_media_type")


def test_attachments_over_the_limit_are_refused(app, sync, auth, client):
    auth.login("member@example.org")
    app.config["MAX_ATTACHMENT_BYTES"] = 100
    big = JPEG + b"x" * 200
    response = put(client, big)
    assert (response.status_code, response.get_json()["error"]["code"]) == (413, "attachment_too_large")


def test_attachments_over_the_limit_without_a_length_are_refused(app, sync, auth, client):
    auth.login("member@example.org")
    app.config["MAX_ATTACHMENT_BYTES"] = 100
    big = JPEG + b"x" * 200
    response = client.put(
        url(big),
        input_stream=io.BytesIO(big),
        content_type="image/jpeg",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert (response.status_code, response.get_json()["error"]["code"]) == (413, "attachment_too_large")


def test_attachments_a_name_that_is_not_a_hash_is_refused(sync, auth, client):
    auth.login("member@example.org")
    response = put(client, JPEG, name="../../secret_key")
    assert response.status_code in (400, 404)
    response = put(client, JPEG, name=sha(JPEG).upper())
    assert (response.status_code, response.get_json()["error"]["code"]) == (400, "invalid_hash")


def test_attachments_viewer_may_look_but_not_upload(sync, auth, client):
    auth.login("member@example.org")
    put(client, JPEG)
    auth.logout()
    auth.login("viewer@example.org")
    assert put(client, PNG, "image/png").status_code == 403
    assert client.get(url(JPEG)).status_code == 200


def test_attachments_are_not_found_outside_their_team(sync, auth, client):
    auth.login("member@example.org")
    put(client, JPEG)
    auth.logout()
    auth.login("other@example.org")
    for address in (url(JPEG), url(JPEG, "ridley-market"), url(JPEG, "no-such-team")):
        response = client.get(address)
        assert (response.status_code, response.get_json()["error"]["code"]) == (404, "not_found")
    assert put(client, JPEG).status_code == 404


def test_attachments_need_a_login(sync, client):
    assert client.get(url(JPEG)).status_code == 401
    assert put(client, JPEG).status_code == 401


def test_attachments_upload_to_one_team_does_not_serve_another(sync, auth, client):
    auth.login("other@example.org")
    assert put(client, JPEG, slug="ridley-market").status_code == 201
    auth.logout()
    auth.login("member@example.org")
    assert client.get(url(JPEG)).status_code == 404
    assert put(client, JPEG).status_code == 201


def photo_record(sync, data):
    """Return a record change whose photo answer refers to these bytes."""
    answer = {"sha256": sha(data), "content_type": "image/jpeg", "size": len(data)}
    return sync.record(data={"time_in": "09:30", "photo": answer})


def test_attachments_a_record_may_refer_to_an_uploaded_photo(sync, auth, client):
    auth.login("member@example.org")
    record = photo_record(sync, JPEG)
    [rejected] = sync.results(record)
    assert rejected["errors"] == {
        "photo": ["This photo has not been uploaded yet: upload it, then push the record again."]
    }
    put(client, JPEG)
    assert sync.results(record)[0]["status"] == "applied"


def test_attachments_a_record_may_not_refer_to_another_teams_photo(sync, auth, client):
    auth.login("other@example.org")
    put(client, JPEG, slug="ridley-market")
    auth.logout()
    auth.login("member@example.org")
    [result] = sync.results(photo_record(sync, JPEG))
    assert list(result["errors"]) == ["photo"]
