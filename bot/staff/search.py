"""Full-text search over the user messages, in the project database's `staff_search`
(revision 0009), fed by the indexer (bot/staff/index.py) one row per user message.

- SQLite: an FTS5 table (`sender_id UNINDEXED, text`, rowid the tracker store's event
  id) with `tokenize='unicode61 remove_diacritics 2'`: case and accents folded.
- PostgreSQL: `document`, the tsvector of the text under the French, English and
  `simple` configurations (stems of both languages, and the words themselves for
  prefixes), GIN-indexed. Accents are folded in Python, in the text and in the query,
  before PostgreSQL sees them: the `unaccent` extension is not needed (it may not be
  allowed, and an extension belongs to one schema of a database).

A search is cut into words here (letters and digits; anything else separates them),
and each word is passed as a bound value to a query built from plain words only: quotes,
`*`, `-`, `NEAR`, parentheses, `:` or SQL are never syntax. Every word must match, as
the start of a word of the message (PostgreSQL: or as a French or English stem): "conf"
finds "conférence". A search without a letter or digit finds nothing."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import reduce
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from bot.staff.schema import SEARCH_TABLE

WORDS_MAX = 32  # words of a search used
WORD_MAX = 64  # characters of a word used
CONFIGURATIONS = ("french", "english", "simple")

# The table as each dialect has it (outside the metadata: see bot/staff/schema.py).
sqlite_search = sa.Table(
    SEARCH_TABLE,
    sa.MetaData(),
    sa.Column("rowid", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255)),
    sa.Column("text", sa.Text),
)
postgresql_search = sa.Table(
    SEARCH_TABLE,
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255)),
    sa.Column("document", postgresql.TSVECTOR),
)


def fold(text: str) -> str:
    """Lower case, accents removed ("Conférence" → "conference")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The search's words, folded, each once, in order: runs of letters and digits."""
    found = re.findall(r"[^\W_]+", fold(text))
    return list(dict.fromkeys(word[:WORD_MAX] for word in found))[:WORDS_MAX]


def _table(connection: Connection) -> sa.Table:
    return postgresql_search if connection.dialect.name == "postgresql" else sqlite_search


def add(connection: Connection, messages: Iterable[tuple[int, str, str]]) -> None:
    """Index user messages: (event id, sender id, text) each."""
    rows = [(i, sender, text) for i, sender, text in messages if text]
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        text = sa.bindparam("text")
        document = reduce(
            lambda a, b: a.op("||")(b),
            [sa.func.to_tsvector(name, text) for name in CONFIGURATIONS],
        )
        statement = postgresql_search.insert().values(
            id=sa.bindparam("id"), sender_id=sa.bindparam("sender_id"), document=document
        )
        connection.execute(
            statement,
            [{"id": i, "sender_id": sender, "text": fold(text)} for i, sender, text in rows],
        )
        return
    connection.execute(
        sqlite_search.insert(),
        [{"rowid": i, "sender_id": sender, "text": text} for i, sender, text in rows],
    )


def matching(connection: Connection, search: str) -> Any:
    """The sender ids with a user message matching `search`, as a SELECT; None if the
    search has no word."""
    found = words(search)
    if not found:
        return None
    if connection.dialect.name == "postgresql":
        per_word = [
            reduce(
                lambda a, b: a.op("||")(b),
                [
                    sa.func.plainto_tsquery("french", word),
                    sa.func.plainto_tsquery("english", word),
                    sa.func.to_tsquery("simple", word + ":*"),
                ],
            )
            for word in found
        ]
        query = reduce(lambda a, b: a.op("&&")(b), per_word)
        return sa.select(postgresql_search.c.sender_id).where(
            postgresql_search.c.document.op("@@")(query)
        )
    expression = " ".join(f'"{word}"*' for word in found)  # words: letters and digits only
    return sa.select(sqlite_search.c.sender_id).where(
        sa.literal_column(SEARCH_TABLE).op("MATCH")(sa.bindparam("match", expression))
    )


def forget(connection: Connection, sender_ids: list[str]) -> None:
    """Delete the conversations' messages from the search index."""
    table = _table(connection)
    for start in range(0, len(sender_ids), 500):
        connection.execute(
            table.delete().where(table.c.sender_id.in_(sender_ids[start : start + 500]))
        )
