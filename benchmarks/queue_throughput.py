"""Articles per second through the job queue with 1, 2, … worker processes, on one store.

    uv run python benchmarks/queue_throughput.py                       # 1 and 2 workers, SQLite
    uv run python benchmarks/queue_throughput.py --workers 1 2 4 --backend postgresql

For each worker count: an empty store and queue, that many `quotelens worker`
processes (forked from this one, which loaded the pipeline once; --concurrency
jobs each) started and ready, then --articles articles queued at once; the time
from the first enqueue to the last job complete gives articles/s. Also printed:
speakers stored against a single uninterrupted ingest of the same articles
(several writers must match, not duplicate, a speaker another one created), and
how often the workers rebuilt their speaker index because another process wrote.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import faultkit  # noqa: E402
import kill_queue  # noqa: E402
import queuekit  # noqa: E402


def _worker_logs(work: Path) -> dict[str, float]:
    """Summed over the workers' shutdown lines: index rebuilds and catch-ups, articles, ms per article."""
    import re

    out = {"rebuilds": 0.0, "rebuild_s": 0.0, "catch_ups": 0.0, "articles": 0.0, "extract_ms": 0.0, "write_ms": 0.0}
    for log in work.glob("worker*.log"):
        text = log.read_text("utf-8", "replace")
        for m in re.finditer(r"speaker index: (\d+) full rebuilds in ([\d.]+) s, (\d+) catch-ups", text):
            out["rebuilds"] += int(m[1])
            out["rebuild_s"] += float(m[2])
            out["catch_ups"] += int(m[3])
        for m in re.finditer(r"worker stats: (\d+) articles stored, extraction ([\d.]+) ms and store write "
                             r"([\d.]+) ms", text):
            n = int(m[1])
            out["articles"] += n
            out["extract_ms"] += n * float(m[2])
            out["write_ms"] += n * float(m[3])
    if out["articles"]:
        out["extract_ms"] /= out["articles"]
        out["write_ms"] /= out["articles"]
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    p.add_argument("--articles", type=int, default=60)
    p.add_argument("--concurrency", type=int, default=2)
    p.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    args = p.parse_args()
    import redis_server

    server = redis_server.find_or_start_server()
    work = Path(tempfile.mkdtemp(prefix="quotelens-queue-speed-"))
    corpus = work / "corpus"
    faultkit.make_corpus(corpus, args.articles)
    hashes = queuekit.article_hashes(corpus, 200_000)
    extractor = queuekit.load_extractor()
    clean = kill_queue.clean_snapshot(extractor, corpus, work)
    print(f"queue_throughput: {len(hashes)} articles ({clean.quote_total} quotes, {len(clean.speakers)} speakers "
          f"in one uninterrupted ingest), {args.backend}, concurrency {args.concurrency}, Redis: {server.how}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}", flush=True)
    rates: dict[int, float] = {}
    for n in args.workers:
        cleanup = []
        if args.backend == "postgresql":
            import pg

            pgs = pg.find_or_start_server()
            db = pg.create_database(pgs, prefix="quotelens_qspeed")
            cleanup.append(lambda db=db, pgs=pgs: pg.drop_database(pgs, db))
            url = db.render_as_string(hide_password=False)
        else:
            url = f"sqlite+aiosqlite:///{work / f'store{n}.db'}"
        run_dir = work / f"w{n}"
        run_dir.mkdir()
        run = queuekit.QueueRun(queuekit.settings_for(url, server.url, redis_server.unique_queue_name("qspeed"),
                                                      job_heartbeat_seconds=10.0), run_dir)
        cleanup.append(run.drop)
        try:
            run.migrate()
            pool = queuekit.WorkerPool(extractor, run, concurrency=args.concurrency)
            for _ in range(n):
                pool.spawn()
            pool.wait_ready()
            started = time.monotonic()
            run.enqueue(corpus)
            while run.unfinished(hashes) > 0:
                time.sleep(0.05)
            seconds = time.monotonic() - started
            pool.stop_all()
            snap = faultkit.store_snapshot(url)
            problems = faultkit.integrity_problems(url)
            logs = _worker_logs(run_dir)
            rates[n] = len(hashes) / seconds
            print(f"{n} worker(s): {len(hashes)} articles in {seconds:.1f} s = {rates[n]:.2f} articles/s; "
                  f"stored {len(snap.articles)}, speakers {len(snap.speakers)} (one writer: {len(clean.speakers)}); "
                  f"per article: extraction {logs['extract_ms']:.0f} ms, store write {logs['write_ms']:.0f} ms "
                  f"(lock wait included); speaker index in writes: {logs['rebuilds']:.0f} full rebuilds "
                  f"({logs['rebuild_s']:.2f} s), {logs['catch_ups']:.0f} catch-ups; problems: {len(problems)}",
                  flush=True)
            for problem in problems[:10]:
                print(f"  PROBLEM {problem}")
        finally:
            for drop in cleanup:
                drop()
    if 1 in rates:
        for n, rate in rates.items():
            if n != 1:
                print(f"{n} workers / 1 worker: {rate / rates[1]:.2f}x")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
