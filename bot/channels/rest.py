"""Rasa's REST channel with its input checked first, and never silent.

Rasa 3.6's own channel answers 500 to a JSON array and silently drops a message
that is not a string, and a sender id longer than the tracker store's column
fails in PostgreSQL. When the action server is down, Rasa logs the error and
answers nothing; here the person then gets `utter_service_unavailable` in the
conversation's language. Same name ("rest"), so the path stays
POST /webhooks/rest/webhook and the reply format stays Rasa's.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.common import MAX_MESSAGE_CHARS, MAX_SENDER_CHARS, silence_reply

logger = logging.getLogger(__name__)

_ERRORS = {
    "body": (
        "The body must be a JSON object.",
        "Le corps de la requête doit être un objet JSON.",
    ),
    "message": (
        '"message" must be a string.',
        "« message » doit être une chaîne de caractères.",
    ),
    "message_length": (
        f'"message" must be at most {MAX_MESSAGE_CHARS} characters.',
        f"« message » ne doit pas dépasser {MAX_MESSAGE_CHARS} caractères.",
    ),
    "sender": (
        f'"sender" must be a non-empty string of at most {MAX_SENDER_CHARS} characters.',
        f"« sender » doit être une chaîne non vide d'au plus {MAX_SENDER_CHARS} caractères.",
    ),
    "metadata": (
        '"metadata" must be a JSON object.',
        "« metadata » doit être un objet JSON.",
    ),
}


def request_error(body: Any) -> str | None:
    """The key of the first problem with a REST request body, or None if it is valid."""
    if not isinstance(body, dict):
        return "body"
    message = body.get("message")
    if not isinstance(message, str):
        return "message"
    if len(message) > MAX_MESSAGE_CHARS:
        return "message_length"
    sender = body.get("sender", "default")
    if not isinstance(sender, str) or not sender or len(sender) > MAX_SENDER_CHARS:
        return "sender"
    if body.get("metadata") is not None and not isinstance(body["metadata"], dict):
        return "metadata"
    return None


def error_response(key: str, status: int = 400) -> HTTPResponse:
    english, french = _ERRORS[key]
    return response.json({"error": key, "message": {"en": english, "fr": french}}, status=status)


class ValidatedRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = request.json
            except SanicException:
                return error_response("body")
            key = request_error(body)
            if key:
                return error_response(key)
            sender_id = body.get("sender", "default")
            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(
                        body["message"],
                        collector,
                        sender_id,
                        input_channel=self.name(),
                        metadata=body.get("metadata"),
                    )
                )
            except Exception as error:  # noqa: BLE001 - the person still gets an answer
                # The type only: an error's text can quote what the person wrote.
                logger.error("rest channel: turn failed: %s", type(error).__name__)
            if not collector.messages:
                reply = await silence_reply(request.app.ctx.agent, sender_id, self.name())
                return response.json([{"recipient_id": sender_id, **reply}])
            return response.json(collector.messages)

        return webhook
