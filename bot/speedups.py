"""Two measured fixes for Rasa 3.6's per-message costs, installed by the tracker store
(`bot.tracker_store.TunedSQLTrackerStore`, which every deployment loads). Both keep
Rasa's behaviour exactly; they only stop redoing the same work (docs/benchmarks.md).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jsonschema
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core import events


def memoise_event_type_lookup() -> None:
    """Rasa resolves each stored event's class by walking every Event subclass, for
    every event of the conversation on every message; the set of classes is fixed once
    Rasa is imported, so the lookup is memoised (idempotent)."""
    current = events.Event.resolve_by_type
    if getattr(current, "cache_info", None):
        return
    cached = lru_cache(maxsize=None)(current)
    events.Event.resolve_by_type = staticmethod(cached)  # type: ignore[method-assign]


@lru_cache(maxsize=1)
def _action_response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """Rasa's check of an action server's reply, with the validator built once:
    `jsonschema.validate` checks the schema itself against its metaschema on every
    call, about 35 ms per custom action on this machine."""
    error = jsonschema.exceptions.best_match(_action_response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def cache_action_result_validator() -> None:
    """Install `_validate_action_result` on Rasa's RemoteAction (idempotent)."""
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]


def install() -> None:
    memoise_event_type_lookup()
    cache_action_result_validator()
