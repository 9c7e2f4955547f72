"""Stored XSS in the staff console, in Debian's headless chromium (tests/conftest.py's
`browser`: skipped with the reason on a developer's machine without it, a failure in
CI). User messages with a script, an image whose error handler runs script and
`javascript:` links are seeded in an SQLite tracker store; a reviewer logs in through
the form and opens the list, a transcript, the unanswered view and the dashboard: no
script ran (`window.__xss` undefined), no such element or link exists, and each text
is shown as text. The console runs in a thread of this process on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiohttp import web
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from bench.servers import served_in_thread
from bot.participants.migrate import upgrade
from bot.staff import app as staff_app
from bot.staff.accounts import StaffStore
from bot.staff.config import StaffConfig, fernet_key
from bot.staff.conversations import Conversations, create_tracker_engine, events
from bot.staff.index import Index

pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery"
ATTACKS = [
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=1">',
    '<a href="javascript:window.__xss=1">javascript:alert(1)</a>',
    "[click me](javascript:alert(1))",
]
HOSTILE_INTENT = '<img src=x onerror="window.__xss=1">'


def seed(url: str, now: float) -> None:
    """Rows as Rasa's SQLTrackerStore writes them; each attack a fallback message (so
    the unanswered view lists it), one with a hostile intent name (the dashboard's top
    intents)."""
    rows: list[dict[str, Any]] = []
    t = now - 3600

    def row(sender: str, data: dict[str, Any], intent: str | None = None) -> None:
        nonlocal t
        t += 1
        rows.append(
            {
                "sender_id": sender,
                "type_name": data["event"],
                "timestamp": t,
                "intent_name": intent,
                "action_name": data.get("name"),
                "data": json.dumps({**data, "timestamp": t}),
            }
        )

    for number, text in enumerate(ATTACKS):
        sender = f"web:xss{number}"
        intent = HOSTILE_INTENT if number == 0 else "nlu_fallback"
        row(sender, {"event": "slot", "name": "language", "value": "en"})
        row(
            sender,
            {
                "event": "user",
                "text": text,
                "parse_data": {
                    "intent": {"name": intent, "confidence": 0.2},
                    "entities": [{"entity": "x", "value": text}],
                    "answer_facts": text,
                },
            },
            intent,
        )
        row(sender, {"event": "action", "name": "action_default_fallback"})
        row(sender, {"event": "bot", "text": f"echo {text}"})
    engine = sa.create_engine(url, future=True)
    events.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(events.insert(), rows)
    engine.dispose()


@pytest.fixture(scope="module")
def console_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("staff-browser")
    project = f"sqlite:///{folder / 'participants.db'}"
    tracker = f"sqlite:///{folder / 'tracker.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PARTICIPANT_HASH_KEY", "test-only-key")
        upgrade(project)
    seed(tracker, datetime.now(timezone.utc).timestamp())
    engine = sa.create_engine(project, future=True)
    StaffStore(engine).add("rev", PASSWORD, "reviewer")
    # The list reads the summary index: caught up before the first page.
    Index(engine, Conversations(create_tracker_engine(tracker))).catch_up()
    engine.dispose()
    config = StaffConfig(
        database_url=project,
        tracker_store_url=tracker,
        secret_key=fernet_key("test-only-staff-secret-key-0123456789"),
    )

    def application() -> web.Application:
        parent = web.Application()
        parent.add_subapp("/staff", staff_app.create_app(config))
        return parent

    with served_in_thread(application) as url:
        yield url


def no_script_ran(browser: webdriver.Chrome) -> None:
    assert browser.execute_script("return typeof window.__xss") == "undefined"
    assert browser.find_elements(By.CSS_SELECTOR, "main img, main script") == []
    links = browser.find_elements(By.CSS_SELECTOR, "a[href]")
    assert not [
        a for a in links if (a.get_attribute("href") or "").lower().startswith("javascript")
    ]


def test_user_markup_is_text_on_every_page(browser: webdriver.Chrome, console_url: str) -> None:
    browser.delete_all_cookies()
    browser.get(f"{console_url}/staff/login?lang=en")
    browser.find_element(By.ID, "username").send_keys("rev")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    WebDriverWait(browser, 30).until(lambda b: b.current_url.rstrip("/").endswith("/staff"))
    pages = {
        "list": "/staff",
        "transcript": "/staff/conversations/web:xss0",
        "transcript2": "/staff/conversations/web:xss1",
        "transcript3": "/staff/conversations/web:xss2",
        "unanswered": "/staff/unanswered",
        "dashboard": "/staff/dashboard",
    }
    seen: dict[str, str] = {}
    for name, path in pages.items():
        browser.get(console_url + path)
        WebDriverWait(browser, 30).until(lambda b: b.find_elements(By.TAG_NAME, "main"))
        for summary in browser.find_elements(By.CSS_SELECTOR, "main details summary"):
            summary.click()  # the charts' data tables, shown
        no_script_ran(browser)
        seen[name] = browser.find_element(By.TAG_NAME, "main").text
    for text in ATTACKS[:3]:  # the list shows each first message (cut at 140 characters)
        assert text in seen["list"], text
    assert ATTACKS[0] in seen["transcript"] and f"echo {ATTACKS[0]}" in seen["transcript"]
    assert ATTACKS[1] in seen["transcript2"] and ATTACKS[2] in seen["transcript3"]
    for text in ATTACKS:
        assert text in seen["unanswered"], text
    assert HOSTILE_INTENT in seen["dashboard"]
