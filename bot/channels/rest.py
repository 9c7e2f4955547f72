"""Rasa's REST channel with its input checked first.

Rasa 3.6's own channel answers 500 to a JSON array and silently drops a message
that is not a string, and a sender id longer than the tracker store's column
fails in PostgreSQL. Same name ("rest"), so the path stays
POST /webhooks/rest/webhook and the reply format stays Rasa's.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

MAX_MESSAGE_CHARS = 50_000
MAX_SENDER_CHARS = 255  # the tracker store's sender_id column

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
        webhook = super().blueprint(on_new_message)

        @webhook.middleware("request")
        async def validate(request: Request) -> HTTPResponse | None:
            if request.method != "POST":
                return None
            try:
                body = request.json
            except SanicException:
                return error_response("body")
            key = request_error(body)
            return error_response(key) if key else None

        return webhook
