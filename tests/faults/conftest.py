"""Fixtures for the fault tests: a PostgreSQL server, the ingest forker, a corpus and its clean run.

The corpus is the seed articles and the shortest PolNeAR dev texts (copied to a
temporary folder); the clean run is one uninterrupted `quotelens ingest` of it,
what every killed-and-resumed run must end up equal to.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))  # tests/pg.py
sys.path.insert(0, str(ROOT / "benchmarks"))  # benchmarks/faultkit.py

import faultkit  # noqa: E402
import pg  # noqa: E402

CORPUS_SIZE = 10


require = faultkit.require


@pytest.fixture(scope="session")
def pg_server() -> pg.PgServer:
    try:
        return pg.find_or_start_server()
    except RuntimeError as exc:
        require(False, f"no PostgreSQL: {exc}")
        raise


@pytest.fixture
def pg_url(pg_server: pg.PgServer) -> Iterator[str]:
    """A new, empty database (not migrated: the command under test does that)."""
    url = pg.create_database(pg_server, prefix="quotelens_faults")
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        pg.drop_database(pg_server, url)


@pytest.fixture
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store of the test's `backend` parameter."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture(scope="session")
def forker() -> Iterator[faultkit.Forker]:
    with faultkit.Forker() as f:
        yield f


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    try:
        faultkit.make_corpus(folder, CORPUS_SIZE, shortest=True)
    except RuntimeError as exc:
        require(False, str(exc))
    return folder


@pytest.fixture(scope="session")
def clean_run(forker: faultkit.Forker, corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> faultkit.Snapshot:
    """The store after one uninterrupted ingest of the corpus."""
    folder = tmp_path_factory.mktemp("clean")
    url = f"sqlite+aiosqlite:///{folder / 'store.db'}"
    result = forker.run(["ingest", "--no-progress", str(corpus)],
                        {"QUOTELENS_DATABASE_URL": url, "QUOTELENS_DATA_DIR": str(folder)},
                        folder / "output.txt", None)
    assert result.code == 0, (folder / "output.txt").read_text()
    snapshot = faultkit.store_snapshot(url)
    snapshot.seconds = result.seconds
    assert len(snapshot.articles) == CORPUS_SIZE and snapshot.quote_total > 0
    return snapshot
