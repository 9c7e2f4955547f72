"""Rasa's SQL tracker store, tuned for the embedded SQLite default.

Still Rasa's `SQLTrackerStore` (same schema, same PostgreSQL behaviour). Its engine
hides statement parameters from error messages, which would otherwise put what people
wrote (e-mail addresses included) into the logs. Two measured fixes for its
per-message cost (docs/benchmarks.md):
- SQLAlchemy 1.4 opens a new SQLite connection for every session (NullPool);
  here a small pool is kept, in WAL mode with `synchronous=NORMAL` (durable on
  checkpoints, and readers never block the writer).
- Rasa's own per-message fixes in `bot/speedups.py` (memoised event-type lookup,
  action replies checked with a validator built once) are installed from here, as
  every deployment loads this store.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from sqlalchemy.pool import QueuePool

from bot import speedups

logger = logging.getLogger(__name__)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")  # several Rasa workers share the file
    cursor.close()


class TunedSQLTrackerStore(SQLTrackerStore):
    """`type: bot.tracker_store.TunedSQLTrackerStore` in endpoints.yml."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        speedups.install()
        url = self.engine.url
        self.engine.dispose()
        if url.get_dialect().name == "sqlite" and url.database not in (None, "", ":memory:"):
            self.engine = sa.create_engine(
                url, poolclass=QueuePool, pool_size=4, hide_parameters=True
            )
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            # Rasa's own engine settings (PostgreSQL schema, pool sizes); it tests a
            # string URL more leniently than a URL object ("postgresql+psycopg2://").
            full_url = url.render_as_string(hide_password=False)
            self.engine = sa.create_engine(
                url, hide_parameters=True, **create_engine_kwargs(full_url)
            )
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        # The new engine may not see the tables Rasa created through the old one (an
        # in-memory database, or a PostgreSQL schema): create them, as Rasa does.
        try:
            self.Base.metadata.create_all(self.engine)
        except (sa.exc.OperationalError, sa.exc.ProgrammingError) as error:
            # Replicas starting together may race to create them; one of them wins.
            logger.error("tracker store: could not create tables: %s", type(error).__name__)
