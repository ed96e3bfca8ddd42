"""API keys: `X-API-Key`, compared in constant time against the configured keys."""

from __future__ import annotations

import hmac
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from quotelens.errors import Unauthorized

__all__ = ["API_KEY_HEADER", "PAGE_KEY_COOKIE", "api_key_guard", "key_is_valid", "SECURITY_SCHEME", "WRITE", "PUBLIC"]

API_KEY_HEADER = "X-API-Key"
PAGE_KEY_COOKIE = "quotelens_key"  # set by the review page's sign-in form; honoured on pages only
SECURITY_SCHEME = "ApiKey"
WRITE = {"write": True}  # handler opt for routes that change the store
PUBLIC = {"public": True}  # handler opt for probes: never behind a key


def key_is_valid(given: str | None, keys: tuple[str, ...]) -> bool:
    """True when `given` is one of `keys`; every key is compared, so timing tells nothing."""
    if given is None:
        return False
    given_b = given.encode("utf-8", "surrogateescape")
    ok = False
    for key in keys:
        ok |= hmac.compare_digest(given_b, key.encode("utf-8"))
    return ok


async def api_key_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Writes need a valid key whenever keys are configured; reads too if so configured.

    Probes (/health, /ready) and the API docs (/schema) stay open. A coroutine because
    Litestar runs a plain function guard in a worker thread: a thread hop per request.
    """
    settings = connection.app.state.settings
    keys: tuple[str, ...] = settings.api_keys
    if not keys or handler.opt.get("public") or connection.scope["path"].startswith("/schema"):
        return
    if not handler.opt.get("write") and not settings.read_requires_key:
        return
    given = connection.headers.get(API_KEY_HEADER)
    if given is None and not connection.scope["path"].startswith("/api/"):
        given = connection.cookies.get(PAGE_KEY_COOKIE)  # a browser on the HTML pages
    if not key_is_valid(given, keys):
        raise Unauthorized(f"this route needs a valid {API_KEY_HEADER} header")
