"""The staff console's summary index under the assistant's load: `python -m bench.staff_lag`
(SQLite tracker store and project database, files in a temporary folder), or
`--postgresql postgresql://postgres@127.0.0.1:5432/cmc_bench_lag` (a database of that
name is created, used as both, and dropped at the end). Not part of `make test` nor
`make bench`.

Starts the real stack as tests and benchmarks do (bench/servers.py: the action server,
Rasa with models/cmc.tar.gz and the store that ships, endpoints.yml; then `python -m bot
web`, whose staff console folds the tracker store into its index every second), the
project database migrated and seeded with `python -m bot db upgrade` / `participants
import`. Then drives the REST webhook with the load of `make bench`'s 16-client
measurement (bench/__main__.py's `load`: 16 concurrent clients, messages of
tests/data/conversations.yml, a new conversation every 10 messages), here for a fixed
time, and meanwhile sends a marker conversation once a second: one message with a word
of its own, on the same webhook. A thread polls the project database every 50 ms with
the console's own search statement (bot/staff/search.py `matching`, the same rows the
list's `?q=` reads, written in the indexer's transaction with the conversation's row)
until each marker's word is found: the lag, from the marker's request sent (the user's
message to searchable, Rasa's turn under load included) and from its reply received
(the events are committed before Rasa answers: the indexer's own lag). It also samples
the indexer's backlog (the tracker store's newest event id minus the index cursor)
every 0.5 s. Results on stdout and in var/bench/staff_lag.json."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from bench.__main__ import first_answer, load, post
from bench.servers import ROOT, Stack, free_port, seed, start, stop, wait_until_up
from bench.staff import postgresql_database, write_report

MODEL = ROOT / "models" / "cmc.tar.gz"
POLL = 0.05  # seconds between two searches of the index
BACKLOG_EVERY = 0.5  # seconds between two samples of the indexer's backlog


@dataclass
class Marker:
    word: str
    sent: float  # time.perf_counter()
    replied: float | None = None
    found: float | None = None
    error: str = ""


class Poller(threading.Thread):
    """Searches the index for each marker not yet found, every POLL seconds, and samples
    the indexer's backlog; its own engines, off the event loop."""

    def __init__(self, project: str, tracker: str, markers: list[Marker]) -> None:
        super().__init__(daemon=True)
        self.project, self.tracker, self.markers = project, tracker, markers
        self.done = threading.Event()
        self.backlog: list[int] = []
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            self._run()
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            self.failure = error

    def _run(self) -> None:
        import sqlalchemy as sa

        from bot.staff import search
        from bot.staff.conversations import events
        from bot.staff.schema import staff_index_cursor

        project = sa.create_engine(self.project, future=True)
        tracker = sa.create_engine(self.tracker, future=True)
        sampled = 0.0
        try:
            while not self.done.wait(POLL):
                with project.connect() as connection:
                    for marker in [m for m in self.markers if m.found is None]:
                        query = search.matching(connection, marker.word)
                        if connection.execute(query).first() is not None:
                            marker.found = time.perf_counter()
                    if time.perf_counter() - sampled >= BACKLOG_EVERY:
                        sampled = time.perf_counter()
                        position = connection.execute(
                            sa.select(staff_index_cursor.c.position)
                        ).scalar()
                        with tracker.connect() as store:
                            newest = store.execute(sa.select(sa.func.max(events.c.id))).scalar()
                        self.backlog.append(max(0, int(newest or 0) - int(position or 0)))
        finally:
            project.dispose()
            tracker.dispose()


async def send_marker(url: str, marker: Marker) -> None:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        try:
            text = f"Quand a lieu la conférence ? {marker.word}"
            await post(session, url, f"lag-{marker.word}", text)
            marker.replied = time.perf_counter()
        except Exception as error:  # noqa: BLE001 - counted
            marker.error = repr(error)


async def drive(url: str, clients: int, seconds: float, markers: list[Marker]) -> dict[str, float]:
    """The load for `seconds`, and a marker sent every second meanwhile."""
    sends: list[asyncio.Task[None]] = []

    async def every_second() -> None:
        started = time.perf_counter()
        for n in range(int(seconds)):
            await asyncio.sleep(max(0.0, started + n + 0.5 - time.perf_counter()))
            marker = Marker("lagmark" + uuid.uuid4().hex[:10], time.perf_counter())
            markers.append(marker)
            sends.append(asyncio.create_task(send_marker(url, marker)))

    result, _ = await asyncio.gather(load(url, clients, 0, seconds), every_second())
    await asyncio.gather(*sends)
    return result


def seconds_summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "p50_s": round(statistics.median(ordered), 2),
        "p95_s": round(p95, 2),
        "max_s": round(ordered[-1], 2),
        "n": len(ordered),
    }


def measure(workdir: Path, clients: int, seconds: float, postgresql: str | None) -> dict[str, Any]:
    extra = {
        "PARTICIPANT_HASH_KEY": "bench",
        "STAFF_SECRET_KEY": "bench-only-staff-secret-key-0123456789",
    }
    if postgresql:
        extra |= {"TRACKER_STORE_URL": postgresql, "DATABASE_URL": postgresql}
    stack = Stack(workdir, MODEL, extra)
    env = stack.env
    seed(env)  # migrated, the test participants imported (registration checks)
    web_port = free_port()
    page = None
    markers: list[Marker] = []
    poller = Poller(env["DATABASE_URL"], env["TRACKER_STORE_URL"], markers)
    try:
        stack.start()
        command = [sys.executable, "-m", "bot", "web", "--host", "127.0.0.1"]
        log = workdir / "web.log"
        page = start(command + ["--port", str(web_port)], env, log)
        wait_until_up(f"http://127.0.0.1:{web_port}/health", page, log, timeout=120)
        asyncio.run(first_answer(stack.webhook))
        asyncio.run(load(stack.webhook, 1, 20))  # warm-up, as make bench
        time.sleep(2)  # the warm-up indexed
        poller.start()
        result = asyncio.run(drive(stack.webhook, clients, seconds, markers))
        waited = time.perf_counter()
        while any(m.found is None and not m.error for m in markers):
            if time.perf_counter() - waited > 60 or not poller.is_alive():
                break
            time.sleep(0.1)
    finally:
        poller.done.set()
        if poller.is_alive():
            poller.join()
        if page:
            stop(page)
        stack.close()
    if poller.failure:
        raise poller.failure
    found = [m for m in markers if m.found is not None]
    sent_found = [m.found - m.sent for m in found if m.found is not None]
    replied_found = [
        m.found - m.replied for m in found if m.found is not None and m.replied is not None
    ]
    replies = [m.replied - m.sent for m in markers if m.replied is not None]
    return {
        "load": {
            "clients": clients,
            "seconds": round(result["s"], 1),
            "messages": int(result["messages"]),
            "msg_per_s": round(result["msg_per_s"], 1),
            "p50_ms": round(result["p50_ms"]),
            "p95_ms": round(result["p95_ms"]),
            "errors": int(result["errors"]),
        },
        "markers": len(markers),
        "markers not found": len(markers) - len(found),
        "marker errors": sum(1 for m in markers if m.error),
        "marker reply": seconds_summary(replies) if replies else {},
        "lag from the message sent": seconds_summary(sent_found) if sent_found else {},
        "lag from the reply received": seconds_summary(replied_found) if replied_found else {},
        "indexer backlog, events": {
            "max": max(poller.backlog, default=0),
            "median": statistics.median(poller.backlog) if poller.backlog else 0,
            "samples": len(poller.backlog),
        },
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.staff_lag", description=__doc__)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument(
        "--postgresql",
        metavar="URL",
        help="a PostgreSQL database to create, use as tracker store and project database, "
        "and drop (e.g. postgresql://postgres@127.0.0.1:5432/cmc_bench_lag)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "staff_lag.json")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-staff-lag-") as folder:
        if args.postgresql:
            postgresql_database(args.postgresql, create=True)
        try:
            results = measure(Path(folder), args.clients, args.seconds, args.postgresql)
        finally:
            if args.postgresql:
                postgresql_database(args.postgresql, create=False)
    return write_report(args.out, results, store="postgresql" if args.postgresql else "sqlite")


if __name__ == "__main__":
    main()
