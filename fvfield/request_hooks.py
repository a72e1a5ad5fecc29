"""What every request passes through: the log line, the NUL refusal, security headers, Secure cookies.

The log line is JSON on the `fvfield.requests` logger (`fvfield serve` prints
it): time, method, path, status, milliseconds, the user's id. Never a body,
an answer or a query string: what people record stays out of logs, and so do
the secrets of invite links.
"""

import json
import logging
import time
from datetime import UTC, datetime

from flask import abort, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # Invite links carry their token in the URL: never send it onwards.
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(self), geolocation=(self), microphone=()",
}


logger = logging.getLogger("fvfield.requests")
# View arguments whose values are secrets: the log shows the route's pattern instead.
SECRET_ARGUMENTS = {"token"}


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
        logger.info(
            json.dumps(
                {
                    "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                    "method": request.method,
                    "path": logged_path(),
                    "status": response.status_code,
                    "ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
                    "user": getattr(user, "id", None),
                }
            )
        )
    return response


def init_app(app):
    """Add the hooks; call it before other extensions add theirs (the log line runs last)."""
    app.before_request(start_clock)
    app.after_request(log_request)
    app.before_request(refuse_nul)
    init_headers(app)


def refuse_nul():
    """Answer 400 when the path, the query or a plain form holds a NUL character.

    JSON bodies are checked where they are read (sync.batch.nul_errors); a
    multipart body is left to its view, which reads it under its own limit.
    """
    texts = [request.path, *request.args.keys(), *request.args.values()]
    if request.mimetype == "application/x-www-form-urlencoded":
        texts += [*request.form.keys(), *request.form.values()]
    if any("\x00" in text for text in texts):
        abort(400, "Remove the NUL character from the address or the form, then try again.")


def init_headers(app):
    """Add the headers, and trust a proxy's X-Forwarded-* when configured."""
    # Cookies are marked at the WSGI level: Flask writes the session cookie
    # after every after_request hook, and Flask-Login's remember hook runs after ours.
    app.wsgi_app = SecureCookies(app.wsgi_app)
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    @app.after_request
    def add_security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response


class SecureCookies:
    """WSGI middleware: mark every cookie Secure when the request came over HTTPS."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("wsgi.url_scheme") != "https":
            return self.wsgi_app(environ, start_response)

        def start_secure_response(status, headers, exc_info=None):
            return start_response(status, [secure_cookie(name, value) for name, value in headers], exc_info)

        return self.wsgi_app(environ, start_secure_response)


def secure_cookie(name, value):
    """Return a header with `; Secure` added when it sets a cookie without it."""
    if name.lower() == "set-cookie" and "; secure" not in value.lower():
        value += "; Secure"
    return name, value
