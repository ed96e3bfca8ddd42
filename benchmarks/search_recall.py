"""How many fuzzy neighbours of a word the speaker search's bigram filter keeps, and how fast.

Speaker search (api/speakers/index.py) scores a query word only against vocabulary words
whose padded bigrams overlap it enough (Dice >= SEARCH_MIN_DICE). This draws words
from a store's speaker names, misspells half of them (a letter dropped or two swapped,
as api_load.py does), and compares, for several thresholds, the words kept and then
scored (fuzz.ratio >= 70, best 64) with scoring the whole vocabulary.

    uv run python benchmarks/search_recall.py sqlite+aiosqlite:////tmp/big.db [--words 500]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


async def measure(url: str, words: int, seed: int) -> None:
    from rapidfuzz import fuzz, process

    from api.services import Services
    from api.speakers import index as tracking
    from quotelens.settings import get_settings

    services = Services.build(get_settings(), database_url=url)
    try:
        index = await services.directory.ensure_fresh()
    finally:
        await services.close()
    snapshot = tracking._SearchSnapshot(index.entries())
    vocabulary = snapshot.vocabulary.tolist()
    if not vocabulary:
        raise SystemExit("search_recall: the store has no speakers")
    rng = random.Random(seed)
    queries = []
    for _ in range(words):
        word = rng.choice(vocabulary)
        if rng.random() < 0.5 and len(word) > 3:
            i = rng.randrange(1, len(word) - 2)
            word = word[:i] + word[i + 1 :] if rng.random() < 0.5 else word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        queries.append(word)
    exact = [{t for t, _s, _i in process.extract(q, vocabulary, scorer=fuzz.ratio, score_cutoff=70, limit=64)}
             for q in queries]
    total = sum(len(e) for e in exact)
    print(f"{len(vocabulary):,} vocabulary words, {words} query words, {total:,} neighbours (fuzz.ratio >= 70)")
    for dice in (0.2, 0.3, 0.4, 0.5):
        tracking.SEARCH_MIN_DICE = dice
        started = time.perf_counter()
        kept = [set(snapshot._tokens_like(q, 70.0, 64)) for q in queries]
        ms = (time.perf_counter() - started) / words * 1000
        missed = sum(len(e - k) for e, k in zip(exact, kept, strict=True))
        print(f"  Dice >= {dice}: recall {1 - missed / total:.4f} ({missed} missed), {ms:.3f} ms a word")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="search_recall", description=__doc__.splitlines()[0])
    parser.add_argument("database_url", help="a filled store (benchmarks/fill_store.py)")
    parser.add_argument("--words", type=int, default=500, help="query words (default 500)")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args(argv)
    asyncio.run(measure(args.database_url, args.words, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
