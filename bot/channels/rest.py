"""Rasa's REST channel with its input checked first, and never silent.

Rasa 3.6's own channel answers 500 to a JSON array, silently drops a message that
is not a string, lets any caller name any conversation (`sender` "whatsapp:+33…" was
that WhatsApp user's), and joins callers without a `sender` in one shared
"default" conversation. Here:
- `sender` is required, and its conversation is "rest:<sender>": the REST channel
  only ever reaches its own conversations;
- `REST_API_TOKEN`, when set, must come as `Authorization: Bearer <token>`;
- text starting with "/" names an intent only if it is a button the assistant
  offered in this conversation; metadata keeps only the keys the assistant reads;
- a text over the channel limit gets a polite reply; when the action server is
  down, the person gets `utter_service_unavailable` in the conversation's language.
Same name ("rest"), so the path stays POST /webhooks/rest/webhook, and the reply
format stays Rasa's, `recipient_id` being the `sender` given.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import settings
from bot.channels.common import (
    MAX_SENDER_CHARS,
    bound_request_size,
    clean_metadata,
    offered_payload,
    sender_key,
    silence_reply,
    turn_slot,
    without_surrogates,
)
from bot.i18n import both

logger = logging.getLogger(__name__)


def request_error(body: Any) -> str | None:
    """The key of the first problem with a REST request body, or None if it is valid."""
    if not isinstance(body, dict):
        return "body"
    message = body.get("message")
    if not isinstance(message, str):
        return "message"
    sender = body.get("sender")
    if (
        not isinstance(sender, str)
        or not sender
        or len(sender) > MAX_SENDER_CHARS
        or without_surrogates(sender) != sender
    ):
        return "sender"
    if body.get("metadata") is not None and not isinstance(body["metadata"], dict):
        return "metadata"
    return None


def error_response(key: str, status: int = 400) -> HTTPResponse:
    message = both(f"rest.{key}", limit=MAX_SENDER_CHARS)
    return response.json({"error": key, "message": message}, status=status)


def authorised(request: Request, token: str) -> bool:
    """True when no token is configured, or the request carries it."""
    if not token:
        return True
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return (
        scheme.lower() == "bearer"
        and given.isascii()
        and hmac.compare_digest(given.encode(), token.encode())
    )


class ValidatedRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> ValidatedRestInput:
        credentials = credentials or {}
        return cls(token=credentials.get("token") or settings.get("REST_API_TOKEN"))

    def __init__(self, token: str = "") -> None:
        self.token = token

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)
        bound_request_size(webhook)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not authorised(request, self.token):
                return error_response("token", status=401)
            try:
                body = request.json
            except SanicException:
                return error_response("body")
            key = request_error(body)
            if key:
                return error_response(key)
            sender = body["sender"]
            sender_id = sender_key(self.name(), sender)
            agent = request.app.ctx.agent
            collector = CollectingOutputChannel()
            try:
                async with turn_slot():
                    await on_new_message(
                        UserMessage(
                            await offered_payload(agent, sender_id, body["message"]),
                            collector,
                            sender_id,
                            input_channel=self.name(),
                            metadata=clean_metadata(body.get("metadata")),
                        )
                    )
            except Exception as error:  # noqa: BLE001 - the person still gets an answer
                # The type only: an error's text can quote what the person wrote.
                logger.error("rest channel: turn failed: %s", type(error).__name__)
            messages = collector.messages or [await silence_reply(agent, sender_id, self.name())]
            return response.json([{**message, "recipient_id": sender} for message in messages])

        return webhook
