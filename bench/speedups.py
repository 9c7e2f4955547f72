"""bot/speedups.py side by side, in one process: Rasa's own code first, then with the
fixes installed, on the same model, store and action server. `python -m bench.speedups`
(also part of `make bench`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ACTIONS_PORT = 17055
CONVERSATIONS = 60
QUESTION = "who is invited to the conference?"


async def per_message_ms(agent: object, prefix: str) -> dict[str, float]:
    """Median time of a conversation's first message (runs action_session_start on the
    action server) and of a follow-up (no custom action)."""
    first: list[float] = []
    follow_up: list[float] = []
    for _ in range(CONVERSATIONS):
        sender = f"{prefix}-{uuid.uuid4()}"
        for times in (first, follow_up):
            started = time.perf_counter()
            await agent.handle_text(QUESTION, sender_id=sender)  # type: ignore[attr-defined]
            times.append((time.perf_counter() - started) * 1000)
    return {"first": statistics.median(first), "follow_up": statistics.median(follow_up)}


async def measure(workdir: Path) -> dict[str, dict[str, float]]:
    from rasa.core.agent import Agent
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.utils.endpoints import EndpointConfig

    from bot import speedups

    domain = Domain.load(str(ROOT / "domain.yml"))
    store = SQLTrackerStore(domain=domain, host=f"sqlite:///{workdir / 'tracker.db'}")
    agent = Agent.load(
        str(ROOT / "models" / "cmc.tar.gz"),
        tracker_store=store,
        action_endpoint=EndpointConfig(
            f"http://127.0.0.1:{ACTIONS_PORT}/webhook", enable_selective_domain=True
        ),
    )
    await per_message_ms(agent, "warm-up")
    results = {"Rasa 3.6 as shipped": await per_message_ms(agent, "before")}
    speedups.install()
    await per_message_ms(agent, "warm-up-2")
    results["with bot/speedups.py"] = await per_message_ms(agent, "after")
    return results


def main() -> list[str]:
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    logging.getLogger().setLevel(logging.WARNING)
    actions = subprocess.Popen(
        [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(ACTIONS_PORT)],
        cwd=ROOT,
        env={**os.environ, "LOG_LEVEL": "WARNING"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{ACTIONS_PORT}/health", timeout=1)
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        with tempfile.TemporaryDirectory() as tmp:
            results = asyncio.run(measure(Path(tmp)))
    finally:
        actions.terminate()
        actions.wait(timeout=30)
    before, after = results["Rasa 3.6 as shipped"], results["with bot/speedups.py"]
    return [
        f"In process, Rasa's SQL tracker store on SQLite, {CONVERSATIONS} conversations"
        " of two messages, median per message:",
        "",
        "| code | first message (action_session_start) | follow-up |",
        "|---|---|---|",
        *(
            f"| {name} | {r['first']:.1f} ms | {r['follow_up']:.1f} ms |"
            for name, r in results.items()
        ),
        "",
        f"Ratio, with / without: first message {after['first'] / before['first']:.2f}×,"
        f" follow-up {after['follow_up'] / before['follow_up']:.2f}×",
    ]


if __name__ == "__main__":
    print("\n".join(main()))
