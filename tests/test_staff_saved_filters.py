"""Saved list filters (bot/staff/saved_filters.py, table staff_saved_filters, revision
0008): saved per account under a name, listed on the list page, applied by a link,
deleted; CSRF on both forms; only the canonical query is kept. Fixtures:
tests/test_staff.py's."""

# ruff: noqa: F811 - the fixtures imported from tests/test_staff.py are parameters here

from __future__ import annotations

import re
from html import unescape
from urllib.parse import unquote

import pytest
import sqlalchemy as sa

from bot.staff.accounts import StaffStore
from bot.staff.conversations import Filters
from bot.staff.saved_filters import PER_ACCOUNT_MAX, SavedFilters, normalise_name
from bot.staff.schema import staff_saved_filters
from tests.test_staff import (  # noqa: F401 - fixtures
    XSS,
    Console,
    clock,
    config,
    console,
    linked,
    project_db,
    store,
    tracker_db,
)


def saved_rows(store: StaffStore) -> list[tuple[object, ...]]:
    with store.engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                sa.select(
                    staff_saved_filters.c.account_id,
                    staff_saved_filters.c.name,
                    staff_saved_filters.c.query,
                ).order_by(staff_saved_filters.c.id)
            )
        ]


async def save(console: Console, name: str, query: str, csrf: bool = True) -> object:
    data = {"name": name, "query": query}
    if csrf:
        data["csrf"] = await console.csrf("/staff")
    return await console.client.post("/staff/filters", data=data, allow_redirects=False)


def test_the_query_kept_is_canonical() -> None:
    filters = Filters.from_query(
        {"q": " visa ", "language": "xx", "channel": "web", "from": "2015-10-01", "evil": "1"}
    )
    assert filters.to_query() == [("from", "2015-10-01"), ("channel", "web"), ("q", "visa")]
    assert Filters.from_query(dict(filters.to_query())) == filters
    assert normalise_name("  Mes\tfiltres \n à revoir ") == "Mes filtres à revoir"


async def test_save_list_apply_and_delete(console: Console, store: StaffStore) -> None:
    await console.login("rev")
    reply = await save(console, "  Anglais\tTelegram ", "language=en&channel=telegram&junk=1")
    assert reply.status == 303  # type: ignore[attr-defined]
    location = unquote(reply.headers["Location"])  # type: ignore[attr-defined]
    assert location == "/staff?language=en&channel=telegram&done=done_filter_saved"
    reviewer = store.get_by_name("rev")
    assert reviewer is not None
    assert saved_rows(store) == [(reviewer.id, "Anglais Telegram", "language=en&channel=telegram")]
    html = await (await console.client.get("/staff?lang=en")).text()
    assert "Saved filters" in html
    link = re.search(
        r'<a href="([^"]+)" aria-label="Apply the filter[^"]*">Anglais Telegram</a>', html
    )
    assert link, html
    assert unescape(link.group(1)) == "/staff?language=en&channel=telegram"
    applied = await (await console.client.get(unescape(link.group(1)))).text()
    assert linked(applied) == ["telegram:42"]
    # The same name again replaces the filters; French page.
    await save(console, "Anglais Telegram", "person=1")
    assert [row[2] for row in saved_rows(store)] == ["person=1"]
    html = await (await console.client.get("/staff?lang=fr")).text()
    assert "Filtres enregistrés" in html
    filter_id = re.search(r'name="id" value="(\d+)"', html)
    assert filter_id
    data = {"csrf": await console.csrf("/staff"), "id": filter_id.group(1)}
    reply = await console.client.post("/staff/filters/delete", data=data, allow_redirects=False)
    assert reply.status == 303
    assert saved_rows(store) == []
    assert "Aucun filtre enregistré." in await (await console.client.get("/staff?lang=fr")).text()


async def test_each_account_sees_and_deletes_only_its_own(
    console: Console, store: StaffStore
) -> None:
    await console.login("alice")
    await save(console, "mine", "channel=web")
    with store.engine.connect() as connection:
        own_id = connection.execute(sa.select(staff_saved_filters.c.id)).scalar_one()
    await console.client.post("/staff/logout", data={"csrf": await console.csrf("/staff")})
    await console.login("rev")
    assert "mine" not in await (await console.client.get("/staff")).text()
    data = {"csrf": await console.csrf("/staff"), "id": str(own_id)}
    await console.client.post("/staff/filters/delete", data=data, allow_redirects=False)
    assert len(saved_rows(store)) == 1  # alice's is still there


async def test_without_csrf_nothing_is_saved_or_deleted(
    console: Console, store: StaffStore
) -> None:
    await console.login("rev")
    assert (await save(console, "x", "channel=web", csrf=False)).status == 403  # type: ignore[attr-defined]
    await save(console, "kept", "channel=web")
    data = {"csrf": "wrong", "id": "1"}
    reply = await console.client.post("/staff/filters/delete", data=data, allow_redirects=False)
    assert reply.status == 403
    assert [row[1] for row in saved_rows(store)] == ["kept"]


@pytest.mark.parametrize(
    ("name", "query", "error"),
    [
        ("", "channel=web", "error_filter_name"),
        ("x" * 81, "channel=web", "error_filter_name"),
        ("empty", "page=3&lang=en&nothing=1", "error_filter_empty"),
    ],
)
async def test_refused_filters(
    console: Console, store: StaffStore, name: str, query: str, error: str
) -> None:
    await console.login("rev")
    reply = await save(console, name, query)
    assert f"error={error}" in reply.headers["Location"]  # type: ignore[attr-defined]
    assert saved_rows(store) == []


async def test_hostile_names_and_values_are_text(console: Console, store: StaffStore) -> None:
    await console.login("rev")
    await save(console, XSS[1], "q=" + XSS[0].replace("&", "%26") + "&tag=" + "'; DROP TABLE x;--")
    html = await (await console.client.get("/staff")).text()
    assert "<img" not in html and "<script" not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
    assert len(saved_rows(store)) == 1


def test_a_limit_per_account(store: StaffStore) -> None:
    saved = SavedFilters(store.engine, store.clock)
    account = store.get_by_name("rev")
    assert account is not None
    for number in range(PER_ACCOUNT_MAX):
        saved.save(account.id, f"f{number}", Filters(channel="web"))
    with pytest.raises(Exception, match="error_filter_limit"):
        saved.save(account.id, "one more", Filters(channel="web"))
    saved.save(account.id, "f0", Filters(channel="rest"))  # replacing is still allowed
    assert len(saved.of(account.id)) == PER_ACCOUNT_MAX
    assert saved.delete(account.id, "not a number") is False
