"""A login throttle that a guesser cannot turn against the owner (issue 12)."""

from datetime import timedelta

import sqlalchemy as sa
from conftest import PASSWORD

from fvfield.extensions import db
from fvfield.models import AuditEvent, utcnow

SHARED_WIFI = "203.0.113.50"


def browser(app, address=SHARED_WIFI):
    """Return a test client that comes from `address`."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def log_in(client, email, password=PASSWORD):
    """Return the status of a login attempt."""
    return client.post("/login", data={"email": email, "password": password})


def backdate(app, seconds):
    """Move every login failure `seconds` into the past, instead of waiting."""
    with app.app_context():
        for event in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event == "login_failed")):
            event.created_at -= timedelta(seconds=seconds)
        db.session.commit()


def refusals(app):
    with app.app_context():
        return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event == "login_refused")).all()


def test_a_colleague_on_the_same_wifi_cannot_keep_the_owner_out(app, people):
    owner = browser(app)
    assert log_in(owner, people["member"]).status_code == 302
    owner.post("/logout")
    attacker = browser(app)
    for _ in range(app.config["LOGIN_MAX_FAILURES"] * 3):
        log_in(attacker, people["member"], "a wrong password")
    assert log_in(owner, people["member"]).status_code == 302


def test_a_new_phone_of_the_owner_is_slowed_down_for_seconds_not_locked_out(app, people):
    attacker = browser(app)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        log_in(attacker, people["member"], "a wrong password")
    new_phone = browser(app)
    refused = log_in(new_phone, people["member"])
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) <= app.config["LOGIN_MAX_DELAY"]
    backdate(app, app.config["LOGIN_MAX_DELAY"])
    assert log_in(new_phone, people["member"]).status_code == 302


def test_the_wait_doubles_with_each_further_failure_up_to_a_ceiling(app, people):
    guesser = browser(app)
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        log_in(guesser, people["coord"], "wrong")
    waits = []
    for _ in range(8):
        refused = log_in(guesser, people["coord"], "wrong")
        waits.append(int(refused.headers["Retry-After"]))
        backdate(app, waits[-1])
        assert log_in(guesser, people["coord"], "wrong").status_code == 200
    assert waits == [2, 4, 8, 16, 32, 60, 60, 60]


def test_every_refusal_is_audited(app, people):
    guesser = browser(app)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        log_in(guesser, people["coord"], "wrong")
    for _ in range(3):
        assert log_in(guesser, people["coord"], "wrong").status_code == 429
    found = refusals(app)
    assert len(found) == 3
    assert {(e.email, e.ip, e.detail["because"]) for e in found} == {
        (people["coord"], SHARED_WIFI, "account")
    }


def test_a_known_device_guessing_loses_its_standing(app, people):
    stolen = browser(app)
    assert log_in(stolen, people["member"]).status_code == 302
    stolen.post("/logout")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert log_in(stolen, people["member"], "a wrong password").status_code == 200
    assert log_in(stolen, people["member"], "a wrong password").status_code == 429


def test_an_address_that_keeps_failing_is_refused_but_the_owners_phone_is_not(app, people):
    owner = browser(app)
    assert log_in(owner, people["member"]).status_code == 302
    owner.post("/logout")
    guesser = browser(app)
    with app.app_context():
        # 40 failures of many emails from one address, already past their slow-downs.
        long_ago = utcnow() - timedelta(minutes=1)
        for n in range(40):
            db.session.add(
                AuditEvent(
                    event="login_failed", email=f"g{n}@example.org", ip=SHARED_WIFI, created_at=long_ago
                )
            )
        db.session.commit()
    refused = log_in(guesser, people["coord"])
    assert refused.status_code == 429
    assert refusals(app)[-1].detail["because"] == "address"
    assert log_in(owner, people["member"]).status_code == 302
