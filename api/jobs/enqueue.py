"""`quotelens ingest --queue`: read articles as `quotelens ingest` does and queue them for the workers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from api.ingest.batches import ArticleCallback, ArticleResult
from api.ingest.readers import discover, read_items
from api.jobs.queue import ArticleQueue
from api.services import PreparedArticle, Services, prepare_article
from quotelens.errors import QuotelensError

__all__ = ["EnqueueSummary", "enqueue_paths"]


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


async def enqueue_paths(
    services: Services,
    queue: ArticleQueue,
    paths: Sequence[str],
    *,
    batch_size: int = 64,
    on_article: ArticleCallback | None = None,
) -> EnqueueSummary:
    """Queue every article under `paths` that the store does not hold yet (a text twice is one job)."""
    summary = EnqueueSummary()
    say = on_article or (lambda _result: None)
    batch: list[tuple[str, PreparedArticle]] = []
    seen: set[str] = set()

    async def flush() -> None:
        stored = await services.ingest.stored_hashes([a.content_hash for _, a in batch])
        fresh = [(o, a) for o, a in batch if a.content_hash not in stored]
        for origin, article in batch:
            if article.content_hash in stored:
                summary.already_stored += 1
                say(ArticleResult(origin, "already stored", article.content_hash))
        ids = await queue.enqueue_many([a for _, a in fresh])
        for (origin, article), job_id in zip(fresh, ids, strict=True):
            summary.queued += 1
            summary.job_ids.append(job_id)
            say(ArticleResult(origin, "queued", article.content_hash))
        batch.clear()

    for source in discover(list(paths)):
        for item in read_items(source):
            if item.article is None:
                summary.failures.append((item.origin, item.error or "unreadable"))
                say(ArticleResult(item.origin, "failed", error=item.error or "unreadable"))
                continue
            try:
                article = prepare_article(item.article, services.settings.max_article_chars)
            except QuotelensError as exc:
                summary.failures.append((item.origin, exc.detail))
                say(ArticleResult(item.origin, "failed", error=exc.detail))
                continue
            if article.content_hash in seen:
                summary.already_stored += 1
                say(ArticleResult(item.origin, "already stored", article.content_hash))
                continue
            seen.add(article.content_hash)
            batch.append((item.origin, article))
            if len(batch) >= batch_size:
                await flush()
    if batch:
        await flush()
    return summary
