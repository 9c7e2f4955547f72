"""Fuzzing every way in (REST, socket.io, Telegram, Twilio, the page's /health) against
the real servers: whatever arrives, never a 5xx, a hang or a lost conversation.

Bounded and repeatable: a fixed number of examples per entry point, derandomized, so
that CI runs the same inputs each time, in well under a minute."""

from __future__ import annotations

import contextlib
import http.client
import itertools
import json
import queue
import re
import urllib.parse
import uuid
from typing import Any

import pytest
import socketio
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from bot.channels.socketio import TURN_END
from bot.channels.web_sessions import SessionSigner
from tests.conftest import (
    TELEGRAM_SECRET,
    TWILIO_TOKEN,
    FakeProviderApis,
    Servers,
    Variant,
    WebPage,
)

try:  # the parser Sanic reads request bodies with
    from ujson import loads as server_loads
except ImportError:  # pragma: no cover - Sanic falls back to the standard library
    from json import loads as server_loads

pytestmark = [
    pytest.mark.slow,
    # Examples of 10 KB strings have long reprs; hypothesis warns, and prints them whole.
    pytest.mark.filterwarnings(
        "ignore:Generating overly large repr:hypothesis.errors.HypothesisWarning"
    ),
]

MAX_BODY_BYTES = 64 * 1024  # bot.channels.common.MAX_BODY_BYTES, restated
MAX_SENDER_CHARS = 200


def fuzz(examples: int) -> Any:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


def request(
    port: int, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    """One HTTP request on loopback, headers exactly as given (http.client adds only
    Host, unless given, and Content-Length)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        # Refused before the whole body was sent: the answer is still there to read.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            connection.request(method, path, body=body or None, headers=headers or {})
        reply = connection.getresponse()
        return reply.status, reply.read()
    finally:
        connection.close()


# --- values -------------------------------------------------------------------------

# Lone surrogates, and a pair that only the JSON parser joins into one character.
SURROGATES = st.sampled_from(["\ud800", "\udfff", "\udc00\udbff", "a\udc80b", "\udbff\udc00"])
LONG = st.builds(
    lambda piece, n: (piece * n)[:10_000], st.text(min_size=1, max_size=8), st.integers(0, 10_000)
)
TEXTS = st.one_of(
    st.text(max_size=40),
    st.lists(st.one_of(st.characters(), SURROGATES), max_size=12).map("".join),
    LONG,
    st.sampled_from(
        [
            "",
            " ",
            "/",
            "When is the conference?",
            "Quelles sont les dates ?",
            "/ask_dates",
            '/greet{"language": "de"}',
            '/switch_language{"language": "en"}',
            "CMC-2015-0001 a.diallo@gouv.sn",
            "\x00",
            "x" * 4097,
        ]
    ),
)
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),  # unbounded: some do not fit 64 bits
    st.floats(),  # NaN and ±Infinity go out as raw JSON text (json.dumps allows them)
    TEXTS,
)
KEYS = st.one_of(
    st.text(max_size=10),
    st.sampled_from(["sender", "message", "metadata", "language", "quick_reply_title"]),
)
JSON = st.recursive(
    LEAVES,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=12,
)
METADATA = st.one_of(
    JSON,
    st.fixed_dictionaries(
        {},
        optional={
            "language": st.one_of(st.sampled_from(["fr", "en", "de", "", "x" * 36]), JSON),
            "quick_reply_title": st.one_of(TEXTS, JSON),
            "nested": JSON,
        },
    ),
)
# Senders: mostly strings (whose conversation the test looks up), some not.
SENDERS = st.one_of(
    st.text(min_size=1, max_size=30).map(lambda s: f"fz-{s}"),
    st.sampled_from(["", " ", "s" * MAX_SENDER_CHARS, "s" * (MAX_SENDER_CHARS + 1)]),
    st.lists(st.one_of(st.characters(), SURROGATES), min_size=1, max_size=8).map("".join),
    JSON,
)


def deeply_nested(depth: int, kind: str) -> str:
    if kind == "list":
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "1" + "}" * depth


# --- REST -----------------------------------------------------------------------------


@st.composite
def rest_bodies(draw: st.DrawFn) -> tuple[bytes, Any]:
    """(the raw body, the JSON value it encodes or None)."""
    shape = draw(st.sampled_from(["valid", "valid", "valid", "fields", "json", "bytes", "deep"]))
    if shape == "bytes":
        return draw(st.binary(max_size=2_000)), None
    if shape == "deep":
        depth = draw(st.integers(1, 40_000))  # past 64 KB the body is refused unread
        kind = draw(st.sampled_from(["list", "dict"]))
        nested = deeply_nested(depth, kind)
        sender = f"fz-deep-{uuid.uuid4().hex[:8]}"
        raw = f'{{"sender": "{sender}", "message": "hi", "metadata": {nested}}}'
        return raw.encode(), {"sender": sender, "message": "hi", "metadata": kind}
    if shape == "json":
        value = draw(JSON)
    elif shape == "valid":  # the fields' types right, their contents anything
        value = draw(
            st.fixed_dictionaries(
                {"sender": st.text(max_size=30).map(lambda s: f"fz-{s}"), "message": TEXTS},
                optional={"metadata": METADATA, "extra": JSON},
            )
        )
    else:
        value = draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "sender": SENDERS,
                    "message": st.one_of(TEXTS, TEXTS, JSON),
                    "metadata": METADATA,
                    "extra": JSON,
                },
            )
        )
    raw = json.dumps(value, ensure_ascii=draw(st.booleans()))
    # ensure_ascii=False writes lone surrogates as they are: not valid UTF-8.
    return raw.encode("utf-8", "surrogatepass"), value


class KnownReplies:
    """Every text the bot can send: a response of the domain as written or one of its
    paragraphs (channels send each as a message), its slots ({full_name}...) filled,
    or an answer composed of the fact base's sentences."""

    def __init__(self, variants: dict[str, Variant]) -> None:
        self.variants = variants
        self.texts = {piece for text in variants for piece in (text, *text.split("\n\n"))}
        self.templates = [
            re.compile(re.sub(r"\\\{\w+\\\}", ".+", re.escape(text)), re.DOTALL)
            for text in self.texts
            if re.search(r"\{\w+\}", text)
        ]

    def __contains__(self, text: object) -> bool:
        return text in self.texts or (
            isinstance(text, str)
            and (any(t.fullmatch(text) for t in self.templates) or text in self.variants)
        )


@pytest.fixture(scope="module")
def known(variants: dict[str, Variant]) -> KnownReplies:
    return KnownReplies(variants)


def has_surrogates(text: str) -> bool:
    return any(0xD800 <= ord(c) <= 0xDFFF for c in text)


def expected_rest_status(raw: bytes) -> int:
    """The REST contract, restated: 413 over the size limit; 400 unless the body is a
    JSON object with a string `message`, a non-empty `sender` string of at most 200
    characters and no lone surrogate, and `metadata` null or an object; else 200."""
    if len(raw) > MAX_BODY_BYTES:
        return 413
    try:
        body = server_loads(raw)
    except Exception:  # noqa: BLE001 - whatever the parser refuses
        return 400
    if not isinstance(body, dict) or not isinstance(body.get("message"), str):
        return 400
    sender = body.get("sender")
    if not isinstance(sender, str) or not sender or len(sender) > MAX_SENDER_CHARS:
        return 400
    if has_surrogates(sender):
        return 400
    if body.get("metadata") is not None and not isinstance(body["metadata"], dict):
        return 400
    return 200


def stored_user_events(servers: Servers, sender: Any) -> int | None:
    """How many user messages the REST conversation of `sender` holds (None when
    `sender` cannot name one)."""
    if not isinstance(sender, str) or has_surrogates(sender):
        return None
    return len(servers.events(f"rest:{sender}", "user"))


@fuzz(80)
@given(body=rest_bodies())
def test_rest_webhook(servers: Servers, known: KnownReplies, body: Any) -> None:
    raw, value = body
    sender = value.get("sender") if isinstance(value, dict) else None
    before = stored_user_events(servers, sender)
    status, reply = request(
        servers.rasa_port,
        "POST",
        "/webhooks/rest/webhook",
        raw,
        {"Content-Type": "application/json"},
    )
    event(f"status {status}")
    assert status < 500, (status, reply[:500])
    assert status == expected_rest_status(raw), (status, reply[:500])
    after = stored_user_events(servers, sender)
    if status == 200:
        messages = json.loads(reply)
        assert isinstance(messages, list) and messages
        for message in messages:
            assert message["recipient_id"] == sender
            assert message.get("text") in known, message
        if before is not None:
            assert after == before + 1, "the turn was answered but not stored"
    else:
        assert json.loads(reply)["error"]
        if before is not None:
            assert after == before, "a refused request was stored"


# --- socket.io --------------------------------------------------------------------------

TOKEN = "<the session id>"  # replaced by the session id the server confirmed
SESSION_IDS = st.one_of(
    st.just(TOKEN),
    st.just(TOKEN),
    JSON,
    st.sampled_from(["0" * 32, "0" * 32 + ".9999999999." + "0" * 64, "a.b.c"]),
)
SOCKET_VALUES = st.one_of(JSON, st.binary(max_size=200))
SOCKET_DATA = st.one_of(
    SOCKET_VALUES,
    st.fixed_dictionaries(
        {},
        optional={
            "session_id": SESSION_IDS,
            "message": st.one_of(TEXTS, TEXTS, SOCKET_VALUES),
            "metadata": METADATA,
            "customData": METADATA,
        },
    ),
)
MESSAGE_DATA = st.one_of(
    SOCKET_DATA,
    st.fixed_dictionaries(  # what the page sends, contents fuzzed
        {"session_id": st.just(TOKEN), "message": TEXTS},
        optional={"metadata": METADATA, "customData": METADATA},
    ),
)


def packet_size(data: Any) -> int:
    """About the size of a socket.io packet carrying `data`."""
    return len(json.dumps(data, default=lambda b: "x" * (2 * len(b))))


def with_token(data: Any, token: str) -> Any:
    if isinstance(data, dict) and data.get("session_id") == TOKEN:
        return {**data, "session_id": token}
    return data


class FuzzClient:
    """A chat client (websocket, the page's origin) that records what the server
    sends; `call` waits for the server's handler to finish (its acknowledgement) and
    for what it sent to be recorded."""

    def __init__(self, servers: Servers) -> None:
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()
        origin = f"http://localhost:{servers.web_port}"
        self.sio = socketio.Client(websocket_extra_options={"origin": origin})
        names = ("history", "session_confirm", "bot_uttered", "input_error", TURN_END)
        for name in (*names, "disconnect"):
            self.sio.on(name, self._recorder(name))
        self.sio.connect(servers.rasa_url, socketio_path="/socket.io", transports=["websocket"])
        self.token = ""  # the session id last confirmed

    def _recorder(self, name: str) -> Any:
        return lambda *data: self.events.put((name, data[0] if data else None))

    def call(self, event: str, data: Any) -> list[tuple[str, Any]]:
        """Emit, wait for the handler to return, then for what it sent: `history` and
        `session_confirm` for a session; for a message, an `input_error`, or a
        `turn_end` (left out) and the `bot_uttered` it counts. The client records each
        packet in a thread of its own, so the ack can come first."""
        self.sio.call(event, data, timeout=60)
        sent: list[tuple[str, Any]] = []
        turn_end: list[Any] = []
        while not complete(event, [name for name, _ in sent], turn_end):
            name, value = self.events.get(timeout=60)
            if name == TURN_END:
                turn_end.append(value)
            else:
                sent.append((name, value))
        assert turn_end in ([], [{"messages": len(sent)}]), (turn_end, sent)
        return sent


def complete(event: str, names: list[str], turn_end: list[Any]) -> bool:
    """Whether the server's answer to `event` is all recorded (see FuzzClient.call)."""
    if event == "session_request":
        return {"history", "session_confirm"} <= set(names)
    if turn_end:
        return len(names) >= int(turn_end[0]["messages"])
    return "input_error" in names


@pytest.fixture(scope="module")
def chat(servers: Servers) -> Any:
    client = FuzzClient(servers)
    yield client
    client.sio.disconnect()


@fuzz(40)
@given(request_data=SOCKET_DATA, message_data=MESSAGE_DATA)
def test_socketio_events(
    chat: FuzzClient,
    known: KnownReplies,
    variants: dict[str, Variant],
    request_data: Any,
    message_data: Any,
) -> None:
    # A packet over the 64 KB limit closes the connection (engine.io's
    # max_http_buffer_size), with no reply: not what is fuzzed here.
    assume(packet_size(request_data) + packet_size(message_data) < 60_000)
    signer = SessionSigner(b"test-only-session-secret")
    request_data = with_token(request_data, chat.token)  # sometimes resumes the last one
    sent = chat.call("session_request", request_data)
    assert [name for name, _ in sent] == ["history", "session_confirm"], sent
    token = chat.token = sent[1][1]
    assert signer.conversation(token), token
    if isinstance(request_data, dict) and request_data.get("session_id") == chat.token:
        assert token == request_data["session_id"]

    data = with_token(message_data, token)
    sent = chat.call("user_uttered", data)
    names = [name for name, _ in sent]
    event(f"user_uttered answered with {sorted(set(names))}")
    if not isinstance(data, dict) or data.get("session_id") != token:
        assert names == ["input_error"] and sent[0][1]["error"] == "session", sent
    elif not isinstance(data.get("message"), str):
        assert names == ["input_error"] and sent[0][1]["error"] == "message", sent
    else:
        assert names and set(names) == {"bot_uttered"}, sent
        assert all(reply.get("text") in known for _, reply in sent), sent

    # The connection still converses.
    sent = chat.call("user_uttered", {"message": "dates?", "session_id": token})
    assert {name for name, _ in sent} == {"bot_uttered"}, sent
    assert "answer:dates" in [variants[reply["text"]].response for _, reply in sent], sent
    assert chat.sio.connected


# --- Telegram ---------------------------------------------------------------------------

# Ids new to the server (an update_id seen before is a retry, answered without a turn).
delivery_ids = itertools.count(10**12)
FRESH_IDS = st.integers(0, 2**20).map(lambda n: n * 2**32 + next(delivery_ids))
CHAT_IDS = st.one_of(st.integers(-(2**63), 2**63 - 1), JSON)
CHATS = st.one_of(st.fixed_dictionaries({"id": CHAT_IDS}), JSON)
TELEGRAM_MESSAGES = st.fixed_dictionaries(
    {},
    optional={
        "message_id": JSON,
        "chat": CHATS,
        "from": st.one_of(
            st.fixed_dictionaries(
                {}, optional={"id": JSON, "language_code": st.one_of(TEXTS, JSON)}
            ),
            JSON,
        ),
        "text": st.one_of(TEXTS, JSON),
        "sticker": JSON,
    },
)
TEXT_MESSAGES = st.fixed_dictionaries(  # what a person writing sends, contents fuzzed
    {"chat": st.fixed_dictionaries({"id": st.integers(-(2**63), 2**63 - 1)}), "text": TEXTS},
    optional={"from": st.fixed_dictionaries({"language_code": st.one_of(TEXTS, JSON)})},
)
UPDATES = st.fixed_dictionaries(
    {"update_id": st.one_of(FRESH_IDS, FRESH_IDS, st.integers(-(2**70), 2**70), JSON)},
    optional={
        "message": st.one_of(TEXT_MESSAGES, TEXT_MESSAGES, TELEGRAM_MESSAGES, JSON),
        "edited_message": TELEGRAM_MESSAGES,
        "callback_query": st.one_of(
            st.fixed_dictionaries(
                {},
                optional={
                    "id": JSON,
                    "data": st.one_of(TEXTS, JSON),
                    "message": st.one_of(TELEGRAM_MESSAGES, JSON),
                    "from": JSON,
                },
            ),
            JSON,
        ),
        "my_chat_member": JSON,
    },
)


@st.composite
def telegram_bodies(draw: st.DrawFn) -> bytes:
    shape = draw(st.sampled_from(["update", "update", "update", "update", "json", "bytes"]))
    if shape == "bytes":
        return draw(st.binary(max_size=2_000))
    value = draw(UPDATES if shape == "update" else JSON)
    raw = json.dumps(value, ensure_ascii=draw(st.booleans()))
    return raw.encode("utf-8", "surrogatepass")


def expected_telegram_status(raw: bytes) -> int:
    """413 over the size limit; 400 unless a JSON object with an int `update_id`."""
    if len(raw) > MAX_BODY_BYTES:
        return 413
    try:
        update = server_loads(raw)
    except Exception:  # noqa: BLE001 - whatever the parser refuses
        return 400
    update_id = update.get("update_id") if isinstance(update, dict) else None
    return 200 if isinstance(update_id, int) and not isinstance(update_id, bool) else 400


seen_update_ids: set[int] = set()


def telegram_chat(body: bytes) -> int | None:
    """The chat a person wrote from, when the update is a new message from a chat
    (which must get an answer); else None. Any update_id the server may have taken
    counts as seen: a second update with it is a retry, answered without a turn."""
    try:
        update = json.loads(body)
    except ValueError:
        return None
    update_id = update.get("update_id") if isinstance(update, dict) else None
    if type(update_id) is not int or update_id in seen_update_ids:
        return None
    seen_update_ids.add(update_id)
    if "callback_query" in update or not -(2**63) <= update_id < 2**64:
        return None
    message = update.get("message")
    chat = message.get("chat") if isinstance(message, dict) else None
    chat_id = chat.get("id") if isinstance(chat, dict) else None
    return chat_id if type(chat_id) is int else None


@fuzz(60)
@given(body=telegram_bodies())
def test_telegram_webhook(
    servers: Servers, provider_apis: FakeProviderApis, known: KnownReplies, body: bytes
) -> None:
    chat_id = telegram_chat(body)
    before = len(provider_apis.sent(api="telegram", method="sendMessage", chat_id=chat_id))
    status, reply = request(
        servers.rasa_port,
        "POST",
        "/webhooks/telegram/webhook",
        body,
        {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
    )
    event(f"status {status}")
    assert status == expected_telegram_status(body), (status, reply[:500])
    if chat_id is not None:
        answers = provider_apis.sent(api="telegram", method="sendMessage", chat_id=chat_id)
        event("a person's message: answered")
        assert len(answers) > before, "a person's message got no answer"
        assert all(a["text"] in known for a in answers[before:]), answers


# --- Twilio -----------------------------------------------------------------------------

FORM_TEXT = st.text(max_size=40)  # form fields are text: no lone surrogates
FORM_FIELDS = {
    "MessageSid": st.one_of(st.just(""), FORM_TEXT.map(lambda s: f"SM{s}"), st.text(max_size=90)),
    "From": st.one_of(
        st.just(""),
        st.just("whatsapp:"),
        FORM_TEXT.map(lambda s: f"whatsapp:+{s}"),
        st.just("whatsapp:+" + "1" * (MAX_SENDER_CHARS - 1)),
        st.just("whatsapp:+" + "1" * MAX_SENDER_CHARS),
    ),
    "To": FORM_TEXT,
    "Body": st.one_of(FORM_TEXT, st.sampled_from(["Bonjour", "/ask_dates", "x" * 4097])),
    "NumMedia": FORM_TEXT,
    "MediaContentType0": FORM_TEXT,
    "ProfileName": FORM_TEXT,
}
FORMS = st.one_of(
    st.fixed_dictionaries({}, optional=FORM_FIELDS),
    st.fixed_dictionaries(  # what Twilio sends, contents fuzzed
        {
            "MessageSid": FRESH_IDS.map(lambda n: f"SM{n:032x}"),
            "From": FORM_TEXT.map(lambda s: f"whatsapp:+{s}"),
            "Body": FORM_FIELDS["Body"],
        },
        optional={k: v for k, v in FORM_FIELDS.items() if k not in ("MessageSid", "From", "Body")},
    ),
).flatmap(
    lambda known: st.dictionaries(FORM_TEXT, FORM_TEXT, max_size=4).map(
        lambda extra: {**extra, **known}
    )
)


def expected_twilio_status(form: dict[str, str]) -> int:
    number = form.get("From", "").removeprefix("whatsapp:")
    if not number or len(number) > MAX_SENDER_CHARS or not form.get("MessageSid"):
        return 400
    return 200


seen_message_sids: set[str] = set()


@fuzz(50)
@given(form=FORMS)
def test_twilio_webhook(
    servers: Servers,
    provider_apis: FakeProviderApis,
    known: KnownReplies,
    form: dict[str, str],
) -> None:
    expected = expected_twilio_status(form)
    new = expected == 200 and form["MessageSid"] not in seen_message_sids
    seen_message_sids.add(form.get("MessageSid", ""))
    number = form.get("From", "").removeprefix("whatsapp:")
    before = len(provider_apis.sent(api="twilio", to=f"whatsapp:{number}"))
    url = f"{servers.rasa_url}/webhooks/twilio/webhook"
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, form)
    status, reply = request(
        servers.rasa_port,
        "POST",
        "/webhooks/twilio/webhook",
        urllib.parse.urlencode(form).encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
    )
    event(f"status {status}")
    assert status < 500, (status, reply[:500])
    assert status == expected, (status, reply[:500])
    if new:
        answers = provider_apis.sent(api="twilio", to=f"whatsapp:{number}")
        event("a person's message: answered")
        assert len(answers) > before, "a person's message got no answer"
        # WhatsApp has no buttons: their titles are listed after the text.
        texts = [a["text"].split("\n\n•")[0] for a in answers[before:]]
        assert all(t in known for t in texts), answers[before:]


# --- the page's /health -------------------------------------------------------------------

HEADER_NAMES = st.one_of(
    st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,20}", fullmatch=True),
    st.sampled_from(
        ["Accept-Language", "Cookie", "Host", "Accept", "X-Forwarded-For", "Authorization"]
    ),
).filter(
    lambda name: (
        name.lower()
        not in {"content-length", "transfer-encoding", "connection", "expect", "upgrade", "te"}
    )
)
# Header values as they travel: Latin-1, no line breaks.
HEADER_VALUES = st.one_of(
    st.text(
        st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"),
        max_size=100,
    ),
    st.sampled_from(
        ["cmc_lang=en", "cmc_lang=\x22", "fr;q=NaN, en;q=2", "*;q=-1", "", "localhost:0"]
    ),
)
# Within aiohttp's 8 KB request line (a longer one is refused with 400, see below).
QUERIES = st.one_of(
    st.dictionaries(st.text(max_size=40), st.text(max_size=40), max_size=4).map(
        urllib.parse.urlencode
    ),
    st.text(
        st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="#"), max_size=200
    ),
)


@fuzz(40)
@given(query=QUERIES, headers=st.dictionaries(HEADER_NAMES, HEADER_VALUES, max_size=5))
def test_page_health(web_page: WebPage, query: str, headers: dict[str, str]) -> None:
    port = int(urllib.parse.urlsplit(web_page.url).port or 80)
    status, reply = request(port, "GET", f"/health?{query}", headers=headers)
    event(f"status {status}")
    # The servers are up: whatever the query and headers, every part is reported up.
    assert status == 200, (status, reply[:500])
    assert json.loads(reply)["status"] == "ok"


def test_page_health_refuses_an_overlong_request_line(web_page: WebPage) -> None:
    port = int(urllib.parse.urlsplit(web_page.url).port or 80)
    status, _ = request(port, "GET", "/health?" + "q" * 9_000)
    assert status == 400  # aiohttp's limit of 8190 bytes, not an error of the page


# --- afterwards ---------------------------------------------------------------------------


def test_the_assistant_still_answers(servers: Servers, variants: dict[str, Variant]) -> None:
    replies = servers.say(f"after-fuzz-{uuid.uuid4().hex}", "Quelles sont les dates ?")
    assert [variants[reply["text"]] for reply in replies] == [Variant("answer:dates", "fr")]
