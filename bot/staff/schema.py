"""The staff console's tables, in the project database (DATABASE_URL) next to the
participant store's: same MetaData, hence the same naming convention and one Alembic
history (bot/participants/migrations/, revisions 0005 to 0009). Importing this module registers
them; the migrations' env.py does."""

from __future__ import annotations

import sqlalchemy as sa

from bot.participants.schema import metadata

ROLES = ("reviewer", "admin")

staff_accounts = sa.Table(
    "staff_accounts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),  # lower-case
    sa.Column("password_hash", sa.String(255), nullable=False),  # argon2id, encoded
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
    # Sessions issued before this instant are refused (logout, disable).
    sa.Column("sessions_since", sa.DateTime(timezone=True), nullable=True),
)

# Every login attempt, to delay the next one per account and per client.
staff_login_attempts = sa.Table(
    "staff_login_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("username", sa.String(64), nullable=False),  # as typed, lower-case, cut
    sa.Column("client", sa.String(64), nullable=False),  # the client's address
    # pending (being checked) | failure | success | throttled
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Index("ix_staff_login_attempts_username_at", "username", "at"),
    sa.Index("ix_staff_login_attempts_client_at", "client", "at"),
)

staff_audit = sa.Table(
    "staff_audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),  # a username, or "cli"
    # login | logout | transcript_view | erase | purge | account_add | account_disable
    sa.Column("action", sa.String(32), nullable=False),
    # A sender id (a keyed hash once the conversation is erased), or a username.
    sa.Column("target", sa.String(255), nullable=True),
    sa.Column("detail", sa.String(255), nullable=True),
    sa.Index("ix_staff_audit_at", "at"),
    sa.Index("ix_staff_audit_target", "target"),
)

# Review tools (revision 0006). Rows name a conversation by its sender id; erasure and
# purge delete them (bot/staff/retention.py), so none outlives its conversation.

TAG_MAX = 40

# Free-text tags, normalised (bot/staff/reviews.py: normalise_tag); one row per tag.
staff_tags = sa.Table(
    "staff_tags",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False),
    sa.Column("tag", sa.String(TAG_MAX), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.UniqueConstraint("sender_id", "tag", name="uq_staff_tags_sender_id"),
    sa.Index("ix_staff_tags_tag", "tag"),
)

# Reviewers' notes; kind "close" is the note that closed a follow-up.
staff_notes = sa.Table(
    "staff_notes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # note | close
    sa.Column("text", sa.Text, nullable=False),
    sa.Index("ix_staff_notes_sender_id", "sender_id"),
)

# One row per conversation a reviewer marked: reviewed, flagged for follow-up, and when
# its follow-up was last closed (a later request for a person reopens it).
staff_reviews = sa.Table(
    "staff_reviews",
    metadata,
    sa.Column("sender_id", sa.String(255), nullable=False),
    sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("reviewed_by", sa.String(64), nullable=True),
    sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("flagged_by", sa.String(64), nullable=True),
    sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("closed_by", sa.String(64), nullable=True),
    sa.PrimaryKeyConstraint("sender_id", name="pk_staff_reviews"),
    sa.Index("ix_staff_reviews_reviewed_at", "reviewed_at"),
    sa.Index("ix_staff_reviews_flagged_at", "flagged_at"),
)

# Revision 0007.

# Background jobs shared by every replica: one row per job, `last_run_at` taken with a
# conditional UPDATE (bot/staff/retention.py: claim), so one replica runs it per period.
staff_jobs = sa.Table(
    "staff_jobs",
    metadata,
    sa.Column("name", sa.String(32), nullable=False),
    sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("run_by", sa.String(64), nullable=True),  # host:pid of the replica
    sa.PrimaryKeyConstraint("name", name="pk_staff_jobs"),
)

LABEL_INTENT_MAX = 64

# The right intent and language of a user message the assistant abstained or fell back
# on (bot/staff/unanswered.py), for `python -m bot training export`. The message's text
# is kept here (the tracker store may be another database); erasure and purge delete
# the rows with the conversation's other review rows.
staff_labels = sa.Table(
    "staff_labels",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False),
    sa.Column("event_id", sa.Integer, nullable=False),  # the tracker store's events.id
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("intent", sa.String(LABEL_INTENT_MAX), nullable=False),
    sa.Column("language", sa.String(2), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.UniqueConstraint("sender_id", "event_id", name="uq_staff_labels_sender_id"),
    sa.Index("ix_staff_labels_event_id", "event_id"),
)

# Revision 0008.

SAVED_FILTER_NAME_MAX = 80
SAVED_FILTER_QUERY_MAX = 1000

# A reviewer's saved list filters: a name and the list's query string (canonical,
# bot/staff/conversations.py: Filters.to_query), per account. Accounts are disabled,
# never deleted, so the rows stay with their account.
staff_saved_filters = sa.Table(
    "staff_saved_filters",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("account_id", sa.Integer, sa.ForeignKey("staff_accounts.id"), nullable=False),
    sa.Column("name", sa.String(SAVED_FILTER_NAME_MAX), nullable=False),
    sa.Column("query", sa.String(SAVED_FILTER_QUERY_MAX), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("account_id", "name", name="uq_staff_saved_filters_account_id"),
)

# Revision 0009: the conversations' summary index (bot/staff/index.py), kept up to date
# from the tracker store's events by a background task; erasure and purge delete its
# rows. Times are epoch seconds, as the tracker store's.

FIRST_MESSAGE_MAX = 300
INDEX_LABEL_MAX = 80

# One row per conversation (sender id): what the list shows and filters on.
staff_conversations = sa.Table(
    "staff_conversations",
    metadata,
    sa.Column("sender_id", sa.String(255), nullable=False),
    sa.Column("started", sa.Float, nullable=False),
    sa.Column("last_active", sa.Float, nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("language", sa.String(2), nullable=True),  # the language slot's last value
    sa.Column("turns", sa.Integer, nullable=False),  # user messages
    sa.Column("first_message", sa.String(FIRST_MESSAGE_MAX), nullable=True),
    sa.Column("first_request", sa.Float, nullable=True),  # requests for a person
    sa.Column("last_request", sa.Float, nullable=True),
    sa.Column("abstained", sa.Boolean, nullable=False),
    sa.Column("fell_back", sa.Boolean, nullable=False),
    # The last registration check's outcome, a category (conversations.py:
    # REGISTRATION_OUTCOMES), never what was checked.
    sa.Column("registration", sa.String(16), nullable=True),
    sa.Column("min_confidence", sa.Float, nullable=True),  # of the user messages' intents
    sa.Column("last_event_id", sa.Integer, nullable=False),  # the tracker store's events.id
    # Revision 0010: the last user message's time while no user or bot event has
    # followed it (the response time is measured when the reply comes).
    sa.Column("pending_reply", sa.Float, nullable=True),
    sa.PrimaryKeyConstraint("sender_id", name="pk_staff_conversations"),
    sa.Index("ix_staff_conversations_last_active", "last_active"),
    sa.Index("ix_staff_conversations_started", "started"),
    sa.Index("ix_staff_conversations_first_request", "first_request"),
)

# The intents and facts a conversation went through, "intent:<name>" / "fact:<id>".
staff_conversation_labels = sa.Table(
    "staff_conversation_labels",
    metadata,
    sa.Column("sender_id", sa.String(255), nullable=False),
    sa.Column("label", sa.String(INDEX_LABEL_MAX), nullable=False),
    sa.PrimaryKeyConstraint("sender_id", "label", name="pk_staff_conversation_labels"),
    sa.Index("ix_staff_conversation_labels_label", "label", "sender_id"),
)

# The indexer's cursor: the last events.id folded. Advanced with a conditional UPDATE
# (position and generation unchanged since read), so that of several replicas one
# folds each batch; erasure and purge raise `generation`, so that a batch read before
# them is not written after them.
staff_index_cursor = sa.Table(
    "staff_index_cursor",
    metadata,
    sa.Column("name", sa.String(32), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("generation", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("run_by", sa.String(64), nullable=True),
    sa.PrimaryKeyConstraint("name", name="pk_staff_index_cursor"),
)

# Revision 0010: the dashboard's daily figures, kept by the indexer (bot/staff/index.py)
# as it folds the events: per day (days since the epoch, UTC) and kind ("messages",
# "fallback", "abstention", "intent" + name, "registration" + outcome, "delay" + a
# response-time bin in tenths of a second), a count. Anonymous counts: erasure and
# purge do not lower them (`python -m bot staff reindex` recomputes them).
staff_daily = sa.Table(
    "staff_daily",
    metadata,
    sa.Column("day", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("name", sa.String(INDEX_LABEL_MAX), nullable=False),
    sa.Column("count", sa.Integer, nullable=False),
    sa.PrimaryKeyConstraint("day", "kind", "name", name="pk_staff_daily"),
)

# Revision 0010: ids missing from a batch of recent events, read again at each step
# until they appear (an event committed after a later one: several Rasa processes on
# PostgreSQL) or are older than the indexer's gap timeout (a rolled back transaction);
# and, without timeout, the ids of deleted newest events that SQLite gives again.
staff_index_gaps = sa.Table(
    "staff_index_gaps",
    metadata,
    sa.Column("event_id", sa.Integer, nullable=False),
    sa.Column("noticed", sa.Float, nullable=True),  # epoch seconds; NULL: never times out
    sa.PrimaryKeyConstraint("event_id", name="pk_staff_index_gaps"),
)

# The full-text index of the user messages, `staff_search`, differs by dialect (an FTS5
# virtual table on SQLite, a tsvector with a GIN index on PostgreSQL): created by
# revision 0009 itself, outside this metadata (bot/staff/search.py describes it).
SEARCH_TABLE = "staff_search"


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's filter (autogenerate, drift checks): the search table and, on SQLite,
    its FTS5 shadow tables are the migrations' own, not this metadata's."""
    return not (
        type_ == "table"
        and name is not None
        and (name == SEARCH_TABLE or name.startswith(SEARCH_TABLE + "_"))
    )
