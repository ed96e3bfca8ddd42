"""SIGKILL `quotelens ingest` at random moments: nothing acknowledged is lost, nothing is half-written.

The long version, with fresh processes and more rounds: `uv run python
benchmarks/kill_ingest.py --rounds 100`.
"""

from __future__ import annotations

import random
import uuid
from pathlib import Path

import faultkit
import pytest

KILLS = 10  # per backend: 20 in all


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_killed_ingest_keeps_every_acknowledged_article_and_a_rerun_finishes_once(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, forker: faultkit.Forker, corpus: Path,
    clean_run: faultkit.Snapshot,
) -> None:
    pg_urls: list[str] = []

    def fresh_store() -> str:
        if backend == "sqlite":
            return f"sqlite+aiosqlite:///{tmp_path / uuid.uuid4().hex[:8] / 'store.db'}"
        if not pg_urls:
            pg_urls.append(request.getfixturevalue("pg_url"))
            return pg_urls[0]
        return _new_pg_database(request, pg_urls)

    seed = random.randrange(1 << 30)
    report = faultkit.kill_ingest_campaign(
        forker, corpus, fresh_store, tmp_path, clean_run, kills=KILLS, window=(0.0, 1.0),
        article_seconds=clean_run.seconds / len(clean_run.articles), rng=random.Random(seed),
    )
    print(f"{backend}: seed {seed}: {report.summary()}")
    assert report.problems == [], f"seed {seed}: " + "\n".join(report.problems[:20])
    assert report.kills >= KILLS and report.cycles >= 1
    assert report.acknowledged_by_killed > 0  # some kills came after commits, not all during start-up
    assert (report.lost, report.duplicated, report.half_written) == (0, 0, 0)


def _new_pg_database(request: pytest.FixtureRequest, urls: list[str]) -> str:
    import pg

    server = request.getfixturevalue("pg_server")
    url = pg.create_database(server, prefix="quotelens_faults")
    request.addfinalizer(lambda: pg.drop_database(server, url))
    urls.append(url.render_as_string(hide_password=False))
    return urls[-1]
