"""The ingest job queue (SAQ on Redis): 202 and a job to follow, workers that store, tries that run out.

Redis: the running server on 127.0.0.1:6379, else a throwaway `redis-server`
(tests/redis_server.py, which the report names); each test has a queue of its own.
Workers run here in burst mode (they stop when the queue is empty) with the
scripted extractor; the kill test with real worker processes is
tests/faults/test_faults_queue_kill.py.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from api_records import ScriptedExtractor, person, quote_in

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import redis_server  # noqa: E402

from api.jobs.queue import ArticleQueue  # noqa: E402
from api.jobs.worker import build_worker  # noqa: E402
from api.services import Services  # noqa: E402
from quotelens.settings import Settings  # noqa: E402

TEXT = "“We will stay,” Gen. Kenneth McKenzie said on Tuesday in Baghdad."


@pytest.fixture(scope="session")
def redis_url(pytestconfig: pytest.Config) -> str:
    try:
        server = redis_server.find_or_start_server()
    except RuntimeError as exc:
        import os

        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"job queue tests cannot run under CI: {exc}", pytrace=False)
        pytest.skip(f"job queue tests skipped: {exc}")
    reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"\nRedis for the job queue tests: {server.how}")
    return server.url


@pytest.fixture
def queued(settings: Settings, redis_url: str) -> Iterator[Settings]:
    """Settings with a job queue of this test's own (its keys deleted afterwards)."""
    name = redis_server.unique_queue_name()
    try:
        yield replace(settings, redis_url=redis_url, queue_name=name, job_heartbeat_seconds=2.0)
    finally:
        redis_server.drop_queue(redis_url, name)


async def _drain(settings: Settings, database_url: str, extractor: object, concurrency: int = 2) -> None:
    """Run a worker until the queue is empty."""
    worker = build_worker(replace(settings, database_url=database_url), concurrency=concurrency,
                          extractor=extractor, burst=True)  # type: ignore[arg-type]
    try:
        await asyncio.wait_for(worker.start(), timeout=60)
    finally:
        await worker.queue.disconnect()


async def test_post_queues_the_article_and_the_job_gives_it_once_a_worker_stored_it(
    make_client, queued: Settings, database_url: str, extractor: ScriptedExtractor  # noqa: ANN001
) -> None:
    extractor.add(TEXT, [quote_in(TEXT, "We will stay,", person("Kenneth McKenzie", titles=("Gen.",)))])
    async with make_client(redis_url=queued.redis_url, queue_name=queued.queue_name) as client:
        r = await client.post("/api/articles", json={"text": TEXT, "title": "Troops"})
        assert r.status_code == 202, r.text
        location = r.headers["location"]
        assert location.startswith("/api/jobs/") and r.json()["status"] == "queued"
        assert extractor.calls == 0  # the API process did not extract: the worker will
        again = await client.post("/api/articles", json={"text": TEXT})
        assert again.status_code == 202 and again.headers["location"] == location  # one job per text
        assert (await client.get(location)).json()["status"] == "queued"

        await _drain(queued, database_url, extractor)

        job = (await client.get(location)).json()
        assert job["status"] == "complete" and job["attempts"] == 1
        assert job["article"]["title"] == "Troops"
        assert [q["speaker"]["name"] for q in job["article"]["quotes"]] == ["Kenneth McKenzie"]
        stored = await client.post("/api/articles", json={"text": TEXT})
        assert stored.status_code == 200 and stored.json()["id"] == job["article"]["id"]
        assert (await client.get("/api/articles")).json()["total"] == 1
        assert (await client.get("/api/jobs/" + "0" * 64)).status_code == 404
        assert (await client.get("/api/jobs/nope")).status_code == 404


class Broken:
    """An engine that fails on every text."""

    calls = 0

    def extract(self, text: str) -> list[object]:
        Broken.calls += 1
        raise RuntimeError("the engine broke")


async def test_a_job_that_keeps_failing_stops_after_its_tries_and_is_reported(
    make_client, queued: Settings, database_url: str  # noqa: ANN001
) -> None:
    Broken.calls = 0
    async with make_client(redis_url=queued.redis_url, queue_name=queued.queue_name) as client:
        r = await client.post("/api/articles", json={"text": TEXT})
        assert r.status_code == 202
        await _drain(replace(queued, job_tries=3), database_url, Broken())
        job = (await client.get(r.headers["location"])).json()
    assert job["status"] == "failed" and job["attempts"] == 3
    assert "the engine broke" in job["error"]
    assert Broken.calls == 3  # three tries, then never again


async def test_without_a_queue_post_stores_at_once(client) -> None:  # noqa: ANN001
    r = await client.post("/api/articles", json={"text": TEXT})
    assert r.status_code == 201 and "location" not in r.headers


async def test_a_queue_that_does_not_answer_gives_503(make_client) -> None:  # noqa: ANN001
    async with make_client(redis_url="redis://127.0.0.1:1/0") as client:
        r = await client.post("/api/articles", json={"text": TEXT})
    assert r.status_code == 503 and "queue" in r.json()["detail"]


async def test_four_workers_seeing_the_same_names_make_each_speaker_once(
    queued: Settings, database_url: str
) -> None:
    """Many writers, one truth: each worker has its own speaker index, like separate machines."""
    names = ["Kenneth McKenzie", "Mustafa al-Kadhimi", "Nancy Pelosi", "Mitch McConnell", "Ursula von der Leyen"]
    extractor = ScriptedExtractor()
    texts = []
    for i in range(24):
        a, b = names[i % len(names)], names[(i * 3 + 1) % len(names)]
        text = f"Report {i}. “First point {i},” {a} said. “Second point {i},” {b} said."
        extractor.add(text, [quote_in(text, f"First point {i},", person(a)),
                             quote_in(text, f"Second point {i},", person(b))])
        texts.append(text)
    settings = replace(queued, database_url=database_url)
    queue = ArticleQueue.from_settings(settings)
    producer = Services.build(settings, extractor=extractor)
    try:
        from api.services import ArticleInput, prepare_article

        await queue.enqueue_many([prepare_article(ArticleInput(text=t), 10_000) for t in texts])
        await asyncio.gather(*(_drain(settings, database_url, extractor, concurrency=2) for _ in range(4)))
        async with producer.store.read() as session:
            from sqlalchemy import func, select

            from api.store.models import Article, Speaker

            speakers = (await session.execute(select(Speaker.name, Speaker.quote_count))).all()
            articles = await session.scalar(select(func.count()).select_from(Article))
    finally:
        await producer.close()
        await queue.close()
    assert articles == 24
    assert sorted(n for n, _ in speakers) == sorted(names)  # none twice
    assert sum(c for _, c in speakers) == 48


async def test_a_writer_behind_others_catches_up_from_the_change_log_not_a_rebuild(
    settings: Settings, database_url: str
) -> None:
    """Two processes on one store: each write of one reaches the other's index by the speakers it touched."""
    from api.services import ArticleInput, prepare_article

    extractor = ScriptedExtractor()

    def article(i: int, name: str) -> tuple[object, list[object]]:
        text = f"Story {i}. “Point number {i},” {name} said."
        extractor.add(text, [quote_in(text, f"Point number {i},", person(name))])
        return prepare_article(ArticleInput(text=text), 10_000), extractor.scripts[text]

    a = Services.build(settings, extractor=extractor, database_url=database_url)
    b = Services.build(settings, extractor=extractor, database_url=database_url)
    try:
        await b.ingest.ingest(*article(0, "Nancy Pelosi"))  # type: ignore[arg-type]
        await a.ingest.ingest(*article(1, "Kenneth McKenzie"))  # type: ignore[arg-type]
        await a.ingest.ingest(*article(2, "Mitch McConnell"))  # type: ignore[arg-type]
        outcome = await b.ingest.ingest(*article(3, "Kenneth McKenzie"))  # type: ignore[arg-type]
        assert (outcome.speakers_new, outcome.speakers_matched) == (0, 1)  # a's speaker, matched by b
        assert b.directory.write_rebuilds == 1 and b.directory.write_catch_ups == 1  # one full load, at first
        assert {e.name for e in b.directory.index.entries()} == {"Nancy Pelosi", "Kenneth McKenzie", "Mitch McConnell"}
        # A merge by one process removes the merged speaker from the other's index too.
        pelosi = next(e for e in a.directory.index.entries() if e.name == "Nancy Pelosi")
        mcconnell = next(e for e in a.directory.index.entries() if e.name == "Mitch McConnell")
        await a.speakers.merge(pelosi.slug, mcconnell.slug)
        await b.ingest.ingest(*article(4, "Kenneth McKenzie"))  # type: ignore[arg-type]
        assert b.directory.write_rebuilds == 1 and b.directory.write_catch_ups == 2
        assert b.directory.index.get(mcconnell.id) is None and b.directory.index.get(pelosi.id) is not None
    finally:
        await a.close()
        await b.close()


async def test_a_taken_job_not_yet_marked_is_swept_only_once_it_stays_so(queued: Settings) -> None:
    """A job that waited in the queue past a heartbeat, seen by a sweep between a worker taking it and
    marking it active, is left alone (it was tried twice: a worker starting on a backlog sweeps as it
    takes its first job); one left so for a heartbeat after a sweep saw it (its worker died) is swept."""
    from saq.job import Job, Status
    from saq.utils import now

    from api.jobs.queue import STORE_ARTICLE

    saq = ArticleQueue.from_settings(queued).saq

    async def sweep() -> list[str]:
        await saq.redis.delete(saq.namespace("sweep"))  # the lock that spaces sweeps out
        return await saq.sweep(lock=1)

    try:
        for key in ("a" * 64, "b" * 64):
            await saq.enqueue(Job(function=STORE_ARTICLE, kwargs={}, key=key, retries=3, heartbeat=1, timeout=60))
        await asyncio.sleep(1.2)  # both queued for longer than their heartbeat
        marked = await saq.dequeue(timeout=1)
        stalled = await saq.dequeue(timeout=1)
        assert marked is not None and stalled is not None
        assert await sweep() == []  # taken a moment ago: neither swept
        marked.started = now()
        await marked.update(status=Status.ACTIVE)  # its worker goes on (as SAQ's worker marks a job)
        assert await sweep() == []
        await asyncio.sleep(1.2)
        await marked.update()  # a heartbeat
        assert await sweep() == [stalled.id]
        again = await saq.job(stalled.key)
        assert again is not None and again.status == Status.QUEUED and again.attempts == 0
        assert (await saq.job(marked.key)).status == Status.ACTIVE  # type: ignore[union-attr]
    finally:
        await saq.disconnect()
