"""The staff console's speed on a generated tracker store: `python -m bench.staff
--conversations 10000` (SQLite), or `--postgresql postgresql://postgres@127.0.0.1:5432/
cmc_bench --conversations 100000` (a database of that name is created, used for both
the tracker store and the project database, and dropped at the end). Not part of `make
test` nor `make bench`.

Generates N conversations (about 20 events each: session start, language slot, four
turns of user message / action / reply / listen, the answer facts; abstentions and
registration checks among the replies) into a fresh tracker store, as Rasa's
SQLTrackerStore writes its rows (SQLite: executemany; PostgreSQL: COPY); then serves the
console (bot/staff) through aiohttp's test server on 127.0.0.1, signs in through the
login form, and measures:
- the summary index's first catch-up (the app started on a store full of events);
- the list page, filtered searches, a transcript and the dashboard (p50/p95);
- the index's lag: a conversation appended to the tracker store while the app runs,
  and the time until a search of the list shows it (polled every 20 ms);
- the full CSV and JSONL exports (3 times each on SQLite, once on PostgreSQL by
  default), sampling the process's RSS every 5 ms.
Results on stdout and in var/bench/staff.json."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
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
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import unquote

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
        ("Où loger pendant la conférence ?", "ask_question", ["not_in_source"]),
        ("blablabla", "nlu_fallback", []),
    ],
    "en": [
        ("When is the conference?", "ask_fact", ["dates"]),
        ("Where is it held?", "ask_fact", ["venue"]),
        ("What is the IDM?", "ask_fact", ["idm"]),
        ("Is there a registration fee?", "ask_question", ["not_in_source"]),
        ("I want to talk to a person", "request_human", []),
        ("Is my registration confirmed? a.b@example.org", "check_registration", []),
        ("Which hotels are near the venue?", "ask_question", ["not_in_source"]),
        ("asdf qwerty", "nlu_fallback", []),
    ],
}
CHANNELS = ("web", "rest", "telegram", "whatsapp")


def event_rows(conversations: int, now: float, seed: int = 7) -> Iterator[tuple[Any, ...]]:
    """(sender_id, type_name, timestamp, intent_name, action_name, data) of
    `conversations` conversations spread over the last 45 days."""
    from bot.staff.dashboard import abstention_phrases

    abstention = dict(zip(("fr", "en"), abstention_phrases(), strict=True))  # facts.yml's order
    rng = random.Random(seed)
    for number in range(conversations):
        channel = CHANNELS[number % len(CHANNELS)]
        sender = f"{channel}:bench-{number:07d}"
        language = "fr" if rng.random() < 0.55 else "en"
        t = now - rng.uniform(0, 45 * 86400)
        rows: list[tuple[Any, ...]] = []

        def add(
            data: dict[str, Any],
            intent: str | None = None,
            action: str | None = None,
            rows: list[tuple[Any, ...]] = rows,
            sender: str = sender,
        ) -> None:
            nonlocal t
            t += rng.uniform(0.2, 20)
            data["timestamp"] = t
            rows.append((sender, data["event"], t, intent, action, json.dumps(data)))

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
            action = {
                "nlu_fallback": "action_default_fallback",
                "check_registration": "action_check_registration",
            }.get(intent, "utter_answer")
            add({"event": "action", "name": action, "confidence": 1.0}, action=action)
            reply, utter = f"Reply to: {text}", action
            if facts == ["not_in_source"]:
                reply = abstention[language]
            elif intent == "check_registration":
                utter = "utter_registration_" + rng.choice(("confirmed", "pending", "not_found"))
            add({"event": "bot", "text": reply, "metadata": {"utter_action": utter}})
            add({"event": "action", "name": "action_listen"}, action="action_listen")
        add({"event": "slot", "name": "answer_facts", "value": None}, action="answer_facts")
        yield from rows


def generate(url: str, conversations: int, now: float) -> int:
    """The tracker store's `events` table (and Rasa's index on sender_id) filled;
    returns the number of events."""
    import sqlalchemy as sa

    from bot.staff.conversations import events

    engine = sa.create_engine(url, future=True)
    events.metadata.create_all(engine)
    columns = "sender_id, type_name, timestamp, intent_name, action_name, data"
    total = 0
    if engine.dialect.name == "postgresql":
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            for row in event_rows(conversations, now):
                writer.writerow(row)
                total += 1
                if total % 200_000 == 0:
                    buffer.seek(0)
                    cursor.copy_expert(
                        f"COPY events ({columns}) FROM STDIN WITH (FORMAT csv)", buffer
                    )
                    buffer = io.StringIO()
                    writer = csv.writer(buffer)
            buffer.seek(0)
            cursor.copy_expert(f"COPY events ({columns}) FROM STDIN WITH (FORMAT csv)", buffer)
            cursor.execute("ANALYZE events")
            raw.commit()
        finally:
            raw.close()
        engine.dispose()
        return total
    engine.dispose()
    connection = sqlite3.connect(sa.engine.make_url(url).database or "")
    connection.execute("PRAGMA journal_mode=WAL")
    insert = f"INSERT INTO events ({columns}) VALUES (?, ?, ?, ?, ?, ?)"
    batch: list[tuple[Any, ...]] = []
    for row in event_rows(conversations, now):
        batch.append(row)
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


async def lag(client: TestClient, tracker: str, samples: int) -> dict[str, Any]:  # type: ignore[type-arg]
    """Seconds from a conversation's events committed to the tracker store to a search
    of the list showing it (the app's indexer steps every second)."""
    import sqlalchemy as sa

    from bot.staff.conversations import events

    engine = sa.create_engine(tracker, future=True)
    times = []
    try:
        for _ in range(samples):
            word = "lag" + uuid.uuid4().hex[:12]
            text = f"Question {word} ?"
            data = {"event": "user", "text": text, "parse_data": {"intent": {"name": "x"}}}
            with engine.begin() as connection:
                connection.execute(
                    events.insert(),
                    {
                        "sender_id": f"web:{word}",
                        "type_name": "user",
                        "timestamp": time.time(),
                        "data": json.dumps(data),
                    },
                )
            start = time.perf_counter()
            link = f'href="/staff/conversations/web:{word}"'  # not the search box's value
            while link not in unquote(await (await client.get(f"/staff?q={word}")).text()):
                await asyncio.sleep(0.02)
            times.append(time.perf_counter() - start)
            await asyncio.sleep(random.uniform(0, 1))  # anywhere in the indexer's second
    finally:
        engine.dispose()
    return {
        "p50_s": round(statistics.median(times), 2),
        "max_s": round(max(times), 2),
        "runs": len(times),
    }


async def export(client: TestClient, path: str, runs: int) -> dict[str, Any]:  # type: ignore[type-arg]
    """The full export at `path`, read to its end `runs` times, this process's RSS
    sampled every 5 ms meanwhile (the console is served in this process)."""
    times, peaks, sizes = [], [], []
    for _ in range(runs):
        baseline = rss_kib()
        peak = [baseline]
        done = threading.Event()

        def sample(peak: list[int] = peak, done: threading.Event = done) -> None:
            while not done.wait(0.005):
                peak[0] = max(peak[0], rss_kib())

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        start = time.perf_counter()
        reply = await client.get(path)
        assert reply.status == 200, (path, reply.status)
        size = 0
        async for chunk in reply.content.iter_chunked(1 << 16):
            size += len(chunk)
        times.append(time.perf_counter() - start)
        done.set()
        sampler.join()
        peaks.append((baseline, peak[0]))
        sizes.append(size)
    return {
        **percentiles(times),
        "bytes": sizes[-1],
        "rss_before_mib": round(peaks[-1][0] / 1024, 1),
        "rss_peak_mib": round(max(p for _, p in peaks) / 1024, 1),
    }


async def measure(tracker: str, project: str, runs: int, export_runs: int) -> dict[str, Any]:
    import sqlalchemy as sa

    from bot import patches
    from bot.participants.migrate import upgrade
    from bot.staff import app as staff_app
    from bot.staff.accounts import StaffStore
    from bot.staff.config import StaffConfig, fernet_key

    os.environ.setdefault("PARTICIPANT_HASH_KEY", "bench-only-key")
    upgrade(project)
    engine = sa.create_engine(project, future=True)
    StaffStore(engine).add("bench", PASSWORD, "admin")
    engine.dispose()
    config = StaffConfig(
        database_url=project,
        tracker_store_url=tracker,
        secret_key=fernet_key("bench-only-staff-secret-key-0123456789"),
    )
    patches.install_web()
    parent = web.Application()
    console = staff_app.create_app(config)
    parent.add_subapp("/staff", console)
    client = TestClient(TestServer(parent, host="127.0.0.1"))
    start = time.perf_counter()
    await client.start_server()
    results: dict[str, Any] = {}
    try:
        # First start on a full store: the app's own task catches up, batch by batch.
        index = console[staff_app.INDEX_KEY]
        while (await asyncio.to_thread(index.progress)).behind:
            await asyncio.sleep(0.2)
        results["index catch-up"] = {"s": round(time.perf_counter() - start, 1)}
        print(f"index catch-up {results['index catch-up']}", flush=True)
        if project.startswith("postgresql"):
            # The planner's statistics of the tables just filled, as autovacuum takes
            # them within a minute of a bulk load (without them: the intent-and-fact
            # page scans instead of walking last_active).
            stats = sa.create_engine(project, future=True, isolation_level="AUTOCOMMIT")
            with stats.connect() as connection:
                for table in ("staff_conversations", "staff_conversation_labels", "staff_daily"):
                    connection.execute(sa.text(f"VACUUM ANALYZE {table}"))
            stats.dispose()
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
            "search, accents folded": "/staff?q=conference",
            "new filters": "/staff?unanswered=either&below=0.5&registration=any",
            "intent and fact": "/staff?intent=ask_fact&fact=venue&language=en",
            "transcript": "/staff/conversations/web:bench-0000400",
            "dashboard": "/staff/dashboard",
        }
        for name, path in pages.items():
            times = []
            for _ in range(runs if name != "dashboard" else max(3, runs // 4)):
                start = time.perf_counter()
                reply = await client.get(path)
                await reply.read()
                times.append(time.perf_counter() - start)
                assert reply.status == 200, (path, reply.status)
            results[name] = percentiles(times)
            print(f"{name:24} {json.dumps(results[name])}", flush=True)
        results["index lag"] = await lag(client, tracker, max(5, runs // 2))
        if not export_runs:
            return results
        for kind in ("csv", "jsonl"):
            name = f"export ({kind.upper()}, all)"
            results[name] = await export(client, f"/staff/export.{kind}", export_runs)
            print(f"{name:24} {json.dumps(results[name])}", flush=True)
        return results
    finally:
        await client.close()


def postgresql_database(url: str, create: bool) -> None:
    """Create (dropped first if there) or drop the database named by `url`."""
    import sqlalchemy as sa

    parsed = sa.engine.make_url(url)
    admin = sa.create_engine(
        parsed.set(database="postgres"), isolation_level="AUTOCOMMIT", future=True
    )
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
            if create:
                connection.execute(sa.text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        admin.dispose()


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.staff", description=__doc__)
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page")
    parser.add_argument(
        "--export-runs",
        type=int,
        default=None,
        help="full exports of each format (default: 3 SQLite, 1 PostgreSQL)",
    )
    parser.add_argument(
        "--postgresql",
        metavar="URL",
        help="a PostgreSQL database to create, fill and drop (e.g. "
        "postgresql://postgres@127.0.0.1:5432/cmc_bench) instead of SQLite files",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "staff.json")
    args = parser.parse_args(argv)
    export_runs = (
        args.export_runs if args.export_runs is not None else (1 if args.postgresql else 3)
    )
    with tempfile.TemporaryDirectory(prefix="bench-staff-") as folder:
        if args.postgresql:
            postgresql_database(args.postgresql, create=True)
            tracker = project = args.postgresql
        else:
            tracker = f"sqlite:///{Path(folder) / 'tracker.db'}"
            project = f"sqlite:///{Path(folder) / 'participants.db'}"
        try:
            start = time.perf_counter()
            count = generate(tracker, args.conversations, time.time())
            generated = time.perf_counter() - start
            print(
                f"generated {args.conversations} conversations, {count} events in {generated:.1f} s"
            )
            results = asyncio.run(measure(tracker, project, args.runs, export_runs))
        finally:
            if args.postgresql:
                postgresql_database(args.postgresql, create=False)
    return write_report(
        args.out,
        results,
        database="postgresql" if args.postgresql else "sqlite",
        conversations=args.conversations,
        events=count,
        generation_s=round(generated, 1),
    )


def write_report(out: Path, results: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """Prints the results and writes them to `out` as JSON, with the date and machine."""
    report = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}",
        **fields,
        "results": results,
    }
    for name, figures in results.items():
        print(f"{name:28} {json.dumps(figures)}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
