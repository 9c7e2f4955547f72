"""Bounded work per message, measured through the REST channel: what a huge or
adversarial message costs the server, and registration checks among other traffic
(issue "Hardening"). `python -m bench.hardening [model]`; part of `make bench`."""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
import uuid
from pathlib import Path

import aiohttp

from bench.adversarial import report as adversarial_report
from bench.registration import concurrent_bench, registration_servers

ROOT = Path(__file__).resolve().parent.parent
# (label, message): the body of the first is over the 64 KB limit and is refused
# unread; the second is under it but over the text limit; the third is the longest
# text the assistant reads, one token with no space; the last an ordinary question.
MESSAGES = [
    ("100,000 characters, one token (413, body not read)", "a." * 50_000),
    ("60,000 characters (polite reply, not read)", "a@" * 30_000),
    ("4,096 characters, one token (read by NLU)", ("a." * 2_048)),
    ("4,096 characters of e-mail-like words (read by NLU)", ("a@b. " * 820)[:4096]),
    ("an ordinary question", "When is the conference?"),
]


async def timings(url: str, text: str, count: int = 15) -> tuple[float, int]:
    """Median round trip in ms (loopback: the server's time) and the HTTP status."""
    took: list[float] = []
    status = 0
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        for _ in range(count):
            started = time.perf_counter()
            body = {"sender": f"hard-{uuid.uuid4()}", "message": text}
            async with session.post(url, json=body) as reply:
                await reply.read()
                status = reply.status
            took.append((time.perf_counter() - started) * 1000)
    return statistics.median(took), status


def main(model: Path = ROOT / "models" / "cmc.tar.gz") -> list[str]:
    lines = ["| message | HTTP status | median server time |", "|---|---|---|"]
    with registration_servers(model, "sqlite", 15005, 15055) as url:
        asyncio.run(timings(url, "Bonjour", 5))  # warm-up
        for label, text in MESSAGES:
            median, status = asyncio.run(timings(url, text))
            lines.append(f"| {label} | {status} | {median:.1f} ms |")
            print(lines[-1], flush=True)
    lines += ["", "Text functions on adversarial input:", "", *adversarial_report()]
    lines += ["", "Registration checks among other traffic:", "", *concurrent_bench(model)]
    return lines


if __name__ == "__main__":
    print("\n".join(main(Path(sys.argv[1])) if len(sys.argv) > 1 else main()))
