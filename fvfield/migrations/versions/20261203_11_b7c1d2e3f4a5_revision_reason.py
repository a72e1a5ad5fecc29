"""revision reason: why a record was corrected or deleted, kept with the revision (issue 11)

Revision ID: b7c1d2e3f4a5
Revises: e7a5c0d2b9f1
Create Date: 2026-12-03 16:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7c1d2e3f4a5'
down_revision = 'e7a5c0d2b9f1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('revisions') as batch_op:
        batch_op.add_column(sa.Column('reason', sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table('revisions') as batch_op:
        batch_op.drop_column('reason')
