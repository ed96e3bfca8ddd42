"""SIGKILL `quotelens worker` processes mid-job: another worker retries, every article is stored once.

The short version of `uv run python benchmarks/kill_queue.py --kills 20` (which
the report quotes): two workers forked from one process that loaded the real
pipeline, one killed at random every 0.3-2 s and replaced, on SQLite.
"""

from __future__ import annotations

import re
import subprocess
import sys

import faultkit
from tests_redis import redis_or_skip

ROOT = faultkit.ROOT


def test_killed_workers_lose_no_article_and_store_none_twice() -> None:
    redis_or_skip()
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "kill_queue.py"), "--kills", "4", "--articles", "30",
         "--heartbeat", "1"],
        capture_output=True, text=True, timeout=900, cwd=ROOT,
    )
    print(result.stdout[-3000:], result.stderr[-3000:])
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    summary = re.search(r"sqlite: kills: (\d+) \((\d+) mid-job[^)]*\).*lost: (\d+), duplicated: (\d+), "
                        r"half-written: (\d+), failed jobs: (\d+)", result.stdout)
    assert summary is not None, result.stdout
    kills, mid_job, lost, duplicated, half, failed = map(int, summary.groups())
    assert kills >= 4 and mid_job >= 1
    assert (lost, duplicated, half, failed) == (0, 0, 0, 0)
