"""Every read route's capacity as a share of /health's, side by side in one run; p99 at half of it.

Issue 15's measure: `wrk -c8` (Debian's wrk 4.1) against `quotelens serve` on a store
of 1,000,000 quotes and 100,000 speakers, /health first and last, each read route in
between, so the ratios come from one server in one run on one machine.

1. Starts `quotelens serve --no-seed` on `--store FILE` (SQLite) or `--database-url URL`
   (PostgreSQL), both filled beforehand (benchmarks/fill_store.py), with the rate limit
   off (one client address would be throttled). `--server-workers N`: its `--workers N`.
2. For each route, a sequence of request paths drawn the way clients ask (speakers by
   how often they are quoted, topic words of the quotes, the periods a dashboard
   offers), 60,000 long: a 10 s run hardly reaches its end, so a path comes again only
   as often as the draw repeats it, not because wrk cycles a short list. wrk's two
   threads walk it from different points (a Lua script); a warm-up of `--warmup` seconds
   on another draw comes first.
3. wrk -c8 for `--duration` seconds per route: requests/s, and the ratio to /health
   (the mean of its runs before and after). Any answer but 200 is counted and shown.
4. Then each route at half its own capacity, open loop (`latency_at`: requests are due at
   fixed times, latency counts from when each was due, so queueing is not hidden): p50/p99.

Target (issue 15): every read route >= 1/3 of /health, p99 <= 10 ms at half capacity.

    uv run python benchmarks/fill_store.py sqlite+aiosqlite:////work/stores/big.db      # once
    uv run python benchmarks/read_ratio.py --store /work/stores/big.db
    uv run python benchmarks/read_ratio.py --database-url postgresql://postgres@127.0.0.1/big
    uv run python benchmarks/read_ratio.py --store FILE --routes quote_search,outlet --no-latency
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_load import (  # noqa: E402
    Pools,
    cpu_seconds,
    free_port,
    run_async,
    server_log_tail,
    start_server,
    stop_server,
    wait_until,
)
from api_load_client import percentile  # noqa: E402

SEQUENCE = 60_000  # paths drawn per route
TARGET_RATIO = 1 / 3
TARGET_P99_MS = 10.0
KINDS = ("direct", "indirect", "mixed", "continuation")

WRK_SCRIPT = r"""
-- Walks a file of request paths, one a line; each thread from its own starting point.
-- (No response() hook: with one, wrk hands every body to Lua; it counts non-2xx itself.)
local paths = {}
local i = 0
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  i = math.floor(#paths * id / 2)
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], {["Accept"] = "application/json"})
end
"""


@dataclass
class Store:
    """What requests are made of: Pools (speakers, topic words) and the rest."""

    pools: Pools
    slugs: list[str]
    outlets: list[str]
    article_ids: list[int]
    latest: date
    first: date

    def speaker_id(self, rng: random.Random) -> int:
        return self.pools.speaker_ids[self.pools.speaker(rng)]

    def slug(self, rng: random.Random) -> str:
        return self.slugs[self.pools.speaker(rng)]

    def period(self, rng: random.Random) -> str:
        """since/until as a dashboard asks: the last 7/30/90/365 days, all time, a calendar year or month."""
        r = rng.random()
        if r < 0.6:
            days = rng.choice((7, 30, 90, 365, 0))
            if days == 0:
                return ""
            return f"since={self.latest - timedelta(days=days - 1)}&until={self.latest}"
        year = rng.randint(self.first.year, self.latest.year)
        if r < 0.8:
            return f"since={year}-01-01&until={year}-12-31"
        month = rng.randint(1, 12)
        end = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1))
        return f"since={year}-{month:02d}-01&until={end}"

    def date_range(self, rng: random.Random) -> str:
        """A since/until of a search: any span of a week to two years within the store's dates."""
        span = (self.latest - self.first).days
        length = rng.randint(7, min(730, span))
        start = self.first + timedelta(days=rng.randint(0, span - length))
        return f"since={start}&until={start + timedelta(days=length)}"


def q(text: str) -> str:
    return urllib.parse.quote(text)


def _quote_search_filtered(s: Store, rng: random.Random) -> str:
    word = s.pools.topic(rng)
    r = rng.random()
    if r < 0.35:
        extra = f"speaker={s.speaker_id(rng)}"
    elif r < 0.7:
        extra = s.date_range(rng)
    elif r < 0.85:
        extra = f"kind={rng.choice(KINDS)}"
    else:
        extra = f"speaker={s.speaker_id(rng)}&{s.date_range(rng)}&kind={rng.choice(KINDS)}"
    return f"/api/quotes?q={q(word)}&{extra}&limit=20"


def _outlet(s: Store, rng: random.Random) -> str:
    extra = f"&{s.date_range(rng)}" if rng.random() < 0.3 else ""
    offset = f"&offset={rng.choice((20, 40, 100))}" if rng.random() < 0.2 else ""
    return f"/api/quotes?outlet={q(rng.choice(s.outlets))}{extra}&limit=20{offset}"


def _speaker_quotes(s: Store, rng: random.Random) -> str:
    offset = f"&offset={rng.choice((20, 40))}" if rng.random() < 0.2 else ""
    return f"/api/speakers/{s.speaker_id(rng)}/quotes?limit=20{offset}"


def _weekly(s: Store, rng: random.Random) -> str:
    r = rng.random()
    if r < 0.5:
        return f"/api/stats/weekly?speaker={q(s.slug(rng))}"
    if r < 0.7:
        return f"/api/stats/weekly?outlet={q(rng.choice(s.outlets))}&{s.period(rng)}".rstrip("&")
    return f"/api/stats/weekly?{s.period(rng)}".rstrip("?")


ROUTES: dict[str, tuple[str, Callable[[Store, random.Random], str]]] = {
    "health": ("GET /health", lambda s, rng: "/health"),
    "speaker_quotes": ("a speaker's quotes, 20 a page (a fifth: page 2 or 3)", _speaker_quotes),
    "speaker": ("a speaker (its page's JSON)", lambda s, rng: f"/api/speakers/{q(s.slug(rng))}"),
    "speaker_search": ("speaker search, fuzzy, 10 hits",
                       lambda s, rng: f"/api/speakers?q={q(s.pools.name_query(rng))}&limit=10"),
    "speakers_top": ("the most quoted speakers (no q), pages 1-10",
                     lambda s, rng: f"/api/speakers?limit=20&offset={20 * rng.randrange(10)}"),
    "quote_search": ("quote search, 1-2 topic words",
                     lambda s, rng: f"/api/quotes?q={q(s.pools.topic(rng))}&limit=20"),
    "quote_search_filtered": ("quote search + speaker, dates, kind or all three", _quote_search_filtered),
    "speaker_quotes_topic": ("a speaker's quotes on a topic word",
                             lambda s, rng: f"/api/speakers/{s.speaker_id(rng)}/quotes?q="
                                            f"{q(s.pools.topic(rng).split()[0])}&limit=20"),
    "outlet": ("quotes of an outlet (a third: in a date range)", _outlet),
    "outlet_words": ("quotes of an outlet on topic words",
                     lambda s, rng: f"/api/quotes?outlet={q(rng.choice(s.outlets))}&q={q(s.pools.topic(rng))}"
                                    f"&limit=20"),
    "articles": ("articles, newest first, pages 1-10",
                 lambda s, rng: f"/api/articles?limit=20&offset={20 * rng.randrange(10)}"),
    "article": ("an article with its quotes", lambda s, rng: f"/api/articles/{rng.choice(s.article_ids)}"),
    "stats_top": ("top speakers of a period",
                  lambda s, rng: f"/api/stats/top-speakers?{s.period(rng)}".rstrip("?")),
    "stats_weekly": ("quotes per week: a speaker's, an outlet's, all", _weekly),
    "stats_outlets": ("quotes per outlet of a period", lambda s, rng: f"/api/stats/outlets?{s.period(rng)}".rstrip("?")),
    "stats_unnamed": ("unnamed sources' share of a period",
                      lambda s, rng: f"/api/stats/unnamed?{s.period(rng)}".rstrip("?")),
}


async def load_store(url: str) -> Store:
    from api_load import load_pools
    from sqlalchemy import text

    from api.store.db import create_migration_engine

    pools = await load_pools(url)
    engine = create_migration_engine(url)
    try:
        async with engine.connect() as conn:
            slugs = {r[0]: r[1] for r in (await conn.execute(text("SELECT id, slug FROM speakers"))).all()}
            outlets = [o for (o,) in (await conn.execute(
                text("SELECT DISTINCT outlet FROM articles WHERE outlet IS NOT NULL"))).all()]
            ids = [i for (i,) in (await conn.execute(text("SELECT id FROM articles WHERE id % 7 = 0"))).all()]
            first, latest = (await conn.execute(text(
                "SELECT min(seen_on), max(seen_on) FROM articles WHERE published IS NOT NULL"))).one()
    finally:
        await engine.dispose()
    return Store(pools, [slugs[i] for i in pools.speaker_ids], sorted(outlets), ids, as_day(latest), as_day(first))


def as_day(value: date | str) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def sequence(store: Store, route: str, seed: int, n: int = SEQUENCE) -> list[str]:
    rng = random.Random(f"{route}:{seed}")
    make = ROUTES[route][1]
    return [make(store, rng) for _ in range(n)]


# --- wrk ----------------------------------------------------------------------------


@dataclass
class WrkRun:
    rate: float
    requests: int
    not_200: int
    socket_errors: str


def run_wrk(base: str, paths_file: Path, script: Path, duration: float, connections: int) -> WrkRun:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration:.0f}s", "-s", str(script), base, "--", str(paths_file)],
        capture_output=True, text=True, check=True,
    ).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: (.*)", out)
    if rate is None or total is None:
        raise SystemExit(f"read_ratio: cannot read wrk's output:\n{out}")
    return WrkRun(float(rate.group(1)), int(total.group(1)), int(bad.group(1)) if bad else 0,
                  sock.group(1).strip() if sock else "")


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- open loop at half capacity ---------------------------------------------------------


async def latency_at(port: int, paths: list[str], rate: float, duration: float,
                     connections: int = 64) -> tuple[list[float], int, float]:
    """(latencies s, errors, worst lateness of a start s) of `paths` requested in turn at `rate` a second.

    Open loop, and lighter than api_load_client's (no task per request: at thousands a second
    the generator shares the server's two cores): request i is due at start + i / rate and
    goes out on the first of `connections` keep-alive connections to be free; its latency
    counts from when it was due, so a server that falls behind is charged for the wait.
    """
    clock = time.perf_counter  # (uvloop's loop.time() moves in whole milliseconds)
    total = int(rate * duration)
    begin = clock() + 0.1
    latencies: list[float] = []
    errors = 0
    late = 0.0
    claimed = 0
    requests = [f"GET {p} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n".encode()
                for p in paths]

    async def connection() -> None:
        nonlocal claimed, errors, late
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while claimed < total:
                i = claimed
                claimed += 1
                due = begin + i / rate
                wait = due - clock()
                if wait > 0:
                    await asyncio.sleep(wait)
                else:
                    late = max(late, -wait)
                writer.write(requests[i % len(requests)])
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                if length:
                    await reader.readexactly(length)
                if head[9:12] == b"200":
                    latencies.append(clock() - due)
                else:
                    errors += 1
        except (OSError, asyncio.IncompleteReadError):
            errors += 1
        finally:
            writer.close()

    gc.collect()
    gc.disable()  # a collection pause here would be charged to the server
    try:
        await asyncio.gather(*(connection() for _ in range(connections)))
    finally:
        gc.enable()
    return latencies, errors, late


# --- the run --------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="read_ratio", description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--store", type=Path, metavar="FILE", help="a filled SQLite store")
    where.add_argument("--database-url", metavar="URL", help="a filled PostgreSQL database")
    parser.add_argument("--routes", default=",".join(r for r in ROUTES if r != "health"),
                        help="comma-separated, of: " + ", ".join(r for r in ROUTES if r != "health"))
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of wrk per route (default 10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of wrk before each route (default 2)")
    parser.add_argument("--connections", type=int, default=8, help="wrk -c (default 8)")
    parser.add_argument("--latency-duration", type=float, default=10.0,
                        help="seconds at half capacity per route for p99 (default 10)")
    parser.add_argument("--no-latency", action="store_true", help="ratios only")
    parser.add_argument("--server-workers", type=int, default=1, metavar="N")
    args = parser.parse_args(argv)
    routes = [r.strip() for r in args.routes.split(",") if r.strip()]
    unknown = set(routes) - set(ROUTES)
    if unknown:
        parser.error(f"unknown routes: {', '.join(sorted(unknown))}")
    if args.store is not None and not args.store.exists():
        parser.error(f"{args.store} does not exist: fill it first (benchmarks/fill_store.py)")
    url = args.database_url or f"sqlite+aiosqlite:///{args.store.resolve()}"
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the server subprocess is stopped too

    store = asyncio.run(load_store(url))
    with tempfile.TemporaryDirectory(prefix="read_ratio_") as tmp:
        script = Path(tmp) / "paths.lua"
        script.write_text(WRK_SCRIPT)
        files: dict[str, tuple[Path, Path]] = {}
        for route in ["health", *routes]:
            main_file, warm_file = Path(tmp) / f"{route}.txt", Path(tmp) / f"{route}.warm.txt"
            main_file.write_text("\n".join(sequence(store, route, 1)) + "\n")
            warm_file.write_text("\n".join(sequence(store, route, 2, 20_000)) + "\n")
            files[route] = (main_file, warm_file)
        port = free_port()
        server = start_server(url, port, tmp, args.server_workers)
        base = f"http://127.0.0.1:{port}"
        try:
            t0 = time.perf_counter()
            wait_until(base, "/ready", server, 600, tmp)
            wait_until(base, "/api/speakers?q=warm", server, 600, tmp)  # the speaker index is loaded
            shown = url.split("@")[-1]
            print(f"server up on {shown} in {time.perf_counter() - t0:.0f} s (--workers {args.server_workers}); "
                  f"{len(store.pools.speaker_ids):,} speakers; wrk -t2 -c{args.connections} -d{args.duration:.0f}s; "
                  f"{os.cpu_count()} cores shared by server, wrk and anything else", flush=True)
            results: dict[str, WrkRun] = {}
            health: list[float] = []

            def measure(route: str) -> WrkRun:
                main_file, warm_file = files[route]
                if args.warmup > 0:
                    run_wrk(base, warm_file, script, args.warmup, args.connections)
                s0, t = cpu_seconds(server.pid), time.perf_counter()
                run = run_wrk(base, main_file, script, args.duration, args.connections)
                cpu = 100 * (cpu_seconds(server.pid) - s0) / (time.perf_counter() - t)
                print(f"  {route:22} {run.rate:9,.0f}/s  server CPU {cpu:4.0f}%  not 200: {run.not_200}"
                      f"{'  socket errors: ' + run.socket_errors if run.socket_errors else ''}  "
                      f"load {load_average()}", flush=True)
                return run

            health.append(measure("health").rate)
            for route in routes:
                results[route] = measure(route)
            health.append(measure("health").rate)
            ref = sum(health) / len(health)

            latencies: dict[str, tuple[float, float, int, float]] = {}
            if not args.no_latency:
                print("\nat half capacity, open loop:", flush=True)
                for route in ["health", *routes]:
                    cap = ref if route == "health" else results[route].rate
                    paths = sequence(store, route, 3, 20_000)
                    lat, errors, lag = run_async(latency_at(port, paths, cap / 2, args.latency_duration))
                    p50, p99 = percentile(lat, 50) * 1000, percentile(lat, 99) * 1000
                    latencies[route] = (p50, p99, errors, lag)
                    print(f"  {route:22} {cap / 2:7,.0f}/s  p50 {p50:6.2f} ms  p99 {p99:7.2f} ms  errors {errors}"
                          f"{f'  (generator up to {lag * 1000:.0f} ms late)' if lag > 0.005 else ''}", flush=True)
            log = server_log_tail(tmp, 10)
            if log.strip():
                print(f"\nlast lines the server logged:\n{log}")
        finally:
            stop_server(server)

    print(f"\n/health: {' and '.join(f'{h:,.0f}' for h in health)} requests/s (before and after); ratio to the mean")
    print("| route | what | requests/s | ratio to /health | p50 / p99 ms at half | ≥ 1/3 and p99 ≤ 10 ms |")
    print("|---|---|---|---|---|---|")
    for route in routes:
        run = results[route]
        ratio = run.rate / ref
        p = latencies.get(route)
        lat = f"{p[0]:.2f} / {p[1]:.2f}" + (f" ({p[2]} errors)" if p[2] else "") if p else "-"
        ok = ratio >= TARGET_RATIO and run.not_200 == 0 and (p is None or (p[1] <= TARGET_P99_MS and not p[2]))
        print(f"| {route} | {ROUTES[route][0]} | {run.rate:,.0f} | {ratio:.2f} | {lat} | {'✔' if ok else '✘'} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
