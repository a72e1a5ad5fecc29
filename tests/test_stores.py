"""Both stores: PostgreSQL's migrations and write locks, health checks, request logs, workers.

The sync, export and guarantee tests run on both stores through conftest's
both_stores marker; here is what only PostgreSQL has (its write locks, a
deadlock between two teams' pushes) and what serves several app servers
(/healthz, /readyz, the request log, `fvfield serve --workers`).
"""

import json
import logging
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime

import pytest
import requests
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner
from conftest import PASSWORD
from flask_migrate import downgrade, upgrade
from realserver import REPO, SERVE, RealServer, SyncClient, seed_instance, server_environment
from test_migrations import HEADS, OLD_ROWS, REVISIONS, insert_old_rows, stored_rows

from fvfield import create_app, dialect
from fvfield.cli import main
from fvfield.extensions import begin_write, db
from fvfield.health import applied_revisions
from fvfield.models import Document, Team, User

pytestmark = pytest.mark.both_stores


# For the tests about PostgreSQL alone.
postgresql_only = pytest.mark.parametrize("store", ["postgresql"], indirect=True)


# --- Configuration --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgresql://fv:pw@db.example.org/fv", "postgresql+psycopg://fv:pw@db.example.org/fv"),
        ("postgres://fv@10.0.0.5:5433/fvfield", "postgresql+psycopg://fv@10.0.0.5:5433/fvfield"),
        ("postgresql+psycopg://fv@db/fvfield", "postgresql+psycopg://fv@db/fvfield"),
        ("sqlite:////srv/fvfield/fvfield.db", "sqlite:////srv/fvfield/fvfield.db"),
    ],
)
def test_stores_database_url_names_the_driver(tmp_path, given, used):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": given})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == used


def test_stores_postgresql_pool_is_bounded_and_checked(tmp_path):
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path),
            "DATABASE_URL": "postgresql://db/fvfield",
            "DATABASE_POOL_SIZE": 3,
            "DATABASE_POOL_OVERFLOW": 1,
        }
    )
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert (options["pool_size"], options["max_overflow"], options["pool_pre_ping"]) == (3, 1, True)
    with app.app_context():
        assert db.engine.pool.size() == 3


def test_stores_sqlite_keeps_its_default_pool(tmp_path):
    options = create_app({"INSTANCE_PATH": str(tmp_path)}).config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options == {"pool_pre_ping": True}


def test_stores_a_database_url_that_is_not_one_is_refused_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("FVFIELD_INSTANCE", str(tmp_path))
    monkeypatch.setenv("FVFIELD_DATABASE_URL", "db.example.org/fvfield")
    result = CliRunner().invoke(main, ["upgrade"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: FVFIELD_DATABASE_URL is not a database URL")


# --- Migrations on PostgreSQL ---------------------------------------------------------------------


@pytest.fixture
def empty_app(tmp_path, store, request):
    """An app whose database has no tables yet, on the test's store."""
    config = {"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance")}
    url = None
    if store == "postgresql":
        url = request.getfixturevalue("postgres").create()
        config["DATABASE_URL"] = url
    app = create_app(config)
    yield app
    with app.app_context():
        db.engine.dispose()
    if url:
        request.getfixturevalue("postgres").drop(url)


def test_stores_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], "models and migrations differ: run `flask --app fvfield db migrate`"


def as_text(rows):
    """Return rows with their timestamps as the text test_migrations.py inserted."""
    return [
        {k: f"{v:%Y-%m-%d %H:%M:%S.%f}" if isinstance(v, datetime) else v for k, v in row.items()}
        for row in rows
    ]


@postgresql_only  # test_migrations.py does this on SQLite
def test_stores_each_migration_keeps_existing_rows(empty_app):
    user = User(email="x@example.org", name="x")
    user.set_password(PASSWORD)
    with empty_app.app_context():
        upgrade(revision=REVISIONS[0])
        insert_old_rows(user.password_hash)
        for revision in REVISIONS[1:]:
            upgrade(revision=revision)
            for table, rows in OLD_ROWS.items():
                assert as_text(stored_rows(table, rows[0])) == [
                    dict(row, password_hash=user.password_hash) if "password_hash" in row else row
                    for row in rows
                ], f"revision {revision} changed the {table} rows"
        assert applied_revisions() == HEADS


def test_stores_migrations_go_down_and_up_again(empty_app):
    with empty_app.app_context():
        upgrade()
        downgrade(revision="base")
        assert applied_revisions() == set()
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert applied_revisions() == HEADS


def test_stores_change_seq_starts_at_zero_for_teams_made_before_it(empty_app):
    with empty_app.app_context():
        upgrade(revision=REVISIONS[0])
        insert_old_rows("x")
        upgrade()
        seqs = db.session.execute(sa.select(Team.slug, Team.change_seq).order_by(Team.id)).all()
    assert seqs == [("hackney-circle", 0), ("ridley-road", 0)]


# --- The write locks on PostgreSQL ----------------------------------------------------------------


@pytest.fixture
def pg_engine(app):
    """A second way into the app's PostgreSQL database, beside the app's own session."""
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    yield engine
    engine.dispose()


def can_lock(engine, team_id=None):
    """Return whether a writer (of a team, or of everything) gets its lock while others hold it."""
    with engine.connect() as connection:
        connection.exec_driver_sql("SET lock_timeout = '100ms'")
        try:
            dialect.lock_writers(connection, team_id)
        except sa.exc.OperationalError as error:
            assert error.orig.sqlstate == "55P03"  # lock_not_available
            return False
        finally:
            connection.rollback()
        return True


@postgresql_only
@pytest.mark.parametrize(
    ("held", "asked", "granted"),
    [
        (1, 1, False),  # one team's writers take turns
        (1, 2, True),  # another team's push goes on beside it
        (1, None, False),  # a writer of everything waits for the team's
        (None, 1, False),  # and a team's writer for it
        (None, None, False),
    ],
)
def test_stores_postgresql_write_locks(pg_engine, held, asked, granted):
    with pg_engine.connect() as holder:
        dialect.lock_writers(holder, held)
        assert can_lock(pg_engine, asked) is granted
        holder.rollback()
    assert can_lock(pg_engine, asked) is True


@postgresql_only
def test_stores_begin_write_takes_the_team_lock_until_commit(app, pg_engine, people):
    with app.app_context():
        team_id = db.session.scalar(sa.select(Team.id).where(Team.slug == "clapton-circle"))
        begin_write(team_id)
        assert can_lock(pg_engine, team_id) is False
        assert can_lock(pg_engine, team_id + 1) is True
        db.session.commit()
        assert can_lock(pg_engine, team_id) is True


def wait_for_a_lock_wait(engine, limit=600):
    """Wait until some session of the database waits for a lock (each look waits 50 ms)."""
    with engine.connect() as connection:
        for _ in range(limit):
            waiting = connection.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE wait_event_type = 'Lock' AND datname = current_database()"
            ).scalar()
            # A transaction sees one snapshot of pg_stat_activity: end it to look again.
            connection.rollback()
            if waiting:
                return
            time.sleep(0.05)
    raise AssertionError("no session came to wait for a lock")


@postgresql_only
def test_stores_two_teams_pushing_the_same_new_ids_get_no_500(app, sync, auth, pg_engine):
    """A deadlock with another team's writer, then a unique-index race: both are done again."""
    auth.login("member@example.org")
    first, second = sync.record(), sync.record()
    with app.app_context():
        ridley = db.session.scalar(sa.select(Team.id).where(Team.slug == "ridley-market"))
    answers = []
    with pg_engine.connect() as rival:
        # The app's connections look for deadlocks after 3 s, the rival's after
        # a minute: PostgreSQL stops the push, not the rival.
        rival.exec_driver_sql("SET deadlock_timeout = '60s'")
        rival.exec_driver_sql(f"ALTER DATABASE \"{pg_engine.url.database}\" SET deadlock_timeout = '3s'")
        rival.commit()
        with app.app_context():
            db.engine.dispose()
        insert = sa.text(
            "INSERT INTO documents (team_id, collection, id, id_scope, rev, seq, deleted,"
            " has_conflict, updated_at, data) VALUES (:team, 'subjects', :id, 0, 1, :seq,"
            " false, false, now(), '{}')"
        )
        rival.execute(insert, {"team": ridley, "id": second["id"], "seq": 1001})
        pushing = threading.Thread(target=lambda: answers.append(sync.push(first, second)))
        pushing.start()
        wait_for_a_lock_wait(pg_engine)
        # The push holds the first id and waits for the second: taking the
        # first makes a deadlock, which PostgreSQL breaks by stopping the push.
        rival.execute(insert, {"team": ridley, "id": first["id"], "seq": 1002})
        rival.commit()
        pushing.join()
    [answer] = answers
    assert answer.status_code == 200, answer.get_data(as_text=True)
    results = answer.get_json()["results"]
    assert [r["status"] for r in results] == ["rejected", "rejected"]
    assert all("already used" in r["errors"]["id"][0] for r in results)


@postgresql_only
def test_stores_a_pull_never_sees_a_later_change_before_an_earlier_one(app, sync, auth, pg_engine):
    """A push that waits for its team's lock has no number yet; pulls see numbers in order."""
    auth.login("member@example.org")
    with app.app_context():
        team = db.session.scalar(sa.select(Team).where(Team.slug == "clapton-circle"))
        team_id, before = team.id, team.change_seq
    _, cursor = sync.pull_all()
    answers = []
    with pg_engine.connect() as earlier:
        # A writer of the team that took number before + 1 and has not committed yet.
        dialect.lock_writers(earlier, team_id)
        earlier.execute(
            sa.text(
                "INSERT INTO documents (team_id, collection, id, id_scope, rev, seq, deleted,"
                " has_conflict, updated_at, data) VALUES (:team, 'subjects', :id, 0, 1, :seq,"
                " false, false, now(), '{}')"
            ),
            {"team": team_id, "id": str(uuid.uuid4()), "seq": before + 1},
        )
        earlier.execute(
            sa.text("UPDATE teams SET change_seq = :seq WHERE id = :team"),
            {"seq": before + 1, "team": team_id},
        )
        later = sync.record()
        pushing = threading.Thread(target=lambda: answers.append(sync.push(later)))
        pushing.start()
        wait_for_a_lock_wait(pg_engine)
        assert sync.pull_all(since=cursor)[0] == []
        earlier.commit()
        pushing.join()
    assert answers[0].status_code == 200
    pulled, _ = sync.pull_all(since=cursor)
    assert [d["collection"] for d in pulled] == ["subjects", "records"]
    assert pulled[1]["id"] == later["id"]
    with app.app_context():
        seqs = db.session.scalars(
            sa.select(Document.seq)
            .where(Document.team_id == team_id, Document.seq > before)
            .order_by(Document.seq)
        ).all()
    assert seqs == [before + 1, before + 2]


# --- Health checks --------------------------------------------------------------------------------


def test_stores_health_checks_pass_on_a_current_database(client):
    for path in ("/healthz", "/readyz"):
        answer = client.get(path)
        assert answer.status_code == 200
        assert answer.get_json()["status"] == "ok"
        assert answer.headers["Cache-Control"] == "no-store"
    assert client.get("/healthz").get_json() == {
        "status": "ok",
        "database": "ok",
        "migrations": "current",
    }
    assert client.get("/readyz").get_json()["attachments"] == "ok"


@pytest.mark.parametrize(
    ("version", "state"),
    [(REVISIONS[0], "behind"), ("0123456789ab", "ahead"), (None, "missing")],
)
def test_stores_health_checks_fail_when_the_schema_is_not_current(app, client, version, state):
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM alembic_version"))
        if version:
            connection.execute(sa.text("INSERT INTO alembic_version VALUES (:v)"), {"v": version})
    for path in ("/healthz", "/readyz"):
        answer = client.get(path)
        assert answer.status_code == 503
        assert (answer.get_json()["status"], answer.get_json()["migrations"]) == ("failing", state)


def test_stores_health_checks_fail_when_the_database_does_not_answer(tmp_path, store, request):
    if store == "postgresql":
        cluster = request.getfixturevalue("postgres")
        url = cluster.url("no_such_database")
    else:
        url = f"sqlite:///{tmp_path / 'no' / 'such' / 'folder' / 'fvfield.db'}"
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "i"), "DATABASE_URL": url})
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 503
    assert answer.get_json() == {
        "status": "failing",
        "database": "unreachable",
        "migrations": "unknown",
    }
    assert "no_such_database" not in answer.get_data(as_text=True)


def test_stores_readyz_fails_when_attachments_cannot_be_kept(app, client, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    app.config["ATTACHMENTS_DIR"] = str(blocker / "attachments")
    assert client.get("/healthz").status_code == 200
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.get_json()["attachments"] == "missing"


# --- The request log ------------------------------------------------------------------------------


def request_lines(caplog):
    """Return the request log's lines, parsed."""
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "fvfield.requests"]


def test_stores_request_log_has_one_line_per_request_without_content(client, auth, sync, caplog):
    caplog.set_level(logging.INFO, logger="fvfield.requests")
    auth.login("member@example.org")
    change = sync.record(data={"time_in": "09:30", "notes": "Kept out of every log"})
    sync.results(change)
    sync.pull(since="v1.0.abc")
    lines = request_lines(caplog)
    assert [(line["method"], line["path"], line["status"]) for line in lines] == [
        ("POST", "/login", 302),
        ("POST", "/api/v1/teams/clapton-circle/push", 200),
        ("GET", "/api/v1/teams/clapton-circle/pull", 410),
    ]
    with client.application.app_context():
        member = db.session.scalar(sa.select(User.id).where(User.email == "member@example.org"))
    assert [line["user"] for line in lines] == [member, member, member]
    assert all(isinstance(line["ms"], float) and line["ms"] >= 0 for line in lines)
    assert all(set(line) == {"time", "method", "path", "status", "ms", "user"} for line in lines)
    logged = caplog.text
    for secret in (PASSWORD, "Kept out of every log", change["id"], "v1.0.abc"):
        assert secret not in logged


def test_stores_request_log_keeps_invite_tokens_out(client, caplog):
    caplog.set_level(logging.INFO, logger="fvfield.requests")
    client.get("/invite/a-secret-invite-token")
    [line] = request_lines(caplog)
    assert line["path"] == "/invite/<token>"
    assert line["user"] is None
    assert "a-secret-invite-token" not in caplog.text


# --- Several server processes ---------------------------------------------------------------------


@pytest.mark.slow
def test_stores_serve_with_workers_shares_the_database(tmp_path, database_url):
    settings = {"DATABASE_URL": database_url} if database_url else {}
    team = ("clapton-circle", "Clapton", "care-circle", [("member@example.org", "member")])
    seed_instance(tmp_path / "instance", [("member@example.org", "Mo Member")], [team], **settings)
    server = RealServer(tmp_path / "instance", **settings)
    # One thread: gunicorn's plain workers serve in the thread they were forked from.
    server.options = ("--workers", "2", "--threads", "1")
    with server:
        assert requests.get(f"{server.url}/readyz", timeout=30).json()["status"] == "ok"
        phones = [SyncClient(server.url) for _ in range(4)]
        for phone in phones:
            phone.login("member@example.org")
            # Nobody else is logged in by it, whichever process answers.
            for _ in range(3):
                assert requests.get(f"{server.url}/api/v1/session", timeout=30).status_code == 401
        subject = {
            "change_id": str(uuid.uuid4()),
            "collection": "subjects",
            "id": str(uuid.uuid4()),
            "base_rev": 0,
            "kind": "person",
            "label": "Edna",
            "data": {},
        }
        answers = [phone.push("clapton-circle", [subject]).json()["results"][0]["status"] for phone in phones]
        pulled = [phone.pull_all("clapton-circle")[0] for phone in phones]
        log = server.log()
    assert answers == ["applied", "duplicate", "duplicate", "duplicate"]
    for documents in pulled:
        assert [d["id"] for d in documents if d["collection"] == "subjects"] == [subject["id"]]
    assert "2 processes of 1 thread each" in log
    assert sum("Booting worker" in line for line in log.splitlines()) == 2
    logged = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert {"POST", "GET"} <= {line["method"] for line in logged}
    assert "Traceback" not in log


@postgresql_only
def test_stores_app_servers_starting_together_upgrade_the_database_once(empty_app):
    env = server_environment(
        empty_app.instance_path, DATABASE_URL=empty_app.config["SQLALCHEMY_DATABASE_URI"]
    )
    upgrades = [
        subprocess.Popen(
            [sys.executable, "-c", SERVE, "upgrade"],
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(3)
    ]
    said = [process.communicate(timeout=300)[0] for process in upgrades]
    assert [process.returncode for process in upgrades] == [0, 0, 0], said
    assert sorted(text.splitlines()[-1] for text in said) == [
        "The database is up to date now.",
        "The database was already up to date.",
        "The database was already up to date.",
    ]
    with empty_app.app_context():
        assert applied_revisions() == HEADS


# --- The NUL character: SQLite keeps it in text, PostgreSQL refuses it, both refuse it at the door

NUL_ADDRESSES = [
    "/api/v1/teams/clapton%00circle/pull",
    "/api/v1/teams/clapton-circle/pull?since=v1.%00",
    "/api/v1/teams/clapton-circle/records/a%00b/revisions",
    "/api/v1/teams/clapton-circle/forms/vi%00sit/versions/1",
    "/admin/clapton-circle/records?form=vi%00sit",
]


@pytest.mark.parametrize("address", NUL_ADDRESSES)
def test_stores_a_nul_in_the_address_is_a_400(sync, auth, client, address):
    auth.login()
    answer = client.get(address)
    assert answer.status_code == 400
    assert "NUL character" in answer.get_data(as_text=True)


def test_stores_a_nul_in_a_form_is_a_400(client, people):
    answer = client.post("/login", data={"email": "coord\x00@example.org", "password": PASSWORD})
    assert answer.status_code == 400
    assert "NUL character" in answer.get_data(as_text=True)


NUL_CHANGES = [
    ("subjects", {"label": "Ed\x00na"}, "label"),
    ("subjects", {"kind": "per\x00son"}, "kind"),
    ("records", {"recorded_at": "2026-11-25T09:41:00+00:00\x00"}, "recorded_at"),
    ("records", {"form": "vi\x00sit"}, "form"),
    ("records", {"subject_id": "\x00"}, "subject_id"),
    ("records", {"change_id": "\x00"}, "change_id"),
    ("records", {"data": {"time_in": "09:30", "notes": "a\x00b"}}, "notes"),
    (
        "records",
        {"data": {"time_in": "09:30", "photo": {"sha256": "\x00", "content_type": "image/jpeg", "size": 1}}},
        "photo",
    ),
]


@pytest.mark.parametrize(("collection", "attributes", "field"), NUL_CHANGES)
def test_stores_a_nul_in_a_change_is_rejected_and_the_batch_goes_on(
    sync, auth, collection, attributes, field
):
    auth.login("member@example.org")
    make = sync.subject if collection == "subjects" else sync.record
    bad, good = make(**attributes), sync.record()
    results = sync.results(bad, good)
    assert results[0]["status"] == "rejected"
    assert field in results[0]["errors"]
    assert results[1]["status"] == "applied"
    pulled, _ = sync.pull_all()
    assert bad["id"] not in {d["id"] for d in pulled}
