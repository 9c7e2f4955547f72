"""Rasa's socket.io channel for the web widget, with the gaps of Rasa 3.6's closed.

Same name ("socketio"), so it stays on `/socket.io` of the Rasa port and keeps Rasa's
events (`session_request` → `session_confirm`, `user_uttered` → `bot_uttered`).
Added:
- only the chat page's origins may connect from a browser (Rasa 3.6 accepts any);
- a session id is always one the server issued in form (32 hex digits), and a
  connection may only speak for the session it asked for;
- before `session_confirm` the server sends `history`: the current session's messages,
  read from the tracker store, so a reloaded page shows the conversation again and
  any replica can serve it;
- typed text is read as text: only the page's own payloads (a quick reply, the
  language switch) may start with "/" and name an intent;
- bad input gets an `input_error` event with a bilingual message, and a turn that
  produced nothing gets `utter_service_unavailable`;
- GET /webhooks/socketio/ answers 200 only once the model is loaded (for /health).
The widget uses the websocket transport only: a conversation then lives on one
connection to one replica, so no sticky sessions are needed behind a load balancer.
With several replicas, SOCKETIO_REDIS_URL lets a reply reach every tab of a session
whichever replica it is connected to.
"""

from __future__ import annotations

import logging
import os
import re
import uuid
from typing import Any, Awaitable, Callable

from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncRedisManager, AsyncServer

from bot.channels.common import (
    MAX_MESSAGE_CHARS,
    CountingOutput,
    handle_never_silent,
    typed_text,
)

logger = logging.getLogger(__name__)

SESSION_ID = re.compile(r"^[0-9a-f]{32}$")
HISTORY_LIMIT = 200  # messages sent back on reconnection
# Metadata key under which the widget sends the title of a clicked quick reply, so the
# history shows "Dates" rather than the payload "/ask_dates".
QUICK_REPLY_TITLE = "quick_reply_title"
LANGUAGE_SWITCH = re.compile(r'^/switch_language\{"language": ?"(fr|en)"\}$')

INPUT_ERRORS = {
    "session": {
        "en": "This chat session is not open. Please reload the page.",
        "fr": "Cette session de discussion n'est pas ouverte. Veuillez recharger la page.",
    },
    "message": {
        "en": f"Messages must be text of at most {MAX_MESSAGE_CHARS} characters.",
        "fr": f"Les messages doivent être du texte d'au plus {MAX_MESSAGE_CHARS} caractères.",
    },
}


def allowed_origins(configured: str | list[str] | None = None) -> list[str]:
    """The chat page's own origins: the credentials' `allowed_origins`, else
    CHAT_ALLOWED_ORIGINS (comma-separated), else localhost:WEB_PORT. Never empty: an
    empty list would make engine.io accept every origin."""
    value = configured or os.environ.get("CHAT_ALLOWED_ORIGINS", "")
    items = value.split(",") if isinstance(value, str) else value
    origins = [str(origin).strip().rstrip("/") for origin in items if str(origin).strip()]
    if origins:
        return origins
    port = os.environ.get("WEB_PORT", "8080")
    return [f"http://localhost:{port}", f"http://127.0.0.1:{port}"]


def rasa_text(text: str, metadata: dict[str, Any]) -> str:
    """What Rasa reads: a quick reply's payload or the language switch as sent, any
    other text as typed text."""
    if isinstance(metadata.get(QUICK_REPLY_TITLE), str) or LANGUAGE_SWITCH.match(text):
        return text
    return typed_text(text)


def history_messages(events: list[Any]) -> list[dict[str, Any]]:
    """User and bot messages of a session, as the widget shows them."""
    messages: list[dict[str, Any]] = []
    for event in events:
        if isinstance(event, UserUttered):
            text = event.text or ""
            title = (event.metadata or {}).get(QUICK_REPLY_TITLE)
            if text.startswith("/"):
                if not isinstance(title, str):
                    continue  # a payload the page sent on its own (language switch)
                text = title
            messages.append({"sender": "user", "text": text})
        elif isinstance(event, BotUttered) and event.text:
            buttons = (event.data or {}).get("buttons") or []
            parts = event.text.strip().split("\n\n")
            for index, part in enumerate(parts):
                message: dict[str, Any] = {"sender": "bot", "text": part}
                if buttons and index == len(parts) - 1:
                    message["quick_replies"] = [
                        {"title": button["title"], "payload": button["payload"]}
                        for button in buttons
                    ]
                messages.append(message)
    return messages[-HISTORY_LIMIT:]


class CountingSocketIOOutput(CountingOutput, SocketIOOutput):
    async def _send_message(self, socket_id: str, response: Any) -> None:
        self.count()
        await super()._send_message(socket_id, response)

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        self.count()
        await super().send_custom_json(recipient_id, json_message, **kwargs)


class ChatSocketIOInput(SocketIOInput):
    """The web widget's channel (see the module docstring)."""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> ChatSocketIOInput:
        credentials = credentials or {}
        return cls(
            allowed_origins=allowed_origins(credentials.get("allowed_origins")),
            user_message_evt=credentials.get("user_message_evt", "user_uttered"),
            bot_message_evt=credentials.get("bot_message_evt", "bot_uttered"),
            socketio_path=credentials.get("socketio_path", "/socket.io"),
            metadata_key=credentials.get("metadata_key", "metadata"),
        )

    def __init__(
        self,
        allowed_origins: list[str],
        user_message_evt: str = "user_uttered",
        bot_message_evt: str = "bot_uttered",
        socketio_path: str = "/socket.io",
        metadata_key: str = "metadata",
    ) -> None:
        super().__init__(
            user_message_evt=user_message_evt,
            bot_message_evt=bot_message_evt,
            session_persistence=True,
            socketio_path=socketio_path,
            metadata_key=metadata_key,
        )
        self.allowed_origins = allowed_origins

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        redis_url = os.environ.get("SOCKETIO_REDIS_URL", "")
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=self.allowed_origins,
            transports=["websocket"],
            client_manager=AsyncRedisManager(redis_url) if redis_url else None,
        )
        webhook = SocketBlueprint(
            sio, self.socketio_path or "/socket.io", "socketio_webhook", __name__
        )
        self.sio = sio
        apps: list[Sanic] = []  # the Rasa app, once started: its agent holds the trackers

        @webhook.listener("before_server_start")
        async def remember_app(app: Sanic, _: Any) -> None:
            apps.append(app)

        def agent() -> Agent:
            return apps[0].ctx.agent

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or not agent.is_ready():
                return response.json({"status": "loading"}, status=503)
            return response.json({"status": "ok"})

        async def input_error(sid: str, key: str) -> None:
            await sio.emit("input_error", {"error": key, "message": INPUT_ERRORS[key]}, room=sid)

        @sio.on("session_request")
        async def session_request(sid: str, data: Any = None) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            known = isinstance(requested, str) and bool(SESSION_ID.match(requested))
            session_id = requested if known else uuid.uuid4().hex
            tracker = await agent().tracker_store.retrieve(session_id) if known else None
            events = list(tracker.events) if tracker else []
            # History first: the page accepts input once the session is confirmed.
            await sio.emit("history", {"messages": history_messages(events)}, room=sid)
            await sio.save_session(sid, {"session_id": session_id})
            await sio.enter_room(sid, session_id)
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on(self.user_message_evt)
        async def handle_message(sid: str, data: Any = None) -> None:
            session_id = (await sio.get_session(sid)).get("session_id")
            if not session_id or not isinstance(data, dict) or data.get("session_id") != session_id:
                await input_error(sid, "session")
                return
            text = data.get("message")
            if not isinstance(text, str) or len(text) > MAX_MESSAGE_CHARS:
                await input_error(sid, "message")
                return
            metadata = data.get(self.metadata_key)
            metadata = metadata if isinstance(metadata, dict) else {}
            message = UserMessage(
                rasa_text(text, metadata),
                CountingSocketIOOutput(sio, self.bot_message_evt),
                session_id,
                input_channel=self.name(),
                metadata=metadata,
            )
            await handle_never_silent(agent(), on_new_message, message)

        return webhook
