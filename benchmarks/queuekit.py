"""Shared by the job-queue benchmarks (kill_queue.py, queue_throughput.py) and their short test.

`WorkerPool`: this process loads the attribution pipeline once, then forks real
`quotelens worker` processes from it (run_worker with the preloaded engine), which
it can SIGKILL and replace. Everything that talks to the store or awaits runs in a
forked child or in `asyncio.run` before the first fork, so no event loop or
connection crosses a fork.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

__all__ = ["QueueRun", "WorkerPool", "article_hashes", "fork_and_wait", "load_extractor", "queue_keys"]


def load_extractor() -> Any:
    """The real engine, loaded and warmed on the seeds (its first long texts are slow)."""
    from attribution import Extractor

    extractor = Extractor()
    for seed in sorted((ROOT / "seeds").glob("*.txt"))[:3]:
        extractor.extract(seed.read_text("utf-8"))
    return extractor


def fork_and_wait(work: Callable[[], int], log: Path) -> int:
    """Run `work` in a forked child (output to `log`) and return its exit status."""
    _, status = os.waitpid(fork_child(work, log), 0)
    return os.waitstatus_to_exitcode(status)


def fork_child(work: Callable[[], int], log: Path) -> int:
    """Start `work` in a forked child whose output goes to `log`; its pid."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 70
        try:
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            code = work()
        except BaseException as exc:  # noqa: BLE001 - reported in the log, then the child exits
            print(f"child failed: {type(exc).__name__}: {exc}", flush=True)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    return pid


def article_hashes(corpus: Path, max_chars: int) -> list[str]:
    from api.ingest.readers import discover, read_items
    from api.services import prepare_article

    hashes = []
    for source in discover([str(corpus)]):
        for item in read_items(source):
            if item.article is not None:
                hashes.append(prepare_article(item.article, max_chars).content_hash)
    return sorted(set(hashes))


def queue_keys(name: str) -> dict[str, str]:
    return {"incomplete": f"saq:{name}:incomplete", "active": f"saq:{name}:active", "queued": f"saq:{name}:queued"}


@dataclass
class QueueRun:
    """One queue of articles and a store to fill from it."""

    settings: Any  # quotelens.settings.Settings with redis_url, queue_name and database_url set
    work: Path

    def redis(self) -> Any:
        import redis

        return redis.Redis.from_url(self.settings.redis_url)

    def migrate(self) -> None:
        from api.store.migrate import upgrade

        code = fork_and_wait(lambda: asyncio.run(upgrade(self.settings.effective_database_url)) or 0,
                             self.work / "migrate.log")
        if code != 0:
            raise RuntimeError(f"migration failed; see {self.work / 'migrate.log'}")

    def enqueue(self, corpus: Path) -> None:
        def go() -> int:
            from api.jobs.enqueue import enqueue_paths
            from api.jobs.queue import ArticleQueue
            from api.services import Services

            async def run() -> int:
                services = Services.build(self.settings)
                queue = ArticleQueue.from_settings(self.settings)
                try:
                    summary = await enqueue_paths(services, queue, [str(corpus)])
                    print(summary.report(), flush=True)
                    return 1 if summary.failures else 0
                finally:
                    await queue.close()
                    await services.close()

            return asyncio.run(run())

        code = fork_and_wait(go, self.work / "enqueue.log")
        if code != 0:
            raise RuntimeError(f"enqueue failed; see {self.work / 'enqueue.log'}")

    def incomplete(self) -> int:
        r = self.redis()
        try:
            return int(r.zcard(queue_keys(self.settings.queue_name)["incomplete"]))
        finally:
            r.close()

    def unfinished(self, hashes: list[str]) -> int:
        """Jobs of these articles not in a final state (a job being swept leaves `incomplete` for a while)."""
        return sum(1 for state in self.job_states(hashes).values()
                   if state.get("status") not in {"complete", "failed", "aborted"})

    def tries_by_worker(self) -> dict[str, list[int]]:
        """The jobs running now, by worker id: which try of its job each one is."""
        r = self.redis()
        try:
            ids = r.lrange(queue_keys(self.settings.queue_name)["active"], 0, -1)
            found: dict[str, list[int]] = {}
            for raw in r.mget(ids) if ids else []:
                if raw:
                    job = json.loads(raw)
                    if job.get("status") == "active":
                        found.setdefault(str(job.get("worker_id")), []).append(int(job.get("attempts") or 0))
            return found
        finally:
            r.close()

    def job_states(self, hashes: list[str]) -> dict[str, dict[str, Any]]:
        r = self.redis()
        try:
            raws = r.mget([f"saq:job:{self.settings.queue_name}:{h}" for h in hashes])
            return {h: json.loads(raw) if raw else {} for h, raw in zip(hashes, raws, strict=True)}
        finally:
            r.close()

    def drop(self) -> None:
        from redis_server import drop_queue

        drop_queue(self.settings.redis_url, self.settings.queue_name)


@dataclass
class WorkerPool:
    """Forked `quotelens worker` processes sharing this process's loaded engine."""

    extractor: Any
    run: QueueRun
    concurrency: int = 2
    children: dict[int, str] = field(default_factory=dict)  # pid → worker id
    started: int = 0

    def spawn(self) -> int:
        from api.jobs.worker import run_worker

        self.started += 1
        log = self.run.work / f"worker{self.started}.log"

        def work() -> int:
            import logging

            logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
            logging.getLogger("saq").setLevel(logging.WARNING)
            asyncio.run(run_worker(self.run.settings, concurrency=self.concurrency, extractor=self.extractor))
            return 0

        pid = fork_child(work, log)
        import socket

        self.children[pid] = f"{socket.gethostname()}:{pid}"
        return pid

    def kill(self, pid: int) -> None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        self.children.pop(pid, None)

    def stop_all(self, timeout: float = 30) -> None:
        for pid in list(self.children):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for pid in list(self.children):
            while time.monotonic() < deadline:
                done, _ = os.waitpid(pid, os.WNOHANG)
                if done:
                    break
                time.sleep(0.05)
            else:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            self.children.pop(pid, None)

    def wait_ready(self, timeout: float = 120) -> None:
        """Until every worker's log says it is ready (pipeline and speaker index loaded)."""
        deadline = time.monotonic() + timeout
        logs = [self.run.work / f"worker{i}.log" for i in range(self.started - len(self.children) + 1,
                                                               self.started + 1)]
        while time.monotonic() < deadline:
            if all(p.exists() and "worker ready" in p.read_text("utf-8", "replace") for p in logs):
                return
            time.sleep(0.05)
        raise RuntimeError(f"workers not ready after {timeout} s; see {logs}")


def settings_for(database_url: str, redis_url: str, queue_name: str, **overrides: Any) -> Any:
    from quotelens.settings import settings_from_env

    base = settings_from_env({"QUOTELENS_RATE_LIMIT": "off", "QUOTELENS_SEED_ON_START": "false"})
    return replace(base, database_url=database_url, redis_url=redis_url, queue_name=queue_name, **overrides)
