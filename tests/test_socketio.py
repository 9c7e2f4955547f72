"""The widget's socket.io channel with a python-socketio client against a real Rasa."""

from __future__ import annotations

import queue
from collections.abc import Iterator
from typing import Any

import pytest
import socketio

from bot.channels.socketio import allowed_origins, history_messages, rasa_text
from tests.conftest import Servers, Variant

pytestmark = pytest.mark.slow


class ChatClient:
    """A socket.io client connecting as the chat page does (websocket, page origin)."""

    def __init__(self, servers: Servers, origin: str | None = None) -> None:
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()
        origin = origin or f"http://localhost:{servers.web_port}"
        self.sio = socketio.Client(websocket_extra_options={"origin": origin})
        for name in ("session_confirm", "history", "bot_uttered", "input_error"):
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
        replies = [self.next()]
        while True:  # a turn may send several messages
            try:
                replies.append(self.next(timeout=1.5))
            except queue.Empty:
                return [data for _, data in replies]

    def close(self) -> None:
        self.sio.disconnect()


@pytest.fixture
def client(servers: Servers) -> Iterator[ChatClient]:
    chat = ChatClient(servers)
    yield chat
    chat.close()


def test_round_trip_in_both_languages(client: ChatClient, variants: dict[str, Variant]) -> None:
    assert client.open_session() == []
    assert len(client.session_id) == 32
    (reply,) = client.say("Quelles sont les dates de la conférence ?", language="fr")
    assert variants[reply["text"]] == Variant("utter_dates", "fr")
    (reply,) = client.say("Where is the conference held?", language="fr")
    assert variants[reply["text"]] == Variant("utter_venue", "en")


def test_metadata_language_starts_the_conversation(
    client: ChatClient, variants: dict[str, Variant]
) -> None:
    client.open_session()
    (reply,) = client.say("/greet", language="en", quick_reply_title="Hello")
    assert variants[reply["text"]] == Variant("utter_greet", "en")
    assert [q["payload"] for q in reply["quick_replies"]][0] == "/ask_dates"


def test_history_comes_back_on_reconnection(servers: Servers, client: ChatClient) -> None:
    client.open_session()
    client.say("When is the conference?", language="en")
    client.say("/ask_venue", language="en", quick_reply_title="Venue")
    client.close()
    again = ChatClient(servers)
    try:
        history = again.open_session(client.session_id)
        assert again.session_id == client.session_id
    finally:
        again.close()
    assert [m["sender"] for m in history] == ["user", "bot", "user", "bot"]
    assert history[0]["text"] == "When is the conference?"
    assert history[2]["text"] == "Venue"  # the title of the clicked quick reply


def test_an_unknown_or_malformed_session_gets_a_new_one(client: ChatClient) -> None:
    assert client.open_session("not-a-session; DROP TABLE events") == []
    assert len(client.session_id) == 32 and client.session_id.isalnum()


def test_a_connection_cannot_speak_for_another_session(client: ChatClient) -> None:
    client.open_session()
    client.sio.emit("user_uttered", {"message": "hello", "session_id": "0" * 32})
    name, data = client.next()
    assert name == "input_error" and data["error"] == "session"
    assert set(data["message"]) == {"fr", "en"}


@pytest.mark.parametrize(
    "message", [None, 42, ["x"], "x" * 50_001], ids=["none", "number", "list", "too-long"]
)
def test_bad_messages_get_a_clear_error(client: ChatClient, message: Any) -> None:
    client.open_session()
    client.sio.emit("user_uttered", {"message": message, "session_id": client.session_id})
    name, data = client.next()
    assert name == "input_error" and data["error"] == "message"


def test_another_site_cannot_connect(servers: Servers) -> None:
    with pytest.raises(socketio.exceptions.ConnectionError):
        ChatClient(servers, origin="http://evil.example")


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


def test_a_message_before_the_session_is_refused(client: ChatClient) -> None:
    client.sio.emit("user_uttered", {"message": "hello"})
    name, data = client.next()
    assert name == "input_error" and data["error"] == "session"


@pytest.mark.parametrize(
    ("text", "metadata", "read_as"),
    [
        ("/ask_dates", {"quick_reply_title": "Dates"}, "/ask_dates"),
        ('/switch_language{"language":"en"}', {}, '/switch_language{"language":"en"}'),
        ('/inform_registration{"email": "a@b.c"}', {}, 'inform_registration{"email": "a@b.c"}'),
        ("//ask_dates", {}, "ask_dates"),
        ("dates?", {}, "dates?"),
    ],
)
def test_only_the_pages_own_payloads_name_an_intent(
    text: str, metadata: dict[str, Any], read_as: str
) -> None:
    assert rasa_text(text, metadata) == read_as


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
