"""How fast articles are ingested end to end compared with extracting their quotes alone.

Over the PolNeAR dev texts (the seeds when PolNeAR is absent), in one run:

  (a) extract      `Extractor().extract_many(texts, workers=1)` in this process: spaCy's
                   `nlp.pipe` in batches of 16 and the engine's rules; quotes only, nothing
                   read from files, nothing stored (what `quotelens extract` does)
  (b) ingest       `api.ingest.batches.ingest_paths(..., workers=1)` in this process, into a fresh
                   store: read and prepare the files, look up which are stored, then for
                   each article in turn extract its quotes (`Extractor.extract`, one text at
                   a time, in a thread of this process) and store it (match speakers, write
                   one transaction). One core's work, like (a): extraction and storing take
                   turns, nothing runs alongside (what `quotelens ingest` does)
  (c) ingest, N    the same with N worker processes extracting (--workers, default 2; 0
                   skips it); the main process stores

Articles per second and words per second for each, and (b)/(a) (target >= 0.8:
storing costs at most a fifth of the extraction). For the ingests, "store CPU" is
the CPU time of this process (all its threads, the SQLite driver's included) spent
inside `IngestService.ingest`, per article: the store's own cost, free of the
noise other processes on the machine put into wall-clock figures (for
PostgreSQL it leaves out the server's side). Each ingest goes into a new empty
SQLite file in a temporary folder, or with `--database-url` into that database
(emptied first: point it at a throw-away database). Words are the
whitespace-separated tokens of the article texts as stored. Measurements are
repeated (--repeat) in interleaved rounds after a warm-up; ratios use the best.
`--check` exits with status 1 when (b)/(a) is below the target.

    uv run python benchmarks/ingest_speed.py [--repeat 2] [--limit 40] [--workers 2] [--check]
    uv run python benchmarks/ingest_speed.py --database-url postgresql://postgres@127.0.0.1/quotelens_bench
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

POLNEAR_DEV = ROOT.parent / "shared" / "polnear" / "dev" / "text"
SEEDS = ROOT / "seeds"
TARGET = 0.8


def find_files(folder: Path | None, limit: int | None) -> tuple[Path, list[Path]]:
    """(folder, .txt files): the given folder, else PolNeAR dev, else the seeds."""
    candidates = [folder] if folder else [POLNEAR_DEV, SEEDS]
    for candidate in candidates:
        if candidate is not None and candidate.is_dir():
            paths = sorted(candidate.glob("*.txt"))
            if paths:
                return candidate, paths[:limit] if limit else paths
    sys.exit(f"ingest_speed: no .txt files in {', '.join(str(c) for c in candidates)}")


def article_texts(paths: list[Path], max_chars: int) -> list[str]:
    """The texts exactly as ingest stores them (title line and source line taken off)."""
    from api.ingest import prepare_article
    from api.ingest.readers import read_items

    texts = []
    for path in paths:
        for item in read_items(path):
            if item.article is not None:
                texts.append(prepare_article(item.article, max_chars).text)
    return texts


async def _reset_database(url: str) -> None:
    """Drop everything in a throw-away database so the next ingest starts from an empty store."""
    from sqlalchemy import text

    from api.store.db import create_migration_engine

    engine = create_migration_engine(url)
    try:
        async with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                await conn.execute(text("DROP SCHEMA public CASCADE"))
                await conn.execute(text("CREATE SCHEMA public"))
            else:
                raise SystemExit("ingest_speed: --database-url is for PostgreSQL; SQLite runs use a temp file")
    finally:
        await engine.dispose()


@dataclass
class Measurement:
    """One run: wall seconds, quotes stored or extracted, and the store's CPU seconds (ingests only)."""

    wall: float
    quotes: int
    store_cpu: float | None = None


def ingest_once(staging: Path, files: list[Path], database_url: str | None, workers: int) -> Measurement:
    """Ingest `files` into an empty store. Migration and loading the pipeline are not timed."""
    from api.ingest import PreparedArticle
    from api.ingest.batches import ingest_paths
    from api.ingest.service import IngestOutcome
    from api.services import Services
    from api.store.migrate import upgrade
    from attribution.records import Quote
    from quotelens.settings import get_settings

    async def go() -> Measurement:
        if database_url:
            await _reset_database(database_url)
            url = database_url
        else:
            fd, db = tempfile.mkstemp(suffix=".db", dir=staging)
            os.close(fd)
            os.unlink(db)
            url = f"sqlite+aiosqlite:///{db}"
        services = Services.build(get_settings(), database_url=url)
        store_cpu = 0.0
        store = services.ingest.ingest

        async def timed_store(article: PreparedArticle, quotes: Sequence[Quote]) -> IngestOutcome:
            nonlocal store_cpu
            c0 = time.process_time()
            try:
                return await store(article, quotes)
            finally:
                store_cpu += time.process_time() - c0

        services.ingest.ingest = timed_store  # type: ignore[method-assign]
        try:
            await upgrade(services.store.url.render_as_string(hide_password=False))
            await services.engine.load()  # loaded before the clock starts, like (a)
            t0 = time.perf_counter()
            summary = await ingest_paths(services, [str(f) for f in files], workers=workers, progress=False)
            wall = time.perf_counter() - t0
        finally:
            await services.close()
        if summary.failures:
            raise SystemExit(f"ingest_speed: {len(summary.failures)} articles failed: {summary.failures[:3]}")
        return Measurement(wall, summary.quotes, store_cpu)

    return asyncio.run(go())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="ingest_speed",
        description="Articles and words per second of ingest (parse, extract, store) against extraction alone.",
    )
    parser.add_argument("--texts", type=Path, default=None, metavar="DIR",
                        help=f"folder of .txt articles (default {POLNEAR_DEV}, else {SEEDS})")
    parser.add_argument("--limit", type=int, default=None, metavar="N", help="use the first N files only")
    parser.add_argument("--repeat", type=int, default=2, metavar="N", help="measurements of each (default 2)")
    parser.add_argument("--workers", type=int, default=2, metavar="N",
                        help="worker processes for (c) (default 2; 0 or 1 skips (c))")
    parser.add_argument("--database-url", default=None, metavar="URL",
                        help="ingest into this PostgreSQL database instead of a temp SQLite file "
                             "(it is emptied before each run)")
    parser.add_argument("--check", action="store_true", help=f"exit 1 when (b)/(a) < {TARGET}")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    logging.disable(logging.WARNING)  # the API's startup chatter would interleave with the table

    from attribution import Extractor
    from quotelens.settings import get_settings

    folder, files = find_files(args.texts, args.limit)
    texts = article_texts(files, get_settings().max_article_chars)
    words = sum(len(t.split()) for t in texts)
    store = "PostgreSQL " + args.database_url.split("@")[-1] if args.database_url else "SQLite (temp file)"
    print(f"articles: {len(texts)} from {folder}, {words:,} words; store: {store}")

    extractor = Extractor()
    extractor.extract_many(texts[:4])  # warm-up: lazy loads, caches
    runs: dict[str, Callable[[Path], Measurement]] = {}

    def extract_run(_staging: Path) -> Measurement:
        t0 = time.perf_counter()
        n = sum(len(qs) for qs in extractor.extract_many(texts, workers=1))
        return Measurement(time.perf_counter() - t0, n)

    runs["(a) extract, 1 process"] = extract_run
    runs["(b) ingest, workers=1"] = lambda staging: ingest_once(staging, files, args.database_url, 1)
    if args.workers > 1:
        runs[f"(c) ingest, workers={args.workers}"] = lambda staging: ingest_once(
            staging, files, args.database_url, args.workers
        )

    load_before = os.getloadavg()[0]
    measured: dict[str, list[Measurement]] = {name: [] for name in runs}
    with tempfile.TemporaryDirectory(prefix="ingest_speed_") as staging:
        for _ in range(args.repeat):  # interleaved, so drift affects all alike
            for name, run in runs.items():
                measured[name].append(run(Path(staging)))

    print("\n(a) Extractor.extract_many(texts, workers=1): nlp.pipe in batches of 16, this process, nothing stored")
    print("(b) api.ingest.batches.ingest_paths(workers=1): per article, Extractor.extract in a thread of this process,")
    print("    then the store; the two take turns (one core's work, like (a))")
    if args.workers > 1:
        print(f"(c) api.ingest.batches.ingest_paths(workers={args.workers}): {args.workers} processes extract, this one stores")
    print(f"\n{'':26} {'best s':>7} {'median s':>9} {'articles/s':>11} {'words/s':>9}"
          f" {'words/s (median)':>17} {'quotes':>7} {'store CPU ms/article':>21}")
    rate: dict[str, float] = {}
    for name, runs_of in measured.items():
        secs = [m.wall for m in runs_of]
        best, median = min(secs), statistics.median(secs)
        rate[name] = words / best
        cpu = [m.store_cpu for m in runs_of if m.store_cpu is not None]
        store = f"{1000 * min(cpu) / len(texts):.1f} (median {1000 * statistics.median(cpu) / len(texts):.1f})" if cpu else "-"
        print(f"{name:26} {best:7.2f} {median:9.2f} {len(texts) / best:11.2f} {words / best:9,.0f}"
              f" {words / median:17,.0f} {runs_of[-1].quotes:7} {store:>21}")
    names = list(rate)
    ratio = rate[names[1]] / rate[names[0]]
    verdict = "ok" if ratio >= TARGET else "BELOW TARGET"
    print(f"\n(b)/(a) = {ratio:.3f}  (target >= {TARGET}) {verdict}")
    if len(names) > 2:
        print(f"(c)/(a) = {rate[names[2]] / rate[names[0]]:.3f}  (worker processes against one extracting process)")
    print(f"load average (1 min): {load_before:.2f} before, {os.getloadavg()[0]:.2f} after, on {os.cpu_count()} "
          "cores: figures are wall-clock, other processes on the machine slow them down")
    if args.check and ratio < TARGET:
        print(f"ingest_speed: ingest runs at {ratio:.2f}x extraction, below the {TARGET}x target", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
