"""SIGKILL `quotelens worker` processes mid-job, many times: every article stored once, none half-written.

    uv run python benchmarks/kill_queue.py --kills 20                    # SQLite, 2 workers
    uv run python benchmarks/kill_queue.py --kills 20 --backend postgresql

Queues a folder of articles (the seeds and PolNeAR dev texts, --articles of them) on Redis,
runs --workers worker processes (forked from this one, which loaded the pipeline once) and
SIGKILLs a random one every 0.3-2 s (one with a job running, when one has or gets one within
1 s), starting a new one in its place, until --kills kills. A worker whose job is on its
last try (of JOB_TRIES) is not killed: a job killed on every try fails by design ("stops
after N tries"), and near a queue's end, with one long article left running, every kill
landed on it. Whenever the queue is drained the store is checked and a new cycle starts on
an empty store. Checks: every job complete (none failed: a killed try is retried by another
worker after the heartbeat lapses), every article stored exactly once with the quotes of a
clean uninterrupted run, and the store's integrity checks (benchmarks/faultkit.py). Exit
status 1 when anything was wrong.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import faultkit  # noqa: E402
import queuekit  # noqa: E402

JOB_TRIES = 5  # a job's tries (QUOTELENS_JOB_TRIES of the workers)


@dataclass
class QueueKillReport:
    kills: int = 0
    kills_mid_job: int = 0  # the killed worker had a job running
    spared_last_tries: int = 0  # kills put off: every worker ran a job on its last try
    cycles: int = 0
    articles: int = 0  # stored, summed over cycles
    retried_jobs: int = 0  # jobs that needed more than one try
    lost: int = 0
    duplicated: int = 0
    half_written: int = 0
    failed_jobs: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"kills: {self.kills} ({self.kills_mid_job} mid-job, {self.spared_last_tries} put off: last tries), "
                f"{self.cycles} queues drained, "
                f"{self.articles} articles stored, {self.retried_jobs} jobs retried after a kill; "
                f"lost: {self.lost}, duplicated: {self.duplicated}, half-written: {self.half_written}, "
                f"failed jobs: {self.failed_jobs}; problems: {len(self.problems)}")


def clean_snapshot(extractor: object, corpus: Path, work: Path) -> faultkit.Snapshot:
    """The store one uninterrupted `quotelens ingest` makes of the corpus."""
    url = f"sqlite+aiosqlite:///{work / 'clean.db'}"

    def go() -> int:
        from api.ingest.batches import ingest_paths
        from api.services import Services
        from api.store.migrate import upgrade

        settings = queuekit.settings_for(url, "", "unused")

        async def run() -> int:
            await upgrade(url)
            services = Services.build(settings, extractor=extractor)  # type: ignore[arg-type]
            try:
                summary = await ingest_paths(services, [str(corpus)], progress=False)
            finally:
                await services.close()
            return 1 if summary.failures else 0

        return asyncio.run(run())

    if queuekit.fork_and_wait(go, work / "clean.log") != 0:
        raise RuntimeError(f"the clean run failed; see {work / 'clean.log'}")
    return faultkit.store_snapshot(url)


def check_cycle(run: queuekit.QueueRun, hashes: list[str], clean: faultkit.Snapshot,
                report: QueueKillReport, cycle: int) -> None:
    url = run.settings.effective_database_url
    problems = faultkit.integrity_problems(url)
    snap = faultkit.store_snapshot(url)
    states = run.job_states(hashes)
    failed = [h for h, s in states.items() if s.get("status") != "complete"]
    report.failed_jobs += len(failed)
    problems += [f"job {h[:12]} ended {states[h].get('status')!r}: {str(states[h].get('error'))[-200:]}"
                 for h in failed]
    report.retried_jobs += sum(1 for s in states.values() if int(s.get("attempts", 1)) > 1)
    lost = [h for h in hashes if h not in snap.articles]
    report.lost += len(lost)
    problems += [f"not stored: {h[:12]}" for h in lost]
    duplicates = [p for p in problems if p.startswith("duplicate")]
    report.duplicated += len(duplicates)
    wrong = [h for h, q in snap.quotes.items() if faultkit._shape(q) != faultkit._shape(clean.quotes.get(h, []))]
    report.half_written += len(wrong)
    problems += [f"quotes differ from the clean run: {h[:12]}" for h in wrong]
    if len(snap.articles) != len(hashes) - len(lost):
        problems.append(f"{len(snap.articles)} articles stored for {len(hashes)} queued")
    report.articles += len(snap.articles)
    report.problems += [f"cycle {cycle}: {p}" for p in problems]


def run_campaign(*, kills: int, workers: int, articles: int, backend: str, heartbeat: float, seed: int,
                 work: Path, redis_url: str, say: Callable[[str], None] = print,
                 extractor: object | None = None) -> QueueKillReport:
    corpus = work / "corpus"
    faultkit.make_corpus(corpus, articles)
    extractor = extractor or queuekit.load_extractor()
    clean = clean_snapshot(extractor, corpus, work)
    say(f"clean run: {len(clean.articles)} articles, {clean.quote_total} quotes")
    hashes = queuekit.article_hashes(corpus, 200_000)
    rng = random.Random(seed)
    report = QueueKillReport()
    cleanup: list[Callable[[], None]] = []
    server = None
    if backend == "postgresql":
        import pg

        server = pg.find_or_start_server()
        say(f"PostgreSQL: {server.how}")
    try:
        while report.kills < kills:
            report.cycles += 1
            if server is not None:
                import pg

                db = pg.create_database(server, prefix="quotelens_killq")
                cleanup.append(lambda db=db: pg.drop_database(server, db))
                url = db.render_as_string(hide_password=False)
            else:
                url = f"sqlite+aiosqlite:///{work / f'store{report.cycles}.db'}"
            import redis_server

            name = redis_server.unique_queue_name("quotelens-kill")
            cycle_dir = work / f"cycle{report.cycles}"
            cycle_dir.mkdir()
            run = queuekit.QueueRun(queuekit.settings_for(url, redis_url, name, job_heartbeat_seconds=heartbeat,
                                                          job_tries=JOB_TRIES), cycle_dir)
            cleanup.append(run.drop)
            run.migrate()
            pool = queuekit.WorkerPool(extractor, run)
            for _ in range(workers):
                pool.spawn()
            pool.wait_ready()
            run.enqueue(corpus)
            deadline = time.monotonic() + 600
            while run.unfinished(hashes) > 0 and time.monotonic() < deadline:
                if report.kills < kills:
                    wake = time.monotonic() + rng.uniform(0.3, 2.0)
                    while time.monotonic() < wake and run.unfinished(hashes) > 0:
                        time.sleep(0.05)
                    if run.unfinished(hashes) == 0:
                        break  # drained before the kill was due: no kill of an idle pool
                    # a kill is meant to land mid-job: wait up to 1 s for a worker with a job, then
                    # kill one of those (a quiet box can drain the queue between two kills)
                    busy = run.tries_by_worker()
                    until = time.monotonic() + 1.0
                    while not busy and time.monotonic() < until and run.unfinished(hashes) > 0:
                        time.sleep(0.05)
                        busy = run.tries_by_worker()
                    working = [p for p in pool.children if busy.get(pool.children[p])]
                    # Never a job's last try: every job keeps one try that runs to its end.
                    killable = [p for p in working if max(busy[pool.children[p]]) < JOB_TRIES]
                    idle = [p for p in pool.children if p not in working]
                    if not (killable or idle):
                        report.spared_last_tries += 1
                        continue
                    pid = rng.choice(killable or idle)
                    mid_job = pid in killable
                    pool.kill(pid)
                    report.kills += 1
                    report.kills_mid_job += mid_job
                    pool.spawn()
                else:
                    time.sleep(0.2)
            pool.stop_all()
            check_cycle(run, hashes, clean, report, report.cycles)
            say(f"cycle {report.cycles}: {report.summary()}")
    finally:
        for drop in cleanup:
            try:
                drop()
            except Exception as exc:  # noqa: BLE001 - cleanup goes on
                say(f"cleanup: {exc}")
    return report


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--kills", type=int, default=20)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--articles", type=int, default=40)
    p.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    p.add_argument("--heartbeat", type=float, default=2.0, help="job heartbeat seconds (default 2)")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--keep", action="store_true", help="keep the work folder")
    args = p.parse_args()
    import redis_server

    server = redis_server.find_or_start_server()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    work = Path(tempfile.mkdtemp(prefix="quotelens-kill-queue-"))
    print(f"kill_queue: {args.articles} articles, {args.workers} workers, {args.kills} kills, {args.backend}, "
          f"seed {seed}, Redis: {server.how}, work in {work}", flush=True)
    started = time.monotonic()
    report = run_campaign(kills=args.kills, workers=args.workers, articles=args.articles, backend=args.backend,
                          heartbeat=args.heartbeat, seed=seed, work=work, redis_url=server.url,
                          say=lambda line: print("  " + line, flush=True))
    print(f"{args.backend}: {report.summary()} ({time.monotonic() - started:.0f} s)")
    for problem in report.problems[:50]:
        print(f"  PROBLEM {problem}")
    ok = not report.problems and report.kills >= args.kills and report.kills_mid_job > 0
    if ok and not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    print("kill_queue: " + ("ok" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
