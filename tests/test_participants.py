"""Participant store, on SQLite and on the machine's PostgreSQL: matching, rate
limits, audit, CSV import/export and the CLI."""

from __future__ import annotations

import subprocess
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy.pool import QueuePool

from bot.nlu.formats import normalise_email, normalise_reference
from bot.participants import csvio
from bot.participants.migrate import alembic_config, upgrade
from bot.participants.schema import lookup_attempts, participants
from bot.participants.store import (
    LOCKED,
    MATCH,
    MAX_REFERENCE_DELAY,
    MISMATCH,
    THROTTLED,
    ParticipantStore,
    create_engine,
    reference_delay,
)
from tests.conftest import Clock, invoke

ROOT = Path(__file__).resolve().parent.parent
CSV = (
    "reference,full_name,email,organisation,country,category,status,language\n"
    "CMC-2015-0001,Amina Diallo,a.diallo@gouv.sn,Ministère de l'Urbanisme,Sénégal,"
    "minister,confirmed,fr\n"
    "cmc-2015-0002,John Okafor,J.Okafor@lagos.gov.ng,Lagos State,Nigeria,"
    "local_authority,waitlisted,en\n"
    "CMC-2015-0003,Marie Dupont,marie.dupont@mairie-lyon.fr,Ville de Lyon,France,mayor,pending,fr\n"
)


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


def outcomes(store: ParticipantStore) -> list[str]:
    with store.engine.connect() as connection:
        return list(
            connection.execute(
                sa.select(lookup_attempts.c.outcome).order_by(lookup_attempts.c.id)
            ).scalars()
        )


def test_five_failures_in_a_conversation_lock_it_for_15_minutes(
    seeded: tuple[ParticipantStore, Clock],
) -> None:
    store, clock = seeded
    # On five references (unknown ones fail too): no reference is slowed down.
    for n in range(5, 10):
        assert store.check(f"CMC-2015-000{n}", "bad@x.org", "attacker").outcome == MISMATCH
    # Even the right pair is refused now, in this conversation only.
    assert store.check("CMC-2015-0001", "a.diallo@gouv.sn", "attacker").outcome == LOCKED
    assert store.check("CMC-2015-0001", "a.diallo@gouv.sn", "someone-else").outcome == MATCH
    clock.now += timedelta(minutes=14)
    assert store.check("CMC-2015-0001", "a.diallo@gouv.sn", "attacker").outcome == LOCKED
    clock.now += timedelta(minutes=1, seconds=1)
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


def test_the_delay_on_a_reference_doubles_from_its_fifth_failure_up_to_a_minute() -> None:
    assert [reference_delay(n).total_seconds() for n in range(12)] == [
        *[0] * 5,
        *[2, 4, 8, 16, 32],
        60,
        60,
    ]
    assert reference_delay(10_000) == MAX_REFERENCE_DELAY == timedelta(seconds=60)


def test_after_five_failures_a_reference_is_checked_only_after_the_delay(
    seeded: tuple[ParticipantStore, Clock],
) -> None:
    store, clock = seeded
    for i in range(5):
        assert store.check("CMC-2015-0002", "bad@x.org", f"stranger-{i}").outcome == MISMATCH
    # 2 s after the 5th failure: refused without looking at the e-mail, right or not.
    clock.now += timedelta(seconds=1.9)
    assert store.check("CMC-2015-0002", "j.okafor@lagos.gov.ng", "delegate").outcome == THROTTLED
    assert store.check("CMC-2015-0002", "bad@x.org", "stranger-5").outcome == THROTTLED
    clock.now += timedelta(seconds=0.1)
    assert store.check("CMC-2015-0002", "bad@x.org", "stranger-6").outcome == MISMATCH
    # The 6th failure doubles the delay; refused attempts did not count as failures.
    clock.now += timedelta(seconds=3.9)
    assert store.check("CMC-2015-0002", "j.okafor@lagos.gov.ng", "delegate").outcome == THROTTLED
    clock.now += timedelta(seconds=0.1)
    assert store.check("CMC-2015-0002", "j.okafor@lagos.gov.ng", "delegate").outcome == MATCH
    # Other references are not slowed down.
    assert store.check("CMC-2015-0003", "marie.dupont@mairie-lyon.fr", "x").outcome == MATCH
    assert outcomes(store) == [
        *[MISMATCH] * 5,
        *[THROTTLED, THROTTLED, MISMATCH],
        *[THROTTLED, MATCH, MATCH],
    ]


def test_strangers_cannot_keep_a_delegate_out_for_longer_than_a_minute(
    seeded: tuple[ParticipantStore, Clock],
) -> None:
    """The old lock: 10 wrong e-mails from anyone refused the delegate for 15 minutes."""
    store, clock = seeded
    # As many failures as strangers can get evaluated: each as soon as it is allowed.
    for i in range(30):
        clock.now += reference_delay(i)
        assert store.check("CMC-2015-0003", "guess@x.org", f"stranger-{i}").outcome == MISMATCH
    assert reference_delay(30) == MAX_REFERENCE_DELAY
    # Then a burst of attempts, from new senders, at the same moment: all refused.
    for i in range(30, 40):
        assert store.check("CMC-2015-0003", "guess@x.org", f"stranger-{i}").outcome == THROTTLED
    delegate = ("CMC-2015-0003", "marie.dupont@mairie-lyon.fr", "delegate")
    assert store.check(*delegate).outcome == THROTTLED
    clock.now += MAX_REFERENCE_DELAY - timedelta(seconds=1)
    assert store.check(*delegate).outcome == THROTTLED
    clock.now += timedelta(seconds=1)
    result = store.check(*delegate)
    assert result.outcome == MATCH and result.participant
    assert result.participant.full_name == "Marie Dupont"


def _in_parallel(
    store_for: list[ParticipantStore], attempts: list[tuple[str, str, str]]
) -> list[str]:
    """Each attempt from its own thread, all released at once."""
    start = threading.Barrier(len(attempts))
    results: list[str | BaseException] = [""] * len(attempts)

    def attempt(i: int) -> None:
        start.wait()
        try:
            results[i] = store_for[i % len(store_for)].check(*attempts[i]).outcome
        except BaseException as error:  # noqa: BLE001 - reported below
            results[i] = error

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(attempts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    return [str(r) for r in results]


def _stores(store: ParticipantStore, clock: Clock, per_thread: bool) -> list[ParticipantStore]:
    """One store shared by the threads, or one each: then only the database serialises
    them, as for several action server processes."""
    if not per_thread:
        return [store]
    return [ParticipantStore(store.engine, key=b"test-key", clock=clock) for _ in range(32)]


@pytest.mark.parametrize("per_thread", [False, True], ids=["one-store", "store-per-thread"])
def test_32_parallel_wrong_attempts_on_a_reference_evaluate_exactly_five(
    seeded: tuple[ParticipantStore, Clock], per_thread: bool
) -> None:
    store, clock = seeded
    attempts = [("CMC-2015-0001", f"guess{i}@x.org", f"stranger-{i}") for i in range(32)]
    results = _in_parallel(_stores(store, clock, per_thread), attempts)
    assert Counter(results) == {MISMATCH: 5, THROTTLED: 27}
    assert Counter(outcomes(store)) == {MISMATCH: 5, THROTTLED: 27}


@pytest.mark.parametrize("per_thread", [False, True], ids=["one-store", "store-per-thread"])
def test_32_parallel_wrong_attempts_from_a_sender_evaluate_exactly_five(
    seeded: tuple[ParticipantStore, Clock], per_thread: bool
) -> None:
    store, clock = seeded
    attempts = [(f"CMC-2016-{i:04d}", "guess@x.org", "one-attacker") for i in range(32)]
    results = _in_parallel(_stores(store, clock, per_thread), attempts)
    assert Counter(results) == {MISMATCH: 5, LOCKED: 27}
    assert Counter(outcomes(store)) == {MISMATCH: 5, LOCKED: 27}


def test_attempts_are_audited_without_email_or_sender_in_clear(
    seeded: tuple[ParticipantStore, Clock],
) -> None:
    store, _ = seeded
    store.check("CMC-2015-0001", "a.diallo@gouv.sn", "whatsapp:+41790000000")
    store.check("CMC-2015-0001", "wrong@x.org", "whatsapp:+41790000000")
    for i in range(5):
        store.check("CMC-2015-0002", f"guess{i}@x.org", f"whatsapp:+4179000000{i}")
    store.check("CMC-2015-0002", "j.okafor@lagos.gov.ng", "whatsapp:+41790000009")
    with store.engine.connect() as connection:
        rows = connection.execute(sa.select(lookup_attempts).order_by(lookup_attempts.c.id)).all()
    assert [r.outcome for r in rows] == [MATCH, MISMATCH, *[MISMATCH] * 5, THROTTLED]
    dump = repr(rows)
    for secret in ("gouv.sn", "wrong@", "guess", "lagos", "4179000000"):
        assert secret not in dump
    assert rows[0].sender_hash == store.sender_hash("whatsapp:+41790000000")
    assert rows[-1].sender_hash == store.sender_hash("whatsapp:+41790000009")
    assert rows[-1].reference == "CMC-2015-0002"


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
        + "cmc-2015-0001,Dup,dup@x.org,,,mayor,confirmed,fr\n"
        + "CMC-2015-0000,Example,ex@x.org,,,mayor,confirmed,fr\n",
        encoding="utf-8",
    )
    _, errors = csvio.read_participants(path)
    by_line: dict[int, list[str]] = {}
    for error in errors:
        by_line.setdefault(error.line, []).append(error.reason)
    assert sorted(by_line) == [5, 6, 7, 8, 9]
    assert len(by_line[6]) == 4  # email, category, status, language
    assert "already on line 2" in by_line[8][0]
    # The prompts show CMC-2015-0000 as an example: nobody may own it.
    assert by_line[9] == ["reference CMC-2015-0000 is reserved for examples"]


def run_cli(*args: str, database: str) -> subprocess.CompletedProcess[str]:
    return invoke(*args, DATABASE_URL=database)


def test_cli_import_is_all_or_nothing(database_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(CSV + "CMC-2015-0009,X,x@x.org,,,alien,confirmed,fr\n", encoding="utf-8")
    run = run_cli("participants", "import", str(bad), database=database_url)
    assert run.returncode != 0
    assert "line 5" in run.stderr and "nothing was imported" in run.stderr
    good = tmp_path / "good.csv"
    good.write_text(CSV, encoding="utf-8")
    run = run_cli("participants", "import", str(good), database=database_url)
    assert run.returncode == 2 and "db upgrade" in run.stderr  # never migrates itself
    assert run_cli("db", "upgrade", database=database_url).returncode == 0
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


def test_db_upgrade_indexes_attempts_by_outcome(database_url: str) -> None:
    """Migration 0002, through `python -m bot db upgrade`, and back."""
    run = run_cli("db", "upgrade", database=database_url)
    assert run.returncode == 0, run.stderr
    config = alembic_config(database_url)
    head = ScriptDirectory.from_config(config).get_current_head()
    engine = create_engine(database_url)

    def state() -> tuple[str, set[str]]:
        with engine.connect() as connection:
            version = connection.execute(sa.text("SELECT version_num FROM alembic_version"))
            indexes = sa.inspect(connection).get_indexes("lookup_attempts")
            return version.scalar_one(), {i["name"] for i in indexes}

    new = {"ix_lookup_attempts_sender_outcome_at", "ix_lookup_attempts_reference_outcome_at"}
    old = {"ix_lookup_attempts_sender_at", "ix_lookup_attempts_reference_at"}
    assert state() == (head, new)
    command.downgrade(config, "0001")
    assert state() == ("0001", old)
    upgrade(database_url)
    assert state() == (head, new)
    engine.dispose()


def test_a_file_database_is_pooled_in_wal_mode(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/p.db")
    assert isinstance(engine.pool, QueuePool) and engine.hide_parameters
    with engine.connect() as connection:
        first = connection.connection.dbapi_connection
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar_one() == 1  # NORMAL
    with engine.connect() as connection:
        assert connection.connection.dbapi_connection is first
    engine.dispose()


def test_cli_rejects_a_wrong_header(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("ref,name\nCMC-2015-0001,A\n", encoding="utf-8")
    run = run_cli("participants", "import", str(path), database=f"sqlite:///{tmp_path}/p.db")
    assert run.returncode != 0 and "header must be exactly" in run.stderr
    assert not (tmp_path / "p.db").exists()


def test_cli_help_is_in_english() -> None:
    run = run_cli("participants", "--help", database="sqlite://")
    assert run.returncode == 0 and "Import, export and look up" in run.stdout
