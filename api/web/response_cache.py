"""Read answers kept while the store is unchanged: the same GET answered from memory.

A GET of the JSON read routes (speakers, quotes, articles, stats) is answered from
what the same request got before, as long as the store's write counter has not moved
since (`api.store.cache.VersionReader`, read after the request arrived), so an answer
is never older than the last write committed before the request. Any write to the
store (an ingest, a correction, a speaker edit, from any process) makes every kept
answer stale at once. A request that asks for the same thing as another gets the
same bytes: the path, the query string, and the headers an answer depends on
(`Accept`, for CSV; `Origin`, for CORS) make the key. Only complete 200 answers are
kept, and only when every part of them reflects the store as of that counter (a
dashboard count kept from before a write, or a speaker index that has not caught up,
is served, but not kept). Keys needed for reads (QUOTELENS_READ_REQUIRES_KEY) are
checked here too, before anything kept is given out.

The kept answers take at most QUOTELENS_RESPONSE_CACHE_MB; the least recently used
go first.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from api.store.cache import READ_MARKS, ReadMarks, VersionReader
from api.store.db import Store
from api.web.security import API_KEY_HEADER, key_is_valid
from quotelens.settings import Settings

__all__ = ["ResponseCache", "CACHED_PATHS"]

CACHED_PATHS = ("/api/speakers", "/api/quotes", "/api/articles", "/api/stats")
_KEY_HEADERS = (b"accept", b"origin")
_API_KEY = API_KEY_HEADER.lower().encode()
ENTRY_OVERHEAD = 400  # bytes an entry costs besides its body (key, headers, bookkeeping)


class _Kept:
    __slots__ = ("version", "start", "body", "size")

    def __init__(self, version: int, start: Message, body: bytes) -> None:
        self.version = version
        self.start = start
        self.body = body
        self.size = len(body) + ENTRY_OVERHEAD


class ResponseCache:
    """The answers of one process, and the middleware that gives them out."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.versions = VersionReader(store)
        self.max_bytes = settings.response_cache_mb * 1_000_000
        self.keys = settings.api_keys if settings.read_requires_key else ()
        self._kept: OrderedDict[tuple[Any, ...], _Kept] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    def _key(self, scope: Scope) -> tuple[Any, ...] | None:
        """What the answer depends on; None when this request is not for the cache."""
        if scope["type"] != "http" or scope.get("method") != "GET" or not scope["path"].startswith(CACHED_PATHS):
            return None
        wanted: list[bytes] = []
        given_key = None
        for name, value in scope["headers"]:
            if name in _KEY_HEADERS:
                wanted.append(name + b":" + value)
            elif name == _API_KEY:
                given_key = value.decode("latin-1")
        if self.keys and not key_is_valid(given_key, self.keys):
            return None  # the route's guard answers
        return (scope["path"], scope["query_string"], *sorted(wanted))

    def _keep(self, key: tuple[Any, ...], kept: _Kept) -> None:
        if kept.size > self.max_bytes // 8:
            return  # one answer may not crowd out the rest
        old = self._kept.pop(key, None)
        if old is not None:
            self._bytes -= old.size
        self._kept[key] = kept
        self._bytes += kept.size
        while self._bytes > self.max_bytes:
            _k, gone = self._kept.popitem(last=False)
            self._bytes -= gone.size

    def middleware(self, app: ASGIApp) -> ASGIApp:
        """ASGI middleware: kept answers out, new complete 200s kept."""
        if self.max_bytes <= 0:
            return app

        async def cached(scope: Scope, receive: Receive, send: Send) -> None:
            key = self._key(scope)
            if key is None:
                await app(scope, receive, send)
                return
            version = await self.versions.read()
            kept = self._kept.get(key)
            if kept is not None and kept.version == version:
                self._kept.move_to_end(key)
                self.hits += 1
                await send(kept.start)  # type: ignore[arg-type]
                await send({"type": "http.response.body", "body": kept.body})  # type: ignore[arg-type]
                return
            self.misses += 1
            marks = ReadMarks(version)
            token = READ_MARKS.set(marks)
            start: Message | None = None
            chunks: list[bytes] = []
            complete = False

            async def recording(message: Message) -> None:
                nonlocal start, complete
                if message["type"] == "http.response.start":
                    start = message
                elif message["type"] == "http.response.body":
                    chunks.append(message.get("body", b""))
                    complete = not message.get("more_body", False)
                await send(message)

            try:
                await app(scope, receive, recording)
            finally:
                READ_MARKS.reset(token)
            if start is not None and start.get("status") == 200 and complete and not marks.behind:
                self._keep(key, _Kept(version, dict(start), b"".join(chunks)))  # type: ignore[arg-type]

        return cached
