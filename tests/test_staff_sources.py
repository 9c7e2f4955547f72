"""The transcript shows, under each reply composed from the fact base, the press
release's sentence(s) behind it (bot/staff/sources.py), from the facts the NLU left in
the parse data: entities `answer_facts` (reply composed in NLU) or `answer.items`
(composed by the answer action, whose `answer_facts` slot resolves follow-ups).
Fixtures: tests/test_staff.py's."""

# ruff: noqa: F811 - the fixtures imported from tests/test_staff.py are parameters here

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from bot.nlu.facts import fact_base
from bot.staff.conversations import answer_facts, events, turns_of
from bot.staff.sources import fact_sources, sources_of
from tests.test_staff import (  # noqa: F401 - fixtures
    NOW,
    Console,
    add_conversation,
    clock,
    config,
    console,
    project_db,
    store,
    tracker_db,
    user,
)

DATES = "Les 26 et 27 octobre, l&#39;OIM réunira à Genève ministres et maires"
VENUE = "l&#39;OIM réunira à Genève ministres et maires"
FOUNDED = "promouvoir depuis 1951 une migration humaine et ordonnée"


def test_the_sources_are_those_of_the_fact_base() -> None:
    base = fact_base()
    assert fact_sources() == {fact_id: fact.source for fact_id, fact in base.facts.items()}
    assert sources_of(["dates", "venue", "dates", "not_in_source", "nope"]) == [
        base.facts["dates"].source,
        base.facts["venue"].source,
    ]


def test_facts_from_the_parse_data() -> None:
    composed = {"entities": [{"entity": "answer_facts", "value": "venue"}, {"entity": "x"}]}
    assert answer_facts(composed) == ["venue"]
    by_action = {"answer": {"items": [{"fact": "dates"}, {"followup": "count"}, "junk"]}}
    assert answer_facts(by_action) == ["dates"]
    assert answer_facts({"answer": "not a dict", "entities": None}) == []


def rows(*events_: dict[str, Any]) -> list[tuple[str, float, str]]:
    return [(e["event"], float(i), json.dumps(e)) for i, e in enumerate(events_)]


def test_the_answer_actions_slot_gives_the_resolved_facts() -> None:
    question = user("Depuis quand ?", "ask_question", 0.9)
    question["parse_data"]["answer"] = {"items": [{"followup": "since"}]}
    turns = turns_of(
        rows(
            question,
            {"event": "action", "name": "action_answer"},
            {"event": "bot", "text": "Depuis 1951."},
            {"event": "slot", "name": "answer_facts", "value": ["iom_founded"]},
            user("merci", "thank", 0.9),
            {"event": "slot", "name": "answer_facts", "value": None},
        )
    )
    assert [turn.facts for turn in turns] == [["iom_founded"], []]


def add_answers(url: str) -> None:
    engine = sa.create_engine(url, future=True)
    composed = user("Quand et où ?", "ask_fact", 1.0)
    composed["parse_data"]["entities"] = [
        {"entity": "answer_facts", "value": "dates"},
        {"entity": "answer_facts", "value": "venue"},
    ]
    by_action = user("And since when does IOM exist?", "ask_question", 0.9)
    by_action["parse_data"]["answer"] = {"items": [{"fact": "iom_founded"}]}
    unknown = user("Des frais d'inscription ?", "ask_question", 0.9)
    unknown["parse_data"]["answer"] = {"items": [{"fact": "not_in_source"}]}
    add_conversation(
        engine,
        "web:facts",
        NOW.timestamp() - 600,
        "fr",
        [
            (composed, "Les 26 et 27 octobre 2015, à Genève."),
            (by_action, "Since 1951."),
            (unknown, "Le communiqué ne donne pas cette information."),
        ],
    )
    engine.dispose()


async def test_the_transcript_quotes_the_release_under_each_answer(
    console: Console, tracker_db: str
) -> None:
    add_answers(tracker_db)
    await console.login("rev")
    for lang, label in (
        ("fr", "Source dans le communiqué de presse de l&#39;OIM :"),
        ("en", "Source in IOM&#39;s press release (in French):"),
    ):
        html = await (
            await console.client.get(f"/staff/conversations/web:facts?lang={lang}")
        ).text()
        assert html.count(label) == 2  # two answers from the fact base, not the third
        assert DATES in html and VENUE in html and FOUNDED in html
        assert html.index(DATES) < html.index(VENUE) < html.index(FOUNDED)
        assert html.index("Since 1951.") < html.index(FOUNDED)
        assert '<blockquote lang="fr">' in html
    # A conversation without facts has no source block.
    html = await (await console.client.get("/staff/conversations/telegram:42?lang=en")).text()
    assert "press release" not in html


async def test_a_source_is_escaped(console: Console, tracker_db: str, monkeypatch: Any) -> None:
    from bot.staff import app as staff_app

    hostile = '<script>window.__xss=1</script><img src=x onerror="1">'
    monkeypatch.setattr(staff_app, "sources_of", lambda facts: [hostile] if facts else [])
    add_answers(tracker_db)
    await console.login("rev")
    html = await (await console.client.get("/staff/conversations/web:facts")).text()
    assert "<script>window" not in html and "<img" not in html
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html


def test_the_sources_need_no_events_table_change(tracker_db: str) -> None:
    add_answers(tracker_db)
    engine = sa.create_engine(tracker_db, future=True)
    with engine.connect() as connection:
        found = connection.execute(
            sa.select(events.c.type_name, events.c.timestamp, events.c.data)
            .where(events.c.sender_id == "web:facts")
            .order_by(events.c.id)
        ).all()
    engine.dispose()
    assert [turn.facts for turn in turns_of(found)][1:] == [
        ["dates", "venue"],
        ["iom_founded"],
        ["not_in_source"],
    ]
