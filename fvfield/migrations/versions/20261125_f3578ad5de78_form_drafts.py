"""form drafts: the next version of a form, edited by coordinators until published

Revision ID: f3578ad5de78
Revises: 0397e54217dd
Create Date: 2026-11-25 19:59:17.247318

"""
from alembic import op
import sqlalchemy as sa

import fvfield.models


# revision identifiers, used by Alembic.
revision = 'f3578ad5de78'
down_revision = '0397e54217dd'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('form_drafts',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.String(length=64), nullable=False),
    sa.Column('base_version', sa.Integer(), nullable=True),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('started_by', sa.String(length=36), nullable=True),
    sa.Column('updated_by', sa.String(length=36), nullable=True),
    sa.Column('updated_at', fvfield.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['started_by'], ['users.id'], name=op.f('fk_form_drafts_started_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_form_drafts_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_form_drafts_updated_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_form_drafts')),
    sa.UniqueConstraint('team_id', 'form_id', name=op.f('uq_form_drafts_team_id_form_id'))
    )


def downgrade():
    op.drop_table('form_drafts')
