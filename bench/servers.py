"""Rasa, the action server and the page as subprocesses on loopback, for the tests
(tests/conftest.py) and the benchmarks: one home for their commands, the seeding of
the participant store, the wait until each answers, and the shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "data" / "participants.csv"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def served_in_thread(application: Callable[[], Any]) -> Iterator[str]:
    """An aiohttp application (built by `application` on the thread's own loop) served
    on a free port of 127.0.0.1 from a thread of this process; yields its base URL."""
    from aiohttp import web

    from bot import patches

    port = free_port()
    loop = asyncio.new_event_loop()
    started = threading.Event()
    runner: list[web.AppRunner] = []

    def serve() -> None:
        asyncio.set_event_loop(loop)
        patches.install_web()
        runner.append(web.AppRunner(application()))
        loop.run_until_complete(runner[0].setup())
        loop.run_until_complete(web.TCPSite(runner[0], "127.0.0.1", port).start())
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    if not started.wait(30):
        raise RuntimeError("the application did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        asyncio.run_coroutine_threadsafe(runner[0].cleanup(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def base_env(**extra: str) -> dict[str, str]:
    """This process's environment, quiet and without telemetry, plus `extra`."""
    return {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def start(command: list[str], env: dict[str, str], log: Path | None) -> subprocess.Popen[bytes]:
    """`command` from the project's root; its output appended to `log` (or dropped)."""
    output = log.open("ab") if log else subprocess.DEVNULL
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)


def actions_command(port: int) -> list[str]:
    """The action server on loopback:`port`, as scripts/run-all starts it."""
    return [sys.executable, "-m", "bot", "actions", "--port", str(port)]


def bot_command(env: dict[str, str], *args: str) -> None:
    """`python -m bot ARGS` to completion; its output is in the error if it fails."""
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(f"bot {' '.join(args)} exited {done.returncode}:\n{done.stderr}")


def seed(env: dict[str, str], csv: Path = SEED) -> None:
    """Migrate env's DATABASE_URL and import `csv` into it, as an operator does."""
    bot_command(env, "db", "upgrade")
    bot_command(env, "participants", "import", str(csv))


def wait_until_up(
    url: str, process: subprocess.Popen[bytes], log: Path | None = None, timeout: float = 180
) -> float:
    """Seconds until `url` answers 2xx; fails at once if `process` exits."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            tail = log.read_text()[-3000:] if log else ""
            raise RuntimeError(f"{url}: the server exited with {process.returncode}:\n{tail}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return time.monotonic() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    tail = log.read_text()[-3000:] if log else ""
    raise RuntimeError(f"{url} not up after {timeout} s:\n{tail}")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass
class Stack:
    """An action server and a Rasa server (endpoints.yml: the store that ships), with
    their own SQLite tracker store and participant store under `workdir`. `extra_env`
    adds to (or overrides) the environment both get; `logs` keeps their output in
    workdir."""

    workdir: Path
    model: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    logs: bool = True
    rasa_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)
    rasa: subprocess.Popen[bytes] | None = None
    actions: subprocess.Popen[bytes] | None = None

    @property
    def env(self) -> dict[str, str]:
        own = {
            "RASA_PORT": str(self.rasa_port),
            "ACTIONS_PORT": str(self.actions_port),
            "ACTIONS_TOKEN": os.environ.get("ACTIONS_TOKEN", ""),  # endpoints.yml needs it
            "TRACKER_STORE_URL": f"sqlite:///{self.workdir / 'tracker.db'}",
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{self.actions_port}/webhook",
            "DATABASE_URL": f"sqlite:///{self.workdir / 'participants.db'}",
        }
        return base_env(**{**own, **self.extra_env})  # extra_env overrides the defaults

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def webhook(self) -> str:
        return f"{self.rasa_url}/webhooks/rest/webhook"

    def _log(self, name: str) -> Path | None:
        return self.workdir / f"{name}.log" if self.logs else None

    def start_actions(self) -> None:
        self.actions = start(actions_command(self.actions_port), self.env, self._log("actions"))

    def start_rasa(self) -> None:
        command = [sys.executable, "-m", "bot.run_rasa", "run", "--model", str(self.model)]
        command += ["--port", str(self.rasa_port), "--endpoints", "endpoints.yml"]
        command += ["--credentials", "credentials.yml"]
        self.rasa = start(command, self.env, self._log("rasa"))

    def wait(self) -> None:
        assert self.actions and self.rasa
        health = f"http://127.0.0.1:{self.actions_port}/health"
        wait_until_up(health, self.actions, self._log("actions"))
        wait_until_up(f"{self.rasa_url}/", self.rasa, self._log("rasa"))

    def start(self) -> None:
        """Both servers, once each answers."""
        self.start_actions()
        self.start_rasa()
        self.wait()

    def stop_actions(self) -> None:
        assert self.actions
        stop(self.actions)

    def restart_actions(self) -> None:
        self.start_actions()
        self.wait()

    def restart_rasa(self) -> None:
        assert self.rasa
        stop(self.rasa)
        self.start_rasa()
        self.wait()

    def close(self) -> None:
        for process in (self.rasa, self.actions):
            if process:
                stop(process)
