"""/staff/unanswered (bot/staff/unanswered.py): which messages count as unanswered, the
grouping by similarity in both languages, the bound on the work, labels (CSRF, roles,
audit, erasure) and `python -m bot training export`. Fixtures: tests/test_staff.py's."""

# ruff: noqa: F811 - the fixtures imported from tests/test_staff.py are parameters here

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
import sqlalchemy as sa
import yaml
from click.testing import CliRunner

from bot.__main__ import cli
from bot.staff.accounts import StaffStore
from bot.staff.config import StaffConfig
from bot.staff.conversations import Conversations, create_tracker_engine
from bot.staff.dashboard import abstention_phrases
from bot.staff.masking import Masker
from bot.staff.retention import purge
from bot.staff.schema import staff_audit, staff_labels
from bot.staff.unanswered import (
    Label,
    cluster,
    find,
    label_intents,
    training_data,
)
from tests.test_staff import (  # noqa: F401 - fixtures
    NOW,
    XSS,
    Console,
    Event,
    clock,
    config,
    console,
    insert_events,
    project_db,
    store,
    tracker_db,
    turn_events,
    user,
)

PAGE = "/staff/unanswered"
ABSTAIN_FR, ABSTAIN_EN = sorted(abstention_phrases(), key=lambda p: not p.startswith("Le "))


def add_turns(engine: sa.engine.Engine, sender: str, start: float, turns: list[Any]) -> None:
    """Each turn: (text, intent, confidence, action, reply)."""
    rows: list[Event] = []
    for text, intent, confidence, action, reply in turns:
        language = "fr" if sender.endswith("fr") else "en"
        message = user(text, intent, confidence, language=language)
        rows += turn_events(message, intent, action, reply)
    insert_events(engine, sender, start, rows)


WIFI_FR = ["Y a-t-il du wifi sur place ?", "y a t il du wi-fi sur place svp"]
WIFI_EN = [
    "Is there wifi at the venue?",
    "is there wi-fi at the venue",
    "Is there any wifi at the venue please",
]
PARK_FR = ["Où puis-je garer ma voiture ?", "où garer ma voiture"]
PARK_EN = ["Where can I park my car?", "where can i park the car"]


@pytest.fixture
def unanswered_db(tracker_db: str) -> str:
    """tests/test_staff.py's conversations (rest:mallory's XSS messages are
    nlu_fallback) and more: abstentions, fallbacks, a low confidence answer."""
    engine = sa.create_engine(tracker_db, future=True)
    now = NOW.timestamp()
    add_turns(
        engine,
        "web:fr",
        now - 900,
        [(text, "ask_fact", 0.9, "utter_answer", ABSTAIN_FR) for text in WIFI_FR]
        + [(PARK_FR[0], "ask_logistics", 0.4, "action_default_fallback", "Pardon ?")]
        + [(PARK_FR[1], "out_of_scope", 0.8, "utter_out_of_scope", "Hors sujet.")],
    )
    add_turns(
        engine,
        "telegram:en",
        now - 600,
        [(text, "ask_fact", 0.9, "utter_answer", "x " + ABSTAIN_EN) for text in WIFI_EN]
        + [(text, "nlu_fallback", 0.3, "utter_default", "Sorry?") for text in PARK_EN]
        + [("When is the conference?", "ask_dates", 0.45, "utter_ask_dates", "On 26 and 27.")]
        + [("Where is it?", "ask_venue", 0.97, "utter_ask_venue", "In Geneva.")],
    )
    engine.dispose()
    return tracker_db


def test_label_intents_come_from_the_domain() -> None:
    intents = label_intents()
    assert "ask_logistics" in intents and "out_of_scope" in intents
    assert "unsupported_message" not in intents and "ask_fact" not in intents
    assert list(intents) == sorted(intents)


def test_near_duplicates_are_grouped_in_both_languages() -> None:
    other = ["Quel est le code vestimentaire ?", "What is the dress code?", "Can I bring my dog?"]
    texts = [*WIFI_FR, *PARK_EN, *WIFI_EN, *other, *PARK_FR]
    groups = [sorted(texts[i] for i in group) for group in cluster(texts, 0.4)]
    assert groups[0] == sorted(WIFI_EN)  # the largest first
    assert sorted(WIFI_FR) in groups and sorted(PARK_FR) in groups and sorted(PARK_EN) in groups
    assert [[text] for text in sorted(other)] == sorted(g for g in groups if len(g) == 1)
    assert len(groups) == 7
    assert cluster(texts, 0.4) == cluster(texts, 0.4)  # deterministic
    assert cluster([], 0.4) == [] and cluster(["😀", "?!"], 0.4)  # no token: no error


def test_unanswered_messages_and_their_reasons(unanswered_db: str) -> None:
    conversations = Conversations(create_tracker_engine(unanswered_db))
    found = {m.text: m for m in find(conversations, 2000)}
    assert set(found) == {*WIFI_FR, *WIFI_EN, *PARK_FR, *PARK_EN, *XSS}
    assert found[WIFI_FR[0]].reasons == ["abstention"] and found[WIFI_FR[0]].language == "fr"
    assert found[WIFI_EN[0]].reasons == ["abstention"]
    assert found[PARK_FR[0]].reasons == ["fallback"]
    assert found[PARK_FR[1]].reasons == ["fallback_intent"]
    assert found[PARK_EN[0]].reasons == ["fallback", "fallback_intent"]
    low = {m.text: m for m in find(conversations, 2000, below=0.5)}
    assert low["When is the conference?"].reasons == ["low_confidence"]
    assert "Where is it?" not in low
    assert low[PARK_FR[0]].reasons == ["fallback", "low_confidence"]


def test_the_work_is_bounded_to_the_most_recent(unanswered_db: str) -> None:
    engine = sa.create_engine(unanswered_db, future=True)
    add_turns(
        engine,
        "rest:many",
        NOW.timestamp(),
        [(f"question {i}", "nlu_fallback", 0.1, "utter_default", "?") for i in range(300)],
    )
    engine.dispose()
    conversations = Conversations(create_tracker_engine(unanswered_db))
    found = find(conversations, 25)
    assert [m.text for m in found] == [f"question {i}" for i in range(299, 274, -1)]
    assert find(conversations, 0) == []


async def test_the_page_groups_and_escapes(console: Console, unanswered_db: str) -> None:
    await console.login("rev")
    reply = await console.client.get(f"{PAGE}?lang=en")
    assert reply.status == 200
    html = await reply.text()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
    assert html.index("Group 1: 3 message(s)") < html.index("Is there any wifi")
    for text in ("Group 2: 2 message(s)", "abstention", "fallback", "ask_logistics"):
        assert text in html
    assert 'name="csrf"' in html and '<label for="intent-1">' in html
    french = await (await console.client.get(f"{PAGE}?lang=fr&below=0.5&language=fr")).text()
    assert "Groupe 1" in french and "When is the conference" not in french
    low = await (await console.client.get(f"{PAGE}?below=0.5&language=en")).text()
    assert "When is the conference" in low and "Y a-t-il" not in low
    for hostile in ("' OR 1=1 --", "x" * 5000, "-1", "nan", "inf"):
        assert (await console.client.get(PAGE, params={"below": hostile})).status == 200


def message_ids(html: str) -> list[str]:
    return re.findall(r'name="m" value="(\d+)"', html)


async def label(console: Console, ids: list[str], csrf: bool = True, **form: str) -> Any:
    data: list[tuple[str, str]] = [("m", i) for i in ids] + list(form.items())
    if csrf:
        data.append(("csrf", await console.csrf(PAGE)))
    return await console.client.post(f"{PAGE}/labels", data=data, allow_redirects=False)


def labels(store: StaffStore) -> list[tuple[Any, ...]]:
    with store.engine.connect() as connection:
        return [
            (row.sender_id, row.text, row.intent, row.language)
            for row in connection.execute(sa.select(staff_labels).order_by(staff_labels.c.id))
        ]


async def test_labels_need_csrf_and_a_valid_intent(
    console: Console, store: StaffStore, unanswered_db: str
) -> None:
    await console.login("rev")  # reviewers label
    html = await (await console.client.get(PAGE)).text()
    group = message_ids(html.split("<section")[1])
    assert len(group) == 3
    for csrf in (False,):
        reply = await label(console, group, csrf=csrf, intent="ask_logistics", language="en")
        assert reply.status == 403
    forged = await console.client.post(
        f"{PAGE}/labels", data={"m": group[0], "intent": "ask_logistics", "csrf": "forged"}
    )
    assert forged.status == 403 and labels(store) == []
    for form, error in (
        ({"intent": "ask_fact", "language": "en"}, "error_label_intent"),
        ({"intent": "<script>", "language": "en"}, "error_label_intent"),
        ({"intent": "ask_logistics", "language": "de"}, "error_label_language"),
    ):
        reply = await label(console, group, **form)
        assert reply.status == 303 and reply.headers["Location"].endswith(f"error={error}")
    empty = await label(console, [], intent="ask_logistics", language="en")
    assert empty.headers["Location"].endswith("error=error_label_empty")
    assert labels(store) == []

    reply = await label(console, group, intent="ask_logistics", language="en", next=PAGE)
    assert reply.status == 303 and unquote(reply.headers["Location"]) == f"{PAGE}?done=done_label"
    assert sorted(labels(store)) == sorted(
        ("telegram:en", text, "ask_logistics", "en") for text in WIFI_EN
    )
    # Labelled again: one row per message, the new intent.
    await label(console, group[:1], intent="ask_venue", language="en")
    assert len(labels(store)) == 3 and [r[2] for r in labels(store)].count("ask_venue") == 1
    page = await (await console.client.get(f"{PAGE}?lang=en&done=done_label")).text()
    assert "Intent recorded" in page and "ask_venue (EN) · rev" in page
    assert WIFI_EN[0] not in await (await console.client.get(f"{PAGE}?unlabelled=1")).text()
    assert store.audit_entries(1)[0].action == "label"
    assert store.audit_entries(1)[0].detail == "1 message(s): ask_venue (en)"


async def test_erasure_and_purge_remove_labels(
    console: Console, store: StaffStore, unanswered_db: str, config: StaffConfig
) -> None:
    await console.login("alice")
    html = await (await console.client.get(PAGE)).text()
    await label(console, message_ids(html), intent="ask_logistics", language="fr")
    assert {row[0] for row in labels(store)} == {"web:fr", "telegram:en", "rest:mallory"}
    csrf = await console.csrf("/staff")
    erased = await console.client.post(
        "/staff/conversations/web:fr/erase", data={"csrf": csrf, "confirm": "yes"}
    )
    assert erased.status == 200
    assert {row[0] for row in labels(store)} == {"telegram:en", "rest:mallory"}
    conversations = Conversations(create_tracker_engine(config.tracker_store_url))
    assert purge(conversations, store, 1, "cli", NOW.replace(year=2016)) == 5
    assert labels(store) == []


def test_training_data_is_rasa_nlu_yaml_and_masked() -> None:
    masker = Masker(["Amina Diallo"], b"k" * 32)
    made = [
        Label("a", 1, "Y a-t-il du wifi ?", "ask_logistics", "fr", NOW, "rev"),
        Label("a", 2, "y a-t-il du WIFI ?", "ask_logistics", "fr", NOW, "rev"),  # duplicate
        Label(
            "b",
            3,
            "Écrivez à amina@example.org ou au +41 22 717 91 11",
            "ask_contact",
            "fr",
            NOW,
            "rev",
        ),
        Label(
            "c",
            4,
            "Status of CMC-2015-0002 for Amina   Diallo\nplease",
            "check_registration",
            "en",
            NOW,
            "r",
        ),
        Label("c", 5, "see [this](link): | - # 'quoted' \"too\"", "out_of_scope", "en", NOW, "r"),
    ]
    files = training_data(made, masker.text)
    assert sorted(files) == ["en", "fr"]
    french, english = yaml.safe_load(files["fr"]), yaml.safe_load(files["en"])
    for document, language in ((french, "fr"), (english, "en")):
        assert document["version"] == "3.1" and isinstance(document["nlu"], list)
        for item in document["nlu"]:
            assert set(item) == {"intent", "metadata", "examples"}
            assert item["metadata"] == {"language": language}
            assert all(line.startswith("- ") for line in item["examples"].splitlines())
    assert [item["intent"] for item in french["nlu"]] == ["ask_contact", "ask_logistics"]
    examples = {item["intent"]: item["examples"] for item in [*french["nlu"], *english["nlu"]]}
    assert examples["ask_logistics"] == "- Y a-t-il du wifi ?\n"
    assert examples["ask_contact"] == "- Écrivez à <email> ou au <phone>\n"
    assert examples["check_registration"] == "- Status of <reference> for <name> please\n"
    assert "](" not in examples["out_of_scope"]
    assert "examples: |" in files["fr"]  # the block style of data/nlu/


def test_training_export_command(
    tmp_path: Path, project_db: str, store: StaffStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    with store.engine.begin() as connection:
        connection.execute(
            staff_labels.insert(),
            [
                {
                    "sender_id": "web:x",
                    "event_id": 7,
                    "text": "Mon e-mail est ana@example.org, wifi ?",
                    "intent": "ask_logistics",
                    "language": "fr",
                    "at": NOW,
                    "actor": "rev",
                }
            ],
        )
    monkeypatch.setenv("DATABASE_URL", project_db)
    runner = CliRunner()
    out = tmp_path / "export"
    result = runner.invoke(cli, ["training", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["fr.yml"]
    document = yaml.safe_load((out / "fr.yml").read_text(encoding="utf-8"))
    assert document["nlu"][0]["examples"] == "- Mon e-mail est <email>, wifi ?\n"
    with store.engine.connect() as connection:
        action, actor = connection.execute(
            sa.select(staff_audit.c.action, staff_audit.c.actor).order_by(staff_audit.c.id.desc())
        ).first()  # type: ignore[misc]
    assert (action, actor) == ("training_export", "cli")
    root = Path(__file__).resolve().parent.parent
    for refused in (root / "data" / "nlu", root / "data"):
        result = runner.invoke(cli, ["training", "export", "--out", str(refused)])
        assert result.exit_code == 2 and "data/" in result.output
