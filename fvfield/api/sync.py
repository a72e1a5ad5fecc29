"""API v1: push and pull (docs/api.md), a thin adapter over fvfield.sync."""

import logging

from flask import current_app, request
from flask_login import current_user, login_required

from fvfield.accounts.access import syncing_team_for, team_for
from fvfield.api import bp
from fvfield.errors import ApiError, translated_errors
from fvfield.extensions import db
from fvfield.problems import said
from fvfield.sync import forms as sync_forms
from fvfield.sync import jsontext
from fvfield.sync import pull as sync_pull
from fvfield.sync import push as sync_push
from fvfield.sync.checks import is_uuid
from fvfield.teams import concerns

MAX_PULL_LIMIT = 1000
log = logging.getLogger("fvfield.api")


def json_response(text, status=200):
    """Return JSON text that is already serialised."""
    return current_app.response_class(text, status=status, mimetype="application/json")


def read_json_body():
    """Return the parsed JSON body; refuse a wrong type (415), a big body (413), bad JSON (400)."""
    if request.mimetype != "application/json":
        raise ApiError(415, "unsupported_media_type", said("Send the body as application/json."))
    limit = current_app.config["MAX_BODY_BYTES"]
    too_large = ApiError(
        413,
        "body_too_large",
        said("The body is larger than %(limit)s bytes: send fewer changes at a time.", limit=limit),
    )
    if (request.content_length or 0) > limit:
        raise too_large
    raw = request.stream.read(limit + 1)
    if len(raw) > limit:
        raise too_large
    try:
        return jsontext.loads(raw)
    except jsontext.NotJSON:
        raise ApiError(400, "invalid_json", said("The body is not valid JSON of Unicode text.")) from None


@bp.post("/teams/<slug>/push")
@login_required
def push(slug):
    """Apply the device's changes; answer one result per change, in order."""
    team, membership = syncing_team_for(slug)
    body = read_json_body()
    device_id, changes = sync_push.check_push(body, current_app.config["MAX_CHANGES"])
    results, cursor = sync_push.push_changes(team.id, current_user.id, membership.role, device_id, changes)
    # Committed: an urgent concern's email to the coordinators can no longer fail the push.
    try:
        concerns.alert_coordinators(team, results)
    except Exception:
        db.session.rollback()
        log.exception("urgent concern alert after a push of %s failed", slug)
    # A rejected change's errors are for the person holding the phone: in their language.
    answered = [
        {**result, "errors": translated_errors(result["errors"])} if "errors" in result else result
        for result in results
    ]
    return json_response(jsontext.dumps({"results": answered, "cursor": cursor}))


def pull_limit():
    """Return the page size asked for: the default, or a whole number up to the maximum."""
    text = request.args.get("limit")
    if text is None:
        return current_app.config["PULL_LIMIT"]
    if not text.isdigit() or int(text) < 1:
        raise ApiError(400, "invalid_limit", said("limit must be a whole number of at least 1."))
    return min(int(text), MAX_PULL_LIMIT)


@bp.get("/teams/<slug>/pull")
@login_required
def pull(slug):
    """Answer the documents changed since the cursor, oldest change first."""
    team, _ = syncing_team_for(slug)
    team_id = team.id
    limit = pull_limit()
    device_id = request.args.get("device_id")
    if device_id is not None and not is_uuid(device_id):
        raise ApiError(400, "invalid_device_id", said("device_id must be the UUID of this installed app."))
    window = request.args.get("window")
    if window not in (None, "all", "recent"):
        raise ApiError(
            400, "invalid_window", said("window must be 'recent' (what the phone keeps) or 'all'.")
        )
    page = sync_pull.pull_changes(
        team_id, request.args.get("since") or None, limit, window=team if window == "recent" else None
    )
    if device_id and not page.more:
        sync_pull.note_pull(team_id, current_user.id, device_id.lower())
    return json_response(
        '{"changes":['
        + ",".join(page.documents)
        + "],"
        + f'"cursor":"{page.cursor}","more":{"true" if page.more else "false"}}}'
    )


@bp.get("/teams/<slug>/forms/<form_id>/versions/<int:version>")
@login_required
def form_version(slug, form_id, version):
    """Answer a published version of a form (records keep the version they were made with)."""
    team, _ = team_for(slug)
    definition = sync_forms.form_definition(team.id, form_id, version)
    if definition is None:
        raise ApiError(
            404,
            "not_found",
            said("The form '%(form_id)s' has no version %(version)s.", form_id=form_id, version=version),
        )
    return definition


@bp.get("/teams/<slug>/<any(records, subjects, forms):collection>/<document_id>/revisions")
@login_required
def revisions(slug, collection, document_id):
    """Answer every revision of a document, conflicting ones included, oldest first."""
    team, _ = team_for(slug)
    if collection != "forms":
        document_id = document_id.lower()
    found = sync_pull.document_revisions(team.id, collection, document_id)
    if not found:
        raise ApiError(404, "not_found", said("There is no such document in this team."))
    return json_response('{"revisions":[' + ",".join(found) + "]}")


def older_limit():
    """Return the page size of older records asked for: the default, or up to the maximum."""
    text = request.args.get("limit")
    if text is None:
        return sync_pull.OLDER_LIMIT
    if not text.isdigit() or int(text) < 1:
        raise ApiError(400, "invalid_limit", said("limit must be a whole number of at least 1."))
    return min(int(text), sync_pull.MAX_OLDER_LIMIT)


@bp.get("/teams/<slug>/subjects/<subject_id>/records")
@login_required
def subject_records(slug, subject_id):
    """Answer a subject's live records, newest first, a page at a time (older visits on demand)."""
    team, _ = team_for(slug)
    subject_id = subject_id.lower()
    if not is_uuid(subject_id) or not sync_pull.subject_exists(team.id, subject_id):
        raise ApiError(404, "not_found", said("There is no such person or place in this team."))
    limit = older_limit()
    cursor = request.args.get("cursor")
    before = None
    if cursor:
        before = sync_pull.read_older_cursor(cursor)
        if before is None:
            raise ApiError(400, "invalid_cursor", said("cursor must be the one the previous page gave."))
    texts, after = sync_pull.older_records(team.id, subject_id, before, limit)
    return json_response(
        '{"records":[' + ",".join(texts) + '],"cursor":' + (f'"{after}"' if after else "null") + "}"
    )
