"""Staff accounts (argon2 hashes), login throttling and the audit log, on the project
database (sync SQLAlchemy; the views call it from a thread).

Login throttling, over a sliding `WINDOW`: from the `FREE_PER_ACCOUNT`-th failure on a
username (since its last successful login), or the `FREE_PER_CLIENT`-th from one client
address, the next attempt is evaluated only `login_delay(failures)` after the last
failure (2 s, doubling, at most 5 minutes); earlier ones are refused without looking at
the password. A delay, not a lock: a stranger keeps a colleague out for minutes at most.
Attempts are rows, so the count survives restarts and holds across processes.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine

from bot.keys import local_key
from bot.staff.schema import ROLES, staff_accounts, staff_audit, staff_login_attempts

WINDOW = timedelta(hours=1)
FREE_PER_ACCOUNT = 5
FREE_PER_CLIENT = 10
FIRST_DELAY = timedelta(seconds=2)
MAX_DELAY = timedelta(minutes=5)
USERNAME_MAX = 64

PENDING, FAILURE, SUCCESS, THROTTLED = "pending", "failure", "success", "throttled"

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified when the username is unknown, so that the answer takes as long.
_DUMMY_HASH = _hasher.hash("no account has this password")


class AccountError(ValueError):
    """A username, role or password that cannot be used."""


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    role: str
    active: bool
    created_at: datetime
    last_login_at: datetime | None
    sessions_since: datetime | None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class LoginResult:
    account: Account | None  # set on success only
    retry_after: int = 0  # seconds, when throttled


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    target: str | None
    detail: str | None


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _aware(value: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back: they were stored in UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def login_delay(failures: int, free: int) -> timedelta:
    if failures < free:
        return timedelta(0)
    factor: int = 2 ** min(failures - free, 16)
    return min(FIRST_DELAY * factor, MAX_DELAY)


def normalise_username(username: str) -> str:
    return username.strip().lower()[:USERNAME_MAX]


def _row_account(row: Any) -> Account:
    return Account(
        id=row.id,
        username=row.username,
        role=row.role,
        active=bool(row.active),
        created_at=_aware(row.created_at),  # type: ignore[arg-type]
        last_login_at=_aware(row.last_login_at),
        sessions_since=_aware(row.sessions_since),
    )


class StaffStore:
    """Accounts, login attempts and audit entries."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime] = _now) -> None:
        self.engine = engine
        self.clock = clock

    # Accounts

    def add(self, username: str, password: str, role: str) -> Account:
        name = normalise_username(username)
        if not name or name != username.strip().lower() or not name.isprintable():
            raise AccountError(f"username: 1 to {USERNAME_MAX} printable characters")
        if role not in ROLES:
            raise AccountError(f"role: one of {', '.join(ROLES)}")
        if len(password) < 12:
            raise AccountError("password: at least 12 characters")
        with self.engine.begin() as connection:
            if connection.execute(
                sa.select(staff_accounts.c.id).where(staff_accounts.c.username == name)
            ).first():
                raise AccountError(f"an account named {name!r} already exists")
            connection.execute(
                staff_accounts.insert().values(
                    username=name,
                    password_hash=_hasher.hash(password),
                    role=role,
                    active=True,
                    created_at=self.clock(),
                )
            )
        self.audit("cli", "account_add", name, role)
        found = self.get_by_name(name)
        assert found is not None
        return found

    def disable(self, username: str) -> bool:
        """Refuse the account's logins and end its sessions; False if there is none."""
        name = normalise_username(username)
        with self.engine.begin() as connection:
            changed = connection.execute(
                staff_accounts.update()
                .where(staff_accounts.c.username == name)
                .values(active=False, sessions_since=self.clock())
            ).rowcount
        if changed:
            self.audit("cli", "account_disable", name)
        return bool(changed)

    def accounts(self) -> list[Account]:
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(staff_accounts).order_by(staff_accounts.c.username))
            return [_row_account(row) for row in rows]

    def get(self, account_id: int) -> Account | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                sa.select(staff_accounts).where(staff_accounts.c.id == account_id)
            ).first()
        return _row_account(row) if row else None

    def get_by_name(self, username: str) -> Account | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                sa.select(staff_accounts).where(
                    staff_accounts.c.username == normalise_username(username)
                )
            ).first()
        return _row_account(row) if row else None

    def end_sessions(self, account_id: int) -> None:
        """Every session of the account issued until now is refused (logout)."""
        with self.engine.begin() as connection:
            connection.execute(
                staff_accounts.update()
                .where(staff_accounts.c.id == account_id)
                .values(sessions_since=self.clock())
            )

    # Login

    def login(self, username: str, password: str, client: str) -> LoginResult:
        """Check a password unless this username or client must wait; every attempt is
        recorded. The attempt's row is written first, in the transaction that counts
        the earlier ones: on SQLite (one writer) concurrent attempts are counted one
        after the other, so a burst cannot all go through during a delay."""
        name = normalise_username(username)
        client = client[:64]
        now = self.clock()
        with self.engine.begin() as connection:
            attempt_id = connection.execute(
                staff_login_attempts.insert().values(
                    at=now, username=name, client=client, outcome=PENDING
                )
            ).inserted_primary_key[0]
            row = connection.execute(
                sa.select(staff_accounts).where(staff_accounts.c.username == name)
            ).first()
            account = _row_account(row) if row else None
            since = now - WINDOW
            if account and account.last_login_at and account.last_login_at > since:
                since = account.last_login_at
            wait = max(
                self._wait(
                    connection,
                    staff_login_attempts.c.username == name,
                    since,
                    attempt_id,
                    FREE_PER_ACCOUNT,
                    now,
                ),
                self._wait(
                    connection,
                    staff_login_attempts.c.client == client,
                    now - WINDOW,
                    attempt_id,
                    FREE_PER_CLIENT,
                    now,
                ),
            )
            if wait > timedelta(0):
                self._set_outcome(connection, attempt_id, THROTTLED)
                return LoginResult(None, retry_after=max(1, int(wait.total_seconds() + 0.999)))
        ok = self._verify(account, password)
        with self.engine.begin() as connection:
            self._set_outcome(connection, attempt_id, SUCCESS if ok else FAILURE)
            if ok and account:
                connection.execute(
                    staff_accounts.update()
                    .where(staff_accounts.c.id == account.id)
                    .values(last_login_at=now)
                )
        if not ok or account is None:
            return LoginResult(None)
        self.audit(account.username, "login")
        return LoginResult(account)

    def _wait(
        self,
        connection: Any,
        who: Any,
        since: datetime,
        attempt_id: int,
        free: int,
        now: datetime,
    ) -> timedelta:
        """How long `who` must still wait: failures (and attempts being checked) since
        `since`, the delay they earn, counted from the last one."""
        failures, last = connection.execute(
            sa.select(sa.func.count(), sa.func.max(staff_login_attempts.c.at)).where(
                who,
                staff_login_attempts.c.at > since,
                staff_login_attempts.c.outcome.in_((FAILURE, PENDING)),
                staff_login_attempts.c.id != attempt_id,
            )
        ).one()
        delay = login_delay(failures, free)
        if not failures or not delay:
            return timedelta(0)
        return max(timedelta(0), _aware(last) + delay - now)  # type: ignore[operator]

    @staticmethod
    def _set_outcome(connection: Any, attempt_id: int, outcome: str) -> None:
        connection.execute(
            staff_login_attempts.update()
            .where(staff_login_attempts.c.id == attempt_id)
            .values(outcome=outcome)
        )

    def _verify(self, account: Account | None, password: str) -> bool:
        if account is None or not account.active:
            with contextlib.suppress(VerificationError):
                _hasher.verify(_DUMMY_HASH, password)
            return False
        with self.engine.connect() as connection:
            encoded = connection.execute(
                sa.select(staff_accounts.c.password_hash).where(staff_accounts.c.id == account.id)
            ).scalar_one()
        try:
            _hasher.verify(encoded, password)
        except (VerificationError, InvalidHashError):
            return False
        if _hasher.check_needs_rehash(encoded):
            with self.engine.begin() as connection:
                connection.execute(
                    staff_accounts.update()
                    .where(staff_accounts.c.id == account.id)
                    .values(password_hash=_hasher.hash(password))
                )
        return True

    # Audit

    def audit(
        self,
        actor: str,
        action: str,
        target: str | None = None,
        detail: str | None = None,
        connection: Any = None,
    ) -> None:
        """One audit entry; in `connection`'s transaction when given (an erasure and
        its entry are committed together)."""
        statement = staff_audit.insert().values(
            at=self.clock(),
            actor=actor[:64],
            action=action,
            target=None if target is None else target[:255],
            detail=None if detail is None else detail[:255],
        )
        if connection is not None:
            connection.execute(statement)
            return
        with self.engine.begin() as own:
            own.execute(statement)

    def audit_entries(self, limit: int, offset: int = 0) -> list[AuditEntry]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(staff_audit)
                .order_by(staff_audit.c.at.desc(), staff_audit.c.id.desc())
                .limit(limit)
                .offset(offset)
            )
            return [
                AuditEntry(_aware(r.at), r.actor, r.action, r.target, r.detail)  # type: ignore[arg-type]
                for r in rows
            ]

    def forget_sender(self, connection: Any, sender_id: str) -> str:
        """Replace a sender id in the audit by its keyed hash (an erased conversation
        leaves no trace of who it was); returns that hash."""
        key = local_key("PARTICIPANT_HASH_KEY", "participant_hash.key")
        hashed = "erased:" + hmac.new(key, sender_id.encode(), hashlib.sha256).hexdigest()[:32]
        connection.execute(
            staff_audit.update().where(staff_audit.c.target == sender_id).values(target=hashed)
        )
        return hashed
