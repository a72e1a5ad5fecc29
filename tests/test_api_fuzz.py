"""Guarantee 6: bad input gets a 4xx with a message that says what to fix, never a 500.

A fuzzer (schemathesis, from /api/v1/openapi.json, in-process, as a logged-in
coordinator) looks for any 5xx, and for answers the description does not
describe (status, content type, body); the cases below it are the bad inputs
a broken or hostile client sends, one by one.
"""

import hashlib
import json
import uuid

import hypothesis
import pytest
import schemathesis
from conftest import DEVICE
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from fvfield import create_app

pytestmark = pytest.mark.both_stores

SLUG = "clapton-circle"
PUSH = f"/api/v1/teams/{SLUG}/push"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256))
JPEG_SHA = hashlib.sha256(JPEG).hexdigest()


def new_id():
    """Return a new UUID as a device makes them."""
    return str(uuid.uuid4())


@pytest.fixture
def coordinator(sync, auth, people):
    """The conftest sync actions, logged in as clapton-circle's coordinator."""
    assert auth.login(people["coord"]).status_code == 302
    return sync


# --- The fuzzer ------------------------------------------------------------------------------


@pytest.fixture
def api_schema(app, coordinator):
    """Load the OpenAPI description from the app, to fuzz as the coordinator."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # Most operations are about a team: fuzz the one the coordinator holds (test_api_access
    # covers every other slug). The session cookie is the client's, not a generated one.
    schema.config.update(parameters={"slug": SLUG})
    schema.config.generation.update(with_security_parameters=False)
    return schema


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


# Each operation's cases come from schemathesis's own strategy, run by hypothesis here:
# its pytest plugin follows pytest's private node attributes, which pytest 9.2 changed,
# and this way the test runs the same on every pytest the lock may hold.
def test_api_fuzz_finds_no_server_error(api_schema, client):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 7, "the OpenAPI description lost its operations"
    for operation in operations:

        @hypothesis.settings(
            max_examples=25, deadline=None, database=None, suppress_health_check=list(hypothesis.HealthCheck)
        )
        @hypothesis.given(case=operation.as_strategy())
        def call(case):
            response = case.call(session=client)
            case.validate_response(response, checks=CHECKS)

        try:
            call()
        except Exception as error:
            raise AssertionError(f"{operation.method.upper()} {operation.path}: {error}") from error


# --- The body of a push ----------------------------------------------------------------------


def post(client, body, content_type="application/json"):
    """POST a push body (JSON of a value, or text and bytes as they are)."""
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(PUSH, data=data, content_type=content_type)


def error_problem(response, status, code=None, words=()):
    """Return what is wrong with an error response, or None when it is the contract's shape.

    The right status, {"error": {"code", "message"}}, the code when given, and a
    message of a sentence a person can act on, naming `words`.
    """
    text = response.get_data(as_text=True)[:300]
    if response.status_code != status:
        return f"answered {response.status_code}, not {status}: {text}"
    body = response.get_json(silent=True)
    if not isinstance(body, dict) or set(body) != {"error"} or set(body["error"]) != {"code", "message"}:
        return f"not the error shape: {text}"
    if code and body["error"]["code"] != code:
        return f"code {body['error']['code']}, not {code}"
    message = body["error"]["message"]
    if len(message.split()) < 4 or not all(word in message for word in words):
        return f"message {message!r} does not say what to fix ({', '.join(words)})"
    return None


def assert_error(response, status, code=None, words=()):
    """Assert that the response is the contract's error for `status`."""
    problem = error_problem(response, status, code, words)
    assert problem is None, problem


MALFORMED = [
    ('{"device_id": "x", "changes": [', "invalid_json"),
    ("", "invalid_json"),
    ("{'single': 'quotes'}", "invalid_json"),
    ('{"device_id": NaN}', "invalid_json"),
    ("[" * 50_000 + "]" * 50_000, None),
    (b"\xff\xfe{}", "invalid_json"),
    ([], "body_not_object"),
    ([{"device_id": DEVICE, "changes": []}], "body_not_object"),
    ("null", "body_not_object"),
    ('"changes"', "body_not_object"),
    ({"changes": []}, "invalid_device_id"),
    ({"device_id": 7, "changes": []}, "invalid_device_id"),
    ({"device_id": DEVICE}, "changes_not_list"),
    ({"device_id": DEVICE, "changes": {"0": {}}}, "changes_not_list"),
    ({"device_id": DEVICE, "changes": "all of them"}, "changes_not_list"),
    ({"device_id": DEVICE, "changes": [7]}, "change_not_object"),
    ({"device_id": DEVICE, "changes": [None]}, "change_not_object"),
]


def test_api_fuzz_malformed_push_is_400_naming_the_problem(client, coordinator):
    problems = [
        (str(body)[:60], problem)
        for body, code in MALFORMED
        if (problem := error_problem(post(client, body), 400, code))
    ]
    assert problems == [], "\n".join(map(repr, problems))


@pytest.mark.parametrize("missing", ["change_id", "collection", "id", "base_rev", "form", "data"])
def test_api_fuzz_change_missing_a_key_is_400_naming_it(client, coordinator, missing):
    change = coordinator.record()
    del change[missing]
    response = post(client, {"device_id": DEVICE, "changes": [coordinator.record(), change]})
    assert_error(response, 400, "missing_keys", words=[missing])


def test_api_fuzz_push_of_another_content_type_is_415(client, coordinator):
    body = json.dumps({"device_id": DEVICE, "changes": [coordinator.record()]})
    kinds = [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "application/xml",
        "application/json-patch+json",
        "",
    ]
    problems = [
        (kind, problem)
        for kind in kinds
        if (problem := error_problem(post(client, body, content_type=kind), 415))
    ]
    assert problems == [], "\n".join(map(repr, problems))
    assert [d for d in coordinator.pull_all()[0] if d["collection"] == "records"] == []


@pytest.fixture
def small_limits(tmp_path, people):
    """A second app on the same instance, with limits small enough to reach in a test."""
    from flask_migrate import upgrade

    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "WTF_CSRF_ENABLED": False,
            "MAX_CHANGES": 5,
            "MAX_BODY_BYTES": 4_000,
            "MAX_ATTACHMENT_BYTES": 1_000,
        }
    )
    with app.app_context():
        upgrade()
    client = app.test_client()
    client.post("/login", data={"email": people["coord"], "password": "correct horse battery"})
    return client


def test_api_fuzz_session_reports_the_configured_limits(small_limits):
    limits = small_limits.get("/api/v1/session").get_json()["limits"]
    assert limits == {"max_changes": 5, "max_body_bytes": 4_000, "max_attachment_bytes": 1_000}


def test_api_fuzz_more_changes_than_max_changes_is_413(small_limits, coordinator):
    changes = [coordinator.record() for _ in range(6)]
    assert_error(post(small_limits, {"device_id": DEVICE, "changes": changes}), 413, words=["5"])
    assert post(small_limits, {"device_id": DEVICE, "changes": changes[:5]}).status_code == 200


def test_api_fuzz_body_over_max_body_bytes_is_413(small_limits, coordinator):
    change = coordinator.record(data={"time_in": "09:30", "notes": "x" * 150})
    body = json.dumps({"device_id": DEVICE, "changes": [change] * 5, "padding": "y" * 3_000})
    assert len(body) > 4_000
    assert_error(post(small_limits, body), 413)


def test_api_fuzz_attachment_over_the_limit_is_413(small_limits):
    photo = JPEG + bytes(1_000)
    url = f"/api/v1/teams/{SLUG}/attachments/{hashlib.sha256(photo).hexdigest()}"
    assert_error(small_limits.put(url, data=photo, content_type="image/jpeg"), 413)


# --- Answers of every wrong type -------------------------------------------------------------

CHOICES = [{"value": "x", "label": "X"}, {"value": "y", "label": "Y"}]
EVERY_TYPE = {
    "id": "every-type",
    "title": "Every type of question",
    "fields": [
        {"name": "a_text", "type": "text", "label": "Text", "max_length": 10},
        {"name": "a_textarea", "type": "textarea", "label": "Long text", "max_length": 20},
        {"name": "an_email", "type": "email", "label": "Email"},
        {"name": "an_integer", "type": "integer", "label": "Integer", "min": 0, "max": 10},
        {"name": "a_decimal", "type": "decimal", "label": "Decimal", "min": 0, "max": 10},
        {"name": "a_date", "type": "date", "label": "Date"},
        {"name": "a_time", "type": "time", "label": "Time"},
        {"name": "a_datetime", "type": "datetime", "label": "Date and time"},
        {"name": "a_boolean", "type": "boolean", "label": "Yes or no"},
        {"name": "a_choice", "type": "choice", "label": "Choice", "choices": CHOICES},
        {"name": "choices", "type": "multiple_choice", "label": "Choices", "choices": CHOICES},
        {"name": "a_scale", "type": "scale", "label": "Scale", "min": 1, "max": 5},
        {"name": "a_counter", "type": "counter", "label": "Counter"},
        {"name": "a_geopoint", "type": "geopoint", "label": "Where"},
        {"name": "a_photo", "type": "photo", "label": "Photo"},
        {"name": "a_note", "type": "note", "label": "Read this first"},
    ],
}
GOOD = {
    "a_text": "short",
    "a_textarea": "a little longer",
    "an_email": "cara@example.org",
    "an_integer": 10,
    "a_decimal": 2.5,
    "a_date": "2026-11-25",
    "a_time": "09:30",
    "a_datetime": "2026-11-25T09:41:00+00:00",
    "a_boolean": False,
    "a_choice": "y",
    "choices": ["x", "y"],
    "a_scale": 5,
    "a_counter": 0,
    "a_geopoint": {"lat": 51.55, "lon": -0.06, "accuracy": 12},
    "a_photo": {"sha256": JPEG_SHA, "content_type": "image/jpeg", "size": len(JPEG)},
}
NOT_UPLOADED = {"sha256": "b" * 64, "content_type": "image/jpeg", "size": 10}
WRONG = {
    "a_text": [True, 1, 1.5, [], {}, ["short"], "x" * 11],
    "a_textarea": [False, 0, ["a"], {"text": "a"}, "x" * 21],
    "an_email": ["cara", "cara@example", "cara @example.org", 1, True, [], {}],
    "an_integer": ["1", 1.5, True, [], {}, 11, -1, 1e300],
    "a_decimal": ["1.5", True, [], {}, 10.5, -0.1],
    "a_date": ["2026-13-01", "2026-02-30", "25/11/2026", 20261125, True, "2026-11-25T10:00"],
    "a_time": ["25:00", "9:30", "09:60", 930, True, "09:30:00", "half past nine"],
    "a_datetime": ["2026-11-25T09:41:00", "2026-11-25", "yesterday", 1764063660, True],
    "a_boolean": ["true", "false", 1, 0, "yes", [], {}],
    "a_choice": ["z", "X", 1, True, ["x"], {}],
    "choices": ["x", ["z"], [1], [["x"]], {}, True],
    "a_scale": [0, 6, 2.5, "3", True, [3]],
    "a_counter": [-1, 1.5, "3", True, []],
    "a_geopoint": [
        {"lat": 51.5},
        {"lat": "51", "lon": 0, "accuracy": 1},
        {"lat": 91, "lon": 0, "accuracy": 1},
        {"lat": 0, "lon": 181, "accuracy": 1},
        [51.5, -0.06],
        "51.5,-0.06",
        True,
        {"lat": 51.5, "lon": -0.06, "accuracy": 5, "altitude": 20},
    ],
    "a_photo": [
        "photo.jpg",
        {"sha256": "nothex"},
        True,
        1,
        [],
        NOT_UPLOADED,
        {**GOOD["a_photo"], "content_type": "text/plain"},
    ],
    "a_note": ["an answer", True, 0, {}],
}


@pytest.fixture
def every_type(app, coordinator, client):
    """Publish the form with a question of every type, and upload its photo."""
    coordinator.publish(EVERY_TYPE)
    url = f"/api/v1/teams/{SLUG}/attachments/{JPEG_SHA}"
    assert client.put(url, data=JPEG, content_type="image/jpeg").status_code == 201
    return coordinator


def every_type_record(data):
    """Return a new record of the every-type form with these answers."""
    return {
        "change_id": new_id(),
        "collection": "records",
        "id": new_id(),
        "base_rev": 0,
        "deleted": False,
        "form": "every-type",
        "form_version": 1,
        "subject_id": None,
        "recorded_at": "2026-11-25T09:41:00+00:00",
        "data": data,
    }


def test_api_fuzz_good_answers_of_every_type_are_applied(every_type):
    [result] = every_type.results(every_type_record(GOOD))
    assert result["status"] == "applied", result


def test_api_fuzz_wrong_answers_of_every_type_are_rejected_naming_the_field(every_type):
    cases = [(name, value) for name, values in WRONG.items() for value in values]
    results = every_type.results(*[every_type_record({**GOOD, name: value}) for name, value in cases])
    problems = []
    for (name, value), result in zip(cases, results):
        errors = result.get("errors") or {}
        messages = errors.get(name) or [""]
        if result["status"] != "rejected" or list(errors) != [name] or len(messages[0].split()) < 3:
            problems.append((name, value, result["status"], errors))
    assert problems == [], "\n".join(map(repr, problems))


@pytest.mark.parametrize("name", ["unknown", "A_TEXT", "a text", ""])
def test_api_fuzz_answer_to_no_question_is_rejected(every_type, name):
    [result] = every_type.results(every_type_record({**GOOD, name: "x"}))
    assert result["status"] == "rejected"
    assert any(name in key or name in " ".join(msgs) for key, msgs in result["errors"].items())


def test_api_fuzz_a_rejected_change_does_not_block_its_batch(every_type):
    good = [every_type_record(GOOD) for _ in range(4)]
    bad = [
        every_type_record({**GOOD, "a_scale": 9}),
        {**every_type_record(GOOD), "form_version": 7},
        {**every_type_record(GOOD), "collection": "letters"},
    ]
    batch = [good[0], bad[0], good[1], bad[1], good[2], bad[2], good[3]]
    results = every_type.results(*batch)
    assert [r["status"] for r in results] == ["applied", "rejected"] * 3 + ["applied"]
    assert [r["change_id"] for r in results] == [c["change_id"] for c in batch]
    stored = {d["id"] for d in every_type.pull_all()[0] if d["collection"] == "records"}
    assert stored == {c["id"] for c in good}


# --- Odd values in places a client controls --------------------------------------------------

SURROGATE = "\ud800"


def raw_push(client, change):
    """Push one change written as JSON text that may carry an unpaired surrogate (\\ud800)."""
    text = json.dumps({"device_id": DEVICE, "changes": [change]}).replace("SURROGATE", "\\ud800")
    return post(client, text)


ODD_SUBJECT_VALUES = [
    ("label", "SURROGATE"),
    ("kind", "SURROGATE"),
    ("label", "a\x00b" * 100),
    ("data", {"SURROGATE": 1}),
    ("data", {"note": "SURROGATE"}),
    ("data", {"n": 10**400}),
    ("data", [1, 2]),
    ("kind", {"person": True}),
    ("label", ["Edna"]),
]
ODD_RECORD_VALUES = [
    ("form", {"id": "visit"}),
    ("form", ["visit"]),
    ("form", 7),
    ("form", "SURROGATE"),
    ("form_version", 10**30),
    ("form_version", [1]),
    ("recorded_at", "SURROGATE"),
    ("recorded_at", {"at": "now"}),
    ("subject_id", {"id": 1}),
    ("id", {"id": 1}),
    ("change_id", ["a"]),
    ("base_rev", 10**30),
    ("base_rev", "0"),
    ("deleted", "no"),
    ("collection", {"records": 1}),
    ("data", {"time_in": "09:30", "notes": "SURROGATE"}),
]


def test_api_fuzz_odd_subject_values_are_not_a_server_error(client, coordinator):
    problems = []
    for attribute, value in ODD_SUBJECT_VALUES:
        response = raw_push(client, coordinator.subject(**{attribute: value}))
        if response.status_code >= 500:
            problems.append((attribute, str(value)[:40], response.status_code))
    assert problems == [], "\n".join(map(repr, problems))


def test_api_fuzz_odd_record_values_are_rejected_not_a_server_error(client, coordinator):
    problems = []
    for attribute, value in ODD_RECORD_VALUES:
        response = raw_push(client, coordinator.record(**{attribute: value}))
        results = response.get_json()["results"] if response.status_code == 200 else []
        if response.status_code >= 500 or any(r["status"] != "rejected" for r in results):
            problems.append((attribute, str(value)[:40], response.status_code, results))
    assert problems == [], "\n".join(map(repr, problems))


BAD_READS = [
    (f"/api/v1/teams/{SLUG}/pull?limit=0", 400),
    (f"/api/v1/teams/{SLUG}/pull?limit=-5", 400),
    (f"/api/v1/teams/{SLUG}/pull?limit=ten", 400),
    (f"/api/v1/teams/{SLUG}/pull?since=nonsense", 410),
    (f"/api/v1/teams/{SLUG}/pull?since=v1.999999999999999999.abc", 410),
    (f"/api/v1/teams/{SLUG}/pull?since=v1.-1.abc", 410),
    (f"/api/v1/teams/{SLUG}/pull?device_id=phone", 400),
    (f"/api/v1/teams/{SLUG}/forms/visit/versions/99999999999999999999999", 404),
    (f"/api/v1/teams/{SLUG}/forms/visit/versions/0", 404),
    (f"/api/v1/teams/{SLUG}/forms/{'x' * 5000}/versions/1", 404),
    (f"/api/v1/teams/{SLUG}/records/{'x' * 5000}/revisions", 404),
    (f"/api/v1/teams/{SLUG}/attachments/{'x' * 64}", 404),
    (f"/api/v1/teams/{SLUG}/attachments/{'A' * 64}", 404),
]


def test_api_fuzz_bad_reads_are_4xx(client, coordinator):
    problems = [
        (path[:80], problem)
        for path, status in BAD_READS
        if (problem := error_problem(client.get(path), status))
    ]
    assert problems == [], "\n".join(map(repr, problems))


def test_api_fuzz_cursor_of_another_team_is_410(client, coordinator, auth, people):
    cursor = coordinator.pull(slug=SLUG).get_json()["cursor"]
    auth.logout()
    auth.login(people["other"])
    assert_error(client.get(f"/api/v1/teams/ridley-market/pull?since={cursor}"), 410, "cursor_expired")


BAD_UPLOADS = [
    (JPEG_SHA, JPEG[:-1], "image/jpeg", 400, "hash_mismatch"),
    ("0" * 64, JPEG, "image/jpeg", 400, "hash_mismatch"),
    (JPEG_SHA.upper(), JPEG, "image/jpeg", 400, "invalid_hash"),
    ("photo.jpg", JPEG, "image/jpeg", 400, "invalid_hash"),
    (JPEG_SHA, JPEG, "text/plain", 415, None),
    (JPEG_SHA, JPEG, "image/gif", 415, None),
    (JPEG_SHA, JPEG, "application/json", 415, None),
    (JPEG_SHA, JPEG, "image/png", 415, None),
    (hashlib.sha256(b"GIF89a").hexdigest(), b"GIF89a", "image/jpeg", 415, None),
    (hashlib.sha256(b"").hexdigest(), b"", "image/jpeg", 415, None),
]


def test_api_fuzz_bad_uploads_are_4xx_and_keep_nothing(client, coordinator):
    problems = []
    for sha, data, content_type, status, code in BAD_UPLOADS:
        url = f"/api/v1/teams/{SLUG}/attachments/{sha}"
        problem = error_problem(client.put(url, data=data, content_type=content_type), status, code)
        if problem or client.get(url).status_code != 404:
            problems.append((sha[:12], content_type, problem or "kept"))
    assert problems == [], "\n".join(map(repr, problems))


def test_api_fuzz_missing_csrf_token_is_400_csrf_failed(tmp_path, people):
    from flask_migrate import upgrade

    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance")})
    with app.app_context():
        upgrade()
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post(
        "/login", data={"email": people["member"], "password": "correct horse battery", "csrf_token": token}
    )
    body = {"device_id": DEVICE, "changes": []}
    for headers in ({}, {"X-CSRFToken": "stale"}):
        assert_error(client.post(PUSH, json=body, headers=headers), 400, "csrf_failed")
    fresh = client.get("/api/v1/session").get_json()["csrf_token"]
    assert client.post(PUSH, json=body, headers={"X-CSRFToken": fresh}).status_code == 200
