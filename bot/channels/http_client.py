"""One outbound HTTP session per channel, opened on first use and closed with the server."""

from __future__ import annotations

import aiohttp
from sanic import Blueprint

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
