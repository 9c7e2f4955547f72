"""The catalogue of every bilingual string that is not a Rasa response (bot/messages.yml:
the page, the staff console, the channels' errors), and the language a request asks for.

The replies of the assistant are domain.yml's responses, never here.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

import yaml
from babel.core import negotiate_locale

from bot.settings import LANGUAGES


@cache
def catalogue() -> Mapping[str, Mapping[str, str]]:
    """Message id ("namespace.id") -> {language: text}, read once."""
    raw = yaml.safe_load(resources.files("bot").joinpath("messages.yml").read_text("utf-8"))
    return {f"{ns}.{key}": texts for ns, messages in raw.items() for key, texts in messages.items()}


def text(key: str, language: str, **values: Any) -> str:
    """The message `key` in `language`, its `{name}` fields filled from `values`."""
    message = catalogue()[key][language]
    return message.format(**values) if values else message


def both(key: str, **values: Any) -> dict[str, str]:
    """The message in every language, for replies that cannot know the reader's."""
    return {language: text(key, language, **values) for language in LANGUAGES}


@cache
def strings(namespace: str, language: str) -> Mapping[str, str]:
    """A namespace's messages in one language, by id: a page template's `t`."""
    prefix = f"{namespace}."
    return {
        key[len(prefix) :]: text(key, language) for key in catalogue() if key.startswith(prefix)
    }


def accepted_language(header: str) -> str | None:
    """The language of LANGUAGES an Accept-Language header prefers ("en-GB,fr;q=0.8":
    en), if it accepts one: tags ranked by quality (q=0 refuses), then Babel's
    negotiation ("en-GB" -> "en")."""
    ranked = []
    for position, item in enumerate(header.split(",")):
        tag, _, parameter = item.partition(";")
        name, _, quality = parameter.strip().partition("=")
        try:
            weight = float(quality) if name.strip() == "q" else 1.0
        except ValueError:
            weight = 0.0
        if weight > 0 and tag.strip():
            ranked.append((-weight, position, tag.strip().lower().replace("_", "-")))
    preferred = [tag for *_, tag in sorted(ranked)]
    return negotiate_locale(preferred, LANGUAGES, sep="-", aliases={})
