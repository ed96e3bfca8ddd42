"""Quotes and articles as the API shows them: filtered, paginated, with speaker and article."""

from __future__ import annotations

import json
import logging
from bisect import bisect_left, bisect_right
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Float,
    Integer,
    Select,
    TextClause,
    and_,
    bindparam,
    column,
    func,
    literal,
    literal_column,
    null,
    select,
    table,
    text,
    true,
    union_all,
)

from api.store.db import Store
from api.store.fastread import Prepared, Row, as_date
from api.store.fulltext import (
    FTS_ID_MASK,
    FTS_WHERE,
    ORDERED_INDEX,
    RUM_NEWEST_FIRST,
    TSV_MATCH,
    key_day,
    kind_streamed_in_search,
    newest_key,
    topic_params,
)
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

log = logging.getLogger("api.quotes")

INLINE_OFFSET = 1000  # a speaker's page starting this far in is still read inline (api.store.fastread)
TOTALS_KEPT = 4096  # quote totals remembered per process, by filter
# A listing's matches are counted up to this many; a total above it is an estimate
# (`total_is_estimate`): a search's from the days its walk covered (`_DayCounts`), another
# PostgreSQL listing's the planner's. Counting reads every match (on PostgreSQL each one's
# row, MVCC: 170 ms for a word in 16,000 of a million quotes, against 1 ms for a thousand),
# and on SQLite the walk to the 1,001st match was half of a one-word search's time
# (1.35 ms against 0.68 ms to the 101st, the benchmark's draw on the 1M store): a total
# past a hundred is shown as "about" (the pages round it to two figures).
EXACT_TOTAL_UP_TO = 100
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
    rum: bool = False  # PostgreSQL with topic words and the RUM index: matches ordered in the index
    kind_streamed: bool = False  # SQLite search: the kind checked on each match's row, not in the index

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


def _bind(f: QuoteFilter, sqlite: bool, rum: bool = False) -> tuple[_Shape, dict[str, Any]] | None:
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
    kind_streamed = sqlite and topic and f.kind is not None and kind_streamed_in_search(f.kind, f.speaker_ids)
    if topic:
        words = topic_params(f.q or "", sqlite=sqlite, speaker_ids=f.speaker_ids,
                             kind=None if kind_streamed else f.kind, since=f.since, until=f.until, outlet=f.outlet)
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
    rum = rum and topic and not sqlite
    if rum:
        params["newest_key"] = newest_key(f.until)
    shape = _Shape(speakers, f.since is not None, f.until is not None, f.kind is not None, topic, sqlite, confident,
                   f.outlet is not None, rum, kind_streamed)
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
    if shape.topic:  # PostgreSQL (SQLite's searches are in its full-text index: `_search_query`)
        conds.append(TSV_MATCH)
    if shape.outlet:
        conds.append(Quote.outlet == bindparam("outlet"))  # the article's, copied (migration 0007)
    return conds


def _total_select(shape: _Shape) -> Select:  # type: ignore[type-arg]
    """How many quotes a shape matches."""
    if shape.only_speakers:
        # The per-speaker counter is kept exact on every write; no need to count rows.
        return select(func.coalesce(func.sum(Speaker.quote_count), 0).label("total")).where(
            Speaker.id.in_([bindparam(f"sid{i}") for i in range(shape.speakers)])
        )
    if shape.only_outlet:
        dates = [c for c in (Article.seen_on >= bindparam("since", type_=Date) if shape.since else None,
                             Article.seen_on <= bindparam("until", type_=Date) if shape.until else None,
                             # undated articles are in no date range
                             Article.seen_on > literal(UNDATED, Date) if shape.until and not shape.since else None)
                 if c is not None]
        return select(func.coalesce(func.sum(Article.quote_count), 0).label("total")).where(
            Article.outlet == bindparam("outlet"), *dates)
    return select(func.count(Quote.id).label("total")).where(and_(true(), *_conditions(shape)))


def _stream_conditions(shape: _Shape) -> list[ColumnElement[bool]]:
    """What a search checks on each match's row: what the full-text index cannot (the speaker's
    confidence), and a common kind (`kind_streamed_in_search`)."""
    conds: list[ColumnElement[bool]] = []
    if shape.confident:
        conds.append(Quote.confidence >= bindparam("min_conf", type_=Float))
    if shape.kind_streamed:
        conds.append(Quote.kind == bindparam("kind"))
    return conds


@lru_cache(maxsize=256)
def _total_query(shape: _Shape) -> Prepared:
    return Prepared(_total_select(shape))


@lru_cache(maxsize=256)
def _capped_total_query(shape: _Shape) -> Prepared:
    """How many quotes a shape matches, counted up to :cap_."""
    matches = select(Quote.id).where(and_(true(), *_conditions(shape))).limit(bindparam("cap_")).subquery()
    return Prepared(select(func.count().label("total")).select_from(matches))


@lru_cache(maxsize=256)
def _estimate_query(shape: _Shape) -> Prepared:
    """PostgreSQL's plan for a shape's matches: its estimate of how many there are."""
    return Prepared(select(Quote.id).where(and_(true(), *_conditions(shape))), prefix="EXPLAIN (FORMAT JSON) ")


def _planned_rows(plan: Any) -> int:
    found = json.loads(plan) if isinstance(plan, str) else plan
    return int(found[0]["Plan"]["Plan Rows"])


_ORDERED_INDEX_QUERY = Prepared(
    select(func.count().label("n")).select_from(text("pg_indexes")).where(text("indexname = :index_name")))


_FTS = table("quotes_fts", column("rowid"))


@lru_cache(maxsize=256)
def _search_query(shape: _Shape) -> Prepared:
    """A page of a search (topic words) with how many match, up to :cap_, in one statement.

    The matches come newest first out of the index (SQLite's full-text rowids, PostgreSQL's
    RUM order by `sort_key`), so the first :cap_ of them are one walk that stops there: the
    page is cut from them and they are counted (`total_`); `floor_` is the key of the
    oldest, from which a total beyond :cap_ is estimated (`_DayCounts`). It was a page, then
    a count of every match (a second pass, over all of them), then on PostgreSQL the
    planner's estimate: up to three statements and two full passes a search."""
    if shape.sqlite:
        # The rowid is the key negated (migration 0008): newest first is the index's forward order.
        rowid: ColumnElement[int] = _FTS.c.rowid
        key: ColumnElement[int] = (-rowid).self_group()
        quote_id = key.op("&")(FTS_ID_MASK)
        hits: Select = select(key.label("key"), quote_id.label("qid")).select_from(_FTS)  # type: ignore[type-arg]
        if shape.confident or shape.kind_streamed:  # checked on each match's row as the matches come
            hits = hits.join(Quote, Quote.id == quote_id).where(*_stream_conditions(shape))
        hits = hits.where(FTS_WHERE).order_by(rowid)
    else:
        key = literal_column("quotes.sort_key")
        hits = (select(key.label("key"), Quote.id.label("qid")).where(and_(true(), *_conditions(shape)))
                .order_by(RUM_NEWEST_FIRST if shape.rum else key.desc()))
    found = hits.limit(bindparam("cap_", type_=Integer)).cte("hits")
    page = (select(found.c.key, found.c.qid).order_by(found.c.key.desc())
            .limit(bindparam("limit_", type_=Integer)).offset(bindparam("offset_", type_=Integer)).subquery("page"))
    return Prepared(
        select(*_QUOTE_COLUMNS, _STORE_VERSION.label("version_"),
               select(func.count()).select_from(found).scalar_subquery().label("total_"),
               select(func.min(found.c.key)).scalar_subquery().label("floor_"))
        .select_from(page)
        .join(Quote, Quote.id == page.c.qid)
        .join(Article, Article.id == Quote.article_id)
        .outerjoin(Speaker, Speaker.id == Quote.speaker_id)
        .order_by(page.c.key.desc()),
        # Which list is short (the words', a speaker's, an outlet's, a date range's) depends on the values.
        plan_each_time=True,
    )


_QUOTES_PER_DAY = Prepared(
    select(Article.seen_on, func.sum(Article.quote_count).label("n"))
    .group_by(Article.seen_on).order_by(Article.seen_on)
)


class _DayCounts:
    """How many quotes the store holds per day (its articles' counts), for estimating a search's total.

    A search walks its matches newest first and stops after `cap`; the stretch of days it
    walked holds some share of the quotes of the searched date range, and its matches are
    taken to be that share of them all (the matches spread over the days as the quotes
    do). Read once per store version (a grouping of the articles, 10-30 ms at 50,000)."""

    def __init__(self) -> None:
        self.version: int | None = None
        self._days: list[int] = []  # day ordinals, ascending
        self._upto: list[int] = []  # quotes on the days up to and including each

    async def load(self, store: Store, version: int) -> None:
        if self.version == version:
            return
        days: list[int] = []
        upto: list[int] = []
        acc = 0
        for r in await store.rows(_QUOTES_PER_DAY, {}):
            acc += int(r.n or 0)
            days.append(as_date(r.seen_on).toordinal())  # type: ignore[union-attr]
            upto.append(acc)
        self._days, self._upto, self.version = days, upto, version

    def quotes_between(self, first: int, last: int) -> int:
        """Quotes on the days from ordinal `first` to `last`, both included."""
        hi = bisect_right(self._days, last)
        lo = bisect_left(self._days, first)
        return (self._upto[hi - 1] if hi else 0) - (self._upto[lo - 1] if lo else 0)

    def estimate(self, found: int, floor_day: int, first: int, last: int) -> int:
        """Matches in days `first`..`last` when `found` of them lie from `floor_day` (its own quotes
        counted half: the walk stopped somewhere in it) to `last`."""
        walked = self.quotes_between(floor_day + 1, last) + self.quotes_between(floor_day, floor_day) / 2
        whole = self.quotes_between(first, last)
        if walked <= 0 or whole <= walked:
            return found
        return max(found, round(found * whole / walked))


@lru_cache(maxsize=512)
def _page_query(shape: _Shape, extra: str | None = None, near_start: bool = False) -> Prepared:
    """A page of a listing without topic words (`_search_query` has those), newest first; `extra` adds the total ("total") or the store version ("version").

    `near_start`: the page is among the first INLINE_OFFSET rows (an inline read for a speaker's quotes)."""
    query = _quote_select().where(and_(true(), *_conditions(shape)))
    if extra == "total":
        # The total (a sum of speaker or article counters) rides along as a scalar subquery, evaluated once.
        query = query.add_columns(_total_select(shape).scalar_subquery().label("total_"))
    elif extra == "version":
        query = query.add_columns(_STORE_VERSION.label("version_"))
    # With the RUM index, its order (the same: newest first, by day and id) comes out of the index.
    order = (RUM_NEWEST_FIRST,) if shape.rum else (Quote.seen_on.desc(), Quote.id.desc())
    query = query.order_by(*order).limit(bindparam("limit_")).offset(bindparam("offset_"))
    # A speaker's newest quotes, or an outlet's: a short walk along ix_quotes_speaker_id_seen_on_id
    # or ix_quotes_outlet_seen_on_id.
    return Prepared(query, inline=(shape.by_speakers or shape.only_outlet) and near_start)


class QuoteService:
    """Quote listings and search."""

    def __init__(self, store: Store, speaker_confidence: float = 0.0,
                 shown_count: Callable[[int], Awaitable[int]] | None = None) -> None:
        self.store = store
        self.speaker_confidence = speaker_confidence  # below it a quote's speaker is uncertain
        # A speaker's quotes at or above `speaker_confidence` (`SpeakerService.shown_count`, from the
        # speaker index): the total of its default listing without counting rows.
        self.shown_count = shown_count
        # filter -> (store version, total, whether it is an estimate)
        self._totals: dict[tuple[Any, ...], tuple[int, int, bool]] = {}
        self._rum: bool | None = None  # PostgreSQL: whether the RUM index is there (asked once)
        self._days = _DayCounts()  # quotes per day, for estimated search totals

    async def _ordered_search(self) -> bool:
        """PostgreSQL: whether topic matches come out of the RUM index in date order (migration 0007)."""
        if self.store.is_sqlite:
            return False
        if self._rum is None:
            rows = await self.store.rows(_ORDERED_INDEX_QUERY, {"index_name": ORDERED_INDEX})
            self._rum = bool(rows and rows[0].n)
            if not self._rum:
                log.warning("PostgreSQL without the RUM index %s (the rum extension, Debian postgresql-15-rum, "
                            "was missing at migration 0007): quote search reads and sorts every match, slowly. "
                            "Install it and create the index as migration 0007 says.", ORDERED_INDEX)
        return self._rum

    async def page(self, f: QuoteFilter, limit: int, offset: int) -> QuotePage:
        """A page of quotes, newest article first."""
        topic = f.q is not None and bool(f.q.strip())
        bound = _bind(f, self.store.is_sqlite, rum=topic and await self._ordered_search())
        if bound is None:
            return QuotePage(items=[], total=0, limit=limit, offset=offset, min_confidence=f.min_confidence)
        shape, params = bound
        params["limit_"], params["offset_"] = limit, offset
        if shape.topic:
            return await self._search_page(f, shape, params, limit, offset)
        rows = self.store.rows
        estimated = False
        if shape.only_speakers or shape.only_outlet:
            # The total (speakers' counters, or the outlet's articles' counts) rides along: one statement.
            page = await rows(_page_query(shape, "total", offset <= INLINE_OFFSET), params)
            total = int(page[0].total_) if page else int((await rows(_total_query(shape), params))[0].total or 0)
        else:
            page = await rows(_page_query(shape, "version", offset <= INLINE_OFFSET), params)
            if (shape.by_speakers and f.speaker_ids and self.shown_count is not None
                    and f.min_confidence == self.speaker_confidence):
                # A speaker's default listing: its shown quotes, as the speaker index counts them.
                total = sum([await self.shown_count(sid) for sid in f.speaker_ids])
            else:
                total, estimated = await self._total(f, shape, params, page, limit, offset)
        t = self.speaker_confidence
        return QuotePage(items=[_quote_from_row(r, t) for r in page], total=total, limit=limit, offset=offset,
                         total_is_estimate=estimated, min_confidence=f.min_confidence)

    async def _search_page(self, f: QuoteFilter, shape: _Shape, params: dict[str, Any], limit: int,
                           offset: int) -> QuotePage:
        """A page of a search with its total: exact up to EXACT_TOTAL_UP_TO (or the page's end), estimated
        above it (`total_is_estimate`), all from one statement (`_search_query`)."""
        cap = max(EXACT_TOTAL_UP_TO, offset + limit) + 1
        params["cap_"] = cap
        query = _search_query(shape)
        page = await self.store.rows(query, params)
        head = page[0] if page else None
        if head is None and offset > 0:  # past the end: the matches are fewer than `cap`, counted
            found = await self.store.rows(query, {**params, "offset_": 0, "limit_": 1})
            head = found[0] if found else None
        total, estimated = int(head.total_) if head is not None else 0, False
        if head is not None and total >= cap:
            total, estimated = await self._estimate(f, head.version_, head.floor_, total), True
        t = self.speaker_confidence
        return QuotePage(items=[_quote_from_row(r, t) for r in page], total=total, limit=limit, offset=offset,
                         total_is_estimate=estimated, min_confidence=f.min_confidence)

    async def _estimate(self, f: QuoteFilter, version: int, floor_key: int, found: int) -> int:
        """A search's total from the `found` newest matches, the oldest of them keyed `floor_key`."""
        await self._days.load(self.store, version)
        # Undated quotes (UNDATED) are in no date range, and in a search without one.
        first = max(f.since, FIRST_DAY) if f.since is not None else FIRST_DAY if f.until is not None else UNDATED
        last = f.until.toordinal() if f.until is not None else date.max.toordinal()
        floor_day = key_day(int(floor_key), sqlite=self.store.is_sqlite).toordinal()
        return self._days.estimate(found, floor_day, first.toordinal(), last)

    async def _total(self, f: QuoteFilter, shape: _Shape, params: dict[str, Any], page: list[Row], limit: int,
                     offset: int) -> tuple[int, bool]:
        """(total, whether it is an estimate) of a listing other than a speaker's.

        Counting every match (a topic word in 60,000 quotes) costs more than the page, even
        in SQLite's full-text index. Totals are kept per filter for as long as the store's
        write counter (bumped by every ingest and speaker edit) stays put."""
        key = (tuple(f.speaker_ids) if f.speaker_ids is not None else None, f.q, f.since, f.until, f.kind,
               f.min_confidence, f.outlet)
        if len(page) < limit and (page or offset == 0):
            return offset + len(page), False  # the last page: nothing after it to count
        known = self._totals.get(key)
        if page and known is not None and known[0] == page[0].version_:
            return known[1], known[2]
        rows = self.store.rows
        estimated = False
        if self.store.is_sqlite:
            total = int((await rows(_total_query(shape), params))[0].total or 0)
        else:
            params = {**params, "cap_": EXACT_TOTAL_UP_TO + 1}
            total = int((await rows(_capped_total_query(shape), params))[0].total or 0)
            if total > EXACT_TOTAL_UP_TO:
                planned = _planned_rows((await rows(_estimate_query(shape), params))[0].plan)
                total, estimated = max(total, planned, offset + len(page)), True
        if page:
            self._remember_total(key, page[0].version_, total, estimated)
        return total, estimated

    def _remember_total(self, key: tuple[Any, ...], version: int, total: int, estimated: bool) -> None:
        if len(self._totals) >= TOTALS_KEPT:
            del self._totals[next(iter(self._totals))]  # the oldest
        self._totals[key] = (version, total, estimated)


def _article_with_quotes() -> Prepared:
    """An article (the row of `part` 0) and its quotes in text order (part 1), in one statement: the rows
    share `_QUOTE_COLUMNS` (the article's own id and text in `id` and `text`), then the article's other
    columns (empty in the quotes' rows). On PostgreSQL one round trip, not two."""
    none = null()
    aid = bindparam("article_id", type_=Integer)
    quote_names = [c.key for c in _QUOTE_COLUMNS]
    article_cols = {"id": Article.id, "text": Article.text, "article_id": Article.id, "title": Article.title,
                    "outlet": Article.outlet, "published": Article.published, "url": Article.url}
    head: Any = select(literal_column("0").label("part"),
                       *(article_cols.get(n, none).label(n) for n in quote_names),
                       Article.content_hash, Article.created_at, Article.authors, Article.language, Article.skipped,
                       literal_column("0").label("start_"), literal_column("0").label("quote_id_"),
                       ).where(Article.id == aid)
    quotes: Any = (select(literal_column("1"), *_QUOTE_COLUMNS, none, none, none, none, none, Quote.start_offset,
                          Quote.id)
                   .join(Article, Article.id == Quote.article_id)
                   .outerjoin(Speaker, Speaker.id == Quote.speaker_id)
                   .where(Quote.article_id == aid))
    both = union_all(head, quotes).subquery()
    return Prepared(select(both).order_by(both.c.part, both.c.start_, both.c.quote_id_), inline=True)


_ARTICLE_WITH_QUOTES = _article_with_quotes()
_ARTICLES_PAGE = Prepared(
    select(Article.id, Article.title, Article.outlet, Article.published, Article.url, Article.quote_count,
           _STORE_VERSION.label("version_"))
    .order_by(Article.seen_on.desc(), Article.id.desc())
    .limit(bindparam("limit_", type_=Integer)).offset(bindparam("offset_", type_=Integer))
)
_ARTICLE_COUNT = Prepared(select(func.count(Article.id).label("n")))


def _created_at(value: datetime | str) -> datetime:
    """A stored creation time as an aware datetime (SQLite keeps UTC as naive ISO text)."""
    found = datetime.fromisoformat(value) if isinstance(value, str) else value
    return found if found.tzinfo else found.replace(tzinfo=UTC)


class ArticleService:
    """Article listings and detail."""

    def __init__(self, store: Store, quotes: QuoteService) -> None:
        self.store = store
        self.quotes = quotes
        self._total: tuple[int, int] | None = None  # (store version, articles)

    async def page(self, limit: int, offset: int) -> ArticlePage:
        """A page of articles, newest first."""
        rows = await self.store.rows(_ARTICLES_PAGE, {"limit_": limit, "offset_": offset})
        version = rows[0].version_ if rows else None
        if version is not None and self._total is not None and self._total[0] == version:
            total = self._total[1]
        else:
            total = await self.count()
            if version is not None:
                self._total = (version, total)
        items = [
            ArticleSummary(id=r.id, title=r.title, outlet=r.outlet, published=as_date(r.published), url=r.url,
                           quote_count=r.quote_count)
            for r in rows
        ]
        return ArticlePage(items=items, total=total, limit=limit, offset=offset)

    async def detail(self, article_id: int) -> ArticleDetail:
        """An article's text with its quotes and their speakers (404 when unknown)."""
        # INTEGER ids: int32 on PostgreSQL
        rows = (await self.store.rows(_ARTICLE_WITH_QUOTES, {"article_id": article_id})
                if 0 < article_id < 2**31 else [])
        if not rows or rows[0].part != 0:
            raise NotFound(f"no article {article_id}")
        a = rows[0]
        t = self.quotes.speaker_confidence
        quotes = [_quote_from_row(r, t) for r in rows[1:]]
        authors = json.loads(a.authors) if isinstance(a.authors, str) else a.authors
        return ArticleDetail(
            id=a.id, title=a.title, outlet=a.outlet, published=as_date(a.published), url=a.url, text=a.text,
            content_hash=a.content_hash,
            created_at=_created_at(a.created_at),
            quotes=quotes,
            authors=list(authors or []),
            language=a.language,
            skipped=a.skipped,
        )

    async def count(self) -> int:
        return int((await self.store.rows(_ARTICLE_COUNT, {}))[0].n or 0)
