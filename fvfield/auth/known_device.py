"""The known-device cookie: a browser its owner logged in on is not slowed down by a stranger's guesses.

OWASP's "device cookie" defence against lockout abuse: after a good login
the browser gets a signed cookie naming the account and counting its own
failures since. While that count stays under LOGIN_MAX_FAILURES, the
account's and the address's failures (someone else's, perhaps on the same
wifi) do not slow this browser down; past it, the cookie no longer counts.
"""

from flask import after_this_request, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "fvfield_known"
MAX_AGE = 365 * 24 * 3600


def signer():
    """Return the serializer of the cookie, keyed by the app's secret."""
    return URLSafeTimedSerializer(current_app.secret_key, salt="fvfield-known-device")


def own_failures(user):
    """Return this browser's failures for `user` since its last good login, or None if it is not known."""
    if user is None:
        return None
    try:
        value = signer().loads(request.cookies.get(COOKIE, ""), max_age=MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(value, dict) or value.get("user") != user.id:
        return None
    failures = value.get("failures", 0)
    return failures if failures < current_app.config["LOGIN_MAX_FAILURES"] else None


def remember(user, failures=0):
    """Give this browser the cookie for `user`, with its count of failures, on the response."""
    token = signer().dumps({"user": user.id, "failures": failures})

    @after_this_request
    def set_cookie(response):
        response.set_cookie(
            COOKIE,
            token,
            max_age=MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=bool(current_app.config.get("HTTPS")),
        )
        return response
