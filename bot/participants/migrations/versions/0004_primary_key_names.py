"""Primary keys named by the naming convention: pk_participants, pk_lookup_attempts.

0001 left both unnamed: PostgreSQL called them participants_pkey and
lookup_attempts_pkey, SQLite keeps no name. Since schema.py's metadata has a naming
convention, which Alembic also applies to the migrations' operations, a new database
gets the convention's names from 0001 already; one created before has the old ones.
Both end here with the convention's names (every other index and constraint of
0001-0003 already has them).

PostgreSQL renames the constraint in place (and its index), whatever its name was;
SQLite cannot alter a constraint, so batch mode copies each table (with its unique
constraint and indexes, given here so that `--sql` needs no reflection). The
downgrade restores 0001's unnamed keys (PostgreSQL's <table>_pkey).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = ("participants", "lookup_attempts")


def _as_in_0003(name: str) -> sa.Table:
    """The table as 0001-0003 made it, with its primary key unnamed."""
    metadata = sa.MetaData()  # no naming convention: the key stays unnamed
    if name == "participants":
        return sa.Table(
            "participants",
            metadata,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("reference", sa.String(13), nullable=False),
            sa.Column("full_name", sa.String(200), nullable=False),
            sa.Column("email", sa.String(254), nullable=False),
            sa.Column("organisation", sa.String(200), nullable=False),
            sa.Column("country", sa.String(100), nullable=False),
            sa.Column("category", sa.String(32), nullable=False),
            sa.Column("status", sa.String(16), nullable=False),
            sa.Column("language", sa.String(2), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.UniqueConstraint("reference", name="uq_participants_reference"),
        )
    return sa.Table(
        "lookup_attempts",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sender_hash", sa.String(64), nullable=False),
        sa.Column("reference", sa.String(13), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Index("ix_lookup_attempts_sender_outcome_at", "sender_hash", "outcome", "at"),
        sa.Index("ix_lookup_attempts_reference_outcome_at", "reference", "outcome", "at"),
    )


def _rename_postgresql(table: str, new: str) -> None:
    # Renames the key whatever its current name (a no-op when it already is `new`).
    op.execute(
        f"""
        DO $$
        DECLARE
            current_name text;
        BEGIN
            SELECT conname INTO current_name FROM pg_constraint
             WHERE conrelid = '{table}'::regclass AND contype = 'p';
            IF current_name <> '{new}' THEN
                EXECUTE format('ALTER TABLE {table} RENAME CONSTRAINT %I TO {new}', current_name);
            END IF;
        END
        $$
        """
    )


def upgrade() -> None:
    sqlite = op.get_context().dialect.name == "sqlite"
    for table in TABLES:
        name = f"pk_{table}"
        if sqlite:
            with op.batch_alter_table(
                table, recreate="always", copy_from=_as_in_0003(table)
            ) as batch:
                batch.create_primary_key(name, ["id"])
        else:
            _rename_postgresql(table, name)


def downgrade() -> None:
    sqlite = op.get_context().dialect.name == "sqlite"
    for table in TABLES:
        if sqlite:
            # Copied as 0001-0003 define it: an unnamed primary key.
            with op.batch_alter_table(table, recreate="always", copy_from=_as_in_0003(table)):
                pass
        else:
            _rename_postgresql(table, f"{table}_pkey")
