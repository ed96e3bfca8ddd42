"""Counts for charts and dashboards: quotes per speaker, outlet and week, unnamed sources' share.

Every figure is over a period of article dates (`seen_on`: published, else ingested),
both ends included. The queries group in the database and bucket weeks here, so
they read the same on SQLite and PostgreSQL:

- quotes per week overall come from the articles table (one row per article with
  its quote count: 20 times fewer rows than quotes);
- a speaker's quotes per week walk the index (speaker_id, seen_on, id) alone;
- quotes per speaker in a period walk the date index of quotes, the one costly read:
  answers are kept per period while the store's write counter stays put, and for
  a few seconds after it moves (`api.store.cache`), so a busy ingest does not make
  every dashboard load recount.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Date, Integer, String, and_, bindparam, func, select, true

from api.store.cache import VersionedCache
from api.store.db import Store
from api.store.fastread import Prepared, as_date
from api.store.models import Article, Quote, Speaker
from api.store.values import FIRST_DAY, UNDATED, dated
from quotelens.contract import (
    OutletCount,
    SpeakerCount,
    SpeakerRef,
    UnnamedShare,
    WeekCount,
)

__all__ = ["Aggregates", "Period", "week_of", "weekly_series", "UNNAMED_KINDS"]

UNNAMED_KINDS = ("anonymous",)  # a quote with no speaker at all counts as unnamed too



def week_of(day: date) -> date:
    """The Monday of `day`'s ISO week: the key of a weekly bucket."""
    return day - timedelta(days=day.weekday())


def weekly_series(days: Sequence[tuple[date, int]], since: date | None, until: date | None) -> list[WeekCount]:
    """Day counts summed into weeks, with the empty weeks between `since` and `until` (or the data) as 0."""
    buckets: dict[date, int] = {}
    for day, n in days:
        week = week_of(day)
        buckets[week] = buckets.get(week, 0) + int(n)
    if not buckets and (since is None or until is None):
        return []
    first = week_of(since) if since is not None else min(buckets)
    last = week_of(until) if until is not None else max(buckets)
    out: list[WeekCount] = []
    week = first
    while week <= last:
        out.append(WeekCount(week=week, quotes=buckets.get(week, 0)))
        week += timedelta(days=7)
    return out


@dataclass(frozen=True, slots=True)
class Period:
    """Article dates from `since` to `until`, both included; None on either side: open."""

    since: date | None = None
    until: date | None = None

    @property
    def days(self) -> int | None:
        if self.since is None or self.until is None:
            return None
        return (self.until - self.since).days + 1


def _in_period(column: Any) -> list[Any]:
    return [
        column >= bindparam("since", type_=Date),
        column <= bindparam("until", type_=Date),
    ]


def _period_params(period: Period) -> dict[str, Any]:
    # Open ends as far-off dates: one statement shape for every period. Undated articles
    # (seen_on UNDATED, the day before FIRST_DAY) are in no bounded period, and in "all time".
    if period.since is None and period.until is None:
        return {"since": UNDATED, "until": date(9999, 12, 31)}
    return {"since": max(period.since or FIRST_DAY, FIRST_DAY), "until": period.until or date(9999, 12, 31)}


_LATEST_DAY = Prepared(select(func.max(Article.seen_on)), inline=True)

# Quotes per speaker (NULL: no speaker) in a period, most first.
_PER_SPEAKER = Prepared(
    select(Quote.speaker_id, func.count().label("n"))
    .where(and_(*_in_period(Quote.seen_on)))
    .group_by(Quote.speaker_id)
)
# All time: the speakers' own counters, kept exact on every write.
_TOP_ALL_TIME = Prepared(
    select(Speaker.id, Speaker.slug, Speaker.name, Speaker.kind, Speaker.quote_count)
    .order_by(Speaker.quote_count.desc(), Speaker.id.desc())
    .limit(bindparam("limit_", type_=Integer))
)
_KIND_TOTALS = Prepared(select(Speaker.kind, func.sum(Speaker.quote_count)).group_by(Speaker.kind))
_NO_SPEAKER = Prepared(select(func.count()).select_from(Quote).where(Quote.speaker_id.is_(None)))
_QUOTE_TOTAL = Prepared(select(func.coalesce(func.sum(Article.quote_count), 0)))

_DAYS_ALL = Prepared(
    select(Article.seen_on, func.sum(Article.quote_count))
    .where(and_(*_in_period(Article.seen_on)))
    .group_by(Article.seen_on)
)
_DAYS_OUTLET = Prepared(
    select(Article.seen_on, func.sum(Article.quote_count))
    .where(and_(*_in_period(Article.seen_on), Article.outlet == bindparam("outlet", type_=String)))
    .group_by(Article.seen_on)
)
_DAYS_SPEAKER = Prepared(
    select(Quote.seen_on, func.count())
    .where(and_(Quote.speaker_id == bindparam("sid", type_=Integer), *_in_period(Quote.seen_on)))
    .group_by(Quote.seen_on)
)
_OUTLETS = Prepared(
    select(Article.outlet, func.count(), func.sum(Article.quote_count))
    .where(and_(true(), *_in_period(Article.seen_on)))
    .group_by(Article.outlet)
)


def _refs_select(n: int) -> Prepared:
    return Prepared(
        select(Speaker.id, Speaker.slug, Speaker.name, Speaker.kind)
        .where(Speaker.id.in_([bindparam(f"id{i}", type_=Integer) for i in range(n)]))
    )


_REF_QUERIES: dict[int, Prepared] = {}


class Aggregates:
    """The counts behind the overview, the speaker pages and the /api/stats routes."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.cache = VersionedCache(store)
        self._cached = self.cache.get
        # Every speaker's count in a period (a year: 60,000 pairs) is kept for a few periods only;
        # the answers made of it (top speakers, the unnamed share) are small and kept in `cache`.
        self._per_speaker = VersionedCache(store, kept=16)
        # One speaker's days: as many as there are speakers asked for, so kept apart, where they
        # cannot push out the answers per period.
        self._speaker_days = VersionedCache(store, kept=2048)

    async def latest_day(self) -> date | None:
        """The newest article date in the store (None when it is empty)."""
        rows = await self.store.rows(_LATEST_DAY, {})
        return dated(as_date(rows[0][0])) if rows else None  # only undated articles: none

    async def recent(self, days: int) -> Period:
        """The last `days` days of articles: up to the newest article's date, not today's."""
        latest = await self.latest_day()
        if latest is None:
            return Period()
        return Period(latest - timedelta(days=days - 1), latest)

    async def _refs(self, ids: Sequence[int]) -> dict[int, SpeakerRef]:
        if not ids:
            return {}
        query = _REF_QUERIES.get(len(ids))
        if query is None:
            query = _REF_QUERIES.setdefault(len(ids), _refs_select(len(ids)))
        rows = await self.store.rows(query, {f"id{i}": sid for i, sid in enumerate(ids)})
        return {r[0]: SpeakerRef(id=r[0], slug=r[1], name=r[2], kind=r[3]) for r in rows}

    async def per_speaker(self, period: Period) -> list[tuple[int | None, int]]:
        """(speaker id or None, quotes) for every speaker quoted in the period, most first."""

        async def compute() -> list[tuple[int | None, int]]:
            rows = await self.store.rows(_PER_SPEAKER, _period_params(period))
            counts = [(r[0], int(r[1])) for r in rows]
            counts.sort(key=lambda c: (-c[1], c[0] or 0))
            return counts

        return await self._per_speaker.get(("per_speaker", period), compute)

    async def top_speakers(self, period: Period, limit: int) -> list[SpeakerCount]:
        """The most quoted speakers of the period, most first (quotes with no speaker left out)."""
        if period.since is None and period.until is None:
            rows = await self.store.rows(_TOP_ALL_TIME, {"limit_": limit})
            return [SpeakerCount(speaker=SpeakerRef(id=r[0], slug=r[1], name=r[2], kind=r[3]), quotes=int(r[4]))
                    for r in rows if r[4]]

        async def compute() -> list[SpeakerCount]:
            counts = [(sid, n) for sid, n in await self.per_speaker(period) if sid is not None][:limit]
            refs = await self._refs([sid for sid, _ in counts])
            return [SpeakerCount(speaker=refs[sid], quotes=n) for sid, n in counts if sid in refs]

        return await self._cached(("top", period, limit), compute)

    async def unnamed_share(self, period: Period) -> UnnamedShare:
        """How many of the period's quotes come from unnamed sources (or have no speaker at all)."""

        async def compute() -> tuple[int, int]:
            if period.since is None and period.until is None:
                by_kind = {r[0]: int(r[1] or 0) for r in await self.store.rows(_KIND_TOTALS, {})}
                no_speaker = int((await self.store.rows(_NO_SPEAKER, {}))[0][0] or 0)
                return (sum(by_kind.values()) + no_speaker,
                        sum(by_kind.get(k, 0) for k in UNNAMED_KINDS) + no_speaker)
            counts = await self.per_speaker(period)
            kinds = await self._kinds([sid for sid, _ in counts if sid is not None])
            return (sum(n for _, n in counts),
                    sum(n for sid, n in counts if sid is None or kinds.get(sid) in UNNAMED_KINDS))

        total, unnamed = await self._cached(("unnamed", period), compute)
        return UnnamedShare(since=period.since, until=period.until, quotes=total, unnamed=unnamed,
                            share=round(unnamed / total, 4) if total else 0.0)

    async def _kinds(self, ids: list[int]) -> dict[int, str]:
        """Each speaker's kind; anonymous speakers are the few, so only they are read."""
        key = ("anonymous_ids",)

        async def compute() -> frozenset[int]:
            rows = await self.store.rows(_ANONYMOUS_IDS, {})
            return frozenset(int(r[0]) for r in rows)

        anonymous = await self._cached(key, compute)
        return {sid: ("anonymous" if sid in anonymous else "named") for sid in ids}

    async def weekly(self, period: Period, *, speaker_id: int | None = None,
                     outlet: str | None = None) -> list[WeekCount]:
        """Quotes per ISO week (weeks start on Monday), over the whole period, empty weeks as 0;
        quotes of undated articles are in no week."""
        params = _period_params(period)
        if speaker_id is not None:
            params["sid"] = speaker_id
            rows = await self._speaker_days.get(("days", period, speaker_id),
                                                lambda: self.store.rows(_DAYS_SPEAKER, params))
        elif outlet is not None:
            params["outlet"] = outlet
            rows = await self._cached(("days", period, outlet), lambda: self.store.rows(_DAYS_OUTLET, params))
        else:
            rows = await self._cached(("days", period), lambda: self.store.rows(_DAYS_ALL, params))
        # Undated articles (in "all time") have no week to go in: leaving them in would stretch
        # the series from year 1.
        days = [(d, int(n or 0)) for d, n in ((dated(as_date(r[0])), r[1]) for r in rows) if d is not None]
        return weekly_series(days, period.since, period.until)

    async def outlets(self, period: Period, limit: int) -> list[OutletCount]:
        """Outlets by how many quotes their articles hold in the period, most first."""
        rows = await self._cached(("outlets", period), lambda: self.store.rows(_OUTLETS, _period_params(period)))
        items = [OutletCount(outlet=r[0], articles=int(r[1]), quotes=int(r[2] or 0)) for r in rows]
        items.sort(key=lambda o: (-o.quotes, -o.articles, o.outlet or ""))
        return items[:limit]


_ANONYMOUS_IDS = Prepared(select(Speaker.id).where(Speaker.kind == "anonymous"))
