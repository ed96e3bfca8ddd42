"""SIGKILL `quotelens ingest` at random moments, many times, and check the store after each kill.

    uv run python benchmarks/kill_ingest.py --rounds 40                 # both backends, fresh processes
    uv run python benchmarks/kill_ingest.py --rounds 200 --fork --backend sqlite

Ingests a folder of articles (the seeds and PolNeAR dev texts, --articles of
them) with `quotelens ingest --log`, killing it --rounds times per backend. After
each kill: every article the log acknowledged is in the store with exactly the
quotes of a clean uninterrupted run, nothing is half-written and the integrity
checks pass (benchmarks/faultkit.py). Each time a run gets to the end, the store
must equal the clean run's (no duplicate article or quote); then it starts again
on an empty store. Exit status 1 when anything was wrong.

By default every run is a fresh `python -m quotelens.cli ingest` process (it
loads spaCy each time: slow but exactly what a person runs); --fork forks each
run from a process that loaded the pipeline once (what the test suite does).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import faultkit  # noqa: E402


def _store_factory(backend: str, work: Path, cleanup: list[Callable[[], None]]) -> Callable[[], str]:
    """A function giving a new empty store of `backend` each call (PostgreSQL ones dropped by `cleanup`)."""
    if backend == "sqlite":
        counter = iter(range(1 << 30))
        return lambda: f"sqlite+aiosqlite:///{work / 'sqlite' / str(next(counter)) / 'store.db'}"
    import pg

    server = pg.find_or_start_server()
    print(f"PostgreSQL: {server.how}", flush=True)

    def fresh_store() -> str:
        url = pg.create_database(server, prefix="quotelens_kill")
        cleanup.append(lambda: pg.drop_database(server, url))
        return url.render_as_string(hide_password=False)

    return fresh_store


def _frozen_code(work: Path) -> Path:
    """A copy of the packages, so that every run uses the same engine even while the checkout changes."""
    import shutil

    code = work / "code"
    for package in ("attribution", "api", "quotelens", "bot"):
        shutil.copytree(faultkit.ROOT / package, code / package, ignore=shutil.ignore_patterns("__pycache__"))
    return code


def _printer(prefix: str) -> Callable[[str], None]:
    return lambda line: print(prefix + line, flush=True)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=20, help="kills per backend (default 20)")
    p.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    p.add_argument("--articles", type=int, default=55, help="articles in the folder (default 55)")
    p.add_argument("--fork", action="store_true", help="fork runs from a preloaded process (fast)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: a new one, printed)")
    p.add_argument("--keep", action="store_true", help="keep the work folder")
    args = p.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    work = Path(tempfile.mkdtemp(prefix="quotelens-kill-ingest-"))
    corpus = work / "corpus"
    faultkit.make_corpus(corpus, args.articles)
    runner: faultkit.Runner = faultkit.Forker() if args.fork else faultkit.SubprocessRunner(_frozen_code(work))
    print(f"kill_ingest: {args.articles} articles, {args.rounds} kills per backend, seed {seed}, "
          f"{'forked' if args.fork else 'fresh'} processes, work in {work}", flush=True)

    clean_url = f"sqlite+aiosqlite:///{work / 'clean.db'}"
    result = runner.run(["ingest", "--no-progress", str(corpus)], {"QUOTELENS_DATABASE_URL": clean_url},
                        work / "clean.txt", None)
    if result.code != 0:
        print(f"the clean run failed ({result.code}); see {work / 'clean.txt'}", file=sys.stderr)
        return 1
    clean = faultkit.store_snapshot(clean_url)
    startup = 0.0
    if not args.fork:  # a fresh process spends this long before its first article
        noop = runner.run(["ingest", "--no-progress", str(corpus)], {"QUOTELENS_DATABASE_URL": clean_url},
                          work / "clean.txt", None)
        startup = noop.seconds
    article_seconds = max(0.05, (result.seconds - startup) / len(clean.articles))
    print(f"clean run: {len(clean.articles)} articles, {clean.quote_total} quotes, {len(clean.speakers)} speakers "
          f"in {result.seconds:.1f} s (start-up {startup:.1f} s)", flush=True)

    failed = False
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    for backend in backends:
        cleanup: list[Callable[[], None]] = []
        fresh_store = _store_factory(backend, work, cleanup)
        started = time.monotonic()
        try:
            report = faultkit.kill_ingest_campaign(
                runner, corpus, fresh_store, work / backend, clean, kills=args.rounds,
                window=(0.0, startup + 2 * article_seconds), article_seconds=article_seconds,
                rng=random.Random(seed), say=_printer(f"  {backend}: "),
            )
        finally:
            for drop in cleanup:
                drop()
        print(f"{backend}: {report.summary()} ({time.monotonic() - started:.0f} s)", flush=True)
        for problem in report.problems[:50]:
            print(f"  PROBLEM {problem}", flush=True)
        failed |= bool(report.problems) or report.kills < args.rounds
    if isinstance(runner, faultkit.Forker):
        runner.close()
    if not args.keep and not failed:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    print("kill_ingest: " + ("FAILED" if failed else "ok"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
