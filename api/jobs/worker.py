"""`quotelens worker`: a process that takes article jobs off the queue and stores them.

Any number of workers, on any machine that reaches the store and Redis. Each
loads the attribution pipeline once, at start, and runs `concurrency` jobs at a
time (extraction itself runs one text at a time per process: a second job
overlaps its store write with the first's extraction).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from saq.job import Job
from saq.worker import Worker

from api.ingest.runner import QuoteExtractor
from api.jobs.queue import STORE_ARTICLE, ArticleQueue, article_from_job
from api.services import IngestOutcome, Services
from quotelens.errors import InvalidInput
from quotelens.settings import Settings

__all__ = ["WorkerStats", "build_worker", "run_worker", "store_article"]

log = logging.getLogger(__name__)


@dataclass
class WorkerStats:
    """What this worker spent its time on: logged at shutdown (benchmarks/queue_throughput.py reads it)."""

    articles: int = 0
    extract_seconds: float = 0.0
    write_seconds: float = 0.0  # storing, the wait for the store's write lock included

    def line(self) -> str:
        n = max(1, self.articles)
        return (f"worker stats: {self.articles} articles stored, extraction {1000 * self.extract_seconds / n:.1f} ms "
                f"and store write {1000 * self.write_seconds / n:.1f} ms per article")


@contextlib.asynccontextmanager
async def _heartbeat(job: Job, every: float) -> AsyncIterator[None]:
    """Touch the job every `every` seconds while the body runs, so sweeps know this worker lives."""

    async def beat() -> None:
        while True:
            await asyncio.sleep(every)
            try:
                await job.update()
            except Exception as exc:  # a missed beat is retried at the next one
                log.warning("job %s: heartbeat failed: %s", job.key[:12], exc)

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def store_article(ctx: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """The job: extract an article's quotes and store it (once, however often the job is tried)."""
    services: Services = ctx["services"]
    stats: WorkerStats = ctx.setdefault("stats", WorkerStats())
    job: Job = ctx["job"]
    article = article_from_job(kwargs)
    async with _heartbeat(job, max(0.2, job.heartbeat / 3)):
        existing = await services.ingest.find_article(article.content_hash)
        if existing is not None:  # an earlier try committed it (and then its worker died)
            outcome = IngestOutcome(existing, created=False)
        elif article.skipped is not None:  # a language the engine does not read: stored without quotes
            outcome = await services.ingest.ingest(article, [])
        else:
            started = time.perf_counter()
            try:
                quotes = await services.engine.extract(article.text)
            except InvalidInput:
                job.retries = job.attempts  # the engine cannot read this text: another try would not either
                raise
            extracted = time.perf_counter()
            outcome = await services.ingest.ingest(article, quotes)
            stats.articles += outcome.created
            stats.extract_seconds += extracted - started
            stats.write_seconds += time.perf_counter() - extracted
    return {"article_id": outcome.article_id, "created": outcome.created, "quotes": outcome.quotes}


def build_worker(
    settings: Settings,
    *,
    concurrency: int = 2,
    extractor: QuoteExtractor | None = None,
    queue: ArticleQueue | None = None,
    burst: bool = False,
    worker_id: str | None = None,
) -> Worker[Any]:
    """A SAQ worker for the article queue whose startup loads the store's services and the pipeline.

    `burst` stops it once the queue is empty (tests, one-off drains).
    """
    queue = queue or ArticleQueue.from_settings(settings)
    services_box: list[Services] = []

    async def startup(ctx: dict[str, Any]) -> None:
        services = Services.build(settings, extractor=extractor)
        await services.engine.load()  # the pipeline, loaded once for every job of this process
        await services.directory.ensure_fresh()
        services_box.append(services)
        ctx["services"] = services
        ctx["stats"] = WorkerStats()
        log.info("worker ready: queue %r on %s, store %s, concurrency %d",
                 settings.queue_name, settings.redis_url, services.store.display_url, concurrency)

    async def shutdown(ctx: dict[str, Any]) -> None:
        if "stats" in ctx:
            log.info(ctx["stats"].line())
        for services in services_box:
            d = services.directory
            log.info("speaker index: %d full rebuilds in %.2f s, %d catch-ups from the change log "
                     "(writes by other processes)", d.write_rebuilds, d.write_rebuild_seconds, d.write_catch_ups)
            await services.close()

    heartbeat = max(1.0, settings.job_heartbeat_seconds)
    return Worker(
        queue.saq,
        id=worker_id or f"{socket.gethostname()}:{os.getpid()}",
        functions=[(STORE_ARTICLE, store_article)],
        concurrency=concurrency,
        startup=startup,
        shutdown=shutdown,
        # A dead worker's job is noticed by the next sweep after its heartbeat lapsed.
        timers={"sweep": max(1, round(heartbeat / 2)), "abort": 1, "schedule": 1, "worker_info": 10},
        dequeue_timeout=1.0,
        burst=burst,
        shutdown_grace_period_s=max(1, round(settings.job_timeout_seconds)),
    )


async def run_worker(settings: Settings, *, concurrency: int = 2, extractor: QuoteExtractor | None = None,
                     burst: bool = False) -> None:
    """Run a worker until SIGINT/SIGTERM (or, with `burst`, until the queue is empty)."""
    queue = ArticleQueue.from_settings(settings)
    worker = build_worker(settings, concurrency=concurrency, extractor=extractor, queue=queue, burst=burst)
    try:
        await worker.start()
    finally:
        await queue.close()
