"""The registration actions with Rasa SDK's CollectingDispatcher, on a fake store and
on the real one (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import OperationalError

from actions.registration import ActionCheckRegistration
from bot.participants import csvio
from bot.participants.migrate import upgrade
from bot.participants.store import (
    LOCKED,
    MATCH,
    MAX_REFERENCE_DELAY,
    MISMATCH,
    THROTTLED,
    CheckResult,
    Participant,
    ParticipantStore,
    create_engine,
)
from tests.conftest import Clock

CLEARED = [SlotSet("reference", None), SlotSet("email", None), SlotSet("asked_status", None)]


# Nothing matched: the details stay for a correction, and "I'm sure I registered, what
# now?" is answered for a check that found nothing.
NOT_FOUND = [
    SlotSet("answer_topic", "registration"),
    SlotSet("registration_status", "not_found"),
    SlotSet("full_name", None),
]


def status_given(status: str, name: str = "Alice Martin") -> list[SlotSet]:
    """A status given: its follow-ups ("why?", "in English?", "so I'm confirmed?") are
    about it, said with the name found."""
    topic = SlotSet("answer_topic", "registration")
    return [*CLEARED, topic, SlotSet("registration_status", status), SlotSet("full_name", name)]


ALICE = Participant(
    "CMC-2015-0007",
    "Alice Martin",
    "alice@example.org",
    "NGO",
    "France",
    "civil_society",
    "confirmed",
    "fr",
)


class FakeStore:
    def __init__(self, result: CheckResult | Exception) -> None:
        self.result = result
        self.calls: list[tuple[str, str, str]] = []

    def check(self, reference: str, email: str, sender_id: str) -> CheckResult:
        self.calls.append((reference, email, sender_id))
        if isinstance(self.result, Exception):
            raise self.result
        return self.result


def tracker(sender: str = "conv-1", **slots: Any) -> Tracker:
    return Tracker(sender, slots, {}, [], False, None, {}, "action_listen")


async def check(
    result: CheckResult | Exception, **slots: Any
) -> tuple[FakeStore, list[dict[str, Any]], list[Any]]:
    store = FakeStore(result)
    dispatcher = CollectingDispatcher()
    state = tracker(reference="CMC-2015-0007", email="alice@example.org", **slots)
    events = await ActionCheckRegistration(lambda: store).run(  # type: ignore[arg-type, return-value]
        dispatcher, state, {}
    )
    return store, dispatcher.messages, events


@pytest.mark.parametrize(
    ("asked", "status", "first"),
    [
        ("confirmed", "confirmed", "utter_registration_yes"),
        ("confirmed", "pending", "utter_registration_no"),
        ("waitlisted", "waitlisted", "utter_registration_yes"),
        ("confirmed", "cancelled", "utter_registration_no"),
        # "Am I still registered?" / "so I'm not registered anymore?"
        ("active", "pending", "utter_registration_yes"),
        ("active", "rejected", "utter_registration_no"),
        ("inactive", "cancelled", "utter_registration_yes"),
        ("inactive", "waitlisted", "utter_registration_no"),
    ],
)
async def test_a_yes_no_question_on_the_status_is_answered_yes_or_no_first(
    asked: str, status: str, first: str
) -> None:
    """"Am I confirmed?" -> "No." then "... is pending"; the question is then forgotten."""
    participant = Participant(**{**vars(ALICE), "status": status})
    _, messages, events = await check(CheckResult(MATCH, participant), asked_status=asked)
    assert [m["response"] for m in messages] == [first, f"utter_registration_{status}"]
    assert events == status_given(status)


async def test_an_unmatched_check_keeps_the_status_asked_for_the_corrected_one() -> None:
    _, messages, events = await check(CheckResult(MISMATCH, None), asked_status="confirmed")
    assert [m["response"] for m in messages] == ["utter_registration_not_found"]
    assert events == NOT_FOUND


@pytest.mark.parametrize("status", ["pending", "confirmed", "waitlisted", "rejected", "cancelled"])
async def test_a_match_answers_with_the_status_and_the_name(status: str) -> None:
    participant = Participant(**{**vars(ALICE), "status": status})
    store, messages, events = await check(CheckResult(MATCH, participant))
    assert store.calls == [("CMC-2015-0007", "alice@example.org", "conv-1")]
    assert [m["response"] for m in messages] == [f"utter_registration_{status}"]
    assert (messages[0]["full_name"], messages[0]["reference"]) == ("Alice Martin", "CMC-2015-0007")
    assert events == status_given(status)


@pytest.mark.parametrize(
    ("result", "response", "expected_events"),
    [
        # Kept so that a corrected e-mail or reference is checked with the other one.
        (CheckResult(MISMATCH), "utter_registration_not_found", NOT_FOUND),
        (CheckResult(LOCKED), "utter_registration_locked", CLEARED),
        (CheckResult(THROTTLED), "utter_registration_throttled", CLEARED),
        (
            OperationalError("select", {}, Exception("connection refused")),
            "utter_registration_unavailable",
            CLEARED,
        ),
    ],
)
async def test_no_match_reveals_nothing(
    result: CheckResult | Exception, response: str, expected_events: list[Any]
) -> None:
    _, messages, events = await check(result)
    assert [m["response"] for m in messages] == [response]
    assert "full_name" not in messages[0] and "Alice" not in repr(messages)
    assert events == expected_events


@pytest.fixture
def real_store(database_url: str, tmp_path: Path) -> Iterator[tuple[ParticipantStore, Clock]]:
    upgrade(database_url)
    engine = create_engine(database_url)
    path = tmp_path / "seed.csv"
    path.write_text(
        "reference,full_name,email,organisation,country,category,status,language\n"
        "CMC-2015-0007,Alice Martin,alice@example.org,NGO,France,civil_society,confirmed,fr\n",
        encoding="utf-8",
    )
    rows, errors = csvio.read_participants(path)
    assert errors == []
    csvio.upsert(engine, rows)
    clock = Clock()
    yield ParticipantStore(engine, key=b"test-key", clock=clock), clock
    engine.dispose()


async def run_check(
    store: ParticipantStore, sender: str, email: str
) -> tuple[list[str], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await ActionCheckRegistration(lambda: store).run(
        dispatcher, tracker(sender, reference="cmc 2015 0007", email=email), {}
    )
    return [m["response"] for m in dispatcher.messages], events


async def test_strangers_delay_the_delegate_by_a_minute_at_most(
    real_store: tuple[ParticipantStore, Clock],
) -> None:
    store, clock = real_store
    for i in range(12):  # at the same moment: 5 evaluated, then the reference waits
        expected = "utter_registration_not_found" if i < 5 else "utter_registration_throttled"
        events = NOT_FOUND if i < 5 else CLEARED
        assert await run_check(store, f"stranger-{i}", "guess@x.org") == ([expected], events)
    assert await run_check(store, "alice", "alice@example.org") == (
        ["utter_registration_throttled"],
        CLEARED,
    )
    clock.now += MAX_REFERENCE_DELAY
    assert await run_check(store, "alice", "alice@example.org") == (
        ["utter_registration_confirmed"],
        status_given("confirmed"),
    )


async def test_a_conversation_with_five_failures_is_locked_out(
    real_store: tuple[ParticipantStore, Clock],
) -> None:
    store, clock = real_store
    for _ in range(5):
        clock.now += timedelta(minutes=1)  # past any delay on the reference
        assert await run_check(store, "guesser", "guess@x.org") == (
            ["utter_registration_not_found"],
            NOT_FOUND,
        )
    clock.now += timedelta(minutes=1)
    assert await run_check(store, "guesser", "alice@example.org") == (
        ["utter_registration_locked"],
        CLEARED,
    )
    assert await run_check(store, "alice", "alice@example.org") == (
        ["utter_registration_confirmed"],
        status_given("confirmed"),
    )
