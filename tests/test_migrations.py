"""Alembic migrations of the participant store, on SQLite and on the machine's
PostgreSQL: no drift from schema.py, the naming convention's names, downgrade and
upgrade again, offline SQL, and no command that migrates as a side effect."""

from __future__ import annotations

import subprocess
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from bot.participants import migrate
from bot.participants.schema import metadata, participants
from bot.staff import schema as _staff_tables  # noqa: F401 - the console's tables, same metadata
from tests.conftest import invoke

ROOT = Path(__file__).resolve().parent.parent
HEAD = ScriptDirectory.from_config(migrate.alembic_config("sqlite://")).get_current_head()


def run_cli(*args: str, database: str) -> subprocess.CompletedProcess[str]:
    return invoke(*args, DATABASE_URL=database)


def drift(url: str) -> list:
    engine = sa.create_engine(url, future=True)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, metadata)
    finally:
        engine.dispose()


def names(url: str) -> dict[str, set[str | None]]:
    """Every table's primary key, unique constraint, index and foreign key names."""
    engine = sa.create_engine(url, future=True)
    try:
        with engine.connect() as connection:
            inspector = sa.inspect(connection)
            return {
                table: {inspector.get_pk_constraint(table)["name"]}
                | {u["name"] for u in inspector.get_unique_constraints(table)}
                | {i["name"] for i in inspector.get_indexes(table)}
                | {f["name"] for f in inspector.get_foreign_keys(table)}
                for table in metadata.tables
                if inspector.has_table(table)  # below head, the newer ones are not there
            }
    finally:
        engine.dispose()


def tables(url: str) -> list[str]:
    engine = sa.create_engine(url, future=True)
    try:
        with engine.connect() as connection:
            return sa.inspect(connection).get_table_names()
    finally:
        engine.dispose()


def expected_names() -> dict[str, set[str | None]]:
    return {
        table.name: {c.name for c in table.constraints} | {i.name for i in table.indexes}
        for table in metadata.tables.values()
    }


def test_the_convention_names_every_constraint_and_index() -> None:
    assert expected_names() == {
        "participants": {"pk_participants", "uq_participants_reference"},
        "lookup_attempts": {
            "pk_lookup_attempts",
            "ix_lookup_attempts_sender_outcome_at",
            "ix_lookup_attempts_reference_outcome_at",
        },
        "webhook_deliveries": {"pk_webhook_deliveries", "ix_webhook_deliveries_received_at"},
        "staff_accounts": {"pk_staff_accounts", "uq_staff_accounts_username"},
        "staff_login_attempts": {
            "pk_staff_login_attempts",
            "ix_staff_login_attempts_username_at",
            "ix_staff_login_attempts_client_at",
        },
        "staff_audit": {"pk_staff_audit", "ix_staff_audit_at", "ix_staff_audit_target"},
        "staff_tags": {"pk_staff_tags", "uq_staff_tags_sender_id", "ix_staff_tags_tag"},
        "staff_notes": {"pk_staff_notes", "ix_staff_notes_sender_id"},
        "staff_reviews": {
            "pk_staff_reviews",
            "ix_staff_reviews_reviewed_at",
            "ix_staff_reviews_flagged_at",
        },
        "staff_jobs": {"pk_staff_jobs"},
        "staff_labels": {
            "pk_staff_labels",
            "uq_staff_labels_sender_id",
            "ix_staff_labels_event_id",
        },
        "staff_saved_filters": {
            "pk_staff_saved_filters",
            "uq_staff_saved_filters_account_id",
            "fk_staff_saved_filters_account_id_staff_accounts",
        },
    }


def test_head_has_no_drift_from_schema_and_its_names(database_url: str) -> None:
    migrate.upgrade(database_url)
    assert drift(database_url) == []
    assert names(database_url) == expected_names()


def test_down_to_base_and_up_again(database_url: str) -> None:
    migrate.upgrade(database_url)
    migrate.downgrade("base", database_url)
    assert tables(database_url) == ["alembic_version"]
    migrate.upgrade(database_url)
    assert drift(database_url) == []
    assert names(database_url) == expected_names()


def test_0004_names_the_keys_of_a_database_made_before_the_convention(
    database_url: str,
) -> None:
    """Down to 0003 the keys are 0001's unnamed ones (PostgreSQL's <table>_pkey);
    0004 renames them and keeps the rows."""
    migrate.upgrade(database_url)
    engine = sa.create_engine(database_url, future=True)
    now = datetime(2015, 10, 1, tzinfo=timezone.utc)
    row = {
        "reference": "CMC-2015-0001",
        "full_name": "Amina Diallo",
        "email": "a.diallo@gouv.sn",
        "organisation": "Ministère",
        "country": "Sénégal",
        "category": "minister",
        "status": "confirmed",
        "language": "fr",
        "created_at": now,
        "updated_at": now,
    }
    with engine.begin() as connection:
        connection.execute(participants.insert(), row)
    engine.dispose()
    migrate.downgrade("0003", database_url)
    postgresql = database_url.startswith("postgresql")
    old = names(database_url)
    for table in ("participants", "lookup_attempts"):
        assert f"pk_{table}" not in old[table]
        assert (f"{table}_pkey" if postgresql else None) in old[table]
    migrate.upgrade(database_url)
    assert names(database_url) == expected_names()
    assert drift(database_url) == []
    engine = sa.create_engine(database_url, future=True)
    with engine.connect() as connection:
        rows = connection.execute(sa.select(participants.c.reference)).scalars().all()
        assert rows == ["CMC-2015-0001"]
    engine.dispose()


def test_upgrade_sql_prints_the_schema_and_touches_no_database(
    database_url: str, tmp_path: Path
) -> None:
    run = run_cli("db", "upgrade", "--sql", database=database_url)
    assert run.returncode == 0, run.stderr
    for table in metadata.tables:
        assert f"CREATE TABLE {table} (" in run.stdout
    assert f"UPDATE alembic_version SET version_num='{HEAD}'" in run.stdout
    if database_url.startswith("sqlite"):
        assert not (tmp_path / "participants.db").exists()
    else:
        assert tables(database_url) == []


def test_no_command_migrates_as_a_side_effect(database_url: str, tmp_path: Path) -> None:
    for args in (("participants", "show", "CMC-2015-0001"), ("participants", "export", "x.csv")):
        run = run_cli(*args, database=database_url)
        assert run.returncode == 2, run.stderr
        assert "the database is not migrated: run `python -m bot db upgrade`" in run.stderr
    if database_url.startswith("sqlite"):
        assert not (tmp_path / "participants.db").exists()
    else:
        assert tables(database_url) == []


def test_a_database_behind_head_is_refused(database_url: str) -> None:
    migrate.upgrade(database_url, "0003")
    run = run_cli("participants", "show", "CMC-2015-0001", database=database_url)
    assert run.returncode == 2 and "database at 0003" in run.stderr


def test_db_current_prints_the_head_after_upgrade(database_url: str) -> None:
    assert run_cli("db", "current", database=database_url).stdout.strip() == ""
    run = run_cli("db", "upgrade", database=database_url)
    assert run.returncode == 0, run.stderr
    run = run_cli("db", "current", database=database_url)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == f"{HEAD} (head)"
    assert run_cli("participants", "show", "CMC-2015-0001", database=database_url).returncode == 1


def test_the_migrations_ship_inside_the_package() -> None:
    config = migrate.alembic_config("sqlite://")
    assert Path(config.get_main_option("script_location")) == (
        ROOT / "bot" / "participants" / "migrations"
    )
    assert (migrate.MIGRATIONS / "script.py.mako").is_file()
    assert not (ROOT / "migrations" / "env.py").exists()
