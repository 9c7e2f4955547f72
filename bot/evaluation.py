"""Held-out evaluation of a trained model: intent accuracy and language identification
per language. Used by the tests (accuracy targets) and by `make bench`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml

from bot.nlu.language_detector import LANGUAGE_ENTITY

NEUTRAL = "neutral"


@dataclass
class Score:
    correct: int = 0
    total: int = 0
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # text, expected, got

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    def add(self, text: str, expected: str, got: str) -> None:
        self.total += 1
        if expected == got:
            self.correct += 1
        else:
            self.errors.append((text, expected, got))


def nlu_examples(path: Path) -> list[tuple[str, str, str]]:
    """(text, intent, language) from a Rasa YAML NLU file with `metadata.language`."""
    out = []
    for block in yaml.safe_load(path.read_text("utf-8"))["nlu"]:
        language = block["metadata"]["language"]
        for line in block["examples"].splitlines():
            line = line.strip()
            if line.startswith("- "):
                out.append((line[2:], block["intent"], language))
    return out


def detected_language(parse: dict[str, Any]) -> str:
    return next(
        (e["value"] for e in parse.get("entities", []) if e["entity"] == LANGUAGE_ENTITY),
        NEUTRAL,
    )


# The FactDetector's refinement of an intent the held-out files label by the broader one:
# "am I confirmed?" is a registration check question.
_REFINED = {"ask_own_status": "check_registration"}


def understood_intent(parse: dict[str, Any]) -> str:
    """The intent as the NLU understood it, before the FactDetector named the facts to
    answer (`ask_question`): the labels of the held-out files."""
    name = cast(str, (parse.get("answer") or {}).get("intent") or parse["intent"]["name"])
    return _REFINED.get(name, name)


async def evaluate_intents(agent: Any, paths: list[Path]) -> dict[str, Score]:
    """Intent accuracy per language on held-out files."""
    scores: dict[str, Score] = defaultdict(Score)
    for path in paths:
        for text, intent, language in nlu_examples(path):
            parse = await agent.parse_message(text)
            scores[language].add(text, intent, understood_intent(parse))
    return dict(scores)


async def evaluate_language_id(agent: Any, path: Path) -> dict[str, Score]:
    """Language identification per expected label (fr, en, neutral)."""
    scores: dict[str, Score] = defaultdict(Score)
    for item in yaml.safe_load(path.read_text("utf-8")):
        text = str(item["text"])
        parse = await agent.parse_message(text)
        scores[item["expected"]].add(text, item["expected"], detected_language(parse))
    return dict(scores)
