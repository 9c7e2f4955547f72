"""`python -m bot staff ...` (console accounts), `python -m bot logs ...` (retention
and erasure of conversations) and `python -m bot training export` (the console's labels
as training data). All need the project database at the latest migration."""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import click

from bot import settings
from bot.participants import migrate
from bot.participants.store import create_engine
from bot.staff.accounts import AccountError, StaffStore
from bot.staff.conversations import Conversations, create_tracker_engine
from bot.staff.index import Index
from bot.staff.masking import Masker
from bot.staff.retention import erase, purge
from bot.staff.schema import ROLES
from bot.staff.unanswered import Labels, training_data

ROOT = Path(__file__).resolve().parent.parent.parent


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _store() -> StaffStore:
    """The project database's store; refused (exit 2, by bot.__main__'s group) if it
    is not migrated: nothing here changes the schema."""
    migrate.require_head()
    return StaffStore(create_engine())


def _conversations() -> Conversations:
    url = settings.get("TRACKER_STORE_URL")
    return Conversations(create_tracker_engine(url))


def _password() -> str:
    """From a prompt on a terminal (typed twice), else from STAFF_PASSWORD."""
    if sys.stdin.isatty():
        return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))
    password = settings.get("STAFF_PASSWORD")
    if not password:
        click.echo("error: no terminal to ask the password: set STAFF_PASSWORD", err=True)
        sys.exit(2)
    return password


@click.group()
def staff() -> None:
    """Staff console accounts (reviewers read; admins also erase and read the audit)."""


@staff.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
def staff_add(username: str, role: str) -> None:
    """Create an account; the password comes from a prompt, or STAFF_PASSWORD."""
    store = _store()
    try:
        account = store.add(username, _password(), role)
    except AccountError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    finally:
        store.engine.dispose()
    click.echo(f"added {account.username} ({account.role})")


@staff.command("list")
def staff_list() -> None:
    """Every account: username, role, active or disabled, last login."""
    store = _store()
    try:
        for account in store.accounts():
            last = account.last_login_at
            last_text = last.isoformat(timespec="seconds") if last else "-"
            state = "active" if account.active else "disabled"
            click.echo(f"{account.username:20} {account.role:9} {state:9} {last_text}")
    finally:
        store.engine.dispose()


@staff.command("disable")
@click.argument("username")
def staff_disable(username: str) -> None:
    """Refuse the account's logins and end its sessions (kept for the audit)."""
    store = _store()
    try:
        found = store.disable(username)
    finally:
        store.engine.dispose()
    if not found:
        click.echo(f"error: no account named {username!r}", err=True)
        sys.exit(1)
    click.echo(f"disabled {username.strip().lower()}")


@staff.command("reindex")
def staff_reindex() -> None:
    """Rebuild the conversations' summary index (list, filters, search, dashboard) from
    the tracker store: emptied, then every event folded again, oldest first (audited).
    Running web apps keep serving meanwhile, from what is indexed so far."""
    store, conversations = _store(), _conversations()
    try:
        index = Index(store.engine, conversations, _now, "cli")
        index.reset()
        store.audit("cli", "reindex", None, "index emptied, rebuilding")
        started = datetime.now(timezone.utc)
        folded = index.catch_up()
        seconds = (datetime.now(timezone.utc) - started).total_seconds()
        store.audit("cli", "reindex", None, f"{folded} events folded in {seconds:.0f} s")
    finally:
        conversations.engine.dispose()
        store.engine.dispose()
    click.echo(f"reindexed: {folded} event(s) folded")


@click.group()
def logs() -> None:
    """Conversation logs in the tracker store (TRACKER_STORE_URL)."""


@logs.command("purge")
@click.option("--older-than", "days", type=click.IntRange(min=1), required=True, metavar="DAYS")
def logs_purge(days: int) -> None:
    """Delete every conversation with no message in the last DAYS days (audited)."""
    store, conversations = _store(), _conversations()
    try:
        count = purge(conversations, store, days, "cli", datetime.now(timezone.utc))
    finally:
        conversations.engine.dispose()
        store.engine.dispose()
    click.echo(f"purged {count} conversation(s)")


@logs.command("erase")
@click.argument("sender_id")
def logs_erase(sender_id: str) -> None:
    """Delete one conversation (e.g. `web:…`, `telegram:42`) and the console's trace of
    its sender id (audited)."""
    store, conversations = _store(), _conversations()
    try:
        deleted = erase(conversations, store, sender_id, "cli")
    finally:
        conversations.engine.dispose()
        store.engine.dispose()
    click.echo(f"erased {deleted} event(s)")


@click.group()
def training() -> None:
    """Training data from the staff console's labels (bot/staff/unanswered.py)."""


DEFAULT_EXPORT = Path("var") / "training-export"


@training.command("export")
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_EXPORT,
    show_default=True,
    help="Directory for fr.yml / en.yml (never data/: a developer reviews and merges).",
)
def training_export(out: Path) -> None:
    """Write the messages reviewers labelled in /staff/unanswered as Rasa NLU YAML, one
    file per language (data/nlu/ format), e-mails, phones, references and names masked
    (audited)."""
    data = (ROOT / "data").resolve()
    target = out.resolve()
    if target == data or data in target.parents:
        click.echo(f"error: {out} is under data/: export elsewhere and merge by hand", err=True)
        sys.exit(2)
    store = _store()
    try:
        labels = Labels(store.engine, _now).all()
        masker = Masker.from_database(store.engine)
        files = training_data(labels, masker.text)
        target.mkdir(parents=True, exist_ok=True)
        for language, text in files.items():
            (target / f"{language}.yml").write_text(text, encoding="utf-8")
        store.audit(
            "cli",
            "training_export",
            None,
            f"{len(labels)} label(s), {', '.join(sorted(files)) or 'no file'}: {out}"[:255],
        )
    finally:
        store.engine.dispose()
    for language in sorted(files):
        click.echo(f"wrote {out / f'{language}.yml'}")
    if not files:
        click.echo("no labelled message: nothing written")
