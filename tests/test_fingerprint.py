"""What retrains: the NLU's code and data (bot/nlu/), and nothing else of `bot`."""

from __future__ import annotations

import ast
import importlib
import shutil
import subprocess
import sys
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
        assert module.startswith("bot.nlu."), name
        component = getattr(importlib.import_module(module), cls)
        assert component.fingerprint_addon({}) == fingerprint.code_fingerprint(), name


def test_the_nlu_imports_nothing_of_bot_outside_the_fingerprinted_code() -> None:
    """Else a helper outside bot/nlu/ and bot/patches/ could change without retraining."""
    outside = []
    for path in (ROOT / "bot" / "nlu").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module in ("bot", "actions"):
                names = [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            outside += [
                f"{path.name}: {name}"
                for name in names
                if name.split(".")[0] in ("bot", "actions")
                and name.split(".")[1] not in fingerprint.CODE_DIRS
                and name not in ("bot.patches", "bot.patches.sklearn_proba")
            ]
    assert outside == []


def test_the_training_inputs_are_the_nlu_and_patches_and_rasas_data() -> None:
    inputs = {path.as_posix() for path in fingerprint.training_inputs()}
    assert {
        "config.yml",
        "domain.yml",
        "data/rules.yml",
        "data/nlu/fr.yml",
        "bot/nlu/tokenizer.py",
        "bot/nlu/formats.py",
        "bot/nlu/language.py",
        "bot/nlu/roles.yml",
        "bot/nlu/facts.yml",
    } <= inputs
    assert not inputs & {
        "bot/__main__.py",
        "bot/web/app.py",
        "bot/staff/app.py",
        "bot/participants/store.py",
        "bot/settings.py",
        "bot/i18n.py",
        "actions/answers.py",
    }
    assert "bot/patches/sklearn_proba.py" in inputs
    assert all(p.startswith(("bot/nlu/", "bot/patches/")) for p in inputs if p.startswith("bot/"))
    assert not [p for p in inputs if "__pycache__" in p]


@pytest.mark.slow  # starts make and a Python
def test_the_makefile_retrains_on_the_same_list() -> None:
    """The Makefile gets the list from the module, with the project's Python but no
    .venv (it runs on a fresh clone, before the install)."""
    listed = subprocess.run(
        [
            "make",
            "-s",
            "--no-print-directory",
            "--eval",
            "print-inputs: ; @echo $(TRAINING_INPUTS)",
            "print-inputs",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert listed == [path.as_posix() for path in fingerprint.training_inputs()]
    alone = subprocess.run(
        [sys.executable, "-I", "-S", "bot/nlu/fingerprint.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert alone == listed


@pytest.mark.parametrize(
    ("changed", "retrains"),
    [
        ("nlu/text.py", True),
        ("nlu/formats.py", True),
        ("nlu/chat_words.yml", True),
        ("nlu/tokenizer.py", True),
        ("patches/sklearn_proba.py", True),
        ("patches/aiohttp_url.py", False),
        ("patches/rasa_speedups.py", False),
        ("web/app.py", False),
        ("__main__.py", False),
        ("staff/app.py", False),
        ("participants/store.py", False),
        ("privacy.py", False),
    ],
)
def test_the_fingerprint_follows_the_nlu_only(changed: str, retrains: bool, tmp_path: Path) -> None:
    copy = tmp_path / "bot"
    shutil.copytree(ROOT / "bot", copy, ignore=shutil.ignore_patterns("__pycache__"))
    try:
        before = fingerprint.code_fingerprint(copy)
        fingerprint.code_fingerprint.cache_clear()
        assert fingerprint.code_fingerprint(copy) == before  # stable
        with (copy / changed).open("a", encoding="utf-8") as file:
            file.write("\n# changed\n")
        fingerprint.code_fingerprint.cache_clear()
        assert (fingerprint.code_fingerprint(copy) != before) is retrains
    finally:
        fingerprint.code_fingerprint.cache_clear()
