"""API v1: photos, uploaded before the records that refer to them (docs/api.md)."""

import sqlalchemy as sa
from flask import current_app, request, send_file
from flask_login import current_user, login_required

from fvfield.accounts.access import team_for
from fvfield.api import bp
from fvfield.errors import ApiError
from fvfield.extensions import begin_write, db
from fvfield.models import Attachment
from fvfield.problems import said
from fvfield.sync.attachments import MAGIC, SHA256, AttachmentRefused, find, path_of, receive

# Named by their content, so a browser may keep them; but only for the person who fetched them.
CACHE_CONTROL = "private, max-age=31536000, immutable"


@bp.put("/teams/<slug>/attachments/<sha256>")
@login_required
def upload_attachment(slug, sha256):
    """Keep a photo under its sha256: 201 when new to the team, 200 when already there."""
    team, _ = team_for(slug, "member")
    team_id, user_id = team.id, current_user.id
    # End the read transaction: an upload may take a while on a slow connection.
    db.session.commit()
    if not SHA256.match(sha256):
        raise ApiError(
            400,
            "invalid_hash",
            said("Name the photo by the sha256 of its bytes: 64 lower-case hex digits."),
        )
    content_type = request.mimetype
    if content_type not in MAGIC:
        raise ApiError(
            415,
            "unsupported_media_type",
            said("A photo must be sent as image/jpeg, image/png or image/webp."),
        )
    limit = current_app.config["MAX_ATTACHMENT_BYTES"]
    if (request.content_length or 0) > limit:
        raise ApiError(
            413, "attachment_too_large", said("A photo may have at most %(limit)s bytes.", limit=limit)
        )
    folder = current_app.config["ATTACHMENTS_DIR"]
    try:
        size = receive(request.stream, folder, sha256, content_type, limit)
    except AttachmentRefused:
        raise  # errors.py answers it by its code
    answer = {"sha256": sha256, "content_type": content_type, "size": size}
    begin_write()
    if find(team_id, sha256) is not None:
        db.session.commit()
        return answer, 200
    db.session.add(
        Attachment(
            team_id=team_id,
            sha256=sha256,
            content_type=content_type,
            size=size,
            uploaded_by=user_id,
        )
    )
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        return answer, 200
    return answer, 201


@bp.get("/teams/<slug>/attachments/<sha256>")
@login_required
def download_attachment(slug, sha256):
    """Answer a photo's bytes to a member of the team that uploaded it."""
    team, _ = team_for(slug)
    attachment = find(team.id, sha256) if SHA256.match(sha256) else None
    path = path_of(current_app.config["ATTACHMENTS_DIR"], sha256)
    if attachment is None or not path.is_file():
        raise ApiError(404, "not_found", said("There is no such photo in this team."))
    response = send_file(path, mimetype=attachment.content_type, conditional=True, etag=sha256, max_age=None)
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response
