"""Answers kept while the store is unchanged: the store's write counter, and what a read was made of.

The store's write counter (`store_meta`, bumped by every ingest, correction and
speaker edit) tells whether anything changed since an answer was computed:

- `VersionReader` reads it for a request (on PostgreSQL one round trip serves every
  request that arrived before it began);
- `VersionedCache` keeps costly answers (the dashboard's counts) per counter value,
  and serves one for up to `stale_seconds` after a change, so a busy ingest does not
  make every dashboard load recount;
- `ReadMarks` (the `READ_MARKS` context variable, set by the web layer's response
  cache) collects the counter values the parts of one answer reflect: an answer built
  from something older than the store (a count kept from before a write, the speaker
  index before it caught up) must not be kept as current.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from sqlalchemy import select

from api.store.db import Store
from api.store.fastread import Prepared
from api.store.models import SPEAKERS_VERSION_KEY, StoreMeta

__all__ = ["READ_MARKS", "ReadMarks", "VersionReader", "VersionedCache", "STALE_SECONDS", "note_version"]

STALE_SECONDS = 10.0  # how long an answer may outlive a write to the store
KEPT = 4096  # answers remembered per cache, the least recently used forgotten first

T = TypeVar("T")

_VERSION = Prepared(select(StoreMeta.value).where(StoreMeta.key == SPEAKERS_VERSION_KEY), inline=True)


async def read_version(store: Store) -> int:
    """The store's write counter now."""
    rows = await store.rows(_VERSION, {})
    return int(rows[0][0]) if rows and rows[0][0] is not None else 0


class ReadMarks:
    """The counter value an answer is for, and whether any part of it reflects another."""

    __slots__ = ("version", "behind")

    def __init__(self, version: int) -> None:
        self.version = version
        self.behind = False

    def note(self, version: int | None) -> None:
        if version != self.version:
            self.behind = True


READ_MARKS: ContextVar[ReadMarks | None] = ContextVar("quotelens_read_marks", default=None)


def note_version(version: int | None) -> None:
    """Tell the answer being built that a part of it reflects the store at `version`."""
    marks = READ_MARKS.get()
    if marks is not None:
        marks.note(version)


class VersionReader:
    """The store's write counter as read after the caller asked.

    SQLite reads it inline (microseconds). On PostgreSQL a read is a round trip: callers
    that arrive while one is on its way wait for the next one, begun after they arrived,
    so no caller gets a value older than its request, and under load one read serves many.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._waiting: asyncio.Future[int] | None = None  # answered by the read after the running one
        self._running = False
        self._loop: asyncio.AbstractEventLoop | None = None

    async def read(self) -> int:
        if self.store.is_sqlite:
            return await read_version(self.store)
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new event loop (tests): nothing of the old one carries over
            self._loop, self._waiting, self._running = loop, None, False
        if self._waiting is None:
            self._waiting = loop.create_future()
        waiting = self._waiting
        if not self._running:
            self._running = True
            loop.create_task(self._run())
        return await asyncio.shield(waiting)

    async def _run(self) -> None:
        try:
            while self._waiting is not None:
                answer, self._waiting = self._waiting, None
                try:
                    answer.set_result(await read_version(self.store))
                except BaseException as exc:  # every waiter hears it
                    answer.set_exception(exc)
                    if not isinstance(exc, Exception):
                        raise
        finally:
            self._running = False


class VersionedCache:
    """Answers kept while the store's write counter stays put, and up to STALE_SECONDS after it moves."""

    def __init__(self, store: Store, stale_seconds: float = STALE_SECONDS, kept: int = KEPT) -> None:
        self.store = store
        self.stale_seconds = stale_seconds
        self.kept = kept
        # key -> (version, when, answer), least recently used first
        self._kept: OrderedDict[tuple[Any, ...], tuple[int, float, Any]] = OrderedDict()
        # Answers being computed: a second request for one waits for it instead of computing it again
        # (eight dashboards opening at once would otherwise count a year's quotes eight times).
        self._computing: dict[tuple[Any, ...], tuple[int, asyncio.Future[Any]]] = {}

    async def version(self) -> int:
        """The counter as of this request: what the response cache read for it (after it arrived), else read now
        (on PostgreSQL a round trip, which a dashboard answer computed once and kept costs every request)."""
        marks = READ_MARKS.get()
        if marks is not None:
            return marks.version
        return await read_version(self.store)

    async def get(self, key: tuple[Any, ...], compute: Callable[[], Awaitable[T]]) -> T:
        version = await self.version()
        kept = self._kept.get(key)
        now = time.monotonic()
        if kept is not None and (kept[0] == version or now - kept[1] < self.stale_seconds):
            self._kept.move_to_end(key)
            note_version(kept[0])
            answer: T = kept[2]
            return answer
        running = self._computing.get(key)
        if running is not None and running[0] == version and running[1].get_loop() is asyncio.get_running_loop():
            note_version(version)
            shared: T = await asyncio.shield(running[1])
            return shared
        done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._computing[key] = (version, done)
        try:
            answer = await compute()
        except BaseException as exc:
            done.set_exception(exc)
            done.exception()  # retrieved: no "never retrieved" warning when nobody else waited
            raise
        finally:
            if self._computing.get(key, (0, None))[1] is done:
                del self._computing[key]
        done.set_result(answer)
        if len(self._kept) >= self.kept:
            self._kept.popitem(last=False)
        self._kept[key] = (version, now, answer)
        note_version(version)
        return answer
