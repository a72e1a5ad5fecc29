"""what of each subject's history a team's phones keep (last visits, days)

Revision ID: c4d5e6f7a8b9
Revises: c16e8f0a1b23
Create Date: 2026-12-03 18:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4d5e6f7a8b9'
down_revision = 'c16e8f0a1b23'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_visits', sa.Integer(), server_default='10', nullable=False))
        batch_op.add_column(sa.Column('phone_days', sa.Integer(), server_default='30', nullable=False))


def downgrade():
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_column('phone_days')
        batch_op.drop_column('phone_visits')
