"""Secret keys: from the environment in production, else generated once under var/.

An embedded default keeps `make run` working on a fresh clone; several replicas (or
processes that must agree on a key) need the variable set to the same value.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from bot import settings

KEY_DIR = Path("var")


def local_key(variable: str, filename: str) -> bytes:
    """`$variable`, else the key in var/`filename`, created (mode 600) on first use."""
    value = settings.get(variable)
    if value:
        return value.encode()
    path = KEY_DIR / filename
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip().encode()
