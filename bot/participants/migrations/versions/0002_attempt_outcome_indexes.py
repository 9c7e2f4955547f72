"""Throttling by outcome: index the audit of checks on (who, outcome, at).

The per-sender lock and the per-reference delay count failures only; the old
(who, at) indexes also walked every refused attempt in the window.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Indexes only: SQLite creates and drops them natively (no batch table copy).
    op.create_index(
        "ix_lookup_attempts_sender_outcome_at",
        "lookup_attempts",
        ["sender_hash", "outcome", "at"],
    )
    op.create_index(
        "ix_lookup_attempts_reference_outcome_at",
        "lookup_attempts",
        ["reference", "outcome", "at"],
    )
    op.drop_index("ix_lookup_attempts_sender_at", table_name="lookup_attempts")
    op.drop_index("ix_lookup_attempts_reference_at", table_name="lookup_attempts")


def downgrade() -> None:
    op.create_index("ix_lookup_attempts_sender_at", "lookup_attempts", ["sender_hash", "at"])
    op.create_index("ix_lookup_attempts_reference_at", "lookup_attempts", ["reference", "at"])
    op.drop_index("ix_lookup_attempts_reference_outcome_at", table_name="lookup_attempts")
    op.drop_index("ix_lookup_attempts_sender_outcome_at", table_name="lookup_attempts")
