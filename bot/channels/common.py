"""What every channel shares: bounded input, conversations kept apart per channel,
payloads only from the assistant's own buttons, and a reply even when the bot stays
silent."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any, Awaitable, Callable

from rasa.core.agent import Agent
from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.shared.core.events import BotUttered
from sanic import Blueprint, Sanic, response
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import settings
from bot.i18n import both

logger = logging.getLogger(__name__)

# One limit for every channel: longer texts are answered politely, never read.
MAX_MESSAGE_CHARS = 4096
# Any request body (a text of MAX_MESSAGE_CHARS escaped as JSON fits several times).
MAX_BODY_BYTES = 64 * 1024
# The tracker store's sender_id column holds 255 characters, channel prefix included.
MAX_SENDER_CHARS = 200
SILENCE_RESPONSE = "utter_service_unavailable"
# Payloads sent by the channels themselves for what a person sent but cannot be read.
UNSUPPORTED_MESSAGE = "/unsupported_message"
EDITED_MESSAGE = "/edited_message"
TOO_LONG_MESSAGE = "/message_too_long"
# Metadata the assistant reads, with the longest value it accepts; anything else a
# client sends is dropped, so no metadata can grow, nest or carry odd numbers.
METADATA_LIMITS = {"language": 35, "quick_reply_title": 200}
# The reply fields a channel passes on (a response's `condition` is not one).
REPLY_FIELDS = ("text", "buttons", "image", "custom", "attachment")

_SURROGATE = re.compile("[\ud800-\udfff]")
_turn_slots: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = {}


def turn_slot() -> asyncio.Semaphore:
    """Admission to a turn, shared by every channel of the process: at most
    MAX_CONCURRENT_TURNS turns (default 8) run at once, the others wait in arrival
    order. Interleaving every pending turn instead puts each await of a turn (a call
    to the action server) behind all the others: under load, a registration check,
    which makes such calls, took five times as long as a question."""
    loop = asyncio.get_running_loop()
    if loop not in _turn_slots:
        _turn_slots[loop] = asyncio.Semaphore(int(settings.get("MAX_CONCURRENT_TURNS")))
    return _turn_slots[loop]


def sender_key(channel: str, sender: str) -> str:
    """The conversation id of `sender` on `channel`: ids are namespaced so that no
    channel can reach another's conversations ("telegram:42" is not "rest:telegram:42")."""
    return f"{channel}:{sender}"


def without_surrogates(text: str) -> str:
    """`text` with lone UTF-16 surrogates (valid JSON, not valid Unicode) replaced."""
    if not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub("\ufffd", text)


def readable_text(text: str) -> str:
    """What a channel passes on for a typed text: the text, or TOO_LONG_MESSAGE."""
    if len(text) > MAX_MESSAGE_CHARS:
        return TOO_LONG_MESSAGE
    return without_surrogates(text)


def typed_text(text: str) -> str:
    """Text a person typed, to be read as text: Rasa takes a message starting with "/"
    as an intent with entities, which only the assistant's own payloads may be."""
    text = readable_text(text)
    if text == TOO_LONG_MESSAGE:
        return text
    return text.lstrip("/").strip() if text.startswith("/") else text


def clean_metadata(value: Any) -> dict[str, str]:
    """The metadata keys the assistant uses, when they are strings of sane length."""
    if not isinstance(value, dict):
        return {}
    return {
        key: without_surrogates(item)
        for key, item in value.items()
        if key in METADATA_LIMITS and isinstance(item, str) and len(item) <= METADATA_LIMITS[key]
    }


async def offered_payload(agent: Agent, sender_id: str, text: str) -> str:
    """`text` as sent if it is the payload of a button the assistant showed in this
    conversation's current session, else `text` read as typed text."""
    text = readable_text(text)
    if not text.startswith("/") or text == TOO_LONG_MESSAGE:
        return text
    tracker = await agent.tracker_store.retrieve(sender_id)
    for event in reversed(tracker.events if tracker else []):
        if isinstance(event, BotUttered):
            buttons = (event.data or {}).get("buttons") or []
            if any(button.get("payload") == text for button in buttons):
                return text
    return typed_text(text)


def reply_message(message: dict[str, Any] | None) -> dict[str, Any]:
    return {key: message[key] for key in REPLY_FIELDS if message and message.get(key)}


async def silence_reply(agent: Agent, sender_id: str, channel: str) -> dict[str, Any]:
    """`utter_service_unavailable` in the conversation's language, for a turn that
    produced no reply at all (the action server is down, for example)."""
    tracker = await agent.tracker_store.get_or_create_tracker(sender_id)
    return reply_message(await agent.processor.nlg.generate(SILENCE_RESPONSE, tracker, channel))


def bound_request_size(blueprint: Blueprint) -> None:
    """Refuse request bodies over MAX_BODY_BYTES before reading them, with a bilingual
    413 (Sanic's default is 100 MB). The limit is the server's: every channel sets it,
    so it holds whichever channels are configured."""

    @blueprint.listener("before_server_start")
    async def limit(app: Sanic, _: Any) -> None:
        app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
        app.error_handler.add(PayloadTooLarge, too_large)


def too_large(request: Request, exception: Exception) -> HTTPResponse:
    return response.json(
        {
            "error": "body_too_large",
            "message": both("http.body_too_large", limit=MAX_BODY_BYTES),
        },
        status=413,
    )


class PushFailed(RuntimeError):
    """A message sent outside a turn (Rasa's HTTP API with `output_channel=latest`: a
    staff reply) did not reach the provider. Raised, Rasa answers the API call with an
    error and keeps nothing: the sender retries rather than believing it delivered."""


class CountingOutput:
    """Mixin for output channels: counts what was sent, so silence can be noticed."""

    sent: int = 0

    def count(self) -> None:
        self.sent += 1


async def handle_never_silent(
    agent: Agent,
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    message: UserMessage,
) -> None:
    """Run one turn; if it sent nothing, send the apology through the same channel."""
    output = message.output_channel
    assert isinstance(output, CountingOutput) and isinstance(output, OutputChannel)
    try:
        async with turn_slot():
            await on_new_message(message)
    except Exception as error:  # noqa: BLE001 - the person still gets an answer
        # The type only: an error's text can quote what the person wrote.
        logger.error("%s channel: turn failed: %s", message.input_channel, type(error).__name__)
    if output.sent:
        return
    try:
        reply = await silence_reply(agent, message.sender_id, str(message.input_channel))
        await output.send_response(message.sender_id, reply)
    except Exception as error:  # noqa: BLE001 - nothing more can be done; never a 500
        logger.error("%s channel: apology failed: %s", message.input_channel, type(error).__name__)
