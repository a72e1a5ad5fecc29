"""'Forgotten your password?' by email, sent to a local SMTP server on 127.0.0.1 only (issue 11)."""

import re

from admin_helpers import text
from conftest import make_user
from smtp_inbox import free_port, inbox  # noqa: F401  (inbox: the fixture)

from fvfield import create_app
from fvfield.extensions import db
from fvfield.models import User

NEW_PASSWORD = "a brand new passphrase"


def mailing_app(tmp_path, port):
    """Return an app that sends email to 127.0.0.1:port, with one user."""
    settings = {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "WTF_CSRF_ENABLED": False,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_BACKEND": "smtp",
        "MAIL_DEFAULT_SENDER": "fvfield@example.org",
    }
    app = create_app(settings)
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        make_user("member@example.org", "Mo Member")
    return app


def test_forgotten_password_emails_a_one_time_link(tmp_path, inbox):
    app = mailing_app(tmp_path, inbox.port)
    client = app.test_client()
    login = client.get("/login")
    assert "Get a link by email" in text(login)
    assert client.get("/forgot").status_code == 200

    answer = client.post("/forgot", data={"email": " Member@Example.org "})
    assert "an email with a link to choose a new password is on its way" in text(answer)
    [(to, message)] = inbox.messages
    assert to == ["member@example.org"]
    token = re.search(r"/reset/([A-Za-z0-9_.\-]+)", message).group(1)
    done = client.post(f"/reset/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.headers["Location"] == "/login"
    with app.app_context():
        assert db.session.query(User).one().check_password(NEW_PASSWORD)

    assert "Your password is changed" in text(client.get("/login"))
    # A second ask within MAIL_RESET_MINUTES sends nothing; an unknown email neither; both answer alike.
    again = client.post("/forgot", data={"email": "member@example.org"})
    unknown = client.post("/forgot", data={"email": "nobody@example.org"})
    assert text(again).replace("member@example.org", "?") == text(unknown).replace("nobody@example.org", "?")
    assert len(inbox.messages) == 1


def test_forgotten_password_without_email_points_to_the_coordinator(client):
    assert "Ask your coordinator for a password link" in text(client.get("/login"))
    assert "Get a link by email" not in text(client.get("/login"))
    page = client.get("/forgot")
    assert page.status_code == 404 and "This server does not send email" in text(page)
    assert client.post("/forgot", data={"email": "member@example.org"}).status_code == 404


def test_a_mail_server_that_does_not_answer_still_gives_the_same_page(tmp_path):
    app = mailing_app(tmp_path, free_port())
    answer = app.test_client().post("/forgot", data={"email": "member@example.org"})
    assert answer.status_code == 200 and "is on its way" in text(answer)
