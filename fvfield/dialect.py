"""What differs between the two stores, SQLite and PostgreSQL, in one place.

The rest of fvfield is portable SQLAlchemy; here are the URL forms people
type, the pool a PostgreSQL server needs, the write lock that gives
PostgreSQL writers SQLite's one-writer-at-a-time safety, the errors that a
retry resolves. (The NUL character, which SQLite keeps in text and
PostgreSQL refuses even in a query, is refused at the door on both:
request_hooks.refuse_nul, and sync.batch.nul_errors for pushes.)
"""

from contextlib import contextmanager

import sqlalchemy as sa

# pg_advisory_xact_lock(WRITERS, 0) is every writer's lock; (WRITERS, team id) a team's;
# (WRITERS, -1) the lock of whoever upgrades the schema.
WRITERS = 0x66766664  # "fvfd"
UPGRADE = -1
# SQLSTATEs of a transaction PostgreSQL aborted for being in another one's way:
# serialization_failure and deadlock_detected. Doing it again succeeds.
TRANSIENT = {"40001", "40P01"}


def database_url(url):
    """Return a database URL with PostgreSQL's driver spelled out (psycopg 3).

    People copy postgres:// and postgresql:// URLs from their hosting; plain
    SQLAlchemy would look for psycopg2 for those.
    """
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def is_postgresql(url):
    """Return whether a database URL is PostgreSQL's."""
    return sa.engine.make_url(url).get_backend_name() == "postgresql"


def engine_options(url, pool_size, overflow):
    """Return the extra engine options of a database: a bounded pool for PostgreSQL.

    Every app process keeps its own pool, so processes x (pool_size +
    overflow) must stay below the server's max_connections.
    """
    if not is_postgresql(url):
        return {}
    return {
        "pool_size": pool_size,
        "max_overflow": overflow,
        # Connections idle for an hour are renewed: firewalls and poolers drop them.
        "pool_recycle": 3600,
        "connect_args": {"application_name": "fvfield", "connect_timeout": 10},
    }


def lock_writers(connection, team_id=None):
    """Take the write lock of a new PostgreSQL transaction, held until it ends.

    Without a team, the writer runs alone, as every writer does on SQLite
    (BEGIN IMMEDIATE): code that reads and then writes stays safe on both
    stores. With a team, it runs alone among that team's writers only
    (pushes to other teams go on in parallel), and never beside a writer
    that holds the whole lock. Reads take no lock.
    """
    if connection.dialect.name != "postgresql":
        return
    if team_id is None:
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(WRITERS, 0)))
        return
    connection.execute(sa.select(sa.func.pg_advisory_xact_lock_shared(WRITERS, 0)))
    connection.execute(sa.select(sa.func.pg_advisory_xact_lock(WRITERS, team_id)))


@contextmanager
def upgrade_lock(engine):
    """Hold the schema upgrade lock of a PostgreSQL database: one process upgrades at a time.

    Several app servers started together on a new release would otherwise
    run the same migrations at once. (A SQLite database has one machine, and
    `fvfield serve --workers` upgrades before it starts its processes.)
    """
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as connection:
        connection.execute(sa.select(sa.func.pg_advisory_lock(WRITERS, UPGRADE)))
        connection.commit()
        try:
            yield
        finally:
            connection.execute(sa.select(sa.func.pg_advisory_unlock(WRITERS, UPGRADE)))
            connection.commit()


def insert_rows(connection, table, columns, rows):
    """Insert rows (tuples in `columns` order) into a PostgreSQL table with one COPY.

    psycopg sends an executemany as one INSERT per row, each answered in
    turn; COPY streams them all at once, several times faster. Its errors
    reach the caller as SQLAlchemy's, as any statement's do.
    """
    preparer = connection.dialect.identifier_preparer
    sql = (
        f"COPY {preparer.format_table(table)} "
        f"({', '.join(preparer.quote(name) for name in columns)}) FROM STDIN"
    )
    driver = connection.connection.driver_connection
    try:
        with driver.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
    except connection.dialect.loaded_dbapi.Error as error:
        raise sa.exc.DBAPIError.instance(
            sql, None, error, connection.dialect.loaded_dbapi.Error, dialect=connection.dialect
        ) from error


def is_transient(error):
    """Return whether a database error goes away when the transaction is done again.

    True for PostgreSQL's deadlock and serialization failures: two pushes to
    different teams that create the same new ids in opposite orders.
    """
    return getattr(getattr(error, "orig", None), "sqlstate", None) in TRANSIENT
