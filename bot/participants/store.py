"""Participant store on SQLAlchemy 1.4 (2.0-style queries): lookups, verified checks,
the audit of attempts, and CSV import/export.

`DATABASE_URL` selects the database: an SQLite file under var/ by default,
PostgreSQL in production. The schema is created by Alembic (`make migrate`).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.participants.references import normalise_email, normalise_reference
from bot.participants.schema import lookup_attempts, participants

DEFAULT_DATABASE_URL = "sqlite:///var/participants.db"
LOCK_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_CONVERSATION = 5
MAX_FAILURES_PER_REFERENCE = 10

MATCH, MISMATCH, LOCKED = "match", "mismatch", "locked"


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL


def create_engine(url: str | None = None) -> Engine:
    url = url or database_url()
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    # hide_parameters: a failing statement's e-mail address must not reach the logs.
    return sa.create_engine(url, future=True, pool_pre_ping=True, hide_parameters=True)


def hash_key() -> bytes:
    """Key for hashing sender ids: `PARTICIPANT_HASH_KEY`, else one generated once
    under var/ (an embedded default; production sets the variable)."""
    if os.environ.get("PARTICIPANT_HASH_KEY"):
        return os.environ["PARTICIPANT_HASH_KEY"].encode()
    path = Path("var/participant_hash.key")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip().encode()


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
    outcome: str  # match | mismatch | locked
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

    @classmethod
    def from_env(cls) -> ParticipantStore:
        return cls(create_engine())

    def sender_hash(self, sender_id: str) -> str:
        if self._key is None:
            self._key = hash_key()
        return hmac.new(self._key, sender_id.encode(), hashlib.sha256).hexdigest()

    def get(self, reference: str) -> Participant | None:
        normalised = normalise_reference(reference)
        if normalised is None:
            return None
        with self.engine.connect() as connection:
            row = connection.execute(
                sa.select(participants).where(participants.c.reference == normalised)
            ).first()
        return _participant(row) if row else None

    def check(self, reference: str, email: str, sender_id: str) -> CheckResult:
        """Verify a (reference, e-mail) pair. Unknown reference and wrong e-mail are
        one and the same outcome; too many failures lock further checks."""
        normalised_ref = normalise_reference(reference)
        normalised_email = normalise_email(email)
        now = self._clock()
        sender = self.sender_hash(sender_id)
        with self.engine.begin() as connection:
            locked = _locked(
                connection,
                lookup_attempts.c.sender_hash == sender,
                MAX_FAILURES_PER_CONVERSATION,
                now,
            ) or _locked(
                connection,
                lookup_attempts.c.reference == normalised_ref,
                MAX_FAILURES_PER_REFERENCE,
                now,
            )
            if locked:
                result = CheckResult(LOCKED)
            else:
                row = connection.execute(
                    sa.select(participants).where(participants.c.reference == normalised_ref)
                ).first()
                found = _participant(row) if row else None
                if (
                    found
                    and normalised_email
                    and hmac.compare_digest(found.email, normalised_email)
                ):
                    result = CheckResult(MATCH, found)
                else:
                    result = CheckResult(MISMATCH)
            connection.execute(
                sa.insert(lookup_attempts).values(
                    at=now, sender_hash=sender, reference=normalised_ref, outcome=result.outcome
                )
            )
        return result


def _locked(connection: Any, who: Any, limit: int, now: datetime) -> bool:
    """True if `limit` failures happened within LOCK_WINDOW of each other and the
    last of them less than LOCK_WINDOW ago: the lock lasts 15 minutes from the
    failure that triggered it."""
    recent = (
        connection.execute(
            sa.select(lookup_attempts.c.at)
            .where(
                who,
                lookup_attempts.c.outcome == MISMATCH,
                lookup_attempts.c.at > now - 2 * LOCK_WINDOW,
            )
            .order_by(lookup_attempts.c.at.desc())
        )
        .scalars()
        .all()
    )
    times = [t if t.tzinfo else t.replace(tzinfo=timezone.utc) for t in recent]
    for i in range(len(times) - limit + 1):
        newest, oldest = times[i], times[i + limit - 1]
        if newest > now - LOCK_WINDOW and newest - oldest <= LOCK_WINDOW:
            return True
    return False


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
