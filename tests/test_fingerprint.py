"""Rasa's training cache must not reuse a component's output after a helper changed."""

from __future__ import annotations

import importlib
import shutil
from pathlib import Path

import pytest
import yaml

from bot.nlu import fingerprint

ROOT = Path(__file__).resolve().parent.parent


def test_every_project_component_adds_the_code_fingerprint() -> None:
    names = [
        step["name"]
        for step in yaml.safe_load((ROOT / "config.yml").read_text("utf-8"))["pipeline"]
        if step["name"].startswith("bot.")
    ]
    assert len(names) >= 5
    for name in names:
        module, _, cls = name.rpartition(".")
        component = getattr(importlib.import_module(module), cls)
        assert component.fingerprint_addon({}) == fingerprint.code_fingerprint(), name


@pytest.mark.parametrize(
    "changed", ["text.py", "nlu/chat_words.yml", "nlu/tokenizer.py", "participants/references.py"]
)
def test_the_fingerprint_follows_helpers_and_lexicons(
    changed: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "bot"
    shutil.copytree(fingerprint.PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(fingerprint, "PACKAGE", copy)
    fingerprint.code_fingerprint.cache_clear()
    try:
        before = fingerprint.code_fingerprint()
        fingerprint.code_fingerprint.cache_clear()
        assert fingerprint.code_fingerprint() == before  # stable
        with (copy / changed).open("a", encoding="utf-8") as file:
            file.write("\n# changed\n")
        fingerprint.code_fingerprint.cache_clear()
        assert fingerprint.code_fingerprint() != before
    finally:
        fingerprint.code_fingerprint.cache_clear()
