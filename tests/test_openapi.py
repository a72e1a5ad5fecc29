"""The OpenAPI description: valid, and describing exactly the routes under /api/."""

import re

import pytest
from openapi_spec_validator import validate

METHODS = {"get", "put", "post", "patch", "delete"}


def api_routes(app):
    """Return {(openapi path, method)} of every route under /api/ in the app."""
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            routes |= {(path, m.lower()) for m in rule.methods if m.lower() in METHODS}
    return routes


def described_routes(document):
    """Return {(path, method)} of every operation the document describes."""
    return {
        (path, method) for path, item in document["paths"].items() for method in item if method in METHODS
    }


@pytest.fixture
def document(client):
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    assert answer.mimetype == "application/json"
    return answer.get_json()


def test_openapi_document_is_valid(document):
    validate(document)


def test_openapi_is_public(client):
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_openapi_describes_every_api_route(app, document):
    assert api_routes(app) - described_routes(document) == set()


def test_openapi_describes_only_real_routes(app, document):
    assert described_routes(document) - api_routes(app) == set()


def test_openapi_notices_an_undocumented_route(app, client):
    app.add_url_rule("/api/v1/teams/<slug>/secret", "secret", lambda slug: "", methods=["DELETE"])
    document = client.get("/api/v1/openapi.json").get_json()
    assert api_routes(app) - described_routes(document) == {("/api/v1/teams/{slug}/secret", "delete")}


def test_openapi_errors_have_the_contract_shape(document):
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    assert set(error["properties"]["error"]["required"]) == {"code", "message"}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, (path, method, status)


@pytest.mark.parametrize(
    "path",
    ["/api/v1/session", "/api/v1/teams/clapton-circle/pull", "/api/v1/no-such-thing"],
)
def test_openapi_error_bodies_match_the_document(client, document, path):
    answer = client.get(path)
    assert answer.status_code in (401, 404)
    body = answer.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert re.fullmatch(r"[a-z0-9_]+", body["error"]["code"])
