"""API v1: the OpenAPI 3.1 description of every route, written by hand.

tests/test_openapi.py fails when a route under /api/ is missing here, and
tests/test_api_fuzz.py fuzzes the API from this description.
"""

from fvfield.api import bp
from fvfield.sync.checks import MAX_REASON
from fvfield.sync.documents import ATTRIBUTES
from fvfield.sync.statuses import KEPT, STATUSES

SLUG = {
    "name": "slug",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "The team's address, e.g. clapton-circle.",
}
SHA256 = {
    "name": "sha256",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    "description": "The sha256 of the attachment's bytes, in lower-case hex.",
}
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")
BINARY = {"type": "string", "format": "binary"}


def ref(name):
    """Return a reference to a schema of the components."""
    return {"$ref": f"#/components/schemas/{name}"}


def as_json(schema, description):
    """Return a response whose body is JSON of `schema`."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def error(description):
    """Return an error response in the contract's shape."""
    return as_json(ref("Error"), description)


LOGGED_OUT = error("Not logged in, or the session expired (code login_required).")
NOT_YOURS = error("No team with this address that you belong to (never says whether it exists).")
ENDED = error(
    "You were a member of this team and were removed (code membership_ended): save the unsent "
    "changes to a file for a coordinator, then remove the team's data from the device."
)
CSRF = error("Missing or stale X-CSRFToken (code csrf_failed), or a malformed request.")

SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "pattern": "^[a-z0-9_]+$"},
                    "message": {"type": "string"},
                },
            }
        },
    },
    "Session": {
        "type": "object",
        "required": ["user", "teams", "csrf_token", "server_time", "limits"],
        "properties": {
            "user": {
                "type": "object",
                "required": ["id", "email", "name"],
                "properties": {
                    **{n: {"type": "string"} for n in ("id", "email", "name")},
                    "language": {
                        "type": ["string", "null"],
                        "description": "The language the person chose (en_GB, bn, ur); null: their browser's.",
                    },
                },
            },
            "teams": {"type": "array", "items": ref("TeamMembership")},
            "csrf_token": {"type": "string"},
            "server_time": {"type": "string", "format": "date-time"},
            "limits": {
                "type": "object",
                "required": ["max_changes", "max_body_bytes", "max_attachment_bytes"],
                "properties": {
                    n: {"type": "integer", "minimum": 1}
                    for n in ("max_changes", "max_body_bytes", "max_attachment_bytes")
                },
            },
        },
    },
    "TeamMembership": {
        "type": "object",
        "required": ["slug", "name", "kind", "role", "members"],
        "properties": {
            "slug": {"type": "string"},
            "name": {"type": "string"},
            "kind": {"enum": ["care-circle", "market-survey", "evaluation"]},
            "role": {"enum": ["coordinator", "member", "viewer"]},
            "members": {
                "type": "array",
                "description": "The team's members, by name: the phone names who recorded what.",
                "items": {
                    "type": "object",
                    "required": ["id", "name"],
                    "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
                },
            },
            "phone_history": {
                "type": "object",
                "description": "What of each subject's history a phone keeps (the coordinator sets it): "
                "its last `visits` records and every record of the last `days` days. A phone pulls with "
                "window=recent and drops older records; they load on demand.",
                "required": ["visits", "days"],
                "properties": {
                    "visits": {"type": "integer", "minimum": 1},
                    "days": {"type": "integer", "minimum": 1},
                },
            },
        },
    },
    "Answers": {
        "type": "object",
        "description": "Answers keyed by field name (records) or free attributes (subjects); "
        "for forms, the definition of the version.",
        "additionalProperties": True,
    },
    "Change": {
        "type": "object",
        "description": "One saved edit. Records carry form, form_version, subject_id, "
        "recorded_at and data; subjects carry kind, label and data.",
        "required": ["change_id", "collection", "id", "base_rev"],
        "properties": {
            "change_id": {
                "type": "string",
                "format": "uuid",
                "description": "A UUID made when the user saved.",
            },
            "collection": {"enum": list(ATTRIBUTES)},
            "id": {
                "type": "string",
                "description": "A UUID for subjects and records; the form's slug for forms.",
            },
            "base_rev": {"type": "integer", "minimum": 0},
            "deleted": {"type": "boolean"},
            "resolves_conflict": {
                "type": "boolean",
                "description": "This edit settles the document's conflict.",
            },
            "reason": {
                "type": ["string", "null"],
                "maxLength": MAX_REASON,
                "description": "Why the document was corrected or deleted, "
                "kept with the revision and shown in its history.",
            },
            "form": {"type": "string"},
            "form_version": {"type": "integer", "minimum": 1},
            "subject_id": {"type": ["string", "null"], "format": "uuid"},
            "recorded_at": {"type": "string", "format": "date-time"},
            "kind": {"type": "string"},
            "label": {"type": "string"},
            "data": ref("Answers"),
        },
    },
    "PushRequest": {
        "type": "object",
        "required": ["device_id", "changes"],
        "properties": {
            "device_id": {"type": "string", "format": "uuid"},
            "changes": {"type": "array", "items": ref("Change")},
        },
    },
    "PushResult": {
        "type": "object",
        "required": ["change_id", "status"],
        "properties": {
            "change_id": {
                "description": "The change's change_id; a rejected change's is "
                "echoed as sent, whatever its type."
            },
            "id": {
                "description": "The document's id as stored (UUIDs in lower case); a "
                "rejected change's is echoed as sent."
            },
            "status": {"enum": list(STATUSES)},
            "rev": {"type": "integer", "minimum": 1},
            "original_status": {
                "enum": list(KEPT),
                "description": "For a duplicate: what the server did the first time.",
            },
            "current": ref("Document"),
            "erased": {
                "type": "boolean",
                "description": "True when the document (or a new record's subject) was erased on "
                "request: the conflict keeps nothing, and current is the tombstone.",
            },
            "possible_duplicate_of": {
                "type": "string",
                "description": "For a new pitch applied: the id of a live pitch of the same market whose "
                "reference is the same once case and spaces are set aside ('10a' and '10A'). Both are "
                "kept; a coordinator may merge them.",
            },
            "errors": {
                "type": "object",
                "description": 'Messages by field name; "_" for the whole change.',
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
        },
    },
    "PushResponse": {
        "type": "object",
        "required": ["results", "cursor"],
        "properties": {
            "results": {"type": "array", "items": ref("PushResult")},
            "cursor": {"type": "string"},
        },
    },
    "Document": {
        "type": "object",
        "required": ["collection", "id", "rev", "deleted", "updated_at"],
        "properties": {
            "collection": {"enum": list(ATTRIBUTES)},
            "id": {"type": "string"},
            "rev": {"type": "integer", "minimum": 1},
            "deleted": {"type": "boolean"},
            "updated_at": {"type": "string", "format": "date-time"},
            "form": {"type": "string"},
            "form_version": {"type": "integer"},
            "subject_id": {"type": ["string", "null"]},
            "recorded_at": {"type": ["string", "null"]},
            "author": {"type": ["string", "null"]},
            "has_conflict": {"type": "boolean"},
            "versions": {
                "type": "array",
                "items": {"type": "integer"},
                "description": "Forms: the published version numbers.",
            },
            "kind": {"type": "string"},
            "label": {"type": "string"},
            "data": {"type": ["object", "null"]},
        },
    },
    "Revision": {
        "type": "object",
        "description": "One accepted change of a document, as the whole state it produced "
        "(status applied or merged), or the incoming state kept beside it (conflict).",
        "required": ["change_id", "rev", "base_rev", "status", "created_at", "data"],
        "properties": {
            "change_id": {"type": "string"},
            "rev": {"type": "integer", "minimum": 0},
            "base_rev": {"type": "integer", "minimum": 0},
            "status": {"enum": list(KEPT)},
            "user_id": {"type": ["string", "null"]},
            "device_id": {"type": ["string", "null"]},
            "created_at": {"type": "string", "format": "date-time"},
            "deleted": {"type": "boolean"},
            "data": {"type": ["object", "null"]},
        },
        "additionalProperties": True,
    },
    "FormDefinition": {
        "type": "object",
        "required": ["id", "version", "title", "fields"],
        "properties": {
            "id": {"type": "string"},
            "version": {"type": "integer", "minimum": 1},
            "title": {"type": "string"},
            "subject_kind": {"type": ["string", "null"]},
            "fields": {"type": "array", "items": {"type": "object"}},
        },
    },
    "Attachment": {
        "type": "object",
        "description": "What a record's photo answer carries.",
        "required": ["sha256", "content_type", "size"],
        "properties": {
            "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "content_type": {"enum": list(IMAGE_TYPES)},
            "size": {"type": "integer", "minimum": 0},
        },
    },
    "PullResponse": {
        "type": "object",
        "required": ["changes", "cursor", "more"],
        "properties": {
            "changes": {"type": "array", "items": ref("Document")},
            "cursor": {"type": "string"},
            "more": {"type": "boolean"},
        },
    },
}

PATHS = {
    "/api/v1/openapi.json": {
        "get": {
            "operationId": "describeApi",
            "summary": "This description of the API.",
            "security": [],
            "responses": {"200": as_json({"type": "object"}, "The OpenAPI document.")},
        }
    },
    "/api/v1/session": {
        "get": {
            "operationId": "getSession",
            "summary": "The logged-in user, their teams, a CSRF token and the sync limits.",
            "responses": {"200": as_json(ref("Session"), "The session."), "401": LOGGED_OUT},
        }
    },
    "/api/v1/session/language": {
        "put": {
            "operationId": "saveLanguage",
            "summary": "Keep the language the person chose on their phone in their account.",
            "security": [{"session": [], "csrf": []}],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["language"],
                            "properties": {"language": {"type": "string", "enum": ["en_GB", "bn", "ur"]}},
                        }
                    }
                },
            },
            "responses": {
                "200": as_json(
                    {"type": "object", "properties": {"language": {"type": "string"}}}, "The language kept."
                ),
                "400": error("Not one of the languages fvfield speaks (code bad_request), or csrf_failed."),
                "401": LOGGED_OUT,
            },
        }
    },
    "/api/v1/teams/{slug}/push": {
        "post": {
            "operationId": "pushChanges",
            "summary": "Send the device's outbox; one result per change, in order.",
            "security": [{"session": [], "csrf": []}],
            "parameters": [SLUG],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": ref("PushRequest")}},
            },
            "responses": {
                "200": as_json(ref("PushResponse"), "A result for every change."),
                "400": error(
                    "The code says what is wrong: invalid_json, body_not_object, "
                    "invalid_device_id, changes_not_list, change_not_object, "
                    "missing_keys (the message names them), csrf_failed."
                ),
                "401": LOGGED_OUT,
                "403": ENDED,
                "404": NOT_YOURS,
                "413": error(
                    "More changes than limits.max_changes (too_many_changes), or a "
                    "body over limits.max_body_bytes (body_too_large)."
                ),
                "415": error("The body is not application/json."),
            },
        }
    },
    "/api/v1/teams/{slug}/pull": {
        "get": {
            "operationId": "pullChanges",
            "summary": "What changed since the cursor, each document once, oldest change first.",
            "parameters": [
                SLUG,
                {
                    "name": "since",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string"},
                    "description": "The cursor of the last pull or push; none for everything.",
                },
                {
                    "name": "limit",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 500},
                    "description": "Page size; larger values are cut to 1000.",
                },
                {
                    "name": "device_id",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string", "format": "uuid"},
                    "description": "This installed app: a complete pull is noted as its last sync.",
                },
                {
                    "name": "window",
                    "in": "query",
                    "required": False,
                    "schema": {"enum": ["all", "recent"], "default": "all"},
                    "description": "recent: leave out live records the phone would not keep (older than "
                    "the team's phone_history days and not among their subject's last visits). "
                    "Tombstones, forms and subjects always come.",
                },
            ],
            "responses": {
                "200": as_json(ref("PullResponse"), "Changes; call again with cursor while more."),
                "400": error(
                    "A limit that is not a whole number of at least 1 (invalid_limit), "
                    "a device_id that is not a UUID (invalid_device_id), "
                    "or a window that is not all or recent (invalid_window)."
                ),
                "401": LOGGED_OUT,
                "403": ENDED,
                "404": NOT_YOURS,
                "410": error("The cursor is not recognised (code cursor_expired): pull all."),
            },
        }
    },
    "/api/v1/teams/{slug}/subjects/{subject_id}/records": {
        "get": {
            "operationId": "listSubjectRecords",
            "summary": "A subject's live records, newest first, a page at a time (older visits on demand).",
            "parameters": [
                SLUG,
                {"name": "subject_id", "in": "path", "required": True, "schema": {"type": "string"}},
                {
                    "name": "cursor",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string"},
                    "description": "The cursor of the previous page; none for the newest.",
                },
                {
                    "name": "limit",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
                    "description": "Page size; larger values are cut to 100.",
                },
            ],
            "responses": {
                "200": as_json(
                    {
                        "type": "object",
                        "required": ["records", "cursor"],
                        "properties": {
                            "records": {"type": "array", "items": ref("Document")},
                            "cursor": {
                                "type": ["string", "null"],
                                "description": "Where the next page starts; null on the last page.",
                            },
                        },
                    },
                    "The records, newest first.",
                ),
                "400": error(
                    "A cursor not given by a page (invalid_cursor), or a bad limit (invalid_limit)."
                ),
                "401": LOGGED_OUT,
                "404": error("No such person or place in a team you belong to."),
            },
        }
    },
    "/api/v1/teams/{slug}/forms/{form_id}/versions/{version}": {
        "get": {
            "operationId": "getFormVersion",
            "summary": "A published version of a form's definition (old ones stay readable).",
            "parameters": [
                SLUG,
                {"name": "form_id", "in": "path", "required": True, "schema": {"type": "string"}},
                {
                    "name": "version",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 0},
                },
            ],
            "responses": {
                "200": as_json(ref("FormDefinition"), "The definition of that version."),
                "401": LOGGED_OUT,
                "404": error("No such form version in a team you belong to."),
            },
        }
    },
    "/api/v1/teams/{slug}/{collection}/{document_id}/revisions": {
        "get": {
            "operationId": "listRevisions",
            "summary": "Every revision of a document, conflicting ones included, oldest first.",
            "parameters": [
                SLUG,
                {
                    "name": "collection",
                    "in": "path",
                    "required": True,
                    "schema": {"enum": ["records", "subjects", "forms"]},
                },
                {"name": "document_id", "in": "path", "required": True, "schema": {"type": "string"}},
            ],
            "responses": {
                "200": as_json(
                    {
                        "type": "object",
                        "required": ["revisions"],
                        "properties": {"revisions": {"type": "array", "items": ref("Revision")}},
                    },
                    "The revisions.",
                ),
                "401": LOGGED_OUT,
                "404": error("No such document in a team you belong to."),
            },
        }
    },
    "/api/v1/teams/{slug}/attachments/{sha256}": {
        "put": {
            "operationId": "uploadAttachment",
            "summary": "Upload a photo, named by the sha256 of its bytes.",
            "security": [{"session": [], "csrf": []}],
            "parameters": [SLUG, SHA256],
            "requestBody": {
                "required": True,
                "content": {t: {"schema": BINARY} for t in IMAGE_TYPES},
            },
            "responses": {
                "201": as_json(ref("Attachment"), "Stored."),
                "200": as_json(ref("Attachment"), "Already there."),
                "400": error(
                    "The bytes do not hash to the name (code hash_mismatch), a name "
                    "that is not a sha256 (invalid_hash), or csrf_failed."
                ),
                "401": LOGGED_OUT,
                "403": error("A viewer (code forbidden)."),
                "404": NOT_YOURS,
                "413": error("Larger than limits.max_attachment_bytes (attachment_too_large)."),
                "415": error(
                    "Not image/jpeg, image/png or image/webp, or bytes that do not "
                    "start as that type does (unsupported_media_type)."
                ),
            },
        },
        "get": {
            "operationId": "downloadAttachment",
            "summary": "The bytes of a photo, to members of the team only.",
            "parameters": [SLUG, SHA256],
            "responses": {
                "200": {
                    "description": "The bytes, with their Content-Type.",
                    "content": {t: {"schema": BINARY} for t in IMAGE_TYPES},
                },
                "401": LOGGED_OUT,
                "404": error("No such attachment in a team you belong to."),
            },
        },
    },
}

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {
        "title": "fvfield sync API",
        "version": "1",
        "description": "How phones sync with the server (docs/api.md). Errors answer "
        '{"error": {"code": ..., "message": ...}}.',
    },
    "paths": PATHS,
    "components": {
        "schemas": SCHEMAS,
        "securitySchemes": {
            "session": {
                "type": "apiKey",
                "in": "cookie",
                "name": "fvfield_session",
                "description": "The login session from the /login page.",
            },
            "csrf": {
                "type": "apiKey",
                "in": "header",
                "name": "X-CSRFToken",
                "description": "csrf_token from GET /api/v1/session.",
            },
        },
    },
    "security": [{"session": []}],
}


@bp.get("/openapi.json")
def openapi():
    """Describe the API in OpenAPI 3.1."""
    return DOCUMENT
