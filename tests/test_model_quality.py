"""Held-out intent accuracy per language (the target is 97 %), on data never trained on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.channels.common import EDITED_MESSAGE, TOO_LONG_MESSAGE, UNSUPPORTED_MESSAGE
from bot.evaluation import evaluate_intents, nlu_examples
from bot.nlu.text import fold

ROOT = Path(__file__).resolve().parent.parent
# Intents only the FactDetector sets (bot/nlu/fact_detector.py), never trained.
DETECTOR_ONLY = {"ask_question", "ask_fact", "ask_own_status"}
LANGUAGES = ("fr", "en")


def _key(text: str) -> str:
    """Case, accents, punctuation and spacing folded away; a message of punctuation
    alone ("?", "@+") is its own key."""
    return " ".join(re.sub(r"[^\w\s]", " ", fold(text)).split()) or text.strip()


def _blind_sentences() -> list[str]:
    """Every user turn of the blind conversation sets (bench/conversations/)."""
    return [
        turn["user"]
        for path in sorted((ROOT / "bench" / "conversations").glob("*.yml"))
        # libyaml's safe loader: the sets are large, the pure-Python one takes seconds.
        for conversation in yaml.load(path.read_text("utf-8"), Loader=yaml.CSafeLoader)
        for turn in conversation["turns"]
    ]


def test_held_out_sets_are_not_in_training_data() -> None:
    """Neither the held-out intent files nor the blind conversations were trained on."""
    trained = {
        _key(t) for lang in LANGUAGES for t, _, _ in nlu_examples(ROOT / f"data/nlu/{lang}.yml")
    }
    held_out = [t for lang in LANGUAGES for t, _, _ in nlu_examples(ROOT / f"tests/nlu/{lang}.yml")]
    blind = _blind_sentences()
    assert len(blind) >= 400
    assert [t for t in held_out + blind if _key(t) in trained] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_training_data_has_25_examples_per_intent(language: str) -> None:
    counts: dict[str, int] = {}
    for _, intent, lang in nlu_examples(ROOT / f"data/nlu/{language}.yml"):
        assert lang == language
        counts[intent] = counts.get(intent, 0) + 1
    assert counts and min(counts.values()) >= 25, counts
    # Every intent a person can type, in this language too (the channels alone send
    # the payload intents for stickers, edited messages and texts over the limit, and
    # bot.nlu.fact_detector.FactDetector alone sets `ask_question` and `ask_fact`).
    domain = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))
    channel_only = {
        payload.lstrip("/") for payload in (UNSUPPORTED_MESSAGE, EDITED_MESSAGE, TOO_LONG_MESSAGE)
    }
    assert set(counts) == set(domain["intents"]) - channel_only - DETECTOR_ONLY


@pytest.mark.slow
async def test_held_out_intent_accuracy_per_language(agent: object) -> None:
    scores = await evaluate_intents(agent, [ROOT / f"tests/nlu/{lang}.yml" for lang in LANGUAGES])
    for language in LANGUAGES:
        assert scores[language].total >= 200
        assert scores[language].accuracy >= 0.97, scores[language].errors
