"""The staff console filled with made-up conversations, in French and English, served
from a thread: for README.md's screenshots (`python -m bench.staff_demo docs`) and for
the accessibility and keyboard tests (tests/test_staff_a11y.py). No real person: the
names, numbers and references are invented, the sender ids say `demo`.

Rows are written as Rasa's SQLTrackerStore writes them; replies composed from the
fact base are the fact's own text (bot/nlu/facts.yml), so the transcript shows their
sources. A few dozen background conversations over the last 30 days fill the
dashboard's charts; the recent ones below head the list."""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NamedTuple
from unittest import mock

import sqlalchemy as sa
import yaml
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
USERNAME = "ana"
PASSWORD = "demo password 0123"
DAY = 86400.0


class Say(NamedTuple):
    """A user message and what the assistant did: `reply` is a fact id of
    bot/nlu/facts.yml or, else, the reply's text."""

    text: str
    intent: str
    confidence: float
    action: str
    reply: str
    facts: tuple[str, ...] = ()


class Demo(NamedTuple):
    sender_id: str
    language: str
    hours_ago: float
    turns: tuple[Say, ...]
    staff_reply: str | None = None  # sent as a person, after the turns (human_reply.py)


def fact(fact_id: str, intent: str = "ask_fact", confidence: float = 0.97) -> tuple[Any, ...]:
    return (intent, confidence, "action_answer", fact_id, (fact_id,))


NOT_IN_SOURCE = ("ask_question", 0.88, "action_answer", "not_in_source", ("not_in_source",))
CONVERSATIONS = (
    Demo(
        "web:demo-7f3a",
        "fr",
        0.5,
        (
            Say("Bonjour", "greet", 0.99, "utter_greet", "Bonjour et bienvenue !"),
            Say("Quand a lieu la conférence ?", *fact("dates")),
            Say("Et c'est où exactement ?", *fact("venue", confidence=0.93)),
        ),
    ),
    Demo(
        "telegram:demo-5512",
        "en",
        1.5,
        (
            Say("When is the conference?", *fact("dates")),
            Say("Do I need a visa to attend?", *NOT_IN_SOURCE),
        ),
    ),
    Demo(
        "whatsapp:demo-0042",
        "fr",
        3,
        (
            Say(
                "Je voudrais parler à quelqu'un de l'OIM",
                "request_human",
                0.95,
                "utter_human",
                "Vous pouvez joindre une personne à l'OIM en contactant l'Atelier IDM.",
            ),
        ),
        staff_reply=(
            "Message de l’équipe de l’OIM : Bonjour, nous avons bien reçu votre demande ;"
            " l'Atelier IDM vous écrira d'ici demain."
        ),
    ),
    Demo(
        "web:demo-9c21",
        "en",
        5,
        (
            Say("Who is invited?", *fact("invitees")),
            Say("What is the IDM?", *fact("idm", confidence=0.91)),
        ),
    ),
    Demo(
        "rest:demo-3e77",
        "en",
        8,
        (
            Say(
                "Is my registration confirmed? CMC-2015-0000",
                "check_registration",
                0.98,
                "utter_registration_confirmed",
                "Thank you, Jane Doe. Your registration (CMC-2015-0000) is confirmed.",
            ),
        ),
    ),
    Demo(
        "web:demo-b804",
        "fr",
        11,
        (
            Say("blablabla", "nlu_fallback", 0.31, "action_default_fallback", "Pardon ?"),
            Say("Y a-t-il des frais d'inscription ?", *NOT_IN_SOURCE),
        ),
    ),
    Demo(
        "telegram:demo-61d0",
        "fr",
        20,
        (
            Say("C'est quoi l'OIM ?", *fact("iom_about")),
            Say("Combien de pays membres ?", *fact("iom_members", confidence=0.84)),
        ),
    ),
    Demo(
        "web:demo-2aa9",
        "en",
        26,
        (
            Say("Where is it held?", *fact("venue")),
            Say("I want to talk to a person", "request_human", 0.96, "utter_human", "You can…"),
        ),
    ),
)
BACKGROUND = {
    "fr": (
        Say("Quelles sont les dates ?", *fact("dates")),
        Say("Où se tient la CMC ?", *fact("venue")),
        Say("Qui est invité ?", *fact("invitees")),
        Say("Faut-il un visa pour venir ?", *NOT_IN_SOURCE),
        Say("asdfgh", "nlu_fallback", 0.22, "action_default_fallback", "Pardon ?"),
    ),
    "en": (
        Say("What are the dates?", *fact("dates")),
        Say("Which city?", *fact("venue")),
        Say("What are the topics?", *fact("topics")),
        Say("Is there a registration fee?", *NOT_IN_SOURCE),
        Say("qwerty", "nlu_fallback", 0.25, "action_default_fallback", "Sorry?"),
    ),
}
CHANNELS = ("web", "web", "telegram", "whatsapp", "rest")


def fact_texts() -> dict[str, dict[str, str]]:
    """Each fact's reply per language, and `not_in_source`'s (bot/nlu/facts.yml)."""
    base = yaml.safe_load((ROOT / "bot" / "nlu" / "facts.yml").read_text(encoding="utf-8"))
    texts = {item["id"]: {"fr": item["fr"], "en": item["en"]} for item in base["facts"]}
    texts["not_in_source"] = base["phrases"]["not_in_source"]
    return texts


def background(now: float, count: int) -> list[Demo]:
    """Older conversations spread over 30 days, for the dashboard."""
    rng = random.Random(2015)
    found = []
    for number in range(count):
        language = "fr" if rng.random() < 0.55 else "en"
        turns = tuple(rng.sample(BACKGROUND[language], rng.randint(1, 3)))
        channel = CHANNELS[number % len(CHANNELS)]
        found.append(
            Demo(f"{channel}:demo-{number:04d}", language, rng.uniform(30, 30 * 24), turns)
        )
    return found


def rows_of(demo: Demo, now: float, texts: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    t = now - demo.hours_ago * 3600
    rng = random.Random(demo.sender_id)  # response times that vary, the same every run

    def add(data: dict[str, Any], intent: str | None = None, gap: float = 1.0) -> None:
        nonlocal t
        t += gap
        name = data.get("name") if data["event"] in ("action", "slot") else None
        rows.append(
            {
                "sender_id": demo.sender_id,
                "type_name": data["event"],
                "timestamp": t,
                "intent_name": intent,
                "action_name": name,
                "data": json.dumps({**data, "timestamp": t}),
            }
        )

    channel = demo.sender_id.split(":", 1)[0]
    add({"event": "action", "name": "action_session_start"})
    add({"event": "session_started"})
    add({"event": "slot", "name": "language", "value": demo.language})
    for say in demo.turns:
        entities = [{"entity": "answer_facts", "value": f} for f in say.facts]
        parse = {
            "text": say.text,
            "intent": {"name": say.intent, "confidence": say.confidence},
            "entities": entities,
        }
        user = {"event": "user", "text": say.text, "parse_data": parse, "input_channel": channel}
        add(user, say.intent, gap=20)
        add({"event": "action", "name": say.action}, gap=0.4)
        reply = texts[say.reply][demo.language] if say.reply in texts else say.reply
        gap = rng.lognormvariate(-0.5, 0.6)
        add({"event": "bot", "text": reply, "metadata": {"utter_action": say.action}}, gap=gap)
        add({"event": "action", "name": "action_listen"}, gap=0.1)
    if demo.staff_reply:
        add({"event": "bot", "text": demo.staff_reply, "metadata": {"staff_reply": True}}, gap=600)
    return rows


def seed(
    tracker_url: str, now: float, extra: Sequence[Demo] = (), background_count: int = 150
) -> list[Demo]:
    """Write the demo conversations (and `extra`) to an empty tracker store; returns
    them, most recent first."""
    from bot.staff.conversations import events

    demos = [*extra, *CONVERSATIONS, *background(now, background_count)]
    texts = fact_texts()
    engine = sa.create_engine(tracker_url, future=True)
    events.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(events.insert(), [r for d in demos for r in rows_of(d, now, texts)])
    engine.dispose()
    return sorted(demos, key=lambda demo: demo.hours_ago)


def review(project_url: str) -> None:
    """What reviewers did: tags, marks, a flag, the note a reply as a person leaves."""
    from bot.staff.reviews import Reviews

    engine = sa.create_engine(project_url, future=True)
    reviews = Reviews(engine, lambda: datetime.now(timezone.utc))
    reviews.add_tags(["telegram:demo-5512", "web:demo-b804"], ["visa", "à traiter"], USERNAME)
    reviews.add_tags(["web:demo-9c21"], ["invités"], USERNAME)
    reviews.set_reviewed(["web:demo-7f3a", "web:demo-9c21"], True, USERNAME)
    reviews.set_flag("web:demo-b804", True, USERNAME)
    reviews.close_followup(
        "whatsapp:demo-0042",
        "Bonjour, nous avons bien reçu votre demande ; l'Atelier IDM vous écrira d'ici demain.",
        USERNAME,
        kind="reply",
    )
    engine.dispose()


@contextmanager
def console(workdir: Path, extra: Sequence[Demo] = ()) -> Iterator[str]:
    """The console on 127.0.0.1, with the page's stylesheet, over the demo
    conversations and one admin account (USERNAME, PASSWORD); yields its base URL."""
    from bench.servers import served_in_thread
    from bot.participants.migrate import upgrade
    from bot.staff import app as staff_app
    from bot.staff.accounts import StaffStore
    from bot.staff.config import StaffConfig, fernet_key

    project = f"sqlite:///{workdir / 'participants.db'}"
    tracker = f"sqlite:///{workdir / 'tracker.db'}"
    with mock.patch.dict(os.environ, {"PARTICIPANT_HASH_KEY": "demo-only-key"}):
        upgrade(project)
    seed(tracker, datetime.now(timezone.utc).timestamp(), extra)
    engine = sa.create_engine(project, future=True)
    StaffStore(engine).add(USERNAME, PASSWORD, "admin")
    engine.dispose()
    review(project)
    config = StaffConfig(
        database_url=project,
        tracker_store_url=tracker,
        secret_key=fernet_key("demo-only-staff-secret-key-0123456789"),
    )

    def application() -> web.Application:
        parent = web.Application()
        parent.router.add_static("/static/", ROOT / "bot" / "web" / "static")
        parent.add_subapp("/staff", staff_app.create_app(config))
        return parent

    with served_in_thread(application) as url:
        yield url


SHOTS = (  # file, page, language, height in pixels (the top of the page)
    ("staff-list.png", "/staff", "en", 1250),
    ("staff-dashboard.png", "/staff/dashboard", "fr", 1040),
    ("staff-transcript.png", "/staff/conversations/whatsapp:demo-0042", "fr", 700),
)


def screenshots(folder: Path) -> list[Path]:
    """PNGs of the list, the dashboard and a transcript answered by a person, 1280
    pixels wide, in headless chromium."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from tests.conftest import CHROMEDRIVER, chromium_options

    saved = []
    with (
        tempfile.TemporaryDirectory() as workdir,
        console(Path(workdir)) as url,
        tempfile.TemporaryDirectory() as profile,
    ):
        driver = webdriver.Chrome(
            options=chromium_options(profile), service=Service(executable_path=CHROMEDRIVER)
        )
        try:
            driver.get(f"{url}/staff/login?lang=en")
            driver.find_element(By.ID, "username").send_keys(USERNAME)
            driver.find_element(By.ID, "password").send_keys(PASSWORD)
            driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
            WebDriverWait(driver, 30).until(lambda d: d.current_url.rstrip("/").endswith("/staff"))
            for name, path, language, height in SHOTS:
                metrics = {"width": 1280, "height": height, "deviceScaleFactor": 1}
                driver.execute_cdp_cmd(
                    "Emulation.setDeviceMetricsOverride", {**metrics, "mobile": False}
                )
                driver.get(f"{url}{path}?lang={language}")
                driver.execute_script("document.documentElement.style.overflow = 'hidden'")
                saved.append(folder / name)
                driver.save_screenshot(str(saved[-1]))
        finally:
            driver.quit()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="where to write the PNGs (docs/)")
    for path in screenshots(parser.parse_args().folder):
        print(path, f"{path.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
