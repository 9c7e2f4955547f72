"""The staff console's dashboard (bot/staff/dashboard.py): figures read from the
summary index's rows and daily counts (bot/staff/index.py folds the events), SVG charts
with a title, a description and a data table, hostile data shown as text, both
languages, and under 500 ms on 10,000 conversations in SQLite.
Fixtures: tests/test_staff.py's, with a tracker store of its own."""

# ruff: noqa: F811 - the fixtures imported from tests/test_staff.py are parameters here

from __future__ import annotations

import json
import re
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.i18n import strings as catalogue
from bot.participants.store import create_engine
from bot.staff import dashboard
from bot.staff.conversations import Conversations, create_tracker_engine, events
from bot.staff.index import Index
from tests.test_staff import (  # noqa: F401 - fixtures
    NOW,
    XSS,
    Console,
    clock,
    config,
    console,
    project_db,
    store,
)

DAY = 86400
ABSTAIN_FR, ABSTAIN_EN = dashboard.abstention_phrases()


def indexed(tracker: str, project: str) -> sa.engine.Engine:
    """The project database with the tracker store's events folded into its index."""
    engine = create_engine(project)
    tracker_engine = create_tracker_engine(tracker)
    Index(engine, Conversations(tracker_engine), lambda: NOW).catch_up()
    tracker_engine.dispose()
    return engine


def conversation(
    sender: str, start: float, language: str, turns: list[tuple[str, str, str, float]]
) -> list[dict[str, Any]]:
    """Rows as Rasa writes them; a turn: (text, intent, (utter action, reply), delay)."""
    rows: list[dict[str, Any]] = []
    t = start

    def row(data: dict[str, Any], intent: str | None = None, action: str | None = None) -> None:
        rows.append(
            {
                "sender_id": sender,
                "type_name": data["event"],
                "timestamp": t,
                "intent_name": intent,
                "action_name": action,
                "data": json.dumps({**data, "timestamp": t}),
            }
        )

    row({"event": "action", "name": "action_session_start"}, action="action_session_start")
    row({"event": "slot", "name": "language", "value": language}, action="language")
    for text, intent, (utter, reply), delay in turns:  # type: ignore[misc]
        t += 10
        row(
            {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}},
            intent=intent,
        )
        t += delay
        row({"event": "action", "name": utter}, action=utter)
        row({"event": "bot", "text": reply, "metadata": {"utter_action": utter}})
        row({"event": "action", "name": "action_listen"}, action="action_listen")
    return rows


def answer(reply: str = "Les 26 et 27.") -> tuple[str, str]:
    return ("utter_answer", reply)


@pytest.fixture
def tracker_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    engine = sa.create_engine(url, future=True)
    events.metadata.create_all(engine)
    now = NOW.timestamp()
    rows = [
        *conversation("web:a", now - 3600, "fr", [("Quand ?", "ask_fact", answer(), 1.0)]),
        *conversation(
            "web:b",
            now - 3600,
            "en",
            [
                ("Who is the mayor?", "ask_fact", answer(f"{ABSTAIN_EN} For this..."), 2.0),
                ("asdf", "nlu_fallback", answer("Sorry?"), 3.0),
                ("CMC-2015-0001", "inform", ("utter_registration_confirmed", "Thank you, X."), 4.0),
            ],
        ),
        *conversation(
            "telegram:1",
            now - DAY,
            "fr",
            [
                ("Qui ?", "ask_fact", answer(ABSTAIN_FR), 5.0),
                ("CMC-2015-0009", "inform", ("utter_registration_not_found", "Pas trouvé"), 6.0),
            ],
        ),
        *conversation(
            "rest:evil",
            now - 2 * DAY,
            XSS[1],
            [(XSS[0], XSS[0], answer(XSS[1]), 7.0)],
        ),
        *conversation("web:old", now - 40 * DAY, "fr", [("Bonjour", "greet", answer(), 1.0)]),
    ]
    with engine.begin() as connection:
        connection.execute(events.insert(), rows)
    engine.dispose()
    return url


def test_the_figures(tracker_db: str, project_db: str) -> None:
    engine = indexed(tracker_db, project_db)
    figures = dashboard.compute(engine, NOW)
    engine.dispose()
    assert len(figures.days) == 30 and figures.days[-1] == NOW.date()
    assert figures.by_language["fr"][-1] == 1 and figures.by_language["en"][-1] == 1
    assert figures.by_language["fr"][-2] == 1 and figures.by_language["other"][-3] == 1
    assert sum(map(sum, figures.by_language.values())) == 4  # web:old is 40 days old
    assert figures.by_channel["web"][-1] == 2 and figures.by_channel["telegram"][-2] == 1
    assert figures.by_channel["rest"][-3] == 1
    assert figures.intents[0] == ("ask_fact", 3)
    assert dict(figures.intents)["nlu_fallback"] == 1
    assert figures.messages[-1] == 4 and figures.fallback[-1] == 1
    assert figures.abstention[-1] == 1 and figures.abstention[-2] == 1
    assert figures.registrations == [("confirmed", 1), ("not_found", 1)]
    assert figures.response_p50[-1] == 2.0 and figures.response_p95[-1] == 4.0
    assert figures.response_overall == (7, 4.0, 7.0)


async def test_the_dashboard_page(console: Console) -> None:
    await console.login("rev")
    reply = await console.client.get("/staff/dashboard?lang=en")
    assert reply.status == 200
    html = await reply.text()
    charts = re.findall(r'<svg xmlns="http://www.w3.org/2000/svg" role="img"', html)
    assert len(charts) == 7
    for key in ("chart_language", "chart_channel", "chart_intents", "chart_rates"):
        title = catalogue("staff", "en")[key]
        assert "<title id=" in html and f">{title}</title>" in html
        assert f"<caption>{title}</caption>" in html
    assert "<desc id=" in html and '<th scope="row">ask_fact</th>' in html
    assert "median 4.0 s, 95th percentile 7.0 s" in html
    assert "script-src" not in reply.headers["Content-Security-Policy"]
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html  # an intent name


@pytest.mark.parametrize("language", ["fr", "en"])
async def test_the_dashboard_in_both_languages(console: Console, language: str) -> None:
    await console.login("alice")
    html = await (await console.client.get(f"/staff/dashboard?lang={language}")).text()
    strings = catalogue("staff", language)
    assert f'<html lang="{language}">' in html
    for key in ("dashboard_title", "chart_registrations", "chart_response", "chart_queue"):
        assert strings[key].replace("'", "&#39;") in html, key
    assert strings["outcome_confirmed"] in html and strings["age_week"] in html


def test_an_empty_tracker_store_gives_empty_charts(tmp_path: Path, project_db: str) -> None:
    engine = indexed(f"sqlite:///{tmp_path / 'none.db'}", project_db)
    figures = dashboard.compute(engine, NOW)
    engine.dispose()
    assert figures.intents == [] and sum(figures.messages) == 0
    assert figures.response_overall == (0, None, None)
    assert not (tmp_path / "none.db").exists()


def test_a_reply_in_a_later_batch_is_timed(tracker_db: str, project_db: str) -> None:
    """The indexer folds a few events at a time: a user message and its reply in two
    batches still make one response time, on the user message's day."""
    engine = create_engine(project_db)
    tracker_engine = create_tracker_engine(tracker_db)
    index = Index(engine, Conversations(tracker_engine), lambda: NOW)
    while index.step(batch=3):
        pass
    figures = dashboard.compute(engine, NOW)
    engine.dispose()
    tracker_engine.dispose()
    assert figures.response_overall == (7, 4.0, 7.0)
    assert figures.response_p50[-1] == 2.0 and figures.response_p95[-1] == 4.0


def test_response_time_bins() -> None:
    assert [dashboard.delay_bin(s) for s in (-1, 0.05, 2.04, 9.99, 10.5, 59.9)] == [
        "0", "0", "20", "99", "100", "590",
    ]
    assert [dashboard.delay_bin(s) for s in (61, 599, 601, 3599, 99999)] == [
        "600", "5900", "6000", "35400", "36000",
    ]


def test_10000_conversations_in_under_500_ms(tmp_path: Path, project_db: str) -> None:
    """150,000 events: 10,000 conversations of three turns over 30 days."""
    url = f"sqlite:///{tmp_path / 'big.db'}"
    engine = sa.create_engine(url, future=True)
    events.metadata.create_all(engine)
    with engine.begin() as connection:  # with Rasa's index on sender_id, as `events` describes
        batch: list[dict[str, Any]] = []
        for number in range(10_000):
            batch += conversation(
                f"{('web', 'telegram', 'whatsapp', 'rest')[number % 4]}:{number}",
                NOW.timestamp() - (number % 30) * DAY - number,
                ("fr", "en")[number % 2],
                [
                    ("Quand ?", ("ask_fact", "greet", "nlu_fallback")[number % 3], answer(), 1.5),
                    ("Et où ?", "ask_fact", answer(ABSTAIN_FR), 0.5 + number % 7),
                    ("CMC", "inform", ("utter_registration_pending", "Merci X."), 2.0),
                ],
            )
            if len(batch) > 20_000:
                connection.execute(events.insert(), batch)
                batch = []
        connection.execute(events.insert(), batch)
    project = indexed(url, project_db)
    dashboard.compute(project, NOW)  # the file in the page cache, as when in use
    started = time.perf_counter()
    figures = dashboard.compute(project, NOW)
    elapsed = time.perf_counter() - started
    assert sum(map(sum, figures.by_channel.values())) == 10_000
    assert figures.registrations == [("pending", 10_000)]
    assert figures.response_overall[0] == 30_000
    assert elapsed < 0.5, f"{elapsed:.3f} s"
    print(f"dashboard on 10,000 conversations: {elapsed * 1000:.0f} ms")
    engine.dispose()
    project.dispose()


def test_queue_ages_are_bucketed() -> None:
    now = NOW
    waiting = {
        "a": ((now - timedelta(minutes=5)).timestamp(), "person"),
        "b": ((now - timedelta(hours=5)).timestamp(), "flag"),
        "c": ((now - timedelta(days=2)).timestamp(), "flag"),
        "d": ((now - timedelta(days=20)).timestamp(), "person"),
        "e": ((now - timedelta(days=9)).timestamp(), "person"),
    }
    assert dashboard.queue_ages(waiting, now) == [
        ("age_hour", 1),
        ("age_day", 1),
        ("age_3days", 1),
        ("age_week", 2),
    ]
