"""Quotes and articles as the API shows them: filtered, paginated, with speaker and article."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    TextClause,
    and_,
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
from api.store.models import Article, Quote, Speaker, StoreMeta

__all__ = ["QuoteFilter", "QuoteService", "ArticleService", "fts5_query"]

_WORD = re.compile(r"\w+", re.UNICODE)
# SQLite topic search: from this many matching quotes on, reading quotes newest first and
# keeping the matching ones beats sorting every match (about sqrt(20 x 1,000,000) = 4,500
# for a page of 20 out of a million quotes; lower is safe for smaller stores).
FTS_WALK_THRESHOLD = 3000
TOTALS_KEPT = 4096  # quote totals remembered per process, by filter
# The store's write counter: every ingest and speaker edit advances it (api.services.directory).
_STORE_VERSION = (
    select(StoreMeta.value).where(StoreMeta.key == VERSION_KEY).correlate(None).scalar_subquery()
)


def fts5_query(q: str) -> str | None:
    """Topic words as an FTS5 query: every word must occur (stemmed); None when there are none."""
    words = _WORD.findall(q)
    return " ".join(f'"{w}"' for w in words[:32]) or None


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


def _quote_from_row(r: Any) -> QuoteRead:
    speaker = (
        SpeakerRef(id=r.speaker_id, slug=r.slug, name=r.name, kind=r.speaker_kind)
        if r.speaker_id is not None else None
    )
    return QuoteRead(
        id=r.id, text=r.text, kind=r.kind, start=r.start_offset, end=r.end_offset, cue=r.cue,
        mention=r.mention, via=r.via, confidence=round(float(r.confidence), 3), context=r.context,
        speaker=speaker,
        article=ArticleRef(id=r.article_id, title=r.title, outlet=r.outlet, published=r.published, url=r.url),
    )


def _quote_select() -> Select:  # type: ignore[type-arg]
    return (
        select(*_QUOTE_COLUMNS)
        .join(Article, Article.id == Quote.article_id)
        .outerjoin(Speaker, Speaker.id == Quote.speaker_id)
    )


class QuoteService:
    """Quote listings and search."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._totals: dict[tuple[Any, ...], tuple[int, int]] = {}  # filter -> (store version, total)

    def _conditions(
        self, f: QuoteFilter, *, walk_newest: bool = False
    ) -> list[ColumnElement[bool] | TextClause] | None:
        """SQL conditions for a filter; None when it can match nothing.

        `walk_newest` (SQLite): keep the full-text match from driving the query, so
        SQLite reads quotes newest first along `ix_quotes_seen_on_id` and stops at
        the page's end; right when many quotes match, wrong when few do.
        """
        conds: list[ColumnElement[bool] | TextClause] = []
        if f.speaker_ids is not None:
            if not f.speaker_ids:
                return None
            conds.append(Quote.speaker_id.in_(list(f.speaker_ids)))
        if f.since is not None:
            conds.append(Quote.seen_on >= f.since)
        if f.until is not None:
            conds.append(Quote.seen_on <= f.until)
        if f.kind is not None:
            conds.append(Quote.kind == f.kind)
        if f.q is not None and f.q.strip():
            if self.store.is_sqlite:
                match = fts5_query(f.q)
                if match is None:
                    return None
                # "+quotes.id" is quotes.id that SQLite may not look up by: no FTS-driven plan.
                matched = literal_column("+quotes.id") if walk_newest else Quote.id
                conds.append(
                    matched.in_(
                        select(literal_column("rowid"))
                        .select_from(text("quotes_fts"))
                        .where(text("quotes_fts MATCH :fts_query").bindparams(fts_query=match))
                    )
                )
            else:
                words = " ".join(_WORD.findall(f.q)[:32])
                if not words:
                    return None
                conds.append(
                    text("quotes.text_tsv @@ plainto_tsquery('english', :ts_query)").bindparams(ts_query=words)
                )
        return conds

    async def page(self, f: QuoteFilter, limit: int, offset: int) -> QuotePage:
        """A page of quotes, newest article first."""
        conds = self._conditions(f)
        if conds is None:
            return QuotePage(items=[], total=0, limit=limit, offset=offset)
        where = and_(true(), *conds)
        total_q = self._total(f, where)
        async with self.store.read() as session:
            if self._counted_in_fts(f):
                # SQLite, topic words only: the count is cheap, and it says which plan is quicker.
                total = int(await session.scalar(total_q) or 0)
                if total == 0 or offset >= total:
                    return QuotePage(items=[], total=total, limit=limit, offset=offset)
                if total >= FTS_WALK_THRESHOLD:
                    where = and_(true(), *(self._conditions(f, walk_newest=True) or ()))
                rows = (await session.execute(self._rows(where, limit, offset))).all()
            elif f.speaker_ids is not None and f.q is None and f.since is None and f.until is None and f.kind is None:
                # The total (a sum of speaker counters) rides along with the page as a
                # scalar subquery, evaluated once: one round trip instead of two.
                rows = (await session.execute(self._rows(where, limit, offset, total_q))).all()
                total = int(rows[0].total_) if rows else int(await session.scalar(total_q) or 0)
            else:
                # Counting every match (a topic word in 60,000 quotes) costs far more than the
                # page. Totals are kept per filter for as long as the store's write counter
                # (bumped by every ingest and speaker edit) stays where it was.
                query = self._rows(where, limit, offset).add_columns(_STORE_VERSION.label("version_"))
                rows = (await session.execute(query)).all()
                key = (tuple(f.speaker_ids) if f.speaker_ids is not None else None, f.q, f.since, f.until, f.kind)
                known = self._totals.get(key)
                if rows and known is not None and known[0] == rows[0].version_:
                    total = known[1]
                else:
                    total = int(await session.scalar(total_q) or 0)
                    if rows:
                        self._remember_total(key, rows[0].version_, total)
        return QuotePage(items=[_quote_from_row(r) for r in rows], total=total, limit=limit, offset=offset)

    @staticmethod
    def _rows(
        where: ColumnElement[bool], limit: int, offset: int, total_q: Select | None = None  # type: ignore[type-arg]
    ) -> Select:  # type: ignore[type-arg]
        query = _quote_select()
        if total_q is not None:
            query = query.add_columns(total_q.correlate(None).scalar_subquery().label("total_"))
        return query.where(where).order_by(Quote.seen_on.desc(), Quote.id.desc()).limit(limit).offset(offset)

    def _remember_total(self, key: tuple[Any, ...], version: int, total: int) -> None:
        if len(self._totals) >= TOTALS_KEPT:
            del self._totals[next(iter(self._totals))]  # the oldest
        self._totals[key] = (version, total)

    def _counted_in_fts(self, f: QuoteFilter) -> bool:
        return (self.store.is_sqlite and f.q is not None and f.speaker_ids is None and f.since is None
                and f.until is None and f.kind is None and fts5_query(f.q) is not None)

    def _total(self, f: QuoteFilter, where: ColumnElement[bool]) -> Select:  # type: ignore[type-arg]
        """The query of how many quotes a filter matches."""
        only_speakers = f.q is None and f.since is None and f.until is None and f.kind is None
        if only_speakers and f.speaker_ids is not None:
            # The per-speaker counter is kept exact on every write; no need to count rows.
            return select(func.coalesce(func.sum(Speaker.quote_count), 0)).where(
                Speaker.id.in_(list(f.speaker_ids))
            )
        if self._counted_in_fts(f):
            # Counted in the full-text index alone (its doclists), without probing each matching quote.
            return select(func.count()).select_from(text("quotes_fts")).where(
                text("quotes_fts MATCH :fts_count_query").bindparams(fts_count_query=fts5_query(f.q or ""))
            )
        return select(func.count(Quote.id)).where(where)

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
