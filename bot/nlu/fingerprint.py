"""Rasa's training cache keys a component by its class's own source and config only,
so a change to a helper it uses (`bot/language.py`, `bot/text.py`, a lexicon in
`bot/nlu/*.yml`, a module-level function) would let `rasa train` reuse the component's
stale cached output. Every component here adds a hash of that code to its key."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any, Dict

PACKAGE = Path(__file__).resolve().parent.parent


@cache
def code_fingerprint() -> str:
    """Hash of what the components may depend on: the same files as the Makefile's
    TRAINING_INPUTS from `bot/` (its modules, the NLU modules and their lexicons, the
    registration reference formats)."""
    nlu = PACKAGE / "nlu"
    files = sorted(
        [
            *PACKAGE.glob("*.py"),
            *nlu.glob("*.py"),
            *nlu.glob("*.yml"),
            PACKAGE / "participants" / "references.py",
        ]
    )
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(PACKAGE).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


class CodeFingerprinted:
    """Mixin for this package's graph components (see the module docstring)."""

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> str | None:
        return code_fingerprint()
