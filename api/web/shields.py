"""ASGI middleware that holds the API up under abuse, before any routing.

- `site_guard`: a Host allowlist (DNS rebinding), cross-site writes refused (Origin,
  Sec-Fetch-Site), and for writes an Event set when the client disconnects
  (`api.ingest.runner.CLIENT_GONE`), so NLP work for a client that left is dropped.
- `RateLimiter`: requests per client (its API key when it sends a valid one, else its
  address), counted in memory or in Redis (shared by every process), 429 with Retry-After.

The client's address is what uvicorn puts in the scope: the peer, or the
X-Forwarded-For of a proxy listed in QUOTELENS_TRUSTED_PROXIES (`quotelens serve`
passes them to uvicorn as forwarded_allow_ips), never a header from anyone else.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import math
import time
from typing import Any
from urllib.parse import urlsplit

from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send

from api.ingest.runner import CLIENT_GONE
from api.web.problems import PROBLEM_JSON, problem_body
from api.web.security import API_KEY_HEADER, key_is_valid
from quotelens.settings import Settings

__all__ = ["RateLimiter", "send_problem", "site_guard"]

log = logging.getLogger("api.web.shields")

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
UNLIMITED = ("/health", "/ready", "/schema", "/static/")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


async def send_problem(send: Send, status: int, detail: str, problem: str,
                       headers: dict[str, str] | None = None, **extra: Any) -> None:
    body = json.dumps(problem_body(status, detail, problem, **extra)).encode()
    raw = [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})  # type: ignore[arg-type]
    await send({"type": "http.response.body", "body": body})  # type: ignore[arg-type]


def host_of(value: str) -> str:
    """The host of a Host header or an origin's netloc, lower case, without port or IPv6 brackets."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def _lookalike_number(path: str) -> bool:
    """A path segment Python's int() reads as a number but that is not ASCII digits ('١', '１')."""
    if path.isascii():
        return False
    for segment in path.split("/"):
        if not segment.isascii():
            try:
                int(segment)
            except ValueError:
                continue
            return True
    return False


def site_guard(settings: Settings) -> Any:
    """Middleware factory: the Host allowlist and the cross-site write check (see the module doc)."""
    configured = frozenset(host_of(h) for h in settings.allowed_hosts)
    any_host = "*" in settings.allowed_hosts
    cors_writers = frozenset(settings.cors_origins) if settings.cors_allow_writes else frozenset()

    def host_allowed(scope: Scope) -> bool:
        given = _header(scope, b"host")
        if given is None or any_host:
            return True  # HTTP/1.0 without Host: not a browser, so no rebinding
        host = host_of(given)
        if configured:
            return host in configured
        server = scope.get("server")
        listening = host_of(str(server[0])) if server else ""
        return host in LOCAL_HOSTS or host == listening

    def cross_site_write(scope: Scope) -> str | None:
        """Why a write is refused as cross-site, or None."""
        origin = _header(scope, b"origin")
        fetch_site = (_header(scope, b"sec-fetch-site") or "").strip().lower()
        if origin is not None:
            origin = origin.strip().rstrip("/").lower()
            if origin in cors_writers or "*" in cors_writers:
                return None
            parts = urlsplit(origin)
            host = _header(scope, b"host")
            if origin == "null" or not parts.netloc or host is None or parts.netloc != host.strip().lower():
                return f"writes from another site ({origin}) are refused"
        if fetch_site in ("cross-site", "same-site"):
            return "writes from another site are refused (Sec-Fetch-Site)"
        return None

    def wrap(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            if not host_allowed(scope):
                await send_problem(send, 421, "this service does not answer for that Host "
                                   "(QUOTELENS_ALLOWED_HOSTS)", "unknown-host")
                return
            if _lookalike_number(scope["path"]):
                await send_problem(send, 404, "ids are ASCII digits", "not-found")
                return
            if scope.get("method") not in WRITE_METHODS:
                await app(scope, receive, send)
                return
            why = cross_site_write(scope)
            if why is not None:
                await send_problem(send, 403, why, "cross-site")
                return
            await _watching_disconnect(app, scope, receive, send)

        return middleware

    return wrap


async def _watching_disconnect(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    """Run a write with CLIENT_GONE set once the client disconnects (watched after the body is read)."""
    gone = asyncio.Event()
    watcher: asyncio.Task[None] | None = None

    async def watch() -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                gone.set()
                return

    async def wrapped_receive() -> ReceiveMessage:
        nonlocal watcher
        if watcher is not None:
            await gone.wait()
            return {"type": "http.disconnect"}
        message = await receive()
        if message["type"] == "http.disconnect":
            gone.set()
        elif not message.get("more_body", False):
            watcher = asyncio.ensure_future(watch())
        return message

    token = CLIENT_GONE.set(gone)
    try:
        await app(scope, wrapped_receive, send)
    finally:
        CLIENT_GONE.reset(token)
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await watcher


class RateLimiter:
    """Fixed-window request counts per client, in memory or in Redis (QUOTELENS_REDIS_URL).

    If Redis does not answer, each process counts in memory (logged once) rather than
    refuse or wave through everyone.
    """

    def __init__(self, rule: tuple[str, int], settings: Settings) -> None:
        unit, self.limit = rule
        self.window = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}[unit]
        self.keys = settings.api_keys
        self.redis_url = settings.redis_url
        self._redis: Any = None
        self._redis_failed_at = 0.0
        self._counts: dict[tuple[str, int], int] = {}

    def client_id(self, scope: Scope) -> str:
        given = _header(scope, API_KEY_HEADER.lower().encode())
        if given is not None and self.keys and key_is_valid(given, self.keys):
            return "key:" + hashlib.sha256(given.encode("latin-1")).hexdigest()[:16]
        client = scope.get("client")
        return "addr:" + (str(client[0]) if client else "unknown")

    async def hit(self, client: str) -> tuple[int, int]:
        """Count one request: (requests in this window so far, seconds until it resets)."""
        now = time.time()
        window_id = int(now // self.window)
        reset = max(1, math.ceil((window_id + 1) * self.window - now))
        if self.redis_url and now - self._redis_failed_at > 30:
            try:
                return await self._hit_redis(client, window_id), reset
            except Exception as exc:  # Redis away: count here until it is back
                self._redis_failed_at = now
                log.warning("rate limit: Redis at %s not answering (%s); counting in this process",
                            self.redis_url, type(exc).__name__)
        key = (client, window_id)
        count = self._counts.get(key, 0) + 1
        self._counts[key] = count
        if len(self._counts) > 100_000 or count == 1:
            self._counts = {k: v for k, v in self._counts.items() if k[1] >= window_id}
        return count, reset

    async def _hit_redis(self, client: str, window_id: int) -> int:
        if self._redis is None:
            import redis.asyncio as redis

            self._redis = redis.from_url(self.redis_url, socket_timeout=0.5, socket_connect_timeout=0.5)
        key = f"quotelens:ratelimit:{client}:{window_id}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, self.window + 1)
            count, _ = await pipe.execute()
        return int(count)

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()

    def middleware(self, app: ASGIApp) -> ASGIApp:
        async def limited(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or scope["path"].startswith(UNLIMITED):
                await app(scope, receive, send)
                return
            count, reset = await self.hit(self.client_id(scope))
            headers = {"RateLimit-Limit": str(self.limit), "RateLimit-Remaining": str(max(0, self.limit - count)),
                       "RateLimit-Reset": str(reset)}
            if count > self.limit:
                await send_problem(send, 429, f"too many requests: retry after {reset} s",
                                   "rate-limited", headers={**headers, "Retry-After": str(reset)})
                return

            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    message = dict(message)  # type: ignore[assignment]
                    message["headers"] = [*message.get("headers", ()),
                                          *((k.lower().encode(), v.encode()) for k, v in headers.items())]
                await send(message)

            await app(scope, receive, send_with_headers)

        return limited
