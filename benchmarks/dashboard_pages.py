"""How long each dashboard page takes on a big store: the real `quotelens serve`, one request at a time.

Fills (or reuses) a SQLite store with benchmarks/fill_store.py, migrates it with
`quotelens serve --migrate-only`, and serves the app (`api.app.create_app`, as
`quotelens serve` does) under uvicorn with one addition: each response carries a
`Server-Timing` header with the server's wall time from request to response start
(`app`) and the CPU time the process spent meanwhile (`cpu`). Requests go one at a
time (no queueing), so `cpu` is that request's own cost, whatever else the machine
runs, while `app` includes waiting for a core on a busy machine.
Pages that vary (a speaker, an article, a search word) are drawn afresh for every
request: speakers by how often they are quoted, words from the stored quotes. The
first request of each page is reported apart ("cold"): it is the one that fills the
per-process answers the overview and /review keep while the store is unchanged.

    uv run python benchmarks/dashboard_pages.py --store /tmp/big.db            # fills it first if missing
    uv run python benchmarks/dashboard_pages.py --store /tmp/big.db --requests 500
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
TARGET_P99_MS = 50.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Samples:
    """Things to ask for, drawn from the store itself."""

    def __init__(self, path: Path, seed: int) -> None:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        self.rng = random.Random(seed)
        rows = con.execute("SELECT slug, name, quote_count FROM speakers WHERE quote_count > 0 "
                           "ORDER BY quote_count DESC LIMIT 20000").fetchall()
        self.slugs = [r[0] for r in rows]
        self.names = [r[1] for r in rows]
        self.weights = [r[2] for r in rows]
        self.outlets = [r[0] for r in con.execute("SELECT DISTINCT outlet FROM articles WHERE outlet IS NOT NULL")]
        self.article_ids = [r[0] for r in con.execute(
            "SELECT id FROM articles ORDER BY random() LIMIT 5000").fetchall()]
        words: list[str] = []
        for (text,) in con.execute("SELECT text FROM quotes ORDER BY random() LIMIT 400"):
            words.extend(w.lower() for w in re.findall(r"[A-Za-z]{5,}", text))
        self.words = words
        self.visited: set[str] = set()
        self.first_visit = False
        con.close()

    def speaker(self) -> str:
        slug = self.rng.choices(self.slugs, weights=self.weights)[0]
        self.first_visit = slug not in self.visited  # the server has no answers kept for this speaker yet
        self.visited.add(slug)
        return slug

    def speaker_name(self) -> str:
        return self.rng.choice(self.names).split()[-1]

    def article(self) -> int:
        return self.rng.choice(self.article_ids)

    def outlet(self) -> str:
        return self.rng.choice(self.outlets)

    def word(self) -> str:
        return self.rng.choice(self.words)


def serve(port: int, url: str) -> None:
    """The app under uvicorn, each response timed (the child process of the benchmark)."""
    import uvicorn

    os.environ["QUOTELENS_DATABASE_URL"] = url
    from api.web.app import create_app

    app: Any = create_app()  # called as a plain ASGI app below

    async def timed(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started, cpu = time.perf_counter(), time.process_time()

        async def send_timed(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                timing = (f"app;dur={(time.perf_counter() - started) * 1000:.3f}, "
                          f"cpu;dur={(time.process_time() - cpu) * 1000:.3f}")
                message = {**message, "headers": [*message.get("headers", []), (b"server-timing", timing.encode())]}
            await send(message)

        await app(scope, receive, send_timed)

    uvicorn.run(timed, host="127.0.0.1", port=port, log_level="warning", lifespan="on")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _wait_until_idle(pid: int, timeout: float = 300.0) -> None:
    """Return once process `pid` spent under 2% of a core over the last second (Linux), or after `timeout`."""
    deadline = time.monotonic() + max(timeout, 3.0)
    time.sleep(3)
    if not Path(f"/proc/{pid}/stat").exists():
        return
    before = _cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now = _cpu_seconds(pid)
        if now - before < 0.02:
            return
        before = now


def _server_timing(header: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for part in header.split(","):
        name, _, dur = part.strip().partition(";dur=")
        out[name] = float(dur)
    return out


def pages(s: Samples) -> list[tuple[str, Callable[[], str]]]:
    return [
        ("/ (last 30 days)", lambda: "/"),
        ("/?period=7", lambda: "/?period=7"),
        ("/?period=90", lambda: "/?period=90"),
        ("/?period=365", lambda: "/?period=365"),
        ("/?period=all", lambda: "/?period=all"),
        ("/speakers/{slug}", lambda: f"/speakers/{s.speaker()}"),
        ("/speakers/{slug}?q=word", lambda: f"/speakers/{s.speaker()}?q={s.word()}"),
        ("/speakers/{slug}?page=3", lambda: f"/speakers/{s.speaker()}?page=3"),
        ("/speakers/{slug}?uncertain=1", lambda: f"/speakers/{s.speaker()}?uncertain=1"),
        ("/speakers?q=surname", lambda: f"/speakers?q={s.speaker_name()}"),
        ("/articles/{id}", lambda: f"/articles/{s.article()}"),
        ("/articles", lambda: "/articles"),
        ("/search?q=word", lambda: f"/search?q={s.word()}"),
        ("/search?q=word&page=2", lambda: f"/search?q={s.word()}&page=2"),
        ("/search?speaker=slug", lambda: f"/search?speaker={s.speaker()}"),
        ("/search?outlet=name", lambda: f"/search?outlet={s.outlet()}"),
        ("/search?outlet=name&q=word", lambda: f"/search?outlet={s.outlet()}&q={s.word()}"),
        ("/search?kind=direct&since=2024-01-01", lambda: "/search?kind=direct&since=2024-01-01"),
        ("/search.csv?q=word (download)", lambda: f"/search.csv?q={s.word()}"),
        ("/review", lambda: "/review"),
        ("/review?fix=slug", lambda: f"/review?fix={s.speaker()}"),
        ("/api/stats/top-speakers (a year)", lambda: "/api/stats/top-speakers?since=2025-01-01&until=2025-12-31"),
        ("/api/stats/weekly?speaker=slug", lambda: f"/api/stats/weekly?speaker={s.speaker()}"),
        ("/api/stats/outlets", lambda: "/api/stats/outlets"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", default="/tmp/quotelens-bench/big.db", help="the SQLite store (filled if missing)")
    parser.add_argument("--quotes", type=int, default=1_000_000, help="quotes to fill a new store with")
    parser.add_argument("--requests", type=int, default=300, help="timed requests per page (after 10 to warm up)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--serve-on", type=int, default=None, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()

    store = Path(args.store)
    url = f"sqlite+aiosqlite:///{store}"
    if args.serve_on is not None:
        serve(args.serve_on, url)
        return 0
    if not store.exists():
        store.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "fill_store.py"), url, "--quotes",
                        str(args.quotes), "--speakers", str(max(1000, args.quotes // 10))], check=True)
    samples = Samples(store, args.seed)
    port = _free_port()
    env = {**os.environ, "QUOTELENS_RATE_LIMIT": "off", "QUOTELENS_DATA_DIR": str(store.parent)}
    env.pop("QUOTELENS_API_KEYS", None)
    log = store.parent / "dashboard_serve.log"
    subprocess.run([sys.executable, "-m", "quotelens.cli", "serve", "--migrate-only", "--database-url", url],
                   cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(
        [sys.executable, __file__, "--store", str(store), "--serve-on", str(port)],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            deadline = time.monotonic() + 600
            while True:
                try:
                    if client.get("/ready").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    print(log.read_text()[-3000:], file=sys.stderr)
                    return 1
                time.sleep(0.5)
            # After /ready the process still warms up in the background (the speaker index, then a
            # full collection before freezing what it loaded): timing pages meanwhile would charge
            # that work to them. Wait until the server's CPU is idle for a second.
            _wait_until_idle(server.pid)
            quotes = sqlite3.connect(f"file:{store}?mode=ro", uri=True).execute("SELECT count(*) FROM quotes")
            print(f"store: {store} ({quotes.fetchone()[0]:,} quotes); {args.requests} requests per page, "
                  "one at a time. ms at the server (Server-Timing): wall from request to response, and the "
                  "CPU the server spent; 'client' is the wall time seen by the client over loopback")
            print(f"{'page':40} {'cold':>7} {'wall p50':>9} {'wall p99':>9} {'cpu p50':>8} {'cpu p99':>8} "
                  f"{'client p99':>10}  target: wall p99 <= {TARGET_P99_MS:.0f}")
            worst = {"app": 0.0, "cpu": 0.0}
            for label, make in pages(samples):
                def fetch(path: str) -> tuple[float, float, float, bool]:
                    first = samples.first_visit
                    samples.first_visit = False
                    started = time.perf_counter()
                    r = client.get(path)
                    took = (time.perf_counter() - started) * 1000
                    if r.status_code != 200:
                        raise SystemExit(f"{path}: HTTP {r.status_code}: {r.text[:300]}")
                    timing = _server_timing(r.headers["server-timing"])
                    return timing["app"], timing["cpu"], took, first

                cold = fetch(make())[0]
                for _ in range(10):
                    fetch(make())
                runs = [fetch(make()) for _ in range(args.requests)]
                app_ms, cpu_ms, client_ms = ([float(r[i]) for r in runs] for i in range(3))
                p99 = _percentile(app_ms, 99)
                download = "download" in label  # up to 10,000 rows: a file, not a page to wait for
                if not download:
                    worst["app"] = max(worst["app"], p99)
                    worst["cpu"] = max(worst["cpu"], _percentile(cpu_ms, 99))
                flag = "" if p99 <= TARGET_P99_MS or download else "  over"
                print(f"{label:40} {cold:7.1f} {statistics.median(app_ms):9.1f} {p99:9.1f} "
                      f"{statistics.median(cpu_ms):8.1f} {_percentile(cpu_ms, 99):8.1f} "
                      f"{_percentile(client_ms, 99):10.1f}{flag}", flush=True)
                firsts = sum(r[3] for r in runs)
                if firsts:  # a speaker seen before: its week counts and totals are kept answers
                    again = [r for r in runs if not r[3]]
                    print(f"{'  of which the speaker seen before':40} {'':7} "
                          f"{statistics.median(r[0] for r in again):9.1f} {_percentile([r[0] for r in again], 99):9.1f} "
                          f"{statistics.median(r[1] for r in again):8.1f} {_percentile([r[1] for r in again], 99):8.1f} "
                          f"{'':10}  ({firsts} first visits left out)", flush=True)
            load = os.getloadavg()
            print(f"worst p99 of the pages: wall {worst['app']:.1f} ms, cpu {worst['cpu']:.1f} ms; "
                  f"load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} on {os.cpu_count()} cores")
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
