"""The export's rows: one per turn (a user message, or the assistant's words before the
first one, and what the assistant did about it), conversations in sender-id order,
turns in order. CSV (fixed header, UTF-8, CRLF, formula injection neutralised) or JSON
Lines (`<`, `>`, `&` written as \\u escapes, so no line is markup anywhere).

Masked unless raw (bot/staff/masking.py): the conversation column is a keyed
pseudonym, texts and entity values have e-mail addresses, phone numbers, references and
participants' names replaced by <email>, <phone>, <reference>, <name>."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from bot.staff.conversations import Exported
from bot.staff.masking import Masker

FIELDS = (
    "conversation",
    "channel",
    "language",
    "conversation_started",
    "turn",
    "time",
    "user_message",
    "intent",
    "confidence",
    "entities",
    "actions",
    "replies",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _iso(value: Any) -> str:
    return value.isoformat(timespec="seconds").replace("+00:00", "Z") if value else ""


def rows(batch: list[Exported], masker: Masker | None) -> list[dict[str, Any]]:
    """The batch's turns as export rows; masked when `masker` is given."""

    def text(value: str) -> str:
        return masker.text(value) if masker else value

    found = []
    for conversation in batch:
        name = masker.pseudonym(conversation.sender_id) if masker else conversation.sender_id
        for number, turn in enumerate(conversation.turns, start=1):
            found.append(
                {
                    "conversation": name,
                    "channel": conversation.channel,
                    "language": conversation.language or "",
                    "conversation_started": _iso(conversation.started),
                    "turn": number,
                    "time": _iso(turn.time),
                    "user_message": text(turn.text) if turn.text is not None else None,
                    "intent": turn.intent,
                    "confidence": turn.confidence,
                    "entities": [
                        {"entity": entity, "value": text(value)} for entity, value in turn.entities
                    ],
                    "actions": turn.actions,
                    "replies": [text(reply) for reply in turn.replies],
                }
            )
    return found


def neutralise(cell: str) -> str:
    """A cell a spreadsheet would read as a formula starts with an apostrophe."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def csv_header() -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(FIELDS)
    return buffer.getvalue()


def csv_chunk(found: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in found:
        cells = {
            **row,
            "user_message": row["user_message"] or "",
            "intent": row["intent"] or "",
            "confidence": "" if row["confidence"] is None else f"{row['confidence']:.4f}",
            "entities": "; ".join(f"{e['entity']}={e['value']}" for e in row["entities"]),
            "actions": "; ".join(row["actions"]),
            "replies": "\n".join(row["replies"]),
        }
        writer.writerow([neutralise(str(cells[name])) for name in FIELDS])
    return buffer.getvalue()


def jsonl_chunk(found: list[dict[str, Any]]) -> str:
    lines = []
    for row in found:
        line = json.dumps(row, ensure_ascii=False, separators=(",", ":"))
        lines.append(line.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"))
    return "".join(line + "\n" for line in lines)
