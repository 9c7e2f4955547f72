"""Typos of the words the fact base looks for: "migrasion", "popualtion", "regsiter".

A word is corrected only when it is no word of French or English (spaCy's lemma
tables and stop words, the fact base's own words) and exactly one cue word is one
edit away (a letter missing, extra, wrong, or two letters swapped). Capitalised words
are names ("Favre", "James") and stay. The index holds each cue word's one-letter
deletions, so a lookup costs a few set probes per letter of the word.
"""

from __future__ import annotations

import gzip
import json
import re
from functools import cache
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterable, Set

import spacy_lookups_data
from spacy.lang.en.stop_words import STOP_WORDS as EN_STOP_WORDS
from spacy.lang.fr.stop_words import STOP_WORDS as FR_STOP_WORDS

from bot.nlu.text import fold

# Shorter words have too many neighbours one edit away ("stat" -> "etat", "date").
MIN_LENGTH = 5
_TABLES = ("en_lemma_lookup", "fr_lemma_lookup")
_WORD_RE = re.compile(r"[a-z]+")


@cache
def dictionary_words() -> FrozenSet[str]:
    """Folded French and English words (inflected forms and lemmas)."""
    folder = Path(spacy_lookups_data.__file__).parent / "data"
    words: Set[str] = set(EN_STOP_WORDS) | set(FR_STOP_WORDS)
    for table in _TABLES:
        with gzip.open(folder / f"{table}.json.gz", "rt", encoding="utf-8") as handle:
            lookup: Dict[str, Any] = json.load(handle)
        for key, value in lookup.items():  # form -> lemma, or lemmas (French)
            words.add(key)
            words.update([value] if isinstance(value, str) else value)
    return frozenset(w.lower() if w.isascii() else fold(w) for w in words)


def _deletions(word: str) -> Iterable[tuple[int, str]]:
    return ((i, word[:i] + word[i + 1 :]) for i in range(len(word)))


def _swaps(word: str) -> Iterable[str]:
    return (word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1))


class Corrector:
    def __init__(self, targets: Iterable[str], known: FrozenSet[str]) -> None:
        """`targets`: the words typos are corrected to, those of them that are words
        (`known`), not stems or pieces of an alternation ("schedul", "ation")."""
        self._targets = frozenset(t for t in targets if len(t) >= MIN_LENGTH and t in known)
        self._known = known
        # A target without one letter -> (target, where the letter was).
        self._index: Dict[str, Set[tuple[str, int]]] = {}
        for target in self._targets:
            for position, deleted in _deletions(target):
                self._index.setdefault(deleted, set()).add((target, position))

    def correct(self, word: str) -> str:
        """The one cue word `word` is a typo of, else `word` (folded words only)."""
        if len(word) < MIN_LENGTH or word in self._known:
            return word
        found = {target for target, _ in self._index.get(word, ())}  # a letter missing
        for position, deleted in _deletions(word):
            if deleted in self._targets:  # a letter too many
                found.add(deleted)
            found.update(  # a wrong letter, at the same place
                target for target, where in self._index.get(deleted, ()) if where == position
            )
        found.update(swapped for swapped in _swaps(word) if swapped in self._targets)
        return next(iter(found)) if len(found) == 1 else word


def cue_words(patterns: Iterable[str]) -> Set[str]:
    """The literal words of regular expressions (`\\bdates?\\b` -> "dates")."""
    words: Set[str] = set()
    for pattern in patterns:
        literal = re.sub(r"\\[a-zA-Z]|\\x[0-9a-f]{2}", " ", pattern)
        words.update(m.group(0) for m in re.finditer(r"(?<![a-z])[a-z]+(?![a-z])", literal))
    return words
