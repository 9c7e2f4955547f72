"""WhatsApp through Twilio: POST /webhooks/twilio/webhook, replies through Twilio's API.

Rasa 3.6's own Twilio channel trusts any caller and sends with Twilio's blocking
client. This one:
- checks `X-Twilio-Signature` with Twilio's own `RequestValidator` before reading
  the message (403 when missing or wrong);
- replies through the Messages API with aiohttp, from the number the person wrote
  to, in pieces WhatsApp accepts;
- answers a photo, voice note, location... with a polite reply (wording in the domain),
  and a text over the channel limit likewise, without reading it;
- handles a `MessageSid` once: Twilio's retries of a request get no second answer;
- the conversation is "whatsapp:<number>", whatever the `From` prefix;
- acknowledges with an empty TwiML document, so Twilio sends nothing of its own;
- sends outside a turn too (`get_output_channel`: a staff reply through Rasa's HTTP
  API with `output_channel=latest`), from TWILIO_WHATSAPP_NUMBER.
Configuration: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_WHATSAPP_NUMBER (used when
the request has no `To`), TWILIO_WEBHOOK_URL (the public URL Twilio signs, when a
proxy changes it), TWILIO_API_URL (for tests).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable
from urllib.parse import parse_qsl

import aiohttp
from multidict import MultiDict
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from bot import settings
from bot.channels.common import (
    MAX_SENDER_CHARS,
    UNSUPPORTED_MESSAGE,
    CountingOutput,
    PushFailed,
    bound_request_size,
    handle_never_silent,
    sender_key,
    typed_text,
)
from bot.channels.deliveries import MAX_DELIVERY_ID_CHARS, DeliveryLog
from bot.channels.http_client import (
    OutboundClient,
    not_configured,
    open_delivery_log,
    provider_webhook,
)
from bot.channels.telegram import split_text

logger = logging.getLogger(__name__)

DEFAULT_API_URL = settings.DEFAULTS["TWILIO_API_URL"]
SIGNATURE_HEADER = "X-Twilio-Signature"
MAX_TEXT = 1600  # Twilio's limit for a WhatsApp message body
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def message_text(form: MultiDict[str]) -> str:
    """The text to read (never taken as an intent payload), or the payload saying the
    message cannot be read."""
    body = typed_text(form.get("Body", "").strip())
    return body if body else UNSUPPORTED_MESSAGE


def with_choices(text: str, buttons: list[dict[str, Any]]) -> str:
    """WhatsApp has no quick replies here: list their titles for the person to type."""
    return "\n".join([text, "", *(f"• {button['title']}" for button in buttons)])


class TwilioWhatsAppOutput(CountingOutput, OutputChannel):
    """Sends replies to one WhatsApp number through Twilio's Messages API."""

    @classmethod
    def name(cls) -> str:
        return "twilio"

    def __init__(
        self, client: OutboundClient, api_url: str, account_sid: str, auth_token: str, sender: str
    ) -> None:
        self.client = client
        self.url = f"{api_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self.auth = aiohttp.BasicAuth(account_sid, auth_token)
        self.sender = sender

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for piece in split_text(text, MAX_TEXT):
            self.count()
            await self.post({"From": self.sender, "To": recipient_id, "Body": piece})

    async def post(self, form: dict[str, str]) -> bool:
        """True when the Messages API accepted the message; a failure is logged."""
        try:
            async with self.client.session.post(self.url, data=form, auth=self.auth) as reply:
                if reply.status in (200, 201):
                    return True
                logger.error("twilio: Messages API answered %s", reply.status)
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            logger.error("twilio: Messages API failed: %s", type(error).__name__)
        return False

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_message(recipient_id, with_choices(text, buttons))


class TwilioWhatsAppPushOutput(TwilioWhatsAppOutput):
    """Sends outside a turn, from TWILIO_WHATSAPP_NUMBER to the conversation's number
    ("whatsapp:<number>", Twilio's own form); a message not accepted raises PushFailed."""

    async def post(self, form: dict[str, str]) -> bool:
        if not self.sender or not form["To"].startswith(sender_key("whatsapp", "")):
            raise PushFailed("twilio: no sender number, or not a WhatsApp conversation")
        if not await super().post(form):
            raise PushFailed("twilio: Messages API failed")
        return True


class TwilioWhatsAppInput(InputChannel):
    """Twilio WhatsApp webhook (see the module docstring)."""

    @classmethod
    def name(cls) -> str:
        return "twilio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TwilioWhatsAppInput:
        credentials = credentials or {}

        def setting(key: str, variable: str) -> str:
            return str(credentials.get(key) or settings.get(variable))

        return cls(
            account_sid=setting("account_sid", "TWILIO_ACCOUNT_SID"),
            auth_token=setting("auth_token", "TWILIO_AUTH_TOKEN"),
            whatsapp_number=setting("whatsapp_number", "TWILIO_WHATSAPP_NUMBER"),
            webhook_url=setting("webhook_url", "TWILIO_WEBHOOK_URL"),
            api_url=setting("api_url", "TWILIO_API_URL"),
        )

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        whatsapp_number: str = "",
        webhook_url: str = "",
        api_url: str = DEFAULT_API_URL,
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.whatsapp_number = whatsapp_number
        self.webhook_url = webhook_url
        self.api_url = api_url
        self.client = OutboundClient()
        self.deliveries: list[DeliveryLog] = []  # opened with the server

    @property
    def configured(self) -> bool:
        return bool(self.account_sid and self.auth_token)

    def get_output_channel(self) -> TwilioWhatsAppPushOutput:
        """For Rasa's HTTP API with `output_channel=latest` (a staff reply)."""
        return TwilioWhatsAppPushOutput(
            self.client, self.api_url, self.account_sid, self.auth_token, self.whatsapp_number
        )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = provider_webhook(
            self.name(), self.client, self.configured, "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"
        )
        bound_request_size(webhook)
        open_delivery_log(webhook, self.deliveries)
        validator = RequestValidator(self.auth_token)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.configured:
                return not_configured()
            # Parsed here rather than by Sanic, which drops empty fields ("Body=" with a
            # photo) that Twilio signs; a MultiDict keeps repeated fields, also signed.
            form = MultiDict(
                parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True)
            )
            signature = request.headers.get(SIGNATURE_HEADER, "")
            try:
                valid = bool(signature) and validator.validate(
                    self.webhook_url or request.url, form, signature
                )
            except ValueError:  # a Host header that is not a host (no URL to check)
                valid = False
            if not valid:
                return response.json({"error": "invalid_signature"}, status=403)
            number = form.get("From", "").removeprefix("whatsapp:")
            message_sid = form.get("MessageSid", "")
            if (
                not number
                or len(number) > MAX_SENDER_CHARS
                or not message_sid
                or len(message_sid) > MAX_DELIVERY_ID_CHARS
            ):
                return response.json({"error": "body"}, status=400)
            (deliveries,) = self.deliveries
            if not await deliveries.claim(self.name(), message_sid):
                return response.text(EMPTY_TWIML, content_type="text/xml")  # a retry
            output = TwilioWhatsAppOutput(
                self.client,
                self.api_url,
                self.account_sid,
                self.auth_token,
                form.get("To") or self.whatsapp_number,
            )
            message = UserMessage(
                message_text(form),
                output,
                sender_key("whatsapp", number),
                input_channel=self.name(),
            )
            await handle_never_silent(request.app.ctx.agent, on_new_message, message)
            return response.text(EMPTY_TWIML, content_type="text/xml")

        return webhook
