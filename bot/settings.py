"""Settings: the environment variables the code reads, their defaults, and the languages.

Every variable is read through `get` when a process, an app or a channel starts, never
at import. The README's table lists them all (a test checks its defaults and the
Makefile's against `DEFAULTS`); secrets have no default here (bot/keys.py generates
the few that may be missing). Unset and empty are the same: endpoints.yml needs some
variables set, even empty.

The languages are the model's, defined with the NLU (bot/nlu/__init__.py), which cannot
import this module without retraining on every change of a default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Final

from bot.nlu import DEFAULT_LANGUAGE, ENGLISH, FRENCH, LANGUAGES

__all__ = [
    "DEFAULTS",
    "DEFAULT_LANGUAGE",
    "ENGLISH",
    "FRENCH",
    "LANGUAGES",
    "action_endpoint_url",
    "get",
    "rasa_url",
]

DEFAULTS: Final[Mapping[str, str]] = {
    "RASA_PORT": "5005",
    "WEB_PORT": "8080",
    "WEB_HOST": "0.0.0.0",
    "ACTIONS_PORT": "5055",
    "ACTIONS_HOST": "127.0.0.1",
    "DATABASE_URL": "sqlite:///var/participants.db",
    "TRACKER_STORE_URL": "sqlite:///var/tracker.db",
    "CHAT_SESSION_TTL": "86400",
    "MAX_CONCURRENT_TURNS": "8",
    "TELEGRAM_API_URL": "https://api.telegram.org",
    "TWILIO_API_URL": "https://api.twilio.com",
    "STAFF_IDLE_TIMEOUT": "1800",
    "LOG_LEVEL": "INFO",
}


def get(name: str, environ: Mapping[str, str] | None = None) -> str:
    """The variable from `environ` (the process's by default), else its default, else ""."""
    value = (os.environ if environ is None else environ).get(name, "")
    return value or DEFAULTS.get(name, "")


def rasa_url() -> str:
    """Where /health finds Rasa."""
    return get("RASA_URL") or f"http://127.0.0.1:{get('RASA_PORT')}"


def action_endpoint_url() -> str:
    """Where Rasa calls the actions (endpoints.yml reads the same variable)."""
    return get("ACTION_ENDPOINT_URL") or f"http://localhost:{get('ACTIONS_PORT')}/webhook"
