"""Personal data masked in the console's exports: e-mail addresses, phone numbers and
registration references (bot/privacy.py's patterns, any case or spacing), participants'
names (the `full_name` values of the participants table, matched word by word, case
and accents folded), whatever the registration status replies show after "Merci" /
"Thank you," (the name the participant gave), and the sender ids, replaced by a keyed
pseudonym (a WhatsApp sender id is a phone number).

Name matching is linear in the text: each word is looked up in a dictionary of the
names' first words, not tried against every name."""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.keys import local_key
from bot.participants.schema import participants
from bot.privacy import mask as mask_contacts

NAME = "<name>"
WORD = re.compile(r"\w+")
# The status replies (domain.yml utter_registration_*): "Merci {full_name}. Votre
# inscription ...", "Thank you, {full_name}. Your registration ...".
THANKED = re.compile(
    r"\b(Merci|Thank you,)[ \u00a0]+([^\n]{1,200}?)\.(?=\s+(?:Votre|Your)\b)", re.IGNORECASE
)


def fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class Masker:
    def __init__(self, names: Iterable[str], key: bytes) -> None:
        self.key = key
        self.names: dict[str, list[tuple[str, ...]]] = {}
        for name in names:
            words = tuple(fold(w) for w in WORD.findall(name or ""))
            if words and words not in self.names.get(words[0], []):
                self.names.setdefault(words[0], []).append(words)
        for candidates in self.names.values():
            candidates.sort(key=len, reverse=True)  # the longest name first

    @classmethod
    def from_database(cls, engine: Engine) -> Masker:
        """The participants' names (a few thousand at most: held in memory)."""
        with engine.connect() as connection:
            if sa.inspect(connection).has_table("participants"):
                names = list(connection.execute(sa.select(participants.c.full_name)).scalars())
            else:
                names = []
        return cls(names, local_key("PARTICIPANT_HASH_KEY", "participant_hash.key"))

    def pseudonym(self, sender_id: str) -> str:
        """The same conversation gets the same pseudonym in every export."""
        return "c-" + hmac.new(self.key, sender_id.encode(), hashlib.sha256).hexdigest()[:16]

    def _mask_names(self, text: str) -> str:
        if not self.names:
            return text
        words = list(WORD.finditer(text))
        folded = [fold(w.group(0)) for w in words]
        spans = []
        i = 0
        while i < len(words):
            for candidate in self.names.get(folded[i], ()):
                if tuple(folded[i : i + len(candidate)]) == candidate:
                    spans.append((words[i].start(), words[i + len(candidate) - 1].end()))
                    i += len(candidate)
                    break
            else:
                i += 1
        for start, end in reversed(spans):
            text = text[:start] + NAME + text[end:]
        return text

    def text(self, text: str) -> str:
        text = THANKED.sub(lambda m: f"{m.group(1)} {NAME}.", text)
        return self._mask_names(mask_contacts(text))
