"""The ingest job queue: SAQ on Redis. The API and `quotelens ingest --queue` enqueue; workers store.

A job's key is its article's content hash: the same text enqueued again while
its job waits or runs is that one job, and a job Redis has forgotten (finished
jobs are kept `job_keep_seconds`) still answers from the store when its article
is there. A job gets `job_tries` tries; a worker that dies mid-try (SIGKILL, a
lost machine) stops sending heartbeats, and after `job_heartbeat_seconds` any
other worker's sweep gives the job its next try. Storing an article is one
transaction keyed by the content hash, so a retried job stores it once.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from redis.exceptions import RedisError
from saq.job import Job, Status
from saq.queue.redis import RedisQueue
from saq.utils import now

from api.ingest.text import content_hash
from api.services import PreparedArticle
from quotelens.errors import Unavailable
from quotelens.settings import Settings

__all__ = ["STORE_ARTICLE", "ArticleQueue", "ArticleRedisQueue", "JobState", "article_from_job", "article_to_job"]

STORE_ARTICLE = "store_article"  # the worker function's name in SAQ

log = logging.getLogger(__name__)

_JOB_ID = re.compile(r"^[0-9a-f]{64}$")

# SAQ's statuses as the API names them.
_STATUS = {
    Status.NEW: "queued",
    Status.QUEUED: "queued",
    Status.ACTIVE: "active",
    Status.ABORTING: "active",
    Status.COMPLETE: "complete",
    Status.FAILED: "failed",
    Status.ABORTED: "failed",
}


class ArticleRedisQueue(RedisQueue):
    """SAQ's Redis queue with a sweep that survives the death of the worker sweeping.

    SAQ's own sweep marks a stuck job aborting and takes it off the lists, waits up
    to 5 s for it to stop, and only then queues it again: a sweeping worker killed
    in those seconds leaves the job aborting forever, in no list (the kill benchmark
    found three in twenty articles). Article jobs need no abort: a second try of a
    job whose first try still runs stores the article once all the same (the
    content hash, under the store's write lock). So a stuck job is queued again,
    or finished as failed once out of tries, in one Redis transaction.
    """

    _sweep_script: Any = None

    async def sweep(self, lock: int = 60, abort: float = 5.0) -> list[str]:
        if self._sweep_script is None:
            self._sweep_script = self.redis.register_script(
                """
                local id_jobs = {}
                if redis.call('EXISTS', KEYS[1]) == 0 then
                    redis.call('SETEX', KEYS[1], ARGV[1], 1)
                    for i, v in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
                        id_jobs[i] = {v, redis.call('GET', v)}
                    end
                end
                return id_jobs
                """
            )
        id_jobs = await self._sweep_script(keys=[self._sweep, self._active], args=[lock], client=self.redis)
        if not id_jobs:  # another worker swept within `lock` seconds, or nothing is active
            return []
        swept: list[str] = []
        # Jobs taken from the queue but not yet marked active, as sweeps saw them: job id ->
        # "try:when first seen" (ms). A taken job's `touched` is when it was queued, so it tells
        # nothing of how long it has waited to be marked: a job that waited in the queue longer
        # than a heartbeat, seen between a worker taking it and marking it (a worker starting on
        # a backlog sweeps as it takes its first job), was swept and tried twice.
        unmarked_key = self.namespace("unmarked")
        # (redis-py types its commands as sync-or-async: the ignores below, as for ping.)
        seen = {k: v.decode() for k, v in (await self.redis.hgetall(unmarked_key)).items()}  # type: ignore[misc]
        still_unmarked: set[bytes] = set()
        handled: set[bytes] = set()
        for job_id, job_bytes in id_jobs:
            if job_id in handled:  # listed twice (taken twice after a kill): one decision for both
                continue
            handled.add(job_id)
            job = self.deserialize(job_bytes)
            if job is None:  # its key expired: only the list entries are left
                async with self.redis.pipeline(transaction=True) as pipe:
                    pipe.lrem(self._active, 0, job_id)
                    pipe.zrem(self._incomplete, job_id)
                    await pipe.execute()
                swept.append(job_id.decode())
                continue
            if job.status in (Status.COMPLETE, Status.FAILED, Status.ABORTED):  # finished: a leftover entry
                await self.redis.lrem(self._active, 0, job_id)  # type: ignore[misc]
                continue
            if job.status in (Status.ACTIVE, Status.ABORTING):  # running: stuck once its heartbeat has lapsed
                if not job.stuck:
                    continue
            else:
                # Taken by a worker that died before marking it: swept once a heartbeat has passed
                # since a sweep first saw it so (in this try), never on a first sighting.
                still_unmarked.add(job_id)
                attempt, _, first = seen.get(job_id, "").partition(":")
                if attempt != str(job.attempts):
                    await self.redis.hset(unmarked_key, job_id, f"{job.attempts}:{now()}")  # type: ignore[misc]
                    continue
                if not job.heartbeat or now() - int(first) <= job.heartbeat * 1000:
                    continue
                still_unmarked.discard(job_id)  # swept: its next try starts afresh
            log.info("sweeping job %s (%s, try %d of %d)", job.key[:12], job.status, job.attempts, job.retries)
            swept.append(job_id.decode())
            error = f"swept: its worker stopped answering during try {job.attempts}"
            if job.retryable:
                await self.retry(job, error=error)
            else:
                await self.finish(job, Status.FAILED, error=error)
        # Marked, swept or finished since (this sweep saw the whole active list: it held the lock).
        gone = [k for k in seen if k not in still_unmarked]
        if gone:
            await self.redis.hdel(unmarked_key, *gone)  # type: ignore[misc]
        return swept


@dataclass(frozen=True, slots=True)
class JobState:
    """Where a job is: queued, active, complete (with its article's id) or failed (with why)."""

    id: str
    status: str
    attempts: int = 0
    error: str | None = None
    article_id: int | None = None
    created: bool | None = None


def article_to_job(article: PreparedArticle) -> dict[str, Any]:
    """A prepared article as a job's keyword arguments (JSON)."""
    return {
        "text": article.text,
        "title": article.title,
        "url": article.url,
        "outlet": article.outlet,
        "published": article.published.isoformat() if article.published else None,
        "authors": list(article.authors),
        "language": article.language,
        "source_url": article.source_url,
        "skipped": article.skipped,
    }


def article_from_job(kwargs: dict[str, Any]) -> PreparedArticle:
    """A job's keyword arguments back as the prepared article (its text is in final form already)."""
    text = str(kwargs["text"])
    published = kwargs.get("published")
    return PreparedArticle(
        text=text,
        content_hash=content_hash(text),
        title=kwargs.get("title"),
        url=kwargs.get("url"),
        outlet=kwargs.get("outlet"),
        published=date.fromisoformat(published) if published else None,
        authors=tuple(kwargs.get("authors") or ()),
        language=kwargs.get("language"),
        source_url=kwargs.get("source_url"),
        skipped=kwargs.get("skipped"),
    )


def _last_line(error: str | None) -> str | None:
    """A traceback's last line (the exception), which is what a client can use."""
    if not error:
        return None
    lines = [line for line in error.strip().splitlines() if line.strip()]
    return lines[-1].strip()[:1000] if lines else None


@asynccontextmanager
async def _unavailable_when_unreachable() -> AsyncIterator[None]:
    try:
        yield
    except (RedisError, OSError) as exc:
        raise Unavailable(f"the job queue is not reachable: {type(exc).__name__}: {exc}") from exc


class ArticleQueue:
    """Enqueues articles and reports on their jobs."""

    def __init__(self, queue: RedisQueue, settings: Settings) -> None:
        self.saq = queue
        self.settings = settings

    @classmethod
    def from_settings(cls, settings: Settings) -> ArticleQueue:
        if not settings.redis_url:
            raise ValueError("no job queue configured (QUOTELENS_REDIS_URL)")
        return cls(ArticleRedisQueue.from_url(settings.redis_url, name=settings.queue_name), settings)

    def new_job(self, article: PreparedArticle) -> Job:
        s = self.settings
        return Job(
            function=STORE_ARTICLE,
            kwargs=article_to_job(article),
            key=article.content_hash,
            retries=s.job_tries,
            timeout=max(1, round(s.job_timeout_seconds)),
            heartbeat=max(1, round(s.job_heartbeat_seconds)),
            ttl=s.job_keep_seconds,
        )

    async def enqueue(self, article: PreparedArticle) -> str:
        """Queue an article (once: a job for the same text that waits or runs is that job); its job id."""
        async with _unavailable_when_unreachable():
            await self.saq.enqueue(self.new_job(article))
        return article.content_hash

    async def enqueue_many(self, articles: list[PreparedArticle]) -> list[str]:
        """Queue many articles; their job ids in order."""
        async with _unavailable_when_unreachable():
            for article in articles:
                await self.saq.enqueue(self.new_job(article))
        return [a.content_hash for a in articles]

    async def state(self, job_id: str) -> JobState | None:
        """The job's state, or None when Redis does not know it (never queued, or forgotten)."""
        if not _JOB_ID.match(job_id):
            return None
        async with _unavailable_when_unreachable():
            job = await self.saq.job(job_id)
        if job is None:
            return None
        status = _STATUS.get(job.status, "queued")
        result = job.result if isinstance(job.result, dict) else {}
        article_id = result.get("article_id")
        return JobState(
            id=job_id,
            status=status,
            attempts=job.attempts,
            error=_last_line(job.error) if status != "complete" else None,
            article_id=int(article_id) if isinstance(article_id, int) else None,
            created=bool(result["created"]) if "created" in result else None,
        )

    async def counts(self) -> dict[str, int]:
        """How many jobs are queued and active now."""
        async with _unavailable_when_unreachable():
            return {"queued": await self.saq.count("queued"), "active": await self.saq.count("active")}

    async def ping(self) -> bool:
        try:
            return bool(await self.saq.redis.ping())  # type: ignore[misc]
        except (RedisError, OSError):
            return False

    async def close(self) -> None:
        try:
            await self.saq.disconnect()
        except (RedisError, OSError) as exc:  # a Redis that went away has nothing left to close
            log.info("job queue: disconnect: %s", exc)
