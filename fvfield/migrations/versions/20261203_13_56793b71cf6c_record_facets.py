"""record facets (when received, the day counted, odd clocks, concerns), the coordinator pages' indexes, day tallies

Revision ID: 56793b71cf6c
Revises: f3578ad5de78
Create Date: 2026-12-03 14:30:00.000000

"""
import json
from datetime import UTC, datetime, timedelta

from alembic import op
import sqlalchemy as sa

import fvfield.models


# revision identifiers, used by Alembic.
revision = '56793b71cf6c'
down_revision = 'f3578ad5de78'
branch_labels = None
depends_on = None

BATCH = 1000
# As sync/facets.py works them out, frozen here so that this migration stays what it was.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


def asks_concern(definition):
    """Return whether a form definition has the yes/no question "concern"."""
    if isinstance(definition, str):
        definition = json.loads(definition)
    fields = (definition or {}).get('fields', ())
    return any(f.get('name') == 'concern' and f.get('type') == 'boolean' for f in fields)


def record_facets(recorded_at, received_at, deleted, data):
    """Return (day, odd_time, concern) of a stored record."""
    try:
        moment = datetime.fromisoformat(str(recorded_at))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or not EARLIEST <= moment <= received_at + timedelta(days=1):
        day, odd = received_at.date().isoformat(), True
    else:
        day, odd = str(recorded_at)[:10], False
    try:
        answers = json.loads(data)
    except ValueError:
        answers = None
    return day, odd, not deleted and isinstance(answers, dict) and answers.get("concern") is True


def backfill():
    """Fill the new columns of the documents already stored, a batch at a time."""
    conn = op.get_bind()
    documents = sa.table(
        'documents',
        sa.column('pk', sa.Integer()),
        sa.column('team_id', sa.Integer()),
        sa.column('id', sa.String()),
        sa.column('collection', sa.String()),
        sa.column('form', sa.String()),
        sa.column('form_version', sa.Integer()),
        sa.column('deleted', sa.Boolean()),
        sa.column('recorded_at', sa.String()),
        sa.column('updated_at', fvfield.models.UTCDateTime()),
        sa.column('received_at', fvfield.models.UTCDateTime()),
        sa.column('data', sa.Text()),
        sa.column('day', sa.String()),
        sa.column('odd_time', sa.Boolean()),
        sa.column('concern', sa.Boolean()),
    )
    revisions = sa.table(
        'revisions',
        sa.column('team_id', sa.Integer()),
        sa.column('document_id', sa.String()),
        sa.column('created_at', fvfield.models.UTCDateTime()),
    )
    versions = sa.table(
        'form_versions',
        sa.column('team_id', sa.Integer()),
        sa.column('form_id', sa.String()),
        sa.column('version', sa.Integer()),
        sa.column('definition', sa.JSON()),
    )
    asking = {
        (team_id, form_id, version)
        for team_id, form_id, version, definition in conn.execute(sa.select(versions))
        if asks_concern(definition)
    }
    first = (
        sa.select(sa.func.min(revisions.c.created_at))
        .where(revisions.c.team_id == documents.c.team_id, revisions.c.document_id == documents.c.id)
        .scalar_subquery()
    )
    conn.execute(sa.update(documents).values(received_at=sa.func.coalesce(first, documents.c.updated_at)))
    last = 0
    while True:
        rows = conn.execute(
            sa.select(
                documents.c.pk, documents.c.team_id, documents.c.form, documents.c.form_version,
                documents.c.deleted, documents.c.recorded_at, documents.c.received_at, documents.c.data
            )
            .where(documents.c.collection == 'records', documents.c.pk > last)
            .order_by(documents.c.pk)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        updates = []
        for row in rows:
            day, odd, concern = record_facets(row.recorded_at, row.received_at, row.deleted, row.data)
            concern = concern and (row.team_id, row.form, row.form_version) in asking
            updates.append({'_pk': row.pk, 'day': day, 'odd_time': odd, 'concern': concern})
        conn.execute(
            sa.update(documents).where(documents.c.pk == sa.bindparam('_pk')).values(
                day=sa.bindparam('day'), odd_time=sa.bindparam('odd_time'), concern=sa.bindparam('concern')
            ),
            updates,
        )
        last = rows[-1].pk


def upgrade():
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('received_at', fvfield.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('day', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('odd_time', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('concern', sa.Boolean(), server_default=sa.false(), nullable=False))
    backfill()
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index('ix_documents_team_recorded', ['team_id', 'collection', 'recorded_at', 'pk'], unique=False)
        batch_op.create_index('ix_documents_team_form_recorded', ['team_id', 'collection', 'form', 'recorded_at', 'pk'], unique=False)
        batch_op.create_index('ix_documents_team_author_recorded', ['team_id', 'collection', 'author', 'recorded_at', 'pk'], unique=False)
        batch_op.create_index('ix_documents_team_subject_recorded', ['team_id', 'collection', 'subject_id', 'recorded_at', 'pk'], unique=False)
        batch_op.create_index('ix_documents_team_form_day', ['team_id', 'form', 'day'], unique=False)
        batch_op.create_index('ix_documents_team_concern', ['team_id', 'collection', 'concern', 'recorded_at', 'pk'], unique=False)
        batch_op.create_index('ix_documents_team_conflict', ['team_id', 'has_conflict'], unique=False)
    with op.batch_alter_table('concern_resolutions', schema=None) as batch_op:
        batch_op.create_index('ix_concern_resolutions_team_resolved', ['team_id', 'resolved_at'], unique=False)
    op.create_table('day_tallies',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('form', sa.String(length=64), nullable=False),
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('tallies', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_day_tallies_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_day_tallies')),
    sa.UniqueConstraint('team_id', 'form', 'day', name=op.f('uq_day_tallies_team_id_form_day'))
    )
    op.create_table('tally_marks',
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_tally_marks_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('team_id', name=op.f('pk_tally_marks'))
    )


def downgrade():
    op.drop_table('tally_marks')
    op.drop_table('day_tallies')
    with op.batch_alter_table('concern_resolutions', schema=None) as batch_op:
        batch_op.drop_index('ix_concern_resolutions_team_resolved')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index('ix_documents_team_conflict')
        batch_op.drop_index('ix_documents_team_concern')
        batch_op.drop_index('ix_documents_team_form_day')
        batch_op.drop_index('ix_documents_team_subject_recorded')
        batch_op.drop_index('ix_documents_team_author_recorded')
        batch_op.drop_index('ix_documents_team_form_recorded')
        batch_op.drop_index('ix_documents_team_recorded')
        batch_op.drop_column('concern')
        batch_op.drop_column('odd_time')
        batch_op.drop_column('day')
        batch_op.drop_column('received_at')
