"""Participant store benchmarks: CSV import of 100,000 rows, and lookup by reference
at 10,000 and 1,000,000 rows (index: O(log n)), on SQLite and PostgreSQL."""

from __future__ import annotations

import random
import statistics
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa

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


def write_csv(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(",".join(csvio.HEADER) + "\n")
        for i in range(count):
            handle.write(
                f"CMC-{2015 + i // 10000:04d}-{i % 10000:04d},Participant {i},"
                f"p{i}@example.org,Org {i % 97},Country {i % 50},mayor,confirmed,fr\n"
            )


def bulk_rows(count: int) -> list[dict[str, Any]]:
    now = datetime.now(timezone.utc)
    return [
        {
            "reference": f"CMC-{2015 + i // 10000:04d}-{i % 10000:04d}",
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
    refs = [
        f"CMC-{2015 + i // 10000:04d}-{i % 10000:04d}"
        for i in random.Random(1).sample(range(count), 2000)
    ]
    timings = []
    for ref in refs:
        started = time.perf_counter()
        assert store.get(ref) is not None
        timings.append((time.perf_counter() - started) * 1e6)
    engine.dispose()
    return statistics.median(timings)


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
    return lines


if __name__ == "__main__":
    print("\n".join(main()))
