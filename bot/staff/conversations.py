"""Conversations as Rasa's SQL tracker store keeps them (`events`: one row per event,
`data` its JSON), read for the console; written only to erase and purge.

The table is described here, not imported from Rasa (loading Rasa takes seconds): the
columns are those of `rasa.core.tracker_store.SQLTrackerStore.SQLEvent`. Filters are
built with bound parameters only; text search is a case-insensitive substring over the
user messages (no full-text index yet). Filters on the console's own tables (tag,
reviewed) arrive as a set of sender ids (`Filters.only` / `Filters.exclude`), passed as
one parameter (`in_list`), since the tracker store may be another database."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from bot.settings import LANGUAGES

CHANNELS = ("web", "rest", "telegram", "whatsapp")  # sender id namespaces (bot/channels)
REQUEST_HUMAN = "request_human"
SEARCH_MAX = 200  # characters of a search actually used
REVIEWED = ("yes", "no")

events = sa.Table(
    "events",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False),
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


def in_list(engine: Engine, column: Any, values: Iterable[str]) -> Any:
    """`column IN values` with one bound parameter however many values (a JSON array
    on SQLite, an array on PostgreSQL): no limit on the number of variables."""
    values = list(values)
    if not values:
        return sa.false()
    if engine.dialect.name == "postgresql":
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
    # Resolved from the console's tables (bot/staff/reviews.py), not from the query:
    only: tuple[str, ...] | None = None  # the conversations to keep, if set
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
        ]
        return [(key, value) for key, value in pairs if value]

    def restricted(self, only: Iterable[str] | None, exclude: Iterable[str] = ()) -> Filters:
        """These filters, also limited to `only` (intersected with an earlier limit)
        and without `exclude`."""
        keep = self.only
        if only is not None:
            keep = tuple(sorted(set(only) if keep is None else set(only) & set(keep)))
        return replace(self, only=keep, exclude=tuple(sorted({*self.exclude, *exclude})))


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _epoch(day: date) -> float:
    return datetime.combine(day, time(), tzinfo=timezone.utc).timestamp()


def _time(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, tz=timezone.utc)


def channel_of(sender_id: str) -> str:
    prefix = sender_id.split(":", 1)[0]
    return prefix if prefix in CHANNELS else "other"


@dataclass(frozen=True)
class Summary:
    sender_id: str
    started: datetime | None
    last: datetime | None
    turns: int
    channel: str
    language: str | None
    first_message: str
    person_requested: bool


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

    def _matching(self, filters: Filters) -> Any:
        """Sender ids whose conversation passes `filters`, as a SELECT ... GROUP BY."""
        conditions = []
        if filters.channel:
            conditions.append(events.c.sender_id.startswith(f"{filters.channel}:", autoescape=True))
        if filters.only is not None:
            conditions.append(in_list(self.engine, events.c.sender_id, filters.only))
        if filters.exclude:
            conditions.append(sa.not_(in_list(self.engine, events.c.sender_id, filters.exclude)))
        for wanted in self._event_conditions(filters):
            conditions.append(events.c.sender_id.in_(sa.select(events.c.sender_id).where(*wanted)))
        query = sa.select(events.c.sender_id).where(*conditions).group_by(events.c.sender_id)
        if filters.start:
            query = query.having(sa.func.min(events.c.timestamp) >= _epoch(filters.start))
        if filters.end:
            query = query.having(
                sa.func.min(events.c.timestamp) < _epoch(filters.end + timedelta(days=1))
            )
        return query

    def _event_conditions(self, filters: Filters) -> list[list[Any]]:
        found = []
        if filters.language:
            found.append(
                [
                    events.c.type_name == "slot",
                    events.c.action_name == "language",
                    json_text(self.engine, events.c.data, "value") == filters.language,
                ]
            )
        if filters.person_requested:
            found.append([events.c.type_name == "user", events.c.intent_name == REQUEST_HUMAN])
        if filters.search:
            text = sa.func.lower(json_text(self.engine, events.c.data, "text"))
            found.append(
                [
                    events.c.type_name == "user",
                    text.contains(filters.search.lower(), autoescape=True),
                ]
            )
        return found

    def page(self, filters: Filters, page: int, size: int) -> tuple[list[Summary], bool]:
        """One page of conversations, most recent activity first; and whether there
        is a next page."""
        if not self._exists():
            return [], False
        with self.engine.connect() as connection:
            matching = self._matching(filters).subquery()
            last = sa.func.max(events.c.timestamp)
            rows = connection.execute(
                sa.select(
                    events.c.sender_id,
                    sa.func.min(events.c.timestamp).label("started"),
                    last.label("last"),
                    sa.func.sum(sa.case((events.c.type_name == "user", 1), else_=0)).label("turns"),
                    sa.func.max(sa.case((events.c.intent_name == REQUEST_HUMAN, 1), else_=0)).label(
                        "person"
                    ),
                    sa.func.min(
                        sa.case((events.c.type_name == "user", events.c.id), else_=None)
                    ).label("first_user"),
                    sa.func.max(
                        sa.case(
                            (
                                sa.and_(
                                    events.c.type_name == "slot",
                                    events.c.action_name == "language",
                                ),
                                events.c.id,
                            ),
                            else_=None,
                        )
                    ).label("last_language"),
                )
                .where(events.c.sender_id.in_(sa.select(matching.c.sender_id)))
                .group_by(events.c.sender_id)
                .order_by(last.desc(), events.c.sender_id)
                .limit(size + 1)
                .offset((page - 1) * size)
            ).all()
            ids = [r.first_user for r in rows[:size] if r.first_user] + [
                r.last_language for r in rows[:size] if r.last_language
            ]
            data = (
                dict(
                    connection.execute(
                        sa.select(events.c.id, events.c.data).where(events.c.id.in_(ids))
                    ).all()
                )
                if ids
                else {}
            )
        summaries = [
            Summary(
                sender_id=r.sender_id,
                started=_time(r.started),
                last=_time(r.last),
                turns=int(r.turns or 0),
                channel=channel_of(r.sender_id),
                language=_load(data.get(r.last_language)).get("value"),
                first_message=str(_load(data.get(r.first_user)).get("text") or ""),
                person_requested=bool(r.person),
            )
            for r in rows[:size]
        ]
        return summaries, len(rows) > size

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

    def export_batch(
        self, filters: Filters, after: str | None, size: int
    ) -> tuple[list[Exported], str | None]:
        """Up to `size` conversations passing `filters` whose sender id sorts after
        `after`, with their turns; and the sender id to continue after (None at the
        end). The export walks the whole set this way, one batch in memory at a time,
        and no transaction stays open between batches (SQLite: Rasa keeps writing)."""
        if not self._exists():
            return [], None
        with self.engine.connect() as connection:
            query = self._matching(filters)
            if after is not None:
                query = query.where(events.c.sender_id > after)
            senders = list(
                connection.execute(query.order_by(events.c.sender_id).limit(size)).scalars()
            )
            if not senders:
                return [], None
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
                    started=_time(own[0][1]) if own else None,
                    turns=turns_of(own),
                )
            )
        return exported, (senders[-1] if len(senders) == size else None)

    def person_requests(self) -> dict[str, tuple[float, float]]:
        """Every conversation where a person was requested: first and last request."""
        if not self._exists():
            return {}
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(
                    events.c.sender_id,
                    sa.func.min(events.c.timestamp),
                    sa.func.max(events.c.timestamp),
                )
                .where(events.c.type_name == "user", events.c.intent_name == REQUEST_HUMAN)
                .group_by(events.c.sender_id)
            ).all()
        return {sender: (float(first or 0), float(last or 0)) for sender, first, last in rows}

    def erase(self, sender_id: str) -> int:
        """Delete one conversation's events; returns how many."""
        if not self._exists():
            return 0
        with self.engine.begin() as connection:
            return int(
                connection.execute(events.delete().where(events.c.sender_id == sender_id)).rowcount
            )

    def purge(self, older_than: datetime) -> list[str]:
        """Delete whole conversations whose last event is before `older_than` (a
        conversation still going on keeps its beginning); returns their sender ids."""
        if not self._exists():
            return []
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
        return old


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
                    time=_time(timestamp),
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
            turns[-1].time = turns[-1].time or _time(timestamp)
        elif type_name == "bot" and event.get("text"):
            metadata = event.get("metadata")
            if isinstance(metadata, dict) and metadata.get(STAFF_REPLY) is True:
                turns.append(
                    Turn(time=_time(timestamp), replies=[str(event["text"])], by_staff=True)
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
