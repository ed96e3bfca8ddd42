"""Fuzzy speaker search alone: SpeakerIndex.search_page over read_ratio.py's speaker_search draw.

Loads the speaker index of a filled store as the server does (`SpeakerDirectory`), then
times each query of the draw (names, surnames alone, a third with a typo), twice, the
second time on a fresh search snapshot (so nothing is remembered from the first).
`--dump FILE` writes every query's page (speaker ids and scores) as JSON, so two
versions of the code can be checked to give the same answers:

    uv run python benchmarks/speaker_search_speed.py sqlite+aiosqlite:////work/stores/big.db --dump after.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from read_ratio import load_store, sequence  # noqa: E402

from api.speakers.directory import SpeakerDirectory  # noqa: E402
from api.speakers.index import SpeakerIndex  # noqa: E402
from api.store.db import Store  # noqa: E402
from quotelens.settings import settings_from_env  # noqa: E402


async def _index(url: str) -> tuple[SpeakerIndex, list[str]]:
    paths = sequence(await load_store(url), "speaker_search", 1)
    store = Store(url)
    try:
        index = await SpeakerDirectory(store).ensure_fresh()
    finally:
        await store.dispose()
    return index, [urllib.parse.parse_qs(urllib.parse.urlsplit(p).query)["q"][0] for p in paths]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="speaker_search_speed", description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="a filled store (benchmarks/fill_store.py), as a database URL")
    parser.add_argument("--queries", type=int, default=3000, help="queries of the draw (default 3000)")
    parser.add_argument("--dump", type=Path, metavar="FILE", help="write each query's page as JSON")
    args = parser.parse_args(argv)
    index, queries = asyncio.run(_index(args.url))
    queries = queries[: args.queries]
    print(f"{len(index):,} speakers, {len(queries):,} queries")
    cutoff = settings_from_env().speaker_search_cutoff  # as the server searches (QUOTELENS_SPEAKER_SEARCH_CUTOFF)
    pages = []
    for attempt in ("first", "fresh snapshot"):
        index.prepare_search()
        start = time.perf_counter()
        pages = [index.search_page(q, cutoff, 0, 10) for q in queries]
        print(f"  {attempt}: {(time.perf_counter() - start) / len(queries) * 1e3:.3f} ms a query")
    if args.dump:
        args.dump.write_text(json.dumps([{"q": q, "total": total, "page": [[e.id, round(s, 3)] for e, s in page]}
                                         for q, (total, page) in zip(queries, pages, strict=True)]))
        print(f"  pages written to {args.dump}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
