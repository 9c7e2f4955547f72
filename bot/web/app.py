"""App factory, configuration, middlewares and views of the public page."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import aiohttp_jinja2
import jinja2
from aiohttp import web
from sqlalchemy.engine import Engine

from bot import i18n, patches, settings
from bot.nlu.facts import FACTS_FILE, fact_base
from bot.participants.store import create_engine
from bot.settings import DEFAULT_LANGUAGE, LANGUAGES
from bot.staff.app import create_app as create_staff_app
from bot.staff.config import StaffConfig
from bot.web import health

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
LANGUAGE_COOKIE = "cmc_lang"
ONE_YEAR = 365 * 24 * 3600

CONFIG_KEY: web.AppKey[WebConfig] = web.AppKey("config")
ENGINE_KEY: web.AppKey[Engine] = web.AppKey("engine")
HTTP_KEY = web.AppKey("http", aiohttp.ClientSession)
SECTIONS_KEY = web.AppKey("sections", dict)
# The page's sections: (id, the facts of bot/nlu/facts.yml it shows, in order); their
# titles are the catalogue's web.section_<id>.
SECTIONS = (
    ("about", ("about",)),
    ("when-where", ("dates", "venue")),
    ("topics", ("topics",)),
    ("invitees", ("invitees",)),
    ("idm", ("idm",)),
    ("report", ("wmr_launch", "wmr_content")),
    ("contact", ("contact",)),
)


@dataclass(frozen=True)
class WebConfig:
    """Where the page finds Rasa, the action server and the participant database."""

    rasa_url: str
    actions_health_url: str
    database_url: str
    # Public URL of Rasa's socket.io channel for the widget. It goes into the page and
    # its security policy, so it comes from configuration, never from the request.
    socket_url: str = "http://localhost:5005"
    facts_path: Path = FACTS_FILE
    health_timeout: float = 3.0
    staff: StaffConfig | None = None  # the staff console under /staff, when set

    @classmethod
    def from_env(cls) -> WebConfig:
        parts = urlsplit(settings.action_endpoint_url())
        return cls(
            rasa_url=settings.rasa_url(),
            actions_health_url=f"{parts.scheme}://{parts.netloc}/health",
            database_url=settings.get("DATABASE_URL"),
            socket_url=settings.get("CHAT_SOCKET_URL").rstrip("/")
            or default_socket_url(settings.get("WEB_HOST"), int(settings.get("RASA_PORT"))),
            staff=StaffConfig.from_env(),
        )


def default_socket_url(web_host: str, rasa_port: int) -> str:
    """Rasa on the page's configured host (localhost when the page listens on every
    interface)."""
    host = web_host if web_host and web_host not in ("0.0.0.0", "::") else "localhost"
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{rasa_port}"


def page_sections(facts_path: Path) -> dict[str, list[tuple[str, str]]]:
    """Per language, (section id, text) from the fact base: the page says exactly what
    the assistant says, so the facts live in one place."""
    base = fact_base(facts_path)
    return {
        language: [
            (section_id, " ".join(base.text(fact, language) for fact in facts))
            for section_id, facts in SECTIONS
        ]
        for language in LANGUAGES
    }


def request_language(request: web.Request) -> tuple[str, bool]:
    """The page language: ?lang=, then the cookie, then Accept-Language, then French.
    The second value says whether it was chosen now (and should be remembered)."""
    asked = request.query.get("lang", "")
    if asked in LANGUAGES:
        return asked, True
    cookie = request.cookies.get(LANGUAGE_COOKIE, "")
    if cookie in LANGUAGES:
        return cookie, False
    accepted = i18n.accepted_language(request.headers.get("Accept-Language", ""))
    return accepted or DEFAULT_LANGUAGE, False


def content_security_policy(socket: str) -> str:
    """Scripts and styles only from this app; connections only to the chat socket."""
    parts = urlsplit(socket)
    websocket = ("wss" if parts.scheme == "https" else "ws") + f"://{parts.netloc}"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            f"connect-src 'self' {websocket} {parts.scheme}://{parts.netloc}",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'self'",
        ]
    )


@web.middleware
async def security_headers(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    response = await handler(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


@web.middleware
async def error_pages(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Bilingual 404 and 500 pages; JSON for /health; never a stack trace."""
    try:
        return await handler(request)
    except web.HTTPException as error:
        if error.status != 404 or request.path.startswith("/static/"):
            raise
        return render_error(request, 404, "not_found")
    except Exception:  # noqa: BLE001 - logged, and the person gets a page
        logger.exception("web: %s %s failed", request.method, request.path)
        return render_error(request, 500, "error")


def render_error(request: web.Request, status: int, key: str) -> web.Response:
    language, _ = request_language(request)
    return aiohttp_jinja2.render_template(
        "error.html",
        request,
        {
            "lang": language,
            "t": i18n.strings("web", language),
            "title_key": f"{key}_title",
            "key": key,
        },
        status=status,
    )


async def index(request: web.Request) -> web.Response:
    config = request.app[CONFIG_KEY]
    language, chosen = request_language(request)
    socket = config.socket_url
    response = aiohttp_jinja2.render_template(
        "index.html",
        request,
        {
            "lang": language,
            "languages": [(code, i18n.text("web.language_name", code)) for code in LANGUAGES],
            "t": i18n.strings("web", language),
            "sections": request.app[SECTIONS_KEY][language],
            "socket_url": socket,
        },
    )
    response.headers["Content-Security-Policy"] = content_security_policy(socket)
    response.headers["Content-Language"] = language
    response.headers["Vary"] = "Accept-Language, Cookie"
    if chosen:
        response.set_cookie(
            LANGUAGE_COOKIE,
            language,
            max_age=ONE_YEAR,
            httponly=True,
            samesite="Lax",
            secure=request.secure,
        )
    return response


async def health_view(request: web.Request) -> web.Response:
    report = await health.check_all(
        request.app[CONFIG_KEY], request.app[HTTP_KEY], request.app[ENGINE_KEY]
    )
    status = 200 if report["status"] == "ok" else 503
    return web.json_response(report, status=status, headers={"Cache-Control": "no-store"})


async def resources(app: web.Application) -> AsyncIterator[None]:
    """The database engine and the HTTP client live as long as the app."""
    config = app[CONFIG_KEY]
    app[ENGINE_KEY] = create_engine(config.database_url)
    app[HTTP_KEY] = aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=config.health_timeout)
    )
    yield
    await app[HTTP_KEY].close()
    app[ENGINE_KEY].dispose()


def create_app(config: WebConfig) -> web.Application:
    patches.install_web()  # aiohttp 3.9 + yarl 1.25: sub-application routing
    app = web.Application(middlewares=[security_headers, error_pages])
    app[CONFIG_KEY] = config
    app[SECTIONS_KEY] = page_sections(config.facts_path)
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(default=True),
    )
    app.cleanup_ctx.append(resources)
    app.router.add_get("/", index, name="index")
    app.router.add_get("/health", health_view, name="health")
    app.router.add_static("/static/", HERE / "static", name="static", append_version=True)
    if config.staff is not None:
        app.add_subapp("/staff", create_staff_app(config.staff))
    return app


def serve(host: str, port: int, config: WebConfig | None = None) -> None:
    web.run_app(create_app(config or WebConfig.from_env()), host=host, port=port, print=None)
