"""Registration status check: the check itself, and forgetting the details it used.

Thin on purpose: matching, rate limits and the audit live in
bot/participants/store.py; the wording lives in domain.yml.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Callable, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.answers import (
    ASKED_STATUS,
    NAME_SLOT,
    NOT_FOUND,
    STATUS_SLOT,
    TOPIC_SLOT,
    status_is,
)
from bot.nlu.facts import REGISTRATION_TOPIC
from bot.participants.store import LOCKED, MATCH, THROTTLED, ParticipantStore

logger = logging.getLogger(__name__)

# What a delegate gives to prove who they are: kept only for the check itself.
REGISTRATION_SLOTS = ("reference", "email")


class ActionForgetRegistration(Action):
    """Drops the reference and e-mail when a check is stopped or a new one starts: they
    served only the check. A detail given in the latest message itself is kept, so
    "check CMC-2015-0003 for me" starts a check with it."""

    def name(self) -> str:
        return "action_forget_registration"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        given = {e.get("entity") for e in (tracker.latest_message or {}).get("entities", [])}
        forgotten = (*REGISTRATION_SLOTS, ASKED_STATUS, STATUS_SLOT, NAME_SLOT)
        events: List[EventType] = [SlotSet(slot, None) for slot in forgotten if slot not in given]
        if tracker.get_slot(TOPIC_SLOT) == REGISTRATION_TOPIC:
            # "nvm forget it. when is it again?": the conference's dates, not the check's
            events.append(SlotSet(TOPIC_SLOT, None))
        return events


class ActionCheckRegistration(Action):
    """Answers with the delegate's status only when reference and e-mail match.

    The details are dropped after the check, except when nothing matched: then the
    person can correct one of them ("sorry, the e-mail is ...") and the check runs
    again with the other, until they stop, start a new check or the session ends.
    """

    def __init__(self, store_factory: Callable[[], ParticipantStore] = ParticipantStore.from_env):
        self._store_factory = store_factory
        self._store: ParticipantStore | None = None

    def name(self) -> str:
        return "action_check_registration"

    def store(self) -> ParticipantStore:
        if self._store is None:
            self._store = self._store_factory()
        return self._store

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        cleared: List[EventType] = [
            SlotSet(slot, None) for slot in (*REGISTRATION_SLOTS, ASKED_STATUS)
        ]
        reference = tracker.get_slot("reference") or ""
        email = tracker.get_slot("email") or ""
        try:
            result = await asyncio.to_thread(
                self.store().check, reference, email, tracker.sender_id
            )
        except SQLAlchemyError:
            logger.exception("registration check failed: participant store unreachable")
            dispatcher.utter_message(response="utter_registration_unavailable")
            return cleared
        if result.outcome == MATCH and result.participant:
            asked = tracker.get_slot(ASKED_STATUS)
            if asked:  # "am I confirmed?": yes or no first, then the status
                yes = status_is(asked, result.participant.status)
                dispatcher.utter_message(
                    response="utter_registration_yes" if yes else "utter_registration_no"
                )
            dispatcher.utter_message(
                response=f"utter_registration_{result.participant.status}",
                full_name=result.participant.full_name,
                reference=result.participant.reference,
            )
            # Follow-ups ("why?", "when will I know?") are about this status now.
            status = result.participant.status
            return [
                *cleared,
                SlotSet(TOPIC_SLOT, REGISTRATION_TOPIC),
                SlotSet(STATUS_SLOT, status),
                SlotSet(NAME_SLOT, result.participant.full_name),
            ]
        elif result.outcome == LOCKED:  # this conversation, for 15 minutes
            dispatcher.utter_message(response="utter_registration_locked")
        elif result.outcome == THROTTLED:  # this reference, for up to a minute
            dispatcher.utter_message(response="utter_registration_throttled")
        else:
            dispatcher.utter_message(response="utter_registration_not_found")
            # The details stay for a correction; "I'm sure I registered, what now?" is
            # answered for a check that found nothing.
            return [
                SlotSet(TOPIC_SLOT, REGISTRATION_TOPIC),
                SlotSet(STATUS_SLOT, NOT_FOUND),
                SlotSet(NAME_SLOT, None),
            ]
        return cleared
