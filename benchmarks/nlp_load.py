"""Heavy NLP requests against the API: is the work bounded, are the cheap routes still fast? (issue 12, point 1)

    uv run python benchmarks/nlp_load.py                  # starts `quotelens serve` itself (this tree)
    uv run python benchmarks/nlp_load.py --url http://127.0.0.1:8000   # a server already running
    uv run python benchmarks/nlp_load.py --tree /tmp/main-tree         # serve another checkout (before/after)
    uv run python benchmarks/nlp_load.py --busy 2                      # plus 2 CPU-bound sessions (a busier box)

--clients clients (default 3) each send POST /api/extract with a text of --chars
characters (default 200,000, the longest allowed: the seed articles repeated) one after
another for --seconds; half of them also give up after --give-up seconds (the issue's
"clients that leave"). A prober asks GET /health and the read routes (GET /api/articles,
GET /api/speakers) every 0.1 s the whole time, and for --baseline seconds before it with
no NLP load (what the box alone costs). Between the two, a 20,000-character text (a long
article) and one of --chars are timed alone: how fast the engine reads on this box now.
Afterwards a 20-character extract is timed: how long the server stays busy with work
nobody waits for.

Prints: the NLP answers by status, how long each waited for its answer (p50/p99/max, the
503s separately: they come at once or at the budget), how many came later than the budget
(--budget, the server's QUOTELENS_NLP_TIMEOUT), /health and read-route p50/p99/max against
the target (p99 <= 50 ms), the slowest probes (with how long the prober itself waited for a
CPU meanwhile: time the server is not to blame for), how long the server's main thread (its
event loop) waited for a CPU, in all and per wake-up (a started server, Linux), the machine's
load average over the run (the box is shared: it
says how much CPU there was to have), the engine processes the server started (a started
server only: the first, then one per text stopped) and the time to the after-load extract.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
READS = ("/api/articles?limit=20", "/api/speakers?limit=20")
TARGET_P99_MS = 50.0
ARTICLE_CHARS = 20_000  # a long news article: timed alone too, before the load's size


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def _fmt(ms: list[float]) -> str:
    return f"n={len(ms)} p50 {_pct(ms, 50):.1f} ms, p99 {_pct(ms, 99):.1f} ms, max {max(ms, default=float('nan')):.1f} ms"


def long_text(chars: int) -> str:
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    body = "\n\n".join(p.read_text(encoding="utf-8") for p in seeds)
    text = body
    while len(text) < chars:
        text += "\n\n" + body
    return text[:chars]


async def _nlp_client(base: str, body: bytes, seconds: float, give_up: float | None, headers: dict[str, str],
                      results: list[tuple[int | str, float]]) -> None:
    end = time.monotonic() + seconds
    timeout = httpx.Timeout(give_up if give_up else 300.0, connect=5.0)
    headers = {**headers, "Content-Type": "application/json"}
    async with httpx.AsyncClient(base_url=base, timeout=timeout, headers=headers) as client:
        while time.monotonic() < end:
            t0 = time.perf_counter()
            try:
                r = await client.post("/api/extract", content=body)
                results.append((r.status_code, time.perf_counter() - t0))
                if r.status_code == 503:
                    await asyncio.sleep(float(r.headers.get("Retry-After", "1")))
            except httpx.TimeoutException:
                results.append(("gave up", time.perf_counter() - t0))
            except httpx.HTTPError as exc:
                results.append((type(exc).__name__, time.perf_counter() - t0))


def _cpu_wait_ms() -> float:
    """Milliseconds this thread has waited for a CPU so far (Linux schedstat; 0 elsewhere)."""
    try:
        with open("/proc/thread-self/schedstat") as f:
            return int(f.read().split()[1]) / 1e6
    except (OSError, ValueError, IndexError):
        return 0.0


def _schedstat(pid: int | None) -> tuple[float, int]:
    """(ms `pid`'s main thread has waited for a CPU, times it was given one) so far; (0, 0) if unknown."""
    if pid is None:
        return 0.0, 0
    try:
        with open(f"/proc/{pid}/task/{pid}/schedstat") as f:
            _, wait, slices = f.read().split()[:3]
        return int(wait) / 1e6, int(slices)
    except (OSError, ValueError):
        return 0.0, 0


def _engine_pids(server: int) -> set[int]:
    """The engine processes (`serve_engine`) among the children of `server` now."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if ppid == server and b"serve_engine" in (entry / "cmdline").read_bytes():
                found.add(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


class Probes:
    """GET /health, the reads and /ready every 0.1 s until stopped: their times, and when things happened."""

    def __init__(self, base: str, server: int | None, *, watch_engines: bool = True) -> None:
        self.base = base
        self.server = server
        self.watch_engines = watch_engines
        self.server_waits = (_schedstat(server), _schedstat(server))  # at start, at stop
        self.started = time.monotonic()
        self.health: list[float] = []
        self.reads: list[float] = []
        self.ready = Counter[int]()
        self.failures = Counter[str]()
        self.loads: list[float] = [os.getloadavg()[0]]
        # (ms, seconds since start, path, ms of it the prober itself waited for a CPU)
        self.slow: list[tuple[float, float, str, float]] = []
        self.engines: dict[int, float] = {}  # engine pid -> seconds since start when first seen
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._see_engines()

    def start(self) -> None:
        self._task = asyncio.create_task(self._probe())

    async def stop(self) -> None:
        self.server_waits = (self.server_waits[0], _schedstat(self.server))
        self._stop.set()
        if self._task is not None:
            await self._task

    def server_wait(self) -> str:
        """How long the server's event loop waited for a CPU each time it woke (Linux; started server only)."""
        (wait0, runs0), (wait1, runs1) = self.server_waits
        if runs1 <= runs0:
            return "unknown"
        return f"{wait1 - wait0:,.0f} ms in all, {(wait1 - wait0) / (runs1 - runs0):.2f} ms a wake-up on average"

    def _see_engines(self) -> None:
        if self.server is not None and self.watch_engines:
            for pid in _engine_pids(self.server):
                self.engines.setdefault(pid, time.monotonic() - self.started)

    async def _probe(self) -> None:
        async with httpx.AsyncClient(base_url=self.base, timeout=10.0) as client:
            await client.get("/health")  # not counted: the connection is opened (the client's first-use costs)
            while not self._stop.is_set():
                for path in ("/health", *READS):
                    t0, waited = time.perf_counter(), _cpu_wait_ms()
                    try:
                        r = await client.get(path)
                        ms = (time.perf_counter() - t0) * 1000
                        if r.status_code == 200:
                            (self.health if path == "/health" else self.reads).append(ms)
                            self.slow.append((ms, time.monotonic() - self.started, path, _cpu_wait_ms() - waited))
                        else:
                            self.failures[f"{path} {r.status_code}"] += 1
                    except httpx.HTTPError as exc:
                        self.failures[f"{path} {type(exc).__name__}"] += 1
                self.ready[(await client.get("/ready")).status_code] += 1
                self.loads.append(os.getloadavg()[0])
                self._see_engines()
                await asyncio.sleep(0.1)

    def slowest(self, n: int = 5) -> str:
        return ", ".join(f"{path.split('?')[0]} {ms:.0f} ms at +{at:.1f} s (prober waited {wait:.0f} ms for a CPU)"
                         for ms, at, path, wait in sorted(self.slow)[-n:])


def _verdict(ms: list[float]) -> str:
    p99 = _pct(ms, 99)
    return f"p99 {p99:.1f} ms {'<=' if p99 <= TARGET_P99_MS else '>'} {TARGET_P99_MS:g} ms: " + (
        "met" if p99 <= TARGET_P99_MS else "NOT met")


async def _run(base: str, clients: int, chars: int, seconds: float, give_up: float, key: str, budget: float,
               baseline: float, server: int | None) -> None:
    text = long_text(chars)
    body = json.dumps({"text": text}).encode()  # encoded once: the clients' own CPU is not the server's latency
    headers = {"X-API-Key": key} if key else {}
    # The same probes with no NLP load first: what the shared box alone costs them.
    calm = Probes(base, server, watch_engines=False)
    calm.start()
    await asyncio.sleep(baseline)
    await calm.stop()
    async with httpx.AsyncClient(base_url=base, timeout=300.0, headers=headers) as client:
        for size in sorted({min(ARTICLE_CHARS, chars), chars}):  # an article's size, then the load's
            t0 = time.perf_counter()
            r = await client.post("/api/extract", json={"text": text[:size]})
            print(f"one {size:,}-character text alone: {r.status_code} in {time.perf_counter() - t0:.1f} s")
    results: list[tuple[int | str, float]] = []
    probes = Probes(base, server)
    probes.start()
    await asyncio.gather(*(
        _nlp_client(base, body, seconds, give_up if i % 2 else None, headers, results) for i in range(clients)))
    load_ended = time.monotonic()
    async with httpx.AsyncClient(base_url=base, timeout=600.0, headers=headers) as client:
        t0 = time.perf_counter()
        r = await client.post("/api/extract", json={"text": "He said: \"Hi there.\""})
        after = time.perf_counter() - t0
    await probes.stop()
    print(f"no NLP load, {baseline:g} s (load average {max(calm.loads):.2f}): /health {_fmt(calm.health)}; "
          f"reads {_fmt(calm.reads)}; the server's event loop waited for a CPU {calm.server_wait()}")
    print(f"load: {clients} clients x {chars:,}-character texts for {seconds:g} s "
          f"(every other client gives up after {give_up:g} s); ran {load_ended - probes.started:.1f} s")
    loads = probes.loads
    print(f"  machine load average (1 min) during the run: start {loads[0]:.2f}, max {max(loads):.2f}, "
          f"end {loads[-1]:.2f} ({os.cpu_count()} CPUs)")
    by_status = Counter(str(s) for s, _ in results)
    print(f"  NLP answers: {dict(sorted(by_status.items()))}; 503s: {by_status.get('503', 0)}")
    for status in sorted(by_status):
        waits = [w * 1000 for s, w in results if str(s) == status]
        print(f"  NLP {status}: waited {_fmt(waits)}")
    late = [w for s, w in results if isinstance(s, int) and w > budget + 1.0]
    print(f"  NLP answers later than the {budget:g} s budget (+1 s): {len(late)}"
          + (f" (max {max(late):.1f} s)" if late else ""))
    print(f"  /health: {_fmt(probes.health)}; {_verdict(probes.health)}")
    print(f"  read routes {', '.join(READS)}: {_fmt(probes.reads)}; {_verdict(probes.reads)}")
    print(f"  slowest probes: {probes.slowest()}")
    print(f"  the server's event loop waited for a CPU: {probes.server_wait()}")
    print(f"  /ready: {probes.ready[200]} x 200, {probes.ready[503]} x 503 (NLP queue full)")
    print(f"  probe failures: {dict(probes.failures)}")
    if server is not None:
        starts = ", ".join(f"+{at:.1f} s" for at in sorted(probes.engines.values()))
        print(f"  engine processes seen under the server: {len(probes.engines)} (the first, then one per text "
              f"stopped; first seen at {starts})")
    print(f"  after the load: a 20-character extract answered {r.status_code} in {after:.2f} s")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", help="a running server (default: start `quotelens serve` on a free port)")
    p.add_argument("--clients", type=int, default=3)
    p.add_argument("--chars", type=int, default=200_000)
    p.add_argument("--seconds", type=float, default=30.0)
    p.add_argument("--give-up", type=float, default=2.0, help="seconds after which the leaving clients hang up")
    p.add_argument("--key", default="", help="X-API-Key to send (a server with keys)")
    p.add_argument("--tree", type=Path, default=ROOT,
                   help="the source tree whose `quotelens serve` to start (default: this one); e.g. "
                        "`git archive main | tar -x -C /tmp/main-tree` for a before/after on one box")
    p.add_argument("--baseline", type=float, default=10.0,
                   help="seconds of probes with no NLP load first (default 10)")
    p.add_argument("--busy", type=int, default=0,
                   help="processes spinning on a CPU the whole run, each a session of its own: the other "
                        "users of a shared box, in a number that can be repeated (default 0)")
    p.add_argument("--budget", type=float, default=30.0,
                   help="the server's QUOTELENS_NLP_TIMEOUT, to count answers that came later (default 30)")
    args = p.parse_args()
    server = None
    base = args.url
    if base is None:
        port = _free_port()
        data = tempfile.mkdtemp(prefix="quotelens-nlp-load-")
        env = {**os.environ, "QUOTELENS_DATA_DIR": data, "QUOTELENS_RATE_LIMIT": "off",
               "QUOTELENS_NLP_TIMEOUT": f"{args.budget:g}", "QUOTELENS_SEEDS_DIR": str(args.tree / "seeds")}
        # `-m` puts the working directory first on the import path: the tree's code is served
        server = subprocess.Popen([sys.executable, "-m", "quotelens.cli", "serve", "--port", str(port),
                                   "--log-level", "warning"], env=env, cwd=args.tree)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        print(f"server: quotelens serve of {args.tree} on {base} (seeded store, rate limit off, "
              f"NLP budget {args.budget:g} s)")
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True)
                for _ in range(args.busy)]
    if spinners:
        print(f"busy: {len(spinners)} processes spinning, each a session of its own")
    try:
        asyncio.run(_run(base, args.clients, args.chars, args.seconds, args.give_up, args.key, args.budget,
                         args.baseline, server.pid if server is not None else None))
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()
        if server is not None:
            server.terminate()
            server.wait(timeout=60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
