"""The staff console's fourth slice: reviewers' saved list filters (bot/staff/schema.py).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_saved_filters",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("query", sa.String(1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_staff_saved_filters"),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["staff_accounts.id"],
            name="fk_staff_saved_filters_account_id_staff_accounts",
        ),
        sa.UniqueConstraint("account_id", "name", name="uq_staff_saved_filters_account_id"),
    )


def downgrade() -> None:
    op.drop_table("staff_saved_filters")
