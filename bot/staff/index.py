"""The conversations' summary index, in the project database (bot/staff/schema.py,
revision 0009): one row per conversation with what the list shows and filters on, its
intents and facts, and the full-text index of its user messages (bot/staff/search.py).

The indexer folds the tracker store's events into it incrementally: each `step` reads
the events after the cursor (ids in increasing order, at most `BATCH`), folds them per
conversation in Python, upserts the rows, and advances the cursor, in one transaction
of the project database that starts with a conditional UPDATE of the cursor (position
and generation unchanged since read). With several replicas, one of those UPDATEs
changes the row and that replica writes the batch; the others change nothing and write
nothing: no turn is counted twice. `run` steps every `interval` seconds (at once while
catching up) for the web app's life.

A new deployment, or a tracker store that had events before the index existed, starts
from cursor 0 and catches up batch by batch, oldest events first: meanwhile the list
shows the conversations indexed so far and says how many events are not yet (`Progress`).
Before Rasa first starts there is no events table: nothing to index.

Each step also adds the dashboard's daily counts (`staff_daily`: messages, fallbacks,
abstentions, intents, registration outcomes, response-time bins; bot/staff/dashboard.py
reads them), pairing a reply with its question across batches through the row's
`pending_reply`.

Events committed out of id order (several Rasa processes on one PostgreSQL store): the
ids missing from a batch, before an event of the last GAP_TIMEOUT seconds and in a hole
of at most GAP_MAX ids, are kept in `staff_index_gaps` and read again at each step, in
the same conditional transaction: an event found there is folded once and its gap
deleted; a gap older than GAP_TIMEOUT is dropped (a rolled back transaction). On SQLite,
an erasure or purge of the newest events records their ids as gaps without timeout,
since the next events get them again (`forget`). Erasure and purge delete the rows here
too; `reset` empties everything for `python -m bot staff reindex`."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.participants.store import dialect_insert
from bot.settings import LANGUAGES
from bot.staff import search
from bot.staff.conversations import (
    FACTS_SLOT,
    FALLBACK_ACTIONS,
    FALLBACK_INTENTS,
    REGISTRATION_CHECKED,
    REGISTRATION_OUTCOMES,
    REQUEST_HUMAN,
    Conversations,
    Filters,
    answer_facts,
    channel_of,
    day_start,
    epoch_time,
    events,
    in_list,
)
from bot.staff.dashboard import (
    DAILY_ABSTENTION,
    DAILY_DELAY,
    DAILY_FALLBACK,
    DAILY_INTENT,
    DAILY_MESSAGES,
    DAILY_REGISTRATION,
    abstention_phrases,
    delay_bin,
)
from bot.staff.dashboard import FALLBACK_INTENTS as DASHBOARD_FALLBACK
from bot.staff.schema import (
    FIRST_MESSAGE_MAX,
    INDEX_LABEL_MAX,
    SEARCH_TABLE,
    staff_conversation_labels,
    staff_conversations,
    staff_daily,
    staff_index_cursor,
    staff_index_gaps,
    staff_reviews,
    staff_tags,
)

logger = logging.getLogger(__name__)

CURSOR = "conversations"  # the cursor's row
BATCH = 5000  # events folded per step
GAP_TIMEOUT = 60.0  # seconds: a missing id is read again until then
GAP_MAX = 1000  # a wider hole in the ids is deleted events, not transactions in flight
COUNT_CAP = 10_000  # the list's total is exact up to this, then "more than"
REGISTRATION_REPLY = "utter_registration_"


@dataclass(frozen=True)
class Summary:
    """One conversation as the list shows it."""

    sender_id: str
    started: datetime | None
    last: datetime | None
    turns: int
    channel: str
    language: str | None
    first_message: str
    person_requested: bool
    abstained: bool = False
    fell_back: bool = False
    registration: str | None = None
    min_confidence: float | None = None


@dataclass(frozen=True)
class Progress:
    """How far the index is: the last event folded, the tracker store's last event."""

    position: int
    newest: int

    @property
    def behind(self) -> int:
        """Events not indexed yet, at most (ids may have gaps)."""
        return max(0, self.newest - self.position)


@dataclass
class Folded:
    """What a batch of events adds to one conversation's row."""

    sender_id: str
    started: float
    last_active: float
    last_event_id: int
    language: str | None = None
    turns: int = 0
    first_message: str | None = None
    first_request: float | None = None
    last_request: float | None = None
    abstained: bool = False
    fell_back: bool = False
    registration: str | None = None
    min_confidence: float | None = None
    labels: set[str] = field(default_factory=set)
    messages: list[tuple[int, str, str]] = field(default_factory=list)  # id, sender, text
    # The dashboard's daily counts: (day, kind, name) -> count.
    daily: Counter[tuple[int, str, str]] = field(default_factory=Counter)
    # Response times: a bot event that came before any user message of the batch (its
    # delay is from the stored `pending_reply`); whether a user or bot event came; the
    # last user message still without a reply at the batch's end.
    leading_reply: float | None = None
    dialogue: bool = False
    pending: float | None = None

    def row(self) -> dict[str, Any]:
        return {
            "sender_id": self.sender_id,
            "started": self.started,
            "last_active": self.last_active,
            "channel": channel_of(self.sender_id),
            "language": self.language,
            "turns": self.turns,
            "first_message": self.first_message,
            "first_request": self.first_request,
            "last_request": self.last_request,
            "abstained": self.abstained,
            "fell_back": self.fell_back,
            "registration": self.registration,
            "min_confidence": self.min_confidence,
            "last_event_id": self.last_event_id,
            "pending_reply": self.pending,
        }


def _abstention_forms() -> tuple[str, ...]:
    """The abstention sentence as Rasa writes it in an event's JSON (accents escaped)
    and unescaped."""
    phrases = abstention_phrases()
    return tuple({form for p in phrases for form in (p, json.dumps(p)[1:-1])})


def _load(raw: str | None) -> dict[str, Any]:
    try:
        value = json.loads(raw or "")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _lower(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else min(a, b)


def _label(kind: str, name: object) -> str | None:
    return f"{kind}:{name}"[:INDEX_LABEL_MAX] if isinstance(name, str) and name else None


def fold(rows: Iterable[Any]) -> dict[str, Folded]:
    """Rows of `events` (id, sender_id, type_name, timestamp, intent_name, action_name,
    data), in id order, folded per conversation."""
    abstention = _abstention_forms()
    found: dict[str, Folded] = {}
    for event_id, sender, type_name, timestamp, intent_name, action_name, raw in rows:
        t = float(timestamp or 0.0)
        day = int(t // 86400)
        item = found.get(sender)
        if item is None:
            item = found[sender] = Folded(sender, t, t, event_id)
        item.started, item.last_active = min(item.started, t), max(item.last_active, t)
        item.last_event_id = max(item.last_event_id, event_id)
        if type_name == "slot" and action_name in ("language", FACTS_SLOT):
            value = _load(raw).get("value")
            if action_name == "language" and value in LANGUAGES:
                item.language = value
            elif action_name == FACTS_SLOT:
                facts = [value] if isinstance(value, str) else value or []
                item.labels.update(
                    label for fact in facts if (label := _label("fact", fact)) is not None
                )
        elif type_name == "user":
            event = _load(raw)
            parse = event.get("parse_data") or {}
            intent = parse.get("intent") or {}
            name = intent_name or intent.get("name")
            text = str(event.get("text") or "")
            item.turns += 1
            item.daily[(day, DAILY_MESSAGES, "")] += 1
            item.daily[(day, DAILY_INTENT, str(name or "?")[:INDEX_LABEL_MAX])] += 1
            if name in DASHBOARD_FALLBACK:
                item.daily[(day, DAILY_FALLBACK, "")] += 1
            item.dialogue, item.pending = True, t
            if item.first_message is None:
                item.first_message = text[:FIRST_MESSAGE_MAX]
            confidence = intent.get("confidence")
            if isinstance(confidence, (int, float)):
                item.min_confidence = _lower(item.min_confidence, float(confidence))
            if name == REQUEST_HUMAN:
                item.first_request = _lower(item.first_request, t)
                item.last_request = max(item.last_request or t, t)
            if name in FALLBACK_INTENTS:
                item.fell_back = True
            for label in (
                _label("intent", name),
                *(_label("fact", f) for f in answer_facts(parse)),
            ):
                if label is not None:
                    item.labels.add(label)
            if text:
                item.messages.append((event_id, sender, text))
        elif type_name == "action" and action_name in FALLBACK_ACTIONS:
            item.fell_back = True
        elif type_name == "bot":
            if item.pending is not None:
                asked = int(item.pending // 86400)
                item.daily[(asked, DAILY_DELAY, delay_bin(t - item.pending))] += 1
            elif not item.dialogue:
                item.leading_reply = t
            item.dialogue, item.pending = True, None
            if raw and any(form in raw for form in abstention):
                item.abstained = True
                item.daily[(day, DAILY_ABSTENTION, "")] += 1
            if raw and REGISTRATION_REPLY in raw:
                metadata = _load(raw).get("metadata") or {}
                utter = str(metadata.get("utter_action") or "")
                outcome = utter.removeprefix(REGISTRATION_REPLY)
                if utter.startswith(REGISTRATION_REPLY):
                    item.daily[(day, DAILY_REGISTRATION, outcome[:INDEX_LABEL_MAX])] += 1
                    if outcome in REGISTRATION_OUTCOMES:
                        item.registration = outcome
    return found


def _least(a: Any, b: Any) -> Any:
    """The smaller of two nullable columns, a NULL being ignored."""
    return sa.case((a.is_(None), b), (b.is_(None), a), (a <= b, a), else_=b)


def _greatest(a: Any, b: Any) -> Any:
    return sa.case((a.is_(None), b), (b.is_(None), a), (a >= b, a), else_=b)


def _pair_replies(connection: Connection, items: list[Folded]) -> None:
    """Complete the response times across batches: a conversation's first user or bot
    event of the batch that is a bot reply answers its stored `pending_reply`; one with
    no user or bot event in the batch keeps it."""
    waiting = {i.sender_id: i for i in items if i.leading_reply is not None or not i.dialogue}
    c = staff_conversations.c
    senders = list(waiting)
    for start in range(0, len(senders), 500):
        for sender, pending in connection.execute(
            sa.select(c.sender_id, c.pending_reply).where(
                c.sender_id.in_(senders[start : start + 500]), c.pending_reply.is_not(None)
            )
        ):
            item = waiting[sender]
            if not item.dialogue:
                item.pending = float(pending)
            elif item.leading_reply is not None:
                delay = item.leading_reply - float(pending)
                item.daily[(int(float(pending) // 86400), DAILY_DELAY, delay_bin(delay))] += 1


def _write(connection: Connection, folded: Iterable[Folded]) -> None:
    """Upsert the rows (one executemany), add the labels, the messages and the daily
    counts."""
    items = list(folded)
    _pair_replies(connection, items)
    insert = dialect_insert(connection, staff_conversations)
    now, new = staff_conversations.c, insert.excluded
    connection.execute(
        insert.on_conflict_do_update(
            index_elements=["sender_id"],
            set_={
                "started": _least(now.started, new.started),
                "last_active": _greatest(now.last_active, new.last_active),
                "language": sa.func.coalesce(new.language, now.language),
                "turns": now.turns + new.turns,
                "first_message": sa.func.coalesce(now.first_message, new.first_message),
                "first_request": _least(now.first_request, new.first_request),
                "last_request": _greatest(now.last_request, new.last_request),
                "abstained": sa.or_(now.abstained, new.abstained),
                "fell_back": sa.or_(now.fell_back, new.fell_back),
                "registration": sa.func.coalesce(new.registration, now.registration),
                "min_confidence": _least(now.min_confidence, new.min_confidence),
                "last_event_id": _greatest(now.last_event_id, new.last_event_id),
                "pending_reply": new.pending_reply,
            },
        ),
        [item.row() for item in items],
    )
    daily: Counter[tuple[int, str, str]] = Counter()
    for item in items:
        daily.update(item.daily)
    if daily:
        insert = dialect_insert(connection, staff_daily)
        connection.execute(
            insert.on_conflict_do_update(
                index_elements=["day", "kind", "name"],
                set_={"count": staff_daily.c.count + insert.excluded.count},
            ),
            [
                {"day": day, "kind": kind, "name": name, "count": count}
                for (day, kind, name), count in sorted(daily.items())
            ],
        )
    labels = [{"sender_id": i.sender_id, "label": label} for i in items for label in i.labels]
    if labels:
        connection.execute(
            dialect_insert(connection, staff_conversation_labels).on_conflict_do_nothing(), labels
        )
    search.add(connection, (message for i in items for message in i.messages))


class Index:
    """The summary index: the indexer's step, and the list's queries."""

    def __init__(
        self,
        engine: Engine,
        conversations: Conversations,
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
        replica: str = "",
    ) -> None:
        self.engine = engine  # the project database
        self.conversations = conversations  # the tracker store
        self.clock = clock
        self.replica = replica[:64]

    # Indexing

    def _cursor(self) -> tuple[int, int]:
        """(position, generation); the row is created at the first step."""
        query = sa.select(staff_index_cursor.c.position, staff_index_cursor.c.generation).where(
            staff_index_cursor.c.name == CURSOR
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            with self.engine.begin() as connection:
                connection.execute(
                    dialect_insert(connection, staff_index_cursor)
                    .values(name=CURSOR, position=0, generation=0)
                    .on_conflict_do_nothing()
                )
                row = connection.execute(query).one()
        return int(row.position), int(row.generation)

    def _gaps(self) -> dict[int, float]:
        """The ids being waited for, and when each was noticed (infinity: a deleted id
        that SQLite will give again)."""
        c = staff_index_gaps.c
        with self.engine.connect() as connection:
            found = connection.execute(sa.select(c.event_id, c.noticed))
            return {
                int(event_id): float("inf") if noticed is None else float(noticed)
                for event_id, noticed in found
            }

    def step(self, batch: int = BATCH) -> int:
        """Fold the next events (at most `batch`), and those that appeared in the gaps
        of earlier batches, into the index; how many this replica folded (0: none new,
        or another replica took them)."""
        position, generation = self._cursor()
        if not self.conversations._exists():
            return 0
        now = self.clock().timestamp()
        gaps = self._gaps()
        expired = [i for i, noticed in gaps.items() if noticed < now - GAP_TIMEOUT]
        waiting = sorted(
            i for i, noticed in gaps.items() if noticed >= now - GAP_TIMEOUT and i <= position
        )
        columns = (
            events.c.id,
            events.c.sender_id,
            events.c.type_name,
            events.c.timestamp,
            events.c.intent_name,
            events.c.action_name,
            events.c.data,
        )
        with self.conversations.engine.connect() as tracker:
            rows = tracker.execute(
                sa.select(*columns).where(events.c.id > position).order_by(events.c.id).limit(batch)
            ).all()
            late = [
                row
                for start in range(0, len(waiting), 500)
                for row in tracker.execute(
                    sa.select(*columns).where(events.c.id.in_(waiting[start : start + 500]))
                )
            ]
        if not rows and not late and not expired:
            return 0
        noticed: list[int] = []
        previous = position
        for row in rows:  # recent holes: maybe transactions not committed yet
            hole = row.id - previous - 1
            if 0 < hole <= GAP_MAX and float(row.timestamp or 0.0) >= now - GAP_TIMEOUT:
                noticed.extend(range(previous + 1, row.id))
            previous = row.id
        folded = fold(sorted([*late, *rows], key=lambda row: int(row.id)))
        with self.engine.begin() as connection:
            taken = connection.execute(
                staff_index_cursor.update()
                .where(
                    staff_index_cursor.c.name == CURSOR,
                    staff_index_cursor.c.position == position,
                    staff_index_cursor.c.generation == generation,
                )
                .values(
                    position=rows[-1].id if rows else position,
                    generation=generation + 1,
                    updated_at=self.clock(),
                    run_by=self.replica,
                )
            ).rowcount
            if taken != 1:
                return 0
            done = [*expired, *(int(row.id) for row in late)]
            for start in range(0, len(done), 500):
                connection.execute(
                    staff_index_gaps.delete().where(
                        staff_index_gaps.c.event_id.in_(done[start : start + 500])
                    )
                )
            if noticed:
                connection.execute(
                    dialect_insert(connection, staff_index_gaps).on_conflict_do_nothing(),
                    [{"event_id": i, "noticed": now} for i in noticed],
                )
            if folded:
                _write(connection, folded.values())
        return len(rows) + len(late)

    def catch_up(self, batch: int = BATCH) -> int:
        """Step until no event is left; how many this replica folded."""
        total = 0
        while self.progress().behind:
            total += self.step(batch)
        return total

    @staticmethod
    def forget(connection: Connection, sender_ids: list[str], newest: int | None = None) -> None:
        """Delete these conversations' rows, labels and messages (erasure, purge), and
        raise the cursor's generation: a step that read their events before they were
        deleted does not write them back. Their daily counts stay (anonymous).

        `newest` (SQLite): the tracker store's last event id once they were deleted,
        read in the deleting transaction. If the cursor is past it, the newest events
        were deleted and SQLite gives their ids again to the next events: those ids
        become gaps that never time out, read at each step until they appear (ids
        above the cursor are read as usual, so none is folded twice). Beyond GAP_MAX
        of them, the cursor is set back instead."""
        cursor = staff_index_cursor.c
        values: dict[str, Any] = {"generation": cursor.generation + 1}
        if newest is not None:
            position = connection.execute(
                sa.select(cursor.position).where(cursor.name == CURSOR)
            ).scalar()
            if position is not None and position > newest:
                gaps = staff_index_gaps
                connection.execute(gaps.delete().where(gaps.c.event_id > newest))
                connection.execute(
                    gaps.insert(),
                    [
                        {"event_id": i, "noticed": None}
                        for i in range(newest + 1, min(position, newest + GAP_MAX) + 1)
                    ],
                )
                values["position"] = min(position, newest + GAP_MAX)
        connection.execute(
            staff_index_cursor.update().where(cursor.name == CURSOR).values(**values)
        )
        for start in range(0, len(sender_ids), 500):
            chunk = sender_ids[start : start + 500]
            for table in (staff_conversations, staff_conversation_labels):
                connection.execute(table.delete().where(table.c.sender_id.in_(chunk)))
        search.forget(connection, sender_ids)

    def reset(self) -> None:
        """Empty the index, its daily counts and gaps, and set the cursor back to the
        first event, in one transaction: the next steps rebuild it from the tracker
        store (`python -m bot staff reindex`). A step read before does not write."""
        with self.engine.begin() as connection:
            for table in (
                staff_conversations,
                staff_conversation_labels,
                staff_daily,
                staff_index_gaps,
            ):
                connection.execute(table.delete())
            connection.execute(sa.text(f"DELETE FROM {SEARCH_TABLE}"))
            connection.execute(
                dialect_insert(connection, staff_index_cursor)
                .values(name=CURSOR, position=0, generation=0)
                .on_conflict_do_nothing()
            )
            connection.execute(
                staff_index_cursor.update()
                .where(staff_index_cursor.c.name == CURSOR)
                .values(position=0, generation=staff_index_cursor.c.generation + 1)
            )

    def progress(self) -> Progress:
        with self.engine.connect() as connection:
            position = connection.execute(
                sa.select(staff_index_cursor.c.position).where(staff_index_cursor.c.name == CURSOR)
            ).scalar()
        newest = 0
        if self.conversations._exists():
            with self.conversations.engine.connect() as tracker:
                newest = tracker.execute(sa.select(sa.func.max(events.c.id))).scalar() or 0
        return Progress(int(position or 0), int(newest))

    # Reading

    def _conditions(self, connection: Connection, filters: Filters) -> list[Any]:
        c = staff_conversations.c
        found: list[Any] = []
        if filters.start:
            found.append(c.started >= day_start(filters.start))
        if filters.end:
            found.append(c.started < day_start(filters.end + timedelta(days=1)))
        if filters.language:
            found.append(c.language == filters.language)
        if filters.channel:
            found.append(c.channel == filters.channel)
        if filters.person_requested:
            found.append(c.first_request.is_not(None))
        if filters.search:
            matching = search.matching(connection, filters.search)
            found.append(sa.false() if matching is None else c.sender_id.in_(matching))
        if filters.reviewed:
            reviewed = sa.select(staff_reviews.c.sender_id).where(
                staff_reviews.c.reviewed_at.is_not(None)
            )
            condition = c.sender_id.in_(reviewed)
            found.append(condition if filters.reviewed == "yes" else sa.not_(condition))
        if filters.tag:
            found.append(
                c.sender_id.in_(
                    sa.select(staff_tags.c.sender_id).where(staff_tags.c.tag == filters.tag)
                )
            )
        if filters.unanswered == "abstention":
            found.append(c.abstained)
        elif filters.unanswered == "fallback":
            found.append(c.fell_back)
        elif filters.unanswered == "either":
            found.append(sa.or_(c.abstained, c.fell_back))
        if filters.registration == REGISTRATION_CHECKED:
            found.append(c.registration.is_not(None))
        elif filters.registration:
            found.append(c.registration == filters.registration)
        for kind, name in (("intent", filters.intent), ("fact", filters.fact)):
            if name:
                # EXISTS, a probe of the labels' primary key (sender_id, label) per row:
                # the page walks `last_active` and stops at its 51st row.
                labels = staff_conversation_labels
                found.append(
                    sa.exists().where(
                        labels.c.sender_id == c.sender_id, labels.c.label == f"{kind}:{name}"
                    )
                )
        if filters.below is not None:
            found.append(c.min_confidence < filters.below)
        if filters.only is not None:
            found.append(in_list(connection, c.sender_id, filters.only))
        if filters.exclude:
            found.append(sa.not_(in_list(connection, c.sender_id, filters.exclude)))
        return found

    def page(self, filters: Filters, page: int, size: int) -> tuple[list[Summary], bool]:
        """One page of conversations, most recent activity first; and whether there
        is a next page."""
        c = staff_conversations.c
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(staff_conversations)
                .where(*self._conditions(connection, filters))
                .order_by(c.last_active.desc(), c.sender_id)
                .limit(size + 1)
                .offset((page - 1) * size)
            ).all()
        summaries = [
            Summary(
                sender_id=r.sender_id,
                started=epoch_time(r.started),
                last=epoch_time(r.last_active),
                turns=int(r.turns),
                channel=r.channel,
                language=r.language,
                first_message=r.first_message or "",
                person_requested=r.first_request is not None,
                abstained=bool(r.abstained),
                fell_back=bool(r.fell_back),
                registration=r.registration,
                min_confidence=r.min_confidence,
            )
            for r in rows[:size]
        ]
        return summaries, len(rows) > size

    def count(self, filters: Filters, cap: int | None = COUNT_CAP) -> int:
        """How many conversations pass `filters`; at most `cap` + 1 (more than `cap`):
        counting stops there, so a broad filter over 100,000 rows costs what 10,000 do."""
        with self.engine.connect() as connection:
            matching = (
                sa.select(staff_conversations.c.sender_id)
                .where(*self._conditions(connection, filters))
            )
            if cap is not None:
                matching = matching.limit(cap + 1)
            return int(
                connection.execute(
                    sa.select(sa.func.count()).select_from(matching.subquery())
                ).scalar_one()
            )

    def senders(self, filters: Filters, after: str | None, size: int) -> list[str]:
        """Up to `size` sender ids passing `filters`, after `after`, in sender-id order:
        the export's next batch."""
        c = staff_conversations.c
        with self.engine.connect() as connection:
            conditions = self._conditions(connection, filters)
            if after is not None:
                conditions.append(c.sender_id > after)
            return list(
                connection.execute(
                    sa.select(c.sender_id).where(*conditions).order_by(c.sender_id).limit(size)
                ).scalars()
            )

    def person_requests(self, senders: list[str] | None = None) -> dict[str, tuple[float, float]]:
        """The conversations where a person was requested (of `senders`, if given):
        first and last request."""
        c = staff_conversations.c
        query = sa.select(c.sender_id, c.first_request, c.last_request).where(
            c.first_request.is_not(None)
        )
        if senders is not None:
            query = query.where(c.sender_id.in_(senders))
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return {sender: (float(first), float(last)) for sender, first, last in rows}


async def run(index: Index, interval: float, batch: int = BATCH) -> None:
    """Forever: a step, then `interval` seconds (none while catching up). Errors are
    logged and the loop goes on; cancelling it ends it."""
    while True:
        folded = 0
        try:
            folded = await asyncio.to_thread(index.step, batch)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - logged; the app goes on, the next step retries
            logger.exception("staff: indexing the conversations failed")
        await asyncio.sleep(0 if folded >= batch else interval)
