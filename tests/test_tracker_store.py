"""The tuned tracker store is Rasa's SQL store: same data, pooled SQLite, cached lookups."""

from __future__ import annotations

from pathlib import Path

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.speedups import memoise_event_type_lookup
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


def test_memoised_event_lookup_resolves_every_event_type() -> None:
    memoise_event_type_lookup()
    memoise_event_type_lookup()  # idempotent
    assert Event.resolve_by_type("slot") is SlotSet
    assert Event.resolve_by_type("user") is UserUttered
    assert Event.resolve_by_type("nope", default=SlotSet) is SlotSet


async def test_an_in_memory_database_keeps_its_tables() -> None:
    """The store recreates Rasa's engine; the tables must exist on the new one."""
    store = TunedSQLTrackerStore(domain=Domain.empty(), host="sqlite://")
    tracker = DialogueStateTracker.from_events("someone", [UserUttered("hello")])
    await store.save(tracker)
    restored = await store.retrieve("someone")
    assert restored is not None and restored.latest_message.text == "hello"

