"""Replying as a person from the staff console (bot/staff/human_reply.py): against a
fake Rasa HTTP API, the console's side (CSRF, roles, what Rasa is asked, the follow-up
closed, the audit, the error path, REST conversations refused); the channels' sending
outside a turn (Telegram, WhatsApp) against fake provider APIs; and, slow, a reply
through the real Rasa reaching a connected socket.io client and stored in its tracker.
Fixtures: tests/test_staff.py's."""

# ruff: noqa: F811 - the fixtures imported from tests/test_staff.py are parameters here

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestServer
from markupsafe import escape

from bot import patches
from bot.channels.common import PushFailed
from bot.channels.http_client import OutboundClient
from bot.channels.telegram import TelegramInput
from bot.channels.twilio import TwilioWhatsAppInput
from bot.channels.web_sessions import SessionSigner
from bot.i18n import strings as catalogue
from bot.i18n import text as message
from bot.run_rasa import api_arguments
from bot.staff import app as staff_app
from bot.staff.accounts import StaffStore
from bot.staff.config import StaffConfig, fernet_key
from bot.staff.conversations import events
from bot.staff.schema import staff_audit, staff_notes
from tests.conftest import Servers, started
from tests.test_staff import (  # noqa: F401 - fixtures
    NOW,
    Console,
    MakeClient,
    clock,
    console,
    linked,
    project_db,
    store,
    tracker_db,
)

TOKEN = "fake-rasa-token"
API_TOKEN = "test-rasa-api-token"  # the real Rasa's, in the slow test
BOB = "/staff/conversations/telegram:42"  # English, asked for a person: in the queue
ALICE = "/staff/conversations/web:alice"  # French, not in the queue
MALLORY = "/staff/conversations/rest:mallory"  # REST


class FakeRasa:
    """Rasa's `POST /conversations/{id}/tracker/events`, recording each call."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.status = 200
        app = web.Application()
        app.router.add_post("/conversations/{sender_id:.+}/tracker/events", self.events)
        self.server = TestServer(app)

    async def events(self, request: web.Request) -> web.Response:
        self.calls.append(
            {
                "sender_id": request.match_info["sender_id"],
                "query": dict(request.query),
                "events": await request.json(),
            }
        )
        return web.json_response({"sender_id": request.match_info["sender_id"]}, status=self.status)


@pytest.fixture
async def rasa() -> Any:
    fake = FakeRasa()
    await fake.server.start_server()
    yield fake
    await fake.server.close()


@pytest.fixture
def config(project_db: str, tracker_db: str, rasa: FakeRasa) -> StaffConfig:
    return StaffConfig(
        database_url=project_db,
        tracker_store_url=tracker_db,
        secret_key=fernet_key("test-only-staff-secret-key-0123456789"),
        page_size=50,
        rasa_url=str(rasa.server.make_url("/")),
        rasa_api_token=TOKEN,
    )


async def send(console: Console, path: str, reply: str, csrf: str | None = "") -> Any:
    data = {"reply": reply}
    if csrf is not None:
        data["csrf"] = csrf or await console.csrf("/staff")
    return await console.client.post(f"{path}/reply", data=data, allow_redirects=False)


def recorded(store: StaffStore) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    with store.engine.connect() as connection:
        rows = connection.execute(sa.select(staff_notes))
        notes = [(r.sender_id, r.actor, r.kind, r.text) for r in rows]
        audit = [
            (r.actor, r.action, r.target, r.detail)
            for r in connection.execute(
                sa.select(staff_audit).where(staff_audit.c.action == "staff_reply")
            )
        ]
    return notes, audit


async def test_a_reply_reaches_rasa_closes_the_followup_and_is_audited(
    console: Console, rasa: FakeRasa, store: StaffStore
) -> None:
    await console.login("rev")  # a reviewer may answer
    assert "telegram:42" in linked(await (await console.client.get("/staff/followups")).text())
    reply = await send(console, BOB, "  I will call you tomorrow at 10.\r\nBest, Anna  ")
    assert reply.status == 303
    assert unquote(reply.headers["Location"]) == f"{BOB}?done=done_replied_closed"
    (call,) = rasa.calls
    assert call["sender_id"] == "telegram:42"
    assert call["query"] == {
        "output_channel": "latest",
        "execute_side_effects": "true",
        "token": TOKEN,
    }
    sent = "I will call you tomorrow at 10.\nBest, Anna"
    marked = message("staff.reply_marker", "en", reply=sent)
    assert call["events"] == [{"event": "bot", "text": marked, "metadata": {"staff_reply": True}}]
    assert marked.startswith("Message from IOM staff: ")
    # The follow-up is closed, with the reply as its note; the send is audited.
    assert "telegram:42" not in linked(await (await console.client.get("/staff/followups")).text())
    notes, audit = recorded(store)
    assert notes == [("telegram:42", "rev", "reply", "I will call you tomorrow at 10.\nBest, Anna")]
    assert audit == [("rev", "staff_reply", "telegram:42", "42 characters, follow-up closed")]
    html = await (await console.client.get(f"{BOB}?lang=en&done=done_replied_closed")).text()
    assert "Reply sent; follow-up closed." in html and "reply sent as a person" in html


async def test_the_marker_is_in_the_conversations_language(
    console: Console, rasa: FakeRasa, store: StaffStore
) -> None:
    await console.login("alice")  # the page in English, the conversation in French
    reply = await send(console, f"{ALICE}", "Je vous rappelle demain {sans faute}.")
    assert unquote(reply.headers["Location"]) == f"{ALICE}?done=done_replied"
    (call,) = rasa.calls
    assert call["sender_id"] == "web:alice"
    assert call["events"][0]["text"] == (
        "Message de l’équipe de l’OIM : Je vous rappelle demain {sans faute}."
    )
    notes, audit = recorded(store)  # not in the queue: kept as a note, nothing closed
    assert notes == [("web:alice", "alice", "reply", "Je vous rappelle demain {sans faute}.")]
    assert audit == [("alice", "staff_reply", "web:alice", "37 characters")]


async def test_a_stored_reply_is_shown_as_iom_staffs(console: Console, rasa: FakeRasa) -> None:
    """Once Rasa stored the reply (the event the console sent it, metadata
    `staff_reply`), the transcript shows it on a row of its own, labelled as IOM staff's
    in the page's language: not as one of the assistant's replies to the last message."""
    await console.login("rev")
    await send(console, BOB, "I will call you tomorrow.")
    (call,) = rasa.calls
    at = NOW.timestamp()
    with console.app[staff_app.CONVERSATIONS_KEY].engine.begin() as connection:
        connection.execute(
            events.insert(),
            [
                {
                    "sender_id": "telegram:42",
                    "type_name": "bot",
                    "timestamp": at,
                    "data": json.dumps({**call["events"][0], "timestamp": at}),
                }
            ],
        )
    for language in ("en", "fr"):
        html = await (await console.client.get(f"{BOB}?lang={language}")).text()
        rows = re.findall(r"<tr[ >].*?</tr>", html.split("<tbody>", 1)[1], re.S)
        staff = [row for row in rows if 'class="by-staff"' in row]
        assert len(staff) == 1, rows
        label = catalogue("staff", language)["staff_turn"]
        assert f"<strong>{label}</strong>" in staff[0]
        assert "Message from IOM staff: I will call you tomorrow." in staff[0]
        assert rows[-1] == staff[0]  # last, after the assistant's own reply ("Yes.")
        assert "Yes." in rows[-2] and "I will call you" not in rows[-2]
        assert label not in "".join(rows[:-1])


@pytest.mark.parametrize("status", [500, 401, None])
async def test_when_rasa_fails_nothing_is_closed(
    console: Console, rasa: FakeRasa, store: StaffStore, status: int | None
) -> None:
    if status is None:
        await rasa.server.close()  # not listening at all
    else:
        rasa.status = status
    await console.login("rev")
    reply = await send(console, BOB, "Hello")
    assert reply.headers["Location"].endswith("?error=error_reply_failed")
    assert recorded(store) == ([], [])
    assert "telegram:42" in linked(await (await console.client.get("/staff/followups")).text())
    for lang in ("fr", "en"):
        page = await console.client.get(f"{BOB}?error=error_reply_failed&lang={lang}")
        assert escape(catalogue("staff", lang)["error_reply_failed"]) in await page.text()


async def test_a_rest_conversation_cannot_be_replied_to(
    console: Console, rasa: FakeRasa, store: StaffStore
) -> None:
    await console.login("alice")
    html = await (await console.client.get(f"{MALLORY}?lang=en")).text()
    refusal = catalogue("staff", "en")["reply_channel_refused"]
    assert "REST API cannot receive" in refusal and escape(refusal) in html
    form = html.split('action="/staff/conversations/rest%3Amallory/reply"')[1].split("</form>")[0]
    assert "<textarea" in form and " disabled>" in form
    assert '<button type="submit" disabled' in form
    reply = await send(console, MALLORY, "Hello")
    assert reply.headers["Location"].endswith("?error=reply_channel_refused")
    assert rasa.calls == [] and recorded(store) == ([], [])
    # Other channels get an enabled form.
    html = await (await console.client.get(BOB)).text()
    form = html.split('action="/staff/conversations/telegram%3A42/reply"')[1].split("</form>")[0]
    assert "disabled" not in form


async def test_without_the_api_token_the_console_says_so(
    aiohttp_client: MakeClient, config: StaffConfig, store: StaffStore, rasa: FakeRasa, clock: Any
) -> None:
    app = staff_app.create_app(dataclasses.replace(config, rasa_api_token=""), clock)
    parent = web.Application()
    parent.add_subapp("/staff", app)
    console = Console(await aiohttp_client(parent), app)
    await console.login("rev")
    html = await (await console.client.get(f"{BOB}?lang=en")).text()
    assert escape(catalogue("staff", "en")["reply_not_configured"]) in html
    reply = await send(console, BOB, "Hello")
    assert reply.headers["Location"].endswith("?error=reply_not_configured")
    assert rasa.calls == [] and recorded(store) == ([], [])


async def test_bad_replies_are_refused_before_rasa(
    console: Console, rasa: FakeRasa, store: StaffStore
) -> None:
    await console.login("rev")
    for csrf in (None, "forged"):  # no or a wrong CSRF token: 403
        assert (await send(console, BOB, "Hello", csrf=csrf)).status == 403
    assert (await send(console, BOB, "   ")).headers["Location"].endswith("error=error_reply_empty")
    too_long = await send(console, BOB, "x" * 2001)
    assert too_long.headers["Location"].endswith("error=error_reply_long")
    unknown = await send(console, "/staff/conversations/web:nobody", "Hello")
    assert unknown.status == 404
    assert rasa.calls == [] and recorded(store) == ([], [])
    await console.client.post("/staff/logout", data={"csrf": await console.csrf("/staff")})
    anonymous = await console.client.post(f"{BOB}/reply", data={"reply": "x"})
    assert anonymous.status == 401 and rasa.calls == []


def test_rasa_gets_the_api_only_with_a_token() -> None:
    run = ["rasa", "run", "--port", "5005"]
    assert api_arguments(run, "") == run
    assert api_arguments(run, "s3cret") == [*run, "--enable-api", "--auth-token", "s3cret"]
    assert api_arguments(["rasa", "train"], "s3cret") == ["rasa", "train"]
    given = [*run, "--enable-api", "--auth-token", "other"]
    assert api_arguments(given, "s3cret") == given


class FakeProvider:
    """The Bot API's sendMessage and Twilio's Messages API, answering `status`."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.status = 200
        app = web.Application()
        app.router.add_post("/{path:.+}", self.record)
        self.server = TestServer(app)

    async def record(self, request: web.Request) -> web.Response:
        body = await request.json() if request.content_type == "application/json" else None
        self.calls.append((request.path, body or dict(await request.post())))
        return web.json_response({"ok": self.status == 200}, status=self.status)


@pytest.fixture
async def provider() -> Any:
    fake = FakeProvider()
    await fake.server.start_server()
    yield fake
    await fake.server.close()


async def test_telegram_sends_outside_a_turn(provider: FakeProvider) -> None:
    channel = TelegramInput("bot-token", "secret", str(provider.server.make_url("")))
    output = channel.get_output_channel()
    try:
        await output.send_response("telegram:-1001", {"text": "Message from IOM staff: hi"})
        assert provider.calls == [
            ("/botbot-token/sendMessage", {"chat_id": -1001, "text": "Message from IOM staff: hi"})
        ]
        provider.status = 502
        with pytest.raises(PushFailed):
            await output.send_response("telegram:-1001", {"text": "hi"})
        with pytest.raises(PushFailed):
            await output.send_response("whatsapp:+41000", {"text": "hi"})
    finally:
        await channel.client.session.close()


async def test_whatsapp_sends_outside_a_turn(provider: FakeProvider) -> None:
    def channel(number: str) -> TwilioWhatsAppInput:
        api = str(provider.server.make_url(""))
        return TwilioWhatsAppInput("AC" + "0" * 32, "token", number, api_url=api)

    clients: list[OutboundClient] = []
    try:
        whatsapp = channel("whatsapp:+14155550100")
        clients.append(whatsapp.client)
        output = whatsapp.get_output_channel()
        await output.send_response("whatsapp:+41000", {"text": "hi"})
        ((path, form),) = provider.calls
        assert path.endswith("/Messages.json")
        assert form == {"From": "whatsapp:+14155550100", "To": "whatsapp:+41000", "Body": "hi"}
        provider.status = 500
        with pytest.raises(PushFailed):
            await output.send_response("whatsapp:+41000", {"text": "hi"})
        unnumbered = channel("")  # no TWILIO_WHATSAPP_NUMBER: nothing to send from
        clients.append(unnumbered.client)
        with pytest.raises(PushFailed):
            await unnumbered.get_output_channel().send_response("whatsapp:+41000", {"text": "hi"})
        assert len(provider.calls) == 2
    finally:
        for client in clients:
            await client.session.close()


@pytest.fixture
def api_servers(model_path: Path, tmp_path: Path) -> Iterator[Servers]:
    """Rasa and the actions with RASA_API_TOKEN set, as `make run` starts them (the
    session's shared servers run without the API)."""
    workdir = tmp_path / "servers"
    workdir.mkdir()
    with started(Servers(workdir=workdir, extra_env={"RASA_API_TOKEN": API_TOKEN})) as running:
        yield running


@pytest.mark.slow
async def test_a_reply_reaches_the_widget_and_the_tracker(
    api_servers: Servers,
    aiohttp_client: MakeClient,
    project_db: str,
    store: StaffStore,
    clock: Any,
) -> None:
    """Real Rasa (API behind its token), a socket.io client as the chat page connects,
    and the console: the reply arrives on the open socket, marked, and is a bot event
    of the conversation in the tracker store."""
    from tests.test_socketio import ChatClient

    servers = api_servers
    chat = await asyncio.to_thread(ChatClient, servers)
    try:
        await asyncio.to_thread(chat.open_session)
        await asyncio.to_thread(chat.say, "I would like to speak to a person", language="en")
        conversation = SessionSigner(b"test-only-session-secret").conversation(chat.session_id)
        sender_id = f"web:{conversation}"
        config = StaffConfig(
            database_url=project_db,
            tracker_store_url=servers.env["TRACKER_STORE_URL"],
            secret_key=fernet_key("test-only-staff-secret-key-0123456789"),
            rasa_url=servers.rasa_url,
            rasa_api_token=API_TOKEN,
        )
        app = staff_app.create_app(config, clock)
        patches.install_web()
        parent = web.Application()
        parent.add_subapp("/staff", app)
        console = Console(await aiohttp_client(parent), app)
        await console.login("rev")
        reply = await send(console, f"/staff/conversations/{sender_id}", "Anna will call you.")
        assert "done=done_replied" in reply.headers["Location"], reply.headers["Location"]
        name, data = await asyncio.to_thread(chat.next, 30)
        slots = servers.events(sender_id, "slot")
        assert [e["value"] for e in slots if e["name"] == "language"][-1] == "en"
        marked = message("staff.reply_marker", "en", reply="Anna will call you.")
        assert (name, data["text"]) == ("bot_uttered", marked)
        stored = servers.events(sender_id, "bot")
        assert stored[-1]["text"] == marked and stored[-1]["metadata"]["staff_reply"] is True
        notes, audit = recorded(store)
        assert notes == [(sender_id, "rev", "reply", "Anna will call you.")]
        assert [entry[1:3] for entry in audit] == [("staff_reply", sender_id)]
        # A page opened later finds it in the conversation's history.
        later = await asyncio.to_thread(ChatClient, servers)
        try:
            history = await asyncio.to_thread(later.open_session, chat.session_id)
        finally:
            await asyncio.to_thread(later.close)
        assert history[-1] == {"sender": "bot", "text": marked}
    finally:
        await asyncio.to_thread(chat.close)
