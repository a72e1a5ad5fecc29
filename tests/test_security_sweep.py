"""Every route, found in the URL map: a POST needs the CSRF token, a page needs a login (issue 12).

A route added later is swept too, without anyone remembering to list it.
"""

from admin_helpers import csrf_app, csrf_logged_in, text  # noqa: F401

SOME_ID = "a1000000-0000-4000-8000-000000000009"

# Open to anyone: logging in, invite and setup links, health checks, the app's static shell.
PUBLIC = {
    "auth.login",
    "auth.accept_invite",
    # A one-time password link, and asking for one by email: for someone who cannot log in.
    "auth.reset_password",
    "auth.forgot_password",
    # Choosing the language the login page speaks: before anyone logs in (issue 15).
    "auth.language",
    "setup.first_coordinator",
    "health.healthz",
    "health.readyz",
    "static",
    # The app's shell, manifest and service worker load offline before any login;
    # the data they show comes from the API, which asks for one.
    "field.shell",
    "field.web_manifest",
    "field.service_worker",
    "field.registry",
    # The API's description says what the API is, never what it holds.
    "api.openapi",
    # A participant summary, read by whoever has its secret link (only its digest is stored) until it
    # expires or is revoked; it names no one and suppresses small numbers (reports/summaries.py).
    "reports.shared_summary",
}


def url_of(rule):
    """Return a URL of `rule` with a made-up value for each of its parts."""
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        if hasattr(converter, "items"):
            values[name] = sorted(converter.items)[0]
        elif converter.__class__.__name__ == "IntegerConverter":
            values[name] = 1
        else:
            values[name] = "clapton-circle" if name == "slug" else SOME_ID
    return rule.build(values, append_unknown=False)[1]


def rules(app, method):
    """Return the rules of the app that answer `method`."""
    return [rule for rule in app.url_map.iter_rules() if method in rule.methods]


def test_every_post_needs_the_csrf_token(csrf_app):
    client = csrf_logged_in(csrf_app)
    posts = rules(csrf_app, "POST")
    assert any(rule.endpoint == "auth.end_session" for rule in posts)
    for rule in posts:
        answer = client.post(url_of(rule), data={"label": "x"})
        assert answer.status_code == 400, (rule.rule, answer.status_code)


def test_every_page_but_the_public_ones_needs_a_login(csrf_app):
    client = csrf_app.test_client()
    for rule in rules(csrf_app, "GET"):
        if rule.endpoint in PUBLIC:
            continue
        answer = client.get(url_of(rule))
        if answer.status_code == 302:
            assert "/login" in answer.headers["Location"], rule.rule
        else:
            assert answer.status_code in (401, 404), (rule.rule, answer.status_code)
