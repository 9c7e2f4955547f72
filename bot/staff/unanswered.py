"""The messages the assistant did not answer, grouped by similarity, and the reviewers'
labels of them (table `staff_labels`, revision 0007), exported as Rasa NLU training data.

A user message is "unanswered" when
- the assistant abstained on it: a bot reply after it contains the "does not give this
  information" sentence (bot/nlu/facts.yml, `phrases: not_in_source`, read only);
- or fell back: the action after it is `action_default_fallback` or `utter_default`, or
  its intent is `nlu_fallback` or `out_of_scope`;
- or, when asked, its intent's confidence is below a threshold.
Only the `limit` most recent such messages are read and grouped, so the work is bounded
(about a second for 2,000 messages).

Grouping approximates the assistant's own count features (config.yml: word 1-2 grams
and char_wb 1-5 grams, on lemmas there): tf-idf of word 1-2 grams and of char_wb 1-5
grams of the lower-cased, accent-folded text, each block L2-normalised, side by side, so
a cosine similarity is the mean of the two. Leader clustering, deterministic: messages
in order, most recent first; each joins the earlier group whose first message is the
most similar if that similarity reaches the threshold, else starts a group. Largest
groups first."""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa
import yaml
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
from sqlalchemy.engine import Engine

from bot.participants.store import dialect_insert
from bot.settings import LANGUAGES
from bot.staff.conversations import (
    FALLBACK_ACTIONS,
    FALLBACK_INTENTS,
    Conversations,
    events,
    json_text,
)
from bot.staff.dashboard import says_abstention
from bot.staff.schema import LABEL_INTENT_MAX, staff_labels

ROOT = Path(__file__).resolve().parent.parent.parent
DOMAIN = ROOT / "domain.yml"
# Intents a message cannot be labelled with: sent by the channels, or set by the fact
# detector (bot/nlu/fact_detector.py), not learnt from examples.
NOT_LABELS = frozenset(
    {"unsupported_message", "edited_message", "message_too_long", "ask_question", "ask_fact"}
)
REASONS = ("abstention", "fallback", "fallback_intent", "low_confidence")
LABEL_MAX = 500  # messages one POST may label
CHUNK = 500


@functools.lru_cache(maxsize=1)
def domain_intents() -> tuple[str, ...]:
    """The intents of domain.yml (read only), and Rasa's `nlu_fallback`, sorted."""
    with DOMAIN.open(encoding="utf-8") as file:
        domain = yaml.safe_load(file) or {}
    found = {"nlu_fallback"}
    for item in domain.get("intents") or []:
        name = next(iter(item)) if isinstance(item, dict) else item
        if isinstance(name, str):
            found.add(name)
    return tuple(sorted(found))


def label_intents() -> tuple[str, ...]:
    """The intents a reviewer may choose for a message, sorted."""
    return tuple(
        name
        for name in domain_intents()
        if name not in NOT_LABELS and name != "nlu_fallback" and len(name) <= LABEL_INTENT_MAX
    )


@dataclass
class Message:
    event_id: int
    sender_id: str
    time: datetime | None
    text: str
    intent: str | None
    confidence: float | None
    language: str | None
    reasons: list[str] = field(default_factory=list)


@dataclass
class Group:
    messages: list[Message]

    @property
    def text(self) -> str:
        """The group's first (most recent) message: the one the others resemble."""
        return self.messages[0].text

    @property
    def language(self) -> str | None:
        """The language most of its messages are in."""
        counted = Counter(m.language for m in self.messages if m.language in LANGUAGES)
        return counted.most_common(1)[0][0] if counted else None


def _load(raw: str | None) -> dict[str, Any]:
    try:
        value = json.loads(raw or "")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _language(parse: dict[str, Any]) -> str | None:
    for entity in parse.get("entities") or []:
        if isinstance(entity, dict) and entity.get("entity") == "language":
            value = entity.get("value")
            if value in LANGUAGES:
                return str(value)
    return None


def find(conversations: Conversations, limit: int, below: float | None = None) -> list[Message]:
    """The `limit` most recent unanswered user messages, most recent first, each with
    why it is here. Three bounded queries (each at most `limit` rows), then one read of
    the messages themselves."""
    if limit <= 0 or not conversations._exists():
        return []
    engine = conversations.engine
    reasons: dict[int, set[str]] = {}
    with engine.connect() as connection:
        # Messages classified as a fallback, or with a low confidence.
        confidence = sa.cast(
            json_text(engine, events.c.data, "parse_data", "intent", "confidence"), sa.Float
        )
        by_intent = [events.c.intent_name.in_(FALLBACK_INTENTS)]
        if below is not None:
            by_intent.append(confidence < below)
        for event_id, intent, value in connection.execute(
            sa.select(events.c.id, events.c.intent_name, confidence)
            .where(events.c.type_name == "user", sa.or_(*by_intent))
            .order_by(events.c.id.desc())
            .limit(limit)
        ):
            found = reasons.setdefault(int(event_id), set())
            if intent in FALLBACK_INTENTS:
                found.add("fallback_intent")
            if below is not None and value is not None and float(value) < below:
                found.add("low_confidence")
        # Messages followed by a fallback action or an abstention: the user message
        # before each such event of the same conversation.
        previous = events.alias("previous")
        before = (
            sa.select(sa.func.max(previous.c.id))
            .where(
                previous.c.sender_id == events.c.sender_id,
                previous.c.type_name == "user",
                previous.c.id < events.c.id,
            )
            .scalar_subquery()
        )
        abstained = sa.and_(events.c.type_name == "bot", says_abstention(events.c.data))
        fell_back = sa.and_(
            events.c.type_name == "action", events.c.action_name.in_(FALLBACK_ACTIONS)
        )
        for condition, reason in ((abstained, "abstention"), (fell_back, "fallback")):
            for (event_id,) in connection.execute(
                sa.select(before.label("user_id"))
                .where(condition)
                .order_by(events.c.id.desc())
                .limit(limit)
            ):
                if event_id is not None:
                    reasons.setdefault(int(event_id), set()).add(reason)
        chosen = sorted(reasons, reverse=True)[:limit]
        rows = []
        for start in range(0, len(chosen), CHUNK):
            rows += connection.execute(
                sa.select(
                    events.c.id,
                    events.c.sender_id,
                    events.c.timestamp,
                    events.c.intent_name,
                    events.c.data,
                ).where(events.c.id.in_(chosen[start : start + CHUNK]))
            ).all()
    messages = []
    for event_id, sender_id, timestamp, intent, raw in rows:
        event = _load(raw)
        parse = event.get("parse_data") or {}
        value = (parse.get("intent") or {}).get("confidence")
        messages.append(
            Message(
                event_id=int(event_id),
                sender_id=sender_id,
                time=None
                if timestamp is None
                else datetime.fromtimestamp(timestamp, tz=timezone.utc),
                text=str(event.get("text") or ""),
                intent=intent,
                confidence=float(value) if isinstance(value, (int, float)) else None,
                language=_language(parse),
                reasons=[r for r in REASONS if r in reasons[int(event_id)]],
            )
        )
    messages.sort(key=lambda m: m.event_id, reverse=True)
    return messages


def features(texts: list[str]) -> sparse.csr_matrix:
    """One L2-normalised row per text: word 1-2 gram and char_wb 1-5 gram tf-idf."""
    blocks = []
    for vectorizer in (
        TfidfVectorizer(
            analyzer="word",
            ngram_range=(1, 2),
            strip_accents="unicode",
            token_pattern=r"(?u)\b\w+\b",
            sublinear_tf=True,
        ),
        TfidfVectorizer(
            analyzer="char_wb", ngram_range=(1, 5), strip_accents="unicode", sublinear_tf=True
        ),
    ):
        try:
            blocks.append(vectorizer.fit_transform(texts))
        except ValueError:  # no token at all (emoji, punctuation only)
            blocks.append(sparse.csr_matrix((len(texts), 1)))
    return normalize(sparse.hstack(blocks).tocsr())


def cluster(texts: list[str], threshold: float) -> list[list[int]]:
    """Groups of indices into `texts` (leader clustering, in order), largest first,
    then by their first index."""
    if not texts:
        return []
    matrix = features([t.strip() or "?" for t in texts])
    similarity = (matrix @ matrix.T).toarray().astype(np.float32)
    leaders: list[int] = []
    groups: list[list[int]] = []
    for i in range(len(texts)):
        if leaders:
            scores = similarity[i, leaders]
            best = int(np.argmax(scores))
            if scores[best] >= threshold:
                groups[best].append(i)
                continue
        leaders.append(i)
        groups.append([i])
    return sorted(groups, key=lambda g: (-len(g), g[0]))


def group(messages: list[Message], threshold: float) -> list[Group]:
    return [
        Group([messages[i] for i in indices])
        for indices in cluster([m.text for m in messages], threshold)
    ]


# Labels.


class LabelError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class Label:
    sender_id: str
    event_id: int
    text: str
    intent: str
    language: str
    at: datetime
    actor: str


class Labels:
    """Reviewers' labels (project database); the messages' text comes from the tracker
    store when they are recorded."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self.engine = engine
        self.clock = clock

    def record(
        self,
        conversations: Conversations,
        event_ids: Iterable[int],
        intent: str,
        language: str,
        actor: str,
    ) -> int:
        """Label these user messages (a message labelled again gets the new label);
        returns how many were labelled. Ids that are not user messages are skipped."""
        if intent not in label_intents():
            raise LabelError("error_label_intent")
        if language not in LANGUAGES:
            raise LabelError("error_label_language")
        ids = sorted(set(event_ids))[:LABEL_MAX]
        if not ids:
            raise LabelError("error_label_empty")
        with conversations.engine.connect() as connection:
            rows = connection.execute(
                sa.select(events.c.id, events.c.sender_id, events.c.data).where(
                    events.c.id.in_(ids), events.c.type_name == "user"
                )
            ).all()
        now = self.clock()
        values = {"intent": intent, "language": language, "at": now, "actor": actor}
        labels = [
            {"sender_id": sender_id, "event_id": event_id, "text": text, **values}
            for event_id, sender_id, raw in rows
            if (text := str(_load(raw).get("text") or "").strip())
        ]
        if labels:
            with self.engine.begin() as connection:
                insert = dialect_insert(connection, staff_labels)
                relabel = insert.on_conflict_do_update(
                    index_elements=["sender_id", "event_id"],
                    set_={key: insert.excluded[key] for key in values},
                )
                connection.execute(relabel, labels)
        return len(rows)

    def of(self, messages: list[Message]) -> dict[int, Label]:
        """The labels of these messages, by event id."""
        wanted = {(m.sender_id, m.event_id) for m in messages}
        found: dict[int, Label] = {}
        ids = sorted({m.event_id for m in messages})
        with self.engine.connect() as connection:
            for start in range(0, len(ids), CHUNK):
                for row in connection.execute(
                    sa.select(staff_labels).where(
                        staff_labels.c.event_id.in_(ids[start : start + CHUNK])
                    )
                ):
                    if (row.sender_id, row.event_id) in wanted:
                        found[row.event_id] = _label(row)
        return found

    def all(self) -> list[Label]:
        with self.engine.connect() as connection:
            return [
                _label(row)
                for row in connection.execute(sa.select(staff_labels).order_by(staff_labels.c.id))
            ]


def _label(row: Any) -> Label:
    at = row.at if row.at.tzinfo else row.at.replace(tzinfo=timezone.utc)
    return Label(row.sender_id, row.event_id, row.text, row.intent, row.language, at, row.actor)


# Export as Rasa NLU training data.

ANNOTATION = re.compile(r"\]\s*(?=[({])")  # "[text](entity)": Rasa's entity syntax


class Literal(str):
    """Written as a YAML block literal (`examples: |`)."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(
    Literal, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", value, "|")
)


def example(text: str, mask: Callable[[str], str]) -> str:
    """One line of training text: masked, on one line, no entity annotation."""
    text = re.sub(r"\s+", " ", mask(text)).strip()
    return ANNOTATION.sub("] ", text)


def training_data(labels: Iterable[Label], mask: Callable[[str], str]) -> dict[str, str]:
    """Per language, the YAML of `data/nlu/` (version "3.1", one `- intent:` with its
    `examples: |` per intent, intents sorted, examples in labelling order, duplicates
    dropped)."""
    by_language: dict[str, dict[str, list[str]]] = {}
    for label in labels:
        text = example(label.text, mask)
        if not text:
            continue
        examples = by_language.setdefault(label.language, {}).setdefault(label.intent, [])
        if text.casefold() not in {e.casefold() for e in examples}:
            examples.append(text)
    files = {}
    for language, intents in sorted(by_language.items()):
        document = {
            "version": "3.1",
            "nlu": [
                {
                    "intent": intent,
                    "metadata": {"language": language},
                    "examples": Literal("".join(f"- {text}\n" for text in examples)),
                }
                for intent, examples in sorted(intents.items())
            ],
        }
        body = yaml.dump(
            document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000
        )
        files[language] = (
            "# Exported by `python -m bot training export` from the staff console's labels:\n"
            "# review, then merge by hand into data/nlu/.\n" + body
        )
    return files
