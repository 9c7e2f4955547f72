"""`make run`'s last step (scripts/run-all): the three servers start together, Rasa's
HTTP API answers only with its token, and Ctrl-C stops them all."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, Servers, wait_until_up

API_TOKEN = "test-api-token"


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as reply:
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.slow
def test_run_all_starts_everything_guards_the_api_and_stops_on_ctrl_c(
    model_path: Path, tmp_path: Path
) -> None:
    servers = Servers(workdir=tmp_path, provider_api_url="http://127.0.0.1:9")
    env = {**servers.env, "RASA_API_TOKEN": API_TOKEN, "RASA_MODEL": str(model_path)}
    log = tmp_path / "run-all.log"
    process = subprocess.Popen(
        [str(ROOT / "scripts" / "run-all")],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    try:
        for url in (
            f"http://127.0.0.1:{servers.actions_port}/health",
            f"{servers.rasa_url}/",
            f"http://127.0.0.1:{servers.web_port}/",
        ):
            wait_until_up(url, process, log)
        tracker = f"{servers.rasa_url}/conversations/api-check/tracker"
        assert status(tracker) == 401
        assert status(f"{tracker}?token=wrong") == 401
        assert servers.say("api-check", "bonjour")
        assert status(f"{tracker}?token={API_TOKEN}") == 200

        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C
        assert process.wait(timeout=60) is not None
        deadline = time.monotonic() + 30
        ports = (servers.actions_port, servers.rasa_port, servers.web_port)
        while any(listening(port) for port in ports) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not any(listening(port) for port in ports), log.read_text()[-3000:]
    finally:
        with contextlib.suppress(ProcessLookupError):  # whatever is left of the group
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.mark.slow
def test_without_a_token_rasas_api_is_not_served(servers: Servers) -> None:
    assert status(f"{servers.rasa_url}/conversations/someone/tracker") == 404
