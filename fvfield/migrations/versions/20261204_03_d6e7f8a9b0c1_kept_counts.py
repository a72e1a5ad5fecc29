"""kept counts of what waits for coordinators (open and urgent concerns, conflicts), month tallies, concerns by day

Revision ID: d6e7f8a9b0c1
Revises: c4d5e6f7a8b9
Create Date: 2026-12-04 03:10:00.000000

"""

import json
from collections import Counter

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "d6e7f8a9b0c1"
down_revision = "c4d5e6f7a8b9"
branch_labels = None
depends_on = None


def fill_months():
    """Add up the day tallies already kept into their months."""
    conn = op.get_bind()
    days = sa.table(
        "day_tallies", sa.column("team_id"), sa.column("form"), sa.column("day"), sa.column("tallies")
    )
    months = sa.table(
        "month_tallies", sa.column("team_id"), sa.column("form"), sa.column("month"), sa.column("tallies")
    )
    found = {}
    for team_id, form, day, tallies in conn.execute(
        sa.select(days.c.team_id, days.c.form, days.c.day, days.c.tallies)
    ):
        total = found.setdefault((team_id, form, day[:7]), Counter())
        total.update(json.loads(tallies))
    rows = [
        {"team_id": team_id, "form": form, "month": month, "tallies": json.dumps(total)}
        for (team_id, form, month), total in sorted(found.items())
    ]
    if rows:
        conn.execute(sa.insert(months), rows)


def upgrade():
    # Filled on the first page that shows them (reports/waiting.py), not here.
    op.create_table(
        "waiting_counts",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("resolutions", sa.Integer(), nullable=False),
        sa.Column("concerns", sa.Integer(), nullable=False),
        sa.Column("urgent", sa.Integer(), nullable=False),
        sa.Column("resolved", sa.Integer(), nullable=False),
        sa.Column("conflicts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_waiting_counts_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_waiting_counts")),
    )
    op.create_table(
        "waiting_flags",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("document_pk", sa.Integer(), nullable=False),
        sa.Column("concern", sa.Boolean(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.Column("conflict", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_waiting_flags_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("team_id", "document_pk", name=op.f("pk_waiting_flags")),
    )

    op.create_table(
        "month_tallies",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("form", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("tallies", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_month_tallies_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_month_tallies")),
        sa.UniqueConstraint("team_id", "form", "month", name=op.f("uq_month_tallies_team_id_form_month")),
    )
    fill_months()
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index('ix_documents_team_concern_day', ['team_id', 'collection', 'concern', 'day'], unique=False)


def downgrade():
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index('ix_documents_team_concern_day')
    op.drop_table("month_tallies")
    op.drop_table("waiting_flags")
    op.drop_table("waiting_counts")
