"""The role a person states ("I'm the deputy mayor of Turin") mapped to an invited category."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from bot.nlu.text import fold


@dataclass(frozen=True)
class RoleMatch:
    role: str
    start: int  # character offsets in the original text
    end: int


def _fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """Folded text and, for each of its characters, the offset it came from."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        folded = fold(ch)
        out.append(folded)
        origin.extend([i] * len(folded))
    return "".join(out), origin


# What joins two roles of one list: "mayors and NGOs", "ministres, maires".
_JOINED_RE = re.compile(
    r"(?:[\s-]+[a-z]+){0,2}\s*(?:,|&|/|\b(?:and|et|or|ou|as well as|ainsi que)\b)\s*"
    r"(?:(?:the|les|des|la|le|l\x27)\s*)?"
)


class RoleLexicon:
    """Phrases per role, matched on whole words, longest phrase first."""

    def __init__(self, phrases: dict[str, list[str]]) -> None:
        entries = sorted(
            ((fold(p), role) for role, plist in phrases.items() for p in plist),
            key=lambda e: -len(e[0]),
        )
        self._role_of = {phrase: role for phrase, role in entries}
        alternatives = "|".join(re.escape(phrase) for phrase, _ in entries)
        self._pattern = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")

    @classmethod
    def from_yaml(cls, text: str) -> RoleLexicon:
        return cls({role: [str(p) for p in plist] for role, plist in yaml.safe_load(text).items()})

    def find(self, text: str) -> RoleMatch | None:
        """The first role phrase in `text` (the longest one where several start there);
        none when it is one of a list of roles ("are high-level government
        representatives and local authorities invited?" asks of the categories)."""
        folded, origin = _fold_with_offsets(text)
        matches = list(self._pattern.finditer(folded))
        if not matches:
            return None
        for one, other in zip(matches, matches[1:], strict=False):
            if self._role_of[one.group(0)] != self._role_of[other.group(0)] and (
                _JOINED_RE.fullmatch(folded, one.end(), other.start())
            ):
                return None
        match = matches[0]
        return RoleMatch(
            role=self._role_of[match.group(0)],
            start=origin[match.start()],
            end=origin[match.end() - 1] + 1,
        )


@lru_cache(maxsize=1)
def default_lexicon() -> RoleLexicon:
    return RoleLexicon.from_yaml(
        resources.files("bot.nlu").joinpath("roles.yml").read_text("utf-8")
    )
