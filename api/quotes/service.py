"""Quotes and articles as the API shows them: filtered, paginated, with speaker and article."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Float,
    Select,
    TextClause,
    and_,
    bindparam,
    func,
    literal,
    literal_column,
    select,
    text,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession

from api.store.db import Store
from api.store.fastread import Prepared, Row, as_date
from api.store.fulltext import FTS_ID_MASK, FTS_WHERE, TSV_MATCH, topic_params
from api.store.models import SPEAKERS_VERSION_KEY, Article, Quote, Speaker, StoreMeta
from api.store.values import FIRST_DAY, UNDATED
from quotelens.contract import (
    QUOTE_KINDS,
    ArticleDetail,
    ArticlePage,
    ArticleRef,
    ArticleSummary,
    QuotePage,
    QuoteRead,
    SpeakerRef,
)
from quotelens.errors import NotFound

__all__ = ["QuoteFilter", "QuoteService", "ArticleService"]

INLINE_OFFSET = 1000  # a speaker's page starting this far in is still read inline (api.store.fastread)
TOTALS_KEPT = 4096  # quote totals remembered per process, by filter
# The store's write counter: every ingest and speaker edit advances it (api.speakers.directory).
_STORE_VERSION = (
    select(StoreMeta.value).where(StoreMeta.key == SPEAKERS_VERSION_KEY).correlate(None).scalar_subquery()
)


@dataclass(frozen=True, slots=True)
class QuoteFilter:
    """The filters of a quote listing; speaker_ids None means any speaker."""

    speaker_ids: Sequence[int] | None = None
    q: str | None = None
    since: date | None = None
    until: date | None = None
    kind: str | None = None
    min_confidence: float = 0.0  # leave out quotes whose speaker confidence is below this
    outlet: str | None = None  # the outlet of the quote's article, exactly as stored


_QUOTE_COLUMNS = (
    Quote.id, Quote.text, Quote.kind, Quote.start_offset, Quote.end_offset, Quote.cue, Quote.mention,
    Quote.via, Quote.confidence, Quote.context,
    Speaker.id.label("speaker_id"), Speaker.slug, Speaker.name, Speaker.kind.label("speaker_kind"),
    Article.id.label("article_id"), Article.title, Article.outlet, Article.published, Article.url,
)


def _quote_from_row(r: Row, threshold: float) -> QuoteRead:
    """A quote from a row of `_QUOTE_COLUMNS` (a named row from the raw driver or a SQLAlchemy row);
    its speaker is uncertain when its confidence is below `threshold`."""
    speaker = (SpeakerRef(id=r.speaker_id, slug=r.slug, name=r.name, kind=r.speaker_kind)
               if r.speaker_id is not None else None)
    confidence = float(r.confidence)
    uncertain = speaker is not None and confidence < threshold
    return QuoteRead(
        id=r.id, text=r.text, kind=r.kind, start=r.start_offset, end=r.end_offset, cue=r.cue, mention=r.mention,
        via=r.via, confidence=round(confidence, 3), context=r.context, speaker=None if uncertain else speaker,
        article=ArticleRef(id=r.article_id, title=r.title, outlet=r.outlet, published=as_date(r.published),
                           url=r.url),
        speaker_uncertain=uncertain, speaker_guess=speaker if uncertain else None,
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
    confident: bool = False  # a lowest speaker confidence
    outlet: bool = False

    @property
    def only_speakers(self) -> bool:
        """Speakers and nothing else: the stored per-speaker counters are the total."""
        return self.speakers >= 0 and not (self.since or self.until or self.kind or self.topic or self.confident
                                           or self.outlet)

    @property
    def by_speakers(self) -> bool:
        """Speakers, perhaps with a lowest confidence: a walk along each speaker's quotes."""
        return self.speakers >= 0 and not (self.since or self.until or self.kind or self.topic or self.outlet)

    @property
    def only_outlet(self) -> bool:
        """An outlet and perhaps dates: the articles' quote counts give the total."""
        return self.outlet and self.speakers < 0 and not (self.kind or self.topic or self.confident)

    @property
    def in_fts(self) -> bool:
        """SQLite with topic words: the full-text index finds, orders and counts the matches by itself
        (the confidence is no column of it, nor the outlet: with either, the index gives the candidate ids)."""
        return self.sqlite and self.topic and not self.confident and not self.outlet


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
        words = topic_params(f.q or "", sqlite=sqlite, speaker_ids=f.speaker_ids, kind=f.kind,
                             since=f.since, until=f.until)
        if words is None:
            return None
        params.update(words)
    if f.since is not None:
        params["since"] = max(f.since, FIRST_DAY)  # never the undated
    if f.until is not None:
        params["until"] = f.until
    if f.kind is not None:
        params["kind"] = f.kind
    confident = f.min_confidence > 0.0
    if confident:
        params["min_conf"] = f.min_confidence
    if f.outlet is not None:
        params["outlet"] = f.outlet
    shape = _Shape(speakers, f.since is not None, f.until is not None, f.kind is not None, topic, sqlite, confident,
                   f.outlet is not None)
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
        if not shape.since:  # undated quotes (seen_on UNDATED) are in no date range
            conds.append(Quote.seen_on > literal(UNDATED, Date))
    if shape.kind:
        conds.append(Quote.kind == bindparam("kind"))
    if shape.confident:
        conds.append(Quote.confidence >= bindparam("min_conf", type_=Float))
    if shape.topic and not shape.sqlite:
        conds.append(TSV_MATCH)
    elif shape.topic:  # SQLite with a lowest confidence or an outlet: the full-text index's matches as candidates
        rowid: ColumnElement[int] = literal_column("rowid")
        conds.append(Quote.id.in_(select(rowid.op("&")(FTS_ID_MASK)).select_from(text("quotes_fts"))
                                  .where(FTS_WHERE).scalar_subquery()))
    if shape.outlet:
        conds.append(Article.outlet == bindparam("outlet"))
    return conds


def _total_select(shape: _Shape) -> Select:  # type: ignore[type-arg]
    """How many quotes a shape matches."""
    if shape.only_speakers:
        # The per-speaker counter is kept exact on every write; no need to count rows.
        return select(func.coalesce(func.sum(Speaker.quote_count), 0).label("total")).where(
            Speaker.id.in_([bindparam(f"sid{i}") for i in range(shape.speakers)])
        )
    if shape.in_fts:
        # Counted in the full-text index alone (its doclists), without probing each matching quote.
        return select(func.count().label("total")).select_from(text("quotes_fts")).where(FTS_WHERE)
    if shape.only_outlet:
        dates = [c for c in (Article.seen_on >= bindparam("since", type_=Date) if shape.since else None,
                             Article.seen_on <= bindparam("until", type_=Date) if shape.until else None,
                             # undated articles are in no date range
                             Article.seen_on > literal(UNDATED, Date) if shape.until and not shape.since else None)
                 if c is not None]
        return select(func.coalesce(func.sum(Article.quote_count), 0).label("total")).where(
            Article.outlet == bindparam("outlet"), *dates)
    if shape.outlet:
        return (select(func.count(Quote.id).label("total")).select_from(Quote)
                .join(Article, Article.id == Quote.article_id).where(and_(true(), *_conditions(shape))))
    return select(func.count(Quote.id).label("total")).where(and_(true(), *_conditions(shape)))


@lru_cache(maxsize=256)
def _total_query(shape: _Shape) -> Prepared:
    return Prepared(_total_select(shape))


@lru_cache(maxsize=512)
def _page_query(shape: _Shape, extra: str | None = None, near_start: bool = False) -> Prepared:
    """A page of a shape, newest first; `extra` adds the total ("total") or the store version ("version").

    `near_start`: the page is among the first INLINE_OFFSET rows (an inline read for a speaker's quotes)."""
    if shape.in_fts:
        # The full-text index hands over one page, newest first.
        rowid: ColumnElement[int] = literal_column("rowid")
        hits = (select(rowid.label("key")).select_from(text("quotes_fts")).where(FTS_WHERE)
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
    return Prepared(query, inline=shape.by_speakers and near_start)


class QuoteService:
    """Quote listings and search."""

    def __init__(self, store: Store, speaker_confidence: float = 0.0) -> None:
        self.store = store
        self.speaker_confidence = speaker_confidence  # below it a quote's speaker is uncertain
        self._totals: dict[tuple[Any, ...], tuple[int, int]] = {}  # filter -> (store version, total)

    async def page(self, f: QuoteFilter, limit: int, offset: int) -> QuotePage:
        """A page of quotes, newest article first."""
        bound = _bind(f, self.store.is_sqlite)
        if bound is None:
            return QuotePage(items=[], total=0, limit=limit, offset=offset, min_confidence=f.min_confidence)
        shape, params = bound
        params["limit_"], params["offset_"] = limit, offset
        rows = self.store.rows
        if shape.only_speakers:
            page = await rows(_page_query(shape, "total", offset <= INLINE_OFFSET), params)
            total = int(page[0].total_) if page else int((await rows(_total_query(shape), params))[0].total or 0)
        else:
            # Counting every match (a topic word in 60,000 quotes) costs more than the
            # page, even in the full-text index. Totals are kept per filter for as long as
            # the store's write counter (bumped by every ingest and speaker edit) stays put.
            page = await rows(_page_query(shape, "version"), params)
            key = (tuple(f.speaker_ids) if f.speaker_ids is not None else None, f.q, f.since, f.until, f.kind,
                   f.min_confidence, f.outlet)
            known = self._totals.get(key)
            if page and known is not None and known[0] == page[0].version_:
                total = known[1]
            elif len(page) < limit and (page or offset == 0):
                total = offset + len(page)  # the last page: nothing after it to count
            else:
                total = int((await rows(_total_query(shape), params))[0].total or 0)
                if page:
                    self._remember_total(key, page[0].version_, total)
        t = self.speaker_confidence
        return QuotePage(items=[_quote_from_row(r, t) for r in page], total=total, limit=limit, offset=offset,
                         min_confidence=f.min_confidence)

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
        return [_quote_from_row(r, self.speaker_confidence) for r in rows]


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
            authors=list(a.authors or []),
            language=a.language,
            skipped=a.skipped,
        )

    async def count(self) -> int:
        async with self.store.read() as session:
            return int(await session.scalar(select(func.count(Article.id))) or 0)
