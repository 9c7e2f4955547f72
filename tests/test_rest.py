"""The REST contract under bad input, and conversations surviving a restart."""

from __future__ import annotations

import sqlite3
import uuid

import pytest

from bot.channels.rest import MAX_MESSAGE_CHARS, request_error
from tests.conftest import Servers, Variant


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ([1, 2], "body"),
        ("hello", "body"),
        ({"sender": "a"}, "message"),
        ({"sender": "a", "message": 123}, "message"),
        ({"sender": "a", "message": None}, "message"),
        ({"sender": "a", "message": "x" * (MAX_MESSAGE_CHARS + 1)}, "message_length"),
        ({"sender": "", "message": "hi"}, "sender"),
        ({"sender": 42, "message": "hi"}, "sender"),
        ({"sender": "s" * 256, "message": "hi"}, "sender"),
        ({"sender": "a", "message": "hi", "metadata": "fr"}, "metadata"),
        ({"sender": "a", "message": "hi"}, None),
        ({"message": ""}, None),
        ({"sender": "a", "message": "hi", "metadata": {"language": "fr"}}, None),
    ],
)
def test_request_validation(body: object, error: str | None) -> None:
    assert request_error(body) == error


@pytest.mark.slow
@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "x" * 20_000,
        "Bonjour " * 2_500,
        "😀🎉🙏",
        "<script>alert('x')</script>",
        "<img src=x onerror=alert(1)>",
        "'; DROP TABLE events; --",
        "1 OR 1=1; SELECT * FROM users",
        "Bonjour, when is the conference? merci",
        "\u0000\u202e\ufeff",
    ],
)
def test_bad_input_gets_a_polite_reply(
    servers: Servers, variants: dict[str, Variant], text: str
) -> None:
    sender = f"bad-{uuid.uuid4()}"
    status, replies = servers.post({"sender": sender, "message": text})
    assert status == 200
    assert replies and all(r["text"] in variants for r in replies)
    # ... and the conversation goes on (an input read as a registration request may
    # also get the next question of that check after the answer).
    follow_up = [variants[r["text"]].response for r in servers.say(sender, "what are the dates?")]
    assert follow_up[0] == "utter_dates"


@pytest.mark.slow
@pytest.mark.parametrize(
    "raw",
    [
        b'{"sender": "x", "message": "caf\xe9"}',  # invalid UTF-8
        b"not json",
        b'{"sender": "x", "message": ',
        b"[1, 2]",
        b'{"sender": "x", "message": 5}',
    ],
)
def test_malformed_body_is_a_clear_400(servers: Servers, raw: bytes) -> None:
    status, body = servers.post(None, raw=raw)
    assert status == 400
    assert body["message"]["en"] and body["message"]["fr"]


@pytest.mark.slow
def test_conversation_survives_a_restart(servers: Servers, variants: dict[str, Variant]) -> None:
    sender = f"restart-{uuid.uuid4()}"
    servers.say(sender, "Hello, who is invited?")
    servers.restart_rasa()
    # "ok" is language-neutral: the reply language can only come from the stored conversation.
    replies = servers.say(sender, "ok")
    assert [(variants[r["text"]].response, variants[r["text"]].language) for r in replies] == [
        ("utter_anything_else", "en")
    ]
    with sqlite3.connect(servers.workdir / "tracker.db") as db:
        (count,) = db.execute(
            "SELECT count(*) FROM events WHERE sender_id = ? AND type_name = 'user'", (sender,)
        ).fetchone()
    assert count == 2
