"""small numbers: the count below which members' and viewers' results say "fewer than N" (issue 16)

Revision ID: a16c0b5e2d71
Revises: b7c1d2e3f4a5
Create Date: 2026-12-03 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a16c0b5e2d71'
down_revision = 'b7c1d2e3f4a5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('small_numbers', sa.Integer(), server_default='5', nullable=False))


def downgrade():
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_column('small_numbers')
