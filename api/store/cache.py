"""Answers kept while the store is unchanged: for reads that cost more than a page of rows.

The store's write counter (`store_meta`, bumped by every ingest and speaker edit)
tells whether anything changed since an answer was computed; an answer is also
served for up to `stale_seconds` after a change, so a busy ingest does not make
every dashboard load recount.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import select

from api.store.db import Store
from api.store.fastread import Prepared
from api.store.models import SPEAKERS_VERSION_KEY, StoreMeta

__all__ = ["VersionedCache", "STALE_SECONDS"]

STALE_SECONDS = 10.0  # how long an answer may outlive a write to the store
KEPT = 512  # answers remembered per cache

T = TypeVar("T")

_VERSION = Prepared(select(StoreMeta.value).where(StoreMeta.key == SPEAKERS_VERSION_KEY), inline=True)


class VersionedCache:
    """Answers kept while the store's write counter stays put, and up to STALE_SECONDS after it moves."""

    def __init__(self, store: Store, stale_seconds: float = STALE_SECONDS) -> None:
        self.store = store
        self.stale_seconds = stale_seconds
        self._kept: dict[tuple[Any, ...], tuple[int, float, Any]] = {}  # key -> (version, when, answer)

    async def version(self) -> int:
        rows = await self.store.rows(_VERSION, {})
        return int(rows[0][0]) if rows and rows[0][0] is not None else 0

    async def get(self, key: tuple[Any, ...], compute: Callable[[], Awaitable[T]]) -> T:
        version = await self.version()
        kept = self._kept.get(key)
        now = time.monotonic()
        if kept is not None and (kept[0] == version or now - kept[1] < self.stale_seconds):
            answer: T = kept[2]
            return answer
        answer = await compute()
        if len(self._kept) >= KEPT:
            del self._kept[next(iter(self._kept))]
        self._kept[key] = (version, now, answer)
        return answer
