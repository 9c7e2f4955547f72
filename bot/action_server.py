"""The action server (`python -m bot actions`): rasa_sdk's, with three changes.

* It listens on loopback (ACTIONS_HOST, default 127.0.0.1), not rasa_sdk's 0.0.0.0.
* With ACTIONS_TOKEN set, every route but /health needs `Authorization: Bearer <token>`
  (Rasa sends it: `headers:` under action_endpoint in endpoints.yml). Without the token,
  anyone who reaches the port can run actions, e.g. look up a participant's name by
  reference with no conversation recorded: an empty token is accepted only on loopback.
* A malformed action call is refused with 400 and a fixed message, and no error reply
  ever contains the request body (rasa_sdk's catch-all handler answers 500 with
  `request_body`: an action call holds the conversation, e-mail addresses included).
  Logs name only the exception type and where it was raised, never its message.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import re
import traceback
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from bot import patches

if TYPE_CHECKING:  # imported when the app is built, not with the CLI
    from sanic import Sanic
    from sanic.request import Request
    from sanic.response import HTTPResponse

from bot import settings
from bot.settings import DEFAULTS

logger = logging.getLogger(__name__)

OPEN_PATHS = frozenset({"/health"})
# Action names as Rasa writes them (domain.yml); anything else is refused before
# rasa_sdk's 404 reply, which repeats the name, can repeat arbitrary text.
ACTION_NAME = re.compile(r"[A-Za-z0-9_.\-]{1,128}")
# A token goes into a YAML plain scalar and an HTTP header: visible ASCII only.
TOKEN = re.compile(r"[!-~]+")
# Rasa compresses action calls (deflate) when COMPRESS_ACTION_SERVER_REQUEST is set.
MAX_INFLATED_BYTES = 64 * 1024 * 1024


class ConfigError(ValueError):
    """ACTIONS_HOST / ACTIONS_PORT / ACTIONS_TOKEN cannot be used as given."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        return False


@dataclass(frozen=True)
class ActionServerConfig:
    host: str = DEFAULTS["ACTIONS_HOST"]
    port: int = int(DEFAULTS["ACTIONS_PORT"])
    # Empty: no token required (loopback only, see check()).
    token: str = ""
    actions_package: str = "actions"

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, **overrides: Any
    ) -> ActionServerConfig:
        """From ACTIONS_HOST, ACTIONS_PORT and ACTIONS_TOKEN; `overrides` (not None) win."""
        values: dict[str, Any] = {
            "host": settings.get("ACTIONS_HOST", environ),
            "port": int(settings.get("ACTIONS_PORT", environ)),
            "token": settings.get("ACTIONS_TOKEN", environ),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def check(self) -> None:
        if self.token and not TOKEN.fullmatch(self.token):
            raise ConfigError("ACTIONS_TOKEN must be visible ASCII characters, no spaces")
        if not self.token and not is_loopback(self.host):
            raise ConfigError(
                f"the action server would listen on {self.host} without a token:"
                " set ACTIONS_TOKEN (and the same value for Rasa, endpoints.yml)"
            )
        if not 0 < self.port < 65536:
            raise ConfigError(f"ACTIONS_PORT {self.port} is not a TCP port")


def bad_request(reason: str) -> HTTPResponse:
    """`reason` is one of this module's fixed strings, never request data."""
    from sanic import response

    return response.json({"error": "malformed action call", "reason": reason}, status=400)


def check_action_call(call: Any) -> str | None:
    """What is wrong with an action call (a fixed description), or None if rasa_sdk can
    run it: the shapes rasa_sdk's executor and Tracker.from_dict rely on."""
    if not isinstance(call, dict):
        return "the body must be a JSON object"
    name = call.get("next_action")
    if not isinstance(name, str) or not ACTION_NAME.fullmatch(name):
        return "next_action must be an action name"
    for key in ("version", "sender_id"):
        if call.get(key) is not None and not isinstance(call[key], str):
            return f"{key} must be a string"
    if call.get("domain") is not None and not isinstance(call["domain"], dict):
        return "domain must be an object or null"
    tracker = call.get("tracker")
    if not isinstance(tracker, dict):
        return "tracker must be an object"
    if not isinstance(tracker.get("sender_id"), str):
        return "tracker.sender_id must be a string"
    if not isinstance(tracker.get("slots", {}), dict):
        return "tracker.slots must be an object"
    events = tracker.get("events", [])
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        return "tracker.events must be a list of objects"
    if tracker.get("paused") is not None and not isinstance(tracker["paused"], bool):
        return "tracker.paused must be a boolean"
    for key in ("latest_message", "active_loop", "active_form", "latest_action"):
        if tracker.get(key) is not None and not isinstance(tracker[key], dict):
            return f"tracker.{key} must be an object or null"
    for key in ("followup_action", "latest_action_name", "latest_input_channel"):
        if tracker.get(key) is not None and not isinstance(tracker[key], str):
            return f"tracker.{key} must be a string or null"
    return None


def parse_action_call(request: Request) -> tuple[Any, str | None]:
    """The body as JSON, or an error reason; inflates it as rasa_sdk does."""
    body = request.body or b""
    if request.headers.get("Content-Encoding") == "deflate":
        try:
            inflater = zlib.decompressobj()
            body = inflater.decompress(body, MAX_INFLATED_BYTES)
            if inflater.unconsumed_tail:
                return None, "the inflated body is too large"
        except zlib.error:
            return None, "the body is not deflate data"
    if not body.strip():
        return None, "the body is empty"
    try:
        return json.loads(body), None
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None, "the body is not JSON"


def _path(request: Request) -> str:
    return request.path.rstrip("/") or "/"


def _token_middleware(token: str) -> Any:
    expected = token.encode()

    async def require_token(request: Request) -> HTTPResponse | None:
        from sanic import response

        if _path(request) in OPEN_PATHS:
            return None
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            return response.json(
                {"error": "missing token"},
                status=401,
                headers={"WWW-Authenticate": 'Bearer realm="actions"'},
            )
        if not hmac.compare_digest(given.strip().encode(), expected):
            return response.json({"error": "wrong token"}, status=403)
        return None

    return require_token


async def _validate_webhook(request: Request) -> HTTPResponse | None:
    if _path(request) != "/webhook" or request.method != "POST":
        return None
    call, reason = parse_action_call(request)
    if reason is None:
        reason = check_action_call(call)
    if reason is not None:
        logger.warning("refused a malformed action call: %s", reason)
        return bad_request(reason)
    if request.headers.get("Content-Encoding") != "deflate":
        request.parsed_json = call  # rasa_sdk's handler reads request.json: parse once
    return None


def _on_error(request: Request, exception: Exception) -> HTTPResponse:
    """Replaces rasa_sdk's catch-all, which replies with str(exception) and the body."""
    from sanic import response
    from sanic.exceptions import SanicException

    if isinstance(exception, SanicException):  # 404 unknown route, 405, 413, ...
        status = getattr(exception, "status_code", None) or 500
        if status < 500:
            return response.json({"error": "request refused", "status": status}, status=status)
    frames = traceback.extract_tb(exception.__traceback__)
    where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "unknown"
    # Neither the message nor the body: either can hold a participant's details.
    logger.error("action server error: %s at %s", type(exception).__name__, where)
    return response.json({"error": "internal error"}, status=500)


def create_app(config: ActionServerConfig) -> Sanic:
    """rasa_sdk's app for `config.actions_package`, without CORS (Rasa calls it server
    to server), behind the token, with body checks and an error handler that does not
    echo requests."""
    from rasa_sdk.endpoint import create_app as create_sdk_app

    # Replaces rasa_sdk's catch-all by its key and fills Sanic's parsed body: both read
    # from these releases (bot/patches/__init__.py).
    patches.require(("rasa-sdk", "sanic"), f"{__name__}.create_app")
    app = create_sdk_app(config.actions_package, cors_origins=None)
    # Same key as rasa_sdk's @app.exception(Exception): this one replaces it.
    app.error_handler.add(Exception, _on_error)
    if config.token:
        app.middleware("request")(_token_middleware(config.token))
    app.middleware("request")(_validate_webhook)
    return cast("Sanic", app)


def serve(config: ActionServerConfig) -> None:
    """Run the server in the foreground, like `rasa run actions` (logging, plugins,
    ACTION_SERVER_SANIC_WORKERS)."""
    from rasa_sdk import utils
    from rasa_sdk.plugin import plugin_manager

    config.check()
    utils.configure_colored_logging(settings.get("LOG_LEVEL").upper())
    utils.update_sanic_log_level()
    app = create_app(config)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    if not config.token:
        logger.warning("ACTIONS_TOKEN is empty: any local process can call the actions")
    logger.info("action server on http://%s:%s", config.host, config.port)
    app.run(config.host, config.port, workers=utils.number_of_sanic_workers())
