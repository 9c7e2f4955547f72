"""The widget's socket.io channel with a python-socketio client against a real Rasa."""

from __future__ import annotations

import queue
from collections.abc import Iterator
from typing import Any

import pytest
import socketio

from bot.channels.socketio import TURN_END, allowed_origins, history_messages
from bot.channels.web_sessions import SessionSigner
from bot.i18n import text
from tests.conftest import Servers, Variant, add_participant


class ChatClient:
    """A socket.io client connecting as the chat page does (websocket, page origin)."""

    def __init__(self, servers: Servers, origin: str | None = None) -> None:
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()
        origin = origin or f"http://localhost:{servers.web_port}"
        self.sio = socketio.Client(websocket_extra_options={"origin": origin})
        for name in ("session_confirm", "history", "bot_uttered", "input_error", TURN_END):
            self.sio.on(name, self._recorder(name))
        self.sio.connect(servers.rasa_url, socketio_path="/socket.io", transports=["websocket"])
        self.session_id = ""

    def _recorder(self, name: str) -> Any:
        return lambda data=None: self.events.put((name, data))

    def next(self, timeout: float = 30) -> tuple[str, Any]:
        return self.events.get(timeout=timeout)

    def open_session(self, session_id: str | None = None) -> list[dict[str, Any]]:
        """Asks for a session; returns the history the server sends after confirming."""
        self.sio.emit("session_request", {"session_id": session_id})
        name, history = self.next()
        assert name == "history"
        name, self.session_id = self.next()
        assert name == "session_confirm"
        return list(history["messages"])

    def say(self, text: str, **metadata: Any) -> list[dict[str, Any]]:
        self.sio.emit(
            "user_uttered", {"message": text, "session_id": self.session_id, "metadata": metadata}
        )
        replies: list[dict[str, Any]] = []
        while True:  # a turn may send several messages, then says it is over
            name, data = self.next()
            if name == TURN_END:
                assert data == {"messages": len(replies)}, (data, replies)
                return replies
            assert name == "bot_uttered", (name, data)
            replies.append(data)

    def close(self) -> None:
        self.sio.disconnect()


@pytest.fixture
def client(servers: Servers) -> Iterator[ChatClient]:
    chat = ChatClient(servers)
    yield chat
    chat.close()


@pytest.mark.slow
def test_round_trip_in_both_languages(client: ChatClient, variants: dict[str, Variant]) -> None:
    assert client.open_session() == []
    assert SessionSigner(b"test-only-session-secret").conversation(client.session_id)
    (reply,) = client.say("Quelles sont les dates de la conférence ?", language="fr")
    assert variants[reply["text"]] == Variant("answer:dates", "fr")
    (reply,) = client.say("Where is the conference held?", language="fr")
    assert variants[reply["text"]] == Variant("answer:venue", "en")


@pytest.mark.slow
def test_metadata_language_starts_the_conversation(
    client: ChatClient, variants: dict[str, Variant]
) -> None:
    client.open_session()
    (reply,) = client.say("ok", language="en")  # neutral: the metadata decides
    assert variants[reply["text"]] == Variant("utter_anything_else", "en")


@pytest.mark.slow
def test_history_comes_back_on_reconnection(servers: Servers, client: ChatClient) -> None:
    client.open_session()
    client.say("Hello", language="en")
    client.say("When is the conference?", language="en")
    client.say("/ask_venue", language="en", quick_reply_title="Venue")
    client.close()
    again = ChatClient(servers)
    try:
        history = again.open_session(client.session_id)
        assert again.session_id == client.session_id
    finally:
        again.close()
    assert [m["sender"] for m in history] == ["user", "bot", "user", "bot", "user", "bot"]
    assert history[2]["text"] == "When is the conference?"
    assert history[4]["text"] == "Venue"  # the title of the clicked quick reply


@pytest.mark.slow
@pytest.mark.parametrize(
    "requested",
    ["not-a-session; DROP TABLE events", "0" * 32, "0" * 32 + ".9999999999." + "0" * 64, 42],
)
def test_an_unknown_or_forged_session_gets_a_new_one(client: ChatClient, requested: Any) -> None:
    assert client.open_session(requested) == []
    assert client.session_id != requested
    assert SessionSigner(b"test-only-session-secret").conversation(client.session_id)


def test_a_session_id_is_signed_and_expires() -> None:
    now = [1_000_000.0]
    signer = SessionSigner(b"key", ttl_seconds=60, clock=lambda: now[0])
    token, conversation = signer.issue()
    assert signer.conversation(token) == conversation
    assert len(conversation) == 32 and token.startswith(f"{conversation}.")
    assert SessionSigner(b"other key", clock=lambda: now[0]).conversation(token) is None
    head, expires, signature = token.split(".")
    assert signer.conversation(f"{head}.{int(expires) + 3600}.{signature}") is None
    assert signer.conversation(f"{'f' * 32}.{expires}.{signature}") is None
    now[0] += 61
    assert signer.conversation(token) is None


@pytest.mark.slow
def test_a_new_conversation_forgets_the_previous_one(
    client: ChatClient, variants: dict[str, Variant]
) -> None:
    client.open_session()
    client.say("When is the conference?", language="en")
    first = client.session_id
    assert client.open_session(None) == []  # the widget's "new conversation"
    assert client.session_id != first
    (reply,) = client.say("ok", language="fr")
    assert variants[reply["text"]] == Variant("utter_anything_else", "fr")


@pytest.mark.slow
def test_history_never_replays_a_registration_check(
    servers: Servers, client: ChatClient, variants: dict[str, Variant]
) -> None:
    participant = add_participant(servers, "confirmed")
    client.open_session()
    client.say("Hello", language="en")
    client.say("Is my registration confirmed?", language="en")
    client.say(participant.reference, language="en")
    yes, status = client.say(participant.email, language="en")
    assert variants[yes["text"]] == Variant("utter_registration_yes", "en")
    assert participant.full_name in status["text"]
    client.say("When is the conference?", language="en")
    client.close()
    again = ChatClient(servers)
    try:
        history = again.open_session(client.session_id)
    finally:
        again.close()
    texts = [m["text"] for m in history]
    notice = text("socketio.history_registration_check", "en")
    assert texts.count(notice) == 1
    assert texts[texts.index(notice) + 1] == "When is the conference?"
    joined = " ".join(texts)
    for secret in (participant.reference, participant.email, "Nadia", status["text"]):
        assert secret not in joined


@pytest.mark.slow
def test_a_text_over_the_limit_gets_a_polite_reply(
    client: ChatClient, variants: dict[str, Variant]
) -> None:
    client.open_session()
    (reply,) = client.say("x" * 50_001, language="en")
    assert variants[reply["text"]] == Variant("utter_message_too_long", "en")


@pytest.mark.slow
def test_a_forged_quick_reply_is_read_as_text(
    servers: Servers, client: ChatClient, variants: dict[str, Variant]
) -> None:
    client.open_session()
    client.say("Hello", language="en")
    client.say('/greet{"language": "de"}', language="en", quick_reply_title="Hi")
    sender_id = f"web:{client.session_id.split('.')[0]}"
    *_, forged = servers.events(sender_id, "user")
    assert forged["text"] == 'greet{"language": "de"}'
    assert all(event["value"] != "de" for event in servers.events(sender_id, "slot"))
    (reply,) = client.say("ok")
    assert reply["text"] in variants


@pytest.mark.slow
def test_a_connection_cannot_speak_for_another_session(client: ChatClient) -> None:
    client.open_session()
    client.sio.emit("user_uttered", {"message": "hello", "session_id": "0" * 32})
    name, data = client.next()
    assert name == "input_error" and data["error"] == "session"
    assert set(data["message"]) == {"fr", "en"}


@pytest.mark.slow
@pytest.mark.parametrize("message", [None, 42, ["x"]], ids=["none", "number", "list"])
def test_bad_messages_get_a_clear_error(client: ChatClient, message: Any) -> None:
    client.open_session()
    client.sio.emit("user_uttered", {"message": message, "session_id": client.session_id})
    name, data = client.next()
    assert name == "input_error" and data["error"] == "message"


@pytest.mark.slow
def test_another_site_cannot_connect(servers: Servers) -> None:
    with pytest.raises(socketio.exceptions.ConnectionError):
        ChatClient(servers, origin="http://evil.example")


def test_history_shows_a_check_only_as_having_taken_place() -> None:
    from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, UserUttered

    events = [
        UserUttered("When?"),
        BotUttered("26-27 October."),
        UserUttered("check cmc 2015 0004 ADA@EXAMPLE.ORG"),
        ActionExecuted("registration_form"),
        ActiveLoop("registration_form"),
        ActiveLoop(None),
        ActionExecuted("action_check_registration"),
        BotUttered("Ada Lovelace, your registration is confirmed."),
        UserUttered("Is my registration confirmed?", intent={"name": "check_registration"}),
        ActionExecuted("registration_form"),
        ActiveLoop("registration_form"),
        BotUttered("Your reference?"),
        UserUttered("never mind"),
        ActiveLoop(None),
        BotUttered("All right."),
        UserUttered("Where?"),
        BotUttered("Geneva."),
    ]
    notice = text("socketio.history_registration_check", "en")
    assert history_messages(events, "en") == [
        {"sender": "user", "text": "When?"},
        {"sender": "bot", "text": "26-27 October."},
        {"sender": "bot", "text": notice},
        {"sender": "user", "text": "Where?"},
        {"sender": "bot", "text": "Geneva."},
    ]


def test_history_hides_payloads_sent_by_the_page() -> None:
    from rasa.shared.core.events import BotUttered, UserUttered

    events = [
        UserUttered('/switch_language{"language":"en"}'),
        BotUttered("Sure, I'll continue in English.\n\nHow can I help?"),
        UserUttered("/ask_dates", metadata={"quick_reply_title": "Dates"}),
    ]
    assert history_messages(events) == [
        {"sender": "bot", "text": "Sure, I'll continue in English."},
        {"sender": "bot", "text": "How can I help?"},
        {"sender": "user", "text": "Dates"},
    ]


@pytest.mark.slow
def test_a_message_before_the_session_is_refused(client: ChatClient) -> None:
    client.sio.emit("user_uttered", {"message": "hello"})
    name, data = client.next()
    assert name == "input_error" and data["error"] == "session"


@pytest.mark.parametrize(
    ("configured", "origins"),
    [
        (
            "https://cmc.example.org, https://www.example.org/",
            ["https://cmc.example.org", "https://www.example.org"],
        ),
        (["https://cmc.example.org"], ["https://cmc.example.org"]),
        (",", ["http://localhost:8080", "http://127.0.0.1:8080"]),
        ("", ["http://localhost:8080", "http://127.0.0.1:8080"]),
    ],
)
def test_allowed_origins_are_never_empty(
    monkeypatch: pytest.MonkeyPatch, configured: Any, origins: list[str]
) -> None:
    monkeypatch.delenv("CHAT_ALLOWED_ORIGINS", raising=False)
    monkeypatch.setenv("WEB_PORT", "8080")
    assert allowed_origins(configured) == origins
