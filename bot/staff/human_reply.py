"""Replying as a person: a reviewer's message reaches the user in their conversation,
through the channel they used, marked as coming from IOM staff.

It goes through Rasa's own HTTP API (enabled with RASA_API_TOKEN, bot/run_rasa.py):
one `POST /conversations/{id}/tracker/events?output_channel=latest&execute_side_effects=true`
appends a bot utterance under the conversation's lock, and Rasa sends it through the
output channel of the conversation's latest input channel (each channel's
`get_output_channel`). The tracker stores it as any bot message, so transcripts, the
widget's history and exports show it. If the channel cannot deliver it, Rasa answers
with an error and stores nothing.

A REST conversation cannot receive a message it did not ask for (its replies are the
answer to its own request): the console refuses those."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

import aiohttp

from bot import i18n
from bot.settings import DEFAULT_LANGUAGE, LANGUAGES
from bot.staff.conversations import STAFF_REPLY, channel_of

REPLY_MAX = 2000  # characters a reviewer may send at once (the note keeps it whole)
PUSH_CHANNELS = ("web", "telegram", "whatsapp")  # conversations a reply can reach
TIMEOUT = aiohttp.ClientTimeout(total=20)
# Marks the bot event in the tracker, so the transcript can tell it from the assistant's.
STAFF_METADATA = {STAFF_REPLY: True}


class ReplyError(Exception):
    """The reply was not sent; `key` names the message (bot/messages.yml, `staff.`)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def refusal(sender_id: str, api_token: str) -> str | None:
    """Why this console cannot reply in this conversation (a message key), or None."""
    if channel_of(sender_id) not in PUSH_CHANNELS:
        return "reply_channel_refused"
    if not api_token:
        return "reply_not_configured"
    return None


def marked(text: str, language: str | None) -> str:
    """What the user reads: the reply under the IOM staff marker, in the conversation's
    language."""
    return i18n.text(
        "staff.reply_marker", language if language in LANGUAGES else DEFAULT_LANGUAGE, reply=text
    )


def clean(text: str) -> str:
    """The reply as typed, line ends normalised; ReplyError if empty or too long."""
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise ReplyError("error_reply_empty")
    if len(text) > REPLY_MAX:
        raise ReplyError("error_reply_long")
    return text


async def send(rasa_url: str, api_token: str, sender_id: str, text: str) -> None:
    """Append `text` to the conversation as a bot utterance and send it through the
    user's channel; ReplyError("error_reply_failed") unless Rasa confirms it."""
    url = f"{rasa_url.rstrip('/')}/conversations/{quote(sender_id, safe=':+@')}/tracker/events"
    params = {"output_channel": "latest", "execute_side_effects": "true", "token": api_token}
    event = {"event": "bot", "text": text, "metadata": STAFF_METADATA}
    try:
        async with (
            aiohttp.ClientSession(timeout=TIMEOUT) as session,
            session.post(url, params=params, json=[event]) as reply,
        ):
            if reply.status != 200:
                raise ReplyError("error_reply_failed")
    except (aiohttp.ClientError, asyncio.TimeoutError):
        raise ReplyError("error_reply_failed") from None
