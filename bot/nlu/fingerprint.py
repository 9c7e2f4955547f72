"""What the model depends on: the one list, for Rasa's training cache and the Makefile.

Rasa's training cache keys a component by its class's own source and config only, so a
change to a helper it uses (`text.py`, a lexicon such as `roles.yml`, a module-level
function) would let `rasa train` reuse the component's stale cached output. Every
component here adds a hash of the NLU's code and data to its key: every file of
`bot/nlu/`, where the NLU lives, and the two modules of `bot/patches/` it runs with (the
version guard and the classifier's probabilities; it imports nothing else of `bot`, a
test checks),
so editing the web app, the CLI, the console or the store never retrains.

`python -I bot/nlu/fingerprint.py` prints every training input, one per line (the
Makefile's `$(MODEL)` prerequisites). Standard library only: it runs before .venv exists.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any, Dict

NLU = Path(__file__).resolve().parent
ROOT = NLU.parent.parent
# What of `bot/` the model runs with: a folder, and modules of another.
CODE_DIRS = ("nlu",)
CODE_MODULES = ("patches/__init__.py", "patches/sklearn_proba.py")
# Besides the NLU's code and data, what `rasa train` reads (the data, config, domain).
TRAINING_DATA = ("config.yml", "domain.yml", "data/**/*.yml")


def code_files(package: Path = NLU.parent) -> list[Path]:
    """Every file of the CODE_DIRS of `package` (`bot/`), caches aside."""
    folders = [
        path
        for folder in CODE_DIRS
        for path in (package / folder).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    ]
    return sorted([*folders, *(package / module for module in CODE_MODULES)])


def training_inputs(root: Path = ROOT) -> list[Path]:
    """Everything whose change must retrain, relative to the project root."""
    data = [path for pattern in TRAINING_DATA for path in sorted(root.glob(pattern))]
    return [p.relative_to(root) for p in [*data, *code_files(root / "bot")]]


@cache
def code_fingerprint(package: Path = NLU.parent) -> str:
    """Hash of the names and contents of `code_files`."""
    digest = hashlib.sha256()
    for path in code_files(package):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


class CodeFingerprinted:
    """Mixin for this package's graph components (see the module docstring)."""

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> str | None:
        return code_fingerprint()


if __name__ == "__main__":
    print("\n".join(path.as_posix() for path in training_inputs()))
