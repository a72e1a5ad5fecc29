"""One log line per request, as JSON: time, method, path, status, milliseconds, the user's id.

Written to the `fvfield.requests` logger (`fvfield serve` prints it). Never
a body, an answer or a query string: what people record stays out of logs,
and so do the secrets of invite links.
"""
import json
import logging
import time
from datetime import datetime, timezone

from flask import g, request

logger = logging.getLogger("fvfield.requests")
# View arguments whose values are secrets: the log shows the route's pattern instead.
SECRET_ARGUMENTS = {"token"}


def init_app(app):
    """Time and log every request; call it before other extensions add their hooks."""
    app.before_request(start_clock)
    app.after_request(log_request)


def start_clock():
    """Note when the request started."""
    g.request_started = time.perf_counter()


def logged_path():
    """Return the request's path, or its route's pattern when the path holds a secret."""
    if request.url_rule is not None and SECRET_ARGUMENTS & set(request.view_args or ()):
        return request.url_rule.rule
    return request.path


def log_request(response):
    """Write the request's line; the duration is until the answer starts (streams go on)."""
    if logger.isEnabledFor(logging.INFO):
        started = g.get("request_started")
        # Flask-Login keeps the user it loaded for this request in g; asking
        # current_user here would load one for requests that never needed it.
        user = g.get("_login_user")
        logger.info(json.dumps({
            "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            "method": request.method,
            "path": logged_path(),
            "status": response.status_code,
            "ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
            "user": getattr(user, "id", None),
        }))
    return response
