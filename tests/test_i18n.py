"""The catalogue of bilingual strings (bot/messages.yml) and the language a request asks for."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from bot import i18n
from bot.settings import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_has_every_language_with_the_same_fields() -> None:
    catalogue = i18n.catalogue()
    assert len(catalogue) > 250
    for key, texts in catalogue.items():
        assert sorted(texts) == sorted(LANGUAGES), key
        assert all(isinstance(t, str) and t.strip() for t in texts.values()), key
        assert fields(texts["fr"]) == fields(texts["en"]), key


def test_lookups() -> None:
    assert i18n.text("web.chat_send", "fr") == "Envoyer"
    assert i18n.both("rest.sender", limit=200) == {
        "fr": "« sender » doit être une chaîne non vide d'au plus 200 caractères.",
        "en": '"sender" must be a non-empty string of at most 200 characters.',
    }
    assert i18n.strings("staff", "en")["login"] == "Sign in"
    assert "chat_send" not in i18n.strings("staff", "en")  # namespaces do not mix
    with pytest.raises(KeyError):
        i18n.text("web.no_such_message", "fr")


def test_no_other_module_holds_bilingual_strings() -> None:
    """Rasa's responses are domain.yml's; every other string is the catalogue's."""
    pair = re.compile(r"""["']fr["']\s*:\s*f?["']""")
    holders = [
        path.relative_to(ROOT).as_posix()
        for path in [*(ROOT / "bot").rglob("*.py"), *(ROOT / "actions").rglob("*.py")]
        if pair.search(path.read_text("utf-8"))
    ]
    assert holders == []


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("en-GB,en;q=0.9", "en"),
        ("en-US,en;q=0.9,fr;q=0.8", "en"),
        ("de-CH, fr;q=0.5, en;q=0.4", "fr"),
        ("fr;q=0.2, en;q=0.9", "en"),  # quality, not order
        ("fr;q=0, en;q=0.1", "en"),  # q=0 refuses
        ("FR-ca", "fr"),
        ("en_GB", "en"),  # as channels write it (metadata.language)
        ("de, it;q=0.5", None),
        ("fr;q=oops, en", "en"),
        ("*", None),
        ("", None),
        (",;,q=", None),
    ],
)
def test_accepted_language(header: str, language: str | None) -> None:
    assert i18n.accepted_language(header) == language
