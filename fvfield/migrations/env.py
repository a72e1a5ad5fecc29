"""Alembic's environment: run fvfield's migrations on the app's database."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db


def get_engine():
    """Return the app's database engine."""
    return target_db.engine


def get_metadata():
    """Return the models' metadata, which autogenerate compares with the database."""
    if hasattr(target_db, "metadatas"):
        return target_db.metadatas[None]
    return target_db.metadata


config.set_main_option(
    "sqlalchemy.url", get_engine().url.render_as_string(hide_password=False).replace("%", "%%")
)


def run_migrations_offline():
    """Write the migrations' SQL instead of running it (`db upgrade --sql`)."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=get_metadata(),
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def skip_empty_autogenerate(context, revision, directives):
    """Write no migration file when autogenerate found no change."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def run_migrations_online():
    """Run the migrations on the app's database, all of them in one transaction on SQLite."""
    conf_args = {
        "process_revision_directives": skip_empty_autogenerate,
        **current_app.extensions["migrate"].configure_args,
    }

    with get_engine().connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch migrations rebuild SQLite tables: with foreign keys on,
            # dropping the old table would cascade deletes into its children.
            # The pragma only works outside a transaction, so on the raw one.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
            # SQLite's DDL is transactional: an upgrade that fails (or breaks
            # a foreign key) leaves the database as it was, not half-migrated.
            conf_args.setdefault("transactional_ddl", True)
        try:
            context.configure(connection=connection, target_metadata=get_metadata(), **conf_args)
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"migration broke foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                # This connection has foreign keys off: never hand it back to
                # the pool, where the app would write through it.
                connection.invalidate()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
