"""erasures: documents erased for good on request (issue 11)

Revision ID: e7a5c0d2b9f1
Revises: 12a1b2c3d4e5
Create Date: 2026-12-03 16:00:00

"""
from alembic import op
import sqlalchemy as sa

import fvfield.models


# revision identifiers, used by Alembic.
revision = 'e7a5c0d2b9f1'
down_revision = '12a1b2c3d4e5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('erasures',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('collection', sa.String(length=10), nullable=False),
    sa.Column('document_id', sa.String(length=64), nullable=False),
    sa.Column('erased_by', sa.String(length=36), nullable=True),
    sa.Column('erased_at', fvfield.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['erased_by'], ['users.id'], name=op.f('fk_erasures_erased_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_erasures_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_erasures')),
    sa.UniqueConstraint('team_id', 'document_id', name=op.f('uq_erasures_team_id_document_id'))
    )


def downgrade():
    op.drop_table('erasures')
