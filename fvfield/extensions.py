"""The Flask extensions, created once and attached in create_app."""

import sqlite3

from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

from fvfield.dialect import lock_writers


class Base(DeclarativeBase):
    # Named constraints: SQLite migrations rebuild tables and must name what they drop.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
mail = Mail()

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=15000",
    # FULL: an acknowledged change survives a power cut, not only a crash.
    "PRAGMA synchronous=FULL",
)


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record):
    """Set the pragmas on every new SQLite connection."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own
    # transaction handling defers it and cannot ask for a write lock).
    # https://docs.sqlalchemy.org/en/20/dialects/sqlite.html#serializable-isolation-savepoints-transactional-ddl
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin_sqlite(connection):
    """Start SQLite transactions; IMMEDIATE when the caller asked to write."""
    if connection.dialect.name != "sqlite":
        return
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def begin_write(team_id=None):
    """Start the session's transaction holding the write lock at once.

    A SQLite transaction that reads and then writes can fail with "database is
    locked" when another writer got in between; taking the lock first makes
    concurrent writers wait their turn (busy_timeout) instead. PostgreSQL
    writers take the same lock (dialect.lock_writers); one that gives its
    `team_id` waits only for that team's writers. Call it before any other
    query of the transaction.
    """
    if db.session().in_transaction():
        db.session.commit()
    connection = db.session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    lock_writers(connection, team_id)
    return connection
