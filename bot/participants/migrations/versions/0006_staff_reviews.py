"""The staff console's review tools: tags, notes, reviewed / follow-up marks
(bot/staff/schema.py).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_tags",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("tag", sa.String(40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_staff_tags"),
        sa.UniqueConstraint("sender_id", "tag", name="uq_staff_tags_sender_id"),
    )
    op.create_index("ix_staff_tags_tag", "staff_tags", ["tag"])
    op.create_table(
        "staff_notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_staff_notes"),
    )
    op.create_index("ix_staff_notes_sender_id", "staff_notes", ["sender_id"])
    op.create_table(
        "staff_reviews",
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by", sa.String(64), nullable=True),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("flagged_by", sa.String(64), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("sender_id", name="pk_staff_reviews"),
    )
    op.create_index("ix_staff_reviews_reviewed_at", "staff_reviews", ["reviewed_at"])
    op.create_index("ix_staff_reviews_flagged_at", "staff_reviews", ["flagged_at"])


def downgrade() -> None:
    op.drop_table("staff_reviews")
    op.drop_table("staff_notes")
    op.drop_table("staff_tags")
