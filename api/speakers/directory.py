"""Keeps the in-memory speaker index (`api.speakers.index.SpeakerIndex`) in step with the store.

Every edit of speakers (ingest, reprocess, merge, split, rename) runs inside
`SpeakerDirectory.writing()`: the store's write transaction, the index made
current under its lock, and the index forgotten if anything fails, written once.

Every write that touches speakers bumps `store_meta.speakers_version` in its own
transaction and updates this process's index before committing. A process that
finds the stored version ahead of its own (another process wrote) rebuilds the
index: at once inside a write transaction, at most every
`speaker_index_refresh_seconds` for searches.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.speakers.index import AliasInfo, SpeakerEntry, SpeakerIndex
from api.store.chunks import chunked
from api.store.db import Store
from api.store.models import (
    SPEAKERS_VERSION_KEY,
    Quote,
    Speaker,
    SpeakerAlias,
    SpeakerAttribute,
    SpeakerChange,
    StoreMeta,
)

__all__ = ["SpeakerDirectory"]

# Versions of the change log kept (`speaker_changes`); an index further behind is rebuilt fully.
CHANGE_LOG_VERSIONS = 1000


def _searchable_index(entries: list[SpeakerEntry], version: int) -> SpeakerIndex:
    index = SpeakerIndex(entries)
    index.version = version
    index.prepare_search()
    return index


class SpeakerDirectory:
    """The index of this process and the rules for refreshing it."""

    def __init__(self, store: Store, refresh_seconds: float = 2.0, *, speaker_confidence: float = 0.0) -> None:
        self.store = store
        self.refresh_seconds = refresh_seconds
        # A speaker's quote count (search ranking, hits) counts its quotes at or above this
        # confidence: what its quote list shows by default.
        self.speaker_confidence = speaker_confidence
        self.index = SpeakerIndex()
        self._rebuild_lock: asyncio.Lock | None = None
        # Writes begun or finished in this process; an index built aside meanwhile may miss
        # what the write path saw, so it is not swapped in (see `ensure_fresh`).
        self._writes = 0
        # Full rebuilds inside writes (another process wrote since this one's last look), and
        # their seconds: what several writers cost each other (benchmarks/queue_throughput.py).
        self.write_rebuilds = 0
        self.write_rebuild_seconds = 0.0
        self.write_catch_ups = 0  # an index behind, brought up to date from the change log

    def invalidate(self) -> None:
        """Forget what the index reflects: the next use rebuilds it from the store."""
        self.index.version = None

    async def stored_version(self, session: AsyncSession) -> int:
        value = await session.scalar(select(StoreMeta.value).where(StoreMeta.key == SPEAKERS_VERSION_KEY))
        return int(value or 0)

    async def bump_version(self, session: AsyncSession) -> int:
        """Advance the stored version (inside a write transaction) and return it."""
        value = await session.scalar(
            update(StoreMeta).where(StoreMeta.key == SPEAKERS_VERSION_KEY).values(value=StoreMeta.value + 1)
            .returning(StoreMeta.value)
        )
        return int(value or 0)

    async def load_entries(
        self, session: AsyncSession, speaker_ids: Iterable[int] | None = None
    ) -> list[SpeakerEntry]:
        """Index entries for some speakers (all when `speaker_ids` is None), read through `session`."""
        ids = None if speaker_ids is None else sorted(set(speaker_ids))
        if ids is not None and not ids:
            return []
        speakers_q = select(Speaker.id, Speaker.slug, Speaker.name, Speaker.kind, Speaker.quote_count)
        aliases_q = select(
            SpeakerAlias.speaker_id, SpeakerAlias.name, SpeakerAlias.normalised, SpeakerAlias.kind,
            SpeakerAlias.pinned, SpeakerAlias.article_id,
        ).order_by(SpeakerAlias.id)
        attrs_q = select(SpeakerAttribute.speaker_id, SpeakerAttribute.type, SpeakerAttribute.value).order_by(
            SpeakerAttribute.id
        )
        shown_q = (select(Quote.speaker_id, func.count(Quote.id))
                   .where(Quote.confidence >= self.speaker_confidence).group_by(Quote.speaker_id))
        entries: list[SpeakerEntry] = []
        chunks: Iterable[list[int] | None] = chunked(ids) if ids is not None else [None]
        for chunk in chunks:
            sq, aq, tq, cq = speakers_q, aliases_q, attrs_q, shown_q
            if chunk is not None:
                sq = sq.where(Speaker.id.in_(chunk))
                aq = aq.where(SpeakerAlias.speaker_id.in_(chunk))
                tq = tq.where(SpeakerAttribute.speaker_id.in_(chunk))
                cq = cq.where(Quote.speaker_id.in_(chunk))
            shown: dict[int, int] | None = None
            if self.speaker_confidence > 0.0:
                shown = {sid: n for sid, n in (await session.execute(cq)).all() if sid is not None}
            aliases: dict[int, list[AliasInfo]] = defaultdict(list)
            for sid, name, norm, kind, pinned, article_id in (await session.execute(aq)).all():
                aliases[sid].append(AliasInfo(name, norm, kind, bool(pinned), article_id))
            attrs: dict[tuple[int, str], list[str]] = defaultdict(list)
            for sid, typ, value in (await session.execute(tq)).all():
                attrs[(sid, typ)].append(value)
            for sid, slug, name, kind, quote_count in (await session.execute(sq)).all():
                entries.append(
                    SpeakerEntry(
                        id=sid, slug=slug, name=name, kind=kind,
                        quote_count=quote_count if shown is None else shown.get(sid, 0),
                        aliases=tuple(aliases.get(sid, ())),
                        titles=tuple(attrs.get((sid, "title"), ())),
                        roles=tuple(attrs.get((sid, "role"), ())),
                        organisations=tuple(attrs.get((sid, "organisation"), ())),
                    )
                )
        return entries

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[AsyncSession]:
        """A session in one write transaction (committed on success) for any edit that touches speakers.

        The index is made current first, under the write lock; should anything fail
        (the edit, the commit, a cancellation), the index is forgotten, so the next
        use rebuilds it from the store instead of serving changes that were rolled
        back. End a successful edit with `apply_write`.
        """
        try:
            async with self.store.write() as session:
                await self.sync_for_write(session)
                yield session
        except BaseException:
            self.invalidate()
            raise

    async def sync_for_write(self, session: AsyncSession) -> None:
        """Inside a write transaction (which holds the write lock): make the index current."""
        self._writes += 1
        version = await self.stored_version(session)
        if version != self.index.version and not await self._catch_up(session, version):
            started = time.perf_counter()
            self.index.replace_all(await self.load_entries(session), version)
            self.write_rebuilds += 1
            self.write_rebuild_seconds += time.perf_counter() - started
        self.index.checked_at = time.monotonic()

    async def _catch_up(self, session: AsyncSession, version: int) -> bool:
        """Bring an index a few versions behind up to `version` from the change log (False: rebuild it)."""
        have = self.index.version
        if have is None or not have < version <= have + CHANGE_LOG_VERSIONS:
            return False
        rows = (await session.execute(
            select(SpeakerChange.version, SpeakerChange.speaker_ids).where(
                SpeakerChange.version > have, SpeakerChange.version <= version)
        )).all()
        if len(rows) != version - have:  # a write the log does not hold (pruned, or before it existed)
            return False
        ids = {int(x) for _v, text in rows for x in text.split(",") if x}
        entries = await self.load_entries(session, ids)
        for entry in entries:
            self.index.upsert(entry)
        for sid in ids - {e.id for e in entries}:
            self.index.remove(sid)
        self.index.version = version
        self.write_catch_ups += 1
        return True

    async def apply_write(
        self, session: AsyncSession, touched: Iterable[int], removed: Iterable[int] = ()
    ) -> None:
        """At the end of a write transaction: bump the version, log and update the touched speakers."""
        self._writes += 1
        touched, removed = list(touched), list(removed)
        version = await self.bump_version(session)
        # Rows at or above this version are left from a store whose counter was reset; old ones are pruned.
        await session.execute(delete(SpeakerChange).where(or_(
            SpeakerChange.version >= version, SpeakerChange.version <= version - CHANGE_LOG_VERSIONS)))
        await session.execute(insert(SpeakerChange).values(
            version=version, speaker_ids=",".join(str(i) for i in sorted({*touched, *removed}))))
        for sid in removed:
            self.index.remove(sid)
        for entry in await self.load_entries(session, touched):
            self.index.upsert(entry)
        self.index.version = version

    async def ensure_fresh(self) -> SpeakerIndex:
        """The index, rebuilt first if another process changed speakers (checked now and then)."""
        now = time.monotonic()
        if self.index.version is not None and now - self.index.checked_at < self.refresh_seconds:
            return self.index
        if self._rebuild_lock is None:
            self._rebuild_lock = asyncio.Lock()
        async with self._rebuild_lock:
            if self.index.version is not None and time.monotonic() - self.index.checked_at < self.refresh_seconds:
                return self.index
            writes = self._writes
            async with self.store.read() as session:
                version = await self.stored_version(session)
                entries = await self.load_entries(session) if version != self.index.version else None
            if entries is not None:
                # A new index is built aside, in a thread (100,000 speakers take seconds of CPU),
                # while this one keeps serving. If this process wrote meanwhile, the write path
                # has made the current index newer than what was read here, and swapping in the
                # built one mid-write would let the write stamp it current while it lacks what
                # other processes wrote since the read: keep the current one then.
                built = await asyncio.to_thread(_searchable_index, entries, version)
                if self._writes == writes:
                    self.index = built
                    # Out of the cyclic collector's sight: a full collection over the index's
                    # objects (650,000 at 100,000 speakers) paused the process for 300 ms. They
                    # hold no reference cycles, so reference counting still frees an old index.
                    gc.freeze()
            self.index.checked_at = time.monotonic()
        return self.index
