"""Registration references ("CMC-2015-0002") and e-mail addresses as people type them."""

from __future__ import annotations

import re

# Lower case, spaces, underscores or no separator at all: "cmc 2015 0002", "CMC20150002".
REFERENCE_RE = re.compile(r"\bcmc[\s_/-]*(\d{4})[\s_/-]*(\d{4})\b", re.IGNORECASE)
EMAIL_RE = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def normalise_reference(text: str) -> str | None:
    """The canonical "CMC-YYYY-NNNN" for the first reference in `text`, if any."""
    match = REFERENCE_RE.search(text or "")
    return f"CMC-{match.group(1)}-{match.group(2)}" if match else None


def normalise_email(text: str) -> str | None:
    """The first e-mail address in `text`, trimmed and lower-cased, if any."""
    match = EMAIL_RE.search(text or "")
    return match.group(0).strip().lower().rstrip(".") if match else None
