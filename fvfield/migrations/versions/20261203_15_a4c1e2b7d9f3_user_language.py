"""a person's language (users.language): the pages and the phone speak it

Revision ID: a4c1e2b7d9f3
Revises: b16d5e7f8a92
Create Date: 2026-12-03 16:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a4c1e2b7d9f3'
down_revision = 'b16d5e7f8a92'
branch_labels = None
depends_on = None


def upgrade():
    # Empty (NULL) until the person chooses: their browser's language is used till then.
    with op.batch_alter_table('users') as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_column('language')
