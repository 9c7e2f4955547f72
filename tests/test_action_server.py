"""The action server (`python -m bot actions`, bot/action_server.py): on loopback by
default, behind ACTIONS_TOKEN, and refusing malformed action calls with 400 without
repeating them. Most checks run the Sanic app in this process on a free port."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import urllib.error
import urllib.request
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import rasa_sdk
from click.testing import CliRunner
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sanic import Sanic

from bench.servers import (
    ROOT,
    actions_command,
    base_env,
    free_port,
    start,
    stop,
    wait_until_up,
)
from bot import action_server
from bot.__main__ import cli
from bot.action_server import ActionServerConfig

TOKEN = "test-actions-token"
MARKER = "jeanne.secret-marker@example.org"  # what a body can hold and no reply may echo
AUTH = {"Authorization": f"Bearer {TOKEN}"}


class ActionThatFails(Action):
    """Registered with the app's actions (rasa_sdk registers every Action subclass);
    its exception message carries tracker data, as a real bug's could."""

    def name(self) -> str:
        return "test_action_that_fails"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        raise RuntimeError(f"cannot handle {tracker.sender_id}")


def action_call(next_action: str = "action_session_start", **extra: Any) -> dict[str, Any]:
    """The smallest call rasa_sdk runs, as Rasa 3.6 shapes it (the version stops
    rasa_sdk's compatibility warning, an error under this suite's filterwarnings)."""
    return {
        "next_action": next_action,
        "sender_id": "someone",
        "version": rasa_sdk.__version__,
        "tracker": {
            "sender_id": "someone",
            "slots": {"language": "fr", "session_started_metadata": None},
            "latest_message": {},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
        "domain": None,
        **extra,
    }


@pytest.fixture(autouse=True)
def sanic_test_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """As Sanic's own test clients do: several apps named "rasa_sdk" in one process, and
    Sanic's start-up rewrite of its request handling (TouchUp) applied to the original
    methods each time."""
    monkeypatch.setattr(Sanic, "test_mode", True)


@contextlib.asynccontextmanager
async def running(token: str = "") -> AsyncIterator[str]:
    """bot.action_server.create_app on a free loopback port; yields its base URL."""
    app = action_server.create_app(ActionServerConfig(token=token))
    port = free_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    assert server is not None
    await server.startup()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        await server.wait_closed()


async def call_server(
    url: str, method: str = "POST", data: bytes | str | None = None, **headers: str
) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, url, data=data, headers=headers) as reply,
    ):
        return reply.status, await reply.text()


@pytest.fixture
async def guarded() -> AsyncIterator[str]:
    async with running(TOKEN) as url:
        yield url


@pytest.fixture
async def open_server() -> AsyncIterator[str]:
    async with running() as url:
        yield url


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [("POST", "/webhook", json.dumps(action_call())), ("GET", "/actions", None)],
)
async def test_the_token_is_required_when_set(
    guarded: str, method: str, path: str, body: str | None
) -> None:
    url = guarded + path
    status, text = await call_server(url, method, body)
    assert status == 401, text
    assert json.loads(text) == {"error": "missing token"}
    assert (await call_server(url, method, body, Authorization="Bearer wrong-token"))[0] == 403
    assert (await call_server(url, method, body, Authorization=TOKEN))[0] == 401  # no scheme
    # Rasa's `token:` endpoint setting (a query parameter, logged with the URL) is not used.
    assert (await call_server(f"{url}?token={TOKEN}", method, body))[0] == 401
    status, text = await call_server(url, method, body, **AUTH)
    assert status == 200, text


async def test_health_is_the_only_route_open_without_the_token(guarded: str) -> None:
    status, text = await call_server(f"{guarded}/health", "GET")
    assert (status, json.loads(text)) == (200, {"status": "ok"})
    for method, path in (("GET", "/actions"), ("POST", "/webhook"), ("GET", "/elsewhere")):
        assert (await call_server(guarded + path, method))[0] == 401, path


def with_tracker(**fields: Any) -> dict[str, Any]:
    call = action_call()
    call["tracker"] = {**call["tracker"], **fields}
    return call


MALFORMED: dict[str, bytes] = {
    "not JSON": f'{{"next_action": "action_session_start", "email": "{MARKER}"'.encode(),
    "not UTF-8": b'{"email": "\xff' + MARKER.encode() + b'"}',
    "a list": json.dumps([MARKER]).encode(),
    "a string": json.dumps(MARKER).encode(),
    "no next_action": json.dumps({**action_call(), "next_action": None, "x": MARKER}).encode(),
    "next_action a number": json.dumps(action_call(next_action=7, x=MARKER)).encode(),  # type: ignore[arg-type]
    "next_action not a name": json.dumps(action_call(next_action=f"ask {MARKER}")).encode(),
    "no tracker": json.dumps({**action_call(), "tracker": None, "x": MARKER}).encode(),
    "tracker a list": json.dumps(action_call(tracker=[MARKER])).encode(),
    "tracker without sender_id": json.dumps(action_call(tracker={"slots": {"e": MARKER}})).encode(),
    "slots a list": json.dumps(with_tracker(slots=[MARKER])).encode(),
    "events not objects": json.dumps(with_tracker(events=[MARKER])).encode(),
    "latest_message a string": json.dumps(with_tracker(latest_message=MARKER)).encode(),
    "domain a string": json.dumps(action_call(domain=MARKER)).encode(),
    "version a number": json.dumps(action_call(version=3.6, x=MARKER)).encode(),
    "deflate, not compressed": MARKER.encode(),
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
async def test_a_malformed_call_is_refused_with_400_without_echo(
    open_server: str, body: bytes
) -> None:
    headers = {"Content-Type": "application/json"}
    if body == MALFORMED["deflate, not compressed"]:
        headers["Content-Encoding"] = "deflate"
    status, text = await call_server(f"{open_server}/webhook", data=body, **headers)
    assert status == 400, text
    assert MARKER not in text and "secret-marker" not in text
    assert json.loads(text)["error"] == "malformed action call"


async def test_a_compressed_call_is_checked_and_runs(open_server: str) -> None:
    """Rasa deflates action calls when COMPRESS_ACTION_SERVER_REQUEST is true."""
    deflate = {"Content-Encoding": "deflate", "Content-Type": "application/json"}
    for body in (MALFORMED["not JSON"], MALFORMED["tracker a list"]):
        status, text = await call_server(
            f"{open_server}/webhook", data=zlib.compress(body), **deflate
        )
        assert status == 400 and MARKER not in text, text
        assert json.loads(text)["error"] == "malformed action call"
    status, text = await call_server(
        f"{open_server}/webhook", data=zlib.compress(json.dumps(action_call()).encode()), **deflate
    )
    assert status == 200, text


async def test_no_error_reply_or_log_line_contains_the_body(
    open_server: str, caplog: pytest.LogCaptureFixture
) -> None:
    failing = action_call("test_action_that_fails")
    failing["tracker"]["sender_id"] = MARKER
    caplog.set_level(logging.DEBUG)
    status, text = await call_server(f"{open_server}/webhook", data=json.dumps(failing))
    assert (status, json.loads(text)) == (500, {"error": "internal error"})
    assert "RuntimeError" in caplog.text  # what failed, and where...
    assert MARKER not in caplog.text  # ...but neither the message nor the body
    # Routing errors went through rasa_sdk's catch-all too: 500 with the body.
    for method, path, expected in (("POST", "/elsewhere", 404), ("PUT", "/webhook", 405)):
        status, text = await call_server(open_server + path, method, json.dumps({"e": MARKER}))
        assert status == expected, text
        assert MARKER not in text


async def test_an_unknown_action_is_still_404_behind_the_token(guarded: str) -> None:
    body = json.dumps(action_call("action_nobody_wrote"))
    assert (await call_server(f"{guarded}/webhook", data=body))[0] == 401
    status, text = await call_server(f"{guarded}/webhook", data=body, **AUTH)
    assert status == 404, text
    assert json.loads(text)["action_name"] == "action_nobody_wrote"


async def test_rasas_client_sends_the_token_from_endpoints_yml(
    guarded: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """endpoints.yml's `${ACTIONS_TOKEN}` reaches the server through Rasa's own
    EndpointConfig (a quoted YAML value would not be expanded, an unset one refused)."""
    from rasa.utils.endpoints import read_endpoint_config

    monkeypatch.setenv("ACTION_ENDPOINT_URL", f"{guarded}/webhook")
    monkeypatch.setenv("TRACKER_STORE_URL", "sqlite://")
    monkeypatch.setenv("ACTIONS_TOKEN", TOKEN)
    endpoint = read_endpoint_config(str(ROOT / "endpoints.yml"), "action_endpoint")
    assert endpoint is not None
    assert endpoint.headers == AUTH
    assert endpoint.token is None  # no token in URLs (access logs)
    reply = await endpoint.request(json=action_call(), method="post")
    assert reply["events"][0]["event"] == "session_started"

    monkeypatch.setenv("ACTIONS_TOKEN", "")  # `make run` on loopback: no token
    endpoint = read_endpoint_config(str(ROOT / "endpoints.yml"), "action_endpoint")
    assert endpoint is not None and endpoint.headers == {"Authorization": "Bearer "}


def test_the_command_listens_on_loopback_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    command = cli.commands["actions"]
    options = {p.name: p for p in command.params}
    assert (options["host"].default, options["host"].envvar) == ("127.0.0.1", "ACTIONS_HOST")
    assert (options["port"].default, options["port"].envvar) == (5055, "ACTIONS_PORT")
    assert ActionServerConfig.from_env({}).host == "127.0.0.1"

    started: list[tuple[str, int]] = []
    monkeypatch.setattr(Sanic, "run", lambda app, host, port, **_: started.append((host, port)))
    monkeypatch.setattr(rasa_sdk.utils, "configure_colored_logging", lambda level: None)
    monkeypatch.setattr(rasa_sdk.utils, "update_sanic_log_level", lambda: None)
    for name in ("ACTIONS_HOST", "ACTIONS_PORT", "ACTIONS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(cli, ["actions"])
    assert result.exit_code == 0, result.output
    assert started == [("127.0.0.1", 5055)]

    # Elsewhere than loopback only with a token.
    result = CliRunner().invoke(cli, ["actions"], env={"ACTIONS_HOST": "0.0.0.0"})
    assert result.exit_code == 2
    assert "ACTIONS_TOKEN" in result.output
    result = CliRunner().invoke(
        cli, ["actions"], env={"ACTIONS_HOST": "0.0.0.0", "ACTIONS_TOKEN": TOKEN}
    )
    assert result.exit_code == 0, result.output
    assert started[-1] == ("0.0.0.0", 5055)


def outside_address() -> str | None:
    """This machine's address on its default route, if it has one besides loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("192.0.2.1", 9))  # no packet is sent
        except OSError:
            return None
        address = str(sock.getsockname()[0])
    return None if address.startswith("127.") or address == "0.0.0.0" else address


@pytest.mark.slow
def test_the_command_serves_actions_with_the_token(tmp_path: Path) -> None:
    """`python -m bot actions` as scripts/run-all and tests/conftest.py start it."""
    port = free_port()
    log = tmp_path / "actions.log"
    env = base_env(ACTIONS_TOKEN=TOKEN, DATABASE_URL=f"sqlite:///{tmp_path / 'participants.db'}")
    env.pop("ACTIONS_HOST", None)
    process = start(actions_command(port), env, log)
    base = f"http://127.0.0.1:{port}"

    def post(body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        call = urllib.request.Request(f"{base}/webhook", data=body, headers=headers)
        try:
            with urllib.request.urlopen(call, timeout=30) as reply:
                return reply.status, reply.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    try:
        wait_until_up(f"{base}/health", process, log, timeout=120)
        body = json.dumps(action_call()).encode()
        assert post(body, {})[0] == 401
        status, text = post(body, AUTH)
        assert status == 200, text
        assert json.loads(text)["events"][0]["event"] == "session_started"
        status, text = post(b'{"next_action": 1, "e": "' + MARKER.encode() + b'"}', AUTH)
        assert status == 400 and MARKER not in text
        address = outside_address()
        if address is not None:
            with socket.socket() as sock:
                sock.settimeout(2)
                assert sock.connect_ex((address, port)) != 0, f"listening on {address}"
    finally:
        stop(process)
