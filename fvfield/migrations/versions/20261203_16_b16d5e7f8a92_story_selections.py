"""story selections: the most significant change panel's choice of a round and domain, with its reasons (issue 16)

Revision ID: b16d5e7f8a92
Revises: a16c0b5e2d71
Create Date: 2026-12-03 18:30:00

"""
from alembic import op
import sqlalchemy as sa

import fvfield.models


# revision identifiers, used by Alembic.
revision = 'b16d5e7f8a92'
down_revision = 'a16c0b5e2d71'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('story_selections',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.String(length=7), nullable=False),
    sa.Column('domain', sa.String(length=64), nullable=False),
    sa.Column('record_id', sa.String(length=36), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('chosen_by', sa.String(length=36), nullable=True),
    sa.Column('chosen_at', fvfield.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['chosen_by'], ['users.id'], name=op.f('fk_story_selections_chosen_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_story_selections_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_story_selections')),
    sa.UniqueConstraint('team_id', 'round', 'domain', name=op.f('uq_story_selections_team_id_round_domain'))
    )


def downgrade():
    op.drop_table('story_selections')
