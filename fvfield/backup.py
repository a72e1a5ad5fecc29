"""An online backup of the SQLite database: a consistent copy, safe while the server writes.

SQLite's backup API copies the pages of one snapshot; with WAL the server's
writers go on meanwhile. The copy is written beside its destination and
renamed into place once it is complete and checked.
"""

import os
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path

import sqlalchemy as sa


class BackupRefused(Exception):
    """A backup this command cannot make; the message says why and what to do instead."""


def sqlite_path(database_url):
    """Return the file of a SQLite database URL, or raise BackupRefused for any other database."""
    url = sa.engine.make_url(database_url)
    backend = url.get_backend_name()
    if backend != "sqlite":
        raise BackupRefused(
            f"fvfield backup copies a SQLite database, and this server's database is {backend}: "
            "back it up with that database's own tools (for PostgreSQL, pg_dump)."
        )
    if url.database in (None, "", ":memory:"):
        raise BackupRefused("This server's SQLite database is in memory: there is no file to back up.")
    return url.database


def backup_sqlite(engine, path):
    """Copy the engine's SQLite database into a new file at `path`; return its size in bytes."""
    path = Path(path)
    fd, building = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    source = engine.raw_connection()
    try:
        with closing(sqlite3.connect(building)) as copy:
            source.driver_connection.backup(copy)
            # A single self-contained file: the copy does not keep the server's WAL mode.
            copy.execute("PRAGMA journal_mode=DELETE")
            verdict = copy.execute("PRAGMA quick_check").fetchone()[0]
        if verdict != "ok":
            raise BackupRefused(
                f"The copy did not pass SQLite's check ({verdict}); nothing was written to {path}."
            )
        os.replace(building, path)
        return path.stat().st_size
    finally:
        source.close()
        if os.path.exists(building):
            os.unlink(building)
