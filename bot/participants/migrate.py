"""Alembic migrations of the participant store (bot/participants/migrations/, shipped
with the package), behind `python -m bot db ...`.

Nothing migrates as a side effect: the commands that use the store call
`require_head()`, which refuses a database whose schema is not the latest.
"""

from __future__ import annotations

import sys
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from bot.participants.store import create_engine, database_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
NOT_MIGRATED = "the database is not migrated: run `python -m bot db upgrade`"


class NotMigrated(RuntimeError):
    """The database's schema is not at the latest revision."""


def alembic_config(url: str | None = None) -> Config:
    # The stdout of the moment: Alembic's default is the one of its import.
    config = Config(stdout=sys.stdout)
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", (url or database_url()).replace("%", "%%"))
    return config


def _make_folder(url: str | None) -> None:
    create_engine(url).dispose()  # creates the SQLite file's folder if needed


def upgrade(url: str | None = None, revision: str = "head", *, sql: bool = False) -> None:
    """Bring the database at `url` (default DATABASE_URL) to `revision`; with `sql`,
    print the SQL instead (offline mode: no connection to the database)."""
    if not sql:
        _make_folder(url)
    command.upgrade(alembic_config(url), revision, sql=sql)


def downgrade(revision: str, url: str | None = None, *, sql: bool = False) -> None:
    if not sql:
        _make_folder(url)
    command.downgrade(alembic_config(url), revision, sql=sql)


def current(url: str | None = None, *, verbose: bool = False) -> None:
    """Print the database's revision ("0004 (head)"); nothing when not migrated."""
    _make_folder(url)
    command.current(alembic_config(url), verbose=verbose)


def revision(message: str, *, autogenerate: bool = False, url: str | None = None) -> None:
    """Write a new migration script, numbered after the head (0005, ...); with
    `autogenerate`, its operations are the differences between the database (which
    must be at head) and schema.py."""
    config = alembic_config(url)
    head = ScriptDirectory.from_config(config).get_current_head()
    rev_id = f"{int(head) + 1:04d}" if head and head.isdigit() else None
    if autogenerate:
        _make_folder(url)
    command.revision(config, message=message, autogenerate=autogenerate, rev_id=rev_id)


def heads(url: str | None = None) -> tuple[set[str], set[str]]:
    """(the database's current revisions, the scripts' heads). Reads only: a missing
    SQLite file is not created, a version table never."""
    url = url or database_url()
    wanted = set(ScriptDirectory.from_config(alembic_config(url)).get_heads())
    parsed = sa.engine.make_url(url)
    if (
        parsed.get_backend_name() == "sqlite"
        and parsed.database not in (None, "", ":memory:")
        and not Path(parsed.database).exists()
    ):
        return set(), wanted
    engine = sa.create_engine(parsed, poolclass=sa.pool.NullPool, future=True)
    try:
        with engine.connect() as connection:
            found = set(MigrationContext.configure(connection).get_current_heads())
    finally:
        engine.dispose()
    return found, wanted


def require_head(url: str | None = None) -> None:
    """Raise NotMigrated unless the database at `url` is at the latest revision."""
    found, wanted = heads(url)
    if found != wanted:
        at = ", ".join(sorted(found)) or "none"
        raise NotMigrated(f"{NOT_MIGRATED} (database at {at}, head {', '.join(sorted(wanted))})")
