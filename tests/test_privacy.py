"""No personal data in logs: e-mails, phone numbers and references are masked in
every record, Rasa's own warnings included."""

from __future__ import annotations

import logging
import subprocess
import sys
import warnings

import pytest

from bot import privacy
from bot.nlu.formats import EMAIL_RE, PHONE_RE, REFERENCE_RE, normalise_email


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("mail A.Diallo@Gouv.SN now", "mail <email> now"),
        ("ref cmc 2015 0004 and CMC-2015-0001", "ref <reference> and <reference>"),
        ("call +41 22 717 9468 or 06 12 34 56 78", "call <phone> or <phone>"),
        ("whatsapp:+33612345678 wrote", "whatsapp:<phone> wrote"),
        ("26-27 October 2015, 171 countries, 600 participants", None),
        ("took 12 ms at 2026-12-03", None),
    ],
)
def test_mask(text: str, masked: str | None) -> None:
    assert privacy.mask(text) == (text if masked is None else masked)


def test_log_records_and_warnings_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    previous = logging.getLogRecordFactory()
    privacy.install()
    try:
        with caplog.at_level(logging.INFO):
            logging.getLogger("rasa.core.processor").info("text %s", "/inform{a.b@c.org}")
            try:
                raise ValueError("bad e-mail a.b@c.org for CMC-2015-0004")
            except ValueError:
                logging.getLogger("x").exception("failed for %s", "+41 22 717 9468")
            with warnings.catch_warnings():
                warnings.simplefilter("always")
                warnings.warn("Failed to parse '/x{a.b@c.org}'", UserWarning, stacklevel=1)
        logged = "\n".join(caplog.text.splitlines())
        assert "a.b@c.org" not in logged and "CMC-2015-0004" not in logged
        assert "717 9468" not in logged
        assert "<email>" in logged and "<reference>" in logged and "<phone>" in logged
    finally:
        logging.setLogRecordFactory(previous)
        logging.captureWarnings(False)


@pytest.mark.slow
def test_rasa_warning_with_a_message_text_is_masked_in_a_process() -> None:
    """Rasa's own UserWarning for a "/" message quotes it: run it as Rasa does."""
    code = (
        "from bot import privacy; privacy.install();"
        # What rasa.__main__.main does before running a command:
        "import logging, rasa.utils.io;"
        "from rasa.utils.common import configure_logging_and_warnings;"
        "configure_logging_and_warnings(logging.INFO);"
        "rasa.utils.io.configure_colored_logging(logging.INFO);"
        "from rasa.shared.utils.io import raise_warning;"
        'raise_warning("Failed to parse arguments in line \'/inform{\\"email\\": '
        '\\"j.okafor@lagos.gov.ng\\"}\'")'
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    output = done.stdout + done.stderr
    assert "Failed to parse arguments" in output
    assert "j.okafor@lagos.gov.ng" not in output and "<email>" in output


def test_formats_are_found_where_they_are() -> None:
    assert normalise_email("écrivez à J.Okafor@Lagos.GOV.ng.") == "j.okafor@lagos.gov.ng"
    assert EMAIL_RE.search("x" * 65 + "@example.org") is None  # local part over 64
    assert REFERENCE_RE.search("CMC/2015/0004")
    assert PHONE_RE.search("+41 22 717 9468")
