"""Review tools of the staff console (bot/staff/reviews.py): tags, notes, reviewed mark,
follow-up flag and closing, bulk actions from the list, the new list filters, and no
review row left after an erasure or a purge. Fixtures: tests/test_staff.py's."""

# ruff: noqa: F811 - the fixtures imported from tests/test_staff.py are parameters here

from __future__ import annotations

from datetime import timedelta
from urllib.parse import unquote

import pytest
import sqlalchemy as sa

from bot.i18n import strings as catalogue
from bot.staff import app as staff_app
from bot.staff.accounts import StaffStore
from bot.staff.conversations import Conversations, create_tracker_engine
from bot.staff.retention import purge
from bot.staff.reviews import normalise_tag, parse_tags
from bot.staff.schema import staff_notes, staff_reviews, staff_tags
from tests.test_staff import (  # noqa: F401 - fixtures
    NOW,
    XSS,
    Console,
    add_conversation,
    clock,
    config,
    console,
    linked,
    project_db,
    store,
    tracker_db,
    user,
)

ALICE = "/staff/conversations/web:alice"


def review_rows(store: StaffStore) -> dict[str, list[tuple[str, ...]]]:
    with store.engine.connect() as connection:
        return {
            table.name: [tuple(row) for row in connection.execute(sa.select(table))]
            for table in (staff_tags, staff_notes, staff_reviews)
        }


async def post(console: Console, path: str, csrf: bool = True, **form: str) -> object:
    data = dict(form)
    if csrf:
        data["csrf"] = await console.csrf("/staff")
    return await console.client.post(path, data=data, allow_redirects=False)


def test_tags_are_normalised() -> None:
    assert normalise_tag("  À \t Revoir\n") == "à revoir"
    assert normalise_tag("x" * 100) == "x" * 40
    assert parse_tags("À revoir, urgent,, à  REVOIR , ") == ["à revoir", "urgent"]


async def test_tags_notes_review_and_flag(console: Console, store: StaffStore) -> None:
    await console.login("rev")
    reply = await post(console, f"{ALICE}/tags", tags="  À  Revoir , urgent,à revoir")
    assert reply.status == 303  # type: ignore[attr-defined]
    location = unquote(reply.headers["Location"])  # type: ignore[attr-defined]
    assert location == f"{ALICE}?done=done_tags"
    await post(console, f"{ALICE}/notes", note=XSS[1])
    await post(console, f"{ALICE}/review", reviewed="1")
    await post(console, f"{ALICE}/flag", flag="1")
    html = await (await console.client.get(f"{ALICE}?lang=en")).text()
    assert "à revoir" in html and "urgent" in html
    assert "<img" not in html and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
    assert "Reviewed by rev" in html and "Flagged for follow-up by rev" in html
    await post(console, f"{ALICE}/untag", tag="URGENT")
    await post(console, f"{ALICE}/review", reviewed="0")
    rows = review_rows(store)
    assert [row[2] for row in rows["staff_tags"]] == ["à revoir"]
    assert rows["staff_notes"][0][3:] == ("rev", "note", XSS[1])
    assert rows["staff_reviews"][0][1] is None  # not reviewed any more
    # An empty tag or note is refused with a message in the page's language.
    reply = await post(console, f"{ALICE}/notes", note="   ")
    assert reply.headers["Location"].endswith("error=error_note_empty")  # type: ignore[attr-defined]
    page = await console.client.get(reply.headers["Location"] + "&lang=fr")  # type: ignore[attr-defined]
    assert catalogue("staff", "fr")["error_note_empty"] in await page.text()
    assert len(review_rows(store)["staff_notes"]) == 1


async def test_review_posts_without_csrf_change_nothing(
    console: Console, store: StaffStore
) -> None:
    await console.login("rev")
    before = review_rows(store)
    for path, form in (
        (f"{ALICE}/tags", {"tags": "x"}),
        (f"{ALICE}/notes", {"note": "x"}),
        (f"{ALICE}/review", {"reviewed": "1"}),
        (f"{ALICE}/flag", {"flag": "1"}),
        (f"{ALICE}/close", {"note": "x"}),
        ("/staff/bulk", {"c": "web:alice", "operation": "reviewed"}),
    ):
        for token in (None, "forged"):
            data = dict(form) if token is None else {**form, "csrf": token}
            reply = await console.client.post(path, data=data, allow_redirects=False)
            assert reply.status == 403, path
    assert review_rows(store) == before


async def test_list_filters_reviewed_and_tag(console: Console) -> None:
    await console.login("rev")
    await post(console, f"{ALICE}/tags", tags="Horaires")
    await post(console, "/staff/conversations/telegram:42/review", reviewed="1")

    async def found(query: str) -> set[str]:
        senders: set[str] = set()
        for page in (1, 2, 3):
            html = await (await console.client.get(f"/staff?{query}&page={page}")).text()
            senders |= set(linked(html))
        return senders

    assert await found("tag=HORAIRES") == {"web:alice"}
    assert await found("tag=nothing") == set()
    assert await found("reviewed=yes") == {"telegram:42"}
    assert await found("reviewed=no") == {"web:alice", "rest:mallory", "whatsapp:+41000"}
    assert await found("reviewed=no&tag=horaires&language=fr") == {"web:alice"}
    assert await found("reviewed=yes&tag=horaires") == set()
    assert await found("reviewed=maybe&tag=" + "x" * 300) == set()  # a 40-character tag


async def test_bulk_tag_and_mark_reviewed(console: Console, store: StaffStore) -> None:
    await console.login("rev")
    html = await (await console.client.get("/staff?lang=en")).text()
    assert 'name="c" value="web:alice"' in html and 'action="/staff/bulk"' in html
    data = [
        ("csrf", await console.csrf("/staff")),
        ("c", "web:alice"),
        ("c", "rest:mallory"),
        ("operation", "tag"),
        ("tags", "Lot 1, à voir"),
        ("next", "/staff?language=en"),
    ]
    reply = await console.client.post("/staff/bulk", data=data, allow_redirects=False)
    assert reply.status == 303
    assert reply.headers["Location"] == "/staff?language=en&done=done_bulk"
    data = [(k, v) for k, v in data if k not in ("operation", "next")]
    data.append(("operation", "reviewed"))
    data.append(("next", "https://evil.example/"))
    reply = await console.client.post("/staff/bulk", data=data, allow_redirects=False)
    assert reply.headers["Location"] == "/staff?done=done_bulk"
    rows = review_rows(store)
    assert sorted((r[1], r[2]) for r in rows["staff_tags"]) == [
        ("rest:mallory", "lot 1"),
        ("rest:mallory", "à voir"),
        ("web:alice", "lot 1"),
        ("web:alice", "à voir"),
    ]
    assert sorted(r[0] for r in rows["staff_reviews"] if r[1]) == ["rest:mallory", "web:alice"]
    empty = await console.client.post(
        "/staff/bulk",
        data={"csrf": await console.csrf("/staff"), "operation": "reviewed"},
        allow_redirects=False,
    )
    assert empty.headers["Location"].endswith("error=error_bulk_empty")
    page = await console.client.get(empty.headers["Location"] + "&lang=en")
    assert catalogue("staff", "en")["error_bulk_empty"] in await page.text()


async def test_followup_queue_flag_request_and_close(
    console: Console, store: StaffStore, config: object, clock: object
) -> None:
    await console.login("rev")
    queue = await (await console.client.get("/staff/followups?lang=en")).text()
    assert linked(queue) == ["telegram:42"] and "person requested" in queue
    await post(console, f"{ALICE}/flag", flag="1")
    queue = await (await console.client.get("/staff/followups")).text()
    assert set(linked(queue)) == {"telegram:42", "web:alice"}
    # Closing needs a note; it closes the item and records the note.
    reply = await post(console, "/staff/conversations/telegram:42/close", note="")
    assert reply.headers["Location"].endswith("error=error_note_empty")  # type: ignore[attr-defined]
    clock.now += timedelta(minutes=1)  # type: ignore[attr-defined]
    await post(console, "/staff/conversations/telegram:42/close", note="Called back <b>ok</b>")
    await post(console, f"{ALICE}/close", note="done")
    queue = await (await console.client.get("/staff/followups")).text()
    assert linked(queue) == []
    html = await (await console.client.get("/staff/conversations/telegram:42?lang=en")).text()
    assert "Called back &lt;b&gt;ok&lt;/b&gt;" in html and "follow-up closed" in html
    assert "Close the follow-up" not in html
    assert store.audit_entries(5)[2].action == "followup_close"
    # A new request for a person, after the close, reopens it.
    engine = create_tracker_engine(config.tracker_store_url)  # type: ignore[attr-defined]
    add_conversation(
        engine,
        "telegram:42",
        NOW.timestamp() + 3600,
        "en",
        [(user("a human please", "request_human", 0.9), "IDM contacts...")],
    )
    engine.dispose()
    await console.indexed()
    assert linked(await (await console.client.get("/staff/followups")).text()) == ["telegram:42"]


async def test_erasure_leaves_no_review_rows(console: Console, store: StaffStore) -> None:
    await console.login("alice")
    for sender in ("web:alice", "telegram:42"):
        path = f"/staff/conversations/{sender}"
        await post(console, f"{path}/tags", tags="a, b")
        await post(console, f"{path}/notes", note="n")
        await post(console, f"{path}/flag", flag="1")
        await post(console, f"{path}/close", note="closed")
    reply = await post(console, f"{ALICE}/erase", confirm="yes")
    assert reply.status == 200  # type: ignore[attr-defined]
    rows = review_rows(store)
    assert all("web:alice" not in row for table in rows.values() for row in table)
    assert all(rows.values())  # telegram:42's are still there
    # A purge removes the review rows of the conversations it deletes.
    conversations = Conversations(
        create_tracker_engine(console.app[staff_app.CONFIG_KEY].tracker_store_url)
    )  # type: ignore[index]
    count = purge(conversations, store, 1, "cli", NOW + timedelta(days=30))
    assert count == 3
    assert review_rows(store) == {"staff_tags": [], "staff_notes": [], "staff_reviews": []}


@pytest.mark.parametrize("language", ["fr", "en"])
async def test_review_tools_in_both_languages(console: Console, language: str) -> None:
    strings = catalogue("staff", language)
    await console.login("alice")
    html = await (await console.client.get(f"{ALICE}?lang={language}")).text()
    for key in ("review_title", "tags_input", "mark_reviewed", "flag", "note_add"):
        assert strings[key].replace("'", "&#39;") in html, key
    listing = await (await console.client.get("/staff")).text()
    for key in ("bulk_title", "reviewed_filter", "export_csv_raw"):
        assert strings[key].replace("'", "&#39;") in listing, key
