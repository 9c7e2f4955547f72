"""Webhook deliveries: the first arrival is claimed, a copy is not, a released claim
can be claimed again; on the project database (SQLite, PostgreSQL) and on Redis."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.channels.deliveries import DeliveryLog, RedisDeliveryLog, SqlDeliveryLog
from bot.participants.migrate import upgrade
from bot.participants.store import create_engine
from tests.conftest import unavailable

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(params=["database", "redis"])
async def log(request: pytest.FixtureRequest, database_url: str) -> AsyncIterator[DeliveryLog]:
    if request.param == "redis":
        probe = Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        try:
            await probe.ping()
        except RedisError as error:
            unavailable(f"no Redis at {REDIS_URL} ({type(error).__name__}): `make check` starts it")
        finally:
            await probe.close()
        deliveries: DeliveryLog = RedisDeliveryLog(REDIS_URL)
    else:
        upgrade(database_url)
        deliveries = SqlDeliveryLog(create_engine(database_url))
    yield deliveries
    await deliveries.close()


async def test_a_delivery_is_claimed_once(log: DeliveryLog) -> None:
    delivery = uuid.uuid4().hex
    assert await log.claim("telegram", delivery) is True
    assert await log.claim("telegram", delivery) is False
    assert await log.claim("twilio", delivery) is True  # another provider's id space
    await log.release("telegram", delivery)
    assert await log.claim("telegram", delivery) is True


async def test_an_unreachable_log_lets_the_delivery_through(tmp_path: object) -> None:
    broken = SqlDeliveryLog(sa.create_engine("sqlite:///file:nowhere?mode=ro&uri=true"))
    assert await broken.claim("telegram", "1") is True
    assert await RedisDeliveryLog("redis://127.0.0.1:1/0").claim("telegram", "1") is True
