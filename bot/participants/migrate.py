"""Alembic migrations of the participant store, applied with `python -m bot db upgrade`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from bot.participants.store import create_engine, database_url

MIGRATIONS = Path(__file__).resolve().parent.parent.parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", (url or database_url()).replace("%", "%%"))
    return config


def upgrade(url: str | None = None) -> None:
    """Bring the database at `url` (default DATABASE_URL) to the latest schema."""
    create_engine(url).dispose()  # creates the SQLite file's folder if needed
    command.upgrade(alembic_config(url), "head")
