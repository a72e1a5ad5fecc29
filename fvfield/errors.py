"""Errors: JSON in the sync contract's shape under /api/, friendly pages elsewhere."""

from flask import jsonify, render_template, request
from flask_babel import gettext, lazy_gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable
from werkzeug.exceptions import default_exceptions as HTTP_ERRORS

from fvfield import storage
from fvfield.extensions import db
from fvfield.problems import Problem, Said, said

CODES = {
    400: "bad_request",
    401: "login_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    413: "too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
    500: "server_error",
}

MESSAGES = {
    401: lazy_gettext("Log in to continue."),
    403: lazy_gettext("You do not have the role this needs."),
    404: lazy_gettext("There is nothing here, or it is not yours to see."),
    405: lazy_gettext("This address does not take that method."),
    413: lazy_gettext("That is larger than the server accepts."),
    500: lazy_gettext("Something went wrong on the server. Nothing you sent was changed; try again."),
}


# What each Problem code (fvfield/problems.py) answers over HTTP: the one catalogue of them.
STATUS_OF = {
    "not_found": 404,
    "forbidden": 403,
    "membership_ended": 403,
    "body_not_object": 400,
    "invalid_device_id": 400,
    "changes_not_list": 400,
    "change_not_object": 400,
    "missing_keys": 400,
    "too_many_changes": 413,
    "cursor_expired": 410,
    "hash_mismatch": 400,
    "attachment_too_large": 413,
    "unsupported_media_type": 415,
}


class ApiError(Exception):
    """An error answered to an API client with a code and a message it can act on."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def translated(message):
    """Return a message in the request's language: a said() one from the catalogue, others as they are."""
    if isinstance(message, Said):
        params = {
            name: translated(value) if isinstance(value, Said) else value
            for name, value in message.params.items()
        }
        return gettext(message.template, **params)
    return str(message)


def translated_errors(errors):
    """Return a change's errors ({"field": ["message"]}) in the request's language."""
    return {name: [translated(message) for message in messages] for name, messages in errors.items()}


def json_error(status, code, message):
    """Return the sync contract's error body with the status (the message in the request's language)."""
    response = jsonify({"error": {"code": code, "message": translated(message)}})
    response.status_code = status
    return response


def wants_json():
    """Return whether the caller is an API client rather than a person's browser."""
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


def describe(error):
    """Return the message for an HTTP error: its own description, or ours."""
    default = type(error).description
    if error.description and error.description != default:
        return error.description
    return str(MESSAGES.get(error.code, default))


def init_app(app):
    """Register the error handlers."""

    @app.errorhandler(ApiError)
    def api_error(error):
        return json_error(error.status, error.code, error.message)

    @app.errorhandler(Problem)
    def problem(error):
        status = STATUS_OF[error.code]
        if wants_json():
            return json_error(status, error.code, error.message)
        message = translated(error.message)
        page = render_template("errors/error.html", error=HTTP_ERRORS[status](message), message=message)
        return page, status

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        message = said("The security token is missing or stale. Fetch a fresh one and try again.")
        if wants_json():
            return json_error(400, "csrf_failed", message)
        page = render_template("errors/csrf.html", message=translated(message))
        return page, 400

    @app.errorhandler(HTTPException)
    def http_error(error):
        message = describe(error)
        if wants_json():
            response = json_error(error.code, CODES.get(error.code, "http_error"), message)
        else:
            response = app.make_response(
                (render_template("errors/error.html", error=error, message=message), error.code)
            )
        # Keep headers such as Allow (405) and Retry-After (429).
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def server_error(error):
        db.session.rollback()
        if storage.is_storage_failure(error):
            app.logger.error("Storage refused a write on %s %s: %s", request.method, request.path, error)
            return storage_unavailable()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return http_error(InternalServerError())

    def storage_unavailable():
        headers = {"Retry-After": "300"}
        if wants_json():
            response = json_error(503, "storage_unavailable", storage.MESSAGE)
            response.headers.update(headers)
            return response
        error = ServiceUnavailable(storage.MESSAGE)
        return render_template("errors/error.html", error=error, message=storage.MESSAGE), 503, headers
