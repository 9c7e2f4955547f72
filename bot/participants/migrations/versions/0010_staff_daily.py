"""The staff console's sixth slice: the dashboard's daily figures kept by the indexer
(`staff_daily`), the last unanswered user message of each conversation
(`staff_conversations.pending_reply`, for the response times), and the indexer's gaps
(`staff_index_gaps`: ids read again until they appear or time out). The figures are
filled by the next catch-up: the cursor is set back to 0 and the index emptied, so
the indexer rebuilds it (bot/staff/index.py).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pending_reply", sa.Float, nullable=True))
    op.create_table(
        "staff_daily",
        sa.Column("day", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("day", "kind", "name", name="pk_staff_daily"),
    )
    op.create_table(
        "staff_index_gaps",
        sa.Column("event_id", sa.Integer, nullable=False),
        sa.Column("noticed", sa.Float, nullable=True),
        sa.PrimaryKeyConstraint("event_id", name="pk_staff_index_gaps"),
    )
    # The daily figures of the events already folded are unknown: fold them all again.
    op.execute("DELETE FROM staff_conversation_labels")
    op.execute("DELETE FROM staff_conversations")
    op.execute("DELETE FROM staff_search")
    op.execute("UPDATE staff_index_cursor SET position = 0, generation = generation + 1")


def _conversations_at_0010() -> sa.Table:
    """staff_conversations as this revision leaves it: SQLite's batch mode copies the
    table from it, without reflecting it (so `db downgrade --sql` works offline)."""
    return sa.Table(
        "staff_conversations",
        sa.MetaData(),
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("started", sa.Float, nullable=False),
        sa.Column("last_active", sa.Float, nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("language", sa.String(2), nullable=True),
        sa.Column("turns", sa.Integer, nullable=False),
        sa.Column("first_message", sa.String(300), nullable=True),
        sa.Column("first_request", sa.Float, nullable=True),
        sa.Column("last_request", sa.Float, nullable=True),
        sa.Column("abstained", sa.Boolean, nullable=False),
        sa.Column("fell_back", sa.Boolean, nullable=False),
        sa.Column("registration", sa.String(16), nullable=True),
        sa.Column("min_confidence", sa.Float, nullable=True),
        sa.Column("last_event_id", sa.Integer, nullable=False),
        sa.Column("pending_reply", sa.Float, nullable=True),
        sa.PrimaryKeyConstraint("sender_id", name="pk_staff_conversations"),
        sa.Index("ix_staff_conversations_last_active", "last_active"),
        sa.Index("ix_staff_conversations_started", "started"),
        sa.Index("ix_staff_conversations_first_request", "first_request"),
    )


def downgrade() -> None:
    op.drop_table("staff_index_gaps")
    op.drop_table("staff_daily")
    with op.batch_alter_table(
        "staff_conversations", schema=None, copy_from=_conversations_at_0010()
    ) as batch_op:
        batch_op.drop_column("pending_reply")
