"""Inputs built to make regular expressions backtrack, and the text functions that
run on every message; `make bench` times each on 100,000 characters, and
tests/test_linear_time.py checks that the time grows linearly with the length."""

from __future__ import annotations

import time
from typing import Callable

from bot import privacy
from bot.channels.telegram import message_text
from bot.nlu.formats import BARE_DOMAIN_RE, EMAIL_ENDING_RE, normalise_email, normalise_reference
from bot.nlu.language import requested_language
from bot.nlu.roles import default_lexicon
from bot.nlu.text import strip_neutral_spans, words

# Each repeats a piece that almost matches one of the patterns.
PIECES = {
    "one token": "a",
    "e-mail local parts": "a.",
    "at signs": "a@",
    "domains": "a@b.",
    "references": "cmc 2015 ",
    "phone digits": "+1 ",
    "urls": "www.",
    "spaces": " ",
    "language requests": "answer ",
    "speak requests": "parlez ",
    "braces": "/a{}",
    "address endings": " @a.b.",
}
FUNCTIONS: dict[str, Callable[[str], object]] = {
    "normalise_email": normalise_email,
    "normalise_reference": normalise_reference,
    "email ending": EMAIL_ENDING_RE.findall,
    "bare domain": BARE_DOMAIN_RE.findall,
    "strip_neutral_spans": strip_neutral_spans,
    "words": words,
    "requested_language": requested_language,
    "role lexicon": lambda text: default_lexicon().find(text),
    "privacy.mask": privacy.mask,
    "telegram message_text": lambda text: message_text({"text": "/" + text}),
}


def adversarial(piece: str, length: int) -> str:
    return (piece * (length // len(piece) + 1))[:length]


def seconds(function: Callable[[str], object], text: str, repeat: int = 3) -> float:
    """The fastest of `repeat` runs: the least disturbed by the machine's noise."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function(text)
        best = min(best, time.perf_counter() - start)
    return best


def report(length: int = 100_000) -> list[str]:
    lines = [
        f"| function | slowest input ({length:,} characters) | ms |",
        "|---|---|---|",
    ]
    for name, function in FUNCTIONS.items():
        worst = max(PIECES, key=lambda p: seconds(function, adversarial(PIECES[p], length), 1))
        took = seconds(function, adversarial(PIECES[worst], length))
        lines.append(f"| {name} | {worst} | {took * 1000:.1f} |")
    return lines


if __name__ == "__main__":
    print("\n".join(report()))
