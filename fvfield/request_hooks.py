"""Security headers on every response, and Secure cookies over HTTPS."""
from flask import request
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


def init_app(app):
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
