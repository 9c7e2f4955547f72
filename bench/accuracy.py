"""Held-out accuracy of one model, printed as JSON (run in its own process by bench)."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from rasa.core.agent import Agent

from bot import patches
from bot.evaluation import evaluate_intents, evaluate_language_id

ROOT = Path(__file__).resolve().parent.parent


async def main(model: str) -> None:
    patches.install_rasa()  # as `python -m bot.run_rasa` serves it
    agent = Agent.load(model)
    intents = await evaluate_intents(agent, [ROOT / "tests/nlu/fr.yml", ROOT / "tests/nlu/en.yml"])
    language = await evaluate_language_id(agent, ROOT / "tests/data/language_id.yml")
    print(
        "BENCH_RESULT "
        + json.dumps(
            {
                "intent": {k: v.accuracy for k, v in intents.items()},
                "language_id": {k: v.accuracy for k, v in language.items()},
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
