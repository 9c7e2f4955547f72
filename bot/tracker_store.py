"""Rasa's SQL tracker store, tuned for the embedded SQLite default.

Still Rasa's `SQLTrackerStore` (same schema, same rows, same PostgreSQL behaviour). Its
engine hides statement parameters from error messages, which would otherwise put what
people wrote (e-mail addresses included) into the logs. Measured fixes for its
per-message cost (docs/benchmarks.md):
- SQLAlchemy 1.4 opens a new SQLite connection for every session (NullPool);
  here a small pool is kept, in WAL mode with `synchronous=NORMAL` (durable on
  checkpoints, and readers never block the writer).
- Rasa builds its ORM queries anew on every message (twice: to read the session, then
  to count what is stored before writing) and writes each event through the ORM's
  unit of work. Here equivalent queries are built once as Core statements and new events
  are inserted in one statement.
Both replace Rasa 3.6.21's private code (the engine, `_retrieve`, `save`): the store
refuses to start on another Rasa (bot/patches/__init__.py). Rasa's per-message fixes
(`bot/patches/rasa_speedups.py`) are installed by the entry point, whatever the store.
"""

from __future__ import annotations

import itertools
import json
import logging
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool

from bot import patches

logger = logging.getLogger(__name__)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")  # several Rasa workers share the file
    cursor.close()


class TunedSQLTrackerStore(SQLTrackerStore):
    """`type: bot.tracker_store.TunedSQLTrackerStore` in endpoints.yml."""

    engine: Engine

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # A RuntimeError: Rasa would replace an ImportError by an in-memory store.
        patches.require(("rasa",), f"{__name__}.{type(self).__name__}")
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        if url.get_dialect().name == "sqlite" and url.database not in (None, "", ":memory:"):
            self.engine = sa.create_engine(
                url,
                poolclass=QueuePool,
                pool_size=4,
                hide_parameters=True,
                # A pooled connection may be checked out by another thread later.
                connect_args={"check_same_thread": False},
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
        self._build_statements()

    def _build_statements(self) -> None:
        """Rasa's queries (`SQLTrackerStore._event_query`), built once."""
        events = self.SQLEvent.__table__
        sender = sa.bindparam("sender_id")
        session_start = (
            sa.select(sa.func.max(events.c.timestamp))
            .where(events.c.sender_id == sender)
            .where(events.c.type_name == SessionStarted.type_name)
            .scalar_subquery()
        )
        # Events after the latest SessionStarted, or all of them if there is none.
        in_latest_session = sa.or_(events.c.timestamp >= session_start, session_start.is_(None))
        every_event = sa.select(events.c.data).where(events.c.sender_id == sender)
        self._all_events = every_event.order_by(events.c.id)
        self._latest_session_events = every_event.where(in_latest_session).order_by(events.c.id)
        self._count_latest_session_events = (
            sa.select(sa.func.count())
            .select_from(events)
            .where(events.c.sender_id == sender)
            .where(in_latest_session)
        )
        self._insert_events = events.insert()

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        query = self._all_events if fetch_events_from_all_sessions else self._latest_session_events
        with self.session_scope() as session:
            rows = session.execute(query, {"sender_id": sender_id}).scalars()
            events = [json.loads(data) for data in rows]
        if self.domain and len(events) > 0:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the events of the latest session that are not stored yet, as Rasa does."""
        await self.stream_events(tracker)
        with self.session_scope() as session:
            stored = session.execute(
                self._count_latest_session_events, {"sender_id": tracker.sender_id}
            ).scalar_one()
            rows = [
                _event_row(tracker.sender_id, event)
                for event in itertools.islice(tracker.events, stored, None)
            ]
            if rows:
                session.execute(self._insert_events, rows)
            session.commit()


def _event_row(sender_id: str, event: Event) -> dict[str, Any]:
    """The columns Rasa's `SQLTrackerStore.save` writes for an event."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }
