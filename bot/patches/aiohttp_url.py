"""aiohttp 3.9.5 with yarl 1.25 (both pinned in constraints.txt): `Request.url` is
built with `host=` set to the Host header, which yarl refuses when it carries a port
("localhost:8080"). The URL dispatcher reads `request.url` for every request that
reaches a mounted sub-application (the staff console under /staff), so each such request
failed with a bare 500, 404s of the page included. aiohttp 3.10 builds it from the
authority; `install()` does the same here (`bot.patches.install_web`)."""

from __future__ import annotations

from aiohttp import web
from aiohttp.helpers import reify
from yarl import URL

# What this replaces (bot/patches/__init__.py): aiohttp's Request.url, built with yarl.
LIBRARIES = ("aiohttp", "yarl")
# aiohttp's own descriptor (from the class's namespace), for the tests that compare.
AIOHTTP_URL: reify[URL] = vars(web.BaseRequest)["url"]


def _url(request: web.BaseRequest) -> URL:
    try:
        base = URL.build(scheme=request.scheme, authority=request.host)
    except ValueError:  # a malformed Host header: the path still routes
        base = URL.build(scheme=request.scheme, host="localhost")
    return base.join(request.rel_url)


def install() -> None:
    """Idempotent (versions checked by `bot.patches.install_web`)."""
    web.BaseRequest.url = reify(_url)  # type: ignore[method-assign]
