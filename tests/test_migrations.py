"""Migrations: they match the models, keep existing rows, and serve applies them."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from conftest import PASSWORD
from flask_migrate import upgrade

from fvfield import PACKAGE, create_app
from fvfield.cli import applied_revisions, upgrade_database
from fvfield.extensions import db
from fvfield.models import Invite, Membership, Team, User

SCRIPTS = ScriptDirectory(str(PACKAGE / "migrations"))
# Oldest first; the first revision is where real databases began.
REVISIONS = [script.revision for script in reversed(list(SCRIPTS.walk_revisions()))]
HEADS = set(SCRIPTS.get_heads())

# Rows as the first revision stored them: raw SQL, so later model changes
# cannot hide a migration that loses or mangles them.
OLD_ROWS = {
    "users": [
        {
            "id": "u-ann",
            "email": "ann@example.org",
            "name": "Ann",
            "password_hash": None,
            "login_token": "a" * 32,
            "created_at": "2026-01-02 03:04:05.000000",
        },
        {
            "id": "u-bob",
            "email": "bob@example.org",
            "name": "Bob",
            "password_hash": None,
            "login_token": "b" * 32,
            "created_at": "2026-01-03 03:04:05.000000",
        },
    ],
    "teams": [
        {
            "id": 7,
            "slug": "hackney-circle",
            "name": "Hackney circle",
            "kind": "care-circle",
            "created_at": "2026-01-02 03:04:05.000000",
        },
        {
            "id": 8,
            "slug": "ridley-road",
            "name": "Ridley Road",
            "kind": "market-survey",
            "created_at": "2026-01-02 03:04:05.000000",
        },
    ],
    "memberships": [
        {
            "id": 1,
            "team_id": 7,
            "user_id": "u-ann",
            "role": "coordinator",
            "created_at": "2026-01-02 03:04:05.000000",
        },
        {
            "id": 2,
            "team_id": 7,
            "user_id": "u-bob",
            "role": "member",
            "created_at": "2026-01-02 03:04:05.000000",
        },
        {
            "id": 3,
            "team_id": 8,
            "user_id": "u-bob",
            "role": "viewer",
            "created_at": "2026-01-02 03:04:05.000000",
        },
    ],
    "invites": [
        {
            "id": 1,
            "team_id": 7,
            "role": "member",
            "note": "for Cy",
            "token_hash": "f" * 64,
            "created_by": "u-ann",
            "created_at": "2026-01-02 03:04:05.000000",
            "expires_at": "2026-01-09 03:04:05.000000",
            "used_at": None,
            "used_by": None,
            "revoked_at": None,
        },
    ],
}


@pytest.fixture
def fresh_app(tmp_path):
    """An app on a new instance whose database has no tables yet."""
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance")})
    yield app
    with app.app_context():
        db.engine.dispose()


def insert_old_rows(password_hash):
    with db.engine.begin() as connection:
        for table, rows in OLD_ROWS.items():
            for row in rows:
                row = dict(row, password_hash=password_hash) if "password_hash" in row else row
                names = ", ".join(row)
                marks = ", ".join(f":{name}" for name in row)
                connection.execute(sa.text(f"INSERT INTO {table} ({names}) VALUES ({marks})"), row)


def stored_rows(table, columns):
    with db.engine.connect() as connection:
        query = f"SELECT {', '.join(columns)} FROM {table} ORDER BY id"
        return [dict(row) for row in connection.execute(sa.text(query)).mappings()]


def test_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], "models and migrations differ: run `flask --app fvfield db migrate`"


def test_migrations_have_one_head():
    assert len(HEADS) == 1, f"migrations have several heads {HEADS}: merge them"


def test_upgrade_keeps_existing_rows(fresh_app):
    password_hash = User(email="x@example.org", name="x")
    password_hash.set_password(PASSWORD)
    with fresh_app.app_context():
        upgrade(revision=REVISIONS[0])
        insert_old_rows(password_hash.password_hash)
        for revision in REVISIONS[1:]:
            upgrade(revision=revision)
            for table, rows in OLD_ROWS.items():
                assert stored_rows(table, rows[0]) == [
                    dict(row, password_hash=password_hash.password_hash) if "password_hash" in row else row
                    for row in rows
                ], f"revision {revision} changed the {table} rows"
        assert applied_revisions() == HEADS

        ann = db.session.scalar(sa.select(User).where(User.email == "ann@example.org"))
        assert ann.check_password(PASSWORD)
        roles = db.session.execute(
            sa.select(Team.slug, User.email, Membership.role)
            .join(Membership.team)
            .join(Membership.user)
            .order_by(Membership.id)
        ).all()
        assert roles == [
            ("hackney-circle", "ann@example.org", "coordinator"),
            ("hackney-circle", "bob@example.org", "member"),
            ("ridley-road", "bob@example.org", "viewer"),
        ]
        invite = db.session.scalar(sa.select(Invite))
        assert (invite.team.slug, invite.note, invite.expires_at.tzinfo is not None) == (
            "hackney-circle",
            "for Cy",
            True,
        )


@pytest.mark.parametrize("old", [None, *REVISIONS[:-1]])
def test_serve_upgrade_step_brings_an_old_database_up_to_date(fresh_app, old):
    with fresh_app.app_context():
        if old:
            upgrade(revision=old)
        assert applied_revisions() != HEADS
        assert upgrade_database() is True
        assert applied_revisions() == HEADS
        assert upgrade_database() is False
        assert "users" in sa.inspect(db.engine).get_table_names()


@pytest.mark.parametrize(
    ("pragma", "expected"),
    [
        ("journal_mode", "wal"),
        ("foreign_keys", 1),
        # 2 is FULL: an acknowledged change survives a power cut.
        ("synchronous", 2),
    ],
)
def test_sqlite_pragmas_on_a_fresh_connection(app, pragma, expected):
    with app.app_context():
        db.engine.dispose()
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql(f"PRAGMA {pragma}").scalar() == expected


def test_sqlite_busy_timeout_on_a_fresh_connection(app):
    with app.app_context():
        db.engine.dispose()
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0


def test_sqlite_foreign_keys_are_enforced_after_an_upgrade(app):
    with app.app_context(), pytest.raises(sa.exc.IntegrityError):
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO memberships (team_id, user_id, role, created_at)"
                    " VALUES (999, 'nobody', 'member', '2026-01-01 00:00:00')"
                )
            )


def test_record_facets_are_filled_for_records_stored_before_them(fresh_app):
    with fresh_app.app_context():
        upgrade(revision="f3578ad5de78")
        insert_old_rows("x")
        asks = '{"fields": [{"name": "concern", "type": "boolean", "label": "Raise?"}]}'
        old = [
            # pk, form version, recorded_at, data
            (1, 1, "2026-11-20T09:00:00+00:00", '{"concern":true}'),
            (2, 1, "9999-12-31T10:00:00+00:00", '{"concern":false}'),
            (3, 2, "2026-11-21T09:00:00+00:00", '{"concern":true}'),
        ]
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO form_versions (team_id, form_id, version, definition, published_at) "
                    "VALUES (7, 'visit', 1, :asks, '2026-11-01 00:00:00.000000'), "
                    "(7, 'visit', 2, '{\"fields\": []}', '2026-11-01 00:00:00.000000')"
                ),
                {"asks": asks},
            )
            for pk, version, recorded_at, data in old:
                connection.execute(
                    sa.text(
                        "INSERT INTO documents (pk, team_id, collection, id, id_scope, rev, seq, deleted,"
                        " has_conflict, updated_at, form, form_version, recorded_at, data) VALUES (:pk, 7,"
                        " 'records', :id, 0, 1, :pk, 0, 0, '2026-11-25 12:00:00.000000', 'visit', :version,"
                        " :recorded_at, :data)"
                    ),
                    {"pk": pk, "id": f"r{pk}", "version": version, "recorded_at": recorded_at, "data": data},
                )
        upgrade()
        rows = stored_rows("documents", ["id", "day", "odd_time", "concern", "received_at"])
    assert [(r["day"], r["odd_time"], r["concern"]) for r in rows] == [
        ("2026-11-20", 0, 1),
        ("2026-11-25", 1, 0),
        ("2026-11-21", 0, 0),
    ]
    assert all(str(r["received_at"]).startswith("2026-11-25 12:00") for r in rows)
