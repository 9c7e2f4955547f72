"""The staff console's export (bot/staff/export.py, masking.py): streamed in batches,
masked (e-mail, phone, reference, participants' names, the name in the status replies,
sender ids), raw for admins only and audited, CSV formula injection neutralised, markup
inert. Same fixtures as tests/test_staff.py, on a tracker store of its own."""

# ruff: noqa: F811 - the fixtures imported from tests/test_staff.py are parameters here

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.participants.schema import participants
from bot.staff import app as staff_app
from bot.staff.config import StaffConfig
from bot.staff.conversations import Conversations, events
from bot.staff.export import FIELDS, neutralise
from bot.staff.masking import Masker
from tests.test_staff import (  # noqa: F401 - fixtures
    NOW,
    XSS,
    Console,
    add_conversation,
    clock,
    config,
    console,
    project_db,
    store,
    user,
)

SECRETS = [
    "amina.diallo@gouv.sn",
    "+41 22 717 91 11",
    "06 12 34 56 78",
    "CMC-2015-0001",
    "cmc 2015 0002",
    "Cmc_2015_0003",
    "Amina Diallo",
    "AMINA DIALLÒ",
    "Jean-Baptiste Okafor",
]
FORMULAS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)"]
STATUS_REPLY = (
    "Merci Jean-Baptiste Okafor. Votre inscription (CMC-2015-0001) est confirmée. "
    "Pour toute question : idmworkshop@iom.int."
)


@pytest.fixture
def tracker_db(tmp_path: Path, project_db: str) -> str:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    engine = sa.create_engine(url, future=True)
    events.metadata.create_all(engine)
    now = NOW.timestamp()
    add_conversation(
        engine,
        "whatsapp:+41790000000",
        now - 3600,
        "fr",
        [
            (
                user(f"Je suis Amina Diallo, {SECRETS[0]}, tel {SECRETS[1]}", "greet", 0.9),
                "Bonjour",
            ),
            (
                user(f"ma réf {SECRETS[4]} ou {SECRETS[5]}", "inform", 0.8, reference=SECRETS[3]),
                STATUS_REPLY,
            ),
            (
                user(f"{SECRETS[7]} au {SECRETS[2]}", "inform", 0.7),
                "Thank you, Ana Li. Your registration (CMC-2015-0009) is confirmed.",
            ),
        ],
    )
    add_conversation(
        engine,
        "rest:formulas",
        now - 7200,
        "en",
        [(user(text, "nlu_fallback", 0.2), text) for text in FORMULAS + XSS],
    )
    engine.dispose()
    project = sa.create_engine(project_db, future=True)
    stamp = datetime(2015, 9, 1, tzinfo=timezone.utc)
    with project.begin() as connection:
        for number, name in enumerate(["Amina Diallò", "Jean-Baptiste Okafor"], start=1):
            connection.execute(
                participants.insert().values(
                    reference=f"CMC-2015-000{number}",
                    full_name=name,
                    email=f"p{number}@example.org",
                    organisation="x",
                    country="y",
                    category="mayor",
                    status="confirmed",
                    language="fr",
                    created_at=stamp,
                    updated_at=stamp,
                )
            )
    project.dispose()
    return url


def parse_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def test_the_masked_csv_hides_personal_data_and_streams(console: Console) -> None:
    await console.login("rev")
    reply = await console.client.get("/staff/export.csv")
    assert reply.status == 200
    assert reply.headers["Transfer-Encoding"] == "chunked"
    assert reply.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert reply.headers["Content-Disposition"].startswith("attachment;")
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    body = (await reply.read()).decode("utf-8")
    assert body.splitlines()[0] == ",".join(FIELDS)
    for secret in SECRETS + ["whatsapp:+41790000000", "41790000000", "Ana Li", "CMC-2015-0009"]:
        assert secret.lower() not in body.lower(), secret
    rows = parse_csv(body)
    mine = [row for row in rows if row["channel"] == "whatsapp"]
    assert {row["conversation"] for row in mine} == {mine[0]["conversation"]}
    assert mine[0]["conversation"].startswith("c-")
    messages = [row["user_message"] for row in mine if row["user_message"]]
    assert messages[0] == "Je suis <name>, <email>, tel <phone>"
    assert messages[1] == "ma réf <reference> ou <reference>"
    assert messages[2] == "<name> au <phone>"
    replies = [row["replies"] for row in mine]
    assert any(r.startswith("Merci <name>. Votre inscription (<reference>)") for r in replies)
    assert any(r.startswith("Thank you, <name>. Your registration (<reference>)") for r in replies)
    assert any("reference=<reference>" in row["entities"] for row in mine)
    assert "idmworkshop@iom.int" not in body  # every address, even the organisers'


async def test_csv_formula_injection_is_neutralised(console: Console) -> None:
    await console.login("rev")
    rows = parse_csv(await (await console.client.get("/staff/export.csv?channel=rest")).text())
    messages = [row["user_message"] for row in rows if row["user_message"]]
    replies = [row["replies"] for row in rows if row["replies"]]
    for formula in FORMULAS:
        assert "'" + formula in messages and "'" + formula in replies
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@")), cell
    assert neutralise("=1") == "'=1" and neutralise("a=1") == "a=1"
    # Markup is data in a CSV served as an attachment, never rendered.
    assert XSS[0] in messages and XSS[1] in messages


async def test_jsonl_is_masked_and_has_no_markup(console: Console) -> None:
    await console.login("alice")
    reply = await console.client.get("/staff/export.jsonl")
    assert reply.status == 200 and reply.headers["Transfer-Encoding"] == "chunked"
    body = await reply.text()
    assert "<script" not in body and "<img" not in body and "<" not in body
    rows = [json.loads(line) for line in body.splitlines()]
    assert {tuple(row) for row in rows} == {FIELDS}
    texts = [row["user_message"] for row in rows]
    assert XSS[0] in texts  # the same text once parsed
    assert "Je suis <name>, <email>, tel <phone>" in texts
    for secret in SECRETS:
        assert secret.lower() not in json.dumps(rows, ensure_ascii=False).lower()


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
async def test_raw_export_is_for_admins_only_and_audited(
    console: Console, kind: str, store: object
) -> None:
    await console.login("rev")
    refused = await console.client.get(f"/staff/export.{kind}?raw=1")
    assert refused.status == 403
    assert "Amina" not in await refused.text()
    await console.login("alice")
    reply = await console.client.get(f"/staff/export.{kind}?raw=1&language=fr")
    assert reply.status == 200 and "-raw." in reply.headers["Content-Disposition"]
    body = await reply.text()
    assert "whatsapp:+41790000000" in body and SECRETS[0] in body and "rest:formulas" not in body
    entries = store.audit_entries(10)  # type: ignore[attr-defined]
    assert entries[0].action == "export_raw" and entries[0].actor == "alice"
    assert entries[0].detail == f"{kind}: raw=1&language=fr"
    masked = await console.client.get(f"/staff/export.{kind}?q=amina.diallo@gouv.sn")
    assert masked.status == 200
    entry = store.audit_entries(1)[0]  # type: ignore[attr-defined]
    assert entry.action == "export" and "gouv.sn" not in (entry.detail or "")


async def test_the_export_follows_the_list_filters(console: Console) -> None:
    await console.login("rev")
    fr = parse_csv(await (await console.client.get("/staff/export.csv?language=fr")).text())
    assert {row["channel"] for row in fr} == {"whatsapp"}
    nothing = await (await console.client.get("/staff/export.csv?q=' OR 1=1 --")).text()
    assert nothing.splitlines() == [",".join(FIELDS)]
    html = await (await console.client.get("/staff?language=fr")).text()
    assert 'href="/staff/export.csv?language=fr"' in html
    assert "raw=1" not in html  # reviewers are not offered the raw export


async def test_a_large_export_is_read_in_batches(
    aiohttp_client: object, config: StaffConfig, store: object, clock: object
) -> None:
    """120 conversations, 25 per batch: 5 queries of at most 25 conversations each,
    the response written batch by batch (never the whole set in memory)."""
    from aiohttp import web

    from bot import patches

    engine = sa.create_engine(config.tracker_store_url, future=True)
    for number in range(118):
        add_conversation(
            engine,
            f"web:bulk{number:03}",
            NOW.timestamp() - number * 60,
            "en",
            [(user(f"question {number} x@y.org", "ask_fact", 0.9), "answer")],
        )
    engine.dispose()
    small = StaffConfig(**{**vars(config), "export_batch_size": 25})
    app = staff_app.create_app(small, clock)  # type: ignore[arg-type]
    patches.install_web()
    parent = web.Application()
    parent.add_subapp("/staff", app)
    client = await aiohttp_client(parent)  # type: ignore[operator]
    console = Console(client, app)
    await console.indexed()
    await console.login("rev")
    sizes: list[int] = []
    original = Conversations.export_batch

    def spy(self: Conversations, senders: list[str]) -> object:
        batch = original(self, senders)
        sizes.append(len(batch))
        return batch

    Conversations.export_batch = spy  # type: ignore[assignment,method-assign]
    try:
        reply = await client.get("/staff/export.jsonl")
        chunks = []
        async for chunk, _ in reply.content.iter_chunks():
            chunks.append(chunk)
    finally:
        Conversations.export_batch = original  # type: ignore[method-assign]
    rows = [json.loads(line) for line in b"".join(chunks).decode().splitlines()]
    assert sizes == [25, 25, 25, 25, 20]
    assert len({row["conversation"] for row in rows}) == 120
    assert all("x@y.org" not in (row["user_message"] or "") for row in rows)


def test_name_masking_is_word_by_word_and_folded() -> None:
    masker = Masker(["Amina Diallò", "Li", "Jean-Baptiste Okafor"], b"k")
    assert (
        masker.text("amina DIALLO, Aminata Diallo, Li, Lia")
        == "<name>, Aminata Diallo, <name>, Lia"
    )
    assert masker.text("Merci Ana Li. Votre inscription") == "Merci <name>. Votre inscription"
    assert masker.text("Merci beaucoup.") == "Merci beaucoup."
    assert masker.pseudonym("web:a") == masker.pseudonym("web:a") != masker.pseudonym("web:b")
