"""Ingesting many articles: batches, optional worker processes, a progress bar, a summary.

Used by `quotelens ingest` and by `quotelens serve` to load the seeds. Each
article is committed on its own (with its quotes), so an interrupted run keeps
everything it reported and a re-run skips it. `on_article` hears about each
article only after its transaction committed: what it is told is in the store.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TextIO

from api.ingest.fetch import Fetcher
from api.ingest.readers import SourceItem, count_items, discover, item_from_web, read_items
from api.ingest.runner import EngineRunner
from api.ingest.service import IngestService, PreparedArticle, prepare_article
from api.ingest.web import is_url, read_url
from attribution.records import Quote
from quotelens.errors import QuotelensError
from quotelens.settings import Settings

__all__ = ["ArticleResult", "IngestParts", "IngestSummary", "ingest_batch", "ingest_paths", "make_fetcher",
           "source_items"]


class IngestParts(Protocol):
    """What a bulk ingest uses (`api.services.Services` has it all)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def ingest(self) -> IngestService: ...

    @property
    def engine(self) -> EngineRunner: ...


@dataclass(frozen=True, slots=True)
class ArticleResult:
    """What became of one input article; for "new" and "reprocessed", reported after the commit."""

    origin: str
    status: str  # "new", "already stored", "updated" (details only), "reprocessed", "failed"; "new" may carry `skipped`
    content_hash: str | None = None
    article_id: int | None = None
    quotes: int = 0
    error: str | None = None
    skipped: str | None = None  # stored without quotes, and why (another language)

    def to_dict(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in self.__slots__ if getattr(self, k) is not None}


ArticleCallback = Callable[[ArticleResult], None]


@dataclass
class IngestSummary:
    """What a bulk ingest did."""

    articles_new: int = 0
    articles_skipped: int = 0
    articles_reprocessed: int = 0
    articles_updated: int = 0  # stored before; their details (title, date, ...) corrected now
    quotes: int = 0
    speakers_new: int = 0
    speakers_matched: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # stored without quotes: (origin, why)

    @property
    def articles_failed(self) -> int:
        return len(self.failures)

    def report(self) -> str:
        parts = [
            f"articles: {self.articles_new} new, {self.articles_skipped} already stored, "
            f"{self.articles_failed} failed"
            + (f", {self.articles_reprocessed} reprocessed" if self.articles_reprocessed else "")
            + (f", {self.articles_updated} with their details updated" if self.articles_updated else "")
            + (f" ({len(self.skipped)} of the new ones stored without quotes: not English)"
               if self.skipped else ""),
            f"quotes: {self.quotes} stored",
            f"speakers: {self.speakers_new} new, {self.speakers_matched} matched to known speakers",
        ]
        return "\n".join(parts)


# --- worker processes ----------------------------------------------------------

_worker_extractor = None


def _init_worker(model: str) -> None:
    global _worker_extractor
    from attribution import Extractor

    _worker_extractor = Extractor(model=model or None)


def _extract_in_worker(text: str) -> list[Quote]:
    assert _worker_extractor is not None
    return _worker_extractor.extract(text)


class _Extraction:
    """Runs extraction in this process (one worker) or in a pool of processes."""

    def __init__(self, services: IngestParts, workers: int) -> None:
        self.services = services
        self.pool: ProcessPoolExecutor | None = None
        if workers > 1:
            # spawn, not fork: this process has threads (database drivers) by now.
            self.pool = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
                initargs=(services.settings.spacy_model,),
            )

    async def run(self, texts: Sequence[str]) -> list[list[Quote] | BaseException]:
        if self.pool is None:
            out: list[list[Quote] | BaseException] = []
            for text in texts:
                try:
                    out.append(await self.services.engine.extract(text))
                except QuotelensError as exc:
                    out.append(exc)
            return out
        loop = asyncio.get_running_loop()
        futures = [loop.run_in_executor(self.pool, _extract_in_worker, t) for t in texts]
        return list(await asyncio.gather(*futures, return_exceptions=True))

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


async def _batches(items: AsyncIterator[SourceItem], size: int) -> AsyncIterator[list[SourceItem]]:
    batch: list[SourceItem] = []
    async for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def make_fetcher(services: IngestParts) -> Fetcher:
    """The fetcher for pages and feeds, as the settings configure it."""
    s = services.settings
    return Fetcher(allow_private=s.fetch_allow_private, max_bytes=s.fetch_max_bytes, timeout=s.fetch_timeout)


async def source_items(
    services: IngestParts, sources: Sequence[Path | str], fetcher: Fetcher
) -> AsyncIterator[SourceItem]:
    """The articles of each source in turn: files (text, JSON, saved pages) and web page URLs (fetched
    now, unless the store holds the URL already: then a skipped item)."""
    for source in sources:
        if isinstance(source, str) and is_url(source):
            async for found in read_url(fetcher, source, services.ingest.known_url):
                yield item_from_web(found)
        else:
            for item in read_items(source):
                yield item


async def ingest_paths(
    services: IngestParts,
    paths: Sequence[str],
    *,
    workers: int = 1,
    batch_size: int = 16,
    progress: bool = True,
    reprocess: bool = False,
    stream: TextIO | None = None,
    on_article: ArticleCallback | None = None,
) -> IngestSummary:
    """Ingest every article under `paths`; re-running it stores nothing twice.

    With `reprocess`, articles stored already are extracted again and their
    quotes replaced (speaker edits are kept). `on_article` is called once per
    input article, for a stored one after its transaction committed.
    """
    from tqdm import tqdm

    sources = discover(list(paths))
    counts = [count_items(s) for s in sources]
    total = None if any(c is None for c in counts) else sum(c or 0 for c in counts)
    summary = IngestSummary()
    extraction = _Extraction(services, workers)
    bar = tqdm(total=total, unit="article", desc="ingest", disable=not progress, file=stream or sys.stderr,
               dynamic_ncols=True)
    fetcher = make_fetcher(services)
    try:
        async for batch in _batches(source_items(services, sources, fetcher), max(1, batch_size)):
            await ingest_batch(services, batch, extraction, summary, reprocess, on_article or _ignore)
            bar.update(len(batch))
            bar.set_postfix(new=summary.articles_new, quotes=summary.quotes, refresh=False)
    finally:
        bar.close()
        extraction.close()
        await fetcher.aclose()
    return summary


def _ignore(_result: ArticleResult) -> None:
    pass


async def ingest_batch(
    services: IngestParts,
    batch: list[SourceItem],
    extraction: _Extraction,
    summary: IngestSummary,
    reprocess: bool,
    on_article: ArticleCallback,
) -> None:
    def fail(origin: str, error: str) -> None:
        summary.failures.append((origin, error))
        on_article(ArticleResult(origin, "failed", error=error))

    prepared: list[tuple[str, PreparedArticle]] = []
    seen: set[str] = set()
    seen_urls: set[str] = set()
    for item in batch:
        if item.skipped is not None:
            summary.articles_skipped += 1
            on_article(ArticleResult(item.origin, "already stored"))
            continue
        if item.article is None:
            fail(item.origin, item.error or "unreadable")
            continue
        try:
            article = prepare_article(item.article, services.settings.max_article_chars)
        except QuotelensError as exc:
            fail(item.origin, exc.detail)
            continue
        if article.content_hash in seen:  # the same text twice in one batch
            summary.articles_skipped += 1
            on_article(ArticleResult(item.origin, "already stored", article.content_hash))
            continue
        # A page from the web is one article per canonical URL, even when its text changed a little
        # (another link to it, a tracking parameter, a rotating teaser).
        if is_url(item.origin) and article.url and not reprocess and (
            article.url in seen_urls or await services.ingest.known_url(article.url)
        ):
            summary.articles_skipped += 1
            on_article(ArticleResult(item.origin, "already stored", article.content_hash))
            continue
        if article.url:
            seen_urls.add(article.url)
        seen.add(article.content_hash)
        prepared.append((item.origin, article))
    stored = await services.ingest.stored_hashes([a.content_hash for _, a in prepared])
    if not reprocess:
        for origin, a in prepared:
            if a.content_hash in stored:
                # The same text again: what it says now about title, date, outlet corrects the store.
                found = await services.ingest.refresh_details(a)
                if found.updated:
                    summary.articles_updated += 1
                else:
                    summary.articles_skipped += 1
                on_article(ArticleResult(origin, "updated" if found.updated else "already stored", a.content_hash,
                                         found.article_id))
        prepared = [(o, a) for o, a in prepared if a.content_hash not in stored]
    # An article in a language the engine does not read is stored without quotes, marked skipped.
    results = await extraction.run([a.text for _, a in prepared if a.skipped is None])
    results_iter = iter(results)
    results = [[] if a.skipped is not None else next(results_iter) for _, a in prepared]
    for (origin, article), quotes in zip(prepared, results, strict=True):
        if isinstance(quotes, BaseException):
            fail(origin, f"extraction failed: {quotes}")
            continue
        if article.content_hash in stored:
            article_id = await services.ingest.find_article(article.content_hash)
            assert article_id is not None
            await services.ingest.refresh_details(article)
            outcome = await services.ingest.reprocess(article_id, quotes)
            summary.articles_reprocessed += 1
            status = "reprocessed"
        else:
            outcome = await services.ingest.ingest(article, quotes)
            if outcome.created:
                summary.articles_new += 1
                status = "new"
            elif outcome.updated:
                summary.articles_updated += 1
                status = "updated"
            else:
                summary.articles_skipped += 1
                status = "already stored"
        if article.skipped is not None and status == "new":
            summary.skipped.append((origin, article.skipped))
        on_article(ArticleResult(origin, status, article.content_hash, outcome.article_id, outcome.quotes,
                                 skipped=article.skipped))
        summary.quotes += outcome.quotes
        summary.speakers_new += outcome.speakers_new
        summary.speakers_matched += outcome.speakers_matched
