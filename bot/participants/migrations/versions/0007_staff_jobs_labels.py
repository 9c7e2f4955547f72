"""The staff console's third slice: the daily jobs' last runs (retention, taken by one
replica per day) and the reviewers' labels of unanswered messages (bot/staff/schema.py).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_jobs",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("run_by", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("name", name="pk_staff_jobs"),
    )
    op.create_table(
        "staff_labels",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("event_id", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("intent", sa.String(64), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_staff_labels"),
        sa.UniqueConstraint("sender_id", "event_id", name="uq_staff_labels_sender_id"),
    )
    op.create_index("ix_staff_labels_event_id", "staff_labels", ["event_id"])


def downgrade() -> None:
    op.drop_table("staff_labels")
    op.drop_table("staff_jobs")
