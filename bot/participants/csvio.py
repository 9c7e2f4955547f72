"""CSV import (validated, all-or-nothing upsert) and export of participants."""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.nlu.formats import (
    EMAIL_RE,
    REFERENCE_RE,
    is_assignable,
    normalise_reference,
)
from bot.participants.schema import CATEGORIES, STATUSES, participants
from bot.participants.store import Participant
from bot.settings import LANGUAGES

HEADER = [
    "reference",
    "full_name",
    "email",
    "organisation",
    "country",
    "category",
    "status",
    "language",
]
CHUNK = 5000


@dataclass
class RowError:
    line: int
    reason: str


@dataclass
class ImportReport:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


class CsvFormatError(ValueError):
    """The file cannot be read as participants at all (encoding, header)."""


def _validate(line: int, row: dict[str, str]) -> tuple[Participant | None, list[RowError]]:
    errors = []
    values = {k: (row.get(k) or "").strip() for k in HEADER}
    raw_ref = values["reference"]
    reference = normalise_reference(raw_ref)
    if not REFERENCE_RE.fullmatch(raw_ref) or reference is None:
        errors.append(RowError(line, f"reference {raw_ref!r} is not like CMC-2015-0001"))
    elif not is_assignable(reference):
        errors.append(RowError(line, f"reference {reference} is reserved for examples"))
    if not values["full_name"]:
        errors.append(RowError(line, "full_name is empty"))
    if not EMAIL_RE.fullmatch(values["email"]):
        errors.append(RowError(line, f"email {values['email']!r} is not an e-mail address"))
    for name, allowed in (("category", CATEGORIES), ("status", STATUSES), ("language", LANGUAGES)):
        if values[name].lower() not in allowed:
            errors.append(
                RowError(line, f"{name} {values[name]!r} is not one of {', '.join(allowed)}")
            )
    if any(v is None for v in row.values()) or None in row:
        errors.append(RowError(line, f"expected {len(HEADER)} fields"))
    for name, limit in (
        ("full_name", 200),
        ("organisation", 200),
        ("country", 100),
        ("email", 254),
    ):
        if len(values[name]) > limit:
            errors.append(RowError(line, f"{name} is longer than {limit} characters"))
    if errors:
        return None, errors
    assert reference is not None
    return Participant(
        reference=reference,
        full_name=values["full_name"],
        email=values["email"].lower(),
        organisation=values["organisation"],
        country=values["country"],
        category=values["category"].lower(),
        status=values["status"].lower(),
        language=values["language"].lower(),
    ), []


def read_participants(path: Path) -> tuple[list[Participant], list[RowError]]:
    """Every valid row and every problem (with its line number) of a CSV file."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames != HEADER:
                raise CsvFormatError(
                    f"header must be exactly: {','.join(HEADER)} (got {reader.fieldnames})"
                )
            found: list[Participant] = []
            errors: list[RowError] = []
            seen: dict[str, int] = {}
            for row in reader:
                line = reader.line_num
                participant, row_errors = _validate(line, row)
                errors.extend(row_errors)
                if participant:
                    if participant.reference in seen:
                        errors.append(
                            RowError(
                                line,
                                f"reference {participant.reference} already on line "
                                f"{seen[participant.reference]}",
                            )
                        )
                    seen[participant.reference] = line
                    found.append(participant)
            return found, errors
    except UnicodeDecodeError as error:
        raise CsvFormatError(f"not UTF-8: {error}") from error


def _chunks(items: list[Participant], size: int) -> Iterator[list[Participant]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def upsert(
    engine: Engine,
    rows: list[Participant],
    progress: Callable[[int], None] = lambda n: None,
) -> ImportReport:
    """Insert new references, update changed ones, in ONE transaction."""
    report = ImportReport()
    now = datetime.now(timezone.utc)
    with engine.begin() as connection:
        for chunk in _chunks(rows, CHUNK):
            existing = {
                r.reference: Participant(**{k: getattr(r, k) for k in HEADER})
                for r in connection.execute(
                    sa.select(*(participants.c[k] for k in HEADER)).where(
                        participants.c.reference.in_([p.reference for p in chunk])
                    )
                )
            }
            inserts = [p for p in chunk if p.reference not in existing]
            updates = [p for p in chunk if p.reference in existing and existing[p.reference] != p]
            report.unchanged += len(chunk) - len(inserts) - len(updates)
            if inserts:
                connection.execute(
                    sa.insert(participants),
                    [{**asdict(p), "created_at": now, "updated_at": now} for p in inserts],
                )
            if updates:
                connection.execute(
                    sa.update(participants)
                    .where(participants.c.reference == sa.bindparam("ref"))
                    .values(
                        {
                            **{k: sa.bindparam(k) for k in HEADER if k != "reference"},
                            "updated_at": now,
                        }
                    ),
                    [
                        {
                            **{k: v for k, v in asdict(p).items() if k != "reference"},
                            "ref": p.reference,
                        }
                        for p in updates
                    ],
                )
            report.inserted += len(inserts)
            report.updated += len(updates)
            progress(len(chunk))
    return report


def export(engine: Engine, path: Path) -> int:
    with engine.connect() as connection, path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        count = 0
        rows: Iterable[sa.engine.Row] = connection.execute(
            sa.select(*(participants.c[k] for k in HEADER)).order_by(participants.c.reference)
        )
        for row in rows:
            writer.writerow([getattr(row, k) for k in HEADER])
            count += 1
    return count
