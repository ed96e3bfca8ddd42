"""Slow clients on loopback: are they cut off, and are the others still served? (issue 12, point 4)

    uv run python benchmarks/slowloris.py                        # starts `quotelens serve` itself
    uv run python benchmarks/slowloris.py --url http://127.0.0.1:8000   # a server already running

Opens --connections sockets that send a request's headers one byte a second, and
--stalled sockets that send headers plus half the body their Content-Length
promises, then nothing. Meanwhile a well-behaved client asks GET /health and
GET /api/articles every 0.1 s. Prints how many slow connections the server
closed and how soon, and the well-behaved client's answers and latencies.
Bounded: it stops after --seconds, whatever the server does.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def _slow_headers(host: str, port: int, seconds: float, closed: list[float]) -> None:
    start = time.monotonic()
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError:
        closed.append(0.0)  # refused at once counts as cut off
        return
    trickle = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X-Slow: " + b"a" * 200
    try:
        for i in range(len(trickle)):
            if time.monotonic() - start > seconds:
                return
            writer.write(trickle[i:i + 1])
            await writer.drain()
            try:
                data = await asyncio.wait_for(reader.read(1024), timeout=1.0)
                if data == b"" or data.startswith(b"HTTP/1.1 408"):
                    closed.append(time.monotonic() - start)
                    return
            except TimeoutError:
                continue
    except (ConnectionError, OSError):
        closed.append(time.monotonic() - start)
    finally:
        writer.close()


async def _stalled_body(host: str, port: int, seconds: float, closed: list[float]) -> None:
    start = time.monotonic()
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError:
        closed.append(0.0)
        return
    body = b'{"text": "' + b"x" * 100
    writer.write(b"POST /api/extract HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 b"Content-Length: %d\r\n\r\n" % (len(body) * 2) + body)
    try:
        await writer.drain()
        data = await asyncio.wait_for(reader.read(), timeout=seconds)
        del data
        closed.append(time.monotonic() - start)
    except TimeoutError:
        return
    except (ConnectionError, OSError):
        closed.append(time.monotonic() - start)
    finally:
        writer.close()


async def _good_client(base: str, seconds: float, timings: dict[str, list[float]], failures: list[str]) -> None:
    end = time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=base, timeout=5.0) as client:
        while time.monotonic() < end:
            for path in ("/health", "/api/articles"):
                t0 = time.perf_counter()
                try:
                    r = await client.get(path)
                    if r.status_code != 200:
                        failures.append(f"{path} {r.status_code}")
                    else:
                        timings[path].append((time.perf_counter() - t0) * 1000)
                except httpx.HTTPError as exc:
                    failures.append(f"{path} {type(exc).__name__}")
            await asyncio.sleep(0.1)


async def _run(base: str, connections: int, stalled: int, seconds: float) -> None:
    parts = urlsplit(base)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    slow_closed: list[float] = []
    body_closed: list[float] = []
    timings: dict[str, list[float]] = {"/health": [], "/api/articles": []}
    failures: list[str] = []
    t0 = time.monotonic()
    tasks = [asyncio.create_task(_slow_headers(host, port, seconds, slow_closed)) for _ in range(connections)]
    tasks += [asyncio.create_task(_stalled_body(host, port, seconds, body_closed)) for _ in range(stalled)]
    tasks.append(asyncio.create_task(_good_client(base, seconds, timings, failures)))
    await asyncio.gather(*tasks)
    print(f"slowloris: {connections} slow-header connections (1 byte/s) and {stalled} stalled bodies "
          f"for {seconds:g} s on {base} (took {time.monotonic() - t0:.1f} s)")
    for name, closed, total in (("slow headers", slow_closed, connections), ("stalled bodies", body_closed, stalled)):
        when = (f"; closed after p50 {statistics.median(closed):.1f} s, max {max(closed):.1f} s" if closed else "")
        print(f"  {name}: {len(closed)}/{total} closed by the server{when}")
    for path, ms in timings.items():
        print(f"  good client {path}: {len(ms)} answered 200, p50 {_pct(ms, 50):.1f} ms, "
              f"p99 {_pct(ms, 99):.1f} ms, max {max(ms, default=float('nan')):.1f} ms")
    print(f"  good client failures: {len(failures)} {sorted(set(failures))[:5]}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", help="a running server (default: start `quotelens serve` on a free port)")
    p.add_argument("--connections", type=int, default=300)
    p.add_argument("--stalled", type=int, default=20)
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--header-timeout", default="5", help="QUOTELENS_HEADER_TIMEOUT for the server started")
    p.add_argument("--body-timeout", default="5", help="QUOTELENS_BODY_TIMEOUT for the server started")
    args = p.parse_args()
    server = None
    base = args.url
    if base is None:
        port = _free_port()
        data = tempfile.mkdtemp(prefix="quotelens-slowloris-")
        env = {**os.environ, "QUOTELENS_DATA_DIR": data, "QUOTELENS_SEED_ON_START": "false",
               "QUOTELENS_RATE_LIMIT": "off", "QUOTELENS_HEADER_TIMEOUT": args.header_timeout,
               "QUOTELENS_BODY_TIMEOUT": args.body_timeout}
        server = subprocess.Popen([sys.executable, "-m", "quotelens.cli", "serve", "--port", str(port),
                                   "--log-level", "warning"], env=env, cwd=ROOT)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        print(f"server: quotelens serve on {base}, header timeout {args.header_timeout} s, "
              f"body timeout {args.body_timeout} s")
    try:
        asyncio.run(_run(base, args.connections, args.stalled, args.seconds))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
