"""One reply to every question of a message, composed from the fact base.

The NLU's FactDetector (bot/nlu/fact_detector.py) lists what the message asks, in
order; this action says each fact once, starts with "Yes"/"No" where a claim was
checked, says "the release does not say" + the contacts for a detail the release
does not give, and remembers the topic for follow-ups ("and since when?").
The words come from bot/nlu/facts.yml; eligibility for a stated role is the domain's
`utter_invitees`.
"""

from __future__ import annotations

from typing import Callable, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.nlu.compose import answerable, compose, resolve
from bot.nlu.facts import (
    CONTACT_FACTS,
    NOT_IN_SOURCE,
    REGISTRATION_DECISION,
    REGISTRATION_TOPIC,
    THEIR_ADDRESS_RE,
    FactBase,
    fact_base,
)
from bot.nlu.formats import corrected_email
from bot.nlu.language import asks_again, requested_language
from bot.nlu.text import fold
from bot.settings import DEFAULT_LANGUAGE, LANGUAGES

TOPIC_SLOT = "answer_topic"
FACTS_SLOT = "answer_facts"
# The status the last check found (actions/registration.py): said again on "in English
# please"; a new check or a new session drops it.
STATUS_SLOT = "registration_status"
# Its value after a check that matched nobody.
NOT_FOUND = "not_found"
# The name of the registration found, said with its status again; dropped with it.
NAME_SLOT = "full_name"
# The status a yes/no question names ("am I confirmed?", bot/nlu/fact_detector.py);
# "active" ("is my registration still active?") is answered yes by ACTIVE_STATUSES.
ASKED_STATUS = "asked_status"
ACTIVE = "active"
ACTIVE_STATUSES = frozenset({"confirmed", "pending", "waitlisted"})
# "So I'm not registered anymore?": yes for a registration cancelled or turned down.
INACTIVE = "inactive"
# "So I'm not confirmed yet?": yes for any status but confirmed.
UNCONFIRMED = "unconfirmed"
SWITCH_LANGUAGE = "switch_language"
OUT_OF_SCOPE = "out_of_scope"
STOP = "stop"
DECISION = "ask_registration_decision"
OWN_STATUS = "ask_own_status"
CHECK_ACTION = "action_check_registration"
# The intents whose rules run this action before the registration form (data/rules.yml).
CHECK_INTENTS = frozenset({"check_registration", "inform_registration"})
PRIVACY = "utter_registration_privacy"


def _reply_language(tracker: Tracker) -> str:
    """The conversation's language (the first message's hint is already in the slot:
    actions/session.py)."""
    language = tracker.get_slot("language")
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def _check_to_come(tracker: Tracker) -> bool:
    """Both details of a check are known and it has not run since the message: the
    registration form completes now, then the check, then this action again."""
    if not (tracker.get_slot("reference") and tracker.get_slot("email")):
        return False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return True
        if event.get("event") == "action" and event.get("name") == CHECK_ACTION:
            return False
    return True


def _email_corrected(tracker: Tracker) -> List[EventType]:
    """The address kept from a check that found nothing, with the ending the latest
    message types ("oops, it's .org not .com"): the check runs again with it. Here, as
    this action is the step the rules run before the registration form (data/rules.yml)."""
    email = tracker.get_slot("email")
    entities = (tracker.latest_message or {}).get("entities") or []
    ending = next((e.get("value") for e in entities if e.get("entity") == "email_ending"), None)
    if not (email and ending) or any(e.get("entity") == "email" for e in entities):
        return []
    return [SlotSet("email", corrected_email(email, str(ending)))]


def _language_changed(tracker: Tracker) -> bool:
    """The latest message changed the conversation's language (the slot's value before
    it differs from its value now)."""
    now = tracker.get_slot("language")
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "slot" and event.get("name") == "language":
            return bool(event.get("value") != now)
    return False


def status_is(asked: str, status: str) -> bool:
    """Whether a yes/no question on one's status ("am I confirmed?") is answered yes."""
    if asked in (ACTIVE, INACTIVE):
        return (status in ACTIVE_STATUSES) == (asked == ACTIVE)
    if asked == UNCONFIRMED:
        return status != "confirmed"
    return asked == status


def _said_again(status: str) -> str:
    """The response saying a status again: with the name found (slot `full_name`), without
    the reference, which is not kept."""
    if status == NOT_FOUND:
        return "utter_registration_not_found"
    return f"utter_registration_again_{status}"


def _checked_last_turn(tracker: Tracker) -> bool:
    """The check ran in reply to the message before the latest one (its status was
    followed by the answer to a question asked beside it)."""
    users = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            users += 1
            if users == 2:
                return False
        elif users == 1 and event.get("event") == "action" and event.get("name") == CHECK_ACTION:
            return True
    return False


def _follows_someone_else(tracker: Tracker) -> bool:
    """The last reply said why someone else's registration is not given."""
    users = 0
    for event in reversed(tracker.events):
        users += event.get("event") == "user"
        if users == 2:
            return False
        if users and event.get("event") == "action" and event.get("name") == PRIVACY:
            return True
    return False


def _stopped_check(tracker: Tracker) -> bool:
    """The latest message stopped a registration check ("never mind", data/rules.yml):
    the form was deactivated since it."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") == "action_deactivate_loop":
            return True
    return False


class ActionAnswer(Action):
    """Answers what the message asks from the fact base (see the module docstring)."""

    def __init__(self, base: Callable[[], FactBase] = fact_base) -> None:
        self._base = base

    def name(self) -> str:
        return "action_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """The answer; after it, that a check was stopped, so that a question asked
        beside the stop ("never mind, is it in Geneva?") is answered first, starting
        with its yes or no."""
        stopped = _stopped_check(tracker)
        events = _email_corrected(tracker) + self._answer(dispatcher, tracker)
        if stopped:
            dispatcher.utter_message(response="utter_registration_stopped")
        return events

    def _answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        base = self._base()
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name")
        language = _reply_language(tracker)
        if intent == SWITCH_LANGUAGE:
            return self._repeat(dispatcher, tracker, base, language)
        if intent == OWN_STATUS:
            return self._own_status(dispatcher, tracker)
        answer = message.get("answer") or {}
        items = list(answer.get("items") or [])
        if items and intent in CHECK_INTENTS and _check_to_come(tracker):
            return []  # asked beside both details: answered after the check, this turn
        status = tracker.get_slot(STATUS_SLOT)
        text = message.get("text") or ""
        if intent == DECISION:  # data/rules.yml; a question beside it is answered after
            if status and requested_language(text) and _language_changed(tracker):
                # "I'd rather read this in English. Can anyone reverse it?"
                dispatcher.utter_message(text=base.text("switched", language))
                dispatcher.utter_message(response=_said_again(status))
            self._decision(dispatcher, tracker)
            if not items:  # "in English please" next says the status again
                return [SlotSet(TOPIC_SLOT, REGISTRATION_TOPIC)] if status else []
        if not items:  # a button payload, or an intent no fact cue named
            if intent == STOP:  # "never mind" alone; run() says a check was stopped
                if not _stopped_check(tracker):
                    dispatcher.utter_message(response="utter_anything_else")
                return []
            if intent not in base.intents:
                return []  # after a step of the dialogue that asked nothing else
            items = [{"fact": f} for f in base.intents[intent]] or [{"fact": NOT_IN_SOURCE}]
        topic = tracker.get_slot(TOPIC_SLOT)
        classified = answer.get("intent")
        # Out of scope for the classifier: a follow-up word ("who won the match?")
        # counts only if it follows up the conversation's topic, or if the message names
        # a fact of the release too ("wen is it, where, n who's the DG they quote").
        earlier = tracker.get_slot(FACTS_SLOT) or []
        registered = bool(status)
        guess = classified != OUT_OF_SCOPE or any(i.get("fact") in base.facts for i in items)
        items = resolve(items, base, topic, guess=guess, earlier=earlier, registered=registered)
        if answer.get("switch") and asks_again(text) and _language_changed(tracker):
            # "Answer in English please, and where is it?": the last answer again (a
            # status given just before too), after the yes or no of a question that
            # has one.
            if status and (topic == REGISTRATION_TOPIC or _checked_last_turn(tracker)):
                dispatcher.utter_message(response=_said_again(status))
            asked = {i["fact"] for i in items}
            again = [{"fact": f} for f in earlier if answerable(f, base) and f not in asked]
            items = items + again if any(i.get("verdict") for i in items) else again + items
        their_address = THEIR_ADDRESS_RE.search(fold(text))
        contacts = items and all(i["fact"] in CONTACT_FACTS for i in items)
        if contacts and their_address and _follows_someone_else(tracker):
            # "Et son adresse mail ?" after a question on someone's registration: theirs.
            dispatcher.utter_message(response=PRIVACY)
            return []
        if not items and classified == OUT_OF_SCOPE:
            dispatcher.utter_message(response="utter_out_of_scope")
            return []
        if not items and classified == SWITCH_LANGUAGE:
            return self._repeat(dispatcher, tracker, base, language)
        # "Why?" right after a registration status: the domain's answer on decisions.
        decision = intent == DECISION
        if not decision and any(i["fact"] == REGISTRATION_DECISION for i in items):
            self._decision(dispatcher, tracker)
            decision = True
        items = [i for i in items if i["fact"] != REGISTRATION_DECISION]
        role = tracker.get_slot("role")
        # The answer for the role stated, unless the message claims something of the
        # invitees to correct ("mayors aren't invited, only ministers?": "No.").
        invitees = [i for i in items if i["fact"] == "invitees"]
        # A category named after a role stated earlier ("what about private companies?")
        # gets the general answer, whose "Yes." is for that category.
        stated = any(e.get("entity") == "role" for e in message.get("entities") or [])
        role_answer = (
            bool(role and invitees)
            and all(i.get("verdict") != "no" for i in invitees)
            and (stated or all(i.get("verdict") is None for i in invitees))
        )
        # Asked first ("Are mayors invited? And why do they matter?"), said first.
        role_first = role_answer and items[0]["fact"] == "invitees"
        if role_answer:
            items = [i for i in items if i["fact"] != "invitees"]
        parts = compose(items, base, language)
        # Asked beside the facts, in the order asked: whether this is a person
        # (bot/nlu/facts.py), to reach one.
        assistant = answer.get("assistant")
        if assistant == 0:
            dispatcher.utter_message(response="utter_iamabot")
        if role_first:
            dispatcher.utter_message(response="utter_invitees")
        if parts:
            dispatcher.utter_message(text=" ".join(parts))
        if role_answer and not role_first:
            dispatcher.utter_message(response="utter_invitees")
        if assistant:
            dispatcher.utter_message(response="utter_iamabot")
        if answer.get("human"):
            dispatcher.utter_message(response="utter_human")
        if not parts and not role_answer and not decision:
            dispatcher.utter_message(response="utter_ask_rephrase")
        facts = [i["fact"] for i in items if answerable(i["fact"], base)]
        groups = [base.facts[f].group for f in facts if f in base.facts]
        groups += ["people"] if role_answer else []
        return [
            SlotSet(TOPIC_SLOT, groups[-1] if groups else topic),
            SlotSet(FACTS_SLOT, facts + (["invitees"] if role_answer else []) or None),
        ]

    @classmethod
    def _own_status(cls, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        """ "So I'm confirmed?" after a check: yes or no, then the status found again.
        Without a check, the registration form that follows asks for the details
        (data/rules.yml); after one that found nothing, what can be done about it."""
        status = tracker.get_slot(STATUS_SLOT)
        if not status:
            return []
        if status == NOT_FOUND:
            cls._decision(dispatcher, tracker)
            return []
        asked = tracker.get_slot(ASKED_STATUS)
        if asked:
            yes = status_is(asked, status)
            dispatcher.utter_message(
                response="utter_registration_yes" if yes else "utter_registration_no"
            )
        dispatcher.utter_message(response=_said_again(status))
        return [SlotSet(ASKED_STATUS, None), SlotSet(TOPIC_SLOT, REGISTRATION_TOPIC)]

    @staticmethod
    def _decision(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        """What a delegate can do about their registration: after a check that found
        nothing, check the details or ask the IDM Workshop; otherwise, nobody here can
        change or explain a decision, and the status found, said again ("what does that
        mean? I can't come at all?" after "not accepted")."""
        status = tracker.get_slot(STATUS_SLOT)
        if status == NOT_FOUND:
            dispatcher.utter_message(response="utter_registration_not_found_help")
            return
        dispatcher.utter_message(response="utter_registration_decision")
        if status:
            dispatcher.utter_message(response=_said_again(status))

    @staticmethod
    def _repeat(
        dispatcher: CollectingDispatcher, tracker: Tracker, base: FactBase, language: str
    ) -> List[EventType]:
        """ "In English please": the last answer again, in the new language; after a
        check, the status it found."""
        status = tracker.get_slot(STATUS_SLOT)
        facts = [f for f in tracker.get_slot(FACTS_SLOT) or [] if answerable(f, base)]
        on_status = tracker.get_slot(TOPIC_SLOT) == REGISTRATION_TOPIC
        if status and (on_status or _checked_last_turn(tracker)):
            dispatcher.utter_message(text=base.text("switched", language))
            dispatcher.utter_message(response=_said_again(status))
            if not on_status and facts:  # the question answered beside the check, too
                parts = compose([{"fact": f} for f in facts], base, language)
                dispatcher.utter_message(text=" ".join(parts))
            return []
        if not facts:
            dispatcher.utter_message(response="utter_language_switched")
            return []
        parts = compose([{"fact": f} for f in facts], base, language)
        dispatcher.utter_message(text=" ".join([base.text("switched", language), *parts]))
        return []
