"""Benchmarks, side by side in one run: `make bench` (writes docs/benchmarks.md).

For each pipeline/policy variant: training time, held-out accuracy per language,
start-to-ready time, RSS, REST latency at one client and throughput with 16
concurrent clients. Deployment variants (tracker store, Sanic workers) reuse the
project's model. Every server is local (127.0.0.1) and every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from bench.servers import ROOT, actions_command, base_env, start, stop, wait_until_up

BIN = Path(sys.executable).parent
OUT = ROOT / "var" / "bench"

MESSAGES = [
    turn["user"]
    for conversation in yaml.safe_load((ROOT / "tests/data/conversations.yml").read_text("utf-8"))
    for turn in conversation["turns"]
]


@dataclass
class Variant:
    name: str
    config: str
    # sqlite: the store that ships, in `python -m bot.run_rasa` (bot/patches installed);
    # memory: Rasa's in-memory store, in Rasa's own command line (nothing patched).
    tracker: str = "sqlite"
    workers: int = 1
    model_of: str | None = None  # reuse another variant's model (deployment variants)
    # Training data; TED and Memoization learn from stories only (bench/data/stories.yml).
    data: tuple[str, ...] = ("data",)
    results: dict[str, Any] = field(default_factory=dict)


VARIANTS = [
    Variant(
        "rasa init default (DIET+TED), in-memory tracker",
        "bench/configs/rasa_init_default.yml",
        tracker="memory",
        data=("data", "bench/data"),
    ),
    Variant("ours, DIET instead of tf-idf LR", "bench/configs/ours_diet.yml"),
    Variant("ours, Rasa's stock LogisticRegression", "bench/configs/ours_stock_logreg.yml"),
    Variant(
        "ours + Memoization + TEDPolicy",
        "bench/configs/ours_plus_ted.yml",
        data=("data", "bench/data"),
    ),
    Variant("ours (config.yml), SQLite tracker", "config.yml"),
    Variant(
        "ours, Rasa's in-memory tracker (no bot/patches)",
        "config.yml",
        tracker="memory",
        model_of="config.yml",
    ),
    Variant(
        "ours, SQLite, 2 Sanic workers + Redis lock", "config.yml", workers=2, model_of="config.yml"
    ),
    Variant("ours + multilingual sentence encoder (USE v3)", "bench/configs/ours_use.yml"),
]


def train(variant: Variant, models: Path) -> Path:
    name = Path(variant.config).stem
    started = time.monotonic()
    subprocess.run(
        [
            str(BIN / "rasa"),
            "train",
            "--config",
            variant.config,
            "--domain",
            "domain.yml",
            "--data",
            *variant.data,
            "--out",
            str(models),
            "--fixed-model-name",
            name,
        ],
        cwd=ROOT,
        env=base_env(
            RASA_MAX_CACHE_SIZE="0",
            TRACKER_STORE_URL="sqlite://",
            ACTION_ENDPOINT_URL="http://127.0.0.1:9/webhook",
        ),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    variant.results["train_s"] = time.monotonic() - started
    return models / f"{name}.tar.gz"


def accuracy(variant: Variant, model: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "bench.accuracy", str(model)],
        cwd=ROOT,
        env=base_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in run.stdout.splitlines() if x.startswith("BENCH_RESULT "))
    variant.results.update(json.loads(line.split(" ", 1)[1]))


def rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


async def post(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> float:
    started = time.perf_counter()
    async with session.post(url, json={"sender": sender, "message": text}) as reply:
        await reply.read()
        if reply.status != 200:
            raise RuntimeError(f"HTTP {reply.status}")
    return (time.perf_counter() - started) * 1000


async def client(
    url: str, count: int, latencies: list[float], errors: list[str], until: float | None = None
) -> None:
    """`count` messages, one after the other; with `until` (time.perf_counter()), as many
    as are sent before then instead."""
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        sender = ""
        for i in itertools.count():
            if (i >= count) if until is None else (time.perf_counter() >= until):
                break
            if i % 10 == 0:
                sender = f"bench-{uuid.uuid4()}"
            try:
                latencies.append(await post(session, url, sender, MESSAGES[i % len(MESSAGES)]))
            except Exception as error:  # noqa: BLE001 - every failure is counted
                errors.append(repr(error))


async def load(
    url: str, clients: int, per_client: int, seconds: float | None = None
) -> dict[str, float]:
    """`clients` concurrent clients of `per_client` messages each, or each sending for
    `seconds` when given (bench/staff_lag.py)."""
    latencies: list[float] = []
    errors: list[str] = []
    started = time.perf_counter()
    until = None if seconds is None else started + seconds
    await asyncio.gather(
        *(client(url, per_client, latencies, errors, until) for _ in range(clients))
    )
    elapsed = time.perf_counter() - started
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "p50_ms": quantiles[49],
        "p95_ms": quantiles[94],
        "msg_per_s": len(latencies) / elapsed,
        "errors": len(errors),
        "messages": len(latencies),
        "s": elapsed,
    }


def endpoints_file(variant: Variant, workdir: Path, actions_url: str) -> Path:
    data: dict[str, Any] = {"action_endpoint": {"url": actions_url}}
    if os.environ.get("ACTIONS_TOKEN"):  # the action server (same environment) wants it
        token = os.environ["ACTIONS_TOKEN"]
        data["action_endpoint"]["headers"] = {"Authorization": f"Bearer {token}"}
    if variant.tracker == "sqlite":
        # The store that ships (endpoints.yml): Rasa's SQL store, tuned.
        data["tracker_store"] = {
            "type": "bot.tracker_store.TunedSQLTrackerStore",
            "url": f"sqlite:///{workdir / 'tracker.db'}",
        }
    if variant.workers > 1:
        data["lock_store"] = {"type": "redis", "url": "127.0.0.1", "port": 6379, "db": 1}
    path = workdir / "endpoints.yml"
    path.write_text(yaml.safe_dump(data))
    return path


async def first_answer(url: str) -> None:
    """One message answered: the server is ready for the measurements."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        await post(session, url, f"ready-{uuid.uuid4()}", "hello")


def serve_and_measure(variant: Variant, model: Path, actions_url: str, port: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        endpoints = endpoints_file(variant, workdir, actions_url)
        base = f"http://127.0.0.1:{port}"
        url = f"{base}/webhooks/rest/webhook"
        started = time.monotonic()
        # Rasa's own command for the variant without bot/patches (nor their store).
        module = "bot.run_rasa" if variant.tracker == "sqlite" else "rasa"
        command = [sys.executable, "-m", module, "run", "--model", str(model)]
        command += ["--port", str(port), "--endpoints", str(endpoints)]
        process = start(
            command + ["--credentials", "credentials.yml"],
            base_env(SANIC_WORKERS=str(variant.workers)),
            None,
        )
        try:
            wait_until_up(f"{base}/", process, timeout=300)
            asyncio.run(first_answer(url))
            variant.results["ready_s"] = time.monotonic() - started
            asyncio.run(load(url, 1, 20))  # warm-up
            variant.results["one_client"] = asyncio.run(load(url, 1, 200))
            variant.results["eight_clients"] = asyncio.run(load(url, 8, 40))
            variant.results["sixteen_clients"] = asyncio.run(load(url, 16, 50))
            variant.results["rss_mb"] = rss_mb(process.pid)
        finally:
            stop(process)


async def registration_turns(url: str, checks: int) -> dict[str, float]:
    """Full 3-turn registration checks, sequential; latency per turn."""
    latencies: list[float] = []
    turns = ["is my registration confirmed?", "CMC-2015-0002", "j.okafor@lagos.gov.ng"]
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        for _ in range(checks):
            sender = f"reg-{uuid.uuid4()}"
            for text in turns:
                latencies.append(await post(session, url, sender, text))
    quantiles = statistics.quantiles(latencies, n=100)
    return {"p50_ms": quantiles[49], "p95_ms": quantiles[94]}


def registration_bench(model: Path, rasa_port: int, actions_port: int) -> list[str]:
    from bench.registration import registration_servers

    lines = ["| participant store | p50 per turn | p95 per turn |", "|---|---|---|"]
    for kind in ("sqlite", "postgresql"):
        with registration_servers(model, kind, rasa_port, actions_port) as url:
            asyncio.run(registration_turns(url, 5))  # warm-up
            result = asyncio.run(registration_turns(url, 60))
        lines.append(f"| {kind} | {result['p50_ms']:.1f} ms | {result['p95_ms']:.1f} ms |")
        print(lines[-1], flush=True)
    return lines


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = int(
        next(
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    )
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem_kb / 1024 / 1024:.0f} GiB RAM, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def report(variants: list[Variant]) -> str:
    import rasa

    def pct(x: float | None) -> str:
        return "–" if x is None else f"{100 * x:.1f} %"

    lines = [
        "| variant | train | intent acc. fr | intent acc. en | start→ready | RSS"
        " | p50 / p95, 1 client | msg/s, 1 client | msg/s, 8 clients | msg/s, 16 clients"
        " | p95, 16 clients | errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for v in variants:
        r = v.results
        one, eight, sixteen = r["one_client"], r["eight_clients"], r["sixteen_clients"]
        lines.append(
            f"| {v.name} | {r.get('train_s', 0):.0f} s | {pct(r.get('intent', {}).get('fr'))} | "
            f"{pct(r.get('intent', {}).get('en'))} | {r['ready_s']:.1f} s | {r['rss_mb']:.0f} MB | "
            f"{one['p50_ms']:.1f} / {one['p95_ms']:.1f} ms | {one['msg_per_s']:.0f} | "
            f"{eight['msg_per_s']:.0f} | {sixteen['msg_per_s']:.0f} | {sixteen['p95_ms']:.0f} ms | "
            f"{one['errors'] + eight['errors'] + sixteen['errors']:.0f} |"
        )
    ours = next(v for v in variants if v.config == "config.yml" and v.model_of is None).results
    ratio = [
        "",
        "Language identification of held-out short messages (ours): "
        + ", ".join(f"{k} {pct(v)}" for k, v in ours.get("language_id", {}).items()),
    ]
    if variants[0].config.startswith("bench/configs/rasa_init"):
        base = variants[0].results
        base_one, ours_one = base["one_client"], ours["one_client"]
        base_16, ours_16 = base["sixteen_clients"], ours["sixteen_clients"]
        ratio += [
            "",
            "Ratios, ours (SQLite tracker) against the `rasa init` default in the same run:",
            f"- start→ready ×{base['ready_s'] / ours['ready_s']:.1f} faster;"
            f" RSS ×{base['rss_mb'] / ours['rss_mb']:.1f} smaller;"
            f" training ×{base['train_s'] / ours['train_s']:.1f} faster",
            f"- p50 at one client ×{base_one['p50_ms'] / ours_one['p50_ms']:.1f} lower;"
            f" throughput with 16 clients ×{ours_16['msg_per_s'] / base_16['msg_per_s']:.1f}",
        ]
    header = [
        "## Latest run",
        "",
        f"- Date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {machine()}",
        f"- Rasa {rasa.__version__}; action server on the same machine; traffic on 127.0.0.1",
        "- Load: REST `POST /webhooks/rest/webhook`, messages from tests/data/conversations.yml,"
        " a new conversation every 10 messages; 200 requests at 1 client,"
        " 40 per client at 8, 50 per client at 16.",
        "- Start→ready: from process start to the first answered REST message.",
        "",
    ]
    return "\n".join(header + lines + ratio) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", help="comma-separated variant indexes, e.g. 4,5,6")
    parser.add_argument("--quick", action="store_true", help="skip the ablation variants 0-3")
    args = parser.parse_args()
    chosen = args.only.split(",") if args.only else None
    variants = [
        v
        for i, v in enumerate(VARIANTS)
        if (chosen is None or str(i) in chosen) and not (args.quick and i < 4)
    ]

    OUT.mkdir(parents=True, exist_ok=True)
    models = OUT / "models"
    actions_port, rasa_port = 15055, 15005
    actions = start(actions_command(actions_port), base_env(), None)
    try:
        trained: dict[str, Path] = {}
        for variant in variants:
            print(f"== {variant.name}", flush=True)
            if variant.model_of is None:
                trained[variant.config] = train(variant, models)
                accuracy(variant, trained[variant.config])
            model = trained.get(variant.model_of or variant.config) or train(variant, models)
            serve_and_measure(variant, model, f"http://127.0.0.1:{actions_port}/webhook", rasa_port)
            print(json.dumps(variant.results), flush=True)
    finally:
        stop(actions)

    text = report(variants)
    if "config.yml" in trained:
        text += "\n### Registration check through REST (3 turns, 60 checks)\n\n"
        text += "\n".join(registration_bench(trained["config.yml"], rasa_port, actions_port)) + "\n"
    from bench import channels, hardening, registration, speedups

    if "config.yml" in trained:
        text += "\n### Hardening\n\n" + "\n".join(hardening.main(trained["config.yml"])) + "\n"

    text += "\n### Participant store\n\n" + "\n".join(registration.main()) + "\n"
    text += "\n### Channels\n\n" + "\n".join(channels.main()) + "\n"
    text += "\n### Per-message fixes (bench/speedups.py)\n\n" + "\n".join(speedups.main()) + "\n"
    (OUT / "latest.md").write_text(text)
    (OUT / "latest.json").write_text(json.dumps({v.name: v.results for v in variants}, indent=1))
    print(text)


if __name__ == "__main__":
    main()
