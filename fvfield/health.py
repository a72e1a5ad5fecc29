"""Health checks for load balancers and monitoring: /healthz and /readyz.

/healthz: the database answers and its schema is the one this code's
migrations lead to. /readyz: that, and the database's folder and the attachments folder can
be written and have READY_MIN_FREE_MB free (a full disk, a read-only mount or
a network mount that is missing shows here), so a load balancer
sends people only to app servers that can do everything they ask. Both
answer 200 or 503 with JSON naming each check, and say no more than that:
details of a failure go to the server's log.
"""

import functools
import logging
import os

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app

from fvfield import storage
from fvfield.extensions import db

bp = Blueprint("health", __name__)
logger = logging.getLogger(__name__)


def applied_revisions():
    """Return the migrations the database has had (its alembic_version rows)."""
    with db.engine.connect() as connection:
        if not sa.inspect(connection).has_table("alembic_version"):
            return set()
        return set(connection.scalars(sa.text("SELECT version_num FROM alembic_version")))


def expected_revisions():
    """Return the heads of the migrations this code carries."""
    return heads_of(current_app.extensions["migrate"].directory)


@functools.cache
def heads_of(directory):
    """Return the heads of a migrations folder (read once: code does not change while it runs)."""
    return frozenset(ScriptDirectory(directory).get_heads())


def migrations_state(applied, expected):
    """Return "current", or what is wrong: "missing", "behind" or "ahead"."""
    if applied == expected:
        return "current"
    if not applied:
        return "missing"
    scripts = ScriptDirectory(current_app.extensions["migrate"].directory)
    known = {script.revision for script in scripts.walk_revisions()}
    # A revision this code does not know: a newer release upgraded the database.
    return "behind" if applied <= known else "ahead"


def database_checks():
    """Return {"database": ..., "migrations": ...}, each "ok"/"current" or what is wrong."""
    try:
        applied = applied_revisions()
    except sa.exc.SQLAlchemyError:
        logger.warning("health check: the database did not answer", exc_info=True)
        return {"database": "unreachable", "migrations": "unknown"}
    state = migrations_state(applied, expected_revisions())
    if state != "current":
        logger.warning("health check: the database schema is %s (run fvfield upgrade)", state)
    return {"database": "ok", "migrations": state}


def attachments_check():
    """Return "ok" when the attachments folder exists (or can be made) and can be written."""
    folder = current_app.config["ATTACHMENTS_DIR"]
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        logger.warning("health check: cannot make the attachments folder %s", folder, exc_info=True)
        return "missing"
    return disk_check(folder, "attachments folder")


def disk_check(folder, what):
    """Return "ok", "not_writable" or "low_space" for a folder the server writes to."""
    if not storage.writable(folder):
        logger.warning("health check: cannot write the %s %s", what, folder)
        return "not_writable"
    free = storage.free_bytes(folder)
    if free < current_app.config["READY_MIN_FREE_MB"] * 1_000_000:
        logger.warning("health check: only %d MB free for the %s %s", free // 1_000_000, what, folder)
        return "low_space"
    return "ok"


def data_check():
    """Return the disk_check of the folder holding the SQLite file (PostgreSQL keeps its own disk)."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database:
        return "ok"
    return disk_check(os.path.dirname(os.path.abspath(url.database)), "database folder")


def answer(checks):
    """Return the JSON answer of checks: 200 when all passed, else 503."""
    healthy = all(value in ("ok", "current") for value in checks.values())
    body = {"status": "ok" if healthy else "failing", **checks}
    return body, 200 if healthy else 503, {"Cache-Control": "no-store"}


@bp.get("/healthz")
def healthz():
    """Answer whether the database answers and its schema is current."""
    return answer(database_checks())


@bp.get("/readyz")
def readyz():
    """Answer whether this server can take any request: database, schema and attachments."""
    return answer({**database_checks(), "data": data_check(), "attachments": attachments_check()})
