"""Alembic migrations of the participant store (bot/participants/migrations/, shipped
with the package), behind `python -m bot db ...`.

Nothing migrates as a side effect: the commands that use the store call
`require_head()`, which refuses a database whose schema is not the latest, and the
servers' /health reports it (`check_head`). Only `db upgrade` and `db downgrade`
change the schema.
"""

from __future__ import annotations

import sys
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from bot.participants.store import create_engine, database_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
NOT_MIGRATED = "the database is not migrated: run `python -m bot db upgrade`"


class NotMigrated(RuntimeError):
    """The database's schema is not at the latest revision (or there is no database)."""


def alembic_config(url: str | None = None) -> Config:
    # This call's stdout: Config's default is the one at import time.
    config = Config(stdout=sys.stdout)
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", (url or database_url()).replace("%", "%%"))
    return config


def _absent(url: str | None) -> str | None:
    """The path of an SQLite database file that does not exist (else None): commands
    that only read must not create it, as connecting would."""
    parsed = sa.engine.make_url(url or database_url())
    if (
        parsed.get_backend_name() == "sqlite"
        and parsed.database not in (None, "", ":memory:")
        and not Path(parsed.database).exists()
    ):
        return str(parsed.database)
    return None


def _make_folder(url: str | None) -> None:
    create_engine(url).dispose()  # creates the SQLite file's folder if needed


def upgrade(url: str | None = None, revision: str = "head", *, sql: bool = False) -> None:
    """Bring the database at `url` (default DATABASE_URL) to `revision`; with `sql`,
    print the SQL instead (offline mode: no connection to the database)."""
    if not sql:
        _make_folder(url)
    command.upgrade(alembic_config(url), revision, sql=sql)


def downgrade(revision: str, url: str | None = None, *, sql: bool = False) -> None:
    """Revert to `revision`; with `sql`, print the SQL (offline, `revision` is FROM:TO)."""
    if not sql and not _revisions(url):
        raise NotMigrated("the database is not migrated: nothing to downgrade")
    command.downgrade(alembic_config(url), revision, sql=sql)


def current(url: str | None = None, *, verbose: bool = False) -> None:
    """Print the database's revision ("0008 (head)"); nothing when not migrated, and
    a missing SQLite file is not created."""
    if not _absent(url):
        command.current(alembic_config(url), verbose=verbose)


def revision(message: str, *, autogenerate: bool = False, url: str | None = None) -> None:
    """Write a new migration script, numbered after the head (0009, ...); with
    `autogenerate`, its operations are the differences between the database (which
    must be at head) and schema.py."""
    if autogenerate:
        require_head(url)
    config = alembic_config(url)
    head = ScriptDirectory.from_config(config).get_current_head()
    rev_id = f"{int(head) + 1:04d}" if head and head.isdigit() else None
    command.revision(config, message=message, autogenerate=autogenerate, rev_id=rev_id)


def script_heads() -> set[str]:
    """The revisions the migration scripts end with (one, unless a branch is open)."""
    return set(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def _revisions(url: str | None) -> set[str]:
    """The database's current revisions; reads only: neither a missing SQLite file
    nor the version table is created."""
    if _absent(url):
        return set()
    engine = sa.create_engine(url or database_url(), poolclass=sa.pool.NullPool, future=True)
    try:
        with engine.connect() as connection:
            return set(MigrationContext.configure(connection).get_current_heads())
    finally:
        engine.dispose()


def _check(found: set[str], wanted: set[str] | frozenset[str]) -> None:
    if found != wanted:
        at = ", ".join(sorted(found)) or "none"
        raise NotMigrated(f"{NOT_MIGRATED} (database at {at}, head {', '.join(sorted(wanted))})")


def check_head(connection: Connection, wanted: set[str] | frozenset[str]) -> None:
    """Raise NotMigrated unless the database is at the revisions `wanted` (the
    servers' /health, on their own connection)."""
    _check(set(MigrationContext.configure(connection).get_current_heads()), wanted)


def require_head(url: str | None = None) -> None:
    """Raise NotMigrated unless the database at `url` is at the latest revision."""
    _check(_revisions(url), script_heads())
