"""Queueing articles for the workers: `quotelens ingest --queue`, and `quotelens watch` with a queue.

Inputs are read as `quotelens ingest` reads them (text, JSON, saved web pages, and web
page URLs fetched here, a URL the store holds already not fetched again); each article
the store does not hold yet is queued, a text twice is one job.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from api.ingest.batches import ArticleCallback, ArticleResult, make_fetcher, source_items
from api.ingest.readers import SourceItem, discover
from api.ingest.web import is_url
from api.jobs.queue import ArticleQueue
from api.services import PreparedArticle, Services, prepare_article
from quotelens.errors import QuotelensError

__all__ = ["ArticleEnqueuer", "EnqueueSummary", "enqueue_paths"]


@dataclass
class EnqueueSummary:
    """What queueing a set of inputs did."""

    queued: int = 0
    already_stored: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    job_ids: list[str] = field(default_factory=list)

    def report(self) -> str:
        return (f"articles: {self.queued} queued, {self.already_stored} already stored, "
                f"{len(self.failures)} failed")


def _ignore(_result: ArticleResult) -> None:
    pass


class ArticleEnqueuer:
    """Queues batches of read articles (`api.ingest.readers.SourceItem`) the store does not hold yet."""

    def __init__(self, services: Services, queue: ArticleQueue, on_article: ArticleCallback | None = None) -> None:
        self.services = services
        self.queue = queue
        self.say = on_article or _ignore
        self.summary = EnqueueSummary()
        self._seen: set[str] = set()  # content hashes queued or found stored in this run
        self._seen_urls: set[str] = set()

    def _already(self, origin: str, content_hash: str | None = None) -> None:
        self.summary.already_stored += 1
        self.say(ArticleResult(origin, "already stored", content_hash))

    def _failed(self, origin: str, error: str) -> None:
        self.summary.failures.append((origin, error))
        self.say(ArticleResult(origin, "failed", error=error))

    async def add(self, items: Sequence[SourceItem], on_article: ArticleCallback | None = None) -> None:
        """Queue what `items` hold that is new; `on_article` (else the enqueuer's) hears of each."""
        say, self.say = self.say, on_article or self.say
        try:
            await self._add(items)
        finally:
            self.say = say

    async def _add(self, items: Sequence[SourceItem]) -> None:
        batch: list[tuple[str, PreparedArticle]] = []
        for item in items:
            if item.skipped is not None:  # a URL the store holds: not fetched again
                self._already(item.origin)
                continue
            if item.article is None:
                self._failed(item.origin, item.error or "unreadable")
                continue
            try:
                article = prepare_article(item.article, self.services.settings.max_article_chars)
            except QuotelensError as exc:
                self._failed(item.origin, exc.detail)
                continue
            if article.content_hash in self._seen:
                self._already(item.origin, article.content_hash)
                continue
            # A page from the web is one article per canonical URL, as `quotelens ingest` has it.
            if is_url(item.origin) and article.url and (
                article.url in self._seen_urls or await self.services.ingest.known_url(article.url)
            ):
                self._already(item.origin, article.content_hash)
                continue
            if article.url:
                self._seen_urls.add(article.url)
            self._seen.add(article.content_hash)
            batch.append((item.origin, article))
        if not batch:
            return
        stored = await self.services.ingest.stored_hashes([a.content_hash for _, a in batch])
        fresh = [(o, a) for o, a in batch if a.content_hash not in stored]
        for origin, article in batch:
            if article.content_hash in stored:
                self._already(origin, article.content_hash)
        ids = await self.queue.enqueue_many([a for _, a in fresh])
        for (origin, article), job_id in zip(fresh, ids, strict=True):
            self.summary.queued += 1
            self.summary.job_ids.append(job_id)
            self.say(ArticleResult(origin, "queued", article.content_hash))


async def enqueue_paths(
    services: Services,
    queue: ArticleQueue,
    paths: Sequence[str],
    *,
    batch_size: int = 64,
    on_article: ArticleCallback | None = None,
) -> EnqueueSummary:
    """Queue every article under `paths` (files, folders, web page URLs) that the store does not hold yet."""
    enqueuer = ArticleEnqueuer(services, queue, on_article)
    fetcher = make_fetcher(services)
    batch: list[SourceItem] = []
    try:
        async for item in source_items(services, discover(list(paths)), fetcher):
            batch.append(item)
            if len(batch) >= batch_size:
                await enqueuer.add(batch)
                batch = []
        if batch:
            await enqueuer.add(batch)
    finally:
        await fetcher.aclose()
    return enqueuer.summary
