"""The registration actions with a fake store and Rasa SDK's CollectingDispatcher."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import OperationalError

from actions.registration import ActionCheckRegistration, ValidateRegistrationForm
from bot.participants.store import LOCKED, MATCH, MISMATCH, CheckResult, Participant

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


def tracker(**slots: Any) -> Tracker:
    return Tracker("conv-1", slots, {}, [], False, None, {}, "action_listen")


async def check(
    result: CheckResult | Exception,
) -> tuple[FakeStore, list[dict[str, Any]], list[Any]]:
    store = FakeStore(result)
    dispatcher = CollectingDispatcher()
    events = await ActionCheckRegistration(lambda: store).run(  # type: ignore[arg-type, return-value]
        dispatcher, tracker(reference="CMC-2015-0007", email="alice@example.org"), {}
    )
    return store, dispatcher.messages, events


@pytest.mark.parametrize("status", ["pending", "confirmed", "waitlisted", "rejected", "cancelled"])
async def test_a_match_answers_with_the_status_and_the_name(status: str) -> None:
    participant = Participant(**{**vars(ALICE), "status": status})
    store, messages, events = await check(CheckResult(MATCH, participant))
    assert store.calls == [("CMC-2015-0007", "alice@example.org", "conv-1")]
    assert messages[0]["response"] == f"utter_registration_{status}"
    assert (messages[0]["full_name"], messages[0]["reference"]) == ("Alice Martin", "CMC-2015-0007")
    assert [(e["name"], e["value"]) for e in events] == [("reference", None), ("email", None)]


@pytest.mark.parametrize(
    ("result", "response"),
    [
        (CheckResult(MISMATCH), "utter_registration_not_found"),
        (CheckResult(LOCKED), "utter_registration_locked"),
        (
            OperationalError("select", {}, Exception("connection refused")),
            "utter_registration_unavailable",
        ),
    ],
)
async def test_no_match_reveals_nothing(result: CheckResult | Exception, response: str) -> None:
    _, messages, events = await check(result)
    assert [m["response"] for m in messages] == [response]
    assert "full_name" not in messages[0] and "Alice" not in repr(messages)
    assert [(e["name"], e["value"]) for e in events] == [("reference", None), ("email", None)]


@pytest.mark.parametrize(
    ("slot", "value", "expected", "complaint"),
    [
        ("reference", "cmc 2015 0007", "CMC-2015-0007", None),
        ("reference", "my ref is 12", None, "utter_invalid_reference"),
        ("email", " Alice@Example.ORG ", "alice@example.org", None),
        ("email", "alice at example", None, "utter_invalid_email"),
    ],
)
def test_form_validation(
    slot: str, value: str, expected: str | None, complaint: str | None
) -> None:
    dispatcher = CollectingDispatcher()
    validate = getattr(ValidateRegistrationForm(), f"validate_{slot}")
    assert validate(value, dispatcher, tracker(), {}) == {slot: expected}
    assert [m["response"] for m in dispatcher.messages] == ([complaint] if complaint else [])
