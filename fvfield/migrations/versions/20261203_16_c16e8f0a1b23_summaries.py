"""summaries: a coordinator's participant summary of a period behind a secret, expiring, revocable link (issue 16)

Revision ID: c16e8f0a1b23
Revises: a4c1e2b7d9f3
Create Date: 2026-12-03 19:30:00

"""
from alembic import op
import sqlalchemy as sa

import fvfield.models


# revision identifiers, used by Alembic.
revision = 'c16e8f0a1b23'
down_revision = 'a4c1e2b7d9f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('summaries',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('token_digest', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('period_name', sa.String(length=8), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=True),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('period_unit', sa.String(length=8), nullable=False),
    sa.Column('charts', sa.Text(), nullable=False),
    sa.Column('with_stories', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.String(length=36), nullable=True),
    sa.Column('created_at', fvfield.models.UTCDateTime(), nullable=False),
    sa.Column('expires_at', fvfield.models.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', fvfield.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_summaries_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_summaries_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_summaries')),
    sa.UniqueConstraint('token_digest', name=op.f('uq_summaries_token_digest'))
    )
    op.create_index(op.f('ix_summaries_team_id'), 'summaries', ['team_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_summaries_team_id'), table_name='summaries')
    op.drop_table('summaries')
