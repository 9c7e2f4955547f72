"""Every piece of code written against the inside of Rasa, rasa_sdk, scikit-learn or aiohttp.

Such code is right only for the release it was read from, so each piece names the
libraries it depends on, `require` refuses (RuntimeError) to run it on any other version
than `WRITTEN_FOR`, and tests/test_patches.py compares each with the library's own code
on the same inputs. To upgrade a library: change its version here, run those tests and
`python -m bench.speedups`, and re-read the library's code each piece replaces.

Installed explicitly, never as a side effect:
- `install_rasa()`: `rasa_speedups` (Rasa's per-message costs), by every process that
  runs Rasa (`python -m bot.run_rasa`) and by tests and benchmarks that load an agent.
- `install_web()`: `aiohttp_url` (sub-application routing), by the web app's factory.
Used, not installed: `sklearn_proba` (the intent classifier's probabilities).
Subclasses that override Rasa's private methods stay where Rasa's configuration names
them, and check their versions when built: `bot/tracker_store.py` (endpoints.yml) and
`bot/nlu/intent_classifier.py` (config.yml; `_create_X`, `process`); so does the action
server (`bot/action_server.py`: rasa_sdk's catch-all error handler, Sanic's parsed body)
and the widget's channel (`bot/channels/socketio.py`: SocketIOOutput's `_send_message`).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable

# Distribution -> the exact version every piece here was written and tested against
# (constraints.txt pins the same; tests/test_patches.py checks they agree).
WRITTEN_FOR = {
    "rasa": "3.6.21",
    "scikit-learn": "1.1.3",
    "aiohttp": "3.9.5",
    "yarl": "1.25.1",
    "rasa-sdk": "3.6.2",
    "sanic": "21.12.2",
}
_MODULES = {
    "rasa": "rasa",
    "scikit-learn": "sklearn",
    "aiohttp": "aiohttp",
    "yarl": "yarl",
    "rasa-sdk": "rasa_sdk",
    "sanic": "sanic",
}


def require(libraries: Iterable[str], what: str) -> None:
    """Refuse to run `what` on another version of `libraries` than it was written for."""
    for library in libraries:
        found = importlib.import_module(_MODULES[library]).__version__
        if found != WRITTEN_FOR[library]:
            raise RuntimeError(
                f"{what} replaces code of {library} {WRITTEN_FOR[library]}; this is "
                f"{library} {found}. Check it against the new release (bot/patches/"
                "__init__.py says how) before changing the version it requires."
            )


def install_rasa() -> None:
    """Rasa's per-message fixes (idempotent); all versions are checked before any is
    installed."""
    from bot.patches import rasa_speedups

    require(rasa_speedups.LIBRARIES, rasa_speedups.__name__)
    rasa_speedups.install()


def install_web() -> None:
    """aiohttp's request URL fix (idempotent). Imports no Rasa: the web app never loads it."""
    from bot.patches import aiohttp_url

    require(aiohttp_url.LIBRARIES, aiohttp_url.__name__)
    aiohttp_url.install()
