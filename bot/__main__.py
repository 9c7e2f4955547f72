"""Command line: `python -m bot --help`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from alembic.util import CommandError

from bot import privacy
from bot.participants import csvio, migrate
from bot.participants.store import ParticipantStore, create_engine
from bot.settings import DEFAULTS
from bot.staff.cli import logs, staff, training


class Cli(click.Group):
    """Refusals (a database not at head, Alembic's errors) as one line on stderr and
    exit status 2, not a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (migrate.NotMigrated, CommandError) as error:
            click.echo(f"error: {error}", err=True)
            ctx.exit(2)


@click.group(cls=Cli)
def cli() -> None:
    """CMC Assistant administration."""
    privacy.install()


@cli.group()
def db() -> None:
    """The participant database (DATABASE_URL; defaults in bot/settings.py)."""


@db.command("upgrade")
@click.argument("revision", default="head")
@click.option("--sql", is_flag=True, help="Print the SQL instead (offline: no database).")
def db_upgrade(revision: str, sql: bool) -> None:
    """Apply the Alembic migrations up to REVISION (default: head)."""
    migrate.upgrade(revision=revision, sql=sql)
    if not sql:
        click.echo("database schema is up to date" if revision == "head" else f"at {revision}")


@db.command("downgrade")
@click.argument("revision")
@click.option("--sql", is_flag=True, help="Print the SQL instead (offline: no database).")
def db_downgrade(revision: str, sql: bool) -> None:
    """Revert the migrations down to REVISION (a revision id, -1, or base)."""
    migrate.downgrade(revision, sql=sql)


@db.command("current")
@click.option("--verbose", "-v", is_flag=True)
def db_current(verbose: bool) -> None:
    """Print the database's revision (nothing if it is not migrated)."""
    migrate.current(verbose=verbose)


@db.command("revision")
@click.option("-m", "--message", required=True, help="What the migration does.")
@click.option(
    "--autogenerate",
    is_flag=True,
    help="Write the differences between the database (at head) and schema.py.",
)
def db_revision(message: str, autogenerate: bool) -> None:
    """Write a new migration in bot/participants/migrations/versions/ (review it)."""
    migrate.revision(message, autogenerate=autogenerate)


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
    migrate.require_head()
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
    migrate.require_head()
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
    migrate.require_head()
    store = ParticipantStore(create_engine())
    found = store.get(reference)
    store.engine.dispose()
    if found is None:
        click.echo(f"no participant with reference {reference!r}", err=True)
        sys.exit(1)
    for key, value in vars(found).items():
        click.echo(f"{key:13} {value}")


@cli.command("actions")
@click.option("--host", envvar="ACTIONS_HOST", default=DEFAULTS["ACTIONS_HOST"], show_default=True)
@click.option(
    "--port",
    envvar="ACTIONS_PORT",
    default=int(DEFAULTS["ACTIONS_PORT"]),
    show_default=True,
    type=int,
)
def actions(host: str, port: int) -> None:
    """Serve the custom actions for Rasa (ACTIONS_HOST, ACTIONS_PORT).

    With ACTIONS_TOKEN set (environment only), every route but /health needs
    `Authorization: Bearer <token>`; without it the server must stay on loopback.
    """
    from bot.action_server import ActionServerConfig, ConfigError, serve

    config = ActionServerConfig.from_env(host=host, port=port)
    try:
        config.check()
    except ConfigError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    serve(config)


@cli.command("web")
@click.option("--host", envvar="WEB_HOST", default=DEFAULTS["WEB_HOST"], show_default=True)
@click.option(
    "--port", envvar="WEB_PORT", default=int(DEFAULTS["WEB_PORT"]), show_default=True, type=int
)
def web(host: str, port: int) -> None:
    """Serve the conference page with the chat widget, and /health (WEB_PORT)."""
    from bot.staff.config import ConfigError
    from bot.web.app import WebConfig, serve

    try:
        config = WebConfig.from_env()
    except ConfigError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    click.echo(f"conference page on http://{host}:{port}/, staff console on /staff/login")
    serve(host, port, config)


@cli.group()
def telegram() -> None:
    """The Telegram channel (TELEGRAM_BOT_TOKEN, TELEGRAM_SECRET_TOKEN)."""


@telegram.command("set-webhook")
@click.argument("public_url")
def set_webhook(public_url: str) -> None:
    """Tell Telegram to send updates to PUBLIC_URL/webhooks/telegram/webhook.

    Only this command calls Telegram about the webhook; starting the bot never does.
    """
    from bot.channels.telegram_setup import set_webhook as call

    try:
        description = call(public_url)
    except RuntimeError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    click.echo(description)


cli.add_command(staff)
cli.add_command(logs)
cli.add_command(training)

if __name__ == "__main__":
    cli()
