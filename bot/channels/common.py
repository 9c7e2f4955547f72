"""What every channel shares: input limits, and a reply even when the bot stays silent."""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable

from rasa.core.agent import Agent
from rasa.core.channels.channel import OutputChannel, UserMessage

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 50_000
MAX_SENDER_CHARS = 255  # the tracker store's sender_id column
SILENCE_RESPONSE = "utter_service_unavailable"
# Payloads sent by the channels themselves for what a person sent but cannot be read.
UNSUPPORTED_MESSAGE = "/unsupported_message"
EDITED_MESSAGE = "/edited_message"


async def silence_reply(agent: Agent, sender_id: str, channel: str) -> dict[str, Any]:
    """`utter_service_unavailable` in the conversation's language, for a turn that
    produced no reply at all (the action server is down, for example)."""
    tracker = await agent.tracker_store.get_or_create_tracker(sender_id)
    message = await agent.processor.nlg.generate(SILENCE_RESPONSE, tracker, channel)
    return dict(message or {})


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


def typed_text(text: str) -> str:
    """Text a person typed, to be read as text: Rasa takes a message starting with "/"
    as an intent with entities, which only the channels' own payloads may be."""
    return text.lstrip("/").strip() if text.startswith("/") else text
