"""Channel benchmarks: socket.io round trip beside REST on the same server, and page
load to widget ready in Debian's headless chromium. `python -m bench.channels`
(also part of `make bench`).
"""

from __future__ import annotations

import json
import os
import queue
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.servers import ROOT, Stack, bot_command, start, stop, wait_until_up

MODEL = ROOT / "models" / "cmc.tar.gz"
RASA_PORT, ACTIONS_PORT, WEB_PORT = 16005, 16055, 16080
ROUND_TRIPS = 300
PAGE_LOADS = 30


def quantiles(values: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(values, n=100)
    return {"p50": cuts[49], "p95": cuts[94], "max": max(values)}


@contextmanager
def running_stack(workdir: Path) -> Iterator[None]:
    """Rasa, the action server and the page (bench/servers.py) on the fixed ports."""
    stack = Stack(
        workdir,
        MODEL,
        {"WEB_PORT": str(WEB_PORT), "PARTICIPANT_HASH_KEY": "bench"},
        logs=False,
        rasa_port=RASA_PORT,
        actions_port=ACTIONS_PORT,
    )
    bot_command(stack.env, "db", "upgrade")
    page = None
    try:
        stack.start()
        command = [sys.executable, "-m", "bot", "web", "--host", "127.0.0.1"]
        page = start(command + ["--port", str(WEB_PORT)], stack.env, None)
        wait_until_up(f"http://127.0.0.1:{WEB_PORT}/health", page, timeout=300)
        yield
    finally:
        if page:
            stop(page)
        stack.close()


def messages() -> list[str]:
    import yaml

    conversations = yaml.safe_load((ROOT / "tests/data/conversations.yml").read_text("utf-8"))
    return [turn["user"] for conversation in conversations for turn in conversation["turns"]]


def rest_round_trip(sender: str, text: str) -> float:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{RASA_PORT}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as reply:
        reply.read()
    return (time.perf_counter() - started) * 1000


class SocketClient:
    """One socket.io connection, as the widget makes it; a reply is the first bot_uttered."""

    def __init__(self) -> None:
        import socketio

        self.replies: queue.Queue[Any] = queue.Queue()
        self.sessions: queue.Queue[str] = queue.Queue()
        self.sio = socketio.Client(
            websocket_extra_options={"origin": f"http://localhost:{WEB_PORT}"}
        )
        self.sio.on("session_confirm", self.sessions.put)
        self.sio.on("bot_uttered", self.replies.put)
        self.sio.on("history", lambda _: None)
        self.sio.connect(f"http://127.0.0.1:{RASA_PORT}", transports=["websocket"])
        self.session = ""

    def new_session(self) -> None:
        self.sio.emit("session_request", {"session_id": None})
        self.session = self.sessions.get(timeout=10)

    def round_trip(self, text: str) -> float:
        started = time.perf_counter()
        self.sio.emit("user_uttered", {"message": text, "session_id": self.session})
        self.replies.get(timeout=30)
        elapsed = (time.perf_counter() - started) * 1000
        try:  # the other parts of a reply, not timed
            while True:
                self.replies.get(timeout=0.2)
        except queue.Empty:
            return elapsed

    def close(self) -> None:
        self.sio.disconnect()


def round_trips() -> dict[str, dict[str, float]]:
    """Alternate socket.io and REST on the same messages, a new conversation every 10."""
    texts = messages()
    socket = SocketClient()
    socket_ms: list[float] = []
    rest_ms: list[float] = []
    try:
        sender = ""
        for index in range(ROUND_TRIPS + 20):
            if index % 10 == 0:
                socket.new_session()
                sender = f"bench-{uuid.uuid4()}"
            text = texts[index % len(texts)]
            socket_time, rest_time = socket.round_trip(text), rest_round_trip(sender, text)
            if index >= 20:  # warm-up
                socket_ms.append(socket_time)
                rest_ms.append(rest_time)
    finally:
        socket.close()
    return {"socket.io": quantiles(socket_ms), "REST": quantiles(rest_ms)}


def page_loads() -> dict[str, dict[str, float]]:
    """Navigation start to `chat-ready` (session confirmed, input enabled), new visitor
    and returning visitor (history of 10 messages shown)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import WebDriverWait

    sys.path.insert(0, str(ROOT))
    from tests.conftest import CHROMEDRIVER, chromium_options

    os.environ["SE_OFFLINE"] = "true"
    results: dict[str, list[float]] = {"new visitor": [], "returning visitor": []}
    url = f"http://localhost:{WEB_PORT}/?lang=fr"
    script = (
        "const m = performance.getEntriesByName('chat-ready');"
        " return m.length ? m[0].startTime : null;"
    )
    with tempfile.TemporaryDirectory() as profile:
        driver = webdriver.Chrome(
            options=chromium_options(profile), service=Service(executable_path=CHROMEDRIVER)
        )
        try:
            driver.get(url)
            for index in range(PAGE_LOADS + 3):
                returning = index % 2 == 1
                if not returning:
                    driver.execute_script("window.localStorage.clear()")
                driver.get(url)
                ready = WebDriverWait(driver, 30).until(lambda d: d.execute_script(script))
                if not returning:  # give the returning visitor a history to load
                    field = driver.find_element("id", "chat-input")
                    for text in ("Bonjour", "Quelles sont les dates ?", "Où ?", "Merci", "ok"):
                        count = len(driver.find_elements("css selector", ".message-bot"))
                        field.send_keys(text + "\n")
                        WebDriverWait(driver, 30).until(
                            lambda d, c=count: (
                                len(d.find_elements("css selector", ".message-bot")) > c
                            )
                        )
                if index >= 3:  # warm-up
                    results["returning visitor" if returning else "new visitor"].append(
                        float(ready)
                    )
        finally:
            driver.quit()
    return {name: quantiles(values) for name, values in results.items()}


def main() -> list[str]:
    with tempfile.TemporaryDirectory() as tmp, running_stack(Path(tmp)):
        trips = round_trips()
        loads = page_loads()
    ratio = trips["socket.io"]["p50"] / trips["REST"]["p50"]
    lines = [
        f"Round trip, one client, {ROUND_TRIPS} messages each, alternating on the same server:",
        "",
        "| channel | p50 | p95 | max |",
        "|---|---|---|---|",
        *(
            f"| {name} | {q['p50']:.1f} ms | {q['p95']:.1f} ms | {q['max']:.1f} ms |"
            for name, q in trips.items()
        ),
        "",
        f"socket.io / REST at p50: {ratio:.2f}×",
        "",
        f"Page load to widget ready (chromium headless, {PAGE_LOADS} loads, localhost):",
        "",
        "| visitor | p50 | p95 | max |",
        "|---|---|---|---|",
        *(
            f"| {name} | {q['p50']:.0f} ms | {q['p95']:.0f} ms | {q['max']:.0f} ms |"
            for name, q in loads.items()
        ),
    ]
    return lines


if __name__ == "__main__":
    print("\n".join(main()))
