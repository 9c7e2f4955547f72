"""The staff console: an aiohttp sub-application (`create_app`), mounted under /staff by
the web app. Views are thin: the stores (`accounts`, `conversations`) do the work, in a
thread, since SQLAlchemy and argon2 block.

Every route needs a signed-in, active account unless its view is marked `public`;
views marked `admin_only` answer 403 to reviewers. Both are enforced by one middleware,
so a new route cannot forget them (tests/test_staff.py walks the route table)."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qsl, urlencode

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp_session import STORAGE_KEY, Session, get_session, session_middleware
from aiohttp_session.cookie_storage import EncryptedCookieStorage

from bot import i18n
from bot.participants.store import create_engine
from bot.privacy import mask
from bot.settings import DEFAULT_LANGUAGE, LANGUAGES
from bot.staff import dashboard as figures
from bot.staff import export, human_reply
from bot.staff.accounts import Account, StaffStore
from bot.staff.config import StaffConfig
from bot.staff.conversations import (
    CHANNELS,
    REGISTRATION_OUTCOMES,
    UNANSWERED,
    Conversations,
    Filters,
    confidence_below,
    create_tracker_engine,
)
from bot.staff.index import COUNT_CAP, Index
from bot.staff.index import run as run_index
from bot.staff.masking import Masker
from bot.staff.retention import erase, replica_name, run_daily
from bot.staff.reviews import BULK_MAX, FollowupState, ReviewError, Reviews, parse_tags
from bot.staff.saved_filters import SavedFilters
from bot.staff.sources import fact_sources, sources_of
from bot.staff.unanswered import (
    LABEL_MAX,
    LabelError,
    Labels,
    domain_intents,
    find,
    group,
    label_intents,
)

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
COOKIE = "cmc_staff"
LANGUAGE_COOKIE = "cmc_lang"  # the conference page's: one choice for both
ONE_YEAR = 365 * 24 * 3600
MAX_PAGE = 10_000
AUDIT_PAGE_SIZE = 100

CONFIG_KEY = web.AppKey("staff_config", StaffConfig)
STORE_KEY = web.AppKey("staff_store", StaffStore)
CONVERSATIONS_KEY = web.AppKey("staff_conversations", Conversations)
INDEX_KEY = web.AppKey("staff_index", Index)
REVIEWS_KEY = web.AppKey("staff_reviews", Reviews)
LABELS_KEY = web.AppKey("staff_labels", Labels)
SAVED_FILTERS_KEY = web.AppKey("staff_saved_filters", SavedFilters)
CLOCK_KEY: web.AppKey[Callable[[], datetime]] = web.AppKey("staff_clock")
ACCOUNT = "staff_account"  # request key: the signed-in account
LANGUAGE = "staff_language"  # request key: (language, chosen now)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


class CsrfRefused(web.HTTPForbidden):
    """A POST without the session's CSRF token."""


def public(handler: Handler) -> Handler:
    """Reachable without signing in (the login page only)."""
    handler.public = True  # type: ignore[attr-defined]
    return handler


def admin_only(handler: Handler) -> Handler:
    handler.admin_only = True  # type: ignore[attr-defined]
    return handler


class StaffCookieStorage(EncryptedCookieStorage):
    """Encrypted session cookie, HttpOnly, SameSite=Strict, path /staff; Secure when the
    request came over HTTPS (or STAFF_SECURE_COOKIE behind a proxy)."""

    def __init__(self, key: bytes, force_secure: bool) -> None:
        super().__init__(key, cookie_name=COOKIE, path="/staff", httponly=True, samesite="Strict")
        self.force_secure = force_secure

    async def save_session(
        self, request: web.Request, response: web.StreamResponse, session: Session
    ) -> None:
        await super().save_session(request, response, session)
        if (request.secure or self.force_secure) and COOKIE in response.cookies:
            response.cookies[COOKIE]["secure"] = True


def request_language(request: web.Request) -> tuple[str, bool]:
    """?lang=, then the language cookie, then Accept-Language, then French; and whether
    it was chosen now (then remembered)."""
    asked = request.query.get("lang", "")
    if asked in LANGUAGES:
        return asked, True
    cookie = request.cookies.get(LANGUAGE_COOKIE, "")
    if cookie in LANGUAGES:
        return cookie, False
    accepted = i18n.accepted_language(request.headers.get("Accept-Language", ""))
    return accepted or DEFAULT_LANGUAGE, False


def language(request: web.Request) -> str:
    if LANGUAGE not in request:
        request[LANGUAGE] = request_language(request)
    return cast(str, request[LANGUAGE][0])


async def csrf_token(request: web.Request) -> str:
    session = await get_session(request)
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return str(session["csrf"])


async def render(
    request: web.Request, template: str, context: dict[str, Any], status: int = 200
) -> web.Response:
    """A page in the request's language, with the session's CSRF token for its forms."""
    lang = language(request)
    sessions = request.app[CONFIG_KEY].secret_key is not None
    return aiohttp_jinja2.render_template(
        template,
        request,
        {
            "lang": lang,
            "t": i18n.strings("staff", lang),
            "account": request.get(ACCOUNT),
            "languages": [
                (code, str(request.rel_url.update_query(lang=code)))
                for code in LANGUAGES
                if code != lang
            ],
            "csrf": await csrf_token(request) if sessions else "",
            **context,
        },
        status=status,
    )


async def render_error(request: web.Request, status: int, key: str) -> web.Response:
    strings = i18n.strings("staff", language(request))
    if key not in strings:
        key = "error_500" if status >= 500 else "error_400"
    return await render(request, "error.html", {"message": strings[key], "status": status}, status)


# Middlewares, outermost first.


@web.middleware
async def page_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """No caching of staff pages, no scripts at all, and the language remembered."""
    response = await handler(request)
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Language"] = language(request)
    if request[LANGUAGE][1]:
        response.set_cookie(
            LANGUAGE_COOKIE,
            language(request),
            max_age=ONE_YEAR,
            httponly=True,
            samesite="Lax",
            secure=request.secure,
        )
    return response


@web.middleware
async def error_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Bilingual error pages, never a stack trace; redirects pass through."""
    try:
        return await handler(request)
    except CsrfRefused:
        return await render_error(request, 403, "error_403_csrf")
    except web.HTTPException as error:
        if error.status < 400:
            raise
        response = await render_error(request, error.status, f"error_{error.status}")
        if "Retry-After" in error.headers:
            response.headers["Retry-After"] = error.headers["Retry-After"]
        return response
    except Exception:  # noqa: BLE001 - logged, and the person gets a page
        logger.exception("staff: %s %s failed", request.method, request.path)
        return await render_error(request, 500, "error_500")


@web.middleware
async def not_configured(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Without STAFF_SECRET_KEY every page says so (503)."""
    raise web.HTTPServiceUnavailable()


@web.middleware
async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The signed-in account, or a redirect to the login page (GET) / 401; 403 for a
    reviewer on an admin view."""
    match = request.match_info
    if match.http_exception is not None:
        raise match.http_exception
    if getattr(match.handler, "public", False):
        return await handler(request)
    account = await signed_in(request)
    if account is None:
        if request.method in ("GET", "HEAD"):
            login = request.app.router["login"].url_for()
            query = {"next": request.path_qs}
            if request.get("staff_expired"):
                query["expired"] = "1"
            raise web.HTTPFound(login.with_query(query))
        raise web.HTTPUnauthorized()
    if getattr(match.handler, "admin_only", False) and not account.is_admin:
        raise web.HTTPForbidden()
    request[ACCOUNT] = account
    return await handler(request)


async def signed_in(request: web.Request) -> Account | None:
    """The session's account if it is active, the session not idle past the timeout nor
    older than the maximum, and not ended by a logout since; the session is refreshed."""
    session = await get_session(request)
    account_id = session.get("account")
    if account_id is None:
        return None
    config = request.app[CONFIG_KEY]
    now = request.app[CLOCK_KEY]().timestamp()
    login_at = float(session.get("login_at", 0))
    if now - float(session.get("seen", 0)) > config.idle_timeout or (
        now - login_at > config.max_session_age
    ):
        session.invalidate()
        request["staff_expired"] = True
        return None
    account = await asyncio.to_thread(request.app[STORE_KEY].get, int(account_id))
    if (
        account is None
        or not account.active
        or (account.sessions_since is not None and login_at <= account.sessions_since.timestamp())
    ):
        session.invalidate()
        return None
    session["seen"] = now
    return account


@web.middleware
async def check_csrf(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every state-changing request carries the session's token in its form."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        form = await request.post()
        sent = form.get("csrf")
        expected = (await get_session(request)).get("csrf")
        if not (
            isinstance(sent, str)
            and isinstance(expected, str)
            and hmac.compare_digest(sent.encode(), expected.encode())
        ):
            raise CsrfRefused()
    return await handler(request)


# Views.


def _local_next(value: str) -> str | None:
    """Only a path of this console: never another site (`//host`, `/\\host`)."""
    if value.startswith("/staff") and not value.startswith(("//", "/\\")) and "\\" not in value:
        return value
    return None


@public
async def login_form(request: web.Request) -> web.Response:
    if await signed_in(request):
        raise web.HTTPFound(request.app.router["conversations"].url_for())
    notice = None
    if request.query.get("expired"):
        notice = "session_expired"
    elif request.query.get("out"):
        notice = "logged_out"
    return await render(
        request,
        "login.html",
        {"next": request.query.get("next", ""), "notice": notice, "error": None},
    )


@public
async def login(request: web.Request) -> web.Response:
    form = await request.post()
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    client = request.remote or "unknown"
    result = await asyncio.to_thread(request.app[STORE_KEY].login, username, password, client)
    if result.account is None:
        strings = i18n.strings("staff", language(request))
        error = (
            strings["login_throttled"].format(seconds=result.retry_after)
            if result.retry_after
            else strings["login_failed"]
        )
        response = await render(
            request,
            "login.html",
            {
                "next": str(form.get("next", "")),
                "notice": None,
                "error": error,
                "username": username[:64],
            },
            status=429 if result.retry_after else 401,
        )
        if result.retry_after:
            response.headers["Retry-After"] = str(result.retry_after)
        return response
    session = await get_session(request)
    session.clear()
    now = request.app[CLOCK_KEY]().timestamp()
    session.update(
        {
            "account": result.account.id,
            "login_at": now,
            "seen": now,
            "csrf": secrets.token_urlsafe(32),
        }
    )
    target = _local_next(str(form.get("next", ""))) or str(
        request.app.router["conversations"].url_for()
    )
    raise web.HTTPFound(target)


async def logout(request: web.Request) -> web.Response:
    account: Account = request[ACCOUNT]
    store = request.app[STORE_KEY]
    await asyncio.to_thread(store.end_sessions, account.id)
    await asyncio.to_thread(store.audit, account.username, "logout")
    (await get_session(request)).invalidate()
    raise web.HTTPFound(request.app.router["login"].url_for().with_query(out="1"))


def _page(request: web.Request) -> int:
    try:
        return min(max(int(request.query.get("page", "1")), 1), MAX_PAGE)
    except ValueError:
        return 1


def _export_query(request: web.Request) -> str:
    """The list's filters, for the export links (no page, language or message)."""
    kept = [
        (key, value)
        for key, value in request.query.items()
        if key not in ("page", "lang", "raw", "done", "error")
    ]
    return "?" + urlencode(kept) if kept else ""


async def _list(
    request: web.Request,
    filters: Filters,
    title: str,
    route: str,
    waiting: dict[str, tuple[float, str]] | None = None,
) -> web.Response:
    page = _page(request)
    size = request.app[CONFIG_KEY].page_size
    index = request.app[INDEX_KEY]
    rows, more = await asyncio.to_thread(index.page, filters, page, size)
    total = await asyncio.to_thread(index.count, filters, COUNT_CAP)  # COUNT_CAP + 1 at most
    progress = await asyncio.to_thread(index.progress)
    reviews = request.app[REVIEWS_KEY]
    marks = await asyncio.to_thread(reviews.summaries, [row.sender_id for row in rows])
    now = request.app[CLOCK_KEY]().timestamp()
    account: Account = request[ACCOUNT]
    saved = (
        await asyncio.to_thread(request.app[SAVED_FILTERS_KEY].of, account.id)
        if route == "conversations"
        else []
    )
    return await render(
        request,
        "conversations.html",
        {
            "title": title,
            "route": route,
            "action": request.app.router[route].url_for(),
            "filters": filters,
            "channels": CHANNELS,
            "all_languages": LANGUAGES,
            "unanswered_choices": UNANSWERED,
            "registration_outcomes": REGISTRATION_OUTCOMES,
            "known_intents": domain_intents(),
            "known_facts": sorted(fact_sources()),
            "below": "" if filters.below is None else f"{filters.below:g}",
            "known_tags": await asyncio.to_thread(reviews.all_tags),
            "rows": rows,
            "total": total,
            # "more than 10,000" / "plus de 10 000" (a narrow no-break space in French)
            "total_cap": (
                f"{COUNT_CAP:,}".replace(",", "\u202f" if language(request) == "fr" else ",")
                if total > COUNT_CAP
                else None
            ),
            "not_indexed": progress.behind,
            "marks": marks,
            "waiting": {
                sender: (max(0.0, now - since) / 86400, reason)
                for sender, (since, reason) in (waiting or {}).items()
            },
            "page": page,
            "here": str(
                request.rel_url.with_query(
                    [(k, v) for k, v in request.query.items() if k not in ("done", "error")]
                )
            ),
            "error": request.query.get("error") if request.query.get("error") in ERRORS else None,
            "done": request.query.get("done") if request.query.get("done") in LIST_DONE else None,
            "export_query": _export_query(request),
            "saved_filters": saved,
            "filter_query": urlencode(filters.to_query()),
            "previous": str(request.rel_url.update_query(page=page - 1)) if page > 1 else None,
            "next": str(request.rel_url.update_query(page=page + 1)) if more else None,
        },
    )


async def conversations(request: web.Request) -> web.Response:
    """The conversation list, most recent activity first."""
    return await _list(request, Filters.from_query(request.query), "list_title", "conversations")


def open_followups(
    requests: dict[str, tuple[float, float]], states: dict[str, Any]
) -> dict[str, tuple[float, str]]:
    """The follow-up queue: conversations flagged, or where a person was requested
    since their follow-up was last closed; each with the time it has waited since
    (epoch seconds) and why ("flag" or "person")."""
    found: dict[str, tuple[float, str]] = {}
    for sender, (first, last) in requests.items():
        state = states.get(sender)
        closed = state.closed_at.timestamp() if state and state.closed_at else None
        if closed is None:
            found[sender] = (first, "person")
        elif last > closed:
            found[sender] = (last, "person")
    for sender, state in states.items():
        if state.flagged_at is not None:
            since = state.flagged_at.timestamp()
            found[sender] = (min(since, found.get(sender, (since, ""))[0]), "flag")
    return found


async def followup_queue(request: web.Request) -> dict[str, tuple[float, str]]:
    requests = await asyncio.to_thread(request.app[INDEX_KEY].person_requests)
    states = await asyncio.to_thread(request.app[REVIEWS_KEY].followup_states)
    return open_followups(requests, states)


async def in_queue(request: web.Request, sender_id: str, review: Any) -> bool:
    """Whether one conversation is in the follow-up queue (its own rows only)."""
    requests = await asyncio.to_thread(request.app[INDEX_KEY].person_requests, [sender_id])
    state = FollowupState(review.flagged_at, review.closed_at)
    return sender_id in open_followups(requests, {sender_id: state})


async def followups(request: web.Request) -> web.Response:
    """The follow-up queue: a person was requested, or a reviewer flagged it; until
    the item is closed with a note."""
    waiting = await followup_queue(request)
    filters = Filters.from_query(request.query).restricted(waiting)
    return await _list(request, filters, "followups_title", "followups", waiting)


async def transcript(request: web.Request) -> web.Response:
    sender_id = request.match_info["sender_id"]
    turns = await asyncio.to_thread(request.app[CONVERSATIONS_KEY].transcript, sender_id)
    if turns is None:
        raise web.HTTPNotFound()
    account: Account = request[ACCOUNT]
    await asyncio.to_thread(
        request.app[STORE_KEY].audit, account.username, "transcript_view", sender_id
    )
    review = await asyncio.to_thread(request.app[REVIEWS_KEY].get, sender_id)
    return await render(
        request,
        "transcript.html",
        {
            "sender_id": sender_id,
            "reply_refused": human_reply.refusal(sender_id, request.app[CONFIG_KEY].rasa_api_token),
            "reply_max": human_reply.REPLY_MAX,
            "turns": turns,
            # Under each reply composed from the fact base, the release's sentences.
            "sources": [sources_of(turn.facts) if turn.replies else [] for turn in turns],
            "review": review,
            "in_queue": await in_queue(request, sender_id, review),
            "error": request.query.get("error") if request.query.get("error") in ERRORS else None,
            "done": request.query.get("done") if request.query.get("done") in DONE else None,
        },
    )


ERRORS = (
    "error_reply_empty",
    "error_reply_long",
    "error_reply_failed",
    "reply_channel_refused",
    "reply_not_configured",
    "error_tag_empty",
    "error_note_empty",
    "error_bulk_empty",
    "error_filter_name",
    "error_filter_empty",
    "error_filter_limit",
)
LIST_DONE = ("done_bulk", "done_filter_saved", "done_filter_deleted")
DONE = (
    "done_tags",
    "done_note",
    "done_review",
    "done_flag",
    "done_closed",
    "done_bulk",
    "done_replied",
    "done_replied_closed",
)


def _back(request: web.Request, sender_id: str, **query: str) -> web.HTTPSeeOther:
    """After a change, back to the transcript (post/redirect/get)."""
    url = request.app.router["transcript"].url_for(sender_id=sender_id)
    return web.HTTPSeeOther(url.with_query(query) if query else url)


async def _review_change(
    request: web.Request, change: Callable[[Reviews, str, Any, str], Any], done: str
) -> web.Response:
    sender_id = request.match_info["sender_id"]
    refused = await _review_change_quiet(request, change)
    raise refused or _back(request, sender_id, done=done)


async def add_tags(request: web.Request) -> web.Response:
    def change(reviews: Reviews, sender: str, form: Any, actor: str) -> None:
        reviews.add_tags([sender], parse_tags(str(form.get("tags", ""))), actor)

    return await _review_change(request, change, "done_tags")


async def remove_tag(request: web.Request) -> web.Response:
    def change(reviews: Reviews, sender: str, form: Any, actor: str) -> None:
        reviews.remove_tag(sender, str(form.get("tag", "")))

    return await _review_change(request, change, "done_tags")


async def add_note(request: web.Request) -> web.Response:
    def change(reviews: Reviews, sender: str, form: Any, actor: str) -> None:
        reviews.add_note(sender, str(form.get("note", "")), actor)

    return await _review_change(request, change, "done_note")


async def mark_reviewed(request: web.Request) -> web.Response:
    def change(reviews: Reviews, sender: str, form: Any, actor: str) -> None:
        reviews.set_reviewed([sender], form.get("reviewed") == "1", actor)

    return await _review_change(request, change, "done_review")


async def flag(request: web.Request) -> web.Response:
    def change(reviews: Reviews, sender: str, form: Any, actor: str) -> None:
        reviews.set_flag(sender, form.get("flag") == "1", actor)

    return await _review_change(request, change, "done_flag")


async def close_followup(request: web.Request) -> web.Response:
    sender_id = request.match_info["sender_id"]
    account: Account = request[ACCOUNT]

    def change(reviews: Reviews, sender: str, form: Any, actor: str) -> None:
        reviews.close_followup(sender, str(form.get("note", "")), actor)

    response = await _review_change_quiet(request, change)
    if response is None:
        await asyncio.to_thread(
            request.app[STORE_KEY].audit, account.username, "followup_close", sender_id
        )
        raise _back(request, sender_id, done="done_closed")
    raise response


async def reply(request: web.Request) -> web.Response:
    """Send the reviewer's reply to the user, as a person (bot/staff/human_reply.py);
    once Rasa confirmed it, the follow-up is closed with the reply as its note (or, out
    of the queue, the reply is kept as a note) and the send is audited. Refused or
    failed: nothing is recorded, and the page says why."""
    sender_id = request.match_info["sender_id"]
    form = await request.post()
    account: Account = request[ACCOUNT]
    config = request.app[CONFIG_KEY]
    try:
        refused = human_reply.refusal(sender_id, config.rasa_api_token)
        if refused:
            raise human_reply.ReplyError(refused)
        text = human_reply.clean(str(form.get("reply", "")))
        if await asyncio.to_thread(request.app[CONVERSATIONS_KEY].transcript, sender_id) is None:
            raise web.HTTPNotFound()
        lang = await asyncio.to_thread(request.app[CONVERSATIONS_KEY].language, sender_id)
        await human_reply.send(
            config.rasa_url, config.rasa_api_token, sender_id, human_reply.marked(text, lang)
        )
    except human_reply.ReplyError as error:
        raise _back(request, sender_id, error=error.key) from None
    reviews = request.app[REVIEWS_KEY]
    queued = await in_queue(request, sender_id, await asyncio.to_thread(reviews.get, sender_id))
    if queued:
        await asyncio.to_thread(reviews.close_followup, sender_id, text, account.username, "reply")
    else:
        await asyncio.to_thread(reviews.add_note, sender_id, text, account.username, "reply")
    await asyncio.to_thread(
        request.app[STORE_KEY].audit,
        account.username,
        "staff_reply",
        sender_id,
        f"{len(text)} characters" + (", follow-up closed" if queued else ""),
    )
    raise _back(request, sender_id, done="done_replied_closed" if queued else "done_replied")


async def _review_change_quiet(
    request: web.Request, change: Callable[[Reviews, str, Any, str], Any]
) -> web.HTTPSeeOther | None:
    """The change, or the redirect that reports why it was refused."""
    sender_id = request.match_info["sender_id"]
    form = await request.post()
    account: Account = request[ACCOUNT]
    try:
        await asyncio.to_thread(change, request.app[REVIEWS_KEY], sender_id, form, account.username)
    except ReviewError as error:
        return _back(request, sender_id, error=error.key)
    return None


async def bulk(request: web.Request) -> web.Response:
    """Tag, or mark reviewed, the conversations ticked on a list page."""
    form = await request.post()
    senders = list(dict.fromkeys(str(v) for v in form.getall("c", [])))[:BULK_MAX]
    back = _local_next(str(form.get("next", ""))) or str(
        request.app.router["conversations"].url_for()
    )
    separator = "&" if "?" in back else "?"
    if not senders:
        raise web.HTTPSeeOther(f"{back}{separator}error=error_bulk_empty")
    account: Account = request[ACCOUNT]
    reviews = request.app[REVIEWS_KEY]
    operation = form.get("operation")
    try:
        if operation == "tag":
            tags = parse_tags(str(form.get("tags", "")))
            await asyncio.to_thread(reviews.add_tags, senders, tags, account.username)
        elif operation in ("reviewed", "unreviewed"):
            await asyncio.to_thread(
                reviews.set_reviewed, senders, operation == "reviewed", account.username
            )
        else:
            raise web.HTTPBadRequest()
    except ReviewError as error:
        raise web.HTTPSeeOther(f"{back}{separator}error={error.key}") from None
    raise web.HTTPSeeOther(f"{back}{separator}done=done_bulk")


async def save_filter(request: web.Request) -> web.Response:
    """Save the list's current filters (the form's `query`) under a name, for the
    signed-in account; the same name again replaces them."""
    form = await request.post()
    account: Account = request[ACCOUNT]
    query = str(form.get("query", ""))[:4000]
    filters = Filters.from_query(dict(parse_qsl(query)))
    url = request.app.router["conversations"].url_for()
    try:
        await asyncio.to_thread(
            request.app[SAVED_FILTERS_KEY].save, account.id, str(form.get("name", "")), filters
        )
    except ReviewError as error:
        back = [*filters.to_query(), ("error", error.key)]
        raise web.HTTPSeeOther(url.with_query(back)) from None
    raise web.HTTPSeeOther(url.with_query([*filters.to_query(), ("done", "done_filter_saved")]))


async def delete_filter(request: web.Request) -> web.Response:
    """Delete one of the signed-in account's saved filters (another's: nothing)."""
    form = await request.post()
    account: Account = request[ACCOUNT]
    await asyncio.to_thread(request.app[SAVED_FILTERS_KEY].delete, account.id, form.get("id", ""))
    url = request.app.router["conversations"].url_for()
    raise web.HTTPSeeOther(url.with_query(done="done_filter_deleted"))


async def dashboard(request: web.Request) -> web.Response:
    """Charts of the last 30 days, drawn as SVG on the server."""
    now = request.app[CLOCK_KEY]()
    data = await asyncio.to_thread(figures.compute, request.app[INDEX_KEY].engine, now)
    waiting = await followup_queue(request)
    t = i18n.strings("staff", language(request))
    days = data.days
    rate = [
        (
            None if not data.messages[i] else 100 * data.fallback[i] / data.messages[i],
            None if not data.messages[i] else 100 * data.abstention[i] / data.messages[i],
        )
        for i in range(len(days))
    ]
    charts = [
        figures.stacked_days(
            "by-language",
            t["chart_language"],
            t["chart_language_desc"],
            days,
            [
                (code.upper() if code != "other" else t["unknown"], v)
                for code, v in data.by_language.items()
            ],
            t["day"],
            t["total"],
        ),
        figures.stacked_days(
            "by-channel",
            t["chart_channel"],
            t["chart_channel_desc"],
            days,
            [(t["channel_" + code], v) for code, v in data.by_channel.items()],
            t["day"],
            t["total"],
        ),
        figures.horizontal_bars(
            "intents",
            t["chart_intents"],
            t["chart_intents_desc"],
            data.intents,
            t["intent_name"],
            t["count"],
        ),
        figures.line_days(
            "rates",
            t["chart_rates"],
            t["chart_rates_desc"],
            days,
            [
                (t["fallback_rate"], [r[0] for r in rate]),
                (t["abstention_rate"], [r[1] for r in rate]),
            ],
            t["day"],
            "%",
            top=100,
        ),
        figures.horizontal_bars(
            "registrations",
            t["chart_registrations"],
            t["chart_registrations_desc"],
            [(t.get("outcome_" + name, name), count) for name, count in data.registrations],
            t["outcome"],
            t["count"],
        ),
        figures.line_days(
            "response",
            t["chart_response"],
            t["chart_response_desc"],
            days,
            [(t["median"], data.response_p50), (t["p95"], data.response_p95)],
            t["day"],
            " s",
        ),
        figures.horizontal_bars(
            "queue",
            t["chart_queue"],
            t["chart_queue_desc"],
            [(t[key], count) for key, count in figures.queue_ages(waiting, now)],
            t["age"],
            t["count"],
        ),
    ]
    count, p50, p95 = data.response_overall
    return await render(
        request,
        "dashboard.html",
        {
            "charts": charts,
            "first_day": days[0],
            "last_day": days[-1],
            "responses": count,
            "p50": p50,
            "p95": p95,
            "queue_size": len(waiting),
        },
    )


EXPORT_TYPES = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "jsonl": ("application/x-ndjson; charset=utf-8", "jsonl"),
}


async def export_csv(request: web.Request) -> web.StreamResponse:
    return await _export(request, "csv")


async def export_jsonl(request: web.Request) -> web.StreamResponse:
    return await _export(request, "jsonl")


async def _export(request: web.Request, kind: str) -> web.StreamResponse:
    """The list's filtered set, streamed: one batch of conversations read, masked,
    written, then the next; memory does not grow with the set. `?raw=1`: admins only,
    not masked. Audited before the first byte (an interrupted export is too)."""
    account: Account = request[ACCOUNT]
    raw = request.query.get("raw") == "1"
    if raw and not account.is_admin:
        raise web.HTTPForbidden()
    filters = Filters.from_query(request.query)
    store = request.app[STORE_KEY]
    masker = None if raw else await asyncio.to_thread(Masker.from_database, store.engine)
    await asyncio.to_thread(
        store.audit,
        account.username,
        "export_raw" if raw else "export",
        None,
        f"{kind}: {mask(request.query_string)}"[:255],
    )
    content_type, extension = EXPORT_TYPES[kind]
    day = request.app[CLOCK_KEY]().strftime("%Y%m%d")
    response = web.StreamResponse(
        headers={
            "Content-Type": content_type,
            "Content-Disposition": (
                f'attachment; filename="cmc-conversations-{day}{"-raw" if raw else ""}.{extension}"'
            ),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "Cache-Control": "no-store",
            "Content-Language": language(request),
        }
    )
    response.enable_chunked_encoding()
    # The session middleware leaves streamed responses alone: the refreshed session
    # (its idle clock) is saved here, before the headers go.
    session = await get_session(request)
    await request[STORAGE_KEY].save_session(request, response, session)
    await response.prepare(request)
    conversations = request.app[CONVERSATIONS_KEY]
    index = request.app[INDEX_KEY]
    size = request.app[CONFIG_KEY].export_batch_size
    format_chunk = export.csv_chunk if kind == "csv" else export.jsonl_chunk
    try:
        if kind == "csv":
            await response.write(export.csv_header().encode())
        after: str | None = None
        while True:
            senders = await asyncio.to_thread(index.senders, filters, after, size)
            batch = await asyncio.to_thread(conversations.export_batch, senders)
            if batch:
                await response.write(format_chunk(export.rows(batch, masker)).encode())
            if len(senders) < size:
                break
            after = senders[-1]
    except (ConnectionResetError, asyncio.CancelledError):
        raise
    except Exception:  # noqa: BLE001 - the headers are gone: cut the transfer short
        logger.exception("staff: export failed")
        if request.transport is not None:
            request.transport.close()
        return response
    await response.write_eof()
    return response


GROUPS_PER_PAGE = 25
MESSAGES_SHOWN = 50  # per group; the others are counted


async def unanswered(request: web.Request) -> web.Response:
    """The messages the assistant abstained or fell back on (or, with `below`, answered
    with a low confidence), grouped by similarity, largest groups first; each group
    with a form to label the ticked messages."""
    config = request.app[CONFIG_KEY]
    below = confidence_below(request.query.get("below", ""))
    only_language = request.query.get("language")
    only_language = only_language if only_language in LANGUAGES else None
    unlabelled = request.query.get("unlabelled") == "1"
    labels = request.app[LABELS_KEY]

    def work() -> tuple[list[Any], dict[int, Any], int]:
        messages = find(request.app[CONVERSATIONS_KEY], config.unanswered_max, below)
        if only_language:
            messages = [m for m in messages if m.language == only_language]
        labelled = labels.of(messages)
        if unlabelled:
            messages = [m for m in messages if m.event_id not in labelled]
        return group(messages, config.unanswered_threshold), labelled, len(messages)

    groups, labelled, count = await asyncio.to_thread(work)
    page = _page(request)
    shown = groups[(page - 1) * GROUPS_PER_PAGE : page * GROUPS_PER_PAGE]
    return await render(
        request,
        "unanswered.html",
        {
            "groups": shown,
            "first_number": (page - 1) * GROUPS_PER_PAGE,
            "group_count": len(groups),
            "message_count": count,
            "limit": config.unanswered_max,
            "shown_per_group": MESSAGES_SHOWN,
            "labelled": labelled,
            "intents": label_intents(),
            "all_languages": LANGUAGES,
            "below": "" if below is None else f"{below:g}",
            "only_language": only_language,
            "unlabelled": unlabelled,
            "page": page,
            "here": str(
                request.rel_url.with_query(
                    [(k, v) for k, v in request.query.items() if k not in ("done", "error")]
                )
            ),
            "error": request.query.get("error")
            if request.query.get("error") in LABEL_ERRORS
            else None,
            "done": request.query.get("done") == "done_label",
            "previous": str(request.rel_url.update_query(page=page - 1)) if page > 1 else None,
            "next": str(request.rel_url.update_query(page=page + 1))
            if page * GROUPS_PER_PAGE < len(groups)
            else None,
        },
    )


LABEL_ERRORS = ("error_label_empty", "error_label_intent", "error_label_language")


async def label(request: web.Request) -> web.Response:
    """Record the right intent and language of the ticked messages (audited)."""
    form = await request.post()
    back = _local_next(str(form.get("next", ""))) or str(request.app.router["unanswered"].url_for())
    separator = "&" if "?" in back else "?"
    ids = []
    for value in form.getall("m", [])[:LABEL_MAX]:
        try:
            ids.append(int(str(value)))
        except ValueError:
            continue
    intent, lang = str(form.get("intent", "")), str(form.get("language", ""))
    account: Account = request[ACCOUNT]
    try:
        count = await asyncio.to_thread(
            request.app[LABELS_KEY].record,
            request.app[CONVERSATIONS_KEY],
            ids,
            intent,
            lang,
            account.username,
        )
    except LabelError as error:
        raise web.HTTPSeeOther(f"{back}{separator}error={error.key}") from None
    await asyncio.to_thread(
        request.app[STORE_KEY].audit,
        account.username,
        "label",
        None,
        f"{count} message(s): {intent} ({lang})",
    )
    raise web.HTTPSeeOther(f"{back}{separator}done=done_label")


@admin_only
async def erase_conversation(request: web.Request) -> web.Response:
    sender_id = request.match_info["sender_id"]
    form = await request.post()
    if form.get("confirm") != "yes":
        raise web.HTTPBadRequest()
    account: Account = request[ACCOUNT]
    deleted = await asyncio.to_thread(
        erase,
        request.app[CONVERSATIONS_KEY],
        request.app[STORE_KEY],
        sender_id,
        account.username,
    )
    return await render(request, "erased.html", {"count": deleted})


@admin_only
async def audit_log(request: web.Request) -> web.Response:
    page = _page(request)
    entries = await asyncio.to_thread(
        request.app[STORE_KEY].audit_entries, AUDIT_PAGE_SIZE + 1, (page - 1) * AUDIT_PAGE_SIZE
    )
    return await render(
        request,
        "audit.html",
        {
            "entries": entries[:AUDIT_PAGE_SIZE],
            "page": page,
            "previous": str(request.rel_url.update_query(page=page - 1)) if page > 1 else None,
            "next": str(request.rel_url.update_query(page=page + 1))
            if len(entries) > AUDIT_PAGE_SIZE
            else None,
        },
    )


async def resources(app: web.Application) -> AsyncIterator[None]:
    """The project database (accounts, audit) and the tracker store, for the app's life."""
    config = app[CONFIG_KEY]
    engine = create_engine(config.database_url)
    tracker = create_tracker_engine(config.tracker_store_url)
    app[STORE_KEY] = StaffStore(engine, app[CLOCK_KEY])
    app[CONVERSATIONS_KEY] = Conversations(tracker)
    app[INDEX_KEY] = Index(engine, app[CONVERSATIONS_KEY], app[CLOCK_KEY], replica_name())
    app[REVIEWS_KEY] = Reviews(engine, app[CLOCK_KEY])
    app[LABELS_KEY] = Labels(engine, app[CLOCK_KEY])
    app[SAVED_FILTERS_KEY] = SavedFilters(engine, app[CLOCK_KEY])
    yield
    tracker.dispose()
    engine.dispose()


RETENTION_TASK_KEY = web.AppKey("staff_retention_task", asyncio.Task)


async def retention_task(app: web.Application) -> AsyncIterator[None]:
    """With LOG_RETENTION_DAYS set, the daily purge runs in the background for the app's
    life (bot/staff/retention.py: one replica a day); cancelled on shutdown."""
    config = app[CONFIG_KEY]
    task = None
    if config.retention_days > 0:
        task = asyncio.create_task(
            run_daily(
                app[CONVERSATIONS_KEY],
                app[STORE_KEY],
                config.retention_days,
                app[CLOCK_KEY],
                config.retention_first_delay,
                config.retention_check_interval,
            ),
            name="staff-retention",
        )
        app[RETENTION_TASK_KEY] = task
    yield
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


INDEX_TASK_KEY = web.AppKey("staff_index_task", asyncio.Task)


async def index_task(app: web.Application) -> AsyncIterator[None]:
    """The summary index kept up to date in the background for the app's life
    (bot/staff/index.py: one replica folds each batch); cancelled on shutdown."""
    task = asyncio.create_task(
        run_index(app[INDEX_KEY], app[CONFIG_KEY].index_interval), name="staff-index"
    )
    app[INDEX_TASK_KEY] = task
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def utc(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else ""


def create_app(config: StaffConfig, clock: Callable[[], datetime] = now_utc) -> web.Application:
    """The console; without a secret key, every request gets the 503 page. `clock`:
    tests move time by hand (idle timeout, login delays)."""
    middlewares: list[Any] = [page_headers, error_pages]
    if config.secret_key is None:
        middlewares.append(not_configured)
    else:
        storage = StaffCookieStorage(config.secret_key, config.force_secure_cookie)
        middlewares += [session_middleware(storage), authenticate, check_csrf]
    app = web.Application(middlewares=middlewares)
    app[CONFIG_KEY] = config
    app[CLOCK_KEY] = clock
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
    )
    env.filters["utc"] = utc
    app.cleanup_ctx.append(resources)
    app.cleanup_ctx.append(retention_task)  # after: it uses the resources
    app.cleanup_ctx.append(index_task)
    app.router.add_get("/login", login_form, name="login")
    app.router.add_post("/login", login, name="login_post")
    app.router.add_post("/logout", logout, name="logout")
    app.router.add_get("", conversations, name="conversations")
    app.router.add_get("/followups", followups, name="followups")
    app.router.add_get("/dashboard", dashboard, name="dashboard")
    app.router.add_get("/export.csv", export_csv, name="export_csv")
    app.router.add_get("/export.jsonl", export_jsonl, name="export_jsonl")
    app.router.add_post("/bulk", bulk, name="bulk")
    app.router.add_post("/filters", save_filter, name="save_filter")
    app.router.add_post("/filters/delete", delete_filter, name="delete_filter")
    app.router.add_get("/conversations/{sender_id:.+}", transcript, name="transcript")
    app.router.add_post("/conversations/{sender_id:.+}/erase", erase_conversation, name="erase")
    app.router.add_post("/conversations/{sender_id:.+}/tags", add_tags, name="tags")
    app.router.add_post("/conversations/{sender_id:.+}/untag", remove_tag, name="untag")
    app.router.add_post("/conversations/{sender_id:.+}/notes", add_note, name="notes")
    app.router.add_post("/conversations/{sender_id:.+}/review", mark_reviewed, name="review")
    app.router.add_post("/conversations/{sender_id:.+}/flag", flag, name="flag")
    app.router.add_post("/conversations/{sender_id:.+}/close", close_followup, name="close")
    app.router.add_post("/conversations/{sender_id:.+}/reply", reply, name="reply")
    app.router.add_get("/audit", audit_log, name="audit")
    app.router.add_get("/unanswered", unanswered, name="unanswered")
    app.router.add_post("/unanswered/labels", label, name="label")
    return app
