"""Rasa's socket.io channel for the web widget, with the gaps of Rasa 3.6's closed.

Same name ("socketio"), so it stays on `/socket.io` of the Rasa port and keeps Rasa's
events (`session_request` → `session_confirm`, `user_uttered` → `bot_uttered`).
Added:
- only the chat page's origins may connect from a browser (Rasa 3.6 accepts any);
- session ids are issued and signed by the server and expire (web_sessions.py); the
  conversation is "web:<id>" in the tracker store, and a connection may only speak
  for the session it was given;
- before `session_confirm` the server sends `history`: the current session's messages,
  read from the tracker store, so a reloaded page shows the conversation again and
  any replica can serve it; a registration check is shown only as having taken
  place, never its reference, e-mail, name or status;
- typed text is read as text: only a quick reply the assistant offered, the page's
  language switch, or a bare "/greet" (a widget opening) may start with "/" and name
  an intent;
- bad input gets an `input_error` event with a bilingual message, a text over the
  channel limit a polite reply, and a turn that produced nothing
  `utter_service_unavailable`;
- after each turn, a `turn_end` event ({"messages": <bot_uttered events sent>}) to the
  session's tabs: a client knows the turn is over without waiting for silence (the
  page and rasa-webchat ignore events they do not know);
- GET /webhooks/socketio/ answers 200 only once the model is loaded (for /health).
Outside a turn (a staff reply through Rasa's HTTP API with `output_channel=latest`),
Rasa's own `get_output_channel` emits to the room named by the conversation id
("web:<id>"), which every connection of the session enters: every open tab gets it,
and a page opened later finds it in the history.
Transports are socket.io's usual ones: long-polling first, upgraded to a websocket
(standard clients such as rasa-webchat start with polling). Behind a load balancer
with several replicas, polling needs sticky sessions; `CHAT_WEBSOCKET_ONLY=true`
refuses polling instead, so that a conversation lives on one connection to one
replica. With several replicas, SOCKETIO_REDIS_URL lets a reply reach every tab of
a session whichever replica it is connected to.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Awaitable, Callable

from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, Event, UserUttered
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncRedisManager, AsyncServer

from bot import i18n, patches, settings
from bot.channels.common import (
    MAX_BODY_BYTES,
    CountingOutput,
    bound_request_size,
    clean_metadata,
    handle_never_silent,
    offered_payload,
    sender_key,
)
from bot.channels.web_sessions import SessionSigner
from bot.nlu.formats import EMAIL_RE, REFERENCE_RE
from bot.settings import DEFAULT_LANGUAGE, LANGUAGES

logger = logging.getLogger(__name__)

HISTORY_LIMIT = 200  # messages sent back on reconnection
# Metadata key under which the widget sends the title of a clicked quick reply, so the
# history shows "Dates" rather than the payload "/ask_dates".
QUICK_REPLY_TITLE = "quick_reply_title"
LANGUAGE_SWITCH = re.compile(r'^/switch_language\{"language": ?"(' + "|".join(LANGUAGES) + r')"\}$')
# What standard widgets send on opening (rasa-webchat's `initPayload`).
GREETING = "/greet"
# Sent after the last message of a turn (see the module docstring).
TURN_END = "turn_end"
# What marks a turn of a registration check, hidden from the history.
REGISTRATION_INTENTS = {"check_registration", "inform_registration"}
REGISTRATION_LOOP = "registration_form"
REGISTRATION_ACTIONS = {REGISTRATION_LOOP, "action_check_registration"}


def allowed_origins(configured: str | list[str] | None = None) -> list[str]:
    """The chat page's own origins: the credentials' `allowed_origins`, else
    CHAT_ALLOWED_ORIGINS (comma-separated), else localhost:WEB_PORT. Never empty: an
    empty list would make engine.io accept every origin."""
    value = configured or settings.get("CHAT_ALLOWED_ORIGINS")
    items = value.split(",") if isinstance(value, str) else value
    origins = [str(origin).strip().rstrip("/") for origin in items if str(origin).strip()]
    if origins:
        return origins
    port = settings.get("WEB_PORT")
    return [f"http://localhost:{port}", f"http://127.0.0.1:{port}"]


def is_private_turn(turn: list[Event], check_active: bool) -> bool:
    """True for a turn of a registration check: the person gave a reference or an
    e-mail address, asked for a check, or the check's form or result ran."""
    user = turn[0] if turn and isinstance(turn[0], UserUttered) else None
    if user is not None:
        text = user.text or ""
        if check_active or REFERENCE_RE.search(text) or EMAIL_RE.search(text):
            return True
        if (user.intent or {}).get("name") in REGISTRATION_INTENTS:
            return True
    return any(
        (isinstance(event, ActiveLoop) and event.name == REGISTRATION_LOOP)
        or (isinstance(event, ActionExecuted) and event.action_name in REGISTRATION_ACTIONS)
        for event in turn
    )


def turns(events: list[Event]) -> list[list[Event]]:
    """Events cut at each user message (the first piece may have none)."""
    pieces: list[list[Event]] = [[]]
    for event in events:
        if isinstance(event, UserUttered):
            pieces.append([])
        pieces[-1].append(event)
    return [piece for piece in pieces if piece]


def turn_messages(turn: list[Event]) -> list[dict[str, Any]]:
    """User and bot messages of one turn, as the widget shows them."""
    messages: list[dict[str, Any]] = []
    for event in turn:
        if isinstance(event, UserUttered):
            text = event.text or ""
            title = (event.metadata or {}).get(QUICK_REPLY_TITLE)
            if isinstance(title, str):
                text = title  # a quick reply, shown as its button
            elif text.startswith("/"):
                continue  # a payload the page sent on its own (language switch)
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
    return messages


def history_messages(events: list[Event], language: str = DEFAULT_LANGUAGE) -> list[dict[str, Any]]:
    """The session's messages as the widget shows them; the turns of a registration
    check are replaced by one notice that a check took place."""
    notice = {"sender": "bot", "text": i18n.text("socketio.history_registration_check", language)}
    messages: list[dict[str, Any]] = []
    check_active = False
    for turn in turns(events):
        if is_private_turn(turn, check_active):
            if not messages or messages[-1] != notice:
                messages.append(notice)
        else:
            messages.extend(turn_messages(turn))
        for event in turn:
            if isinstance(event, ActiveLoop):
                check_active = event.name == REGISTRATION_LOOP
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
        # CountingSocketIOOutput overrides SocketIOOutput._send_message, a private method.
        patches.require(("rasa",), "bot.channels.socketio.CountingSocketIOOutput")
        super().__init__(
            user_message_evt=user_message_evt,
            bot_message_evt=bot_message_evt,
            session_persistence=True,
            socketio_path=socketio_path,
            metadata_key=metadata_key,
        )
        self.allowed_origins = allowed_origins

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        redis_url = settings.get("SOCKETIO_REDIS_URL")
        websocket_only = settings.get("CHAT_WEBSOCKET_ONLY").lower() in ("1", "true", "yes")
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=self.allowed_origins,
            transports=["websocket"] if websocket_only else ["polling", "websocket"],
            max_http_buffer_size=MAX_BODY_BYTES,
            client_manager=AsyncRedisManager(redis_url) if redis_url else None,
        )
        webhook: Blueprint = SocketBlueprint(
            sio, self.socketio_path or "/socket.io", "socketio_webhook", __name__
        )
        bound_request_size(webhook)
        self.sio = sio
        signer = SessionSigner.from_env()
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
            message = i18n.both(f"socketio.{key}")
            await sio.emit("input_error", {"error": key, "message": message}, room=sid)

        @sio.on("session_request")
        async def session_request(sid: str, data: Any = None) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            known = signer.conversation(requested)
            token, conversation = (requested, known) if known else signer.issue()
            sender_id = sender_key("web", conversation)
            tracker = await agent().tracker_store.retrieve(sender_id) if known else None
            history: list[dict[str, Any]] = []
            if tracker:
                language = tracker.get_slot("language")
                if language not in LANGUAGES:
                    language = DEFAULT_LANGUAGE
                history = history_messages(list(tracker.events), language)
            previous = (await sio.get_session(sid)).get("sender_id")
            if previous:
                await sio.leave_room(sid, previous)
            # History first: the page accepts input once the session is confirmed.
            await sio.emit("history", {"messages": history}, room=sid)
            await sio.save_session(sid, {"session_id": token, "sender_id": sender_id})
            await sio.enter_room(sid, sender_id)
            await sio.emit("session_confirm", token, room=sid)

        @sio.on(self.user_message_evt)
        async def handle_message(sid: str, data: Any = None) -> None:
            session = await sio.get_session(sid)
            token, sender_id = session.get("session_id"), session.get("sender_id")
            if not token or not isinstance(data, dict) or data.get("session_id") != token:
                await input_error(sid, "session")
                return
            text = data.get("message")
            if not isinstance(text, str):
                await input_error(sid, "message")
                return
            # rasa-webchat sends its metadata as `customData`.
            metadata = clean_metadata(data.get(self.metadata_key) or data.get("customData"))
            if not (LANGUAGE_SWITCH.match(text) or text == GREETING):
                text = await offered_payload(agent(), sender_id, text)
            output = CountingSocketIOOutput(sio, self.bot_message_evt)
            message = UserMessage(
                text, output, sender_id, input_channel=self.name(), metadata=metadata
            )
            await handle_never_silent(agent(), on_new_message, message)
            await sio.emit(TURN_END, {"messages": output.sent}, room=sender_id)

        return webhook
