"""Rasa's check of action server replies, with the validator built once, behaves as
Rasa's own (`jsonschema.validate` on every call)."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot import speedups

VALID = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "language", "value": "en"}], "responses": []},
    {"responses": [{"response": "utter_greet"}]},
]
INVALID = [
    {"events": [{"event": "no_such_event"}]},
    {"events": "not a list"},
    {"responses": [{"text": 3}], "events": [{"name": "x"}]},
]


@pytest.fixture
def action() -> RemoteAction:
    speedups.install()
    return RemoteAction("action_check_registration", None)


@pytest.mark.parametrize("result", VALID)
def test_valid_replies_pass_as_with_rasa(action: RemoteAction, result: dict[str, Any]) -> None:
    jsonschema.validate(result, RemoteAction.action_response_format_spec())
    assert action._validate_action_result(result) is True


@pytest.mark.parametrize("result", INVALID)
def test_invalid_replies_fail_as_with_rasa(action: RemoteAction, result: dict[str, Any]) -> None:
    with pytest.raises(jsonschema.ValidationError) as rasa_error:
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError) as ours:
        action._validate_action_result(result)
    assert ours.value.message.startswith(rasa_error.value.message)
    assert "Failed to validate Action server response" in ours.value.message


def test_installing_twice_is_harmless() -> None:
    speedups.install()
    speedups.install()
    assert RemoteAction._validate_action_result is speedups._validate_action_result


async def test_action_calls_reuse_one_connection(aiohttp_server: Any) -> None:
    """Rasa opens a session, so a connection, per action call; kept, it is reused.
    The answers are Rasa's own (`EndpointConfig.request`)."""
    from aiohttp import web
    from rasa.utils.endpoints import EndpointConfig

    peers: set[Any] = set()

    async def webhook(request: web.Request) -> web.Response:
        peers.add(request.transport.get_extra_info("peername") if request.transport else None)
        return web.json_response({"events": [], "responses": []})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    server = await aiohttp_server(app)
    speedups.install()
    endpoint = EndpointConfig(str(server.make_url("/webhook")), headers={"X": "1"})
    for _ in range(3):
        assert await endpoint.request(json={}, method="post") == {"events": [], "responses": []}
    assert len(peers) == 1


def test_install_refuses_another_rasa_version(monkeypatch: pytest.MonkeyPatch) -> None:
    import rasa

    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    with pytest.raises(RuntimeError, match="3.6.21"):
        speedups.install()
