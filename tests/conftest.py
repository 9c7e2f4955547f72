"""Shared fixtures: the trained model, and real Rasa + action servers on free ports."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import sqlalchemy as sa
import yaml
from aiohttp import web
from click.testing import CliRunner
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from bench.servers import Stack, free_port, seed, start, stop, wait_until_up
from bot.participants import csvio
from bot.participants.store import Participant, create_engine

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
MODEL = ROOT / "models" / "cmc.tar.gz"

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


# Fixtures that start a server, load the trained model or drive a browser: a test using
# any of them (directly or through another fixture) must be marked slow, so that
# `make check` (`-m "not slow"`) stays fast. Enforced at collection.
HEAVY_FIXTURES = {
    "servers",
    "spare_servers",
    "web_page",
    "agent",
    "model_path",
    "provider_apis",
    "browser",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    unmarked = [
        item.nodeid
        for item in items
        if HEAVY_FIXTURES & set(getattr(item, "fixturenames", ()))
        and item.get_closest_marker("slow") is None
    ]
    if unmarked:
        raise pytest.UsageError(
            "these tests start a server, load the model or drive a browser, and are not "
            "marked slow:\n  " + "\n  ".join(unmarked)
        )


# And at run time: a test not marked slow may run servers in this process (aiohttp's and
# Sanic's test servers start in milliseconds) but never start a process (a server, a
# `python -m bot` command, Rasa's CLI), which costs seconds and is what `slow` is for.
SPAWNERS = ("fork", "forkpty", "posix_spawn", "posix_spawnp", "system", "execv", "execve")
# Not a test starting a process: a library run at its import, in whichever test
# imports it first (webexteamssdk, imported by Rasa's channels, asks git its version),
# or the standard library probing the machine when asked (platform.processor: `uname
# -p`; ctypes.util.find_library: ldconfig, gcc, ld).
PROBES = {"uname", "ldconfig", "gcc", "cc", "ld", "objdump", "file", "lsb_release"}


def importing() -> bool:
    """Whether an `import` is under way in this thread's stack."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        frame = frame.f_back  # type: ignore[assignment]
    return False


@pytest.fixture(autouse=True)
def _fast_tests_start_no_process(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    if request.node.get_closest_marker("slow") is not None:
        return

    def refuse(*_: Any, **__: Any) -> Any:
        pytest.fail(
            f"{request.node.nodeid} starts a process: mark it slow, or call the code in "
            "this process (`invoke` for `python -m bot`)",
            pytrace=False,
        )

    execute_child = subprocess.Popen._execute_child  # type: ignore[attr-defined]

    def probe_only(popen: subprocess.Popen[Any], args: Any, *rest: Any, **kwargs: Any) -> Any:
        program = args if isinstance(args, (str, bytes, os.PathLike)) else args[0]
        if Path(os.fsdecode(program)).name not in PROBES and not importing():
            refuse()
        return execute_child(popen, args, *rest, **kwargs)

    monkeypatch.setattr(subprocess.Popen, "_execute_child", probe_only)
    for name in SPAWNERS:
        if hasattr(os, name):
            monkeypatch.setattr(os, name, refuse)
    # uvloop (Sanic installs its policy) starts processes in C, past subprocess.Popen.
    for module in (asyncio, asyncio.subprocess):
        for name in ("create_subprocess_exec", "create_subprocess_shell"):
            monkeypatch.setattr(module, name, refuse)


@pytest.fixture(autouse=True)
def _cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 with its cheapest parameters in this process: the staff tests hash and
    verify hundreds of passwords, at over half a second each with the real ones
    (tests/test_staff.py still checks that the stored hash is argon2id)."""
    from argon2 import PasswordHasher, profiles

    from bot.staff import accounts

    cheap = PasswordHasher.from_parameters(profiles.CHEAPEST)
    monkeypatch.setattr(accounts, "_hasher", cheap)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", cheap.hash("no account has this password"))


def unavailable(reason: str) -> None:
    """A service a test needs is missing: a skip with the reason on a developer's
    machine, a failure in CI (CI=true), where everything must run."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(reason)
    pytest.skip(reason)


def invoke(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` with `env` added to the environment, run in this process by
    click's runner (milliseconds, where a process takes seconds to import Rasa): its
    exit code and output, as `subprocess.run` gives them."""
    from bot.__main__ import cli

    factory = logging.getLogRecordFactory()  # the command masks this process's logs
    try:
        result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    finally:
        logging.setLogRecordFactory(factory)
        logging.captureWarnings(False)
    return subprocess.CompletedProcess(
        ["python", "-m", "bot", *args], result.exit_code, result.stdout, result.stderr
    )


class Clock:
    """A clock the stores' tests move by hand (`clock.now += timedelta(...)`)."""

    def __init__(self) -> None:
        self.now = datetime(2015, 10, 1, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="session")
def model_path() -> Path:
    assert MODEL.exists(), "no trained model: run `make train` (make test does it)"
    return MODEL


TELEGRAM_TOKEN = "123456:test-bot-token"
TELEGRAM_SECRET = "test-telegram-secret"
TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "test-twilio-auth-token"
TWILIO_NUMBER = "whatsapp:+14155550100"
ACTIONS_TOKEN = "test-actions-token"  # Rasa sends it from endpoints.yml


class FakeProviderApis:
    """Telegram's Bot API and Twilio's Messages API on loopback, recording what the
    bot sends. Runs in its own thread so that the Rasa subprocess can reach it while
    synchronous tests wait on Rasa."""

    def __init__(self) -> None:
        self.port = free_port()
        self.calls: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._thread.start()
        assert self._ready.wait(10), "fake provider APIs did not start"

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def sent(self, **match: Any) -> list[dict[str, Any]]:
        """Recorded calls whose fields equal `match` (e.g. api="telegram", chat_id=1)."""
        with self._lock:
            return [c for c in self.calls if all(c.get(k) == v for k, v in match.items())]

    def _record(self, call: dict[str, Any]) -> None:
        with self._lock:
            self.calls.append(call)

    async def _telegram(self, request: web.Request) -> web.Response:
        body = await request.json()
        self._record(
            {
                "api": "telegram",
                "token": request.match_info["token"],
                "method": request.match_info["method"],
                "chat_id": body.get("chat_id"),
                "text": body.get("text"),
                "body": body,
            }
        )
        return web.json_response({"ok": True, "result": {"message_id": len(self.calls)}})

    async def _twilio(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        self._record(
            {
                "api": "twilio",
                "account": request.match_info["sid"],
                "authorization": request.headers.get("Authorization", ""),
                "to": form.get("To"),
                "from": form.get("From"),
                "text": form.get("Body"),
            }
        )
        return web.json_response({"sid": "SM" + "1" * 32, "status": "queued"}, status=201)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._telegram)
        app.router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", self._twilio)
        runner = web.AppRunner(app)
        self._loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", self.port)
        self._loop.run_until_complete(site.start())
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(runner.cleanup())


@pytest.fixture(scope="session")
def provider_apis() -> Iterator[FakeProviderApis]:
    apis = FakeProviderApis()
    apis.start()
    yield apis
    apis.stop()


@dataclass
class Servers(Stack):
    """The session's action server and Rasa server (bench/servers.py), with the test
    secrets, the fake provider APIs and the page's origins in their environment."""

    model: Path = MODEL
    provider_api_url: str = "http://127.0.0.1:9"
    web_port: int = field(default_factory=free_port)
    # The test page of rasa-webchat (tests/test_webchat.py), a second allowed origin.
    webchat_port: int = field(default_factory=free_port)

    @property
    def env(self) -> dict[str, str]:
        return {
            **super().env,
            "WEB_PORT": str(self.web_port),
            "ACTIONS_TOKEN": ACTIONS_TOKEN,
            "PARTICIPANT_HASH_KEY": "test-only-key",
            "CHAT_SESSION_SECRET": "test-only-session-secret",
            # The default origins (the conference page's), plus the rasa-webchat test page's.
            "CHAT_ALLOWED_ORIGINS": ",".join(
                [
                    f"http://localhost:{self.web_port}",
                    f"http://127.0.0.1:{self.web_port}",
                    f"http://127.0.0.1:{self.webchat_port}",
                ]
            ),
            "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
            "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
            "TELEGRAM_API_URL": self.provider_api_url,
            "TWILIO_ACCOUNT_SID": TWILIO_SID,
            "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "TWILIO_WHATSAPP_NUMBER": TWILIO_NUMBER,
            "TWILIO_API_URL": self.provider_api_url,
        }

    def post(self, body: Any, raw: bytes | None = None) -> tuple[int, Any]:
        data = raw if raw is not None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.webhook, data=data, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                return reply.status, json.loads(reply.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def events(self, sender_id: str, type_name: str) -> list[dict[str, Any]]:
        """A stored conversation's events of one type ("user", "slot"...), in order."""
        with sqlite3.connect(self.workdir / "tracker.db") as connection:
            rows = connection.execute(
                "SELECT data FROM events WHERE sender_id = ? AND type_name = ? ORDER BY id",
                (sender_id, type_name),
            ).fetchall()
        return [json.loads(row[0]) for row in rows]

    def say(
        self, sender: str, text: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        body: dict[str, Any] = {"sender": sender, "message": text}
        if metadata is not None:
            body["metadata"] = metadata
        status, replies = self.post(body)
        assert status == 200, (status, replies)
        return replies


@contextlib.contextmanager
def started(servers: Servers) -> Iterator[Servers]:
    """`servers` seeded with tests/data/participants.csv, started, then stopped."""
    seed(servers.env)
    try:
        servers.start()
        yield servers
    finally:
        servers.close()


@pytest.fixture(scope="session")
def servers(
    model_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    provider_apis: FakeProviderApis,
) -> Iterator[Servers]:
    workdir = tmp_path_factory.mktemp("servers")
    with started(Servers(workdir=workdir, provider_api_url=provider_apis.url)) as running:
        yield running


@pytest.fixture(scope="session")
def spare_servers(
    model_path: Path, tmp_path_factory: pytest.TempPathFactory, provider_apis: FakeProviderApis
) -> Iterator[Servers]:
    """A second pair, for the tests that stop or restart a server (each leaves them
    running): the session's servers never go down under the other tests."""
    workdir = tmp_path_factory.mktemp("spare-servers")
    with started(Servers(workdir=workdir, provider_api_url=provider_apis.url)) as running:
        yield running


# References from CMC-2015-1000 on: the seed has 0001-0005, the tests use 0999 as unknown.
_references = itertools.count(1000)


def new_reference() -> str:
    """A reference no other test uses: the store's lock-outs count failures per
    reference across conversations, so tests sharing one would depend on each other."""
    return f"CMC-2015-{next(_references):04d}"


def add_participant(
    servers: Servers, status: str = "confirmed", language: str = "en"
) -> Participant:
    """A participant of this test alone, in the servers' participant store."""
    reference = new_reference()
    number = reference[-4:]
    participant = Participant(
        reference=reference,
        full_name=f"Nadia Test{number}",
        email=f"nadia.{number}@example.org",
        organisation="Test City",
        country="France",
        category="mayor",
        status=status,
        language=language,
    )
    engine = create_engine(servers.env["DATABASE_URL"])
    try:
        csvio.upsert(engine, [participant])
    finally:
        engine.dispose()
    return participant


class Variant(NamedTuple):
    """A tuple, so that it compares equal whether imported as `conftest` (by pytest)
    or as `tests.conftest` (by a test module)."""

    response: str
    language: str
    role: str | None = None


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))


class Replies(dict):  # type: ignore[type-arg]
    """Reply text -> Variant. A domain response is found as it is; an answer that
    `action_answer` composed from the fact base is named `answer:` + the keys of its
    sentences in order ("answer:dates+venue"), so that a test says which facts a reply
    gives without copying their wording."""

    def __init__(self, domain: dict[str, Any]) -> None:
        super().__init__()
        for name, options in domain["responses"].items():
            for option in options:
                if re.fullmatch(r"\{\w+\}", option["text"]):
                    continue  # utter_answer: a composed answer, found by its pieces below
                condition = {c["name"]: c["value"] for c in option["condition"]}
                self[option["text"]] = Variant(name, condition["language"], condition.get("role"))
        base = yaml.safe_load((ROOT / "bot" / "nlu" / "facts.yml").read_text("utf-8"))
        pieces = {fact["id"]: fact for fact in base["facts"]}
        pieces.update(base["phrases"])
        pieces["not_cancelled"] = base["not_cancelled"]
        self._pieces = sorted(
            ((texts[lang], key, lang) for key, texts in pieces.items() for lang in ("fr", "en")),
            key=lambda piece: -len(piece[0]),
        )

    def get(self, text: str, default: Variant | None = None) -> Variant | None:  # type: ignore[override]
        try:
            return self[text]
        except KeyError:
            return default

    def __contains__(self, text: object) -> bool:
        if not isinstance(text, str):
            return False
        try:
            self[text]
        except KeyError:
            return False
        return True

    def __missing__(self, text: str) -> Variant:
        keys: list[str] = []
        languages: set[str] = set()
        rest = text
        while rest:
            piece = next((p for p in self._pieces if rest.startswith(p[0])), None)
            if piece is None:
                raise KeyError(text)
            keys.append(piece[1])
            languages.add(piece[2])
            rest = rest[len(piece[0]) :].lstrip()
        if len(languages) != 1:
            raise KeyError(f"mixed languages: {text}")
        return Variant("answer:" + "+".join(keys), languages.pop())


@pytest.fixture(scope="session")
def variants(domain: dict[str, Any]) -> dict[str, Variant]:
    """Every reply text the bot can send -> which response and language it is."""
    return Replies(domain)


@pytest.fixture(scope="session")
def agent(model_path: Path) -> Any:
    """The trained model in process, patched as `python -m bot.run_rasa` runs it, for
    NLU-only checks (no tracker, no actions)."""
    from rasa.core.agent import Agent

    from bot import patches

    patches.install_rasa()
    return Agent.load(str(model_path))


# Debian's chromium and chromedriver, never a browser a test tool downloads.
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def chromium_options(profile: str) -> webdriver.ChromeOptions:
    """Flags that keep chromium off the network: this machine has none."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    return options


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        unavailable("Debian's chromium and chromium-driver are needed: `make test` installs them")
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never download anything
    with tempfile.TemporaryDirectory() as profile:
        driver = webdriver.Chrome(
            options=chromium_options(profile), service=Service(executable_path=CHROMEDRIVER)
        )
        driver.set_page_load_timeout(30)
        try:
            yield driver
        finally:
            driver.quit()


@dataclass
class WebPage:
    """The conference page (`python -m bot web`) in front of the running servers."""

    url: str
    process: subprocess.Popen[bytes]


@pytest.fixture(scope="session")
def web_page(servers: Servers) -> Iterator[WebPage]:
    log = servers.workdir / "web.log"
    command = [sys.executable, "-m", "bot", "web", "--host", "127.0.0.1"]
    process = start(command + ["--port", str(servers.web_port)], servers.env, log)
    url = f"http://localhost:{servers.web_port}"
    try:
        wait_until_up(f"{url}/health", process, log, timeout=60)
        yield WebPage(url=url, process=process)
    finally:
        stop(process)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[tuple[sa.engine.Engine, str]]:
    """One database on the machine's PostgreSQL (TEST_POSTGRES_URL) for the session, and
    a connection to it that hands out a schema per test: a schema is made in
    milliseconds, a database in a few hundred."""
    name = f"cmc_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT", future=True)
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        admin.dispose()
        unavailable(f"no PostgreSQL at {PG_ADMIN} ({type(error).__name__}): `make check` starts it")
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    owner = sa.create_engine(url, isolation_level="AUTOCOMMIT", future=True)
    try:
        yield owner, url
    finally:
        owner.dispose()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: an SQLite file, or a new schema of the session's PostgreSQL
    database (every connection of the URL works in it alone), dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'participants.db'}"
        return
    owner, url = request.getfixturevalue("postgres_database")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with owner.connect() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{url}?options=-csearch_path%3D{schema}"
    finally:
        with owner.connect() as connection:
            # The test's own connections may still be open: end them, as DROP DATABASE
            # WITH (FORCE) would.
            connection.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
