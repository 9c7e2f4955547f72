"""Participant store, on SQLite and on the machine's PostgreSQL: matching, rate
limits, audit, CSV import/export and the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.participants import csvio
from bot.participants.migrate import upgrade
from bot.participants.references import normalise_email, normalise_reference
from bot.participants.schema import lookup_attempts, participants
from bot.participants.store import LOCKED, MATCH, MISMATCH, ParticipantStore, create_engine

ROOT = Path(__file__).resolve().parent.parent
CSV = (
    "reference,full_name,email,organisation,country,category,status,language\n"
    "CMC-2015-0001,Amina Diallo,a.diallo@gouv.sn,Ministère de l'Urbanisme,Sénégal,"
    "minister,confirmed,fr\n"
    "cmc-2015-0002,John Okafor,J.Okafor@lagos.gov.ng,Lagos State,Nigeria,"
    "local_authority,waitlisted,en\n"
    "CMC-2015-0003,Marie Dupont,marie.dupont@mairie-lyon.fr,Ville de Lyon,France,mayor,pending,fr\n"
)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2015, 10, 1, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def seeded(database_url: str, tmp_path: Path) -> Iterator[tuple[ParticipantStore, Clock]]:
    upgrade(database_url)
    engine = create_engine(database_url)
    path = tmp_path / "seed.csv"
    path.write_text(CSV, encoding="utf-8")
    rows, errors = csvio.read_participants(path)
    assert errors == []
    csvio.upsert(engine, rows)
    clock = Clock()
    yield ParticipantStore(engine, key=b"test-key", clock=clock), clock
    engine.dispose()


@pytest.mark.parametrize(
    ("text", "reference"),
    [
        ("CMC-2015-0002", "CMC-2015-0002"),
        ("cmc 2015 0002", "CMC-2015-0002"),
        ("my ref is CMC20150002 thanks", "CMC-2015-0002"),
        ("cmc_2015-0042", "CMC-2015-0042"),
        ("CMC-15-2", None),
        ("2015-0002", None),
    ],
)
def test_reference_formats(text: str, reference: str | None) -> None:
    assert normalise_reference(text) == reference


def test_email_normalisation() -> None:
    assert normalise_email("  mail: J.Okafor@Lagos.GOV.ng. ") == "j.okafor@lagos.gov.ng"
    assert normalise_email("no address here") is None


def test_match_needs_reference_and_email(seeded: tuple[ParticipantStore, Clock]) -> None:
    store, _ = seeded
    result = store.check("cmc 2015 0002", " J.OKAFOR@lagos.gov.ng ", "telegram:1")
    assert result.outcome == MATCH and result.participant
    assert (result.participant.full_name, result.participant.status) == (
        "John Okafor",
        "waitlisted",
    )


def test_unknown_reference_and_wrong_email_look_the_same(
    seeded: tuple[ParticipantStore, Clock],
) -> None:
    store, _ = seeded
    wrong_email = store.check("CMC-2015-0002", "someone@else.org", "s1")
    unknown = store.check("CMC-2015-9999", "j.okafor@lagos.gov.ng", "s2")
    no_email = store.check("CMC-2015-0002", "", "s3")
    assert wrong_email == unknown == no_email
    assert wrong_email.outcome == MISMATCH and wrong_email.participant is None


def test_five_failures_in_a_conversation_lock_it_for_15_minutes(
    seeded: tuple[ParticipantStore, Clock],
) -> None:
    store, clock = seeded
    for _ in range(5):
        assert store.check("CMC-2015-0001", "bad@x.org", "attacker").outcome == MISMATCH
    # Even the right pair is refused now, in this conversation only.
    assert store.check("CMC-2015-0001", "a.diallo@gouv.sn", "attacker").outcome == LOCKED
    assert store.check("CMC-2015-0001", "a.diallo@gouv.sn", "someone-else").outcome == MATCH
    clock.now += timedelta(minutes=16)
    assert store.check("CMC-2015-0001", "a.diallo@gouv.sn", "attacker").outcome == MATCH


def test_the_lock_lasts_15_minutes_from_the_failure_that_triggered_it(
    seeded: tuple[ParticipantStore, Clock],
) -> None:
    store, clock = seeded
    for _ in range(5):
        assert store.check("CMC-2015-0001", "bad@x.org", "slow").outcome == MISMATCH
        clock.now += timedelta(minutes=3)
    # The 5th failure was 3 minutes ago; the first one 15 minutes ago.
    assert store.check("CMC-2015-0001", "a.diallo@gouv.sn", "slow").outcome == LOCKED
    clock.now += timedelta(minutes=11)
    assert store.check("CMC-2015-0001", "a.diallo@gouv.sn", "slow").outcome == LOCKED
    clock.now += timedelta(minutes=2)
    assert store.check("CMC-2015-0001", "a.diallo@gouv.sn", "slow").outcome == MATCH


def test_ten_failures_on_one_reference_lock_it_for_everyone(
    seeded: tuple[ParticipantStore, Clock],
) -> None:
    store, clock = seeded
    for i in range(10):
        assert store.check("CMC-2015-0003", "bad@x.org", f"sender-{i}").outcome == MISMATCH
    assert store.check("CMC-2015-0003", "marie.dupont@mairie-lyon.fr", "new").outcome == LOCKED
    assert store.check("CMC-2015-0001", "a.diallo@gouv.sn", "new").outcome == MATCH
    clock.now += timedelta(minutes=15, seconds=1)
    assert store.check("CMC-2015-0003", "marie.dupont@mairie-lyon.fr", "new").outcome == MATCH


def test_attempts_are_audited_without_email_or_sender_in_clear(
    seeded: tuple[ParticipantStore, Clock],
) -> None:
    store, _ = seeded
    store.check("CMC-2015-0001", "a.diallo@gouv.sn", "whatsapp:+41790000000")
    store.check("CMC-2015-0001", "wrong@x.org", "whatsapp:+41790000000")
    with store.engine.connect() as connection:
        rows = connection.execute(sa.select(lookup_attempts)).all()
    assert [r.outcome for r in rows] == [MATCH, MISMATCH]
    dump = repr(rows)
    assert "gouv.sn" not in dump and "wrong@" not in dump and "41790000000" not in dump
    assert rows[0].sender_hash == store.sender_hash("whatsapp:+41790000000")


def test_import_is_an_upsert_with_counts(
    seeded: tuple[ParticipantStore, Clock], tmp_path: Path
) -> None:
    store, _ = seeded
    path = tmp_path / "update.csv"
    path.write_text(
        "\ufeff"
        + CSV.replace("waitlisted", "confirmed")
        + "CMC-2015-0004,Li Wei,li.wei@example.org,,China,academic,pending,en\n",
        encoding="utf-8",
    )
    rows, errors = csvio.read_participants(path)
    assert errors == []
    report = csvio.upsert(store.engine, rows)
    assert (report.inserted, report.updated, report.unchanged) == (1, 1, 2)
    assert store.get("CMC-2015-0002").status == "confirmed"  # type: ignore[union-attr]
    out = tmp_path / "out.csv"
    assert csvio.export(store.engine, out) == 4
    again, _ = csvio.read_participants(out)
    assert csvio.upsert(store.engine, again).unchanged == 4


def test_every_bad_row_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        CSV
        + "CMC-2015-0005,,nobody@x.org,,,mayor,confirmed,fr\n"
        + "CMC-2015-0006,Ana,not-an-email,,,astronaut,maybe,de\n"
        + "XYZ,Bob,bob@x.org,,,mayor,confirmed,fr\n"
        + "cmc-2015-0001,Dup,dup@x.org,,,mayor,confirmed,fr\n",
        encoding="utf-8",
    )
    _, errors = csvio.read_participants(path)
    by_line: dict[int, list[str]] = {}
    for error in errors:
        by_line.setdefault(error.line, []).append(error.reason)
    assert sorted(by_line) == [5, 6, 7, 8]
    assert len(by_line[6]) == 4  # email, category, status, language
    assert "already on line 2" in by_line[8][0]


def run_cli(*args: str, database: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_import_is_all_or_nothing(database_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(CSV + "CMC-2015-0009,X,x@x.org,,,alien,confirmed,fr\n", encoding="utf-8")
    run = run_cli("participants", "import", str(bad), database=database_url)
    assert run.returncode != 0
    assert "line 5" in run.stderr and "nothing was imported" in run.stderr
    good = tmp_path / "good.csv"
    good.write_text(CSV, encoding="utf-8")
    run = run_cli("participants", "import", str(good), database=database_url)
    assert run.returncode == 0, run.stderr
    assert "inserted 3, updated 0, unchanged 0" in run.stdout
    engine = create_engine(database_url)
    with engine.connect() as connection:
        assert (
            connection.execute(sa.select(sa.func.count()).select_from(participants)).scalar_one()
            == 3
        )
    engine.dispose()
    shown = run_cli("participants", "show", "cmc 2015 0003", database=database_url)
    assert "Marie Dupont" in shown.stdout and "pending" in shown.stdout


def test_cli_rejects_a_wrong_header(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("ref,name\nCMC-2015-0001,A\n", encoding="utf-8")
    run = run_cli("participants", "import", str(path), database=f"sqlite:///{tmp_path}/p.db")
    assert run.returncode != 0 and "header must be exactly" in run.stderr
    assert not (tmp_path / "p.db").exists()


def test_cli_help_is_in_english() -> None:
    run = run_cli("participants", "--help", database="sqlite://")
    assert run.returncode == 0 and "Import, export and look up" in run.stdout
