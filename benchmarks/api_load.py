"""The read API under constant-rate load, on a store of a million quotes.

1. Fills a store (benchmarks/fill_store.py: 1,000,000 quotes, 100,000 speakers by
   default) in a temporary SQLite file, or in `--database-url` (an empty
   PostgreSQL database), or reuses `--store FILE` when it is filled already.
2. Starts the real server, `quotelens serve --no-seed --log-level warning`, as a
   subprocess on a free loopback port, with `QUOTELENS_RATE_LIMIT=off` (one
   generator on one address would otherwise be throttled at 1,200 a minute).
3. Drives each scenario in turn with an open-loop generator in this process
   (benchmarks/api_load_client.py): operations start at fixed times, latency
   is counted from the scheduled start, so queueing is not hidden.

Scenarios (names to pick with --scenarios):
  speaker_quotes   GET /api/speakers/{id}/quotes?limit=20, speakers drawn by how often they are quoted
  quote_search     GET /api/quotes?q=WORD[+WORD]&limit=20, topic words of the quotes
  speaker_search   GET /api/speakers?q=NAME&limit=10, full names, surnames, some misspelt (fuzzy)
  ask              what `quotelens ask "what did NAME say [about TOPIC]"` asks: a speaker search,
                   then that speaker's quotes (limit=3, with the topic half the time); at
                   rate/2 questions a second, so about `rate` requests a second

Targets: p99 <= 10 ms for lookups and quote search, <= 20 ms for fuzzy speaker
search, at 1,000 requests a second for 60 s, no errors. The server and the
generator share the machine's cores: the table shows how busy each was.

    uv run python benchmarks/api_load.py                       # full run: 60 s per scenario, SQLite
    uv run python benchmarks/api_load.py --duration 10 --quotes 200000 --speakers 20000
    uv run python benchmarks/api_load.py --store /tmp/big.db   # fill once, reuse afterwards
    uv run python benchmarks/api_load.py --database-url postgresql://postgres@127.0.0.1/quotelens_bench
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_load_client import Client, Result, get_ok, percentile, run_closed_loop, run_open_loop  # noqa: E402

SCENARIOS = ("speaker_quotes", "quote_search", "speaker_search", "ask")
TARGET_MS = {"speaker_quotes": 10.0, "quote_search": 10.0, "speaker_search": 20.0,
             "ask: speaker search": 20.0, "ask: speaker quotes": 10.0}


@dataclass
class Pools:
    """What requests are made of: the store's speakers and topic words."""

    speaker_ids: list[int]
    speaker_names: list[str]
    speaker_cum: list[float]
    topic_words: list[str]

    def speaker(self, rng: random.Random) -> int:
        return rng.choices(range(len(self.speaker_ids)), cum_weights=self.speaker_cum)[0]

    def name_query(self, rng: random.Random) -> str:
        name = self.speaker_names[self.speaker(rng)]
        words = name.split()
        if len(words) > 1 and rng.random() < 0.3:
            name = words[-1]  # a surname alone
        if rng.random() < 0.3 and len(name) > 4:  # a typo
            i = rng.randrange(1, len(name) - 1)
            name = name[:i] + name[i + 1 :] if rng.random() < 0.5 else name[:i] + name[i + 1] + name[i] + name[i + 2 :]
        return name

    def topic(self, rng: random.Random) -> str:
        n = 1 if rng.random() < 0.7 else 2
        return " ".join(rng.sample(self.topic_words, n))


async def load_pools(url: str) -> Pools:
    from sqlalchemy import text

    from api.store.db import create_migration_engine

    engine = create_migration_engine(url)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT id, name, quote_count FROM speakers ORDER BY id"))).all()
            sample = (await conn.execute(text("SELECT text FROM quotes WHERE id % 200 = 0"))).scalars().all()
    finally:
        await engine.dispose()
    if not rows:
        raise SystemExit("api_load: the store has no speakers")
    cum, acc = [], 0.0
    for r in rows:
        acc += max(1, r.quote_count)
        cum.append(acc)
    counts: dict[str, int] = {}
    for t in sample:
        for w in t.lower().split():
            w = w.strip(".,;:!?\"'“”‘’()")
            if w.isalpha() and len(w) > 3:
                counts[w] = counts.get(w, 0) + 1
    ranked = sorted(counts, key=lambda w: -counts[w])
    # topic words, not the commonest function words ("that", "with", "have")
    topic = ranked[40:1040] or ranked
    return Pools([r.id for r in rows], [r.name for r in rows], cum, topic)


# --- the operations ---------------------------------------------------------------


def make_operation(name: str, pools: Pools):  # noqa: ANN201 - an api_load_client.Operation
    q = urllib.parse.quote

    async def speaker_quotes(client: Client, rng: random.Random, record) -> None:  # noqa: ANN001
        sid = pools.speaker_ids[pools.speaker(rng)]
        await get_ok(client, f"/api/speakers/{sid}/quotes?limit=20", record, name)

    async def quote_search(client: Client, rng: random.Random, record) -> None:  # noqa: ANN001
        await get_ok(client, f"/api/quotes?q={q(pools.topic(rng))}&limit=20", record, name)

    async def speaker_search(client: Client, rng: random.Random, record) -> None:  # noqa: ANN001
        await get_ok(client, f"/api/speakers?q={q(pools.name_query(rng))}&limit=10", record, name)

    async def ask(client: Client, rng: random.Random, record) -> None:  # noqa: ANN001
        body = await get_ok(client, f"/api/speakers?q={q(pools.name_query(rng))}&limit=10", record,
                            "ask: speaker search")
        items = json.loads(body)["items"]
        if not items:
            return  # the bot would say it knows nobody by that name
        topic = f"&q={q(pools.topic(rng))}" if rng.random() < 0.5 else ""
        await get_ok(client, f"/api/speakers/{items[0]['id']}/quotes?limit=3{topic}", record,
                     "ask: speaker quotes")

    return {"speaker_quotes": speaker_quotes, "quote_search": quote_search,
            "speaker_search": speaker_search, "ask": ask}[name]


# --- the server ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(url: str, port: int, data_dir: str, workers: int = 1) -> subprocess.Popen[bytes]:
    """`quotelens serve` on the store; its output goes to a file (a pipe nobody reads would fill and block it)."""
    exe = Path(sys.executable).parent / "quotelens"
    env = {**os.environ, "QUOTELENS_RATE_LIMIT": "off", "QUOTELENS_DATA_DIR": data_dir,
           "QUOTELENS_DATABASE_URL": url}
    with open(Path(data_dir) / "server.log", "wb") as log:
        return subprocess.Popen(
            [str(exe), "serve", "--no-seed", "--host", "127.0.0.1", "--port", str(port), "--database-url", url,
             "--log-level", "warning", "--workers", str(workers)],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )


def stop_server(server: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """SIGTERM the server, and SIGKILL it when it has not exited within `timeout` seconds."""
    server.terminate()
    try:
        server.wait(timeout)
    except subprocess.TimeoutExpired:
        server.kill()


def server_log_tail(data_dir: str, lines: int = 30) -> str:
    path = Path(data_dir) / "server.log"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


def wait_until(base: str, path: str, server: subprocess.Popen[bytes], seconds: float, data_dir: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"api_load: the server exited ({server.returncode}):\n{server_log_tail(data_dir)}")
        try:
            with urllib.request.urlopen(base + path, timeout=120) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"api_load: {base}{path} did not answer 200 within {seconds:.0f} s")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its live descendants (Linux /proc): with
    `--server-workers`, the server is uvicorn's supervisor and its worker processes."""
    children: dict[int, list[int]] = {}
    seconds: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        p = int(stat.parent.name)
        children.setdefault(int(fields[1]), []).append(p)
        seconds[p] = int(fields[11]) + int(fields[12])
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        total += seconds.get(p, 0)
        todo.extend(children.get(p, ()))
    return total / os.sysconf("SC_CLK_TCK")


# --- the run --------------------------------------------------------------------------


def row(name: str, target_rate: float, res: Result, lat: list[float], errors: int, cpu: dict[str, float]) -> str:
    ms = [percentile(lat, p) * 1000 for p in (50, 90, 99)] + [max(lat, default=float("nan")) * 1000]
    target = TARGET_MS.get(name)
    verdict = ("-" if target is None else
               "ok" if errors == 0 and ms[2] <= target and len(lat) >= 0.99 * res.scheduled
               else "MISSED")
    achieved = len(lat) / res.wall if res.wall else 0.0
    return (f"{name:22} {target_rate:7.0f} {achieved:8.0f} {len(lat):7} {errors:6} "
            f"{ms[0]:7.2f} {ms[1]:7.2f} {ms[2]:8.2f} {ms[3]:8.1f} {cpu.get('server', 0):6.0f}% "
            f"{cpu.get('generator', 0):5.0f}% {'' if target is None else f'<= {target:.0f}':>6} {verdict}")


async def drained(client: Client, limit: float = 180.0) -> None:
    """Wait until the server answers a database read within 100 ms again (it has no backlog left)."""
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        t0 = time.perf_counter()
        try:
            await asyncio.wait_for(client.get("/api/speakers?limit=1"), 30)
            if time.perf_counter() - t0 < 0.1:
                return
        except (TimeoutError, OSError, asyncio.IncompleteReadError):
            pass
        await asyncio.sleep(0.5)


async def drive(base_port: int, pools: Pools, scenarios: list[str], rate: float, duration: float,
                warmup: float, server_pid: int, probe: float) -> list[str]:
    client = Client("127.0.0.1", base_port)
    lines: list[str] = []
    capacities: dict[str, float] = {}
    try:
        for name in scenarios:
            op_rate = rate / 2 if name == "ask" else rate
            op = make_operation(name, pools)
            first = len(lines)
            # The first request of a kind may load something once (the speaker index for a
            # search: every name of every speaker); timed apart from the load.
            t_first = time.perf_counter()
            await asyncio.wait_for(op(client, random.Random(0), lambda _s, _t: None), 300)
            first_ms = (time.perf_counter() - t_first) * 1000
            if probe > 0:
                # what the server completes flat out, for reading the open-loop figures against
                capacity, _ = await run_closed_loop(client, op, 8, probe)
                capacities[name] = capacity
            if warmup > 0:
                await run_open_loop(client, name, op, op_rate, warmup, seed=99)
                await drained(client)
            s0, g0, t0 = cpu_seconds(server_pid), time.process_time(), time.perf_counter()
            res = await run_open_loop(client, name, op, op_rate, duration, seed=7)
            wall = time.perf_counter() - t0
            await drained(client)  # an overloaded server works off its backlog before the next scenario
            cpu = {"server": 100 * (cpu_seconds(server_pid) - s0) / wall,
                   "generator": 100 * (time.process_time() - g0) / wall}
            errs = ", ".join(f"{k}: {v}" for k, v in res.errors.items())
            if name == "ask":
                lines.append(row("ask (whole question)", op_rate, res, res.latencies, res.error_count, cpu))
                for step, lat in res.steps.items():
                    lines.append(row(step, op_rate, res, lat, res.error_count, {}))
            else:
                lines.append(row(name, op_rate, res, res.latencies, res.error_count, cpu))
            if errs:
                lines.append(f"{'':22}   errors: {errs}")
            lines.append(f"{'':22}   first operation after start: {first_ms:.0f} ms")
            if name in capacities:
                lines.append(f"{'':22}   capacity, 8 requests always in flight (closed loop, {probe:.0f} s): "
                             f"{capacities[name]:.0f} operations/s")
            if res.max_send_lag > 0.005:
                lines.append(f"{'':22}   generator started operations up to {res.max_send_lag * 1000:.0f} ms late"
                             " (it was short of CPU; latencies still count from the scheduled time)")
            print("\n".join(lines[first:]), flush=True)
    finally:
        await client.close()
    return lines


def run_async(coro):  # noqa: ANN001, ANN201
    """asyncio.run on uvloop when it is installed: the generator then needs less of the CPU it shares."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="api_load", description="The read API under constant-rate load.")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per scenario (default 60)")
    parser.add_argument("--rate", type=float, default=1000.0, help="requests a second (default 1000)")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds at the rate before each scenario (5)")
    parser.add_argument("--quotes", type=int, default=1_000_000, help="quotes in the store (default 1,000,000)")
    parser.add_argument("--speakers", type=int, default=100_000, help="speakers in the store (default 100,000)")
    parser.add_argument("--database-url", default=None, metavar="URL",
                        help="an empty PostgreSQL database to fill (or one this benchmark filled before, "
                             "with --reuse)")
    parser.add_argument("--store", type=Path, default=None, metavar="FILE",
                        help="SQLite file: filled when absent, reused when present (default: a temp file)")
    parser.add_argument("--probe", type=float, default=5.0,
                        help="seconds of a closed-loop capacity probe before each scenario (default 5; 0: none)")
    parser.add_argument("--server-workers", type=int, default=1, metavar="N",
                        help="server processes (quotelens serve --workers N; default 1)")
    parser.add_argument("--reuse", action="store_true", help="--database-url is filled already: do not fill")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help=f"comma-separated ({','.join(SCENARIOS)})")
    args = parser.parse_args(argv)
    scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = set(scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")

    from fill_store import fill_store

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the server subprocess is stopped too

    with tempfile.TemporaryDirectory(prefix="api_load_") as tmp:
        if args.database_url:
            url = args.database_url
            fill = not args.reuse
        else:
            path = args.store or Path(tmp) / "store.db"
            fill = not path.exists()
            url = f"sqlite+aiosqlite:///{path.resolve()}"
        shown = url.split("@")[-1] if "@" in url else url
        if fill:
            print(f"filling {shown}: {args.quotes:,} quotes, {args.speakers:,} speakers", flush=True)
            s = asyncio.run(fill_store(url, args.quotes, args.speakers))
            print(f"filled: {s.quotes:,} quotes, {s.speakers:,} speakers, {s.articles:,} articles "
                  f"in {s.seconds:.0f} s", flush=True)
        pools = asyncio.run(load_pools(url))
        port = free_port()
        server = start_server(url, port, tmp, args.server_workers)
        try:
            base = f"http://127.0.0.1:{port}"
            t0 = time.perf_counter()
            wait_until(base, "/ready", server, 300, tmp)
            wait_until(base, "/api/speakers?q=warm", server, 300, tmp)  # loads the speaker index
            print(f"server up on {base} ({time.perf_counter() - t0:.0f} s, speaker index loaded); "
                  f"{len(pools.speaker_ids):,} speakers; {os.cpu_count()} cores shared by server and generator",
                  flush=True)
            print(f"\n{'scenario':22} {'rate':>7} {'got/s':>8} {'ok':>7} {'errors':>6} {'p50 ms':>7} {'p90 ms':>7}"
                  f" {'p99 ms':>8} {'max ms':>8} {'server':>7} {'gen':>6} {'target':>6}", flush=True)
            lines = run_async(drive(port, pools, scenarios, args.rate, args.duration, args.warmup, server.pid,
                                     args.probe))
            log = server_log_tail(tmp, 10)
            if log.strip():
                print(f"\nlast lines the server logged:\n{log}")
        finally:
            stop_server(server)
    print(f"\nstore: {shown}; {args.duration:.0f} s per scenario at {args.rate:.0f}/s "
          f"(ask: {args.rate / 2:.0f} questions/s, two requests each)")
    print(f"\n{'scenario':22} {'rate':>7} {'got/s':>8} {'ok':>7} {'errors':>6} {'p50 ms':>7} {'p90 ms':>7}"
          f" {'p99 ms':>8} {'max ms':>8} {'server':>7} {'gen':>6} {'target':>6}")
    for line in lines:
        print(line)
    print("latency: scheduled start to last byte (open loop); server/gen: CPU of the server process and of "
          "this generator, % of one core")
    return 0


if __name__ == "__main__":
    sys.exit(main())
