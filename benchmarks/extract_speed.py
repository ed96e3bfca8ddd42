"""How fast the engine runs compared with the bare spaCy pipeline it is built on.

Over the PolNeAR dev texts (the seeds when PolNeAR is absent), in one run:

  (a) bare      `nlp.pipe` of the trained pipeline alone (`attribution.load_nlp()`)
  (b) engine    `Extractor().extract_many(texts, workers=1)`
  (c) workers   `Extractor().extract_many(texts, workers=N)` (N = --workers, default 2)

and prints words per second for each, with (b)/(a) (target >= 0.9: the engine's
own rules cost at most a tenth of the parse) and (c)/(b) (target > 1: worker
processes pay off). Words are whitespace-separated tokens of the input texts,
counted once and used for all three. Each measurement is repeated (--repeat)
in interleaved rounds after a warm-up; best and median are shown, ratios use
the best. `--profile` adds a cProfile of (b) listing where the engine's own
time goes in `attribution/`.

    uv run python benchmarks/extract_speed.py [--repeat 3] [--limit 40] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POLNEAR_DEV = ROOT.parent / "shared" / "polnear" / "dev" / "text"
SEEDS = ROOT / "seeds"


def load_texts(folder: Path | None, limit: int | None) -> tuple[str, list[str]]:
    """(where from, texts): the given folder, else PolNeAR dev, else the seeds."""
    candidates = [folder] if folder else [POLNEAR_DEV, SEEDS]
    for candidate in candidates:
        if candidate is not None and candidate.is_dir():
            paths = sorted(candidate.glob("*.txt"))
            if paths:
                paths = paths[:limit] if limit else paths
                return str(candidate), [p.read_text("utf-8") for p in paths]
    sys.exit(f"extract_speed: no .txt files in {', '.join(str(c) for c in candidates)}")


def count_words(texts: list[str]) -> int:
    return sum(len(t.split()) for t in texts)


def timed(run: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process and of the worker processes it reaped)."""
    cpu0, wall0 = os.times(), time.perf_counter()
    run()
    wall, cpu1 = time.perf_counter() - wall0, os.times()
    cpu = sum(b - a for a, b in zip(cpu0[:4], cpu1[:4], strict=True))  # user, system, children's user, system
    return wall, cpu


def profile_engine(extractor, texts: list[str], batch_size: int, top: int) -> None:
    """Print the engine's own hotspots (functions in attribution/) by share of the whole run."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in extractor.extract_many(texts, workers=1, batch_size=batch_size):
        pass
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = []
    engine_cum = 0.0  # the quotelens components' own calls (attribution/components/*.py)
    for (filename, line, func), (_cc, _nc, tottime, cumtime, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        path = filename.replace("\\", "/")
        if "attribution/" in path and "/site-packages/" not in path:
            rows.append((tottime, cumtime, f"{Path(filename).name}:{line}:{func}"))
            if "attribution/components/" in path and func == "__call__":
                engine_cum += cumtime
    print(f"\nprofile of (b): {total:.2f} s in all; quotelens components "
          f"{engine_cum:.2f} s ({100 * engine_cum / total:.1f}%)")
    print(f"{'own s':>7} {'own %':>6} {'cum s':>7} {'cum %':>6}  function (attribution/), by cumulative time")
    # cumulative time: own Python time plus the spaCy calls (spans, ents, char_span) each rule makes;
    # the entry points that only wrap the rest are left out
    wrappers = (":extract_many", ":run_pipe", ":extract", ":__call__")
    rows = [r for r in rows if not r[2].endswith(wrappers)]
    for tottime, cumtime, name in sorted(rows, key=lambda r: r[1], reverse=True)[:top]:
        print(f"{tottime:7.3f} {100 * tottime / total:5.1f}% {cumtime:7.3f} {100 * cumtime / total:5.1f}%  {name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="extract_speed",
        description="Words per second of the bare spaCy pipeline, the engine, and the engine with workers.",
    )
    parser.add_argument("--texts", type=Path, default=None, metavar="DIR",
                        help=f"folder of .txt files (default {POLNEAR_DEV}, else {SEEDS})")
    parser.add_argument("--limit", type=int, default=None, metavar="N", help="use the first N texts only")
    parser.add_argument("--repeat", type=int, default=3, metavar="N", help="measurements of each (default 3)")
    parser.add_argument("--workers", type=int, default=2, metavar="N", help="worker processes for (c) (default 2)")
    parser.add_argument("--batch-size", type=int, default=16, metavar="N", help="texts per batch (default 16)")
    parser.add_argument("--profile", action="store_true", help="also profile (b) and list the engine's hotspots")
    parser.add_argument("--top", type=int, default=15, metavar="N", help="hotspots to list with --profile")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.workers < 2:
        parser.error("--repeat must be at least 1 and --workers at least 2")

    from attribution import Extractor
    from attribution.nlp import load_nlp

    source, texts = load_texts(args.texts, args.limit)
    words = count_words(texts)
    nlp = load_nlp()
    extractor = Extractor()
    print(f"texts: {len(texts)} from {source}, {words} words, {sum(map(len, texts))} characters")
    print(f"bare pipeline: {', '.join(nlp.pipe_names)}")
    print(f"engine:        {', '.join(extractor.nlp.pipe_names)}")

    runs: dict[str, Callable[[], object]] = {
        "(a) bare nlp.pipe": lambda: [None for _ in nlp.pipe(texts, batch_size=args.batch_size)],
        "(b) engine, workers=1": lambda: list(extractor.extract_many(texts, workers=1, batch_size=args.batch_size)),
        f"(c) engine, workers={args.workers}": lambda: list(
            extractor.extract_many(texts, workers=args.workers, batch_size=args.batch_size)
        ),
    }
    warm = texts[: max(2, min(len(texts), 8))]
    list(nlp.pipe(warm))
    list(extractor.extract_many(warm))
    list(extractor.extract_many(warm, workers=args.workers))

    load_before = os.getloadavg()[0]
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.repeat):  # interleaved rounds, so drift affects all three alike
        for name, run in runs.items():
            wall, used = timed(run)
            seconds[name].append(wall)
            cpu[name].append(used)

    print(f"\n{'':26} {'best s':>8} {'median s':>9} {'words/s (best)':>15} {'words/s (median)':>17}"
          f" {'CPU s (best)':>13}")
    rate, cpu_rate = {}, {}
    for name, secs in seconds.items():
        best, median = min(secs), statistics.median(secs)
        rate[name] = words / best
        cpu_rate[name] = words / min(cpu[name])
        print(f"{name:26} {best:8.2f} {median:9.2f} {words / best:15,.0f} {words / median:17,.0f}"
              f" {min(cpu[name]):13.2f}")
    a, b, c = rate.values()
    print(f"\n(b)/(a) = {b / a:.3f}  (target >= 0.9) {'ok' if b / a >= 0.9 else 'BELOW TARGET'}")
    print(f"(c)/(b) = {c / b:.3f}  (target > 1)    {'ok' if c / b > 1 else 'BELOW TARGET'}")
    ca, cb, _ = cpu_rate.values()
    print(f"(b)/(a) by CPU time = {cb / ca:.3f}  (less sensitive to other load on the machine)")
    print(f"load average (1 min): {load_before:.2f} before, {os.getloadavg()[0]:.2f} after, "
          f"on {os.cpu_count()} cores: figures are wall-clock, other processes slow them down")

    if args.profile:
        profile_engine(extractor, texts, args.batch_size, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
