"""Every text function that runs on a message takes time linear in its length, on
inputs built to make regular expressions backtrack (they run on Rasa's event loop:
one slow message would stall every conversation). Ten times the text may cost at
most about ten times the time, never a hundred: a ratio, not a timing."""

from __future__ import annotations

import pytest

from bench.adversarial import FUNCTIONS, PIECES, adversarial, seconds


@pytest.mark.parametrize("piece", PIECES.values(), ids=list(PIECES))
@pytest.mark.parametrize("name", FUNCTIONS)
def test_linear_in_the_length(name: str, piece: str) -> None:
    function = FUNCTIONS[name]
    short = seconds(function, adversarial(piece, 4_000))
    long = seconds(function, adversarial(piece, 40_000))
    # Linear: about 10x. Quadratic: about 100x. The floor absorbs timer noise on
    # inputs that take microseconds.
    assert long <= 30 * short + 0.002, f"{name}: {short * 1e3:.2f} ms -> {long * 1e3:.2f} ms"
