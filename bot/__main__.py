"""Command line: `python -m bot --help`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bot.participants import csvio
from bot.participants.migrate import upgrade
from bot.participants.store import ParticipantStore, create_engine


@click.group()
def cli() -> None:
    """CMC Assistant administration."""


@cli.group()
def db() -> None:
    """The participant database (DATABASE_URL, default sqlite:///var/participants.db)."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply the Alembic migrations."""
    upgrade()
    click.echo("database schema is up to date")


@cli.group()
def participants() -> None:
    """Import, export and look up registered participants."""


@participants.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_(file: Path) -> None:
    """Upsert participants from a UTF-8 CSV file (all rows or none).

    Header: reference,full_name,email,organisation,country,category,status,language
    """
    try:
        rows, errors = csvio.read_participants(file)
    except csvio.CsvFormatError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    if errors:
        for problem in errors:
            click.echo(f"line {problem.line}: {problem.reason}", err=True)
        click.echo(f"{len(errors)} problem(s); nothing was imported", err=True)
        sys.exit(1)
    upgrade()
    engine = create_engine()
    try:
        with click.progressbar(length=len(rows), label="importing", file=sys.stderr) as bar:
            report = csvio.upsert(engine, rows, progress=bar.update)
    finally:
        engine.dispose()
    click.echo(
        f"inserted {report.inserted}, updated {report.updated}, unchanged {report.unchanged}"
    )


@participants.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def export(file: Path) -> None:
    """Write every participant to a CSV file with the import header."""
    upgrade()
    engine = create_engine()
    try:
        count = csvio.export(engine, file)
    finally:
        engine.dispose()
    click.echo(f"exported {count} participant(s) to {file}")


@participants.command("show")
@click.argument("reference")
def show(reference: str) -> None:
    """Show one participant (staff use: prints the e-mail address)."""
    upgrade()
    store = ParticipantStore(create_engine())
    found = store.get(reference)
    store.engine.dispose()
    if found is None:
        click.echo(f"no participant with reference {reference!r}", err=True)
        sys.exit(1)
    for key, value in vars(found).items():
        click.echo(f"{key:13} {value}")


if __name__ == "__main__":
    cli()
