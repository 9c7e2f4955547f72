"""Session start: the reply language starts from the channel when it says one."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.registration import REGISTRATION_SLOTS
from bot.i18n import accepted_language

# Never carried into a new session: the channel's metadata, and the registration
# details (personal data that served one check, or a check left unfinished).
NOT_CARRIED = ("session_started_metadata", "requested_slot", *REGISTRATION_SLOTS)


def channel_language(metadata: Dict[str, Any] | None) -> str | None:
    """`metadata.language` ("fr", "en-GB", "FR"...) reduced to fr/en, if it is one of them."""
    value = (metadata or {}).get("language")
    return accepted_language(value) if isinstance(value, str) else None


class ActionSessionStart(Action):
    """Like Rasa's default, plus the language slot from channel metadata.

    Slots of the previous session but the registration details are carried over, as
    domain.yml's `carry_over_slots_to_new_session: true` asks (Rasa does not send
    this action the domain: `enable_selective_domain` in endpoints.yml;
    tests/test_domain.py checks the setting); a language given by the channel at the
    start of a session wins.
    """

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[EventType]:
        carried: List[EventType] = [
            SlotSet(key=name, value=value)
            for name, value in tracker.slots.items()
            if value is not None and name not in NOT_CARRIED
        ]
        events: List[EventType] = [SessionStarted(), *carried]
        language = channel_language(tracker.get_slot("session_started_metadata"))
        if language:
            events.append(SlotSet("language", language))
        events.append(ActionExecuted("action_listen"))
        return events
