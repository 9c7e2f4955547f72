"""Telegram channel: POST /webhooks/telegram/webhook, replies through the Bot API.

Rasa 3.6's own Telegram channel trusts any caller and calls `setWebhook` on the
internet at start-up. This one:
- refuses an update unless `X-Telegram-Bot-Api-Secret-Token` is the secret given to
  `setWebhook` (401 when missing, 403 when wrong), before reading anything else;
- never calls Telegram at start-up (`python -m bot telegram set-webhook` does it);
- takes the conversation's first language from `from.language_code`;
- answers stickers, photos, locations and other non-text updates, and edited
  messages, with a polite reply in the conversation's language (wording in the domain);
- turns quick replies into inline keyboards and their taps back into payloads, when
  the tapped button is one the assistant showed in this conversation;
- answers a text over the channel limit politely, without reading it;
- handles an `update_id` once: Telegram's retries of an update get no second answer;
- sends outside a turn too (`get_output_channel`: a staff reply through Rasa's HTTP
  API with `output_channel=latest`), to the chat the conversation id names.
Configuration: TELEGRAM_BOT_TOKEN, TELEGRAM_SECRET_TOKEN, TELEGRAM_API_URL (for tests).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
from typing import Any, Awaitable, Callable

import aiohttp
from rasa.core.agent import Agent
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import settings
from bot.channels.common import (
    EDITED_MESSAGE,
    UNSUPPORTED_MESSAGE,
    CountingOutput,
    PushFailed,
    bound_request_size,
    handle_never_silent,
    offered_payload,
    readable_text,
    sender_key,
    typed_text,
)
from bot.channels.deliveries import DeliveryLog
from bot.channels.http_client import (
    OutboundClient,
    not_configured,
    open_delivery_log,
    provider_webhook,
)

logger = logging.getLogger(__name__)

DEFAULT_API_URL = settings.DEFAULTS["TELEGRAM_API_URL"]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_TEXT = 4096  # Telegram's limit per message
MAX_CALLBACK_DATA = 64  # bytes, Telegram's limit for an inline button's payload
COMMAND = re.compile(r"^/(\w+)(@\w+)?(\s.*)?$", re.DOTALL)
GREETING_COMMANDS = {"start", "help", "aide"}


def message_text(update_message: dict[str, Any]) -> str:
    """What Rasa should read for a Telegram message: its text, or a payload saying
    it could not be read. `/start` (Telegram's first message) is a greeting; other
    commands, and any text starting with "/", are read as words ("/dates" → "dates")."""
    text = update_message.get("text")
    if not isinstance(text, str) or not text.strip():
        return UNSUPPORTED_MESSAGE
    command = COMMAND.match(text.strip())
    if command:
        name, rest = command.group(1).lower(), (command.group(3) or "").strip()
        if name in GREETING_COMMANDS and not rest:
            return "/greet"
        return readable_text(f"{name} {rest}".strip())
    return typed_text(text) or UNSUPPORTED_MESSAGE


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut text into pieces Telegram accepts, at paragraph or line ends when possible."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = max(text.rfind("\n", 0, limit), text.rfind(" ", 0, limit))
        cut = cut if cut > 0 else limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip()
    return [*pieces, text]


def field(update: dict[str, Any], key: str) -> dict[str, Any]:
    """A nested object of an update, or {} when it is missing or not an object."""
    value = update.get(key)
    return value if isinstance(value, dict) else {}


class TelegramOutput(CountingOutput, OutputChannel):
    """Sends replies to one chat through the Bot API."""

    @classmethod
    def name(cls) -> str:
        return "telegram"

    def __init__(self, client: OutboundClient, api_url: str, token: str, chat_id: int) -> None:
        self.client = client
        self.base = f"{api_url.rstrip('/')}/bot{token}"
        self.chat_id = chat_id

    async def call(self, method: str, payload: dict[str, Any]) -> bool:
        """True when the Bot API accepted the call; a failure is logged."""
        try:
            async with self.client.session.post(f"{self.base}/{method}", json=payload) as reply:
                if reply.status == 200:
                    return True
                logger.error("telegram: %s answered %s", method, reply.status)
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            logger.error("telegram: %s failed: %s", method, type(error).__name__)
        return False

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for piece in split_text(text):
            self.count()
            await self.call("sendMessage", {"chat_id": self.chat_id, "text": piece})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        keyboard = [
            [{"text": button["title"], "callback_data": button["payload"]}]
            for button in buttons
            if len(str(button["payload"]).encode()) <= MAX_CALLBACK_DATA
        ]
        *head, last = split_text(text)
        for piece in head:
            await self.send_text_message(recipient_id, piece)
        self.count()
        await self.call(
            "sendMessage",
            {"chat_id": self.chat_id, "text": last, "reply_markup": {"inline_keyboard": keyboard}},
        )


class TelegramPushOutput(TelegramOutput):
    """Sends outside a turn: the chat is the one the conversation id names
    ("telegram:<chat id>"), and a message the Bot API refused raises PushFailed."""

    def __init__(self, client: OutboundClient, api_url: str, token: str) -> None:
        super().__init__(client, api_url, token, chat_id=0)

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        prefix = sender_key(self.name(), "")
        try:
            self.chat_id = int(recipient_id.removeprefix(prefix))
        except ValueError:
            raise PushFailed("telegram: not a Telegram conversation") from None
        await super().send_response(recipient_id, message)

    async def call(self, method: str, payload: dict[str, Any]) -> bool:
        if not await super().call(method, payload):
            raise PushFailed(f"telegram: {method} failed")
        return True


class TelegramInput(InputChannel):
    """Telegram webhook (see the module docstring)."""

    @classmethod
    def name(cls) -> str:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TelegramInput:
        credentials = credentials or {}
        return cls(
            token=credentials.get("bot_token") or settings.get("TELEGRAM_BOT_TOKEN"),
            secret=credentials.get("secret_token") or settings.get("TELEGRAM_SECRET_TOKEN"),
            api_url=credentials.get("api_url") or settings.get("TELEGRAM_API_URL"),
        )

    def __init__(self, token: str, secret: str, api_url: str = DEFAULT_API_URL) -> None:
        self.token = token
        self.secret = secret
        self.api_url = api_url
        self.client = OutboundClient()
        self.deliveries: list[DeliveryLog] = []  # opened with the server

    @property
    def configured(self) -> bool:
        return bool(self.token and self.secret)

    def get_output_channel(self) -> TelegramPushOutput:
        """For Rasa's HTTP API with `output_channel=latest` (a staff reply)."""
        return TelegramPushOutput(self.client, self.api_url, self.token)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = provider_webhook(
            self.name(),
            self.client,
            self.configured,
            "TELEGRAM_BOT_TOKEN and TELEGRAM_SECRET_TOKEN",
        )
        bound_request_size(webhook)
        open_delivery_log(webhook, self.deliveries)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.configured:
                return not_configured()
            given = request.headers.get(SECRET_HEADER)
            if not given:
                return response.json({"error": "missing_secret_token"}, status=401)
            if not given.isascii() or not hmac.compare_digest(given.encode(), self.secret.encode()):
                return response.json({"error": "invalid_secret_token"}, status=403)
            try:
                update = request.json
            except SanicException:
                update = None
            update_id = update.get("update_id") if isinstance(update, dict) else None
            if not isinstance(update_id, int) or isinstance(update_id, bool):
                return response.json({"error": "body"}, status=400)
            (deliveries,) = self.deliveries
            if not await deliveries.claim(self.name(), str(update_id)):
                return response.json({"ok": True})  # a retry of an update already answered
            agent = request.app.ctx.agent
            try:
                user_message = await self.user_message(agent, update)
            except Exception:
                await deliveries.release(self.name(), str(update_id))
                raise
            if user_message is not None:
                await handle_never_silent(agent, on_new_message, user_message)
            return response.json({"ok": True})

        return webhook

    async def user_message(self, agent: Agent, update: dict[str, Any]) -> UserMessage | None:
        """The Rasa message an update stands for; None for updates that are not a
        person writing to the bot (membership changes, channel posts...)."""
        callback = update.get("callback_query")
        if isinstance(callback, dict):
            output = self.output(field(field(callback, "message"), "chat"))
            text = callback.get("data")
            if output is None or not isinstance(text, str):
                return None
            await output.call("answerCallbackQuery", {"callback_query_id": callback.get("id")})
            sender_id = sender_key(self.name(), str(output.chat_id))
            payload = await offered_payload(agent, sender_id, text)
            return self.to_rasa(payload or UNSUPPORTED_MESSAGE, output, field(callback, "from"))
        for key, edited in (("message", False), ("edited_message", True)):
            message = update.get(key)
            if isinstance(message, dict):
                output = self.output(field(message, "chat"))
                if output is None:
                    return None
                text = EDITED_MESSAGE if edited else message_text(message)
                return self.to_rasa(text, output, field(message, "from"))
        return None

    def output(self, chat: dict[str, Any]) -> TelegramOutput | None:
        chat_id = chat.get("id")
        if not isinstance(chat_id, int) or isinstance(chat_id, bool):
            return None
        return TelegramOutput(self.client, self.api_url, self.token, chat_id)

    def to_rasa(self, text: str, output: TelegramOutput, sender: dict[str, Any]) -> UserMessage:
        language = sender.get("language_code")
        return UserMessage(
            text,
            output,
            sender_key(self.name(), str(output.chat_id)),
            input_channel=self.name(),
            metadata={"language": language} if isinstance(language, str) else {},
        )
