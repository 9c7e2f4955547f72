"""Personal data never reaches a log: e-mail addresses, phone numbers and
registration references are masked in every log record of the process.

Masking happens where records are made (a log record factory), so it holds for
every logger and handler, including the ones Rasa, Sanic and aiohttp configure
after start-up, and for Python warnings, which are routed through logging: Rasa
writes some of its warnings with the text of the message that caused them.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

from bot.nlu.formats import EMAIL_RE, PHONE_RE, REFERENCE_RE

# References first: "CMC-2015-0004" also looks like a phone number's digits.
_MASKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (REFERENCE_RE, "<reference>"),
    (EMAIL_RE, "<email>"),
    (PHONE_RE, "<phone>"),
)


def mask(text: str) -> str:
    """`text` with every e-mail address, phone number and reference replaced."""
    for pattern, placeholder in _MASKS:
        text = pattern.sub(placeholder, text)
    return text


def _masking_factory(previous: Any) -> Any:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed call is the handler's to report
            return record
        record.msg, record.args = mask(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = mask("".join(traceback.format_exception(*record.exc_info)).rstrip())
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return record

    factory.masks_personal_data = True  # type: ignore[attr-defined]
    return factory


def install() -> None:
    """Mask personal data in this process's logs and warnings (idempotent)."""
    current = logging.getLogRecordFactory()
    if not getattr(current, "masks_personal_data", False):
        logging.setLogRecordFactory(_masking_factory(current))
    logging.captureWarnings(True)
