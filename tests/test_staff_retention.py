"""The retention period applied by the running app (LOG_RETENTION_DAYS): a background
task of the staff console purges once a day, one replica per day, errors logged, and
cancelled on shutdown. A fake clock and a check interval of a few milliseconds stand
for the days. Fixtures: tests/test_staff.py's."""

# ruff: noqa: F811 - the fixtures imported from tests/test_staff.py are parameters here

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from aiohttp import web

from bot import patches
from bot.staff import app as staff_app
from bot.staff import retention
from bot.staff.accounts import StaffStore
from bot.staff.config import ConfigError, StaffConfig, retention_days
from bot.staff.conversations import Conversations, Filters, events
from bot.staff.retention import RETENTION_JOB, try_claim
from bot.staff.schema import staff_audit, staff_jobs, staff_tags
from tests.conftest import Clock
from tests.test_staff import (  # noqa: F401 - fixtures
    DAY,
    NOW,
    MakeClient,
    add_conversation,
    clock,
    config,
    project_db,
    store,
    tracker_db,
    user,
)

CHECK = 0.02  # seconds between checks in these tests


def purges(store: StaffStore) -> list[tuple[str, str]]:
    with store.engine.connect() as connection:
        return [
            (row.actor, row.detail)
            for row in connection.execute(
                sa.select(staff_audit.c.actor, staff_audit.c.detail)
                .where(staff_audit.c.action == "purge")
                .order_by(staff_audit.c.id)
            )
        ]


def senders(config: StaffConfig) -> set[str]:
    engine = sa.create_engine(config.tracker_store_url, future=True)
    try:
        with engine.connect() as connection:
            return set(connection.execute(sa.select(events.c.sender_id).distinct()).scalars())
    finally:
        engine.dispose()


async def until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met in time")


class Checks:
    """Counts each replica's completed checks (`retention.apply_retention` calls, told
    apart by their Conversations): what the tests wait for instead of a while."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.done: Counter[int] = Counter()
        real = retention.apply_retention

        def counted(conversations: Conversations, *args: Any) -> int | None:
            try:
                return real(conversations, *args)
            finally:
                self.done[id(conversations)] += 1

        monkeypatch.setattr(retention, "apply_retention", counted)

    async def more(self, replicas: int, checks: int) -> None:
        """Until each of `replicas` has completed `checks` more checks."""
        before = self.done.copy()
        await until(
            lambda: (
                len(self.done) == replicas
                and all(self.done[key] - before[key] >= checks for key in self.done)
            )
        )


async def start(aiohttp_client: MakeClient, config: StaffConfig, clock: Clock) -> web.Application:
    """One replica: the console mounted as the web app mounts it, started."""
    patches.install_web()
    app = staff_app.create_app(config, clock)
    parent = web.Application()
    parent.add_subapp("/staff", app)
    await aiohttp_client(parent)
    return app


@pytest.fixture
def retaining(config: StaffConfig) -> StaffConfig:
    return replace(
        config, retention_days=30, retention_first_delay=0.0, retention_check_interval=CHECK
    )


def test_log_retention_days_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert retention_days("") == retention_days(" 0 ") == 0
    assert retention_days("365") == 365
    for wrong in ("-1", "a year", "1.5"):
        with pytest.raises(ConfigError, match="LOG_RETENTION_DAYS"):
            retention_days(wrong)
    monkeypatch.setenv("STAFF_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("LOG_RETENTION_DAYS", "90")
    assert StaffConfig.from_env().retention_days == 90
    monkeypatch.delenv("LOG_RETENTION_DAYS")
    assert StaffConfig.from_env().retention_days == 0


def test_one_claim_per_day(store: StaffStore) -> None:
    engine = store.engine
    assert try_claim(engine, RETENTION_JOB, NOW, by="a") == (True, None)
    assert try_claim(engine, RETENTION_JOB, NOW, by="b")[0] is False
    assert try_claim(engine, RETENTION_JOB, NOW + timedelta(hours=23), by="b")[0] is False
    taken, previous = try_claim(engine, RETENTION_JOB, NOW + timedelta(days=1), by="b")
    assert (
        taken and previous is not None and previous.replace(tzinfo=None) == NOW.replace(tzinfo=None)
    )
    with engine.connect() as connection:
        assert connection.execute(sa.select(staff_jobs.c.run_by)).scalar_one() == "b"


async def test_two_replicas_purge_once_a_day(
    aiohttp_client: MakeClient,
    retaining: StaffConfig,
    store: StaffStore,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checks = Checks(monkeypatch)
    store.__init__(store.engine, clock)  # type: ignore[misc] - the same fake clock
    with store.engine.begin() as connection:  # a review row of the old conversation
        connection.execute(
            staff_tags.insert().values(sender_id="whatsapp:+41000", tag="x", at=NOW, actor="rev")
        )
    first = await start(aiohttp_client, retaining, clock)
    second = await start(aiohttp_client, retaining, clock)
    await until(lambda: len(purges(store)) == 1)
    await checks.more(replicas=2, checks=10)
    assert purges(store) == [("retention", "1 conversations older than 30 days")]
    assert "whatsapp:+41000" not in senders(retaining)
    assert len(senders(retaining)) == 3
    with store.engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(staff_tags)).scalar() == 0
    # The summary index, kept by the same replicas meanwhile, has no row of it either.
    index = first[staff_app.INDEX_KEY]
    await until(lambda: index.progress().behind == 0)
    assert {row.sender_id for row in index.page(Filters(), 1, 50)[0]} == senders(retaining)

    # The next day: one more run, by one of them, of the conversations idle since.
    engine = sa.create_engine(retaining.tracker_store_url, future=True)
    add_conversation(
        engine, "web:late", NOW.timestamp() - 31 * DAY, "en", [(user("Hi", "greet", 0.9), "Hi")]
    )
    engine.dispose()
    clock.now += timedelta(hours=23)
    await checks.more(replicas=2, checks=5)
    assert len(purges(store)) == 1 and "web:late" in senders(retaining)
    clock.now += timedelta(hours=1)
    await until(lambda: len(purges(store)) == 2)
    await checks.more(replicas=2, checks=5)
    assert len(purges(store)) == 2 and "web:late" not in senders(retaining)

    tasks = [first[staff_app.RETENTION_TASK_KEY], second[staff_app.RETENTION_TASK_KEY]]
    assert not any(task.done() for task in tasks)
    await first.shutdown()
    await first.cleanup()
    assert tasks[0].cancelled() and not tasks[1].done()


async def test_a_failing_run_is_logged_and_retried(
    aiohttp_client: MakeClient,
    retaining: StaffConfig,
    store: StaffStore,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls = []
    real = retention.purge

    def flaky(*args: object, **kwargs: object) -> int:
        calls.append(1)
        if len(calls) == 1:
            raise sa.exc.OperationalError("DELETE", {}, Exception("database is locked"))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(retention, "purge", flaky)
    caplog.set_level(logging.ERROR, logger="bot.staff.retention")
    app = await start(aiohttp_client, retaining, clock)
    await until(lambda: len(purges(store)) == 1)
    assert "daily retention purge failed" in caplog.text
    assert len(calls) == 2  # the day given back after the failure, taken again
    assert not app[staff_app.RETENTION_TASK_KEY].done()


async def test_without_a_retention_period_nothing_runs(
    aiohttp_client: MakeClient, config: StaffConfig, store: StaffStore, clock: Clock
) -> None:
    app = await start(aiohttp_client, replace(config, retention_first_delay=0.0), clock)
    assert staff_app.RETENTION_TASK_KEY not in app
    assert "staff-retention" not in {task.get_name() for task in asyncio.all_tasks()}
    assert purges(store) == [] and "whatsapp:+41000" in senders(config)
