"""The staff console's fifth slice: the conversations' summary index, its labels
(intents, facts), the indexer's cursor, and the full-text index of the user messages
(bot/staff/schema.py, bot/staff/search.py).

`staff_search` is the dialect's own: an FTS5 virtual table on SQLite (accents folded by
its tokenizer), a tsvector column with a GIN index on PostgreSQL (the text folded in
Python first: no `unaccent` extension needed). It is outside the metadata (env.py
leaves it out of autogenerate).

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_conversations",
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
        sa.PrimaryKeyConstraint("sender_id", name="pk_staff_conversations"),
    )
    op.create_index("ix_staff_conversations_last_active", "staff_conversations", ["last_active"])
    op.create_index("ix_staff_conversations_started", "staff_conversations", ["started"])
    op.create_index(
        "ix_staff_conversations_first_request", "staff_conversations", ["first_request"]
    )
    op.create_table(
        "staff_conversation_labels",
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("label", sa.String(80), nullable=False),
        sa.PrimaryKeyConstraint("sender_id", "label", name="pk_staff_conversation_labels"),
    )
    op.create_index(
        "ix_staff_conversation_labels_label",
        "staff_conversation_labels",
        ["label", "sender_id"],
    )
    op.create_table(
        "staff_index_cursor",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("run_by", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("name", name="pk_staff_index_cursor"),
    )
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            "CREATE TABLE staff_search ("
            "id INTEGER NOT NULL, sender_id VARCHAR(255) NOT NULL, document TSVECTOR NOT NULL, "
            "CONSTRAINT pk_staff_search PRIMARY KEY (id))"
        )
        op.execute("CREATE INDEX ix_staff_search_document ON staff_search USING gin (document)")
        op.execute("CREATE INDEX ix_staff_search_sender_id ON staff_search (sender_id)")
    else:
        op.execute(
            "CREATE VIRTUAL TABLE staff_search USING fts5("
            "sender_id UNINDEXED, text, tokenize='unicode61 remove_diacritics 2')"
        )


def downgrade() -> None:
    op.execute("DROP TABLE staff_search")
    op.drop_table("staff_index_cursor")
    op.drop_table("staff_conversation_labels")
    op.drop_table("staff_conversations")
