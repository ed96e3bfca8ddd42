"""The search statement alone: how long a page of each search route's draw takes in the database.

`read_ratio.py` measures a route through the server; this times only the statement a
search page runs (`api.quotes.service._search_query`), for the same draw of request
paths (`read_ratio.sequence`), on the raw driver the server reads with, so a change to
the SQL or the index can be judged apart from the web layer. (Not through `Store.rows`:
on an idle process its hop to a reader thread added 0.4-0.5 ms a statement, as much as
the statement itself.)

    uv run python benchmarks/search_sql.py sqlite+aiosqlite:////work/stores/big.db
    uv run python benchmarks/search_sql.py postgresql+asyncpg://postgres@127.0.0.1/big --paths 300
    uv run python benchmarks/search_sql.py URL --routes quote_search --cap 1001   # count further

Each route's paths are run twice; the second pass is reported (the first brings the
pages into memory), as mean, p50, p90 and the slowest paths with their totals.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import urllib.parse
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from read_ratio import load_store, sequence  # noqa: E402

from api.quotes import service  # noqa: E402
from api.store.db import normalise_database_url  # noqa: E402
from api.store.fastread import MMAP_BYTES, PLAN_EACH_TIME, Prepared  # noqa: E402

SEARCH_ROUTES = ("quote_search", "quote_search_filtered", "speaker_quotes_topic", "outlet_words")


def search_filter(path: str) -> service.QuoteFilter:
    """The filter a search path asks for (the query string, or a speaker's quotes path)."""
    parts = urllib.parse.urlsplit(path)
    qs = dict(urllib.parse.parse_qsl(parts.query))
    speaker = qs.get("speaker") or (parts.path.split("/")[3] if parts.path.startswith("/api/speakers/") else None)

    def day(key: str) -> date | None:
        return date.fromisoformat(qs[key]) if key in qs else None

    return service.QuoteFilter(q=qs.get("q"), since=day("since"), until=day("until"), kind=qs.get("kind"),
                               speaker_ids=[int(speaker)] if speaker else None, outlet=qs.get("outlet"))


class Runner:
    """Runs a prepared statement on SQLite's sqlite3 or PostgreSQL's asyncpg, one connection."""

    def __init__(self, url: str) -> None:
        self.url = normalise_database_url(url)
        self.sqlite = self.url.get_backend_name() == "sqlite"
        self._con: object = None

    async def open(self) -> None:
        if self.sqlite:
            import sqlite3

            from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

            self.dialect = SQLiteDialect_pysqlite()
            self._con = sqlite3.connect(self.url.database or "", isolation_level=None)
            self._con.execute("PRAGMA query_only=ON")  # type: ignore[attr-defined]
            self._con.execute(f"PRAGMA mmap_size={MMAP_BYTES}")  # type: ignore[attr-defined]  # as the readers do
        else:
            import asyncpg
            from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg

            self.dialect = PGDialect_asyncpg()
            dsn = self.url.set(drivername="postgresql").render_as_string(hide_password=False)
            # As the server reads a search (`Prepared.plan_each_time`): planned for its own values.
            self._con = await asyncpg.connect(dsn, server_settings=PLAN_EACH_TIME)

    async def rows(self, query: Prepared, params: dict[str, object]) -> list[tuple[object, ...]]:
        sql, args = query.arguments(self.dialect, params)
        if self.sqlite:
            values = tuple(a.isoformat() if isinstance(a, date) else a for a in args)
            return self._con.execute(sql, values).fetchall()  # type: ignore[attr-defined,no-any-return]
        return list(await self._con.fetch(sql, *args))  # type: ignore[attr-defined]

    async def close(self) -> None:
        if self._con is not None:
            await self._con.close() if not self.sqlite else self._con.close()  # type: ignore[attr-defined]


async def run(url: str, routes: list[str], n: int, cap: int | None) -> None:
    store = await load_store(url)
    runner = Runner(url)
    await runner.open()
    rum = not runner.sqlite  # migration 0007 makes the RUM index where the extension is
    try:
        for route in routes:
            paths = sequence(store, route, 1)[:n]
            timed: list[tuple[float, int, str]] = []
            for _pass in range(2):
                timed = []
                for path in paths:
                    bound = service._bind(search_filter(path), runner.sqlite, rum=rum)
                    if bound is None:
                        continue
                    shape, params = bound
                    params.update(limit_=20, offset_=0, cap_=cap or service.EXACT_TOTAL_UP_TO + 1)
                    query = service._search_query(shape)
                    start = time.perf_counter()
                    rows = await runner.rows(query, params)
                    timed.append((time.perf_counter() - start, int(rows[0][-2]) if rows else 0, path))
            seconds = sorted(t for t, _n, _p in timed)
            print(f"{route}: {len(seconds)} paths, mean {statistics.mean(seconds) * 1e3:.3f} ms, "
                  f"p50 {seconds[len(seconds) // 2] * 1e3:.3f}, p90 {seconds[int(len(seconds) * 0.9)] * 1e3:.3f}, "
                  f"max {seconds[-1] * 1e3:.2f}")
            for t, total, path in sorted(timed, reverse=True)[:3]:
                print(f"    {t * 1e3:7.2f} ms  {total:5} counted  {path}")
    finally:
        await runner.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="search_sql", description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="a filled store (benchmarks/fill_store.py), as a database URL")
    parser.add_argument("--routes", default=",".join(SEARCH_ROUTES), help="search routes of read_ratio.py")
    parser.add_argument("--paths", type=int, default=1500, help="paths of each route's draw (default 1500)")
    parser.add_argument("--cap", type=int, default=None,
                        help="count matches up to this many (default: EXACT_TOTAL_UP_TO + 1, as the API)")
    args = parser.parse_args(argv)
    routes = [r for r in args.routes.split(",") if r]
    unknown = [r for r in routes if r not in SEARCH_ROUTES]
    if unknown:
        parser.error(f"not a search route: {', '.join(unknown)} (choose from {', '.join(SEARCH_ROUTES)})")
    asyncio.run(run(args.url, routes, args.paths, args.cap))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
