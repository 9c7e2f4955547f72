"""The registration check through the REST channel, with the action server and a
seeded participant store (tests/data/participants.csv), in both languages."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest

from tests.conftest import Servers, Variant, add_participant, new_reference

pytestmark = pytest.mark.slow


def _template(text: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{\w+\\\}", ".+", re.escape(text)))


def talk(
    servers: Servers, variants: dict[str, Variant], sender: str, text: str
) -> list[tuple[str, str, str]]:
    """(response, language, text) of each reply; filled templates are matched as patterns."""
    templates = [(_template(t), v) for t, v in variants.items() if "{" in t]
    out = []
    for reply in servers.say(sender, text):
        variant = variants.get(reply["text"]) or next(
            v for pattern, v in templates if pattern.fullmatch(reply["text"])
        )
        out.append((variant.response, variant.language, reply["text"]))
    return out


# How people write a reference and an e-mail address: all are read as the stored ones.
SPELLINGS = [
    (str, str),
    (str, str.title),  # "Nadia.1000@Example.Org"
    (lambda r: r.lower().replace("-", " "), str),  # "cmc 2015 1000"
    (lambda r: r.replace("-", ""), str),  # "CMC20151000"
    (str.lower, lambda e: f" {e} "),
]


@pytest.mark.parametrize(
    ("status", "spelling"),
    zip(["confirmed", "waitlisted", "pending", "rejected", "cancelled"], SPELLINGS, strict=True),
)
@pytest.mark.parametrize(
    ("opening", "language"),
    [("mon inscription est-elle confirmée ?", "fr"), ("is my registration confirmed?", "en")],
)
def test_every_status_in_both_languages(
    servers: Servers,
    variants: dict[str, Variant],
    opening: str,
    language: str,
    status: str,
    spelling: tuple[Callable[[str], str], Callable[[str], str]],
) -> None:
    participant = add_participant(servers, status)
    spell_reference, spell_email = spelling
    sender = f"reg-{uuid.uuid4()}"
    assert [r[:2] for r in talk(servers, variants, sender, opening)] == [
        ("utter_ask_reference", language)
    ]
    assert [
        r[:2] for r in talk(servers, variants, sender, spell_reference(participant.reference))
    ] == [("utter_ask_email", language)]
    # The opening asked "is it confirmed?": yes or no first, then the status.
    verdict, answer = talk(servers, variants, sender, spell_email(participant.email))
    yes_no = "utter_registration_yes" if status == "confirmed" else "utter_registration_no"
    assert verdict[:2] == (yes_no, language)
    assert answer[:2] == (f"utter_registration_{status}", language)
    assert participant.full_name in answer[2]


def test_both_details_in_one_message(servers: Servers, variants: dict[str, Variant]) -> None:
    participant = add_participant(servers, "waitlisted")
    sender = f"reg-{uuid.uuid4()}"
    text = f"my ref is {participant.reference} and my email {participant.email}"
    (answer,) = talk(servers, variants, sender, text)
    assert answer[:2] == ("utter_registration_waitlisted", "en")


@pytest.mark.parametrize(
    ("status", "question", "verdict", "language"),
    [
        ("confirmed", "So my registration is confirmed, right?", "utter_registration_yes", "en"),
        ("pending", "Donc je suis bien confirmée ?", "utter_registration_no", "fr"),
        ("cancelled", "is my registration still active?", "utter_registration_no", "en"),
    ],
)
def test_a_yes_no_question_on_the_status_after_a_check_says_it_again(
    servers: Servers,
    variants: dict[str, Variant],
    status: str,
    question: str,
    verdict: str,
    language: str,
) -> None:
    """Not a new check: yes or no, then the status found, with the name it found."""
    participant = add_participant(servers, status)
    sender = f"reg-{uuid.uuid4()}"
    opening = "vérifier mon inscription" if language == "fr" else "check my registration"
    talk(servers, variants, sender, f"{opening} {participant.reference} {participant.email}")
    answer, again = talk(servers, variants, sender, question)
    assert [answer[:2], again[:2]] == [
        (verdict, language),
        (f"utter_registration_again_{status}", language),
    ]
    assert participant.full_name in again[2]


def test_a_yes_no_question_on_the_status_before_any_check_starts_one(
    servers: Servers, variants: dict[str, Variant]
) -> None:
    sender = f"reg-{uuid.uuid4()}"
    assert [r[0] for r in talk(servers, variants, sender, "am I confirmed?")] == [
        "utter_ask_reference"
    ]


def test_email_first_then_reference(servers: Servers, variants: dict[str, Variant]) -> None:
    participant = add_participant(servers, "confirmed")
    sender = f"reg-{uuid.uuid4()}"
    talk(servers, variants, sender, "Bonjour, je voudrais vérifier mon inscription")
    assert [r[0] for r in talk(servers, variants, sender, participant.email)] == [
        "utter_ask_reference"
    ]
    (answer,) = talk(servers, variants, sender, participant.reference)
    assert answer[:2] == ("utter_registration_confirmed", "fr")


@pytest.mark.parametrize("wrong", ["email", "reference"])
@pytest.mark.parametrize(
    ("opening", "language"),
    [("état de mon inscription", "fr"), ("registration status please", "en")],
)
def test_mismatch_is_neutral_and_reveals_nothing(
    servers: Servers, variants: dict[str, Variant], opening: str, language: str, wrong: str
) -> None:
    participant = add_participant(servers, "confirmed")
    reference = new_reference() if wrong == "reference" else participant.reference
    email = "someone.else@gouv.sn" if wrong == "email" else participant.email
    sender = f"reg-{uuid.uuid4()}"
    talk(servers, variants, sender, opening)
    talk(servers, variants, sender, reference)
    (answer,) = talk(servers, variants, sender, email)
    assert answer[:2] == ("utter_registration_not_found", language)
    assert "Nadia" not in answer[2] and "confirm" not in answer[2].lower()


@pytest.mark.parametrize(
    ("correction", "language"),
    [("Oups, c'est .org, pas .com !", "fr"), ("oops sorry, it's .org not .com", "en")],
)
def test_the_end_of_the_address_corrected_is_checked_again(
    servers: Servers, variants: dict[str, Variant], correction: str, language: str
) -> None:
    """After "not found", only the domain typed again: the corrected address is checked."""
    participant = add_participant(servers, "waitlisted")
    wrong = participant.email.replace(".org", ".com")
    sender = f"reg-{uuid.uuid4()}"
    opening = "état de mon inscription" if language == "fr" else "registration status please"
    talk(servers, variants, sender, opening)
    talk(servers, variants, sender, participant.reference)
    (answer,) = talk(servers, variants, sender, wrong)
    assert answer[0] == "utter_registration_not_found"
    (answer,) = talk(servers, variants, sender, correction)
    assert answer[:2] == ("utter_registration_waitlisted", language)


def test_five_failures_lock_the_conversation(
    servers: Servers, variants: dict[str, Variant]
) -> None:
    participant = add_participant(servers, "pending")
    sender = f"reg-{uuid.uuid4()}"
    for _ in range(5):
        talk(servers, variants, sender, f"check my registration: {participant.reference}")
        assert (
            talk(servers, variants, sender, "wrong@example.org")[0][0]
            == "utter_registration_not_found"
        )
    talk(servers, variants, sender, f"check my registration: {participant.reference}")
    (answer,) = talk(servers, variants, sender, participant.email)
    assert answer[0] == "utter_registration_locked" and "idmworkshop@iom.int" in answer[2]


@pytest.mark.parametrize(
    ("opening", "stop", "language"),
    [
        ("je veux vérifier mon inscription", "laisse tomber", "fr"),
        ("can you check my registration?", "never mind", "en"),
    ],
)
def test_stop_any_time_and_back_to_normal_answers(
    servers: Servers, variants: dict[str, Variant], opening: str, stop: str, language: str
) -> None:
    sender = f"reg-{uuid.uuid4()}"
    talk(servers, variants, sender, opening)
    assert [r[:2] for r in talk(servers, variants, sender, stop)] == [
        ("utter_registration_stopped", language)
    ]
    question = "quand a lieu la conférence ?" if language == "fr" else "when is the conference?"
    assert [r[0] for r in talk(servers, variants, sender, question)] == ["answer:dates"]


def test_a_name_alone_unlocks_nothing(servers: Servers, variants: dict[str, Variant]) -> None:
    sender = f"reg-{uuid.uuid4()}"
    talk(servers, variants, sender, "is my registration confirmed?")
    replies = talk(servers, variants, sender, "I am Amina Diallo")
    assert all("utter_registration_" not in r[0] for r in replies)
    assert all("Amina" not in r[2] for r in replies)


def test_action_server_down_gets_a_polite_reply_then_recovers(
    spare_servers: Servers, variants: dict[str, Variant]
) -> None:
    """On the spare servers: the session's never see their action server stop."""
    servers = spare_servers
    sender = f"reg-{uuid.uuid4()}"
    talk(servers, variants, sender, "bonjour")  # session started while everything is up
    servers.stop_actions()
    try:
        talk(servers, variants, sender, "je voudrais vérifier mon inscription")
        replies = talk(servers, variants, sender, "CMC-2015-0001 a.diallo@gouv.sn")
        assert [r[:2] for r in replies] == [("utter_service_unavailable", "fr")]
        assert "idmworkshop@iom.int" in replies[0][2]
    finally:
        servers.restart_actions()
    talk(servers, variants, sender, "laisse tomber")
    talk(servers, variants, sender, "je voudrais vérifier mon inscription")
    talk(servers, variants, sender, "CMC-2015-0001")
    (answer,) = talk(servers, variants, sender, "a.diallo@gouv.sn")
    assert answer[:2] == ("utter_registration_confirmed", "fr")
