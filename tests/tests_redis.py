"""`redis_or_skip`: the Redis of tests/redis_server.py, or a skip (a failure under CI=true) saying why."""

from __future__ import annotations

import os

import redis_server


def redis_or_skip() -> redis_server.RedisServer:
    try:
        return redis_server.find_or_start_server()
    except RuntimeError as exc:
        import pytest

        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"job queue tests cannot run under CI: {exc}", pytrace=False)
        pytest.skip(f"job queue tests skipped: {exc}")
        raise
