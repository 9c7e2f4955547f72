"""The per-message fixes side by side, in one process, on the same model, data and
action server: `python -m bench.speedups` (also part of `make bench`).

1. `bot/patches/rasa_speedups.py`: Rasa's own code first, then with the fixes installed
   (they patch Rasa, so this one is before/after rather than alternating).
2. The tracker store: Rasa's `SQLTrackerStore` and `TunedSQLTrackerStore`, rounds
   alternating, on the REST benchmark's message mix.
3. The intent classifier: Rasa's `LogisticRegressionClassifier` code path and ours,
   alternating, on the same fitted model and the real features of the same messages.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import yaml

from bench.servers import ROOT, actions_command, base_env, start, stop, wait_until_up

ACTIONS_PORT = 17055
CONVERSATIONS = 60
ROUNDS = 6
QUESTION = "who is invited to the conference?"
MESSAGES = [
    turn["user"]
    for conversation in yaml.safe_load((ROOT / "tests/data/conversations.yml").read_text("utf-8"))
    for turn in conversation["turns"]
]


async def per_message_ms(agent: Any, prefix: str) -> dict[str, float]:
    """Median time of a conversation's first message (runs action_session_start on the
    action server) and of a follow-up (no custom action)."""
    first: list[float] = []
    follow_up: list[float] = []
    for _ in range(CONVERSATIONS):
        sender = f"{prefix}-{uuid.uuid4()}"
        for times in (first, follow_up):
            started = time.perf_counter()
            await agent.handle_text(QUESTION, sender_id=sender)
            times.append((time.perf_counter() - started) * 1000)
    return {"first": statistics.median(first), "follow_up": statistics.median(follow_up)}


async def message_mix_ms(agent: Any, prefix: str) -> list[float]:
    """Per-message times over the REST benchmark's mix (a new conversation every 10)."""
    times = []
    sender = ""
    for i, text in enumerate(MESSAGES):
        if i % 10 == 0:
            sender = f"{prefix}-{uuid.uuid4()}"
        started = time.perf_counter()
        await agent.handle_text(text, sender_id=sender)
        times.append((time.perf_counter() - started) * 1000)
    return times


async def alternate(
    contenders: dict[str, Callable[[], Awaitable[list[float]]]],
) -> dict[str, float]:
    """Median of each contender's times over ROUNDS alternating rounds."""
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(ROUNDS):
        for name, run in contenders.items():
            times[name] += await run()
    return {name: statistics.median(values) for name, values in times.items()}


def classifier_node(agent: Any) -> tuple[Any, str]:
    """The loaded intent classifier and the node whose output it reads."""
    runner = agent.processor.graph_runner
    for name, node in agent.processor.model_metadata.predict_schema.nodes.items():
        if node.uses.__name__ == "TfidfLogisticRegressionClassifier":
            return runner._instantiated_nodes[name]._component, node.needs["messages"]
    raise LookupError("no TfidfLogisticRegressionClassifier in the model")


async def classifier_ms(agent: Any) -> dict[str, float]:
    import numpy as np
    from rasa.core.channels import UserMessage
    from rasa.nlu.classifiers.logistic_regression_classifier import (
        LogisticRegressionClassifier,
    )

    ours, features_node = classifier_node(agent)
    runner = agent.processor.graph_runner
    featurised = [
        runner.run(inputs={"__message__": [UserMessage(text)]}, targets=[features_node])[
            features_node
        ][0]
        for text in MESSAGES
    ]
    # Rasa's component, with the same fitted model in scikit-learn's own layout.
    rasas = LogisticRegressionClassifier(ours.config, "rasa", ours._model_storage, ours._resource)
    rasas.clf = copy.deepcopy(ours.clf)
    logreg = rasas.clf.named_steps["logreg"]
    logreg.coef_ = np.ascontiguousarray(logreg.coef_)

    def timed(component: Any) -> Callable[[], Awaitable[list[float]]]:
        async def run() -> list[float]:
            times = []
            for message in featurised:
                started = time.perf_counter()
                component.process([copy.copy(message)])
                times.append((time.perf_counter() - started) * 1000)
            return times

        return run

    return await alternate(
        {"Rasa's LogisticRegressionClassifier": timed(rasas), "ours": timed(ours)}
    )


async def measure(workdir: Path) -> dict[str, dict[str, float]]:
    from rasa.core.agent import Agent
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.utils.endpoints import EndpointConfig

    from bot import patches
    from bot.tracker_store import TunedSQLTrackerStore

    domain = Domain.load(str(ROOT / "domain.yml"))
    token = os.environ.get("ACTIONS_TOKEN", "")  # the action server's, same environment
    endpoint = EndpointConfig(
        f"http://127.0.0.1:{ACTIONS_PORT}/webhook",
        headers={"Authorization": f"Bearer {token}"},
        enable_selective_domain=True,
    )
    model = str(ROOT / "models" / "cmc.tar.gz")
    rasa_store = SQLTrackerStore(domain=domain, host=f"sqlite:///{workdir / 'rasa.db'}")
    agent = Agent.load(model, tracker_store=rasa_store, action_endpoint=endpoint)
    await per_message_ms(agent, "warm-up")
    results: dict[str, dict[str, float]] = {
        "Rasa 3.6 as shipped": await per_message_ms(agent, "before")
    }
    patches.install_rasa()
    await per_message_ms(agent, "warm-up-2")
    results["with bot/patches/rasa_speedups.py"] = await per_message_ms(agent, "after")

    tuned_store = TunedSQLTrackerStore(domain=domain, host=f"sqlite:///{workdir / 'tuned.db'}")
    tuned = Agent.load(model, tracker_store=tuned_store, action_endpoint=endpoint)
    await message_mix_ms(tuned, "warm-up")
    results["store"] = await alternate(
        {
            "Rasa's SQLTrackerStore": lambda: message_mix_ms(agent, "rasa"),
            "TunedSQLTrackerStore": lambda: message_mix_ms(tuned, "tuned"),
        }
    )
    results["classifier"] = await classifier_ms(tuned)
    return results


def main() -> list[str]:
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    logging.getLogger().setLevel(logging.WARNING)
    actions = start(actions_command(ACTIONS_PORT), base_env(), None)
    try:
        wait_until_up(f"http://127.0.0.1:{ACTIONS_PORT}/health", actions, timeout=60)
        with tempfile.TemporaryDirectory() as tmp:
            results = asyncio.run(measure(Path(tmp)))
    finally:
        stop(actions)
    before = results["Rasa 3.6 as shipped"]
    after = results["with bot/patches/rasa_speedups.py"]
    store, classifier = results["store"], results["classifier"]
    rasa_store, tuned_store = store["Rasa's SQLTrackerStore"], store["TunedSQLTrackerStore"]
    rasa_clf, our_clf = classifier["Rasa's LogisticRegressionClassifier"], classifier["ours"]
    return [
        "In process, one model and action server. `bot/patches/rasa_speedups.py`: Rasa's SQL"
        f" tracker store on SQLite, {CONVERSATIONS} conversations of two messages, median per"
        " message:",
        "",
        "| code | first message (action_session_start) | follow-up |",
        "|---|---|---|",
        *(
            f"| {name} | {results[name]['first']:.1f} ms | {results[name]['follow_up']:.1f} ms |"
            for name in ("Rasa 3.6 as shipped", "with bot/patches/rasa_speedups.py")
        ),
        "",
        f"Ratio, with / without: first message {after['first'] / before['first']:.2f}×,"
        f" follow-up {after['follow_up'] / before['follow_up']:.2f}×",
        "",
        f"Tracker store ({ROUNDS} alternating rounds of the REST benchmark's"
        f" {len(MESSAGES)} messages, both with `bot/patches/rasa_speedups.py`), median per message:"
        f" Rasa's SQLTrackerStore {rasa_store:.2f} ms, TunedSQLTrackerStore"
        f" {tuned_store:.2f} ms (×{tuned_store / rasa_store:.2f}).",
        "",
        f"Intent classifier alone, same fitted model and features ({ROUNDS} alternating"
        f" rounds), median per message: Rasa's LogisticRegressionClassifier"
        f" {rasa_clf:.3f} ms, ours {our_clf:.3f} ms (×{our_clf / rasa_clf:.2f}).",
    ]


if __name__ == "__main__":
    print("\n".join(main()))
