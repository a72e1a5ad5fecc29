"""fvfield backup: an online copy of the SQLite database that opens and matches, even while phones sync."""

import sqlite3
import threading
from contextlib import closing

import pytest
import sqlalchemy as sa
import team_data

from fvfield.extensions import db
from fvfield.models import AuditEvent, User
from fvfield.sync.push import push_changes


@pytest.fixture
def seeded(app, people):
    return team_data.seed(app)


def database_file(app):
    with app.app_context():
        return db.engine.url.database


def counts(path):
    """Return {table: rows} of every table of a SQLite file."""
    with closing(sqlite3.connect(path)) as conn:
        tables = [name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}


def backup_events(app):
    with app.app_context():
        return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event == "backup_made")).all()


def test_backup_opens_and_matches_the_source(runner, app, seeded, tmp_path):
    out = tmp_path / "backup.db"
    result = runner.invoke(args=["backup", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1].startswith(f"Backed up the database to {out} (")
    source, copy = counts(database_file(app)), counts(out)
    # The backup's own audit event is written after the copy was taken.
    assert copy == {**source, "audit_events": source["audit_events"] - 1}
    assert copy["documents"] > 0 and copy["revisions"] > 0
    with closing(sqlite3.connect(out)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("backup")) == ["backup.db"]
    [event] = backup_events(app)
    assert event.detail == {"via": "command line", "path": str(out), "size": out.stat().st_size}


def test_backup_while_a_writer_writes_is_a_consistent_copy(runner, app, seeded, tmp_path):
    written, stop, failures = threading.Event(), threading.Event(), []

    def keep_writing():
        try:
            with app.app_context():
                team = team_data.team("clapton-circle")
                coord = db.session.scalar(sa.select(User.id).where(User.email == "coord@example.org"))
                while not stop.is_set():
                    changes = [team_data.record("feedback", 1, {"rating": 3}) for _ in range(20)]
                    results, _ = push_changes(team.id, coord, "coordinator", team_data.DEVICE, changes)
                    assert {r["status"] for r in results} == {"applied"}
                    written.set()
                db.session.remove()
        except Exception as error:  # reported by the test below, not lost in the thread
            failures.append(error)
            written.set()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        written.wait(timeout=120)
        out = tmp_path / "during.db"
        result = runner.invoke(args=["backup", str(out)])
    finally:
        stop.set()
        writer.join()
    assert failures == []
    assert result.exit_code == 0, result.output
    with closing(sqlite3.connect(out)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # One snapshot: each team's change counter is its documents' latest number, and no
        # document is without the revision that made it.
        assert (
            conn.execute(
                "SELECT t.slug FROM teams t WHERE t.change_seq != "
                "(SELECT coalesce(max(seq), 0) FROM documents d WHERE d.team_id = t.id)"
            ).fetchall()
            == []
        )
        assert (
            conn.execute(
                "SELECT count(*) FROM documents d WHERE NOT EXISTS "
                "(SELECT 1 FROM revisions r WHERE r.document_id = d.id AND r.team_id = d.team_id)"
            ).fetchone()[0]
            == 0
        )
        copied = conn.execute("SELECT count(*) FROM documents WHERE form = 'feedback'").fetchone()[0]
    source = counts(database_file(app))
    assert copied % 20 == 1 and copied >= 21
    assert counts(out)["documents"] <= source["documents"]


def test_backup_refuses_a_database_that_is_not_sqlite(runner, app, seeded, tmp_path):
    app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql://fvfield@db.example.org/fvfield"
    out = tmp_path / "backup.db"
    result = runner.invoke(args=["backup", str(out)])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: fvfield backup copies a SQLite database, and this server's database is postgresql: "
        "back it up with that database's own tools (for PostgreSQL, pg_dump).\n"
    )
    assert not out.exists()
    assert backup_events(app) == []


def test_backup_to_a_path_that_cannot_be_written_says_so(runner, app, seeded, tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    result = runner.invoke(args=["backup", str(tmp_path / "a-file" / "backup.db")])
    assert result.exit_code == 1
    assert result.stderr == f"Error: Cannot write {tmp_path}/a-file/backup.db: Not a directory.\n"
    assert backup_events(app) == []


def test_backup_replaces_an_older_backup(runner, app, seeded, tmp_path):
    out = tmp_path / "backup.db"
    out.write_text("an old backup")
    assert runner.invoke(args=["backup", str(out)]).exit_code == 0
    assert counts(out)["teams"] == 2


@pytest.mark.parametrize("command", ["export", "backup"])
def test_backup_and_export_have_help(runner, command):
    result = runner.invoke(args=[command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output and len(result.output.splitlines()) > 4
