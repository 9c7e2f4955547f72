"""One home for settings (bot/settings.py): every variable read there, its defaults the
README's and the Makefile's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot import settings

ROOT = Path(__file__).resolve().parent.parent
CODE = [*(ROOT / "bot").rglob("*.py"), *(ROOT / "actions").rglob("*.py")]


def readme_table() -> dict[str, str]:
    """Variable -> its default cell, from the README's table."""
    text = (ROOT / "README.md").read_text("utf-8").split("## Environment variables")[1]
    rows = {}
    for line in text.split("\n## ")[0].splitlines():
        cells = [cell.strip() for cell in line.strip("|").split(" | ")]
        if len(cells) >= 3 and cells[0].startswith("`"):
            for name in re.findall(r"`([A-Z_]+)`", cells[0]):
                rows[name] = cells[1]
    return rows


def test_the_environment_is_read_only_through_settings() -> None:
    readers = [
        path.relative_to(ROOT).as_posix()
        for path in CODE
        if re.search(r"os\.environ|os\.getenv|environ\.get", path.read_text("utf-8"))
    ]
    assert readers == ["bot/settings.py"]


def test_every_variable_read_is_in_the_readme_with_the_same_default() -> None:
    table = readme_table()
    read = {
        name
        for path in CODE
        for name in re.findall(
            r"""(?:settings\.get|local_key|envvar=)\(?["']([A-Z_]+)["']""",
            path.read_text("utf-8"),
        )
    }
    assert len(read) > 20
    assert sorted(read - set(table)) == []
    assert sorted(set(settings.DEFAULTS) - set(table)) == []
    for name, default in settings.DEFAULTS.items():
        assert table[name] == f"`{default}`", name


def test_the_makefile_defaults_are_the_settings_defaults() -> None:
    makefile = (ROOT / "Makefile").read_text("utf-8")
    exported = dict(re.findall(r"^export ([A-Z_]+) \?= (\S+)$", makefile, re.MULTILINE))
    shared = set(exported) & set(settings.DEFAULTS)
    assert {"RASA_PORT", "DATABASE_URL", "TRACKER_STORE_URL"} <= shared
    assert {name: exported[name] for name in shared} == {
        name: settings.DEFAULTS[name] for name in shared
    }


def test_empty_is_unset_and_derived_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "")
    assert settings.get("DATABASE_URL") == "sqlite:///var/participants.db"
    assert settings.get("DATABASE_URL", {"DATABASE_URL": "postgresql://h/db"}) == (
        "postgresql://h/db"
    )
    assert settings.get("REST_API_TOKEN", {}) == ""
    for name in ("RASA_URL", "RASA_PORT", "ACTION_ENDPOINT_URL", "ACTIONS_PORT"):
        monkeypatch.delenv(name, raising=False)
    assert settings.rasa_url() == "http://127.0.0.1:5005"
    monkeypatch.setenv("ACTIONS_PORT", "6055")
    assert settings.action_endpoint_url() == "http://localhost:6055/webhook"


def test_the_languages_are_the_domains() -> None:
    slot = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))["slots"]["language"]
    assert tuple(slot["values"]) == settings.LANGUAGES
    assert slot["initial_value"] == settings.DEFAULT_LANGUAGE


def test_the_languages_and_default_urls_are_defined_once() -> None:
    code = {path: path.read_text("utf-8") for path in CODE}
    pair = re.compile(r"""\(\s*["']fr["'],\s*["']en["']""")
    assert [p.name for p, t in code.items() if pair.search(t)] == []
    assert [p.name for p, t in code.items() if "sqlite:///var/" in t] == ["settings.py"]
