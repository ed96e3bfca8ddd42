"""Speakers worth a second look: likely duplicates, low-confidence attributions, names seen once.

Each list is cheap to show and costly to compute on a big store, so answers are
kept while the store is unchanged (`VersionedCache`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Float, Integer, bindparam, func, select

from api.speakers.directory import SpeakerDirectory
from api.store.cache import VersionedCache
from api.store.db import Store
from api.store.fastread import Prepared
from api.store.models import Quote, Speaker
from quotelens.contract import SpeakerRef

__all__ = ["DuplicatePair", "LowConfidence", "ReviewQueue", "LOW_CONFIDENCE", "DUPLICATE_SCORE"]

LOW_CONFIDENCE = 0.6  # a quote attributed with less confidence than this is worth checking
DUPLICATE_SCORE = 88.0  # two persons whose names match at least this well (0-100) may be one
DUPLICATE_CANDIDATES = 300  # the most quoted persons checked for duplicates
RECENT_QUOTES = 50_000  # low confidence is looked for among the quotes stored last


@dataclass(frozen=True, slots=True)
class DuplicatePair:
    keep: SpeakerRef  # the more quoted of the two
    keep_quotes: int
    other: SpeakerRef
    other_quotes: int
    score: float


@dataclass(frozen=True, slots=True)
class LowConfidence:
    speaker: SpeakerRef
    low_quotes: int
    quotes: int
    mean_confidence: float


_LOW = Prepared(
    select(Quote.speaker_id, func.count(), func.avg(Quote.confidence))
    .where(Quote.id > bindparam("min_id", type_=Integer), Quote.confidence < bindparam("cut", type_=Float),
           Quote.speaker_id.is_not(None))
    .group_by(Quote.speaker_id)
    .order_by(func.count().desc(), func.avg(Quote.confidence))
    .limit(bindparam("limit_", type_=Integer))
)
_LAST_QUOTE = Prepared(select(func.max(Quote.id)), inline=True)
_SEEN_ONCE = Prepared(
    select(Speaker.id, Speaker.slug, Speaker.name, Speaker.kind, Speaker.first_seen)
    .where(Speaker.quote_count == 1, Speaker.article_count == 1, Speaker.kind == "person")
    .order_by(Speaker.id.desc())
    .limit(bindparam("limit_", type_=Integer))
)


def _speakers_select(n: int) -> Prepared:
    return Prepared(select(Speaker.id, Speaker.slug, Speaker.name, Speaker.kind, Speaker.quote_count)
                    .where(Speaker.id.in_([bindparam(f"id{i}", type_=Integer) for i in range(n)])))


class ReviewQueue:
    """The lists on /review."""

    def __init__(self, store: Store, directory: SpeakerDirectory, cache: VersionedCache) -> None:
        self.store = store
        self.directory = directory
        self.cache = cache

    async def likely_duplicates(self, limit: int = 20) -> list[DuplicatePair]:
        """Pairs of persons among the most quoted whose names are nearly the same, best match first."""

        async def compute() -> list[DuplicatePair]:
            index = await self.directory.ensure_fresh()
            persons = sorted((e for e in index.entries() if e.kind == "person" and e.quote_count > 0),
                             key=lambda e: (-e.quote_count, e.id))[:DUPLICATE_CANDIDATES]
            seen: set[frozenset[int]] = set()
            pairs: list[DuplicatePair] = []
            for entry in persons:
                for other, score in index.search(entry.name, cutoff=DUPLICATE_SCORE, limit=6):
                    pair = frozenset((entry.id, other.id))
                    if other.id == entry.id or other.kind != "person" or pair in seen:
                        continue
                    seen.add(pair)
                    keep, drop = sorted((entry, other), key=lambda e: (-e.quote_count, e.id))
                    pairs.append(DuplicatePair(
                        keep=SpeakerRef(id=keep.id, slug=keep.slug, name=keep.name, kind="person"),
                        keep_quotes=keep.quote_count,
                        other=SpeakerRef(id=drop.id, slug=drop.slug, name=drop.name, kind="person"),
                        other_quotes=drop.quote_count, score=round(score, 1)))
            pairs.sort(key=lambda p: (-p.score, -p.keep_quotes, p.keep.id))
            return pairs

        return (await self.cache.get(("duplicates",), compute))[:limit]

    async def low_confidence(self, limit: int = 20) -> list[LowConfidence]:
        """Speakers with the most quotes attributed below LOW_CONFIDENCE, among the RECENT_QUOTES stored last."""

        async def compute() -> list[LowConfidence]:
            last = (await self.store.rows(_LAST_QUOTE, {}))[0][0] or 0
            rows = await self.store.rows(_LOW, {"min_id": int(last) - RECENT_QUOTES, "cut": LOW_CONFIDENCE,
                                                "limit_": limit})
            if not rows:
                return []
            refs = {r[0]: r for r in await self.store.rows(
                _speakers_select(len(rows)), {f"id{i}": r[0] for i, r in enumerate(rows)})}
            return [
                LowConfidence(speaker=SpeakerRef(id=s[0], slug=s[1], name=s[2], kind=s[3]), low_quotes=int(r[1]),
                              quotes=int(s[4]), mean_confidence=round(float(r[2]), 2))
                for r in rows if (s := refs.get(r[0])) is not None
            ]

        return await self.cache.get(("low_confidence", limit), compute)

    async def seen_once(self, limit: int = 20) -> list[SpeakerRef]:
        """The newest persons quoted once, in one article: often a misspelling or a stray name."""
        rows = await self.store.rows(_SEEN_ONCE, {"limit_": limit})
        return [SpeakerRef(id=r[0], slug=r[1], name=r[2], kind=r[3]) for r in rows]
