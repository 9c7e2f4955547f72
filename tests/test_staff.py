"""The staff console (bot/staff) and its commands, on an SQLite project database and an
SQLite tracker store filled here with events as Rasa writes them: access, sessions, CSRF,
roles, login throttling, escaping, filters, erasure, both languages. No Rasa server."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot import patches
from bot.i18n import strings as catalogue
from bot.participants.migrate import upgrade
from bot.participants.store import create_engine
from bot.staff import app as staff_app
from bot.staff.accounts import FREE_PER_ACCOUNT, FREE_PER_CLIENT, StaffStore, login_delay
from bot.staff.config import StaffConfig, fernet_key
from bot.staff.conversations import (
    SEARCH_MAX,
    Conversations,
    Filters,
    create_tracker_engine,
    events,
)
from bot.staff.index import Index
from bot.staff.schema import (
    staff_audit,
    staff_conversation_labels,
    staff_conversations,
    staff_login_attempts,
)
from bot.staff.search import sqlite_search
from bot.web import WebConfig, create_app
from tests.conftest import Clock, invoke

Client = TestClient  # type: ignore[type-arg]
MakeClient = Callable[..., Awaitable[Client]]
PASSWORD = "correct horse battery"
DAY = 24 * 3600
NOW = datetime(2015, 10, 20, 12, 0, tzinfo=timezone.utc)
ROOT = Path(__file__).resolve().parent.parent
XSS = ["<script>alert('x')</script>", '<img src=x onerror="alert(1)">']


def user(text: str, intent: str, confidence: float, **entities: str) -> dict[str, Any]:
    return {
        "event": "user",
        "text": text,
        "parse_data": {
            "intent": {"name": intent, "confidence": confidence},
            "entities": [{"entity": k, "value": v} for k, v in entities.items()],
            "text": text,
        },
        "input_channel": "rest",
        "metadata": {},
    }


Event = tuple[dict[str, Any], str | None, str | None]  # data, intent, action


def insert_events(engine: sa.engine.Engine, sender: str, start: float, rows: list[Event]) -> None:
    """Rows as Rasa's SQLTrackerStore writes them, one second apart: the type, intent
    and action columns beside the event's JSON (ensure_ascii, as Rasa writes it)."""
    table_rows = []
    for offset, (data, intent, action) in enumerate(rows, start=1):
        t = start + offset
        table_rows.append(
            {
                "sender_id": sender,
                "type_name": data["event"],
                "timestamp": t,
                "intent_name": intent,
                "action_name": action,
                "data": json.dumps({**data, "timestamp": t}),
            }
        )
    with engine.begin() as connection:
        connection.execute(events.insert(), table_rows)


def turn_events(message: dict[str, Any], intent: str, action: str, reply: str) -> list[Event]:
    """One turn: the user message, the action, its reply, then listening."""
    return [
        (message, intent, None),
        ({"event": "action", "name": action, "confidence": 1.0}, None, action),
        ({"event": "bot", "text": reply, "metadata": {"utter_action": action}}, None, None),
        ({"event": "action", "name": "action_listen"}, None, "action_listen"),
    ]


def add_conversation(
    engine: sa.engine.Engine, sender: str, start: float, language: str, turns: list[Any]
) -> None:
    """Session start, language slot, then per turn the user message, `utter_answer` and
    the bot's reply."""
    rows: list[Event] = [
        ({"event": "action", "name": "action_session_start"}, None, "action_session_start"),
        ({"event": "session_started"}, None, None),
        ({"event": "slot", "name": "language", "value": language}, None, "language"),
    ]
    for message, reply in turns:
        rows += turn_events(message, message["parse_data"]["intent"]["name"], "utter_answer", reply)
    insert_events(engine, sender, start, rows)


@pytest.fixture
def clock() -> Clock:
    moving = Clock()
    moving.now = NOW
    return moving


@pytest.fixture
def project_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("PARTICIPANT_HASH_KEY", "test-only-key")  # no key file under var/
    url = f"sqlite:///{tmp_path / 'participants.db'}"
    upgrade(url)
    return url


@pytest.fixture
def tracker_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    engine = sa.create_engine(url, future=True)
    events.metadata.create_all(engine)
    now = NOW.timestamp()
    add_conversation(
        engine,
        "web:alice",
        now - 3600,
        "fr",
        [(user("Quand a lieu la conférence ?", "ask_fact", 0.93, language="fr"), "Les 26 et 27.")],
    )
    add_conversation(
        engine,
        "telegram:42",
        now - 2 * DAY,
        "en",
        [
            (user("I want to talk to a person", "request_human", 0.88), "IDM contacts..."),
            (user("100% sure?", "affirm", 0.51), "Yes."),
        ],
    )
    add_conversation(
        engine,
        "rest:mallory",
        now - 7200,
        "en",
        [(user(text, "nlu_fallback", 0.2), f"echo {text}") for text in XSS],
    )
    add_conversation(
        engine,
        "whatsapp:+41000",
        now - 60 * DAY,
        "fr",
        [(user("Bonjour", "greet", 0.99), "Bonjour !")],
    )
    engine.dispose()
    return url


@pytest.fixture
def config(project_db: str, tracker_db: str) -> StaffConfig:
    return StaffConfig(
        database_url=project_db,
        tracker_store_url=tracker_db,
        secret_key=fernet_key("test-only-staff-secret-key-0123456789"),
        page_size=2,
    )


@pytest.fixture
def store(project_db: str, clock: Clock) -> StaffStore:
    engine = sa.create_engine(project_db, future=True)
    staff = StaffStore(engine, clock)
    staff.add("alice", PASSWORD, "admin")
    staff.add("rev", PASSWORD, "reviewer")
    return staff


class Console:
    """The console mounted as the web app mounts it, and its sub-app."""

    def __init__(self, client: Client, app: web.Application) -> None:
        self.client = client
        self.app = app

    async def csrf(self, path: str = "/staff/login") -> str:
        html = await (await self.client.get(path)).text()
        found = re.search(r'name="csrf" value="([^"]+)"', html)
        assert found, html
        return found.group(1)

    async def login(self, username: str, password: str = PASSWORD, **extra: str) -> Any:
        form = {"csrf": await self.csrf(), "username": username, "password": password, **extra}
        return await self.client.post("/staff/login", data=form, allow_redirects=False)

    async def indexed(self) -> None:
        """The summary index caught up with the tracker store now (the app's own task
        steps every second)."""
        await asyncio.to_thread(self.app[staff_app.INDEX_KEY].catch_up)

    async def count(self, sender: str) -> int:
        engine = self.app[staff_app.CONVERSATIONS_KEY].engine
        with engine.connect() as connection:
            return int(
                connection.execute(
                    sa.select(sa.func.count()).where(events.c.sender_id == sender)
                ).scalar_one()
            )


@pytest.fixture
async def console(
    aiohttp_client: MakeClient, config: StaffConfig, store: StaffStore, clock: Clock
) -> Console:
    app = staff_app.create_app(config, clock)
    patches.install_web()
    parent = web.Application()
    parent.add_subapp("/staff", app)
    console = Console(await aiohttp_client(parent), app)
    await console.indexed()
    return console


def linked(html: str) -> list[str]:
    """The conversations a list page links to."""
    return [unquote(found) for found in re.findall(r'href="/staff/conversations/([^"]+)"', html)]


def concrete(path: str) -> str:
    return path.replace("{sender_id}", "web:alice")


async def test_every_route_refuses_an_anonymous_request(console: Console) -> None:
    public = set()
    for resource in console.app.router.resources():
        path = concrete(resource.canonical)
        for route in resource:
            if getattr(route.handler, "public", False):
                public.add(route.name)
                continue
            reply = await console.client.request(route.method, path, allow_redirects=False)
            body = await reply.text()
            # A page asked for: the login page, then back; anything else: refused.
            expected = 302 if route.method in ("GET", "HEAD") else 401
            assert reply.status == expected, (route.method, path, reply.status)
            if expected == 302:
                assert reply.headers["Location"].startswith("/staff/login?next=")
            assert "Quand a lieu" not in body and "<table" not in body
    assert public == {"login", "login_post"}


async def test_every_contract_page_exists(console: Console) -> None:
    assert (await console.login("rev")).status == 302
    for path in (
        "/staff",
        "/staff/conversations/web:alice",
        "/staff/followups",
        "/staff/unanswered",
        "/staff/dashboard",
        "/staff/export.csv",
        "/staff/export.jsonl",
    ):
        assert (await console.client.get(path)).status == 200, path


async def test_login_session_cookie_and_logout(console: Console, store: StaffStore) -> None:
    reply = await console.login("Alice", next="/staff/followups")
    assert reply.status == 302 and reply.headers["Location"] == "/staff/followups"
    cookie = reply.cookies[staff_app.COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert cookie["path"] == "/staff" and not cookie["secure"]
    page = await console.client.get("/staff")
    assert page.status == 200 and "web:alice" in linked(await page.text())
    assert page.headers["Cache-Control"] == "no-store"
    assert "script-src" not in page.headers["Content-Security-Policy"]  # no script at all
    stolen = cookie.value
    csrf = await console.csrf("/staff")
    out = await console.client.post("/staff/logout", data={"csrf": csrf}, allow_redirects=False)
    assert out.status == 302 and out.headers["Location"] == "/staff/login?out=1"
    # The cookie taken before the logout no longer opens a session.
    console.client.session.cookie_jar.update_cookies({staff_app.COOKIE: stolen})
    again = await console.client.get("/staff", allow_redirects=False)
    assert again.status == 302 and again.headers["Location"].startswith("/staff/login")
    actions = [entry.action for entry in store.audit_entries(10)]
    assert actions[:2] == ["logout", "login"]


async def test_the_next_page_is_never_another_site(console: Console) -> None:
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        reply = await console.login("alice", next=target)
        assert reply.headers["Location"] == "/staff"


async def test_wrong_password_and_unknown_user_get_the_same_answer(console: Console) -> None:
    wrong = await console.login("alice", "wrong password!")
    unknown = await console.login("nobody", "wrong password!")
    assert wrong.status == unknown.status == 401
    for reply in (wrong, unknown):
        assert catalogue("staff", "fr")["login_failed"].replace("'", "&#39;") in await reply.text()


async def test_idle_session_expires(console: Console, clock: Clock, config: StaffConfig) -> None:
    await console.login("alice")
    clock.now += timedelta(seconds=config.idle_timeout - 5)
    assert (await console.client.get("/staff", allow_redirects=False)).status == 200
    clock.now += timedelta(seconds=config.idle_timeout + 1)
    reply = await console.client.get("/staff", allow_redirects=False)
    assert reply.status == 302 and "expired=1" in reply.headers["Location"]


async def test_a_disabled_account_loses_its_session(console: Console, store: StaffStore) -> None:
    await console.login("rev")
    assert (await console.client.get("/staff", allow_redirects=False)).status == 200
    store.clock.now += timedelta(seconds=1)  # type: ignore[attr-defined]
    assert store.disable("rev")
    assert (await console.client.get("/staff", allow_redirects=False)).status == 302
    assert (await console.login("rev")).status == 401


async def test_post_without_or_with_a_wrong_csrf_token_changes_nothing(
    console: Console,
) -> None:
    await console.login("alice")
    before = await console.count("web:alice")
    url = "/staff/conversations/web:alice/erase"
    for form in ({"confirm": "yes"}, {"confirm": "yes", "csrf": "forged"}):
        reply = await console.client.post(url, data=form)
        assert reply.status == 403
        assert "CSRF" not in await reply.text()
        assert await console.count("web:alice") == before
    # A login without the token is refused too, before any password check.
    reply = await console.client.post(
        "/staff/login", data={"username": "alice", "password": PASSWORD}
    )
    assert reply.status == 403
    erased = await console.client.post(
        url, data={"confirm": "yes", "csrf": await console.csrf("/staff")}
    )
    assert erased.status == 200 and await console.count("web:alice") == 0


async def test_reviewers_get_403_on_admin_routes(console: Console) -> None:
    await console.login("rev")
    admin_routes = [
        route
        for resource in console.app.router.resources()
        for route in resource
        if getattr(route.handler, "admin_only", False)
    ]
    assert {route.name for route in admin_routes} == {"audit", "erase"}
    csrf = await console.csrf("/staff")
    for route in admin_routes:
        path = concrete(route.resource.canonical)  # type: ignore[union-attr]
        reply = await console.client.request(
            route.method, path, data={"csrf": csrf, "confirm": "yes"}
        )
        assert reply.status == 403, path
    assert await console.count("web:alice") > 0
    assert (
        'action="/staff/conversations/web:alice/erase"'
        not in await (await console.client.get("/staff/conversations/web:alice")).text()
    )


async def test_admins_read_the_audit_log(console: Console) -> None:
    await console.login("alice")
    await console.client.get("/staff/conversations/telegram:42")
    html = await (await console.client.get("/staff/audit?lang=en")).text()
    assert "conversation read" in html and "telegram:42" in html and "sign-in" in html


def test_login_delay_grows_and_is_capped() -> None:
    assert login_delay(FREE_PER_ACCOUNT - 1, FREE_PER_ACCOUNT) == timedelta(0)
    assert login_delay(FREE_PER_ACCOUNT, FREE_PER_ACCOUNT) == timedelta(seconds=2)
    assert login_delay(FREE_PER_ACCOUNT + 2, FREE_PER_ACCOUNT) == timedelta(seconds=8)
    assert login_delay(100, FREE_PER_ACCOUNT) == timedelta(minutes=5)


async def test_login_is_throttled_per_account(console: Console, clock: Clock) -> None:
    for _ in range(FREE_PER_ACCOUNT):
        assert (await console.login("alice", "wrong password!")).status == 401
    # Even the right password waits: the attempt is refused without checking it.
    reply = await console.login("alice")
    assert reply.status == 429 and reply.headers["Retry-After"] == "2"
    assert catalogue("staff", "fr")["login_throttled"].format(seconds=2) in await reply.text()
    clock.now += timedelta(seconds=2)
    assert (await console.login("alice")).status == 302


async def test_login_is_throttled_per_client_and_stored(
    console: Console, clock: Clock, store: StaffStore
) -> None:
    for number in range(FREE_PER_CLIENT):
        assert (await console.login(f"guess{number}", "wrong password!")).status == 401
    assert (await console.login("rev")).status == 429
    with store.engine.connect() as connection:
        outcomes = connection.execute(sa.select(staff_login_attempts.c.outcome)).scalars().all()
    assert outcomes.count("failure") == FREE_PER_CLIENT and outcomes[-1] == "throttled"
    # A new process sees the same delay: it is in the database.
    again = StaffStore(store.engine, clock)
    assert again.login("rev", PASSWORD, "127.0.0.1").retry_after > 0
    clock.now += timedelta(minutes=61)
    assert again.login("rev", PASSWORD, "127.0.0.1").account is not None


async def test_the_list_newest_first_paginated(console: Console) -> None:
    await console.login("alice")
    first = await (await console.client.get("/staff")).text()
    assert linked(first) == ["web:alice", "rest:mallory"] and 'rel="next"' in first
    second = await (await console.client.get("/staff?page=2")).text()
    assert linked(second) == ["telegram:42", "whatsapp:+41000"] and 'rel="next"' not in second
    for page in ("-4", "abc", "99999999999999999999"):
        assert (await console.client.get(f"/staff?page={page}")).status == 200


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("language=fr", {"web:alice", "whatsapp:+41000"}),
        ("channel=telegram", {"telegram:42"}),
        ("person=1", {"telegram:42"}),
        ("q=CONFÉRENCE", {"web:alice"}),
        ("q=100%25", {"telegram:42"}),
        ("q=%25", set()),  # full-text search: words only, and "%" has none
        ("q=_", set()),
        ("from=2015-10-20&to=2015-10-20", {"web:alice", "rest:mallory"}),
        ("to=2015-09-01", {"whatsapp:+41000"}),
        ("from=garbage&to=2015-13-45&language=de&channel=x&person=yes", "all"),
    ],
)
async def test_filters(console: Console, query: str, expected: set[str] | str) -> None:
    await console.login("alice")
    found: set[str] = set()
    for page in (1, 2, 3):
        reply = await console.client.get(f"/staff?{query}&page={page}")
        assert reply.status == 200
        found |= set(linked(await reply.text()))
    everyone = {"web:alice", "telegram:42", "rest:mallory", "whatsapp:+41000"}
    assert found == (everyone if expected == "all" else expected)


@pytest.mark.parametrize(
    "search",
    ["' OR 1=1 --", "'); DROP TABLE events; --", '" OR ""="', "x" * 8_000, "%' OR '%'='"],
    ids=["or", "drop", "quotes", "8000", "like"],
)
async def test_hostile_searches_return_normal_results(console: Console, search: str) -> None:
    """8,000 characters: about the most a request line takes (aiohttp refuses longer
    ones with a 400 before the console; the search field allows 200)."""
    await console.login("alice")
    reply = await console.client.get("/staff", params={"q": search, "language": search[:100]})
    assert reply.status == 200
    assert linked(await reply.text()) == []
    assert await console.count("web:alice") > 0


def index_of(project_db: str, tracker_db: str) -> Index:
    """The summary index of a tracker store, caught up."""
    index = Index(create_engine(project_db), Conversations(create_tracker_engine(tracker_db)))
    index.catch_up()
    return index


def test_a_10000_character_search_is_cut_and_finds_nothing(
    project_db: str, tracker_db: str
) -> None:
    filters = Filters.from_query({"q": "é" * 10_000, "from": "x" * 10_000})
    assert len(filters.search) == SEARCH_MAX and filters.start is None
    index = index_of(project_db, tracker_db)
    assert index.page(filters, 1, 50) == ([], False)
    assert len(index.page(Filters(), 1, 50)[0]) == 4


async def test_followups_list_who_asked_for_a_person(console: Console) -> None:
    await console.login("rev")
    html = await (await console.client.get("/staff/followups")).text()
    assert linked(html) == ["telegram:42"]


async def test_user_markup_is_shown_as_text(console: Console) -> None:
    await console.login("alice")
    pages = [
        await (await console.client.get("/staff?channel=rest")).text(),
        await (await console.client.get("/staff/conversations/rest:mallory")).text(),
    ]
    for html in pages:
        assert "<script" not in html and "<img" not in html
        assert "&lt;script&gt;" in html or "&lt;img" in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in pages[1]
    assert "echo &lt;script&gt;" in pages[1]


async def test_the_transcript_shows_every_turn(console: Console, store: StaffStore) -> None:
    await console.login("rev")
    html = await (await console.client.get("/staff/conversations/telegram:42?lang=en")).text()
    for text in (
        "I want to talk to a person",
        "request_human (0.88)",
        "affirm (0.51)",
        "utter_answer",
        "IDM contacts...",
        "100% sure?",
        "action_session_start",
    ):
        assert text in html
    assert "action_listen" not in html
    assert (
        "language: fr" in await (await console.client.get("/staff/conversations/web:alice")).text()
    )
    assert (await console.client.get("/staff/conversations/web:nobody")).status == 404
    assert store.audit_entries(1)[0].action == "transcript_view"


async def test_erasure_from_the_console_leaves_no_row(console: Console, store: StaffStore) -> None:
    await console.login("alice")
    await console.client.get("/staff/conversations/web:alice")
    csrf = await console.csrf("/staff")
    reply = await console.client.post(
        "/staff/conversations/web:alice/erase", data={"csrf": csrf, "confirm": "yes"}
    )
    assert reply.status == 200
    assert await console.count("web:alice") == 0
    with store.engine.connect() as connection:
        targets = connection.execute(sa.select(staff_audit.c.target)).scalars().all()
    assert "web:alice" not in targets
    assert store.audit_entries(1)[0].action == "erase"
    assert store.audit_entries(1)[0].target.startswith("erased:")  # type: ignore[union-attr]


@pytest.mark.parametrize("language", ["fr", "en"])
async def test_both_languages_render_and_are_remembered(console: Console, language: str) -> None:
    strings = catalogue("staff", language)
    login = await console.client.get(f"/staff/login?lang={language}")
    html = await login.text()
    assert f'<html lang="{language}">' in html
    assert f'<label for="username">{strings["username"]}' in html.replace("&#39;", "'")
    await console.login("alice")
    for path in (
        "/staff",
        "/staff/followups",
        "/staff/audit",
        "/staff/conversations/web:alice",
        "/staff/unanswered",
    ):
        reply = await console.client.get(path)
        assert reply.status == 200 and reply.headers["Content-Language"] == language
        assert f'<html lang="{language}">' in await reply.text()
    missing = await console.client.get("/staff/nothing-here")
    assert missing.status == 404
    assert strings["error_404"].replace("'", "&#39;") in await missing.text()


async def test_secure_cookie_behind_a_proxy(
    aiohttp_client: MakeClient, config: StaffConfig, store: StaffStore
) -> None:
    patches.install_web()
    parent = web.Application()
    secure = StaffConfig(**{**vars(config), "force_secure_cookie": True})
    parent.add_subapp("/staff", staff_app.create_app(secure))
    client = await aiohttp_client(parent)
    reply = await client.get("/staff/login")
    assert reply.cookies[staff_app.COOKIE]["secure"]


async def test_the_web_app_mounts_the_console_under_staff(
    aiohttp_client: MakeClient, config: StaffConfig, project_db: str, store: StaffStore
) -> None:
    """Through the page's own factory, with a port in the Host header (bot/patches/aiohttp_url.py:
    without it, any request reaching the sub-application failed with a bare 500)."""
    web_config = WebConfig(
        rasa_url="http://127.0.0.1:9",
        actions_health_url="http://127.0.0.1:9/health",
        database_url=project_db,
        staff=config,
    )
    client = await aiohttp_client(create_app(web_config))
    assert (await client.get("/")).status == 200
    assert (await client.get("/nothing-here")).status == 404
    assert (await client.get("/staff/login")).status == 200
    reply = await client.get("/staff", allow_redirects=False)
    assert reply.status == 302 and reply.headers["Location"] == "/staff/login?next=/staff"


async def test_without_a_secret_key_the_console_says_so(
    aiohttp_client: MakeClient, project_db: str, tracker_db: str
) -> None:
    web_config = WebConfig(
        rasa_url="http://127.0.0.1:9",
        actions_health_url="http://127.0.0.1:9/health",
        database_url=project_db,
        staff=StaffConfig(project_db, tracker_db, secret_key=None),
    )
    client = await aiohttp_client(create_app(web_config))
    assert (await client.get("/")).status == 200
    for path in ("/staff/login", "/staff", "/staff/conversations/web:alice"):
        reply = await client.get(path, allow_redirects=False)
        assert reply.status == 503 and "STAFF_SECRET_KEY" in await reply.text()
        assert "Quand a lieu" not in await reply.text()


def test_the_secret_key_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("STAFF_SECRET_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    generated = StaffConfig.from_env().secret_key  # generated once under var/, then kept
    assert generated and generated == StaffConfig.from_env().secret_key
    assert (tmp_path / "var" / "staff_secret.key").stat().st_mode & 0o077 == 0
    monkeypatch.setenv("STAFF_SECRET_KEY", "too short")
    with pytest.raises(ValueError, match="at least 32"):
        StaffConfig.from_env()
    monkeypatch.setenv("STAFF_SECRET_KEY", "k" * 40)
    assert StaffConfig.from_env().secret_key == fernet_key("k" * 40)
    assert WebConfig.from_env().staff == StaffConfig.from_env()


# The commands, as an operator runs them (no terminal: STAFF_PASSWORD).


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return invoke(
        *args,
        DATABASE_URL=f"sqlite:///{tmp_path / 'participants.db'}",
        TRACKER_STORE_URL=f"sqlite:///{tmp_path / 'tracker.db'}",
        PARTICIPANT_HASH_KEY="test-only-key",
        **env,
    )


def test_accounts_add_list_disable(tmp_path: Path) -> None:
    assert run(tmp_path, "staff", "list").returncode == 2  # not migrated: nothing created
    upgrade(f"sqlite:///{tmp_path / 'participants.db'}")
    no_password = run(tmp_path, "staff", "add", "ana", "--role", "admin", STAFF_PASSWORD="")
    assert no_password.returncode == 2 and "STAFF_PASSWORD" in no_password.stderr
    short = run(tmp_path, "staff", "add", "ana", "--role", "admin", STAFF_PASSWORD="short")
    assert short.returncode == 1 and "12 characters" in short.stderr
    bad_role = run(tmp_path, "staff", "add", "ana", "--role", "root", STAFF_PASSWORD="x" * 12)
    assert bad_role.returncode == 2
    for name, role in (("Ana", "admin"), ("ben", "reviewer")):
        added = run(tmp_path, "staff", "add", name, "--role", role, STAFF_PASSWORD="p" * 16)
        assert added.returncode == 0, added.stderr
    again = run(tmp_path, "staff", "add", "ANA", "--role", "reviewer", STAFF_PASSWORD="p" * 16)
    assert again.returncode == 1 and "already exists" in again.stderr
    assert run(tmp_path, "staff", "disable", "ben").returncode == 0
    assert run(tmp_path, "staff", "disable", "nobody").returncode == 1
    listed = run(tmp_path, "staff", "list").stdout.splitlines()
    assert [line.split()[:3] for line in listed] == [
        ["ana", "admin", "active"],
        ["ben", "reviewer", "disabled"],
    ]
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'participants.db'}", future=True)
    with engine.connect() as connection:
        stored = connection.execute(sa.text("SELECT password_hash FROM staff_accounts")).scalars()
        assert all(value.startswith("$argon2id$") for value in stored)
    engine.dispose()


def test_purge_and_erase_leave_no_rows(tmp_path: Path) -> None:
    project = f"sqlite:///{tmp_path / 'participants.db'}"
    upgrade(project)
    tracker = sa.create_engine(f"sqlite:///{tmp_path / 'tracker.db'}", future=True)
    events.metadata.create_all(tracker)
    now = NOW.timestamp()
    recent = time.time() - DAY
    for sender, start in (("web:old", now - 400 * DAY), ("web:new", recent), ("rest:x", recent)):
        add_conversation(tracker, sender, start, "fr", [(user("Bonjour", "greet", 0.9), "Salut")])
    project_engine = sa.create_engine(project, future=True)
    index = Index(project_engine, Conversations(tracker))
    assert index.catch_up() == 21  # the summary index and search rows of all three
    with project_engine.begin() as connection:  # a transcript view of each, audited
        for sender in ("web:old", "rest:x"):
            connection.execute(
                staff_audit.insert().values(
                    at=NOW, actor="ana", action="transcript_view", target=sender
                )
            )

    purged = run(tmp_path, "logs", "purge", "--older-than", "30")
    assert purged.returncode == 0 and "purged 1 conversation" in purged.stdout
    erased = run(tmp_path, "logs", "erase", "rest:x")
    assert erased.returncode == 0 and "erased 7 event" in erased.stdout
    assert run(tmp_path, "logs", "purge", "--older-than", "0").returncode == 2

    with tracker.connect() as connection:
        left = connection.execute(sa.select(events.c.sender_id).distinct()).scalars().all()
    assert left == ["web:new"]
    with project_engine.connect() as connection:
        audit = connection.execute(
            sa.select(staff_audit.c.action, staff_audit.c.target).order_by(staff_audit.c.id)
        ).all()
    targets = [target for _, target in audit]
    assert "web:old" not in targets and "rest:x" not in targets
    assert [action for action, _ in audit][-2:] == ["purge", "erase"]
    assert all(t.startswith("erased:") for a, t in audit if a in ("transcript_view", "erase"))
    with project_engine.connect() as connection:  # no orphan in the index
        for table in (staff_conversations, staff_conversation_labels, sqlite_search):
            kept = connection.execute(sa.select(table.c.sender_id).distinct()).scalars().all()
            assert kept == ["web:new"], table.name
    assert index.step() == 0
    tracker.dispose()
    project_engine.dispose()
