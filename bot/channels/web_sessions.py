"""Widget sessions: ids the server issued, signed, and expiring.

A session id is `<conversation>.<expiry>.<signature>`: 32 random hex digits naming
the conversation ("web:<conversation>" in the tracker store), the Unix time after
which the id is refused, and an HMAC-SHA256 of both with `CHAT_SESSION_SECRET`. Any
replica holding the secret can check an id without shared state; an id that was not
issued, was altered or has expired gets a new session, never the old conversation.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from typing import Callable

from bot import settings
from bot.keys import local_key

DEFAULT_TTL_SECONDS = int(settings.DEFAULTS["CHAT_SESSION_TTL"])
_TOKEN = re.compile(r"^([0-9a-f]{32})\.([0-9]{1,12})\.([0-9a-f]{64})$")


@dataclass(frozen=True)
class SessionSigner:
    secret: bytes
    ttl_seconds: int = DEFAULT_TTL_SECONDS
    clock: Callable[[], float] = time.time

    @classmethod
    def from_env(cls) -> SessionSigner:
        return cls(
            secret=local_key("CHAT_SESSION_SECRET", "chat_session.key"),
            ttl_seconds=int(settings.get("CHAT_SESSION_TTL")),
        )

    def _signature(self, conversation: str, expires: int) -> str:
        message = f"{conversation}.{expires}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    def issue(self) -> tuple[str, str]:
        """A new session id, and the new conversation it names."""
        conversation = secrets.token_hex(16)
        expires = int(self.clock()) + self.ttl_seconds
        return f"{conversation}.{expires}.{self._signature(conversation, expires)}", conversation

    def conversation(self, token: object) -> str | None:
        """The conversation a session id names, if this server issued it and it has
        not expired."""
        match = _TOKEN.match(token) if isinstance(token, str) else None
        if not match:
            return None
        conversation, expires, signature = match.group(1), int(match.group(2)), match.group(3)
        if not hmac.compare_digest(signature, self._signature(conversation, expires)):
            return None
        return conversation if self.clock() < expires else None
