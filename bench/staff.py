"""The staff console's speed on a generated tracker store: `python -m bench.staff
--conversations 10000` (not part of `make test` nor `make bench`).

Generates N conversations (about 20 events each: session start, language slot, four
turns of user message / action / reply / listen, the answer facts) into a fresh
SQLite tracker store with executemany, as Rasa's SQLTrackerStore writes its rows; then
serves the console (bot/staff) through aiohttp's test server on 127.0.0.1, signs in
through the login form, and times the list page, a filtered search, a transcript, the
dashboard and the full CSV export (p50/p95 over several runs), sampling the process's
RSS every 5 ms during the export. Results on stdout and in var/bench/staff.json."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench password 0123"
QUESTIONS = {
    "fr": [
        ("Quand a lieu la conférence ?", "ask_fact", ["dates"]),
        ("Où se tient la CMC ?", "ask_fact", ["venue"]),
        ("Qui est invité ?", "ask_fact", ["invitees"]),
        ("Faut-il un visa pour venir ?", "ask_question", ["not_in_source"]),
        ("Je voudrais parler à quelqu'un", "request_human", []),
        ("Mon inscription est-elle confirmée ? CMC-2015-0001", "check_registration", []),
        ("blablabla", "nlu_fallback", []),
    ],
    "en": [
        ("When is the conference?", "ask_fact", ["dates"]),
        ("Where is it held?", "ask_fact", ["venue"]),
        ("What is the IDM?", "ask_fact", ["idm"]),
        ("Is there a registration fee?", "ask_question", ["not_in_source"]),
        ("I want to talk to a person", "request_human", []),
        ("Is my registration confirmed? a.b@example.org", "check_registration", []),
        ("asdf qwerty", "nlu_fallback", []),
    ],
}
CHANNELS = ("web", "rest", "telegram", "whatsapp")


def generate(path: Path, conversations: int, now: float, seed: int = 7) -> int:
    """The tracker store's `events` table with `conversations` conversations spread
    over the last 45 days; returns the number of events."""
    import sqlalchemy as sa

    from bot.staff.conversations import events

    engine = sa.create_engine(f"sqlite:///{path}", future=True)
    events.metadata.create_all(engine)
    engine.dispose()
    rng = random.Random(seed)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    insert = (
        "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
        "VALUES (?, ?, ?, ?, ?, ?)"
    )
    total = 0
    batch: list[tuple[Any, ...]] = []
    for number in range(conversations):
        channel = CHANNELS[number % len(CHANNELS)]
        sender = f"{channel}:bench-{number:07d}"
        language = "fr" if rng.random() < 0.55 else "en"
        t = now - rng.uniform(0, 45 * 86400)

        def add(
            data: dict[str, Any],
            intent: str | None = None,
            action: str | None = None,
            sender: str = sender,
        ) -> None:
            nonlocal t
            t += rng.uniform(0.2, 20)
            data["timestamp"] = t
            batch.append((sender, data["event"], t, intent, action, json.dumps(data)))

        add({"event": "action", "name": "action_session_start"}, action="action_session_start")
        add({"event": "session_started"})
        add({"event": "slot", "name": "language", "value": language}, action="language")
        for _ in range(4):
            text, intent, facts = rng.choice(QUESTIONS[language])
            entities = [{"entity": "answer_facts", "value": f} for f in facts]
            add(
                {
                    "event": "user",
                    "text": text,
                    "parse_data": {
                        "intent": {"name": intent, "confidence": round(rng.uniform(0.3, 1), 3)},
                        "entities": entities,
                        "text": text,
                    },
                    "input_channel": channel,
                },
                intent=intent,
            )
            action = "action_default_fallback" if intent == "nlu_fallback" else "utter_answer"
            add({"event": "action", "name": action, "confidence": 1.0}, action=action)
            add({"event": "bot", "text": f"Reply to: {text}", "metadata": {"utter_action": action}})
            add({"event": "action", "name": "action_listen"}, action="action_listen")
        add({"event": "slot", "name": "answer_facts", "value": None}, action="answer_facts")
        if len(batch) >= 50_000:
            connection.executemany(insert, batch)
            total += len(batch)
            batch.clear()
    connection.executemany(insert, batch)
    total += len(batch)
    connection.commit()
    connection.close()
    return total


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "p50_ms": round(1000 * statistics.median(ordered), 1),
        "p95_ms": round(1000 * p95, 1),
        "runs": len(ordered),
    }


async def measure(workdir: Path, runs: int, export_runs: int) -> dict[str, Any]:
    import sqlalchemy as sa

    from bot import patches
    from bot.participants.migrate import upgrade
    from bot.staff import app as staff_app
    from bot.staff.accounts import StaffStore
    from bot.staff.config import StaffConfig, fernet_key

    project = f"sqlite:///{workdir / 'participants.db'}"
    os.environ.setdefault("PARTICIPANT_HASH_KEY", "bench-only-key")
    upgrade(project)
    engine = sa.create_engine(project, future=True)
    StaffStore(engine).add("bench", PASSWORD, "admin")
    engine.dispose()
    config = StaffConfig(
        database_url=project,
        tracker_store_url=f"sqlite:///{workdir / 'tracker.db'}",
        secret_key=fernet_key("bench-only-staff-secret-key-0123456789"),
    )
    patches.install_web()
    parent = web.Application()
    parent.add_subapp("/staff", staff_app.create_app(config))
    client = TestClient(TestServer(parent, host="127.0.0.1"))
    await client.start_server()
    try:
        html = await (await client.get("/staff/login")).text()
        csrf = re.search(r'name="csrf" value="([^"]+)"', html)
        assert csrf, "no login form"
        login = await client.post(
            "/staff/login",
            data={"csrf": csrf.group(1), "username": "bench", "password": PASSWORD},
        )
        assert login.status == 200 and login.url.path == "/staff", "login failed"
        pages = {
            "list page": "/staff",
            "list page 50": "/staff?page=50",
            "filtered search": "/staff?language=fr&channel=web&q=visa",
            "transcript": "/staff/conversations/web:bench-0000400",
            "dashboard": "/staff/dashboard",
        }
        results: dict[str, Any] = {}
        for name, path in pages.items():
            times = []
            for _ in range(runs if name != "dashboard" else max(3, runs // 4)):
                start = time.perf_counter()
                reply = await client.get(path)
                await reply.read()
                times.append(time.perf_counter() - start)
                assert reply.status == 200, (path, reply.status)
            results[name] = percentiles(times)
        times, peaks, sizes = [], [], []
        for _ in range(export_runs):
            baseline = rss_kib()
            peak = [baseline]
            done = threading.Event()

            def sample(peak: list[int] = peak, done: threading.Event = done) -> None:
                while not done.wait(0.005):
                    peak[0] = max(peak[0], rss_kib())

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            start = time.perf_counter()
            reply = await client.get("/staff/export.csv")
            size = 0
            async for chunk in reply.content.iter_chunked(1 << 16):
                size += len(chunk)
            times.append(time.perf_counter() - start)
            done.set()
            sampler.join()
            peaks.append((baseline, peak[0]))
            sizes.append(size)
        results["export (CSV, all)"] = {
            **percentiles(times),
            "bytes": sizes[-1],
            "rss_before_mib": round(peaks[-1][0] / 1024, 1),
            "rss_peak_mib": round(max(p for _, p in peaks) / 1024, 1),
        }
        return results
    finally:
        await client.close()


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.staff", description=__doc__)
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page")
    parser.add_argument("--export-runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "staff.json")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-staff-") as folder:
        workdir = Path(folder)
        start = time.perf_counter()
        count = generate(workdir / "tracker.db", args.conversations, time.time())
        generated = time.perf_counter() - start
        print(f"generated {args.conversations} conversations, {count} events in {generated:.1f} s")
        results = asyncio.run(measure(workdir, args.runs, args.export_runs))
        size = (workdir / "tracker.db").stat().st_size
    report = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}",
        "conversations": args.conversations,
        "events": count,
        "tracker_store_mib": round(size / 2**20, 1),
        "generation_s": round(generated, 1),
        "results": results,
    }
    for name, figures in results.items():
        print(f"{name:20} {json.dumps(figures)}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
