"""Participant store on SQLAlchemy 1.4 (2.0-style queries): lookups, verified checks,
the audit of attempts, and CSV import/export.

`DATABASE_URL` selects the database: an SQLite file under var/ by default,
PostgreSQL in production. The schema is created by Alembic (`make migrate`).

Throttling of checks (`ParticipantStore.check`), with failures counted over a
sliding `LOCK_WINDOW` of 15 minutes:
- per sender (conversation): 5 failures lock that sender out for 15 minutes from the
  failure that triggered it. Whoever guesses only locks himself out.
- per reference: no lock, a progressive delay. From the 5th failure on a reference,
  its next check is evaluated only `reference_delay(failures)` after the last failure
  (2 s, doubling per further failure, at most 60 s); earlier ones are refused as
  THROTTLED without looking at the e-mail. Strangers can keep a delegate waiting for
  at most a minute after their last failure, and a guesser gets at most about 68
  guesses per reference in an hour (60 an hour once the delay is at its cap).
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import QueuePool

from bot import settings
from bot.keys import local_key
from bot.nlu.formats import normalise_email, normalise_reference
from bot.participants.schema import lookup_attempts, participants

LOCK_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_CONVERSATION = 5
FREE_FAILURES_PER_REFERENCE = 5
FIRST_REFERENCE_DELAY = timedelta(seconds=2)
MAX_REFERENCE_DELAY = timedelta(seconds=60)
# Connections kept per process. The action server runs checks on its default thread
# pool (min(32, CPUs + 4) threads); SQLite takes one writer at a time anyway.
POOL_SIZE, MAX_OVERFLOW = 5, 10
SQLITE_BUSY_TIMEOUT_S = 10

MATCH, MISMATCH, LOCKED, THROTTLED = "match", "mismatch", "locked", "throttled"
PENDING = "pending"  # an attempt being evaluated: never committed as such


def database_url() -> str:
    return settings.get("DATABASE_URL")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL: readers never block the writer; NORMAL: no fsync per commit (durable at
    # checkpoints), so the audit write of every check stays cheap.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_engine(url: str | None = None) -> Engine:
    """A pooled engine: SQLAlchemy 1.4 would open a new connection per check on an
    SQLite file (NullPool); here a QueuePool, in WAL mode, shared by threads."""
    parsed = sa.engine.make_url(url or database_url())
    # hide_parameters: a failing statement's e-mail address must not reach the logs.
    options: dict[str, Any] = {"future": True, "pool_pre_ping": True, "hide_parameters": True}
    sqlite = parsed.get_backend_name() == "sqlite"
    if sqlite and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            parsed,
            poolclass=QueuePool,
            pool_size=POOL_SIZE,
            max_overflow=MAX_OVERFLOW,
            # A pooled connection is used by one thread at a time, not always the same.
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S},
            **options,
        )
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if sqlite:  # in memory: SQLAlchemy's default pool, one connection per thread
        return sa.create_engine(parsed, **options)
    return sa.create_engine(parsed, pool_size=POOL_SIZE, max_overflow=MAX_OVERFLOW, **options)


def dialect_insert(bind: Connection | Engine, table: sa.Table) -> postgresql.Insert | sqlite.Insert:
    """INSERT in `bind`'s own dialect, which has `on_conflict_do_update/nothing`
    (an upsert in one statement); the stores run on SQLite and PostgreSQL only."""
    dialect = postgresql if bind.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def reference_delay(failures: int) -> timedelta:
    """How long after its last failure a reference with `failures` failures in the
    window is checked again: no delay below 5 failures, 2 s at 5, doubling with each
    further failure, at most 60 s."""
    if failures < FREE_FAILURES_PER_REFERENCE:
        return timedelta(0)
    doublings = min(failures - FREE_FAILURES_PER_REFERENCE, 16)
    factor: int = 2**doublings
    return min(FIRST_REFERENCE_DELAY * factor, MAX_REFERENCE_DELAY)


@dataclass(frozen=True)
class Participant:
    reference: str
    full_name: str
    email: str
    organisation: str
    country: str
    category: str
    status: str
    language: str


@dataclass(frozen=True)
class CheckResult:
    outcome: str  # match | mismatch | locked | throttled
    participant: Participant | None = None


def _now() -> datetime:
    return datetime.now(timezone.utc)


class ParticipantStore:
    def __init__(
        self,
        engine: Engine,
        key: bytes | None = None,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.engine = engine
        self._key = key
        self._clock = clock
        # SQLite runs one writer at a time: the threads of this process queue here
        # rather than in SQLite's busy handler, which polls with growing sleeps.
        self._writers: Any = threading.Lock() if engine.dialect.name == "sqlite" else nullcontext()

    @classmethod
    def from_env(cls) -> ParticipantStore:
        return cls(create_engine())

    def sender_hash(self, sender_id: str) -> str:
        if self._key is None:
            # An embedded default under var/; production sets the variable.
            self._key = local_key("PARTICIPANT_HASH_KEY", "participant_hash.key")
        return hmac.new(self._key, sender_id.encode(), hashlib.sha256).hexdigest()

    def get(self, reference: str) -> Participant | None:
        normalised = normalise_reference(reference)
        if normalised is None:
            return None
        with self.engine.connect() as connection:
            row = connection.execute(_PARTICIPANT, {"ref": normalised}).first()
        return _participant(row) if row else None

    def check(self, reference: str, email: str, sender_id: str) -> CheckResult:
        """Verify a (reference, e-mail) pair. Unknown reference and wrong e-mail are
        one and the same outcome (MISMATCH); a sender with too many failures is
        LOCKED; a reference with too many recent failures is THROTTLED for a moment.
        Neither of the last two looks at the e-mail. Blocking: run it in a thread.

        Atomic: the checks on one reference, and those from one sender, run one after
        the other, each counting the failures committed by the previous ones. Within
        the transaction, before anything is counted:
        - PostgreSQL takes transaction-level advisory locks on the reference, then on
          the sender (always in that order, so two checks cannot deadlock); they are
          released at commit, once this attempt is visible to the next check.
        - The attempt is inserted as 'pending', then given its outcome. On SQLite this
          first write takes the database's write lock until commit, so every check
          runs alone (a short write in WAL mode); this process's threads queue for
          it on a lock of their own.
        """
        normalised_ref = normalise_reference(reference)
        normalised_email = normalise_email(email)
        sender = self.sender_hash(sender_id)
        with self._writers, self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                if normalised_ref is not None:
                    connection.execute(_ADVISORY_LOCK, {"kind": "reference", "key": normalised_ref})
                connection.execute(_ADVISORY_LOCK, {"kind": "sender", "key": sender})
            now = self._clock()  # once our turn has come: times follow the order of checks
            attempt = connection.execute(
                _INSERT_ATTEMPT,
                {"at": now, "sender_hash": sender, "reference": normalised_ref, "outcome": PENDING},
            ).inserted_primary_key[0]
            if _sender_locked(connection, sender, now):
                result = CheckResult(LOCKED)
            elif normalised_ref is not None and _reference_throttled(
                connection, normalised_ref, now
            ):
                result = CheckResult(THROTTLED)
            else:
                row = connection.execute(_PARTICIPANT, {"ref": normalised_ref}).first()
                found = _participant(row) if row else None
                if (
                    found
                    and normalised_email
                    and hmac.compare_digest(found.email, normalised_email)
                ):
                    result = CheckResult(MATCH, found)
                else:
                    result = CheckResult(MISMATCH)
            connection.execute(_SET_OUTCOME, {"attempt": attempt, "result": result.outcome})
        return result


# Built once: building and hashing a Core statement costs more than running it.
_PARTICIPANT = sa.select(participants).where(participants.c.reference == sa.bindparam("ref"))
_ADVISORY_LOCK = sa.text(
    "SELECT pg_advisory_xact_lock(hashtext('lookup_attempts.' || :kind), hashtext(:key))"
)
_INSERT_ATTEMPT = sa.insert(lookup_attempts)
_SET_OUTCOME = (
    sa.update(lookup_attempts)
    .where(lookup_attempts.c.id == sa.bindparam("attempt"))
    .values(outcome=sa.bindparam("result"))
)
_SENDER_FAILURES = (
    sa.select(lookup_attempts.c.at)
    .where(
        lookup_attempts.c.sender_hash == sa.bindparam("sender"),
        lookup_attempts.c.outcome == MISMATCH,
        lookup_attempts.c.at > sa.bindparam("since"),
    )
    .order_by(lookup_attempts.c.at.desc())
)
_REFERENCE_FAILURES = sa.select(sa.func.count(), sa.func.max(lookup_attempts.c.at)).where(
    lookup_attempts.c.reference == sa.bindparam("ref"),
    lookup_attempts.c.outcome == MISMATCH,
    lookup_attempts.c.at > sa.bindparam("since"),
)


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)  # SQLite


def _sender_locked(connection: Connection, sender: str, now: datetime) -> bool:
    """True if MAX_FAILURES_PER_CONVERSATION failures of this sender happened within
    LOCK_WINDOW of each other and the last of them less than LOCK_WINDOW ago: the
    lock lasts 15 minutes from the failure that triggered it."""
    limit = MAX_FAILURES_PER_CONVERSATION
    recent = connection.execute(
        _SENDER_FAILURES, {"sender": sender, "since": now - 2 * LOCK_WINDOW}
    ).scalars()
    times = [_utc(t) for t in recent]
    for i in range(len(times) - limit + 1):
        newest, oldest = times[i], times[i + limit - 1]
        if newest > now - LOCK_WINDOW and newest - oldest <= LOCK_WINDOW:
            return True
    return False


def _reference_throttled(connection: Connection, reference: str, now: datetime) -> bool:
    """True while the delay earned by the reference's failures within LOCK_WINDOW has
    not passed since the last of them."""
    failures, last = connection.execute(
        _REFERENCE_FAILURES, {"ref": reference, "since": now - LOCK_WINDOW}
    ).one()
    delay = reference_delay(failures)
    return bool(delay) and now < _utc(last) + delay


def _participant(row: Any) -> Participant:
    return Participant(
        reference=row.reference,
        full_name=row.full_name,
        email=row.email,
        organisation=row.organisation,
        country=row.country,
        category=row.category,
        status=row.status,
        language=row.language,
    )
