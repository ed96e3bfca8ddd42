"""An open-loop (constant-rate) HTTP/1.1 load generator on plain asyncio streams.

Operations start at fixed times (start + i / rate) whether or not earlier ones
have finished, each on an idle keep-alive connection or a new one, so a slow
server meets the same arrival rate instead of slowing the generator down.
Latency runs from the scheduled start to the last byte of the answer, which
counts any queueing the server (or the generator) caused: no coordinated omission.
"""

from __future__ import annotations

import asyncio
import gc
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

__all__ = ["Client", "Result", "run_open_loop", "percentile"]

MAX_CONNECTIONS = 512
TIMEOUT = 10.0


class HttpError(Exception):
    """A non-2xx answer, or no answer."""


@dataclass
class Result:
    """What one scenario measured."""

    name: str
    rate: float
    duration: float
    latencies: list[float] = field(default_factory=list)  # seconds, of successful operations
    steps: dict[str, list[float]] = field(default_factory=dict)  # per request of a chained operation
    errors: dict[str, int] = field(default_factory=dict)
    scheduled: int = 0
    wall: float = 0.0
    max_send_lag: float = 0.0  # how late the generator itself started an operation
    connections: int = 0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(p / 100 * len(s) + 0.5)) - 1))]


class _Conn:
    __slots__ = ("reader", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer


class Client:
    """Keep-alive connections to one host; `get` returns (status, body)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.idle: list[_Conn] = []
        self.opened = 0
        self._slots = asyncio.Semaphore(MAX_CONNECTIONS)

    async def get(self, path: str) -> tuple[int, bytes]:
        async with self._slots:
            conn = self.idle.pop() if self.idle else None
            if conn is not None:
                try:
                    return await self._exchange(conn, path)
                except (asyncio.IncompleteReadError, ConnectionError):
                    pass  # the server closed an idle keep-alive connection: once more on a new one
            reader, writer = await asyncio.open_connection(self.host, self.port)
            self.opened += 1
            return await self._exchange(_Conn(reader, writer), path)

    async def _exchange(self, conn: _Conn, path: str) -> tuple[int, bytes]:
        try:
            conn.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\nAccept: application/json\r\n\r\n"
                              .encode())
            head = await conn.reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            close = False
            for line in head.split(b"\r\n")[1:]:
                k, _, v = line.partition(b":")
                k = k.strip().lower()
                if k == b"content-length":
                    length = int(v)
                elif k == b"connection" and v.strip().lower() == b"close":
                    close = True
            body = await conn.reader.readexactly(length) if length else b""
        except BaseException:
            conn.writer.close()
            raise
        if close:
            conn.writer.close()
        else:
            self.idle.append(conn)
        return status, body

    async def close(self) -> None:
        for conn in self.idle:
            conn.writer.close()
        self.idle.clear()


Operation = Callable[[Client, random.Random, Callable[[str, float], None]], Awaitable[None]]


async def run_open_loop(
    client: Client, name: str, operation: Operation, rate: float, duration: float, seed: int = 1
) -> Result:
    """Start `operation` rate times a second for `duration` seconds; wait for the stragglers."""
    result = Result(name=name, rate=rate, duration=duration)
    rng = random.Random(seed)
    tasks: set[asyncio.Task[None]] = set()
    opened_before = client.opened

    def record_step(step: str, seconds: float) -> None:
        result.steps.setdefault(step, []).append(seconds)

    async def one(scheduled: float) -> None:
        try:
            await asyncio.wait_for(operation(client, rng, record_step), TIMEOUT)
        except TimeoutError:
            result.errors["timeout"] = result.errors.get("timeout", 0) + 1
            return
        except HttpError as exc:
            key = str(exc)
            result.errors[key] = result.errors.get(key, 0) + 1
            return
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            key = type(exc).__name__
            result.errors[key] = result.errors.get(key, 0) + 1
            return
        result.latencies.append(time.perf_counter() - scheduled)

    gc.collect()
    gc.disable()  # a collection pause in the generator would show as server latency
    try:
        start = time.perf_counter()
        total = int(rate * duration)
        for i in range(total):
            at = start + i / rate
            delay = at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                result.max_send_lag = max(result.max_send_lag, -delay)
            task = asyncio.get_running_loop().create_task(one(at))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        result.scheduled = total
        if tasks:
            await asyncio.wait(set(tasks))
        result.wall = time.perf_counter() - start
    finally:
        gc.enable()
    result.connections = client.opened - opened_before
    return result


async def get_ok(client: Client, path: str, record: Callable[[str, float], None], step: str) -> bytes:
    """GET `path`; raise HttpError unless it answers 200. Records the request's own time under `step`."""
    t0 = time.perf_counter()
    status, body = await client.get(path)
    record(step, time.perf_counter() - t0)
    if status != 200:
        raise HttpError(f"HTTP {status}")
    return body


async def run_closed_loop(client: Client, operation: Operation, concurrency: int, duration: float,
                          seed: int = 3) -> tuple[float, int]:
    """The most operations a second the server completes with `concurrency` always in flight: (rate, errors)."""
    rng = random.Random(seed)
    done = errors = 0
    stop = time.perf_counter() + duration

    def ignore(_step: str, _seconds: float) -> None:
        pass

    async def worker() -> None:
        nonlocal done, errors
        while time.perf_counter() < stop:
            try:
                await asyncio.wait_for(operation(client, rng, ignore), TIMEOUT)
                done += 1
            except (TimeoutError, HttpError, OSError, asyncio.IncompleteReadError, ValueError):
                errors += 1

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done / (time.perf_counter() - t0), errors
