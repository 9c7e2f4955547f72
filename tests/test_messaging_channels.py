"""Telegram and WhatsApp (Twilio) through a real Rasa, replying to local fake APIs."""

from __future__ import annotations

import http.client
import itertools
import json
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest
from twilio.request_validator import RequestValidator

from bot.channels.telegram import message_text, split_text
from tests.conftest import (
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    TWILIO_NUMBER,
    TWILIO_SID,
    TWILIO_TOKEN,
    FakeProviderApis,
    Servers,
    Variant,
)

chat_ids = itertools.count(910_001)
phones = itertools.count(41_790_000_001)
message_sids = itertools.count(1)


def post(url: str, data: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def telegram_update(
    servers: Servers, update: dict[str, Any], secret: str | None = TELEGRAM_SECRET
) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    status, _ = post(
        f"{servers.rasa_url}/webhooks/telegram/webhook", json.dumps(update).encode(), headers
    )
    return status


def text_update(chat_id: int, text: str, language_code: str | None = None) -> dict[str, Any]:
    sender: dict[str, Any] = {"id": chat_id, "is_bot": False, "first_name": "Ada"}
    if language_code:
        sender["language_code"] = language_code
    return {
        "update_id": next(chat_ids),
        "message": {
            "message_id": 1,
            "from": sender,
            "chat": {"id": chat_id, "type": "private"},
            "date": 1445850000,
            "text": text,
        },
    }


def replies_to(apis: FakeProviderApis, chat_id: int) -> list[dict[str, Any]]:
    return apis.sent(api="telegram", method="sendMessage", chat_id=chat_id)


def conversation_events(servers: Servers, sender_id: str) -> int:
    with sqlite3.connect(servers.workdir / "tracker.db") as connection:
        (count,) = connection.execute(
            "SELECT count(*) FROM events WHERE sender_id = ?", (sender_id,)
        ).fetchone()
    return int(count)


@pytest.mark.parametrize(
    ("text", "read_as"),
    [
        ("/start", "/greet"),
        ("/start@CmcAssistantBot", "/greet"),
        ("/help", "/greet"),
        ("/dates", "dates"),
        ("/dates 2015", "dates 2015"),
        ("Quand a lieu la conférence ?", "Quand a lieu la conférence ?"),
        ("", "/unsupported_message"),
        ('/inform_registration{"email": "a@b.c"}', 'inform_registration{"email": "a@b.c"}'),
        ("/", "/unsupported_message"),
    ],
)
def test_telegram_text_and_commands(text: str, read_as: str) -> None:
    assert message_text({"text": text}) == read_as


def test_telegram_non_text_is_flagged() -> None:
    assert message_text({"sticker": {"file_id": "x"}}) == "/unsupported_message"


def test_long_replies_are_split_within_the_limit() -> None:
    text = ("Une phrase assez longue pour remplir. " * 300).strip()
    pieces = split_text(text, 4096)
    assert len(pieces) > 1 and all(len(piece) <= 4096 for piece in pieces)
    assert " ".join(pieces).split() == text.split()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("language_code", "question", "response", "language"),
    [
        ("fr", "Quelles sont les dates de la conférence ?", "answer:dates", "fr"),
        ("en-GB", "When is the conference?", "answer:dates", "en"),
        ("en", "Où se tient la conférence ?", "answer:venue", "fr"),
    ],
)
def test_telegram_round_trip(
    servers: Servers,
    provider_apis: FakeProviderApis,
    variants: dict[str, Variant],
    language_code: str,
    question: str,
    response: str,
    language: str,
) -> None:
    chat_id = next(chat_ids)
    assert telegram_update(servers, text_update(chat_id, question, language_code)) == 200
    replies = replies_to(provider_apis, chat_id)
    assert replies, "the bot sent nothing to the chat"
    assert all(call["token"] == TELEGRAM_TOKEN for call in replies)
    assert [variants[r["text"]] for r in replies] == [Variant(response, language)]


@pytest.mark.slow
def test_telegram_language_code_starts_the_conversation(
    servers: Servers, provider_apis: FakeProviderApis, variants: dict[str, Variant]
) -> None:
    chat_id = next(chat_ids)
    telegram_update(servers, text_update(chat_id, "/start", "en"))
    (greeting,) = replies_to(provider_apis, chat_id)
    assert variants[greeting["text"]] == Variant("utter_greet", "en")
    keyboard = greeting["body"]["reply_markup"]["inline_keyboard"]
    assert [row[0]["callback_data"] for row in keyboard][:1] == ["/ask_dates"]


@pytest.mark.slow
def test_telegram_button_tap_is_answered(
    servers: Servers, provider_apis: FakeProviderApis, variants: dict[str, Variant]
) -> None:
    chat_id = next(chat_ids)
    telegram_update(servers, text_update(chat_id, "/start", "fr"))
    assert telegram_update(servers, button_tap(chat_id, "/ask_venue")) == 200
    _, reply = replies_to(provider_apis, chat_id)
    assert variants[reply["text"]] == Variant("answer:venue", "fr")
    assert provider_apis.sent(api="telegram", method="answerCallbackQuery")


def button_tap(chat_id: int, data: str) -> dict[str, Any]:
    return {
        "update_id": next(chat_ids),
        "callback_query": {
            "id": f"cb-{chat_id}",
            "from": {"id": chat_id, "is_bot": False, "first_name": "Ada", "language_code": "fr"},
            "message": {"message_id": 5, "chat": {"id": chat_id, "type": "private"}},
            "data": data,
        },
    }


@pytest.mark.slow
def test_telegram_a_forged_button_payload_is_read_as_text(
    servers: Servers, provider_apis: FakeProviderApis, variants: dict[str, Variant]
) -> None:
    chat_id = next(chat_ids)
    telegram_update(servers, text_update(chat_id, "/start", "en"))
    telegram_update(servers, button_tap(chat_id, '/greet{"language": "de"}'))
    *_, forged = servers.events(f"telegram:{chat_id}", "user")
    assert forged["text"] == 'greet{"language": "de"}'
    assert all(e["value"] != "de" for e in servers.events(f"telegram:{chat_id}", "slot"))
    telegram_update(servers, text_update(chat_id, "ok"))
    *_, reply = replies_to(provider_apis, chat_id)
    assert reply["text"] in variants  # answered, in French or English


@pytest.mark.slow
def test_telegram_a_retried_update_is_answered_once(
    servers: Servers, provider_apis: FakeProviderApis
) -> None:
    chat_id = next(chat_ids)
    update = text_update(chat_id, "When is the conference?", "en")
    assert telegram_update(servers, update) == 200
    assert telegram_update(servers, update) == 200
    assert len(replies_to(provider_apis, chat_id)) == 1
    assert conversation_events(servers, f"telegram:{chat_id}") > 0


@pytest.mark.slow
def test_telegram_a_text_over_the_limit_gets_a_polite_reply(
    servers: Servers, provider_apis: FakeProviderApis, variants: dict[str, Variant]
) -> None:
    chat_id = next(chat_ids)
    assert telegram_update(servers, text_update(chat_id, "x" * 70_000, "en")) == 413
    assert telegram_update(servers, text_update(chat_id, "Where? " * 600, "en")) == 200
    (reply,) = replies_to(provider_apis, chat_id)
    assert variants[reply["text"]] == Variant("utter_message_too_long", "en")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("content", "response"),
    [
        ({"sticker": {"file_id": "s", "emoji": "👍"}}, "utter_unsupported_message"),
        ({"photo": [{"file_id": "p", "width": 90, "height": 90}]}, "utter_unsupported_message"),
        ({"location": {"latitude": 46.2, "longitude": 6.1}}, "utter_unsupported_message"),
        ({"voice": {"file_id": "v", "duration": 3}}, "utter_unsupported_message"),
        (None, "utter_edited_message"),
    ],
)
def test_telegram_non_text_updates_get_a_polite_reply(
    servers: Servers,
    provider_apis: FakeProviderApis,
    variants: dict[str, Variant],
    content: dict[str, Any] | None,
    response: str,
) -> None:
    chat_id = next(chat_ids)
    telegram_update(servers, text_update(chat_id, "When is the conference?", "en"))
    if content is None:
        update = text_update(chat_id, "Where is the conference?")
        update["edited_message"] = update.pop("message")
    else:
        update = text_update(chat_id, "")
        del update["message"]["text"]
        update["message"].update(content)
    assert telegram_update(servers, update) == 200
    *_, reply = replies_to(provider_apis, chat_id)
    assert variants[reply["text"]] == Variant(response, "en")


@pytest.mark.slow
@pytest.mark.parametrize(("secret", "status"), [(None, 401), ("wrong", 403), ("", 401)])
def test_telegram_refuses_a_wrong_or_missing_secret(
    servers: Servers, provider_apis: FakeProviderApis, secret: str | None, status: int
) -> None:
    chat_id = next(chat_ids)
    assert telegram_update(servers, text_update(chat_id, "Bonjour", "fr"), secret) == status
    assert replies_to(provider_apis, chat_id) == []
    assert conversation_events(servers, f"telegram:{chat_id}") == 0


@pytest.mark.slow
def test_telegram_refuses_a_non_ascii_secret(servers: Servers) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", servers.rasa_port, timeout=30)
    connection.putrequest("POST", "/webhooks/telegram/webhook")
    connection.putheader("Content-Type", "application/json")
    connection.putheader("X-Telegram-Bot-Api-Secret-Token", "s\xe9cret".encode("latin-1"))
    body = json.dumps(text_update(next(chat_ids), "Bonjour")).encode()
    connection.putheader("Content-Length", str(len(body)))
    connection.endheaders(body)
    assert connection.getresponse().status == 403


@pytest.mark.slow
@pytest.mark.parametrize(
    "update",
    [
        {"update_id": 1, "message": {"chat": "x", "text": "hi"}},
        {"update_id": 2, "message": {"chat": {"id": True}, "text": "hi"}},
        {"update_id": 3, "callback_query": {"message": [], "data": "/ask_dates"}},
        {"update_id": 4, "my_chat_member": {"chat": {"id": 5}}},
    ],
)
def test_telegram_malformed_updates_are_ignored(servers: Servers, update: dict[str, Any]) -> None:
    assert telegram_update(servers, update) == 200


@pytest.mark.slow
@pytest.mark.parametrize("host", ["x:abc", "x:99999", "[x"])
def test_whatsapp_bad_host_header_is_refused_not_an_error(servers: Servers, host: str) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", servers.rasa_port, timeout=30)
    body = urllib.parse.urlencode(whatsapp_form("whatsapp:+41790000000", "Bonjour")).encode()
    connection.request(
        "POST",
        "/webhooks/twilio/webhook",
        body=body,
        headers={
            "Host": host,
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": "c2ln",
        },
    )
    assert connection.getresponse().status == 403


@pytest.mark.slow
@pytest.mark.parametrize(
    "body", [b"not json", b"[1, 2]", b"{}", b'{"update_id": "1"}', b'{"update_id": true}']
)
def test_telegram_bad_bodies_are_a_clear_400(servers: Servers, body: bytes) -> None:
    status, reply = post(
        f"{servers.rasa_url}/webhooks/telegram/webhook",
        body,
        {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
    )
    assert (status, json.loads(reply)) == (400, {"error": "body"})


def twilio_post(
    servers: Servers, form: dict[str, str], signature: str | None = None
) -> tuple[int, bytes]:
    url = f"{servers.rasa_url}/webhooks/twilio/webhook"
    if signature is None:
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, form)
    return post(
        url,
        urllib.parse.urlencode(form).encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
    )


def whatsapp_form(phone: str, body: str, **extra: str) -> dict[str, str]:
    return {
        "MessageSid": f"SM{next(message_sids):032d}",
        "AccountSid": TWILIO_SID,
        "From": phone,
        "To": TWILIO_NUMBER,
        "Body": body,
        "NumMedia": "0",
        "ProfileName": "Ada",
        **extra,
    }


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "response", "language"),
    [
        ("Qui est invité à la conférence ?", "answer:invitees", "fr"),
        ("Who is invited to the conference?", "answer:invitees", "en"),
    ],
)
def test_whatsapp_round_trip(
    servers: Servers,
    provider_apis: FakeProviderApis,
    variants: dict[str, Variant],
    question: str,
    response: str,
    language: str,
) -> None:
    phone = f"whatsapp:+{next(phones)}"
    status, body = twilio_post(servers, whatsapp_form(phone, question))
    assert status == 200 and b"<Response>" in body
    (reply,) = provider_apis.sent(api="twilio", to=phone)
    assert reply["from"] == TWILIO_NUMBER and reply["account"] == TWILIO_SID
    assert reply["authorization"].startswith("Basic ")
    assert variants[reply["text"]] == Variant(response, language)


@pytest.mark.slow
def test_whatsapp_media_gets_a_polite_reply(
    servers: Servers, provider_apis: FakeProviderApis, variants: dict[str, Variant]
) -> None:
    phone = f"whatsapp:+{next(phones)}"
    twilio_post(servers, whatsapp_form(phone, "When is the conference?"))
    form = whatsapp_form(phone, "", NumMedia="1", MediaContentType0="image/jpeg")
    status, _ = twilio_post(servers, form)
    assert status == 200
    *_, reply = provider_apis.sent(api="twilio", to=phone)
    assert variants[reply["text"]] == Variant("utter_unsupported_message", "en")


@pytest.mark.slow
def test_whatsapp_quick_replies_become_a_list(
    servers: Servers, provider_apis: FakeProviderApis
) -> None:
    phone = f"whatsapp:+{next(phones)}"
    twilio_post(servers, whatsapp_form(phone, "Hello"))
    (reply,) = provider_apis.sent(api="twilio", to=phone)
    assert "\n• Dates\n" in reply["text"]


@pytest.mark.slow
@pytest.mark.parametrize("signature", ["", "bm90IGEgc2lnbmF0dXJl", "tampered"])
def test_whatsapp_refuses_a_bad_signature(
    servers: Servers, provider_apis: FakeProviderApis, signature: str
) -> None:
    phone = f"whatsapp:+{next(phones)}"
    form = whatsapp_form(phone, "Bonjour")
    if signature == "tampered":
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(
            f"{servers.rasa_url}/webhooks/twilio/webhook", {**form, "Body": "autre"}
        )
    status, _ = twilio_post(servers, form, signature)
    assert status == 403
    assert provider_apis.sent(api="twilio", to=phone) == []
    assert conversation_events(servers, phone) == 0


@pytest.mark.slow
def test_whatsapp_a_retried_request_is_answered_once(
    servers: Servers, provider_apis: FakeProviderApis
) -> None:
    phone = f"whatsapp:+{next(phones)}"
    form = whatsapp_form(phone, "When is the conference?")
    assert twilio_post(servers, form)[0] == 200
    assert twilio_post(servers, form)[0] == 200
    assert len(provider_apis.sent(api="twilio", to=phone)) == 1


@pytest.mark.slow
def test_whatsapp_a_request_without_message_sid_is_refused(
    servers: Servers, provider_apis: FakeProviderApis
) -> None:
    phone = f"whatsapp:+{next(phones)}"
    form = whatsapp_form(phone, "Bonjour")
    del form["MessageSid"]
    assert twilio_post(servers, form)[0] == 400
    assert provider_apis.sent(api="twilio", to=phone) == []


@pytest.mark.slow
def test_rest_cannot_reach_a_whatsapp_or_telegram_conversation(
    servers: Servers, provider_apis: FakeProviderApis
) -> None:
    phone, chat_id = f"whatsapp:+{next(phones)}", next(chat_ids)
    twilio_post(servers, whatsapp_form(phone, "Is my registration confirmed?"))
    telegram_update(servers, text_update(chat_id, "Is my registration confirmed?", "en"))
    whatsapp_before = conversation_events(servers, phone)
    telegram_before = conversation_events(servers, f"telegram:{chat_id}")
    for sender in (phone, f"telegram:{chat_id}", str(chat_id)):
        servers.say(sender, "CMC-2015-0001 a.diallo@gouv.sn")
    assert conversation_events(servers, phone) == whatsapp_before
    assert conversation_events(servers, f"telegram:{chat_id}") == telegram_before
    assert conversation_events(servers, f"rest:{phone}") > 0
