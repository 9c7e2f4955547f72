"""Alembic environment: the URL comes from the config set by bot.participants.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from bot.participants.schema import metadata

config = context.config

connectable = engine_from_config(
    config.get_section(config.config_ini_section) or {},
    prefix="sqlalchemy.",
    poolclass=pool.NullPool,
    future=True,
)
with connectable.connect() as connection:
    context.configure(connection=connection, target_metadata=metadata)
    with context.begin_transaction():
        context.run_migrations()
