"""The tuned tracker store is Rasa's SQL store: same data, pooled SQLite, cached lookups."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import TunedSQLTrackerStore

ROOT = Path(__file__).resolve().parent.parent


async def test_round_trip_and_sqlite_tuning(tmp_path: Path) -> None:
    domain = Domain.load(str(ROOT / "domain.yml"))
    store = TunedSQLTrackerStore(domain, host=f"sqlite:///{tmp_path / 'tracker.db'}")
    tracker = DialogueStateTracker.from_events(
        "alice",
        [
            ActionExecuted("action_listen"),
            UserUttered("bonjour", {"name": "greet"}),
            SlotSet("language", "fr"),
        ],
        domain.slots,
    )
    await store.save(tracker)
    # A second store on the same file (another worker, or after a restart) sees it all.
    again = TunedSQLTrackerStore(domain, host=f"sqlite:///{tmp_path / 'tracker.db'}")
    restored = await again.retrieve("alice")
    assert restored is not None
    assert restored.get_slot("language") == "fr"
    assert [e.as_dict()["event"] for e in restored.events][-2:] == ["user", "slot"]
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


async def test_an_in_memory_database_keeps_its_tables() -> None:
    """The store recreates Rasa's engine; the tables must exist on the new one."""
    store = TunedSQLTrackerStore(domain=Domain.empty(), host="sqlite://")
    tracker = DialogueStateTracker.from_events("someone", [UserUttered("hello")])
    await store.save(tracker)
    restored = await store.retrieve("someone")
    assert restored is not None and restored.latest_message.text == "hello"


def _conversation(start: float) -> list[list[Event]]:
    """Three saves: a session, its next turn, then a new session (fixed timestamps)."""

    def turn(at: float, text: str, intent: str) -> list[Event]:
        return [
            UserUttered(text, {"name": intent, "confidence": 0.9}, timestamp=at),
            SlotSet("language", "en", timestamp=at + 0.1),
            ActionExecuted(f"utter_{intent}", timestamp=at + 0.2),
            BotUttered("Hello!", {"elements": None}, timestamp=at + 0.3),
            ActionExecuted("action_listen", timestamp=at + 0.4),
        ]

    def session(at: float) -> list[Event]:
        return [
            ActionExecuted("action_session_start", timestamp=at),
            SessionStarted(timestamp=at + 0.1),
            ActionExecuted("action_listen", timestamp=at + 0.2),
        ]

    return [
        session(start) + turn(start + 1, "hello", "greet"),
        turn(start + 2, "when is it?", "ask_dates"),
        session(start + 10) + turn(start + 11, "merci", "thank"),
    ]


async def test_writes_and_reads_what_rasas_own_store_does(database_url: str) -> None:
    """Rows written, the latest session and the full history read back: identical to
    Rasa's SQLTrackerStore, on SQLite and PostgreSQL, whichever store wrote them."""
    domain = Domain.load(str(ROOT / "domain.yml"))
    rasas = SQLTrackerStore(domain, host=database_url)
    ours = TunedSQLTrackerStore(domain, host=database_url)
    for sender, store in (("rasa", rasas), ("ours", ours)):
        for events in _conversation(start=1_000.0):
            # As Rasa's processor does: read the latest session, add, save.
            tracker = await store.retrieve(sender) or DialogueStateTracker(sender, domain.slots)
            for event in events:
                tracker.update(event)
            await store.save(tracker)

    with ours.engine.connect() as connection:
        rows = {
            sender: connection.execute(
                sa.text(
                    "SELECT type_name, timestamp, intent_name, action_name, data FROM events"
                    " WHERE sender_id = :sender ORDER BY id"
                ),
                {"sender": sender},
            ).all()
            for sender in ("rasa", "ours")
        }
    assert len(rows["ours"]) == 21
    assert rows["ours"] == rows["rasa"]

    def dump(tracker: DialogueStateTracker | None) -> list[dict]:
        assert tracker is not None
        return [event.as_dict() for event in tracker.events]

    for sender in ("rasa", "ours"):
        assert dump(await ours.retrieve(sender)) == dump(await rasas.retrieve(sender))
        latest = dump(await ours.retrieve(sender))
        assert [e["event"] for e in latest][:2] == ["session_started", "action"]
        full = dump(await ours.retrieve_full_tracker(sender))
        assert full == dump(await rasas.retrieve_full_tracker(sender))
        assert len(full) == 21
    assert await ours.retrieve("nobody") is None
    rasas.engine.dispose()
    ours.engine.dispose()
