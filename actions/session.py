"""Session start: the reply language starts from the channel when it says one, else
from the first message's hint when that message shows no language ("dates?")."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import NAME_SLOT, STATUS_SLOT
from actions.registration import REGISTRATION_SLOTS
from bot.i18n import accepted_language
from bot.settings import LANGUAGES

# Never carried into a new session: the channel's metadata, and the registration
# details (personal data that served one check, or a check left unfinished).
NOT_CARRIED = (
    "session_started_metadata", "requested_slot", STATUS_SLOT, NAME_SLOT, *REGISTRATION_SLOTS
)


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


class ActionFirstMessageLanguage(Action):
    """The language of a session that starts with a neutral message: its hint
    (bot/nlu/language.py: its punctuation, "dates?" is English), unless the channel
    gave one.

    Run by Rasa's slot extraction (the `language` slot's custom mapping in
    domain.yml), only when the message set no language itself: before any reply is
    rendered, so every response of the turn, the registration form's too, is in it.
    """

    def name(self) -> str:
        return "action_first_message_language"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[EventType]:
        hint = (tracker.latest_message or {}).get("language_hint")
        if hint not in LANGUAGES or hint == tracker.get_slot("language"):
            return []
        session = tracker.events_after_latest_restart()
        starts = [i for i, e in enumerate(session) if e.get("event") == "session_started"]
        current = session[starts[-1] :] if starts else session
        first = sum(e.get("event") == "user" for e in current) == 1
        if first and not channel_language(tracker.get_slot("session_started_metadata")):
            return [SlotSet("language", hint)]
        return []
