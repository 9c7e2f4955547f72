"""The REST contract under bad input, and conversations surviving a restart."""

from __future__ import annotations

import sqlite3
import uuid

import pytest

from bot.channels.common import MAX_MESSAGE_CHARS, clean_metadata, without_surrogates
from bot.channels.rest import authorised, request_error
from tests.conftest import Servers, Variant


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ([1, 2], "body"),
        ("hello", "body"),
        ({"sender": "a"}, "message"),
        ({"sender": "a", "message": 123}, "message"),
        ({"sender": "a", "message": None}, "message"),
        ({"sender": "a", "message": "x" * (MAX_MESSAGE_CHARS + 1)}, None),  # answered politely
        ({"message": "hi"}, "sender"),  # no shared "default" conversation
        ({"sender": None, "message": "hi"}, "sender"),
        ({"sender": "\ud800", "message": "hi"}, "sender"),
        ({"sender": "", "message": "hi"}, "sender"),
        ({"sender": 42, "message": "hi"}, "sender"),
        ({"sender": "s" * 201, "message": "hi"}, "sender"),
        ({"sender": "a", "message": "hi", "metadata": "fr"}, "metadata"),
        ({"sender": "a", "message": "hi"}, None),
        ({"sender": "a", "message": ""}, None),
        ({"sender": "a", "message": "hi", "metadata": {"language": "fr"}}, None),
    ],
)
def test_request_validation(body: object, error: str | None) -> None:
    assert request_error(body) == error


@pytest.mark.parametrize(
    ("metadata", "kept"),
    [
        ({"language": "en", "quick_reply_title": "Dates"}, None),
        ({"language": "x" * 36}, {}),
        ({"language": 3, "score": float("nan")}, {}),
        ({"nested": {"a": {"b": {}}}, "blob": "x" * 1_000_000}, {}),
        ({"language": "fr\ud800"}, {"language": "fr\ufffd"}),
        ("fr", {}),
        (None, {}),
    ],
)
def test_metadata_keeps_only_what_the_assistant_reads(metadata: object, kept: dict | None) -> None:
    assert clean_metadata(metadata) == (metadata if kept is None else kept)


def test_lone_surrogates_are_replaced() -> None:
    assert without_surrogates("caf\u00e9 \ud800!") == "caf\u00e9 \ufffd!"
    assert without_surrogates("😀") == "😀"


class FakeRequest:
    def __init__(self, headers: dict[str, str]) -> None:
        self.headers = headers


@pytest.mark.parametrize(
    ("token", "headers", "allowed"),
    [
        ("", {}, True),
        ("s3cret", {}, False),
        ("s3cret", {"Authorization": "Bearer wrong"}, False),
        ("s3cret", {"Authorization": "Basic s3cret"}, False),
        ("s3cret", {"Authorization": "Bearer s3cr\u00e9t"}, False),
        ("s3cret", {"Authorization": "Bearer s3cret"}, True),
        ("s3cret", {"Authorization": "bearer s3cret"}, True),
    ],
)
def test_the_rest_token_when_set(token: str, headers: dict[str, str], allowed: bool) -> None:
    assert authorised(FakeRequest(headers), token) is allowed  # type: ignore[arg-type]


@pytest.mark.slow
@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "x" * 4_000,
        "Bonjour " * 500,
        "caf\u00e9 \ud800 \udfff dates ?",
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
    # Only what a reply carries: a response's `condition` never leaks.
    assert all(set(r) <= {"recipient_id", "text", "buttons"} for r in replies)
    # ... and the conversation goes on (an input read as a registration request may
    # also get the next question of that check after the answer).
    follow_up = [variants[r["text"]].response for r in servers.say(sender, "what are the dates?")]
    assert follow_up[0] == "answer:dates"


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
def test_a_body_over_64_kb_is_refused_unread(servers: Servers) -> None:
    status, body = servers.post({"sender": "big", "message": "x" * 70_000})
    assert status == 413 and body["error"] == "body_too_large"
    assert body["message"]["en"] and body["message"]["fr"]


@pytest.mark.slow
@pytest.mark.parametrize(("hello", "language"), [("Bonjour", "fr"), ("Hello", "en")])
def test_a_text_over_the_limit_gets_a_polite_reply(
    servers: Servers, variants: dict[str, Variant], hello: str, language: str
) -> None:
    sender = f"long-{uuid.uuid4()}"
    servers.say(sender, hello)
    replies = servers.say(sender, "a" * (MAX_MESSAGE_CHARS + 1))
    assert [variants[r["text"]] for r in replies] == [Variant("utter_message_too_long", language)]
    with sqlite3.connect(servers.workdir / "tracker.db") as db:
        (longest,) = db.execute(
            "SELECT max(length(data)) FROM events WHERE sender_id = ?", (f"rest:{sender}",)
        ).fetchone()
    assert longest < 5_000  # the long text itself was not stored


@pytest.mark.slow
def test_replies_name_the_sender_given(servers: Servers) -> None:
    sender = f"alice-{uuid.uuid4()}"
    replies = servers.say(sender, "Quand a lieu la conférence ?")
    assert replies and all(reply["recipient_id"] == sender for reply in replies)


@pytest.mark.slow
def test_a_typed_payload_is_read_as_text(servers: Servers, variants: dict[str, Variant]) -> None:
    sender = f"payload-{uuid.uuid4()}"
    servers.say(sender, "Hello")
    servers.say(sender, '/greet{"language": "de"}')
    *_, forged = servers.events(f"rest:{sender}", "user")
    assert forged["text"] == 'greet{"language": "de"}'
    slots = servers.events(f"rest:{sender}", "slot")
    assert all(event["value"] != "de" for event in slots)
    (reply,) = servers.say(sender, "ok")
    assert reply["text"] in variants


@pytest.mark.slow
def test_a_button_the_assistant_offered_is_a_payload(
    servers: Servers, variants: dict[str, Variant]
) -> None:
    sender = f"button-{uuid.uuid4()}"
    (greeting,) = servers.say(sender, "Hello")
    assert {"title": "Venue", "payload": "/ask_venue"} in greeting["buttons"]
    (reply,) = servers.say(sender, "/ask_venue")
    assert variants[reply["text"]] == Variant("answer:venue", "en")


@pytest.mark.slow
def test_conversation_survives_a_restart(
    spare_servers: Servers, variants: dict[str, Variant]
) -> None:
    """On the spare servers: the session's are never restarted under other tests."""
    servers = spare_servers
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
            "SELECT count(*) FROM events WHERE sender_id = ? AND type_name = 'user'",
            (f"rest:{sender}",),
        ).fetchone()
    assert count == 2
