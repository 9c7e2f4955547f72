"""What the provider channels (Telegram, Twilio) share: one outbound HTTP session,
opened on first use and closed with the server, the log of deliveries already
handled, and the webhook blueprint's frame."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.deliveries import DeliveryLog, delivery_log_from_env

logger = logging.getLogger(__name__)

TIMEOUT = aiohttp.ClientTimeout(total=15)


class OutboundClient:
    """Holds the aiohttp session a channel uses to call its provider's API."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=TIMEOUT)
        return self._session

    def close_with(self, blueprint: Blueprint) -> None:
        @blueprint.listener("after_server_stop")
        async def close(*_: object) -> None:
            if self._session is not None:
                await self._session.close()


def provider_webhook(
    name: str, client: OutboundClient, configured: bool, settings: str
) -> Blueprint:
    """The channel's blueprint with its client closed at shutdown and GET / telling
    whether it is configured; unconfigured, a warning names the missing `settings`."""
    webhook = Blueprint(f"{name}_webhook", __name__)
    client.close_with(webhook)
    if not configured:
        logger.warning("%s: %s are not both set; the webhook refuses everything", name, settings)

    @webhook.route("/", methods=["GET"])
    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok" if configured else "not configured"})

    return webhook


def not_configured() -> HTTPResponse:
    return response.json({"error": "not_configured"}, status=503)


def open_delivery_log(blueprint: Blueprint, holder: list[DeliveryLog]) -> None:
    """The channel's log of handled deliveries, open while the server runs."""

    @blueprint.listener("before_server_start")
    async def open_log(_: Sanic, __: Any) -> None:
        holder.append(delivery_log_from_env())

    @blueprint.listener("after_server_stop")
    async def close_log(*_: object) -> None:
        while holder:
            await holder.pop().close()
