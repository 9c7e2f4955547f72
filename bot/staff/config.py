"""Configuration of the staff console, from the environment (README: STAFF_*)."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from bot import settings
from bot.keys import local_key

logger = logging.getLogger(__name__)

MIN_SECRET_LENGTH = 32


class ConfigError(ValueError):
    """The console's configuration cannot be used."""


def fernet_key(secret: str) -> bytes:
    """The 32 bytes of the cookies' Fernet key, derived from any long enough secret, so
    that the variable can be any random string (`secrets.token_urlsafe(32)`)."""
    if len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(f"STAFF_SECRET_KEY must have at least {MIN_SECRET_LENGTH} characters")
    return hashlib.sha256(secret.encode()).digest()


@dataclass(frozen=True)
class StaffConfig:
    """Where the console reads conversations and keeps its own tables, and how its
    sessions are signed. `secret_key` None: the console only says it is not configured."""

    database_url: str
    tracker_store_url: str
    secret_key: bytes | None
    idle_timeout: int = 30 * 60  # seconds without a request before a new login
    max_session_age: int = 12 * 3600  # seconds after login, however active
    force_secure_cookie: bool = False  # behind a proxy that terminates HTTPS
    page_size: int = 50
    export_batch_size: int = 200  # conversations read per query while exporting
    index_interval: float = 1.0  # seconds between the summary index's steps (bot/staff/index.py)
    # LOG_RETENTION_DAYS: conversations idle longer are purged once a day by the running
    # app (bot/staff/retention.py); 0 keeps them.
    retention_days: int = 0
    retention_first_delay: float = 60.0  # seconds after start before the first check
    retention_check_interval: float = 3600.0  # seconds between checks (one run a day)
    unanswered_max: int = 2000  # most recent unanswered messages clustered
    unanswered_threshold: float = 0.4  # cosine similarity to join a group
    # Rasa's HTTP API, through which a reviewer replies as a person (bot/staff/
    # human_reply.py); without RASA_API_TOKEN the console cannot reply, and says so.
    rasa_url: str = ""
    rasa_api_token: str = ""

    @classmethod
    def from_env(cls) -> StaffConfig:
        """STAFF_SECRET_KEY signs and encrypts the session cookies; unset, a key
        generated once under var/ (bot/keys.py), so `make run` serves the console on a
        fresh clone. Several replicas need the variable, set to the same value."""
        key = fernet_key(local_key("STAFF_SECRET_KEY", "staff_secret.key").decode())
        return cls(
            database_url=settings.get("DATABASE_URL"),
            tracker_store_url=settings.get("TRACKER_STORE_URL"),
            secret_key=key,
            idle_timeout=int(settings.get("STAFF_IDLE_TIMEOUT")),
            force_secure_cookie=settings.get("STAFF_SECURE_COOKIE").lower() in ("1", "true", "yes"),
            retention_days=retention_days(settings.get("LOG_RETENTION_DAYS")),
            rasa_url=settings.rasa_url(),
            rasa_api_token=settings.get("RASA_API_TOKEN"),
        )


def retention_days(value: str) -> int:
    """LOG_RETENTION_DAYS: unset, empty or 0 keeps the conversations."""
    value = value.strip()
    if not value:
        return 0
    try:
        days = int(value)
    except ValueError:
        raise ConfigError("LOG_RETENTION_DAYS must be a whole number of days") from None
    if days < 0:
        raise ConfigError("LOG_RETENTION_DAYS must be 0 (keep) or more")
    return days
