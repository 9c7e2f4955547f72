"""The conversations' summary index (bot/staff/index.py) and its full-text search
(bot/staff/search.py), on an SQLite and a PostgreSQL project database (the tracker
store: an SQLite file): incremental steps, the lag, two replicas, every filter, the
search's folding and hostile input, erasure and purge. Steps are called directly, with
a fake clock: no sleep."""

# ruff: noqa: F811 - the fixtures imported from tests/test_staff.py are parameters here

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from bot.__main__ import cli
from bot.i18n import strings as catalogue
from bot.participants.migrate import upgrade
from bot.participants.store import create_engine
from bot.staff import app as staff_app
from bot.staff import index as index_module
from bot.staff import search
from bot.staff.accounts import StaffStore
from bot.staff.conversations import Conversations, Filters, create_tracker_engine, events
from bot.staff.dashboard import abstention_phrases
from bot.staff.index import Index
from bot.staff.retention import erase, purge
from bot.staff.reviews import Reviews
from bot.staff.schema import (
    SEARCH_TABLE,
    staff_conversation_labels,
    staff_conversations,
    staff_daily,
    staff_saved_filters,
)
from tests.conftest import Clock
from tests.test_staff import (  # noqa: F401 - fixtures
    DAY,
    NOW,
    Console,
    Event,
    MakeClient,
    add_conversation,
    clock,
    config,
    console,
    insert_events,
    linked,
    project_db,
    store,
    tracker_db,
    turn_events,
    user,
)
from tests.test_staff_retention import start, until

ABSTENTION = abstention_phrases()[0]


def registration_check(outcome: str) -> list[Event]:
    message = user("Mon inscription ? CMC-2015-0001 a@b.org", "check_registration", 0.97)
    return [
        (message, "check_registration", None),
        (
            {"event": "action", "name": "action_check_registration"},
            None,
            "action_check_registration",
        ),
        (
            {
                "event": "bot",
                "text": "Merci, Amina. Votre inscription est confirmée.",
                "metadata": {"utter_action": f"utter_registration_{outcome}"},
            },
            None,
            None,
        ),
    ]


@pytest.fixture
def tracker(tmp_path: Path) -> Iterator[sa.engine.Engine]:
    """Five conversations: a question on the conference (fr), an abstention (en), a
    fallback (fr), a registration check (fr), a request for a person (en)."""
    engine = create_tracker_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    events.metadata.create_all(engine)
    now = NOW.timestamp()
    add_conversation(
        engine,
        "web:conf",
        now - 5000,
        "fr",
        [(user("Quand a lieu la conférence ?", "ask_fact", 0.93, answer_facts="dates"), "Les 26.")],
    )
    add_conversation(
        engine,
        "telegram:visa",
        now - 4000,
        "en",
        [(user("Do I need a visa for Geneva?", "ask_question", 0.61), ABSTENTION)],
    )
    rows = [({"event": "slot", "name": "language", "value": "fr"}, None, "language")]
    rows += turn_events(
        user("blablabla xyz", "nlu_fallback", 0.21), "nlu_fallback", "action_default_fallback", "?"
    )
    insert_events(engine, "whatsapp:+41", now - 3000, rows)
    insert_events(engine, "web:check", now - 2000, registration_check("confirmed"))
    add_conversation(
        engine,
        "rest:human",
        now - 1000,
        "en",
        [(user("I want to talk to a person", "request_human", 0.88), "IDM contacts...")],
    )
    yield engine
    engine.dispose()


@pytest.fixture
def project(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[sa.engine.Engine]:
    monkeypatch.setenv("PARTICIPANT_HASH_KEY", "test-only-key")
    upgrade(database_url)
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def index(project: sa.engine.Engine, tracker: sa.engine.Engine) -> Index:
    built = Index(project, Conversations(tracker), Clock(), "test")
    built.catch_up()
    return built


def shown(index: Index, **filters: Any) -> set[str]:
    rows, more = index.page(Filters(**filters), 1, 100)
    assert not more
    assert index.count(Filters(**filters)) == len(rows)
    return {row.sender_id for row in rows}


def row_of(index: Index, sender: str) -> Any:
    with index.engine.connect() as connection:
        return connection.execute(
            sa.select(staff_conversations).where(staff_conversations.c.sender_id == sender)
        ).one()


def search_rows(engine: sa.engine.Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.text(f"SELECT count(*) FROM {SEARCH_TABLE}")).scalar_one())


def label_rows(engine: sa.engine.Engine, sender: str | None = None) -> list[str]:
    labels = staff_conversation_labels
    query = sa.select(labels.c.label).order_by(labels.c.label)
    if sender is not None:
        query = query.where(labels.c.sender_id == sender)
    with engine.connect() as connection:
        return list(connection.execute(query).scalars())


def test_the_index_folds_each_conversation(index: Index) -> None:
    conf = row_of(index, "web:conf")
    assert (conf.channel, conf.language, conf.turns) == ("web", "fr", 1)
    assert conf.first_message == "Quand a lieu la conférence ?"
    assert conf.started == NOW.timestamp() - 5000 + 1 and conf.min_confidence == 0.93
    assert not (conf.abstained or conf.fell_back) and conf.registration is None
    assert label_rows(index.engine, "web:conf") == ["fact:dates", "intent:ask_fact"]
    assert row_of(index, "telegram:visa").abstained
    assert row_of(index, "whatsapp:+41").fell_back
    check = row_of(index, "web:check")
    assert (check.registration, check.language, check.channel) == ("confirmed", None, "web")
    human = row_of(index, "rest:human")
    assert human.first_request == human.last_request is not None
    assert search_rows(index.engine) == 5


def test_new_events_are_folded_incrementally(index: Index, tracker: sa.engine.Engine) -> None:
    assert index.progress().behind == 0
    assert index.step() == 0  # nothing new: nothing read but the cursor
    before = row_of(index, "web:conf")
    insert_events(
        tracker,
        "web:conf",
        NOW.timestamp(),
        [
            ({"event": "slot", "name": "language", "value": "en"}, None, "language"),
            *turn_events(
                user("And the visa?", "ask_question", 0.4), "ask_question", "utter_answer", "?"
            ),
            *turn_events(
                user("a human please", "request_human", 0.9), "request_human", "utter_x", "ok"
            ),
        ],
    )
    progress = index.progress()
    assert progress.behind == 9 and progress.newest == progress.position + 9  # the lag
    assert index.step(batch=4) == 4  # the cursor moves by batches
    assert index.progress().behind == 5
    assert index.step() == 5 and index.progress().behind == 0
    after = row_of(index, "web:conf")
    assert (after.turns, after.language, after.min_confidence) == (3, "en", 0.4)
    assert after.first_message == before.first_message and after.started == before.started
    assert after.last_active == NOW.timestamp() + 9 and after.first_request is not None
    assert "intent:request_human" in label_rows(index.engine, "web:conf")
    assert shown(index, search="visa") == {"web:conf", "telegram:visa"}
    assert shown(index, person_requested=True) == {"web:conf", "rest:human"}


def test_before_rasa_starts_there_is_nothing_to_index(
    project: sa.engine.Engine, tmp_path: Path
) -> None:
    missing = Conversations(create_tracker_engine(f"sqlite:///{tmp_path / 'none.db'}"))
    index = Index(project, missing)
    assert index.step() == 0 and index.progress().behind == 0
    assert index.page(Filters(), 1, 50) == ([], False)
    assert not (tmp_path / "none.db").exists()


def test_two_replicas_never_fold_a_batch_twice(
    project: sa.engine.Engine, tracker: sa.engine.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Replica B steps while A is between reading its batch and writing it: B's write
    wins, A's conditional UPDATE changes nothing and A writes nothing."""
    first = Index(project, Conversations(tracker), Clock(), "a")
    second = Index(project, Conversations(tracker), Clock(), "b")
    real = index_module.fold
    interleaved: list[int] = []

    def fold_then_let_b_in(rows: Any) -> Any:
        if not interleaved:
            interleaved.append(0)
            interleaved[0] = second.step()
        return real(rows)

    monkeypatch.setattr(index_module, "fold", fold_then_let_b_in)
    assert first.step() == 0
    assert interleaved[0] > 0
    assert row_of(first, "web:conf").turns == 1 and search_rows(project) == 5


def test_concurrent_replicas_count_each_turn_once(
    project: sa.engine.Engine, tracker: sa.engine.Engine
) -> None:
    replicas = [Index(project, Conversations(tracker), Clock(), name) for name in "abc"]
    for number in range(30):
        add_conversation(
            tracker,
            f"web:many{number}",
            NOW.timestamp() + number,
            "fr",
            [(user(f"question {n}", "ask_fact", 0.9), "r") for n in range(3)],
        )
    folded = [0] * len(replicas)

    def work(position: int) -> None:
        while replicas[position].progress().behind:
            folded[position] += replicas[position].step(batch=7)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(len(replicas))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with project.connect() as connection:
        turns = connection.execute(sa.select(sa.func.sum(staff_conversations.c.turns))).scalar()
    with tracker.connect() as connection:
        expected = connection.execute(
            sa.select(sa.func.count()).where(events.c.type_name == "user")
        ).scalar()
        total = connection.execute(sa.select(sa.func.count()).select_from(events)).scalar()
    assert turns == expected == 5 + 90 and sum(folded) == total
    assert search_rows(project) == expected


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"unanswered": "abstention"}, {"telegram:visa"}),
        ({"unanswered": "fallback"}, {"whatsapp:+41"}),
        ({"unanswered": "either"}, {"telegram:visa", "whatsapp:+41"}),
        ({"registration": "any"}, {"web:check"}),
        ({"registration": "confirmed"}, {"web:check"}),
        ({"registration": "not_found"}, set()),
        ({"intent": "ask_question"}, {"telegram:visa"}),
        ({"fact": "dates"}, {"web:conf"}),
        ({"below": 0.6}, {"whatsapp:+41"}),
        ({"below": 0.9}, {"whatsapp:+41", "telegram:visa", "rest:human"}),
        ({"language": "en", "channel": "rest"}, {"rest:human"}),
        ({"person_requested": True}, {"rest:human"}),
        ({"intent": "ask_question", "language": "fr"}, set()),
    ],
)
def test_each_filter(index: Index, filters: dict[str, Any], expected: set[str]) -> None:
    assert shown(index, **filters) == expected


def test_tag_and_reviewed_filters_read_the_review_tables(index: Index) -> None:
    reviews = Reviews(index.engine, Clock())
    reviews.add_tags(["web:conf", "rest:human"], ["à revoir"], "rev")
    reviews.set_reviewed(["web:conf"], True, "rev")
    assert shown(index, tag="à revoir") == {"web:conf", "rest:human"}
    assert shown(index, reviewed="yes") == {"web:conf"}
    assert shown(index, reviewed="no", tag="à revoir") == {"rest:human"}


def test_new_filters_are_in_the_query_and_saved(index: Index) -> None:
    query = {
        "unanswered": "either",
        "registration": "not_found",
        "intent": "ask_fact",
        "fact": "dates",
        "below": "0,5",
    }
    filters = Filters.from_query(query)
    assert (filters.unanswered, filters.registration, filters.below) == ("either", "not_found", 0.5)
    assert dict(filters.to_query()) == {**query, "below": "0.5"}
    wrong = Filters.from_query(
        {"unanswered": "x", "registration": "found'", "intent": "a b", "fact": "é", "below": "2"}
    )
    assert wrong == Filters()


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("conference", {"web:conf"}),  # accents folded in the message
        ("CONFÉRENCE", {"web:conf"}),
        ("conférences", {"web:conf"}),  # PostgreSQL: the stem; SQLite: not a prefix
        ("Conf", {"web:conf"}),  # the start of a word
        ("lieu quand", {"web:conf"}),  # every word, any order
        ("visa geneva", {"telegram:visa"}),
        ("talk person", {"rest:human"}),
        ("visa conférence", set()),  # not in one message
        ("ference", set()),  # not the start of a word
    ],
)
def test_search_in_both_languages(
    index: Index, database_url: str, search: str, expected: set[str]
) -> None:
    if search == "conférences" and database_url.startswith("sqlite"):
        expected = set()  # FTS5's unicode61 does not stem
    assert shown(index, search=search) == expected


@pytest.mark.parametrize(
    "hostile",
    [
        "' OR 1=1 --",
        "'); DROP TABLE staff_search; --",
        '"conference',
        "conf*",
        "visa NEAR geneva",
        "NEAR(visa geneva)",
        "-visa",
        "(visa",
        "text:visa",
        "sender_id:web",
        "visa & !geneva | x:*",
        "\\",
        "x" * 10_000,
        "é" * 10_000,
        "conférence " * 1_000,
    ],
)
def test_hostile_searches_are_plain_words(index: Index, hostile: str) -> None:
    """Quotes, `*`, NEAR, `-`, parentheses, `:`, tsquery operators, SQL and 10,000
    characters are words or separators: the results of the plain words, never an
    error, and nothing changed."""
    plain = " ".join(search.words(hostile))
    assert shown(index, search=hostile) == (shown(index, search=plain) if plain else set())
    assert search_rows(index.engine) == 5


def test_hostile_searches_find_what_their_words_find(index: Index) -> None:
    assert shown(index, search='"conference') == shown(index, search="conf*") == {"web:conf"}
    assert shown(index, search="-visa") == shown(index, search="(visa") == {"telegram:visa"}
    assert shown(index, search="visa NEAR geneva") == set()  # "near" is in no message
    assert shown(index, search="' OR 1=1 --") == set()


def test_search_words_are_folded_cut_and_without_syntax() -> None:
    assert search.words("Conférence: l'OIM -visa* NEAR(x)") == [
        "conference",
        "l",
        "oim",
        "visa",
        "near",
        "x",
    ]
    assert search.words("%_'\"") == []
    assert len(search.words(" ".join(f"w{n}" for n in range(500)))) == search.WORDS_MAX
    assert search.words("a" * 1000) == ["a" * search.WORD_MAX]


def test_erase_and_purge_leave_no_index_rows(index: Index, project: sa.engine.Engine) -> None:
    store = StaffStore(project, Clock())
    assert erase(index.conversations, store, "web:conf", "ana") > 0
    assert "web:conf" not in shown(index)
    assert label_rows(project, "web:conf") == []
    assert shown(index, search="conference") == set() and search_rows(project) == 4
    assert purge(index.conversations, store, 1, "cli", NOW.replace(year=2016)) == 4
    assert shown(index) == set() and label_rows(project) == [] and search_rows(project) == 0
    assert index.step() == 0  # nothing comes back


def test_an_erasure_during_a_step_is_not_undone(
    index: Index, tracker: sa.engine.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A step that read a conversation's new events before its erasure does not write
    them after it: the erasure raised the cursor's generation."""
    store = StaffStore(index.engine, Clock())
    insert_events(
        tracker,
        "web:conf",
        NOW.timestamp(),
        turn_events(user("encore", "ask_fact", 0.9), "ask_fact", "utter_answer", "r"),
    )
    real = index_module.fold
    erased: list[int] = []

    def fold_then_erase(rows: Any) -> Any:
        if not erased:
            erased.append(erase(index.conversations, store, "web:conf", "ana"))
        return real(rows)

    monkeypatch.setattr(index_module, "fold", fold_then_erase)
    assert index.step() == 0
    monkeypatch.setattr(index_module, "fold", real)
    assert index.step() == 0 and index.progress().behind == 0
    assert "web:conf" not in shown(index) and label_rows(index.engine, "web:conf") == []
    assert shown(index, search="encore") == set()


async def test_the_app_indexes_a_new_message_within_a_second(
    aiohttp_client: MakeClient, config: Any, store: StaffStore, clock: Clock
) -> None:
    """The background task: a conversation appended while the app runs reaches the
    index without any request (interval 10 ms here); cancelled on shutdown."""
    app = await start(aiohttp_client, replace(config, index_interval=0.01), clock)
    index = app[staff_app.INDEX_KEY]
    await until(lambda: index.progress().behind == 0 and index.progress().position > 0)
    tracker = sa.create_engine(config.tracker_store_url, future=True)
    add_conversation(
        tracker, "web:late", NOW.timestamp(), "en", [(user("Hello there", "greet", 0.9), "Hi")]
    )
    tracker.dispose()
    await until(lambda: "web:late" in {r.sender_id for r in index.page(Filters(), 1, 50)[0]}, 1.0)
    task = app[staff_app.INDEX_TASK_KEY]
    await app.shutdown()
    await app.cleanup()
    assert task.cancelled()
    assert "staff-index" not in {t.get_name() for t in asyncio.all_tasks() if not t.done()}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("unanswered=fallback", ["rest:mallory"]),
        ("unanswered=abstention", []),
        ("below=0.6", ["rest:mallory", "telegram:42"]),
        ("intent=greet", ["whatsapp:+41000"]),
        ("intent=greet&language=en", []),
        ("registration=any", []),
        ("q=conference&language=fr", ["web:alice"]),
    ],
)
async def test_the_list_page_filters(console: Console, query: str, expected: list[str]) -> None:
    await console.login("rev")
    found: list[str] = []
    for page in (1, 2):
        html = await (await console.client.get(f"/staff?{query}&page={page}&lang=en")).text()
        found += linked(html)
        assert f"{len(expected)} conversation(s) in all" in html
    assert sorted(found) == expected


@pytest.mark.parametrize("language", ["fr", "en"])
async def test_the_new_filters_have_labelled_controls(console: Console, language: str) -> None:
    strings = catalogue("staff", language)
    await console.login("rev")
    query = "unanswered=either&registration=not_found&intent=greet&fact=dates&below=0.5"
    html = await (await console.client.get(f"/staff?{query}&lang={language}")).text()
    html = html.replace("&#39;", "'")
    for key, control in (
        ("unanswered_filter", "unanswered"),
        ("registration_filter", "registration"),
        ("intent_filter", "intent"),
        ("fact_filter", "fact"),
        ("below_filter", "below"),
    ):
        assert f'<label for="{control}">{strings[key]}</label>' in html, key
    assert '<option value="either" selected>' in html
    assert '<option value="not_found" selected>' in html
    assert 'name="intent" type="text" maxlength="64" list="known-intents" value="greet"' in html
    assert 'value="0.5"' in html and '<option value="request_human">' in html
    # Saving them keeps every parameter.
    assert f'name="query" value="{query.replace("&", "&amp;")}"' in html
    csrf = await console.csrf("/staff")
    await console.client.post("/staff/filters", data={"csrf": csrf, "name": "n", "query": query})
    with console.app[staff_app.STORE_KEY].engine.connect() as connection:
        assert connection.execute(sa.select(staff_saved_filters.c.query)).scalars().all() == [query]


def _event_row(event_id: int, sender: str, t: float, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": event_id,
        "sender_id": sender,
        "type_name": data["event"],
        "timestamp": t,
        "intent_name": data.get("parse_data", {}).get("intent", {}).get("name"),
        "action_name": data.get("name") if data["event"] == "action" else None,
        "data": json.dumps({**data, "timestamp": t}),
    }


def _newest(tracker: sa.engine.Engine) -> int:
    with tracker.connect() as connection:
        return int(connection.execute(sa.select(sa.func.max(events.c.id))).scalar_one())


def test_an_event_committed_after_a_later_one_is_folded_once(
    index: Index, tracker: sa.engine.Engine
) -> None:
    """Two Rasa processes on PostgreSQL: the event with the smaller id commits after
    the indexer read the larger one. The missing id is a gap, read again at each step
    until it appears (folded once) or is older than GAP_TIMEOUT (dropped)."""
    clock = Clock()
    clock.now = NOW
    index.clock = clock
    now, first = NOW.timestamp(), _newest(tracker) + 1
    with tracker.begin() as connection:  # first + 2 committed; first, first + 1 not yet
        connection.execute(
            events.insert(),
            [_event_row(first + 2, "web:late", now, user("deux", "ask_fact", 0.9))],
        )
    assert index.step() == 1
    assert row_of(index, "web:late").turns == 1
    assert sorted(index._gaps()) == [first, first + 1]
    with tracker.begin() as connection:  # the late commit
        connection.execute(
            events.insert(), [_event_row(first, "web:late", now - 1, user("un", "greet", 0.8))]
        )
    clock.now = NOW + timedelta(seconds=30)
    assert index.step() == 1  # the late event, from its gap
    late = row_of(index, "web:late")
    assert late.turns == 2 and late.started == now - 1
    assert "intent:greet" in label_rows(index.engine, "web:late")
    assert sorted(index._gaps()) == [first + 1]
    assert index.step() == 0 and row_of(index, "web:late").turns == 2  # not folded twice
    clock.now = NOW + timedelta(seconds=index_module.GAP_TIMEOUT + 1)
    index.step()  # first + 1 never came (a rolled back transaction): dropped
    assert index._gaps() == {}
    assert index.step() == 0 and row_of(index, "web:late").turns == 2


def test_old_holes_are_not_gaps(index: Index, tracker: sa.engine.Engine) -> None:
    """Ids missing between old events (deleted conversations, a catch-up) are not
    waited for: only holes before an event of the last GAP_TIMEOUT seconds are."""
    clock = Clock()
    clock.now = NOW
    index.clock = clock
    first = _newest(tracker) + 1
    with tracker.begin() as connection:
        connection.execute(
            events.insert(),
            [_event_row(first + 5, "web:old", NOW.timestamp() - 3600, user("x", "greet", 1.0))],
        )
    assert index.step() == 1 and index._gaps() == {}


def test_sqlite_ids_given_again_after_an_erasure_are_folded(
    index: Index, tracker: sa.engine.Engine
) -> None:
    """Rasa's SQLite table has no AUTOINCREMENT: erasing the newest conversation gives
    its ids to the next events, at or below the cursor. The erasure records them as
    gaps without timeout; the next events are folded once, and the cursor goes on."""
    store = StaffStore(index.engine, Clock())
    newest = _newest(tracker)
    assert erase(index.conversations, store, "rest:human", "ana") > 0
    left = _newest(tracker)
    assert left < newest and index.progress().position == newest
    assert sorted(index._gaps()) == list(range(left + 1, newest + 1))
    index.clock = lambda: NOW + timedelta(days=1)  # these gaps never time out
    assert index.step() == 0
    turn = turn_events(user("me again", "greet", 0.9), "greet", "utter_greet", "hi")
    insert_events(tracker, "web:new", NOW.timestamp(), turn * 3)  # 12 events
    assert _newest(tracker) == left + 12 and left + 12 > newest  # the ids again, and more
    assert index.step() == 12
    assert row_of(index, "web:new").turns == 3 and index._gaps() == {}
    assert index.progress() == index_module.Progress(left + 12, left + 12)
    assert index.step() == 0 and row_of(index, "web:new").turns == 3


def test_the_count_stops_at_its_cap(index: Index) -> None:
    assert index.count(Filters()) == 5
    assert index.count(Filters(), cap=2) == 3  # "more than 2"
    assert index.count(Filters(language="en"), cap=2) == 2


async def test_the_list_says_more_than_the_cap(
    console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(staff_app, "COUNT_CAP", 1)
    await console.login("rev")
    html = await (await console.client.get("/staff?lang=en")).text()
    assert "more than 1 conversations" in html and "in all" not in html
    html = await (await console.client.get("/staff?lang=fr")).text()
    assert "plus de 1 conversations" in html


def test_reindex_rebuilds_the_index(
    index: Index, tracker: sa.engine.Engine, project: sa.engine.Engine
) -> None:
    """`python -m bot staff reindex`: emptied and folded again, the same rows and daily
    counts; audited; refused (exit 2) below head, by tests/test_migrations.py."""
    before = {s: row_of(index, s) for s in shown(index)}
    with project.connect() as connection:
        daily = sorted(connection.execute(sa.select(staff_daily)).all())
    with project.begin() as connection:  # drifted: a row of nothing, counts doubled
        connection.execute(staff_conversation_labels.delete())
        connection.execute(staff_daily.update().values(count=staff_daily.c.count * 2))
    result = CliRunner().invoke(
        cli,
        ["staff", "reindex"],
        env={
            "DATABASE_URL": project.url.render_as_string(hide_password=False),
            "TRACKER_STORE_URL": tracker.url.render_as_string(hide_password=False),
        },
    )
    assert result.exit_code == 0, result.output
    assert result.output == f"reindexed: {_newest(tracker)} event(s) folded\n"
    assert {s: row_of(index, s) for s in shown(index)} == before
    with project.connect() as connection:
        assert sorted(connection.execute(sa.select(staff_daily)).all()) == daily
    assert label_rows(project, "web:conf") == ["fact:dates", "intent:ask_fact"]
    assert search_rows(project) == 5
    audit = [e for e in StaffStore(project, Clock()).audit_entries(10) if e.action == "reindex"]
    assert len(audit) == 2 and audit[0].detail.startswith(f"{_newest(tracker)} events folded")
