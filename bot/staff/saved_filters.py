"""Saved list filters (table `staff_saved_filters`, revision 0008): a reviewer names the
list's current filters, then finds them on the list page to apply (a link to the list
with that query) or delete. Per account: nobody sees or deletes another's.

What is kept is the canonical query of the parsed filters (Filters.to_query), never
the raw query string: only known keys, values that parsed, in a fixed order."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.staff.conversations import Filters
from bot.staff.reviews import ReviewError
from bot.staff.schema import SAVED_FILTER_NAME_MAX, SAVED_FILTER_QUERY_MAX, staff_saved_filters

PER_ACCOUNT_MAX = 50


@dataclass(frozen=True)
class SavedFilter:
    id: int
    name: str
    query: str  # "from=...&language=..." (URL-encoded), without "?"


def normalise_name(text: str) -> str:
    """NFC, control characters dropped, spaces collapsed; case and accents kept."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(c if c.isprintable() else " " for c in text)
    return re.sub(r"\s+", " ", text).strip()


class SavedFilters:
    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self.engine = engine
        self.clock = clock

    def of(self, account_id: int) -> list[SavedFilter]:
        """The account's saved filters, by name."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(
                    staff_saved_filters.c.id,
                    staff_saved_filters.c.name,
                    staff_saved_filters.c.query,
                )
                .where(staff_saved_filters.c.account_id == account_id)
                .order_by(staff_saved_filters.c.name, staff_saved_filters.c.id)
            ).all()
        return [SavedFilter(int(r.id), str(r.name), str(r.query)) for r in rows]

    def save(self, account_id: int, name: str, filters: Filters) -> SavedFilter:
        """Save (or, under a name already used, replace) the filters. ReviewError:
        no name or too long, no filter at all, or too many saved filters."""
        name = normalise_name(name)
        if not name or len(name) > SAVED_FILTER_NAME_MAX:
            raise ReviewError("error_filter_name")
        query = urlencode(filters.to_query())
        if not query:
            raise ReviewError("error_filter_empty")
        query = query[:SAVED_FILTER_QUERY_MAX]  # the search is cut at 200: never reached
        table = staff_saved_filters
        with self.engine.begin() as connection:
            existing = connection.execute(
                sa.select(table.c.id).where(table.c.account_id == account_id, table.c.name == name)
            ).scalar_one_or_none()
            if existing is not None:
                connection.execute(table.update().where(table.c.id == existing).values(query=query))
                return SavedFilter(int(existing), name, query)
            count = connection.execute(
                sa.select(sa.func.count()).where(table.c.account_id == account_id)
            ).scalar_one()
            if count >= PER_ACCOUNT_MAX:
                raise ReviewError("error_filter_limit")
            new_id = connection.execute(
                table.insert().values(
                    account_id=account_id, name=name, query=query, created_at=self.clock()
                )
            ).inserted_primary_key
        return SavedFilter(int(new_id[0]), name, query)

    def delete(self, account_id: int, filter_id: Any) -> bool:
        """Delete one of the account's saved filters; False if it has none by that id."""
        try:
            number = int(str(filter_id))
        except ValueError:
            return False
        table = staff_saved_filters
        with self.engine.begin() as connection:
            deleted = connection.execute(
                table.delete().where(table.c.id == number, table.c.account_id == account_id)
            ).rowcount
        return bool(deleted)
