"""Quotes and articles as the API shows them: filtered, paginated, with speaker and article."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    TextClause,
    and_,
    bindparam,
    func,
    literal_column,
    select,
    text,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import NotFound
from api.schemas import (
    ArticleDetail,
    ArticlePage,
    ArticleRef,
    ArticleSummary,
    QuotePage,
    QuoteRead,
    SpeakerRef,
)
from api.services.directory import VERSION_KEY
from api.store.db import Store
from api.store.fastread import Prepared, as_date
from api.store.models import QUOTE_KINDS, Article, Quote, Speaker, StoreMeta

__all__ = ["QuoteFilter", "QuoteService", "ArticleService", "fts5_query"]

_WORD = re.compile(r"\w+", re.UNICODE)
# SQLite: a quote's full-text rowid is (day of seen_on << 32) | id (migration 0002), so
# the index yields matches newest first; the low 32 bits are the quote id.
FTS_ID_MASK = 0xFFFFFFFF
# The same key in SQL, over a quotes row: what migration 0002's triggers index a quote under
# (for tools that fill or check the index by hand; the migration itself keeps its own copy).
FTS_KEY_SQL = "((CAST(julianday(seen_on) AS INTEGER) << 32) | id)"
_FTS_WHERE = text("quotes_fts MATCH :match AND quotes_fts.rowid >= :low AND quotes_fts.rowid < :high")
INLINE_OFFSET = 1000  # a speaker's page starting this far in is still read inline (api.store.fastread)
TOTALS_KEPT = 4096  # quote totals remembered per process, by filter
# The store's write counter: every ingest and speaker edit advances it (api.services.directory).
_STORE_VERSION = (
    select(StoreMeta.value).where(StoreMeta.key == VERSION_KEY).correlate(None).scalar_subquery()
)


def fts5_query(q: str) -> str | None:
    """Topic words as an FTS5 query: every word must occur (stemmed); None when there are none."""
    words = _WORD.findall(q)
    return " ".join(f'"{w}"' for w in words[:32]) or None


def _fts_match(words: str, f: QuoteFilter) -> str:
    """The FTS5 query of a SQLite listing with topic words: the words in the text, and the
    speaker and kind columns (migration 0002) for those filters."""
    match = f"text : ({words})"
    if f.speaker_ids is not None:
        match += " AND (" + " OR ".join(f'speaker : "s{int(sid)}"' for sid in f.speaker_ids) + ")"
    if f.kind is not None:
        match += f' AND kind : "{f.kind}"'
    return match


def _fts_day(day: date) -> int:
    """What SQLite's CAST(julianday(day) AS INTEGER) gives: the high half of an FTS rowid."""
    return day.toordinal() + 1_721_424


@dataclass(frozen=True, slots=True)
class QuoteFilter:
    """The filters of a quote listing; speaker_ids None means any speaker."""

    speaker_ids: Sequence[int] | None = None
    q: str | None = None
    since: date | None = None
    until: date | None = None
    kind: str | None = None


_QUOTE_COLUMNS = (
    Quote.id, Quote.text, Quote.kind, Quote.start_offset, Quote.end_offset, Quote.cue, Quote.mention,
    Quote.via, Quote.confidence, Quote.context,
    Speaker.id.label("speaker_id"), Speaker.slug, Speaker.name, Speaker.kind.label("speaker_kind"),
    Article.id.label("article_id"), Article.title, Article.outlet, Article.published, Article.url,
)
_EXTRA = len(_QUOTE_COLUMNS)  # where a page query's extra column (total or store version) sits


def _quote_from_row(r: Sequence[Any]) -> QuoteRead:
    """A quote from a row of `_QUOTE_COLUMNS` (a tuple from the raw driver or a SQLAlchemy row)."""
    speaker = SpeakerRef(id=r[10], slug=r[11], name=r[12], kind=r[13]) if r[10] is not None else None
    return QuoteRead(
        id=r[0], text=r[1], kind=r[2], start=r[3], end=r[4], cue=r[5], mention=r[6], via=r[7],
        confidence=round(float(r[8]), 3), context=r[9], speaker=speaker,
        article=ArticleRef(id=r[14], title=r[15], outlet=r[16], published=as_date(r[17]), url=r[18]),
    )


def _quote_select() -> Select:  # type: ignore[type-arg]
    return (
        select(*_QUOTE_COLUMNS)
        .join(Article, Article.id == Quote.article_id)
        .outerjoin(Speaker, Speaker.id == Quote.speaker_id)
    )


@dataclass(frozen=True, slots=True)
class _Shape:
    """Which filters a listing has: one prepared statement per shape, its values bound per request."""

    speakers: int  # how many speaker ids (-1: any speaker)
    since: bool
    until: bool
    kind: bool
    topic: bool
    sqlite: bool

    @property
    def only_speakers(self) -> bool:
        return self.speakers >= 0 and not (self.since or self.until or self.kind or self.topic)

    @property
    def in_fts(self) -> bool:
        """SQLite with topic words: the full-text index finds, orders and counts the matches by itself."""
        return self.sqlite and self.topic


def _bind(f: QuoteFilter, sqlite: bool) -> tuple[_Shape, dict[str, Any]] | None:
    """A filter's shape and the values of its parameters; None when it can match nothing."""
    if f.kind is not None and f.kind not in QUOTE_KINDS:
        return None
    params: dict[str, Any] = {}
    speakers = -1
    if f.speaker_ids is not None:
        if not f.speaker_ids:
            return None
        speakers = len(f.speaker_ids)
        params.update((f"sid{i}", sid) for i, sid in enumerate(f.speaker_ids))
    topic = f.q is not None and bool(f.q.strip())
    if topic:
        words = fts5_query(f.q or "") if sqlite else " ".join(_WORD.findall(f.q or "")[:32])
        if not words:
            return None
        params["words"] = words
        if sqlite:
            # The full-text index answers it all: speaker and kind are its columns, dates its rowids.
            params["match"] = _fts_match(words, f)
            params["low"] = _fts_day(f.since) << 32 if f.since is not None else 0
            params["high"] = (_fts_day(f.until) + 1) << 32 if f.until is not None else 2**63 - 1
    if f.since is not None:
        params["since"] = f.since
    if f.until is not None:
        params["until"] = f.until
    if f.kind is not None:
        params["kind"] = f.kind
    shape = _Shape(speakers, f.since is not None, f.until is not None, f.kind is not None, topic, sqlite)
    return shape, params


def _conditions(shape: _Shape) -> list[ColumnElement[bool] | TextClause]:
    """The WHERE conditions of a shape, with named parameters."""
    conds: list[ColumnElement[bool] | TextClause] = []
    if shape.speakers == 1:
        conds.append(Quote.speaker_id == bindparam("sid0"))
    elif shape.speakers > 1:
        conds.append(Quote.speaker_id.in_([bindparam(f"sid{i}") for i in range(shape.speakers)]))
    if shape.since:
        conds.append(Quote.seen_on >= bindparam("since", type_=Date))
    if shape.until:
        conds.append(Quote.seen_on <= bindparam("until", type_=Date))
    if shape.kind:
        conds.append(Quote.kind == bindparam("kind"))
    if shape.topic:  # PostgreSQL; on SQLite such listings are answered by the full-text index
        conds.append(text("quotes.text_tsv @@ plainto_tsquery('english', :words)"))
    return conds


def _total_select(shape: _Shape) -> Select:  # type: ignore[type-arg]
    """How many quotes a shape matches."""
    if shape.only_speakers:
        # The per-speaker counter is kept exact on every write; no need to count rows.
        return select(func.coalesce(func.sum(Speaker.quote_count), 0)).where(
            Speaker.id.in_([bindparam(f"sid{i}") for i in range(shape.speakers)])
        )
    if shape.in_fts:
        # Counted in the full-text index alone (its doclists), without probing each matching quote.
        return select(func.count()).select_from(text("quotes_fts")).where(_FTS_WHERE)
    return select(func.count(Quote.id)).where(and_(true(), *_conditions(shape)))


@lru_cache(maxsize=256)
def _total_query(shape: _Shape) -> Prepared:
    return Prepared(_total_select(shape))


@lru_cache(maxsize=512)
def _page_query(shape: _Shape, extra: str | None = None, near_start: bool = False) -> Prepared:
    """A page of a shape, newest first; `extra` adds the total ("total") or the store version ("version").

    `near_start`: the page is among the first INLINE_OFFSET rows (an inline read for a speaker's quotes)."""
    if shape.in_fts:
        # The full-text index hands over one page, newest first.
        rowid = literal_column("rowid")
        hits = (select(rowid.label("key")).select_from(text("quotes_fts")).where(_FTS_WHERE)
                .order_by(rowid.desc()).limit(bindparam("limit_")).offset(bindparam("offset_")).subquery("hits"))
        return Prepared(
            select(*_QUOTE_COLUMNS, *((_STORE_VERSION.label("version_"),) if extra == "version" else ()))
            .select_from(hits)
            .join(Quote, Quote.id == hits.c.key.op("&")(FTS_ID_MASK))
            .join(Article, Article.id == Quote.article_id)
            .outerjoin(Speaker, Speaker.id == Quote.speaker_id)
            .order_by(hits.c.key.desc())
        )
    query = _quote_select().where(and_(true(), *_conditions(shape)))
    if extra == "total":
        # The total (a sum of speaker counters) rides along as a scalar subquery, evaluated once.
        query = query.add_columns(_total_select(shape).scalar_subquery().label("total_"))
    elif extra == "version":
        query = query.add_columns(_STORE_VERSION.label("version_"))
    query = query.order_by(Quote.seen_on.desc(), Quote.id.desc()).limit(bindparam("limit_")).offset(
        bindparam("offset_"))
    # A speaker's newest quotes: a short walk along ix_quotes_speaker_id_seen_on_id.
    return Prepared(query, inline=shape.only_speakers and near_start)


class QuoteService:
    """Quote listings and search."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._totals: dict[tuple[Any, ...], tuple[int, int]] = {}  # filter -> (store version, total)

    async def page(self, f: QuoteFilter, limit: int, offset: int) -> QuotePage:
        """A page of quotes, newest article first."""
        bound = _bind(f, self.store.is_sqlite)
        if bound is None:
            return QuotePage(items=[], total=0, limit=limit, offset=offset)
        shape, params = bound
        params["limit_"], params["offset_"] = limit, offset
        rows = self.store.rows
        if shape.only_speakers:
            page = await rows(_page_query(shape, "total", offset <= INLINE_OFFSET), params)
            total = int(page[0][_EXTRA]) if page else int((await rows(_total_query(shape), params))[0][0] or 0)
        else:
            # Counting every match (a topic word in 60,000 quotes) costs more than the
            # page, even in the full-text index. Totals are kept per filter for as long as
            # the store's write counter (bumped by every ingest and speaker edit) stays put.
            page = await rows(_page_query(shape, "version"), params)
            key = (tuple(f.speaker_ids) if f.speaker_ids is not None else None, f.q, f.since, f.until, f.kind)
            known = self._totals.get(key)
            if page and known is not None and known[0] == page[0][_EXTRA]:
                total = known[1]
            elif len(page) < limit and (page or offset == 0):
                total = offset + len(page)  # the last page: nothing after it to count
            else:
                total = int((await rows(_total_query(shape), params))[0][0] or 0)
                if page:
                    self._remember_total(key, page[0][_EXTRA], total)
        return QuotePage(items=[_quote_from_row(r) for r in page], total=total, limit=limit, offset=offset)

    def _remember_total(self, key: tuple[Any, ...], version: int, total: int) -> None:
        if len(self._totals) >= TOTALS_KEPT:
            del self._totals[next(iter(self._totals))]  # the oldest
        self._totals[key] = (version, total)

    async def for_article(self, session: AsyncSession, article_id: int) -> list[QuoteRead]:
        rows = (
            await session.execute(
                _quote_select().where(Quote.article_id == article_id).order_by(Quote.start_offset, Quote.id)
            )
        ).all()
        return [_quote_from_row(r) for r in rows]


class ArticleService:
    """Article listings and detail."""

    def __init__(self, store: Store, quotes: QuoteService) -> None:
        self.store = store
        self.quotes = quotes

    async def page(self, limit: int, offset: int) -> ArticlePage:
        """A page of articles, newest first."""
        async with self.store.read() as session:
            total = await session.scalar(select(func.count(Article.id))) or 0
            rows = (
                await session.execute(
                    select(Article.id, Article.title, Article.outlet, Article.published, Article.url,
                           Article.quote_count)
                    .order_by(Article.seen_on.desc(), Article.id.desc()).limit(limit).offset(offset)
                )
            ).all()
        items = [
            ArticleSummary(id=r.id, title=r.title, outlet=r.outlet, published=r.published, url=r.url,
                           quote_count=r.quote_count)
            for r in rows
        ]
        return ArticlePage(items=items, total=total, limit=limit, offset=offset)

    async def detail(self, article_id: int) -> ArticleDetail:
        """An article's text with its quotes and their speakers (404 when unknown)."""
        async with self.store.read() as session:
            a = await session.get(Article, article_id) if 0 < article_id < 2**31 else None  # INTEGER ids: int32 on PostgreSQL
            if a is None:
                raise NotFound(f"no article {article_id}")
            quotes = await self.quotes.for_article(session, article_id)
        return ArticleDetail(
            id=a.id, title=a.title, outlet=a.outlet, published=a.published, url=a.url, text=a.text,
            content_hash=a.content_hash,
            created_at=a.created_at if a.created_at.tzinfo else a.created_at.replace(tzinfo=UTC),
            quotes=quotes,
        )

    async def count(self) -> int:
        async with self.store.read() as session:
            return int(await session.scalar(select(func.count(Article.id))) or 0)
