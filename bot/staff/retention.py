"""Erasure and purge: a conversation's events leave the tracker store, the console's
rows about it (tags, notes, marks, labels, its summary index and search rows) are
deleted, and the rows that name its sender in the audit are rewritten with a keyed
hash; both are audited.

The retention period (LOG_RETENTION_DAYS) is applied by the running app: `run_daily`,
a task started by the console (bot/staff/app.py), purges once a day. Several replicas
share the project database: each one wakes up, and the one whose conditional UPDATE of
`staff_jobs` (last run older than a day) changes the row runs the purge; the others see
no row changed and wait."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.participants.store import dialect_insert
from bot.staff.accounts import StaffStore
from bot.staff.conversations import Conversations
from bot.staff.index import Index
from bot.staff.reviews import Reviews
from bot.staff.schema import staff_jobs

logger = logging.getLogger(__name__)

RETENTION_JOB = "retention"
RETENTION_ACTOR = "retention"  # the audit's actor of the daily purge
PERIOD = timedelta(days=1)


def erase(conversations: Conversations, store: StaffStore, sender_id: str, actor: str) -> int:
    """Remove one person's conversation; returns how many events were deleted."""
    deleted, newest = conversations.erase(sender_id)
    with store.engine.begin() as connection:
        Reviews.forget(connection, [sender_id])
        Index.forget(connection, [sender_id], newest)
        hashed = store.forget_sender(connection, sender_id)
        store.audit(actor, "erase", hashed, f"{deleted} events", connection=connection)
    return deleted


def purge(
    conversations: Conversations, store: StaffStore, days: int, actor: str, now: datetime
) -> int:
    """Remove every conversation with no event in the last `days` days; returns how
    many."""
    senders, newest = conversations.purge(now - timedelta(days=days))
    with store.engine.begin() as connection:
        Reviews.forget(connection, senders)
        Index.forget(connection, senders, newest)
        for sender_id in senders:
            store.forget_sender(connection, sender_id)
        store.audit(
            actor,
            "purge",
            None,
            f"{len(senders)} conversations older than {days} days",
            connection=connection,
        )
    return len(senders)


def replica_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def try_claim(
    engine: Engine, job: str, now: datetime, period: timedelta = PERIOD, by: str = ""
) -> tuple[bool, datetime | None]:
    """(taken, previous last run): one conditional UPDATE, so that of several
    replicas asking at once, exactly one gets `taken` for the period."""
    by = by or replica_name()
    with engine.begin() as connection:
        job_row = dialect_insert(connection, staff_jobs).values(name=job)
        connection.execute(job_row.on_conflict_do_nothing())  # there already: the usual case
        previous = connection.execute(
            sa.select(staff_jobs.c.last_run_at).where(staff_jobs.c.name == job)
        ).scalar_one_or_none()
        due = sa.or_(staff_jobs.c.last_run_at.is_(None), staff_jobs.c.last_run_at <= now - period)
        if previous is None:
            same = staff_jobs.c.last_run_at.is_(None)
        else:
            same = staff_jobs.c.last_run_at == previous
        changed = connection.execute(
            staff_jobs.update()
            .where(staff_jobs.c.name == job, due, same)
            .values(last_run_at=now, run_by=by)
        ).rowcount
    return changed == 1, previous


def release(engine: Engine, job: str, taken_at: datetime, previous: datetime | None) -> None:
    """After a failed run, give the period back (if nobody took it since)."""
    with engine.begin() as connection:
        connection.execute(
            staff_jobs.update()
            .where(staff_jobs.c.name == job, staff_jobs.c.last_run_at == taken_at)
            .values(last_run_at=previous)
        )


def next_due(engine: Engine, job: str, now: datetime, period: timedelta = PERIOD) -> float:
    """Seconds until the job is due again (0 if it is due, or never ran)."""
    with engine.connect() as connection:
        last: datetime | None = connection.execute(
            sa.select(staff_jobs.c.last_run_at).where(staff_jobs.c.name == job)
        ).scalar_one_or_none()
    if last is None:
        return 0.0
    if last.tzinfo is None:
        last = last.replace(tzinfo=now.tzinfo)
    return max(0.0, (last + period - now).total_seconds())


def apply_retention(
    conversations: Conversations, store: StaffStore, days: int, now: datetime
) -> int | None:
    """The daily purge if this replica takes today's run; how many conversations it
    removed, or None if another replica ran it in the last day."""
    taken, previous = try_claim(store.engine, RETENTION_JOB, now)
    if not taken:
        return None
    try:
        return purge(conversations, store, days, RETENTION_ACTOR, now)
    except Exception:
        release(store.engine, RETENTION_JOB, now, previous)
        raise


async def run_daily(
    conversations: Conversations,
    store: StaffStore,
    days: int,
    clock: Callable[[], datetime],
    first_delay: float,
    check_interval: float,
) -> None:
    """Forever: wait, apply the retention if it is due, wait until it is due again
    (at most `check_interval` seconds, so that a replica takes over when another one
    stops). Errors are logged and the loop goes on; cancelling it ends it."""
    await asyncio.sleep(first_delay)
    while True:
        wait = check_interval
        try:
            count = await asyncio.to_thread(apply_retention, conversations, store, days, clock())
            if count is not None:
                logger.info("staff: retention of %d days: %d conversation(s) purged", days, count)
            wait = min(
                check_interval,
                await asyncio.to_thread(next_due, store.engine, RETENTION_JOB, clock()),
            )
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - logged; the app goes on, the next check retries
            logger.exception("staff: the daily retention purge failed")
        await asyncio.sleep(max(wait, check_interval / 100, 0.001))
