"""A Redis server for the tests of the job queue: a running one if it answers, else a throwaway one.

Order of preference:
1. QUOTELENS_TEST_REDIS_URL (any redis:// URL);
2. a server on 127.0.0.1:6379;
3. `redis-server` from Debian's package (apt-get install redis-server), started on
   a free loopback port with no persistence, stopped at exit.

Each test gets its own queue name (`unique_queue_name`): SAQ keeps a queue's keys
under saq:NAME:, so runs and tests never see each other's jobs; `drop_queue`
removes them. When none of the above works the tests fail under CI=true and are
skipped (with the reason) elsewhere.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass

__all__ = ["RedisServer", "drop_queue", "find_or_start_server", "unique_queue_name"]


@dataclass
class RedisServer:
    url: str
    how: str  # said in the test report


def _answers(url: str) -> str | None:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_throwaway() -> RedisServer:
    binary = shutil.which("redis-server") or ("/usr/bin/redis-server" if os.path.exists("/usr/bin/redis-server")
                                              else None)
    if binary is None:
        raise RuntimeError("no Redis on 127.0.0.1:6379 and no redis-server binary (apt-get install redis-server)")
    port = _free_port()
    folder = tempfile.mkdtemp(prefix="quotelens-redis-")
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", folder],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )

    def stop() -> None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(folder, ignore_errors=True)

    atexit.register(stop)
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while (why := _answers(url)) is not None:
        if time.monotonic() > deadline or proc.poll() is not None:
            stop()
            raise RuntimeError(f"redis-server did not start: {why}")
        time.sleep(0.1)
    return RedisServer(url, f"a throwaway redis-server on port {port} (pid {proc.pid})")


_found: RedisServer | None = None


def find_or_start_server() -> RedisServer:
    """A Redis to use (found or started once per process); RuntimeError when there is none."""
    global _found
    if _found is not None:
        return _found
    configured = os.environ.get("QUOTELENS_TEST_REDIS_URL", "").strip()
    if configured:
        why = _answers(configured)
        if why is not None:
            raise RuntimeError(f"QUOTELENS_TEST_REDIS_URL={configured} does not answer: {why}")
        _found = RedisServer(configured, f"QUOTELENS_TEST_REDIS_URL ({configured})")
    elif _answers("redis://127.0.0.1:6379/0") is None:
        _found = RedisServer("redis://127.0.0.1:6379/0", "the running server on 127.0.0.1:6379")
    else:
        _found = _start_throwaway()
    return _found


def unique_queue_name(prefix: str = "quotelens-test") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def drop_queue(url: str, name: str) -> None:
    """Delete every key of the SAQ queue `name`."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"saq:{name}:*", count=1000))
        keys += list(client.scan_iter(match=f"saq:job:{name}:*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()
