"""coordinators' decisions: conflict resolutions and concern resolutions

Revision ID: 0397e54217dd
Revises: 158254de817b
Create Date: 2026-11-25 19:47:10.022606

"""
from alembic import op
import sqlalchemy as sa

import fvfield.models


# revision identifiers, used by Alembic.
revision = '0397e54217dd'
down_revision = '158254de817b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('concern_resolutions',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.String(length=36), nullable=False),
    sa.Column('record_rev', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('resolved_by', sa.String(length=36), nullable=True),
    sa.Column('resolved_at', fvfield.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['resolved_by'], ['users.id'], name=op.f('fk_concern_resolutions_resolved_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_concern_resolutions_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_concern_resolutions')),
    sa.UniqueConstraint('team_id', 'record_id', name=op.f('uq_concern_resolutions_team_id_record_id'))
    )
    op.create_table('conflict_resolutions',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('collection', sa.String(length=10), nullable=False),
    sa.Column('document_id', sa.String(length=64), nullable=False),
    sa.Column('conflict_change_id', sa.String(length=36), nullable=False),
    sa.Column('resolution_change_id', sa.String(length=36), nullable=False),
    sa.Column('resolved_by', sa.String(length=36), nullable=True),
    sa.Column('resolved_at', fvfield.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['resolved_by'], ['users.id'], name=op.f('fk_conflict_resolutions_resolved_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_conflict_resolutions_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_conflict_resolutions')),
    sa.UniqueConstraint('conflict_change_id', name=op.f('uq_conflict_resolutions_conflict_change_id'))
    )
    with op.batch_alter_table('conflict_resolutions', schema=None) as batch_op:
        batch_op.create_index('ix_conflict_resolutions_document', ['team_id', 'document_id'], unique=False)


def downgrade():
    with op.batch_alter_table('conflict_resolutions', schema=None) as batch_op:
        batch_op.drop_index('ix_conflict_resolutions_document')

    op.drop_table('conflict_resolutions')
    op.drop_table('concern_resolutions')
