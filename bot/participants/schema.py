"""Tables of the participant store. Changes go through Alembic
(bot/participants/migrations/: `python -m bot db revision --autogenerate -m ...`)."""

from __future__ import annotations

import sqlalchemy as sa

CATEGORIES = (
    "mayor",
    "minister",
    "government",
    "local_authority",
    "international_organisation",
    "civil_society",
    "private_sector",
    "academic",
    "other",
)
STATUSES = ("pending", "confirmed", "waitlisted", "rejected", "cancelled")

# SQLAlchemy's documented convention: every index and constraint gets a predictable
# name, so that a migration can alter or drop it on every database (SQLite gives an
# unnamed constraint no name at all, PostgreSQL one of its own). Alembic applies it
# to the migrations' operations too (env.py's target_metadata).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

participants = sa.Table(
    "participants",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # Normalised "CMC-YYYY-NNNN": the unique index makes lookups O(log n) and
    # references case-insensitive.
    sa.Column("reference", sa.String(13), nullable=False, unique=True),
    sa.Column("full_name", sa.String(200), nullable=False),
    sa.Column("email", sa.String(254), nullable=False),  # lower-case
    sa.Column("organisation", sa.String(200), nullable=False),
    sa.Column("country", sa.String(100), nullable=False),
    sa.Column("category", sa.String(32), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("language", sa.String(2), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

lookup_attempts = sa.Table(
    "lookup_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sender_hash", sa.String(64), nullable=False),  # HMAC-SHA256, never the id
    sa.Column("reference", sa.String(13), nullable=True),
    # match | mismatch | locked | throttled ('pending' only inside a check's transaction)
    sa.Column("outcome", sa.String(16), nullable=False),
    # The throttling counts one outcome (mismatch) within a time window: with the
    # outcome in the index that range holds no refused attempts, however many.
    sa.Index("ix_lookup_attempts_sender_outcome_at", "sender_hash", "outcome", "at"),
    sa.Index("ix_lookup_attempts_reference_outcome_at", "reference", "outcome", "at"),
)

# Webhook deliveries already handled, kept 24 hours (bot/channels/deliveries.py).
webhook_deliveries = sa.Table(
    "webhook_deliveries",
    metadata,
    sa.Column("provider", sa.String(16), nullable=False),  # telegram | twilio
    sa.Column("delivery_id", sa.String(64), nullable=False),  # update_id | MessageSid
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("provider", "delivery_id", name="pk_webhook_deliveries"),
    sa.Index("ix_webhook_deliveries_received_at", "received_at"),
)
