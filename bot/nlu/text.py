"""Text normalisation shared by language identification, tokenisation and lexicons.

French users often type without accents ("ou a lieu", "geneve"): every lexical
comparison in the bot is done on the accent-free, lower-cased form.
"""

from __future__ import annotations

import re
import unicodedata

from bot.nlu.formats import EMAIL_RE, REFERENCE_RE

# Things that say nothing about the language a person writes in (with the
# references and e-mail addresses).
# A URL starts a token, so "www.www.www…" is one match, not one per position.
URL_RE = re.compile(r"(?<![^\s(<\"'])(?:https?://|www\.)\S+", re.IGNORECASE)
PAYLOAD_RE = re.compile(r"^\s*/\w+(?:\{.*\})?\s*$", re.DOTALL)
WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def fold(text: str) -> str:
    """Lower-case and strip diacritics: "Genève" -> "geneve", "Œuvre" -> "oeuvre"."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae").replace("’", "'")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def strip_neutral_spans(text: str) -> str:
    """Remove references, e-mail addresses, URLs and button payloads."""
    if PAYLOAD_RE.match(text):
        return ""
    for pattern in (URL_RE, EMAIL_RE, REFERENCE_RE):
        text = pattern.sub(" ", text)
    return text


def words(text: str) -> list[str]:
    """Alphabetic words of `text` (apostrophes kept inside words), folded."""
    return [fold(w) for w in WORD_RE.findall(text)]


def has_letters(text: str) -> bool:
    """True if `text` holds at least one letter of any script."""
    return any(ch.isalpha() for ch in text)
