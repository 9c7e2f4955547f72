"""Shared fixtures: the trained model, and real Rasa + action servers on free ports."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "cmc.tar.gz"
BIN = Path(sys.executable).parent

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(
    url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 180
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"{url} exited with {process.returncode}:\n{log.read_text()[-3000:]}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise RuntimeError(f"{url} not up after {timeout} s:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def model_path() -> Path:
    assert MODEL.exists(), "no trained model: run `make train` (make test does it)"
    return MODEL


@dataclass
class Servers:
    """A running action server and Rasa server sharing one SQLite tracker store."""

    workdir: Path
    rasa_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)
    rasa: subprocess.Popen[bytes] | None = None
    actions: subprocess.Popen[bytes] | None = None

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "TRACKER_STORE_URL": f"sqlite:///{self.workdir / 'tracker.db'}",
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{self.actions_port}/webhook",
            "DATABASE_URL": f"sqlite:///{self.workdir / 'participants.db'}",
            "PARTICIPANT_HASH_KEY": "test-only-key",
            "LOG_LEVEL": "WARNING",
        }

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/webhook"

    def start_actions(self) -> None:
        log = self.workdir / "actions.log"
        self.actions = subprocess.Popen(
            [
                str(BIN / "rasa"),
                "run",
                "actions",
                "--actions",
                "actions",
                "--port",
                str(self.actions_port),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
        )

    def start_rasa(self) -> None:
        log = self.workdir / "rasa.log"
        self.rasa = subprocess.Popen(
            [
                str(BIN / "rasa"),
                "run",
                "--model",
                str(MODEL),
                "--port",
                str(self.rasa_port),
                "--endpoints",
                "endpoints.yml",
                "--credentials",
                "credentials.yml",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
        )

    def wait(self) -> None:
        assert self.actions and self.rasa
        wait_until_up(
            f"http://127.0.0.1:{self.actions_port}/health",
            self.actions,
            self.workdir / "actions.log",
        )
        wait_until_up(f"http://127.0.0.1:{self.rasa_port}/", self.rasa, self.workdir / "rasa.log")

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

    def post(self, body: Any, raw: bytes | None = None) -> tuple[int, Any]:
        data = raw if raw is not None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.webhook, data=data, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                return reply.status, json.loads(reply.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def say(
        self, sender: str, text: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        body: dict[str, Any] = {"sender": sender, "message": text}
        if metadata is not None:
            body["metadata"] = metadata
        status, replies = self.post(body)
        assert status == 200, (status, replies)
        return replies


@pytest.fixture(scope="session")
def servers(model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    running = Servers(workdir=tmp_path_factory.mktemp("servers"))
    seed = ROOT / "tests" / "data" / "participants.csv"
    subprocess.run(
        [sys.executable, "-m", "bot", "participants", "import", str(seed)],
        cwd=ROOT,
        env=running.env,
        check=True,
        capture_output=True,
    )
    running.start_actions()
    running.start_rasa()
    try:
        running.wait()
        yield running
    finally:
        for process in (running.rasa, running.actions):
            if process:
                stop(process)


@dataclass(frozen=True)
class Variant:
    response: str
    language: str
    role: str | None = None


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))


@pytest.fixture(scope="session")
def variants(domain: dict[str, Any]) -> dict[str, Variant]:
    """Every reply text the bot can send -> which response and language it is."""
    found: dict[str, Variant] = {}
    for name, options in domain["responses"].items():
        for option in options:
            condition = {c["name"]: c["value"] for c in option["condition"]}
            found[option["text"]] = Variant(name, condition["language"], condition.get("role"))
    return found


@pytest.fixture(scope="session")
def agent(model_path: Path) -> Any:
    """The trained model in process, for NLU-only checks (no tracker, no actions)."""
    from rasa.core.agent import Agent

    return Agent.load(str(model_path))
