"""The session-start action: language from channel metadata, slots carried over."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.registration import ActionForgetRegistration
from actions.session import ActionSessionStart, channel_language

DOMAIN: dict[str, Any] = {}  # Rasa sends this action no domain (selective domain)


def tracker(slots: dict[str, Any]) -> Tracker:
    return Tracker("someone", slots, {}, [], False, None, {}, "action_listen")


@pytest.mark.parametrize(
    ("metadata", "language"),
    [
        ({"language": "fr"}, "fr"),
        ({"language": "EN"}, "en"),
        ({"language": "fr-CH"}, "fr"),
        ({"language": "en_GB"}, "en"),
        ({"language": "de"}, None),
        ({"language": 3}, None),
        ({}, None),
        (None, None),
    ],
)
def test_channel_language(metadata: dict[str, Any] | None, language: str | None) -> None:
    assert channel_language(metadata) == language


async def run(slots: dict[str, Any]) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    events = await ActionSessionStart().run(dispatcher, tracker(slots), DOMAIN)
    assert dispatcher.messages == []
    return events


async def test_metadata_language_wins_at_session_start() -> None:
    events = await run(
        {"language": "fr", "role": "mayor", "session_started_metadata": {"language": "en"}}
    )
    assert events == [
        SessionStarted(),
        SlotSet("language", "fr"),  # carried over, then replaced
        SlotSet("role", "mayor"),
        SlotSet("language", "en"),
        ActionExecuted("action_listen"),
    ]


async def test_without_metadata_the_previous_language_is_kept() -> None:
    events = await run({"language": "en", "session_started_metadata": None})
    assert events == [SessionStarted(), SlotSet("language", "en"), ActionExecuted("action_listen")]


async def test_registration_details_are_never_carried_into_a_new_session() -> None:
    events = await run(
        {
            "language": "en",
            "reference": "CMC-2015-0004",
            "email": "someone@example.org",
            "requested_slot": "email",
            "session_started_metadata": None,
        }
    )
    assert events == [SessionStarted(), SlotSet("language", "en"), ActionExecuted("action_listen")]


async def test_a_stopped_check_forgets_the_details() -> None:

    dispatcher = CollectingDispatcher()
    slots = {"reference": "CMC-2015-0004", "email": "someone@example.org"}
    events = await ActionForgetRegistration().run(dispatcher, tracker(slots), DOMAIN)
    assert events == [
        SlotSet("reference", None),
        SlotSet("email", None),
        SlotSet("asked_status", None),
        SlotSet("registration_status", None),
        SlotSet("full_name", None),
    ]
    assert dispatcher.messages == []


async def test_a_stopped_check_ends_its_topic_not_the_conferences() -> None:
    """ "nvm forget it" then "when is it again?": the conference's dates, not the check's
    decision; a stop after an answer on the facts keeps their topic."""
    slots = {"reference": "CMC-2015-0042", "answer_topic": "registration"}
    events = await ActionForgetRegistration().run(CollectingDispatcher(), tracker(slots), DOMAIN)
    assert events[-1] == SlotSet("answer_topic", None)
    slots = {"reference": "CMC-2015-0042", "answer_topic": "cmc"}
    events = await ActionForgetRegistration().run(CollectingDispatcher(), tracker(slots), DOMAIN)
    assert SlotSet("answer_topic", None) not in events


async def test_a_new_check_keeps_only_the_detail_given_with_it() -> None:
    """"Check CMC-2015-0005 for me" starts a check with that reference, not the old e-mail."""

    slots = {"reference": "CMC-2015-0005", "email": "old@example.org"}
    latest = {"entities": [{"entity": "reference", "value": "CMC-2015-0005"}]}
    state = Tracker("someone", slots, latest, [], False, None, {}, "action_listen")
    events = await ActionForgetRegistration().run(CollectingDispatcher(), state, DOMAIN)
    assert events == [
        SlotSet("email", None),
        SlotSet("asked_status", None),
        SlotSet("registration_status", None),
        SlotSet("full_name", None),
    ]


async def test_a_language_switch_after_a_check_says_the_status_again() -> None:
    """ "In English please" right after a status: the status again, without the name or
    the reference (not kept); after an answer on the facts, those facts."""
    from actions.answers import ActionAnswer

    latest = {"intent": {"name": "switch_language"}, "entities": []}
    slots = {
        "language": "en",
        "answer_topic": "registration",
        "registration_status": "waitlisted",
        "answer_facts": ["dates"],
    }
    state = Tracker("someone", slots, latest, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    assert await ActionAnswer().run(dispatcher, state, DOMAIN) == []
    assert [m.get("response") for m in dispatcher.messages] == [
        None,
        "utter_registration_again_waitlisted",
    ]
    assert dispatcher.messages[0]["text"] == "Sure, I'll continue in English:"
    facts = {**slots, "answer_topic": "cmc"}
    state = Tracker("someone", facts, latest, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    await ActionAnswer().run(dispatcher, state, DOMAIN)
    assert "26" in dispatcher.messages[0]["text"]


@pytest.mark.parametrize(
    ("status", "responses"),
    [
        (None, ["utter_registration_decision"]),
        ("rejected", ["utter_registration_decision", "utter_registration_again_rejected"]),
        ("waitlisted", ["utter_registration_decision", "utter_registration_again_waitlisted"]),
        # "But I'm sure I registered, what can I do?" after a check that found nothing.
        ("not_found", ["utter_registration_not_found_help"]),
    ],
)
async def test_a_question_on_a_decision_is_answered_for_the_status_found(
    status: str | None, responses: list[str]
) -> None:
    from actions.answers import ActionAnswer

    latest = {"intent": {"name": "ask_registration_decision"}, "entities": []}
    slots = {"language": "fr", "registration_status": status}
    state = Tracker("someone", slots, latest, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = await ActionAnswer().run(dispatcher, state, DOMAIN)
    assert [m.get("response") for m in dispatcher.messages] == responses
    # The registration is the topic again: "in English please" says the status.
    assert events == ([SlotSet("answer_topic", "registration")] if status else [])


@pytest.mark.parametrize(
    ("before", "now", "text"),
    [
        ("fr", "en", "Can you answer in English? Also where is it held?"),
        ("en", "fr", "Vous pouvez répéter en français ? Et c'est où ?"),
    ],
)
async def test_answer_in_the_other_language_and_a_question_gets_both(
    before: str, now: str, text: str
) -> None:
    """The last answer again in the new language, then the question asked beside it; a
    language that did not change ("switching back" twice) repeats nothing."""
    from actions.answers import ActionAnswer
    from bot.nlu.facts import fact_base

    base = fact_base()
    latest = {
        "intent": {"name": "ask_question"},
        "text": text,
        "answer": {"items": [{"fact": "venue", "verdict": None}], "switch": True},
    }
    events = [
        {"event": "slot", "name": "language", "value": before},
        {"event": "user", "text": text},
        {"event": "slot", "name": "language", "value": now},
    ]
    slots = {"language": now, "answer_facts": ["wmr_title"], "answer_topic": "wmr"}
    state = Tracker("someone", slots, latest, events, False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    await ActionAnswer().run(dispatcher, state, DOMAIN)
    title, venue = base.facts["wmr_title"].texts[now], base.facts["venue"].texts[now]
    assert [m["text"] for m in dispatcher.messages] == [f"{title} {venue}"]
    events[0]["value"] = now  # the same language as before: only the question
    state = Tracker("someone", slots, latest, events, False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    await ActionAnswer().run(dispatcher, state, DOMAIN)
    assert [m["text"] for m in dispatcher.messages] == [venue]


async def test_the_other_language_after_a_status_and_a_question_says_both_again() -> None:
    """A check answered with a question beside it ("... and the dates?") leaves the
    question's topic; "in English please" next says the status again, then the dates."""
    from actions.answers import ActionAnswer
    from bot.nlu.facts import fact_base

    latest = {"intent": {"name": "switch_language"}, "entities": []}
    slots = {
        "language": "en",
        "answer_topic": "cmc",
        "registration_status": "cancelled",
        "answer_facts": ["dates"],
    }
    events = [
        {"event": "user", "text": "CMC-2015-0005 c.ruiz@example.org, et les dates ?"},
        {"event": "action", "name": "action_check_registration"},
        {"event": "action", "name": "action_answer"},
        {"event": "user", "text": "In English please"},
    ]
    state = Tracker("someone", slots, latest, events, False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    assert await ActionAnswer().run(dispatcher, state, DOMAIN) == []
    dates = fact_base().facts["dates"].texts["en"]
    assert [(m.get("response"), m.get("text")) for m in dispatcher.messages] == [
        (None, "Sure, I'll continue in English:"),
        ("utter_registration_again_cancelled", None),
        (None, dates),
    ]
    # Turns later, the status is not what "in English please" asks about.
    later = [*events[:-1], {"event": "user", "text": "ok"}, {"event": "user", "text": "EN?"}]
    state = Tracker("someone", slots, latest, later, False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    await ActionAnswer().run(dispatcher, state, DOMAIN)
    switched = "Sure, I'll continue in English:"
    assert [m.get("text") for m in dispatcher.messages] == [f"{switched} {dates}"]


async def test_ones_own_case_after_a_status_is_the_decision_whatever_the_topic() -> None:
    """ "Can I still attend?" after a status and an answer on the venue."""
    from actions.answers import ActionAnswer

    answer = {"items": [{"fact": "invitees", "verdict": None, "own": True}]}
    latest = {"intent": {"name": "ask_question"}, "entities": [], "answer": answer}
    slots = {"language": "en", "answer_topic": "cmc", "registration_status": "rejected"}
    state = Tracker("someone", slots, latest, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    await ActionAnswer().run(dispatcher, state, DOMAIN)
    assert [m.get("response") for m in dispatcher.messages] == [
        "utter_registration_decision",
        "utter_registration_again_rejected",
    ]


def stopped_tracker(latest: dict[str, Any]) -> Tracker:
    """The state after "never mind" during a check (data/rules.yml): the form
    deactivated and the details forgotten, then action_answer."""
    events = [
        {"event": "user", "text": latest["text"]},
        {"event": "action", "name": "action_deactivate_loop"},
        {"event": "active_loop", "name": None},
        {"event": "action", "name": "action_forget_registration"},
    ]
    slots = {"language": "en"}
    return Tracker("someone", slots, latest, events, False, None, {}, "action_listen")


async def test_a_question_beside_a_stop_is_answered_before_the_stop_is_confirmed() -> None:
    """ "Never mind. Is it in Geneva?": the reply starts with the yes."""
    from actions.answers import ActionAnswer

    answer = {"items": [{"fact": "venue", "verdict": "yes"}]}
    latest = {"intent": {"name": "stop"}, "text": "never mind, is it in geneva?", "answer": answer}
    dispatcher = CollectingDispatcher()
    await ActionAnswer().run(dispatcher, stopped_tracker(latest), DOMAIN)
    first, second = dispatcher.messages
    assert first["text"].startswith("Yes") and "Geneva" in first["text"]
    assert second["response"] == "utter_registration_stopped"


@pytest.mark.parametrize("during_check", [True, False])
async def test_never_mind_alone_confirms_the_stop_only_when_a_check_was_stopped(
    during_check: bool,
) -> None:
    from actions.answers import ActionAnswer

    latest = {"intent": {"name": "stop"}, "text": "never mind", "entities": []}
    state = stopped_tracker(latest)
    if not during_check:
        state = Tracker("someone", {"language": "en"}, latest, [], False, None, {}, "x")
    dispatcher = CollectingDispatcher()
    assert await ActionAnswer().run(dispatcher, state, DOMAIN) == []
    expected = "utter_registration_stopped" if during_check else "utter_anything_else"
    assert [m["response"] for m in dispatcher.messages] == [expected]


@pytest.mark.parametrize(
    ("asked", "status", "verdict"),
    [
        ("confirmed", "confirmed", "utter_registration_yes"),
        ("confirmed", "waitlisted", "utter_registration_no"),
        ("active", "pending", "utter_registration_yes"),
        ("active", "cancelled", "utter_registration_no"),
    ],
)
async def test_a_yes_no_question_on_the_status_found_is_answered_then_said_again(
    asked: str, status: str, verdict: str
) -> None:
    from actions.answers import ActionAnswer
    from bot.nlu.facts import REGISTRATION_TOPIC

    latest = {"intent": {"name": "ask_own_status"}, "text": "so am I?", "entities": []}
    slots = {"language": "en", "registration_status": status, "asked_status": asked}
    state = Tracker("someone", slots, latest, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = await ActionAnswer().run(dispatcher, state, DOMAIN)
    assert [m["response"] for m in dispatcher.messages] == [
        verdict,
        f"utter_registration_again_{status}",
    ]
    assert events == [SlotSet("asked_status", None), SlotSet("answer_topic", REGISTRATION_TOPIC)]


async def test_a_yes_no_question_on_the_status_before_a_check_leaves_it_to_the_form() -> None:
    from actions.answers import ActionAnswer

    latest = {"intent": {"name": "ask_own_status"}, "text": "am I confirmed?", "entities": []}
    state = Tracker("someone", {"language": "fr"}, latest, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    assert await ActionAnswer().run(dispatcher, state, DOMAIN) == []
    assert dispatcher.messages == []


@pytest.mark.parametrize(
    ("entities", "events"),
    [
        # "oops, it's .org not .com" after a check that found nothing: checked again with it.
        ([{"entity": "email_ending", "value": ".org"}], [SlotSet("email", "li.wei@example.org")]),
        # A whole new address is the form's, from its entity.
        (
            [
                {"entity": "email_ending", "value": ".org"},
                {"entity": "email", "value": "wei@example.org"},
            ],
            [],
        ),
        ([], []),
    ],
)
async def test_the_end_of_an_address_corrects_the_one_kept(
    entities: list[dict[str, str]], events: list[SlotSet]
) -> None:
    from actions.answers import ActionAnswer

    latest = {"intent": {"name": "inform_registration"}, "entities": entities}
    slots = {"language": "en", "reference": "CMC-2015-0004", "email": "li.wei@example.com"}
    state = Tracker("someone", slots, latest, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    assert await ActionAnswer().run(dispatcher, state, DOMAIN) == events
    assert dispatcher.messages == []


@pytest.mark.parametrize(
    ("earlier", "response"),
    [("utter_registration_privacy", "utter_registration_privacy"), ("action_answer", None)],
)
async def test_his_address_after_a_question_on_his_registration_is_his(
    earlier: str, response: str | None
) -> None:
    """ "Et son adresse mail ?" right after asking whether Carlos Ruiz is registered:
    his, which only he may see; after the release's contact, the contact's."""
    from actions.answers import ActionAnswer

    answer = {"items": [{"fact": "contact", "verdict": None}]}
    text = "Bon, et son adresse mail, vous pouvez me la donner ?"
    latest = {"intent": {"name": "ask_question"}, "text": text, "answer": answer}
    events = [
        {"event": "user", "text": "Carlos Ruiz est inscrit ?"},
        {"event": "action", "name": earlier},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": latest},
    ]
    state = Tracker("someone", {"language": "fr"}, latest, events, False, None, {}, "x")
    dispatcher = CollectingDispatcher()
    events_out = await ActionAnswer().run(dispatcher, state, DOMAIN)
    if response:
        assert events_out == []
        assert [m["response"] for m in dispatcher.messages] == [response]
    else:
        assert "asamri@iom.int" in dispatcher.messages[0]["text"]
