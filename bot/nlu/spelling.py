"""Typos of the words the fact base looks for: "migrasion", "popualtion", "regsiter".

A word is corrected only when it is no word of French or English (spaCy's lemma
tables and stop words, the fact base's own words) and exactly one cue word is one
edit away of the commonest kind found (a letter missing, then two letters swapped, then
a letter too many, then a wrong one). Capitalised words
are names ("Favre", "James") and stay. The index holds each cue word's one-letter
deletions, so a lookup costs a few set probes per letter of the word.
"""

from __future__ import annotations

import bisect
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


# A stem of a cue ("invit", "explor", "organi") stands for the words it begins, up to
# this many letters longer ("invite", "invited", "explore", "organise").
STEM_ENDING = 3


def _completed(stems: Iterable[str], known: FrozenSet[str]) -> Set[str]:
    """The known words that the stems among `stems` (not words themselves) begin."""
    ordered = sorted(known)
    words: Set[str] = set()
    for stem in stems:
        if len(stem) < MIN_LENGTH or stem in known:
            continue
        at = bisect.bisect_left(ordered, stem)
        while at < len(ordered) and ordered[at].startswith(stem):
            if len(ordered[at]) - len(stem) <= STEM_ENDING:
                words.add(ordered[at])
            at += 1
    return words


class Corrector:
    def __init__(self, targets: Iterable[str], known: FrozenSet[str]) -> None:
        """`targets`: the words typos are corrected to, those of them that are words
        (`known`); a stem or a piece of an alternation ("schedul", "ation") stands for
        the words it begins."""
        targets = set(targets)
        # A cue's own word is never a typo, even when it is no dictionary word ("repas").
        self._known = known | targets
        targets |= _completed(targets, known)
        targets |= {t + "s" for t in targets if t + "s" in known}  # "topcis": topics
        self._targets = frozenset(t for t in targets if len(t) >= MIN_LENGTH and t in known)
        # A target without one letter -> (target, where the letter was).
        self._index: Dict[str, Set[tuple[str, int]]] = {}
        for target in self._targets:
            for position, deleted in _deletions(target):
                self._index.setdefault(deleted, set()).add((target, position))

    def correct(self, word: str) -> str:
        """The one cue word `word` is a typo of, else `word` (folded words only)."""
        if len(word) < MIN_LENGTH or word in self._known:
            return word
        # The commonest slips first: a letter missing ("invitd"), two swapped, one too
        # many, one wrong; the first kind that finds exactly one word decides.
        missing = {target for target, _ in self._index.get(word, ())}
        swapped = {w for w in _swaps(word) if w in self._targets}
        extra: Set[str] = set()
        wrong: Set[str] = set()
        for position, deleted in _deletions(word):
            if deleted in self._targets:
                extra.add(deleted)
            wrong.update(
                target for target, where in self._index.get(deleted, ()) if where == position
            )
        for found in (missing, swapped, extra, wrong):
            if len(found) == 1:
                return next(iter(found))
            if found:
                return word  # ambiguous: left as typed
        return word


def cue_words(patterns: Iterable[str]) -> Set[str]:
    """The literal words of regular expressions (`\\bdates?\\b` -> "dates")."""
    words: Set[str] = set()
    for pattern in patterns:
        literal = re.sub(r"\\[a-zA-Z]|\\x[0-9a-f]{2}", " ", pattern)
        words.update(m.group(0) for m in re.finditer(r"(?<![a-z])[a-z]+(?![a-z])", literal))
    return words
