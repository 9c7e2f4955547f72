"""The press release's sentence behind each fact (bot/nlu/facts.yml, `facts: source`),
for the transcript: under a reply composed from the fact base, the source sentence(s).

facts.yml is read here, read-only, with yaml alone: importing bot.nlu.facts would load
spaCy and TensorFlow (seconds) into the web app. tests/test_staff_sources.py checks the
sentences are those of `bot.nlu.facts.fact_base()`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

import yaml

FACTS = Path(__file__).resolve().parent.parent / "nlu" / "facts.yml"


@cache
def fact_sources(path: Path = FACTS) -> Mapping[str, str]:
    """Fact id → the release's sentence it comes from; read once per process."""
    with path.open(encoding="utf-8") as file:
        raw = yaml.safe_load(file) or {}
    return {
        str(fact["id"]): str(fact["source"])
        for fact in raw.get("facts") or []
        if isinstance(fact, dict) and fact.get("id") and fact.get("source")
    }


def sources_of(facts: Iterable[str], known: Mapping[str, str] | None = None) -> list[str]:
    """The source sentences of these facts, in order, each once; facts without one
    (`not_in_source`, `not_cancelled`, unknown ids) give none."""
    known = fact_sources() if known is None else known
    return list(dict.fromkeys(known[fact] for fact in facts if fact in known))
