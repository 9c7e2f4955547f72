"""Three measured fixes for Rasa 3.6's per-message costs (`bot.patches.install_rasa`).
All keep Rasa's behaviour exactly; they only stop redoing the same work
(docs/benchmarks.md, bench/speedups.py).
"""

from __future__ import annotations

import asyncio
from functools import lru_cache
from typing import Any

import aiohttp
import jsonschema
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core import events
from rasa.utils.endpoints import EndpointConfig

# What these replace (bot/patches/__init__.py): Rasa's code, and how it uses aiohttp's
# sessions.
LIBRARIES = ("rasa", "aiohttp")
# Rasa's own code, for the tests that compare.
RASA_RESOLVE_BY_TYPE = events.Event.resolve_by_type
RASA_VALIDATE_ACTION_RESULT = RemoteAction._validate_action_result
RASA_SESSION = EndpointConfig.session


def memoise_event_type_lookup() -> None:
    """Rasa resolves each stored event's class by walking every Event subclass, for
    every event of the conversation on every message; the set of classes is fixed once
    Rasa is imported, so the lookup is memoised (idempotent)."""
    current = events.Event.resolve_by_type
    if getattr(current, "cache_info", None):
        return
    cached = lru_cache(maxsize=None)(current)
    events.Event.resolve_by_type = staticmethod(cached)


@lru_cache(maxsize=1)
def _action_response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """Rasa's check of an action server's reply, with the validator built once:
    `jsonschema.validate` checks the schema itself against its metaschema on every
    call, about 35 ms per custom action on this machine."""
    error = jsonschema.exceptions.best_match(_action_response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def cache_action_result_validator() -> None:
    """Install `_validate_action_result` on Rasa's RemoteAction (idempotent)."""
    RemoteAction._validate_action_result = _validate_action_result


class _KeptSession:
    """`async with` over a long-lived session, which leaving does not close."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(self, *_: object) -> None:
        return None


def _kept_session(self: EndpointConfig) -> Any:
    """One session per endpoint and event loop: Rasa opens a new session, hence a new
    connection, for every action call; under load each costs a turn of the event loop
    behind every other conversation, and a registration check makes several."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return RASA_SESSION(self)
    sessions: dict[Any, aiohttp.ClientSession] = self.__dict__.setdefault("_sessions", {})
    session = sessions.get(loop)
    if session is None or session.closed:
        session = sessions[loop] = RASA_SESSION(self)
    return _KeptSession(session)


def keep_endpoint_sessions() -> None:
    """Install `_kept_session` on Rasa's EndpointConfig (idempotent)."""
    EndpointConfig.session = _kept_session


def install() -> None:
    """All three (versions checked by `bot.patches.install_rasa`)."""
    memoise_event_type_lookup()
    cache_action_result_validator()
    keep_endpoint_sessions()
