"""Participant store benchmarks, on SQLite and PostgreSQL: CSV import of 100,000 rows,
lookup by reference at 10,000 and 1,000,000 rows (index: O(log n)), and
`ParticipantStore.check` from 32 threads at once (`check_latency`).

`concurrent_bench` measures the registration check through REST among other traffic:
32 concurrent clients, 10 % of their messages registration checks; the target is zero
errors and a check p95 at most twice the FAQ p95. It needs a trained model and starts
Rasa and the action server: `python -m bench.registration --rest models/cmc.tar.gz`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import random
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from bench.servers import SEED, Stack, seed
from bot.participants import csvio
from bot.participants.migrate import upgrade
from bot.participants.schema import participants
from bot.participants.store import ParticipantStore, create_engine

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


class Database:
    """A fresh, migrated database; dropped (PostgreSQL) or deleted (SQLite) after use."""

    def __init__(self, kind: str, workdir: Path) -> None:
        self.kind = kind
        self.name = f"cmc_bench_{uuid.uuid4().hex[:10]}"
        if kind == "sqlite":
            self.url = f"sqlite:///{workdir / (self.name + '.db')}"
        else:
            self.url = PG_ADMIN.rsplit("/", 1)[0] + "/" + self.name

    def __enter__(self) -> str:
        if self.kind == "postgresql":
            admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT", future=True)
            with admin.connect() as c:
                c.execute(sa.text(f'CREATE DATABASE "{self.name}"'))
            admin.dispose()
        upgrade(self.url)
        return self.url

    def __exit__(self, *exc: Any) -> None:
        if self.kind == "postgresql":
            admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT", future=True)
            with admin.connect() as c:
                c.execute(sa.text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            admin.dispose()


def reference(i: int) -> str:
    """The i-th generated reference; number 0000 is never assigned (the import refuses it)."""
    return f"CMC-{2015 + i // 9999:04d}-{i % 9999 + 1:04d}"


def write_csv(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(",".join(csvio.HEADER) + "\n")
        for i in range(count):
            handle.write(
                f"{reference(i)},Participant {i},"
                f"p{i}@example.org,Org {i % 97},Country {i % 50},mayor,confirmed,fr\n"
            )


def bulk_rows(count: int) -> list[dict[str, Any]]:
    now = datetime.now(timezone.utc)
    return [
        {
            "reference": reference(i),
            "full_name": f"P {i}",
            "email": f"p{i}@example.org",
            "organisation": "",
            "country": "",
            "category": "mayor",
            "status": "confirmed",
            "language": "fr",
            "created_at": now,
            "updated_at": now,
        }
        for i in range(count)
    ]


def lookup_us(url: str, count: int) -> float:
    engine = create_engine(url)
    with engine.begin() as connection:
        rows = bulk_rows(count)
        for start in range(0, count, 50_000):
            connection.execute(sa.insert(participants), rows[start : start + 50_000])
    store = ParticipantStore(engine, key=b"bench")
    refs = [reference(i) for i in random.Random(1).sample(range(count), 2000)]
    timings = []
    for ref in refs:
        started = time.perf_counter()
        assert store.get(ref) is not None
        timings.append((time.perf_counter() - started) * 1e6)
    engine.dispose()
    return statistics.median(timings)


def _quantiles(timings: list[float]) -> tuple[float, float]:
    if len(timings) < 2:
        return (timings or [0.0])[0], (timings or [0.0])[0]
    quantiles = statistics.quantiles(timings, n=100)
    return quantiles[49], quantiles[94]


def check_latency(
    url: str, threads: int = 32, per_thread: int = 50, count: int = 10_000
) -> dict[str, float]:
    """`ParticipantStore.check` called from `threads` threads at once, as the action
    server's thread pool calls it: 9 right pairs in 10, each from a new sender, on
    random references; one warm-up check per thread first. Latency per check in ms."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.insert(participants), bulk_rows(count))
    store = ParticipantStore(engine, key=b"bench")
    timings: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(threads + 1)

    def worker(index: int) -> None:
        chooser = random.Random(index)
        store.check(reference(index), f"p{index}@example.org", f"warm-{index}")
        start.wait()
        for i in range(per_thread):
            n = chooser.randrange(count)
            email = "wrong@example.org" if i % 10 == 0 else f"p{n}@example.org"
            started = time.perf_counter()
            try:
                store.check(reference(n), email, f"bench-{index}-{i}")
            except SQLAlchemyError as error:
                with lock:
                    errors.append(type(error).__name__)
            with lock:
                timings.append((time.perf_counter() - started) * 1000)

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in workers:
        thread.start()
    start.wait()
    started = time.perf_counter()
    for thread in workers:
        thread.join()
    elapsed = time.perf_counter() - started
    engine.dispose()
    p50, p95 = _quantiles(timings)
    return {
        "p50_ms": p50,
        "p95_ms": p95,
        "max_ms": max(timings),
        "checks_per_s": len(timings) / elapsed,
        "errors": len(errors),
    }


def seed_pairs() -> list[tuple[str, str, str]]:
    """(reference, e-mail, full name) of the seeded participants (tests/data)."""
    with SEED.open(encoding="utf-8") as handle:
        return [(r["reference"], r["email"], r["full_name"]) for r in csv.DictReader(handle)]


async def mixed_load(
    url: str, clients: int = 32, per_client: int = 40, check_every: int = 10
) -> dict[str, float]:
    """`clients` concurrent REST clients; one message in `check_every` is a whole
    registration check (reference and e-mail in one message, a new conversation,
    a right pair: the answer must name the delegate), the others FAQ messages as in
    bench/__main__.py's load. p50/p95 of each kind in ms, and the errors (HTTP
    errors, timeouts, a check not answered with the delegate's status)."""
    import aiohttp

    from bench.__main__ import MESSAGES

    pairs = seed_pairs()
    faq: list[float] = []
    checks: list[float] = []
    errors: list[str] = []

    async def say(session: Any, sender: str, text: str) -> tuple[float, list[dict[str, Any]]]:
        started = time.perf_counter()
        async with session.post(url, json={"sender": sender, "message": text}) as reply:
            body = await reply.json(content_type=None)
            if reply.status != 200:
                raise RuntimeError(f"HTTP {reply.status}")
        return (time.perf_counter() - started) * 1000, body or []

    async def client(index: int) -> None:
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            sender = ""
            for i in range(per_client):
                try:
                    if (i + index) % check_every == 0:  # staggered across clients
                        reference, email, name = pairs[(index + i) % len(pairs)]
                        text = f"my ref is {reference} and my email {email}"
                        took, replies = await say(session, f"reg-{uuid.uuid4()}", text)
                        checks.append(took)
                        if not any(name in (r.get("text") or "") for r in replies):
                            errors.append(f"check of {reference} answered {replies!r}")
                    else:
                        if i % 10 == 0 or not sender:
                            sender = f"bench-{uuid.uuid4()}"
                        took, _ = await say(session, sender, MESSAGES[i % len(MESSAGES)])
                        faq.append(took)
                except Exception as error:  # noqa: BLE001 - every failure is counted
                    errors.append(repr(error))

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    elapsed = time.perf_counter() - started
    faq_p50, faq_p95 = _quantiles(faq)
    check_p50, check_p95 = _quantiles(checks)
    return {
        "faq_p50_ms": faq_p50,
        "faq_p95_ms": faq_p95,
        "check_p50_ms": check_p50,
        "check_p95_ms": check_p95,
        "checks": len(checks),
        "msg_per_s": (len(faq) + len(checks)) / elapsed,
        "errors": len(errors),
    }


@contextlib.contextmanager
def registration_servers(
    model: Path, kind: str, rasa_port: int, actions_port: int
) -> Iterator[str]:
    """Rasa and the action server on a fresh, seeded participant store of `kind`, as
    bench/__main__.py's registration_bench runs them; yields the REST webhook URL."""
    with seeded_servers(model, kind, rasa_port, actions_port) as (url, _db_url):
        yield url


@contextlib.contextmanager
def seeded_servers(
    model: Path, kind: str, rasa_port: int, actions_port: int
) -> Iterator[tuple[str, str]]:
    """As registration_servers, yielding the participant store's URL too."""
    with tempfile.TemporaryDirectory() as tmp, Database(kind, Path(tmp)) as db_url:
        stack = Stack(
            Path(tmp),
            model,
            {"DATABASE_URL": db_url, "PARTICIPANT_HASH_KEY": "bench"},
            logs=False,
            rasa_port=rasa_port,
            actions_port=actions_port,
        )
        seed(stack.env)
        try:
            stack.start()
            yield stack.webhook, db_url
        finally:
            stack.close()


def concurrent_bench(
    model: Path, rasa_port: int = 15005, actions_port: int = 15055, clients: int = 32
) -> list[str]:
    """Registration checks among other traffic through REST, on each store."""
    lines = [
        f"| participant store | {clients} clients, 10 % checks: FAQ p50 / p95"
        " | check p50 / p95 | check p95 ÷ FAQ p95 | msg/s | errors |",
        "|---|---|---|---|---|---|",
    ]
    for kind in ("sqlite", "postgresql"):
        with registration_servers(model, kind, rasa_port, actions_port) as url:
            asyncio.run(mixed_load(url, clients=4, per_client=10))  # warm-up
            r = asyncio.run(mixed_load(url, clients=clients))
        ratio = r["check_p95_ms"] / r["faq_p95_ms"] if r["faq_p95_ms"] else float("inf")
        verdict = "ok" if r["errors"] == 0 and ratio <= 2 else "NOT MET (target: ≤ 2, 0 errors)"
        lines.append(
            f"| {kind} | {r['faq_p50_ms']:.0f} / {r['faq_p95_ms']:.0f} ms"
            f" | {r['check_p50_ms']:.0f} / {r['check_p95_ms']:.0f} ms"
            f" | {ratio:.2f} ({verdict}) | {r['msg_per_s']:.0f} | {r['errors']:.0f} |"
        )
        print(lines[-1], flush=True)
    return lines


def main() -> list[str]:
    lines = [
        "| database | import 100,000 rows | lookup p50 at 10,000 rows"
        " | lookup p50 at 1,000,000 rows |",
        "|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        csv_path = workdir / "100k.csv"
        write_csv(csv_path, 100_000)
        for kind in ("sqlite", "postgresql"):
            with Database(kind, workdir) as url:
                started = time.perf_counter()
                rows, errors = csvio.read_participants(csv_path)
                assert not errors
                engine = create_engine(url)
                report = csvio.upsert(engine, rows)
                engine.dispose()
                import_s = time.perf_counter() - started
                assert report.inserted == 100_000
            small = large = 0.0
            with Database(kind, workdir) as url:
                small = lookup_us(url, 10_000)
            with Database(kind, workdir) as url:
                large = lookup_us(url, 1_000_000)
            lines.append(f"| {kind} | {import_s:.1f} s | {small:.0f} µs | {large:.0f} µs |")
            print(lines[-1], flush=True)
        lines += [
            "",
            "| database | check p50 / p95, 32 threads | max | checks/s | errors |",
            "|---|---|---|---|---|",
        ]
        for kind in ("sqlite", "postgresql"):
            with Database(kind, workdir) as url:
                r = check_latency(url)
            lines.append(
                f"| {kind} | {r['p50_ms']:.1f} / {r['p95_ms']:.1f} ms | {r['max_ms']:.0f} ms"
                f" | {r['checks_per_s']:.0f} | {r['errors']:.0f} |"
            )
            print(lines[-1], flush=True)
    return lines


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--checks", action="store_true", help="only check_latency")
    parser.add_argument("--rest", metavar="MODEL", type=Path, help="only concurrent_bench")
    args = parser.parse_args()
    if args.rest:
        print("\n".join(concurrent_bench(args.rest)))
    elif args.checks:
        for kind in ("sqlite", "postgresql"):
            with tempfile.TemporaryDirectory() as tmp, Database(kind, Path(tmp)) as url:
                print(kind, check_latency(url), flush=True)
    else:
        print("\n".join(main()))
