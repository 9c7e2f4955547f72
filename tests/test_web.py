"""The conference page and /health, built from a test config (no Rasa needed)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.i18n import strings
from bot.nlu.facts import FACTS_FILE
from bot.participants.migrate import upgrade
from bot.settings import LANGUAGES
from bot.web import WebConfig, create_app
from bot.web.app import SECTIONS, page_sections

ROOT = Path(__file__).resolve().parent.parent
Client = TestClient  # type: ignore[type-arg]
MakeClient = Callable[..., Awaitable[Client]]
MakeServer = Callable[..., Awaitable[TestServer]]


async def fake_service(aiohttp_server: MakeServer, path: str, status: int = 200) -> str:
    async def answer(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"}, status=status)

    app = web.Application()
    app.router.add_get(path, answer)
    server = await aiohttp_server(app)
    return str(server.make_url("")).rstrip("/")


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'participants.db'}"
    upgrade(url)
    return url


@pytest.fixture
async def page(aiohttp_client: MakeClient, database: str) -> Client:
    config = WebConfig(
        rasa_url="http://127.0.0.1:9",
        actions_health_url="http://127.0.0.1:9/health",
        database_url=database,
        socket_url="https://chat.example.org",
    )
    return await aiohttp_client(create_app(config))


def test_every_section_has_a_title_in_both_languages() -> None:
    assert all(strings("web", lang)[f"section_{sid}"] for lang in LANGUAGES for sid, _ in SECTIONS)


def test_page_facts_are_the_assistants_answers() -> None:
    sections = page_sections(FACTS_FILE)
    for language in LANGUAGES:
        assert [sid for sid, _ in sections[language]] == [sid for sid, _ in SECTIONS]
    assert "26 et 27 octobre 2015" in dict(sections["fr"])["when-where"]
    assert "26 and 27 October 2015" in dict(sections["en"])["when-where"]


@pytest.mark.parametrize(
    ("query", "headers", "language"),
    [
        ("", {}, "fr"),
        ("?lang=en", {}, "en"),
        ("?lang=fr", {"Accept-Language": "en-GB,en;q=0.9"}, "fr"),
        ("", {"Accept-Language": "en-US,en;q=0.9,fr;q=0.8"}, "en"),
        ("", {"Accept-Language": "de-CH, fr;q=0.5, en;q=0.4"}, "fr"),
        ("?lang=xx", {"Accept-Language": "en"}, "en"),
        ("", {"Cookie": "cmc_lang=en", "Accept-Language": "fr"}, "en"),
    ],
)
async def test_page_language(
    page: Client, query: str, headers: dict[str, str], language: str
) -> None:
    reply = await page.get(f"/{query}", headers=headers)
    html = await reply.text()
    assert reply.status == 200
    assert f'<html lang="{language}">' in html
    assert reply.headers["Content-Language"] == language
    assert strings("web", language)["chat_send"] in html
    assert f'data-lang="{language}"' in html


async def test_the_language_choice_is_remembered(page: Client) -> None:
    reply = await page.get("/?lang=en")
    cookie = reply.cookies["cmc_lang"]
    assert cookie.value == "en"
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    again = await page.get("/", headers={"Accept-Language": "fr"})
    assert '<html lang="en">' in await again.text()


async def test_the_page_allows_only_its_own_scripts_and_the_chat_socket(page: Client) -> None:
    reply = await page.get("/")
    policy = reply.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "connect-src 'self' wss://chat.example.org https://chat.example.org;" in policy
    assert reply.headers["X-Frame-Options"] == "DENY"
    html = await reply.text()
    assert 'data-socket-url="https://chat.example.org"' in html
    assert "<script>" not in html  # no inline script: the policy would block it


async def test_static_files_are_served_locally(page: Client) -> None:
    html = await (await page.get("/")).text()
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert any("socket.io.min.js" in src for src in scripts)
    for src in scripts:
        assert src.startswith("/static/")
        reply = await page.get(src)
        assert reply.status == 200 and "javascript" in reply.headers["Content-Type"]


@pytest.mark.parametrize(
    ("language", "title"), [("fr", "Page introuvable"), ("en", "Page not found")]
)
async def test_unknown_pages_get_a_bilingual_404(page: Client, language: str, title: str) -> None:
    reply = await page.get(f"/nowhere?lang={language}")
    assert reply.status == 404
    assert title in await reply.text()


async def test_health_is_200_only_when_everything_is_up(
    aiohttp_client: MakeClient, aiohttp_server: MakeServer, database: str
) -> None:
    rasa = await fake_service(aiohttp_server, "/webhooks/socketio/")
    actions = await fake_service(aiohttp_server, "/health")
    config = WebConfig(rasa_url=rasa, actions_health_url=f"{actions}/health", database_url=database)
    client = await aiohttp_client(create_app(config))
    reply = await client.get("/health")
    body: dict[str, Any] = await reply.json()
    assert reply.status == 200, body
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "rasa": "up",
        "action_server": "up",
        "database": "up",
    }


@pytest.mark.parametrize("down", ["rasa", "action_server", "database"])
async def test_health_is_503_when_one_part_is_down(
    aiohttp_client: MakeClient, aiohttp_server: MakeServer, tmp_path: Path, database: str, down: str
) -> None:
    rasa = await fake_service(aiohttp_server, "/webhooks/socketio/", 503 if down == "rasa" else 200)
    actions = await fake_service(aiohttp_server, "/health")
    config = WebConfig(
        rasa_url=rasa,
        actions_health_url=f"{actions}/health"
        if down != "action_server"
        else "http://127.0.0.1:9/health",
        # an empty database: reachable but not migrated, so the assistant cannot use it
        database_url=database if down != "database" else f"sqlite:///{tmp_path / 'empty.db'}",
    )
    client = await aiohttp_client(create_app(config))
    reply = await client.get("/health")
    body = await reply.json()
    assert reply.status == 503
    assert body["status"] == "degraded"
    assert [name for name, check in body["checks"].items() if check["status"] == "down"] == [down]
    assert reply.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "host", ["[x", 'x";a', "a b", "evil.example:99999:1", "evil.example", "127.0.0.1:5005"]
)
async def test_the_socket_url_and_policy_never_follow_the_host_header(
    page: Client, host: str
) -> None:
    reply = await page.get("/", headers={"Host": host})
    assert reply.status == 200
    assert 'data-socket-url="https://chat.example.org"' in await reply.text()
    assert "evil" not in reply.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("environment", "url"),
    [
        ({}, "http://localhost:5005"),
        ({"WEB_HOST": "0.0.0.0", "RASA_PORT": "6000"}, "http://localhost:6000"),
        ({"WEB_HOST": "cmc.example.org"}, "http://cmc.example.org:5005"),
        ({"WEB_HOST": "::1"}, "http://[::1]:5005"),
        (
            {"CHAT_SOCKET_URL": "https://chat.example.org/", "WEB_HOST": "x"},
            "https://chat.example.org",
        ),
    ],
)
def test_the_socket_url_comes_from_configuration(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], url: str
) -> None:
    for name in ("WEB_HOST", "RASA_PORT", "CHAT_SOCKET_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert WebConfig.from_env().socket_url == url
