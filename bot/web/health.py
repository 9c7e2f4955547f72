"""/health: is each part the assistant needs up? Checked concurrently, each with a timeout."""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import aiohttp
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.participants import migrate
from bot.participants.schema import participants

if TYPE_CHECKING:
    from bot.web.app import WebConfig


async def http_ok(http: aiohttp.ClientSession, url: str) -> None:
    async with http.get(url) as reply:
        if reply.status != 200:
            raise RuntimeError(f"HTTP {reply.status}")


@functools.lru_cache(maxsize=1)
def _head() -> frozenset[str]:
    """The migrations' head, read once: the scripts do not change under a running app."""
    return frozenset(migrate.script_heads())


def database_ok(engine: Engine) -> None:
    """The database is at the migrations' head (never migrated here: `db upgrade`)
    and the participant table can be read."""
    with engine.connect() as connection:
        migrate.check_head(connection, _head())
        connection.execute(sa.select(participants.c.reference).limit(1)).all()


async def timed(check: Callable[[], Awaitable[None]], timeout: float) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(check(), timeout)
    except Exception as error:  # noqa: BLE001 - any failure means "down"
        # Only our own messages are shown: a driver's may hold a host or a query.
        own = isinstance(error, RuntimeError)
        return {"status": "down", "error": str(error) if own else type(error).__name__}
    return {"status": "up", "latency_ms": round((time.perf_counter() - started) * 1000, 1)}


async def check_all(
    config: WebConfig, http: aiohttp.ClientSession, engine: Engine
) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    checks: dict[str, Callable[[], Awaitable[None]]] = {
        # The widget's channel answers 200 only once the model is loaded.
        "rasa": lambda: http_ok(http, f"{config.rasa_url.rstrip('/')}/webhooks/socketio/"),
        "action_server": lambda: http_ok(http, config.actions_health_url),
        "database": lambda: loop.run_in_executor(None, database_ok, engine),
    }
    results = await asyncio.gather(
        *(timed(check, config.health_timeout) for check in checks.values())
    )
    report = dict(zip(checks, results, strict=False))
    healthy = all(result["status"] == "up" for result in report.values())
    return {"status": "ok" if healthy else "degraded", "checks": report}
