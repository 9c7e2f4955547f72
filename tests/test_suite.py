"""The suite's own rules (tests/conftest.py): `make check` stays fast because a test not
marked slow can neither use a fixture that starts a server, loads the model or drives
a browser (refused at collection) nor start a process (failed when it tries)."""

from __future__ import annotations

import asyncio
import importlib
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests.conftest import HEAVY_FIXTURES, pytest_collection_modifyitems


def item(name: str, fixtures: list[str], slow: bool) -> Any:
    marker = object() if slow else None
    return SimpleNamespace(nodeid=name, fixturenames=fixtures, get_closest_marker=lambda _: marker)


def test_a_heavy_fixture_in_a_test_not_marked_slow_stops_the_collection() -> None:
    items = [item("ok_fast", ["tmp_path"], False), item("ok_slow", ["servers"], True)]
    pytest_collection_modifyitems(None, items)  # type: ignore[arg-type]
    for fixture in sorted(HEAVY_FIXTURES):
        with pytest.raises(pytest.UsageError, match="bad_fast"):
            pytest_collection_modifyitems(
                None,  # type: ignore[arg-type]
                [*items, item("bad_fast", ["tmp_path", fixture], False)],
            )


@pytest.mark.parametrize(
    "spawn",
    [
        lambda: subprocess.run([sys.executable, "-c", "pass"], check=False),
        lambda: subprocess.Popen(["true"]),
        lambda: asyncio.run(asyncio.create_subprocess_exec("true")),
        lambda: os.system("true"),
    ],
    ids=["run", "popen", "asyncio", "system"],
)
def test_a_test_not_marked_slow_cannot_start_a_process(spawn: Any) -> None:
    with pytest.raises(pytest.fail.Exception, match="starts a process: mark it slow"):
        spawn()


def test_the_standard_librarys_machine_probes_are_not_refused() -> None:
    """platform.processor() runs `uname -p` at whichever import asks first."""
    probe = subprocess.run(["uname", "-p"], capture_output=True, check=True)
    assert probe.stdout.strip()


def test_a_library_may_run_a_command_as_it_is_imported(tmp_path: Path) -> None:
    """As webexteamssdk (imported by Rasa's channels) asks git its version."""
    (tmp_path / "asks_git_at_import.py").write_text(
        "import subprocess\n"
        "VERSION = subprocess.run(['git', '--version'], capture_output=True).stdout\n"
    )
    sys.path.insert(0, str(tmp_path))
    try:
        module = importlib.import_module("asks_git_at_import")
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("asks_git_at_import", None)
    assert module.VERSION.startswith(b"git version")


@pytest.mark.slow
def test_a_slow_test_may_start_one() -> None:
    assert subprocess.run([sys.executable, "-c", "pass"], check=False).returncode == 0
