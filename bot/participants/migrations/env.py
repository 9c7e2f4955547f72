"""Alembic environment, after Alembic's generic template: the URL comes from the config
that bot.participants.migrate builds (no alembic.ini, so no logging set up here).

Offline (`python -m bot db upgrade --sql`) the SQL is printed, no database is touched.
Batch mode: SQLite, the default database, cannot ALTER most of a table, so Alembic
copies it instead (op.batch_alter_table, and autogenerate writes batch operations).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from bot.participants.schema import metadata
from bot.staff import schema as staff_schema  # registers the console's tables

config = context.config

# For autogenerate, and its naming convention for the migrations' operations.
target_metadata = metadata

OPTIONS = {
    "target_metadata": target_metadata,
    "render_as_batch": True,
    "compare_type": True,
    # The full-text search table is the dialect's own, made by revision 0009.
    "include_name": staff_schema.include_name,
}


def run_migrations_offline() -> None:
    """Print the SQL for a URL's dialect, without an Engine or a DBAPI connection."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **OPTIONS,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate the database on a connection of its own."""
    connectable = engine_from_config(
        config.get_section(config.config_ini_section) or {},
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
        future=True,
    )
    with connectable.connect() as connection:
        context.configure(connection=connection, **OPTIONS)
        with context.begin_transaction():
            context.run_migrations()
    connectable.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
