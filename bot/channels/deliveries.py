"""Webhooks are delivered at least once; each delivery is answered once.

Telegram resends an update, and Twilio a request, when the answer was slow or lost.
The first arrival of a delivery id claims it; a copy within RETENTION is ignored.
Claims live in the project database (`webhook_deliveries`, DATABASE_URL) by default,
or in Redis when WEBHOOK_REDIS_URL is set; never only in one process's memory, so
any replica recognises a copy. A claim is released if the turn could not be
handled, so that the provider's retry gets the answer; if the log itself cannot be
reached, the delivery is handled (a possible second answer rather than none).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta, timezone
from typing import Protocol

import sqlalchemy as sa
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot import settings
from bot.participants.schema import webhook_deliveries
from bot.participants.store import create_engine, dialect_insert

logger = logging.getLogger(__name__)

RETENTION = timedelta(hours=24)
MAX_DELIVERY_ID_CHARS = 64  # the column's width; channels refuse longer ids


class DeliveryLog(Protocol):
    async def claim(self, provider: str, delivery_id: str) -> bool:
        """True the first time `delivery_id` arrives from `provider`."""

    async def release(self, provider: str, delivery_id: str) -> None:
        """Forget a claim, so that the next copy is handled."""

    async def close(self) -> None: ...


class SqlDeliveryLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _claim(self, provider: str, delivery_id: str) -> bool:
        now = datetime.now(timezone.utc)
        insert = (
            dialect_insert(self.engine, webhook_deliveries)
            .values(provider=provider, delivery_id=delivery_id, received_at=now)
            .on_conflict_do_nothing()
        )
        with self.engine.begin() as connection:
            connection.execute(
                sa.delete(webhook_deliveries).where(
                    webhook_deliveries.c.received_at < now - RETENTION
                )
            )
            inserted: int = connection.execute(insert).rowcount
            return inserted == 1

    def _release(self, provider: str, delivery_id: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                sa.delete(webhook_deliveries).where(
                    webhook_deliveries.c.provider == provider,
                    webhook_deliveries.c.delivery_id == delivery_id,
                )
            )

    async def claim(self, provider: str, delivery_id: str) -> bool:
        try:
            return await asyncio.to_thread(self._claim, provider, delivery_id)
        except SQLAlchemyError as error:
            logger.error("%s: delivery log unreachable: %s", provider, type(error).__name__)
            return True

    async def release(self, provider: str, delivery_id: str) -> None:
        await asyncio.to_thread(self._release, provider, delivery_id)

    async def close(self) -> None:
        self.engine.dispose()


class RedisDeliveryLog:
    def __init__(self, url: str) -> None:
        self.redis = Redis.from_url(url)

    @staticmethod
    def _key(provider: str, delivery_id: str) -> str:
        return f"cmc:delivery:{provider}:{delivery_id}"

    async def claim(self, provider: str, delivery_id: str) -> bool:
        key = self._key(provider, delivery_id)
        try:
            return bool(await self.redis.set(key, 1, nx=True, ex=int(RETENTION.total_seconds())))
        except RedisError as error:
            logger.error("%s: delivery log unreachable: %s", provider, type(error).__name__)
            return True

    async def release(self, provider: str, delivery_id: str) -> None:
        await self.redis.delete(self._key(provider, delivery_id))

    async def close(self) -> None:
        await self.redis.close()


def delivery_log_from_env() -> DeliveryLog:
    redis_url = settings.get("WEBHOOK_REDIS_URL")
    return RedisDeliveryLog(redis_url) if redis_url else SqlDeliveryLog(create_engine())
