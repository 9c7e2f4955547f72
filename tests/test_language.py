"""Language identification: the detector's rules, and its accuracy on held-out short messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.evaluation import NEUTRAL, evaluate_language_id
from bot.nlu import ENGLISH, FRENCH
from bot.nlu.language import (
    InDomainModel,
    LanguageIdentifier,
    chat_word_examples,
    requested_language,
)
from bot.nlu.text import fold, strip_neutral_spans

DATA = Path(__file__).parent / "data"


class NoGeneralDetector:
    """Stands in for Lingua so the in-domain rules are tested on their own."""

    def french_log_odds(self, text: str) -> float:
        return 0.0


@pytest.fixture(scope="module")
def identifier() -> LanguageIdentifier:
    examples = [
        ("où a lieu la conférence", FRENCH),
        ("ou a lieu la conference", FRENCH),
        ("quelles sont les dates", FRENCH),
        ("dates ?", FRENCH),
        ("dates?", ENGLISH),
        ("what are the dates", ENGLISH),
        ("where is the conference", ENGLISH),
        ("contact ?", FRENCH),
        ("contact?", ENGLISH),
        ("contact email", ENGLISH),
        ("un contact svp", FRENCH),
        ("dates please", ENGLISH),
        ("les dates svp", FRENCH),
        ("oui merci", FRENCH),
        ("yes thanks", ENGLISH),
    ] + chat_word_examples()
    return LanguageIdentifier(InDomainModel.fit(examples), general=NoGeneralDetector)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("in English please", ENGLISH),
        ("en anglais svp", ENGLISH),
        ("can you answer in French?", FRENCH),
        ("en français s'il vous plaît", FRENCH),
        ("Parlez-vous anglais ?", ENGLISH),
        ("do you speak french", FRENCH),
        ("english?", ENGLISH),
        ("FR", FRENCH),
        ("Will the French minister attend?", None),
        ("the conference is in Geneva", None),
        ("answer in French or in English", None),  # both: not a request for one
        ("Pouvez-vous me dire si la conférence est traduite en anglais ?", None),
        ("Is there interpretation in English?", None),
        ("Bonjour, en français s'il vous plaît", FRENCH),
        ("réponds en anglais", ENGLISH),
        ("switch to English", ENGLISH),
        ("Puis-je parler anglais pendant la conférence ?", None),
        ("can I speak French during the sessions?", None),
        ("les délégués peuvent-ils parler anglais ?", None),
        ("can I speak English at the conference?", None),
        ("répondez en anglais sur la conférence svp", ENGLISH),
        ("traduis en anglais svp", ENGLISH),
        ("translate in English please", ENGLISH),
        ("je suis délégué, répondez en anglais svp", ENGLISH),
        ("I'm a delegate, please answer in English", ENGLISH),
        ("can we continue this session in English?", ENGLISH),
        ("interprétation en anglais svp", ENGLISH),
        # A letter's way of asking for the other language.
        ("Could you put that in French for our partners in Lomé?", FRENCH),
        ("Pourriez-vous me redonner tout ça en anglais pour nos collègues d'Ottawa ?", ENGLISH),
        ("Pourriez-vous reprendre l'essentiel de cette réponse en anglais ?", ENGLISH),
        ("Could you translate that into English?", ENGLISH),
        ("Will the sessions be translated into English?", None),
        ("Can you send me the French version of the report?", None),
        # Summing up or passing on in the other language
        ("pourriez-vous lui résumer en anglais les principaux thèmes de la conférence ?", ENGLISH),
        ("Pourriez-vous me transmettre ces mêmes informations en anglais ?", ENGLISH),
        ("le résumé du rapport existe en anglais ?", None),
        # One long question with the request in it.
        (
            "Bonjour ! Petite question, mais répondez-moi en anglais svp, c'est pour un collègue :"
            " l'OIM est présente dans combien de pays ?",
            ENGLISH,
        ),
    ],
)
def test_explicit_requests(text: str, expected: str | None) -> None:
    assert requested_language(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ok",
        "CMC-2015-0001",
        "cmc 2015 0042",
        "j.okafor@example.org",
        "?",
        "😀",
        "",
        "/ask_dates",
        "dates?",
        "contact ?",
        "https://www.iom.int/idm",
        "Azzouz Samri",
    ],
)
def test_neutral_messages_name_no_language(identifier: LanguageIdentifier, text: str) -> None:
    assert identifier.identify(text).language is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("où a lieu la conférence", FRENCH),
        ("ou a lieu la conference", FRENCH),
        ("thèmes", FRENCH),
        ("where is the conference", ENGLISH),
        ("oui", FRENCH),
        ("yes", ENGLISH),
        ("my reference is CMC-2015-0001", ENGLISH),
        # Chat words (bot/nlu/chat_words.yml): a deadline typed short is French.
        ("date limite inscri?", FRENCH),
    ],
)
def test_clear_messages_name_their_language(
    identifier: LanguageIdentifier, text: str, expected: str
) -> None:
    assert identifier.identify(text).language == expected


def test_in_domain_model_round_trips(identifier: LanguageIdentifier) -> None:
    restored = InDomainModel.from_dict(identifier.model.to_dict())
    assert restored.log_odds("où a lieu") == identifier.model.log_odds("où a lieu") > 0


def test_folding_and_neutral_spans() -> None:
    assert fold("Genève ŒUVRE") == "geneve oeuvre"
    assert strip_neutral_spans("ref CMC-2015-0001 mail a.b@c.org").split() == ["ref", "mail"]


def test_lingua_general_detector_on_sentences() -> None:
    from bot.nlu.language import lingua_detector

    detector = lingua_detector()
    assert detector.french_log_odds("Je voudrais connaître le programme de la réunion") > 2
    assert detector.french_log_odds("I would like to know more about the meeting") < -2


@pytest.mark.slow
async def test_language_id_on_held_out_short_messages(agent: object) -> None:
    scores = await evaluate_language_id(agent, DATA / "language_id.yml")
    assert scores[FRENCH].accuracy >= 0.97, scores[FRENCH].errors
    assert scores[ENGLISH].accuracy >= 0.97, scores[ENGLISH].errors
    # Cognates ("information", "agenda") may lean one way; keeping the language is what matters.
    assert scores[NEUTRAL].accuracy >= 0.85, scores[NEUTRAL].errors


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Sorry, my boss doesn't speak French. Since when has IOM existed?", "en"),
        ("Mon collègue ne parle pas anglais, vous pouvez répondre ?", "fr"),
        ("and in French?", "fr"),
        ("et en anglais ?", "en"),
        ("Now please reply me in French because my director not speak English!", "fr"),
        # Both named: the one right after the request.
        ("Please can you answer in French? She reads French better than English.", "fr"),
        ("Could you write in English? My French is better than my German.", "en"),
        ("I speak English but please answer in French", "fr"),
    ],
)
def test_a_language_refused_or_asked_in_passing_is_a_switch(text: str, language: str) -> None:
    assert requested_language(text) == language


@pytest.mark.parametrize(
    "text", ["can you write in English or French?", "répondez-vous en français ou en anglais ?"]
)
def test_two_languages_offered_are_no_request(text: str) -> None:
    assert requested_language(text) is None


def test_a_language_people_at_the_event_do_not_speak_is_no_request() -> None:
    text = "Interpretation into Spanish? Half of our delegation doesn't speak English."
    assert requested_language(text) is None


def test_a_language_named_before_a_colon_is_a_request() -> None:
    assert requested_language("in french: who is invited?") == "fr"
    assert requested_language("en anglais : qui est invité ?") == "en"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Por favor, conteste en inglés porque quiero compartirla.", "en"),
        ("Bitte antworten Sie auf Französisch, ich übe gerade.", "fr"),
        ("Rispondimi in inglese, per favore.", "en"),
        ("أرجو أن تجيبني باللغة الفرنسية من فضلك", "fr"),
    ],
)
def test_french_or_english_asked_for_in_another_language(text: str, language: str) -> None:
    assert requested_language(text) == language
