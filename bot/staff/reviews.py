"""Review tools on the project database: tags, notes, the "reviewed" mark, the "needs
follow-up" flag and follow-up closing (tables in bot/staff/schema.py, revision 0006).

The tracker store may be another database, so nothing here joins with its events: the
list's filters on tags and reviews are turned into a set of sender ids that
bot/staff/conversations.py passes to its query as one parameter."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.participants.store import dialect_insert
from bot.staff.schema import TAG_MAX, staff_labels, staff_notes, staff_reviews, staff_tags

NOTE_MAX = 2000
BULK_MAX = 500  # conversations one bulk action may name


class ReviewError(ValueError):
    """A tag or note that cannot be stored; `key` names the message (bot/messages.yml, `staff.`)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def normalise_tag(text: str) -> str:
    """Lower case (casefold), NFC, control characters dropped, spaces collapsed, cut
    to TAG_MAX; accents kept ("à revoir" and "À  Revoir" are one tag)."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(c if c.isprintable() else " " for c in text).casefold()
    return re.sub(r"\s+", " ", text).strip()[:TAG_MAX].strip()


def parse_tags(text: str) -> list[str]:
    """Comma-separated tags, normalised, without duplicates or empty ones."""
    found: list[str] = []
    for part in text.split(","):
        tag = normalise_tag(part)
        if tag and tag not in found:
            found.append(tag)
    return found[:20]


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


@dataclass(frozen=True)
class Note:
    at: datetime
    actor: str
    kind: str
    text: str


@dataclass
class Review:
    """What reviewers recorded about one conversation."""

    tags: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    reviewed_at: datetime | None = None
    reviewed_by: str | None = None
    flagged_at: datetime | None = None
    flagged_by: str | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None


@dataclass(frozen=True)
class FollowupState:
    flagged_at: datetime | None
    closed_at: datetime | None


class Reviews:
    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self.engine = engine
        self.clock = clock

    # Reading

    def get(self, sender_id: str) -> Review:
        with self.engine.connect() as connection:
            tags = (
                connection.execute(
                    sa.select(staff_tags.c.tag)
                    .where(staff_tags.c.sender_id == sender_id)
                    .order_by(staff_tags.c.tag)
                )
                .scalars()
                .all()
            )
            notes = connection.execute(
                sa.select(staff_notes)
                .where(staff_notes.c.sender_id == sender_id)
                .order_by(staff_notes.c.at, staff_notes.c.id)
            ).all()
            row = connection.execute(
                sa.select(staff_reviews).where(staff_reviews.c.sender_id == sender_id)
            ).first()
        review = Review(
            tags=list(tags),
            notes=[Note(_aware(n.at), n.actor, n.kind, n.text) for n in notes],  # type: ignore[arg-type]
        )
        if row:
            review.reviewed_at, review.reviewed_by = _aware(row.reviewed_at), row.reviewed_by
            review.flagged_at, review.flagged_by = _aware(row.flagged_at), row.flagged_by
            review.closed_at, review.closed_by = _aware(row.closed_at), row.closed_by
        return review

    def summaries(self, sender_ids: list[str]) -> dict[str, Review]:
        """Tags and marks of one page's conversations (no notes)."""
        found = {sender: Review() for sender in sender_ids}
        if not sender_ids:
            return found
        with self.engine.connect() as connection:
            for sender, tag in connection.execute(
                sa.select(staff_tags.c.sender_id, staff_tags.c.tag)
                .where(staff_tags.c.sender_id.in_(sender_ids))
                .order_by(staff_tags.c.tag)
            ):
                found[sender].tags.append(tag)
            for row in connection.execute(
                sa.select(staff_reviews).where(staff_reviews.c.sender_id.in_(sender_ids))
            ):
                review = found[row.sender_id]
                review.reviewed_at, review.reviewed_by = _aware(row.reviewed_at), row.reviewed_by
                review.flagged_at = _aware(row.flagged_at)
                review.closed_at = _aware(row.closed_at)
        return found

    def all_tags(self) -> list[str]:
        with self.engine.connect() as connection:
            return list(
                connection.execute(
                    sa.select(staff_tags.c.tag).distinct().order_by(staff_tags.c.tag).limit(500)
                ).scalars()
            )

    def tagged(self, tag: str) -> list[str]:
        with self.engine.connect() as connection:
            return list(
                connection.execute(
                    sa.select(staff_tags.c.sender_id).where(staff_tags.c.tag == normalise_tag(tag))
                ).scalars()
            )

    def reviewed(self) -> list[str]:
        with self.engine.connect() as connection:
            return list(
                connection.execute(
                    sa.select(staff_reviews.c.sender_id).where(
                        staff_reviews.c.reviewed_at.is_not(None)
                    )
                ).scalars()
            )

    def followup_states(self) -> dict[str, FollowupState]:
        """Conversations flagged, or whose follow-up was closed at least once."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(
                    staff_reviews.c.sender_id, staff_reviews.c.flagged_at, staff_reviews.c.closed_at
                ).where(
                    sa.or_(
                        staff_reviews.c.flagged_at.is_not(None),
                        staff_reviews.c.closed_at.is_not(None),
                    )
                )
            )
            return {
                r.sender_id: FollowupState(_aware(r.flagged_at), _aware(r.closed_at)) for r in rows
            }

    # Writing

    def _upsert(self, connection: Any, sender_ids: Iterable[str], **values: Any) -> None:
        """`values` on each conversation's row, created if it has none. One executemany:
        SQLAlchemy 1.4 compiles a dialect's INSERT at every execution, here once a batch."""
        rows = [{"sender_id": sender, **values} for sender in sender_ids]
        if rows:
            insert = dialect_insert(connection, staff_reviews)
            set_ = {key: insert.excluded[key] for key in values}
            connection.execute(
                insert.on_conflict_do_update(index_elements=["sender_id"], set_=set_), rows
            )

    def add_tags(self, sender_ids: Iterable[str], tags: list[str], actor: str) -> int:
        """Tags on each conversation (already there: kept); returns rows added."""
        if not tags:
            raise ReviewError("error_tag_empty")
        added = 0
        now = self.clock()
        with self.engine.begin() as connection:
            for sender in sender_ids:
                present = set(
                    connection.execute(
                        sa.select(staff_tags.c.tag).where(staff_tags.c.sender_id == sender)
                    ).scalars()
                )
                for tag in tags:
                    if tag not in present:
                        connection.execute(
                            staff_tags.insert().values(
                                sender_id=sender, tag=tag, at=now, actor=actor
                            )
                        )
                        added += 1
        return added

    def remove_tag(self, sender_id: str, tag: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                staff_tags.delete().where(
                    staff_tags.c.sender_id == sender_id, staff_tags.c.tag == normalise_tag(tag)
                )
            )

    def add_note(self, sender_id: str, text: str, actor: str, kind: str = "note") -> None:
        text = text.strip()
        if not text:
            raise ReviewError("error_note_empty")
        with self.engine.begin() as connection:
            self._note(connection, sender_id, text, actor, kind)

    def _note(self, connection: Any, sender_id: str, text: str, actor: str, kind: str) -> None:
        connection.execute(
            staff_notes.insert().values(
                sender_id=sender_id, at=self.clock(), actor=actor, kind=kind, text=text[:NOTE_MAX]
            )
        )

    def set_reviewed(self, sender_ids: Iterable[str], reviewed: bool, actor: str) -> None:
        now = self.clock()
        with self.engine.begin() as connection:
            if reviewed:
                self._upsert(connection, sender_ids, reviewed_at=now, reviewed_by=actor)
            else:
                self._upsert(connection, sender_ids, reviewed_at=None, reviewed_by=None)

    def set_flag(self, sender_id: str, flagged: bool, actor: str) -> None:
        with self.engine.begin() as connection:
            if flagged:
                self._upsert(connection, [sender_id], flagged_at=self.clock(), flagged_by=actor)
            else:
                self._upsert(connection, [sender_id], flagged_at=None, flagged_by=None)

    def close_followup(self, sender_id: str, note: str, actor: str, kind: str = "close") -> None:
        """Close the follow-up with a note (required; `kind` "reply" when the note is a
        reply sent as a person): the flag is lowered, and requests for a person made
        until now no longer keep it in the queue."""
        note = note.strip()
        if not note:
            raise ReviewError("error_note_empty")
        with self.engine.begin() as connection:
            self._note(connection, sender_id, note, actor, kind)
            self._upsert(
                connection,
                [sender_id],
                flagged_at=None,
                flagged_by=None,
                closed_at=self.clock(),
                closed_by=actor,
            )

    @staticmethod
    def forget(connection: Any, sender_ids: list[str]) -> None:
        """Delete every review row of these conversations, labels included (erasure,
        purge)."""
        for start in range(0, len(sender_ids), 500):
            chunk = sender_ids[start : start + 500]
            for table in (staff_tags, staff_notes, staff_reviews, staff_labels):
                connection.execute(table.delete().where(table.c.sender_id.in_(chunk)))
