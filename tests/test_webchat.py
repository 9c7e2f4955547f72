"""rasa-webchat, the usual Rasa widget, against our socket.io channel in Debian's headless
chromium: the widget's own socket.io client (polling first, then a websocket) must
open a session and converse in both languages. `make webchat` installs the widget."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from bot.channels.web_sessions import SessionSigner
from tests.conftest import ROOT, Servers, Variant

pytestmark = pytest.mark.slow

# The package's browser bundle: UMD, sets window.WebChat (React and socket.io-client
# 3 inside).
BUNDLE = ROOT / "var" / "npm" / "node_modules" / "rasa-webchat" / "lib" / "index.js"

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>rasa-webchat</title></head>
<body>
<div id="webchat"></div>
<script src="/rasa-webchat.js"></script>
<script>
  window.socketEvents = [];
  function record(name) {
    return function (data) {
      window.socketEvents.push([name, data === undefined ? null : data]);
    };
  }
  // session_confirm is not in onSocketEvent: the widget's own handler there (which
  // shows the widget) would be replaced. Listen on the socket itself instead.
  function connected() {
    if (!window.chatSocket) {
      window.chatSocket = this;
      this.on("session_confirm", record("session_confirm"));
    }
    record("connect")();
  }
  WebChat.default({
    socketUrl: %(socket_url)s,
    socketPath: "/socket.io/",
    initPayload: "/greet",
    customData: { language: "en" },
    title: "CMC Assistant",
    params: { storage: "session" },
    customMessageDelay: function () { return 0; },
    onSocketEvent: {
      connect: connected,
      bot_uttered: record("bot_uttered"),
      input_error: record("input_error"),
      turn_end: record("turn_end"),
      disconnect: record("disconnect"),
    },
  }, document.getElementById("webchat"));
</script>
</body></html>
"""


class WebchatPage:
    """A static page on 127.0.0.1:<webchat_port> (an allowed origin of the chat socket,
    see Servers.env) embedding the bundle from var/npm."""

    def __init__(self, servers: Servers) -> None:
        page = (PAGE % {"socket_url": json.dumps(servers.rasa_url)}).encode()
        bundle = BUNDLE.read_bytes()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                files = {
                    "/": (page, "text/html; charset=utf-8"),
                    "/rasa-webchat.js": (bundle, "text/javascript; charset=utf-8"),
                    # Same origin, no widget: where the test clears the widget's storage.
                    "/blank": (b"<!doctype html><title>blank</title>", "text/html"),
                }
                body, kind = files.get(self.path, (b"not found", "text/plain"))
                self.send_response(200 if self.path in files else 404)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.origin = f"http://127.0.0.1:{servers.webchat_port}"
        self.server = ThreadingHTTPServer(("127.0.0.1", servers.webchat_port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> WebchatPage:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


@pytest.fixture(scope="module")
def webchat_page(servers: Servers) -> Iterator[WebchatPage]:
    assert BUNDLE.is_file(), "rasa-webchat is not installed: `make webchat` (make test does it)"
    with WebchatPage(servers) as page:
        yield page


def socket_events(browser: webdriver.Chrome, name: str) -> list[Any]:
    events: Any = browser.execute_script("return window.socketEvents || []")
    return [data for event, data in events if event == name]


def bot_texts(browser: webdriver.Chrome) -> list[str]:
    """The bot's messages as the widget shows them."""
    return [
        element.text
        for element in browser.find_elements(By.CSS_SELECTOR, ".rw-messages-container .rw-response")
    ]


def open_widget(browser: webdriver.Chrome, page: WebchatPage) -> str:
    """Load the page, wait for the session, click the launcher; returns the session id."""
    browser.get(f"{page.origin}/blank")
    browser.execute_script("window.sessionStorage.clear(); window.localStorage.clear()")
    browser.get(f"{page.origin}/")
    WebDriverWait(browser, 30).until(lambda b: socket_events(b, "session_confirm"))
    (confirmed,) = socket_events(browser, "session_confirm")
    WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".rw-launcher"))
    browser.find_element(By.CSS_SELECTOR, ".rw-launcher").click()
    WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".rw-new-message"))
    return str(confirmed)


def ask(browser: webdriver.Chrome, text: str) -> list[str]:
    """Type a question and press Enter; returns the bot messages the turn added (the
    widget shows each bot_uttered as one message)."""
    before = len(socket_events(browser, "bot_uttered"))
    turns = len(socket_events(browser, "turn_end"))
    field = browser.find_element(By.CSS_SELECTOR, ".rw-new-message")
    field.send_keys(text)
    field.send_keys(Keys.ENTER)
    # The server says when the turn is over (bot/channels/socketio.py), and how many
    # messages it sent.
    WebDriverWait(browser, 30).until(lambda b: len(socket_events(b, "turn_end")) > turns)
    (end,) = socket_events(browser, "turn_end")[turns:]
    new = [m.get("text", "") for m in socket_events(browser, "bot_uttered")[before:]]
    assert len(new) == end["messages"], (new, end)
    WebDriverWait(browser, 10).until(lambda b: bot_texts(b)[-len(new) :] == new)
    return new


def test_the_socket_accepts_a_polling_handshake(
    servers: Servers, webchat_page: WebchatPage
) -> None:
    """The original bug: rasa-webchat's socket.io client starts with long-polling, and
    the server answered 400 "Invalid transport". Polling must work, upgrading to a
    websocket, from an allowed origin only."""
    url = f"{servers.rasa_url}/socket.io/?EIO=4&transport=polling"
    request = urllib.request.Request(url, headers={"Origin": webchat_page.origin})
    with urllib.request.urlopen(request, timeout=10) as reply:
        assert reply.status == 200
        assert reply.headers["Access-Control-Allow-Origin"] == webchat_page.origin
        body = reply.read().decode()
    assert body.startswith("0"), body  # an engine.io "open" packet
    handshake = json.loads(body[1:])
    assert handshake["sid"] and handshake["upgrades"] == ["websocket"]
    refused = urllib.request.Request(url, headers={"Origin": "http://evil.example"})
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(refused, timeout=10)
    assert error.value.code == 400


def test_rasa_webchat_converses_in_english_and_french(
    servers: Servers,
    webchat_page: WebchatPage,
    browser: webdriver.Chrome,
    variants: dict[str, Variant],
) -> None:
    session_id = open_widget(browser, webchat_page)
    conversation = SessionSigner(b"test-only-session-secret").conversation(session_id)
    assert conversation, f"session_confirm sent {session_id!r}, not a signed session id"
    # The widget's socket.io client started with long-polling, then upgraded.
    polled: Any = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(n => n.includes('/socket.io/') && n.includes('transport=polling'))"
    )
    assert polled, "the widget never used the polling transport"
    WebDriverWait(browser, 10).until(
        lambda b: (
            b.execute_script("return window.chatSocket.io.engine.transport.name") == "websocket"
        )
    )
    # Opening the widget sent its initPayload ("/greet") and customData.language "en".
    WebDriverWait(browser, 30).until(lambda b: socket_events(b, "turn_end"))
    (greeting, *_) = socket_events(browser, "bot_uttered")
    assert variants[greeting["text"]] == Variant("utter_greet", "en")

    english = ask(browser, "When is the conference?")
    assert [variants[text] for text in english] == [Variant("answer:dates", "en")]
    french = ask(browser, "Quelles sont les dates de la conférence ?")
    assert [variants[text] for text in french] == [Variant("answer:dates", "fr")]

    assert socket_events(browser, "input_error") == []
    assert socket_events(browser, "disconnect") == []
    # The conversation is the widget's signed session, as the channel stores it.
    users = [event["text"] for event in servers.events(f"web:{conversation}", "user")]
    assert users[-2:] == ["When is the conference?", "Quelles sont les dates de la conférence ?"]
    shown = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".rw-client")]
    assert shown[-2:] == users[-2:]


def test_quick_replies_and_a_reload_keep_the_conversation(
    servers: Servers,
    webchat_page: WebchatPage,
    browser: webdriver.Chrome,
    variants: dict[str, Variant],
) -> None:
    session_id = open_widget(browser, webchat_page)
    WebDriverWait(browser, 30).until(lambda b: socket_events(b, "turn_end"))  # the greeting's
    greeting = ask(browser, "Hello")
    assert [variants[text] for text in greeting] == [Variant("utter_greet", "en")]
    buttons = browser.find_elements(By.CSS_SELECTOR, ".rw-replies .rw-reply")
    assert [b.text for b in buttons][:2] == ["Dates", "Venue"]
    before = len(socket_events(browser, "bot_uttered"))
    turns = len(socket_events(browser, "turn_end"))
    buttons[1].click()  # rasa-webchat sends the payload "/ask_venue" as the message
    WebDriverWait(browser, 30).until(lambda b: len(socket_events(b, "turn_end")) > turns)
    (venue,) = [m["text"] for m in socket_events(browser, "bot_uttered")[before:]]
    assert variants[venue] == Variant("answer:venue", "en")

    # A reload asks for the stored session again: the server confirms the same one.
    browser.refresh()
    WebDriverWait(browser, 30).until(lambda b: socket_events(b, "session_confirm"))
    assert socket_events(browser, "session_confirm") == [session_id]
    WebDriverWait(browser, 10).until(lambda b: venue in bot_texts(b))
    (dates,) = ask(browser, "Quand a lieu la conférence ?")
    assert variants[dates] == Variant("answer:dates", "fr")
    conversation = SessionSigner(b"test-only-session-secret").conversation(session_id)
    users = [event["text"] for event in servers.events(f"web:{conversation}", "user")]
    # The button the assistant offered is taken as its payload.
    assert users[-2:] == ["/ask_venue", "Quand a lieu la conférence ?"]
