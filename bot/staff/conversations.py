"""Conversations as Rasa's SQL tracker store keeps them (`events`: one row per event,
`data` its JSON), read for the transcripts and the export; written only to erase and
purge. The list, its filters and its search read the console's summary index instead
(bot/staff/index.py), which the indexer folds these events into.

The table is described here, not imported from Rasa (loading Rasa takes seconds): the
columns are those of `rasa.core.tracker_store.SQLTrackerStore.SQLEvent`. Queries use
bound parameters only.

"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from bot.settings import LANGUAGES

CHANNELS = ("web", "rest", "telegram", "whatsapp")  # sender id namespaces (bot/channels)
REQUEST_HUMAN = "request_human"
# A fallback: the action after a message, or the message's intent.
FALLBACK_ACTIONS = ("action_default_fallback", "utter_default")
FALLBACK_INTENTS = ("nlu_fallback", "out_of_scope")
# The registration check's outcomes, as its replies name them (actions/registration.py:
# `utter_registration_<outcome>`; a reference and e-mail that do not match: not_found).
REGISTRATION_OUTCOMES = (
    "confirmed",
    "pending",
    "waitlisted",
    "rejected",
    "cancelled",
    "not_found",
    "locked",
    "throttled",
    "unavailable",
)
SEARCH_MAX = 200  # characters of a search actually used
REVIEWED = ("yes", "no")
UNANSWERED = ("abstention", "fallback", "either")
REGISTRATION_CHECKED = "any"  # a check happened, whatever its outcome
NAME = re.compile(r"[a-z0-9_]{1,64}")  # an intent or a fact id, as filters take them

events = sa.Table(
    "events",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),  # as Rasa's
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),  # for "slot" events, the slot's name
    sa.Column("data", sa.Text),
)


def create_tracker_engine(url: str) -> Engine:
    """The tracker store's database; an SQLite file is never created by the console."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return sa.create_engine(
            parsed,
            poolclass=NullPool,
            future=True,
            hide_parameters=True,
            connect_args={"check_same_thread": False, "timeout": 10},
        )
    return sa.create_engine(parsed, future=True, hide_parameters=True, pool_pre_ping=True)


def json_text(engine: Engine, column: Any, *keys: str) -> Any:
    """The text at a path of keys of a JSON text column, in SQL."""
    if engine.dialect.name == "postgresql":
        value = sa.cast(column, postgresql.JSONB)
        if len(keys) == 1:
            return value[keys[0]].astext
        return sa.func.jsonb_extract_path_text(value, *keys)
    return sa.func.json_extract(column, "$." + ".".join(keys))


def in_list(bind: Engine | Connection, column: Any, values: Iterable[str]) -> Any:
    """`column IN values` with one bound parameter however many values (a JSON array
    on SQLite, an array on PostgreSQL): no limit on the number of variables."""
    values = list(values)
    if not values:
        return sa.false()
    if bind.dialect.name == "postgresql":
        return column == sa.any_(sa.literal(values, type_=postgresql.ARRAY(sa.String)))
    each = sa.func.json_each(sa.literal(json.dumps(values))).table_valued("value")
    return column.in_(sa.select(each.c.value))


@dataclass(frozen=True)
class Filters:
    """What the list shows; every field optional. Dates are UTC days, both included."""

    start: date | None = None
    end: date | None = None
    language: str | None = None
    channel: str | None = None
    person_requested: bool = False
    search: str = ""
    reviewed: str | None = None  # "yes" | "no"
    tag: str = ""  # normalised
    unanswered: str | None = None  # one of UNANSWERED: abstained, fell back, either
    registration: str | None = None  # REGISTRATION_CHECKED or one of REGISTRATION_OUTCOMES
    intent: str = ""  # an intent of one of its messages
    fact: str = ""  # a fact one of its replies was composed from
    below: float | None = None  # some message's intent confidence below this
    # Not from the query: the conversations to keep, if set (the follow-up queue).
    only: tuple[str, ...] | None = None
    exclude: tuple[str, ...] = ()

    @classmethod
    def from_query(cls, query: Any) -> Filters:
        """From a request's query string; a value that does not parse is ignored."""
        from bot.staff.reviews import normalise_tag

        return cls(
            start=_date(query.get("from", "")),
            end=_date(query.get("to", "")),
            language=query.get("language") if query.get("language") in LANGUAGES else None,
            channel=query.get("channel") if query.get("channel") in CHANNELS else None,
            person_requested=query.get("person") == "1",
            search=query.get("q", "").strip()[:SEARCH_MAX],
            reviewed=query.get("reviewed") if query.get("reviewed") in REVIEWED else None,
            tag=normalise_tag(query.get("tag", "")[:SEARCH_MAX]),
            unanswered=_choice(query.get("unanswered"), UNANSWERED),
            registration=_choice(
                query.get("registration"), (REGISTRATION_CHECKED, *REGISTRATION_OUTCOMES)
            ),
            intent=_name(query.get("intent", "")),
            fact=_name(query.get("fact", "")),
            below=confidence_below(query.get("below", "")),
        )

    def to_query(self) -> list[tuple[str, str]]:
        """The query-string pairs `from_query` reads back to these filters (not the
        resolved `only` / `exclude`): what a saved filter keeps."""
        pairs = [
            ("from", self.start.isoformat() if self.start else ""),
            ("to", self.end.isoformat() if self.end else ""),
            ("language", self.language or ""),
            ("channel", self.channel or ""),
            ("person", "1" if self.person_requested else ""),
            ("reviewed", self.reviewed or ""),
            ("tag", self.tag),
            ("q", self.search),
            ("unanswered", self.unanswered or ""),
            ("registration", self.registration or ""),
            ("intent", self.intent),
            ("fact", self.fact),
            ("below", "" if self.below is None else f"{self.below:g}"),
        ]
        return [(key, value) for key, value in pairs if value]

    def restricted(self, only: Iterable[str] | None, exclude: Iterable[str] = ()) -> Filters:
        """These filters, also limited to `only` (intersected with an earlier limit)
        and without `exclude`."""
        keep = self.only
        if only is not None:
            keep = tuple(sorted(set(only) if keep is None else set(only) & set(keep)))
        return replace(self, only=keep, exclude=tuple(sorted({*self.exclude, *exclude})))


def _choice(value: str | None, allowed: tuple[str, ...]) -> str | None:
    return value if value in allowed else None


def _name(text: str) -> str:
    text = text.strip()
    return text if NAME.fullmatch(text) else ""


def confidence_below(text: str) -> float | None:
    """A confidence threshold from a query: a number above 0, at most 1 ("0,5" too)."""
    try:
        value = float(text.replace(",", ".")[:20])
    except ValueError:
        return None
    return value if 0.0 < value <= 1.0 else None


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def day_start(day: date) -> float:
    return datetime.combine(day, time(), tzinfo=timezone.utc).timestamp()


def epoch_time(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, tz=timezone.utc)


def channel_of(sender_id: str) -> str:
    prefix = sender_id.split(":", 1)[0]
    return prefix if prefix in CHANNELS else "other"


@dataclass
class Turn:
    """A user message and what the assistant did about it (or, first, what it did
    before any message: the session start)."""

    time: datetime | None = None
    text: str | None = None
    intent: str | None = None
    confidence: float | None = None
    entities: list[tuple[str, str]] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    # The fact base's facts the reply was composed from (bot/nlu/facts.yml ids), in
    # order: the sources of the answer (bot/staff/sources.py).
    facts: list[str] = field(default_factory=list)
    # A reviewer's reply as a person (bot/staff/human_reply.py), on a row of its own:
    # not the assistant's doing.
    by_staff: bool = False


class Conversations:
    """The tracker store's conversations (one per sender id)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _exists(self) -> bool:
        """Rasa creates its database and table when it first starts: before that there
        is no conversation (and an SQLite file is not created here)."""
        url = self.engine.url
        file = url.database if url.get_backend_name() == "sqlite" else None
        if file not in (None, "", ":memory:") and not Path(str(file)).exists():
            return False
        with self.engine.connect() as connection:
            return bool(sa.inspect(connection).has_table("events"))

    def transcript(self, sender_id: str) -> list[Turn] | None:
        """Every turn of the conversation in order; None if there is none."""
        if not self._exists():
            return None
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(events.c.type_name, events.c.timestamp, events.c.data)
                .where(events.c.sender_id == sender_id)
                .order_by(events.c.id)
            ).all()
        if not rows:
            return None
        return turns_of(rows)

    def language(self, sender_id: str) -> str | None:
        """The conversation's language now: its last `language` slot."""
        if not self._exists():
            return None
        with self.engine.connect() as connection:
            raw = connection.execute(
                sa.select(events.c.data)
                .where(
                    events.c.sender_id == sender_id,
                    events.c.type_name == "slot",
                    events.c.action_name == "language",
                )
                .order_by(events.c.id.desc())
                .limit(1)
            ).scalar()
        value = _load(raw).get("value") if raw else None
        return value if isinstance(value, str) else None

    def export_batch(self, senders: list[str]) -> list[Exported]:
        """These conversations with their turns, in the order given (the index chose
        them: bot/staff/index.py). The export walks the whole set a batch at a time, and
        no transaction stays open between batches (SQLite: Rasa keeps writing)."""
        if not senders or not self._exists():
            return []
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(events.c.sender_id, events.c.type_name, events.c.timestamp, events.c.data)
                .where(events.c.sender_id.in_(senders))
                .order_by(events.c.sender_id, events.c.id)
            ).all()
        grouped: dict[str, list[Any]] = {sender: [] for sender in senders}
        for row in rows:
            grouped[row.sender_id].append(row[1:])
        exported = []
        for sender, own in grouped.items():
            if not own:  # erased since the index chose it
                continue
            language = None
            for type_name, _, raw in own:
                if type_name == "slot":
                    event = _load(raw)
                    if event.get("name") == "language":
                        language = event.get("value")
            exported.append(
                Exported(
                    sender_id=sender,
                    channel=channel_of(sender),
                    language=language if isinstance(language, str) else None,
                    started=epoch_time(own[0][1]),
                    turns=turns_of(own),
                )
            )
        return exported

    @staticmethod
    def _newest(connection: Connection) -> int | None:
        """On SQLite, the last event's id, read in the deleting transaction (no other
        write in between): Rasa's table has no AUTOINCREMENT, so the next event gets
        this id + 1 even if that id was just deleted, and the index reads the deleted
        ids again (bot/staff/index.py: `Index.forget`). None on PostgreSQL: a sequence
        never gives an id twice."""
        if connection.dialect.name != "sqlite":
            return None
        return int(connection.execute(sa.select(sa.func.max(events.c.id))).scalar() or 0)

    def erase(self, sender_id: str) -> tuple[int, int | None]:
        """Delete one conversation's events; returns how many, and (SQLite) the newest
        id left."""
        if not self._exists():
            return 0, None
        with self.engine.begin() as connection:
            deleted = connection.execute(events.delete().where(events.c.sender_id == sender_id))
            return int(deleted.rowcount), self._newest(connection)

    def purge(self, older_than: datetime) -> tuple[list[str], int | None]:
        """Delete whole conversations whose last event is before `older_than` (a
        conversation still going on keeps its beginning); returns their sender ids, and
        (SQLite) the newest id left."""
        if not self._exists():
            return [], None
        with self.engine.begin() as connection:
            old: list[str] = (
                connection.execute(
                    sa.select(events.c.sender_id)
                    .group_by(events.c.sender_id)
                    .having(sa.func.max(events.c.timestamp) < older_than.timestamp())
                )
                .scalars()
                .all()
            )
            for start in range(0, len(old), 500):
                connection.execute(
                    events.delete().where(events.c.sender_id.in_(old[start : start + 500]))
                )
            return old, self._newest(connection)


@dataclass(frozen=True)
class Exported:
    """One conversation as the export writes it."""

    sender_id: str
    channel: str
    language: str | None
    started: datetime | None
    turns: list[Turn]


def turns_of(rows: Iterable[Any]) -> list[Turn]:
    """Turns from a conversation's (type_name, timestamp, data) rows, in order."""
    turns = [Turn()]
    for type_name, timestamp, raw in rows:
        if type_name not in ("user", "action", "bot", "slot"):
            continue
        if type_name == "slot":
            # The facts the answer action resolved (follow-ups included), when it set
            # them in this turn: they replace the parse data's items.
            if turns[-1].text is not None and raw and FACTS_SLOT in raw:
                event = _load(raw)
                value = list(dict.fromkeys(_strings(event.get("value"))))
                if event.get("name") == FACTS_SLOT and value:
                    turns[-1].facts = value
            continue
        event = _load(raw)
        if type_name == "user":
            parse = event.get("parse_data") or {}
            intent = parse.get("intent") or {}
            turns.append(
                Turn(
                    time=epoch_time(timestamp),
                    text=str(event.get("text") or ""),
                    intent=intent.get("name"),
                    confidence=intent.get("confidence"),
                    entities=[
                        (str(e.get("entity", "")), str(e.get("value", "")))
                        for e in parse.get("entities") or []
                        if isinstance(e, dict)
                    ],
                    facts=answer_facts(parse),
                )
            )
        elif type_name == "action" and event.get("name") != "action_listen":
            turns[-1].actions.append(str(event.get("name")))
            turns[-1].time = turns[-1].time or epoch_time(timestamp)
        elif type_name == "bot" and event.get("text"):
            metadata = event.get("metadata")
            if isinstance(metadata, dict) and metadata.get(STAFF_REPLY) is True:
                turns.append(
                    Turn(time=epoch_time(timestamp), replies=[str(event["text"])], by_staff=True)
                )
            else:
                turns[-1].replies.append(str(event["text"]))
    return [turn for turn in turns if turn.text is not None or turn.actions or turn.replies]


FACTS_SLOT = "answer_facts"  # actions/answers.py, bot/nlu/fact_detector.py
STAFF_REPLY = "staff_reply"  # the metadata key bot/staff/human_reply.py sets


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def answer_facts(parse: dict[str, Any]) -> list[str]:
    """The facts a reply was composed from, as the NLU left them in the parse data:
    entities `answer_facts` when the fact detector composed the reply itself, else the
    items of `answer` (each with its `fact`) that the answer action composes from. A
    follow-up item ("how many?") names no fact: the action's `answer_facts` slot, set in
    the same turn, gives it (turns_of). Duplicates dropped, order kept."""
    found = [
        str(e.get("value"))
        for e in parse.get("entities") or []
        if isinstance(e, dict) and e.get("entity") == FACTS_SLOT and isinstance(e.get("value"), str)
    ]
    if not found:
        answer = parse.get("answer")
        items = answer.get("items") if isinstance(answer, dict) else None
        found = [
            item["fact"]
            for item in items or []
            if isinstance(item, dict) and isinstance(item.get("fact"), str)
        ]
    return list(dict.fromkeys(found))


def _load(raw: str | None) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
