"""Fixtures for the API and store tests: both backends, the app, the real pipeline once.

Every store test runs against SQLite and PostgreSQL (`backend` parameter). The
PostgreSQL server is found or started by tests/pg.py; the session gets a fresh
database, migrated once and truncated before each test. SQLite tests copy a
migrated template file.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/pg.py

import pg  # noqa: E402
from api_records import ScriptedExtractor  # noqa: E402

from api.services import Services  # noqa: E402
from api.store.migrate import upgrade  # noqa: E402
from quotelens.settings import Settings, settings_from_env  # noqa: E402

BACKENDS = ("sqlite", "postgresql")
TABLES = ("mentions", "quotes", "speaker_attributes", "speaker_aliases", "speaker_redirects", "speakers", "articles",
          "speaker_changes")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # One event loop for the whole session: session fixtures and tests share it.
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here) and asyncio.iscoroutinefunction(
            getattr(item, "function", None)
        ):
            item.add_marker(pytest.mark.asyncio(loop_scope="session"))


def _say(config: pytest.Config, line: str) -> None:
    """Print past pytest's output capture, so the run's log says which database it used."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        print(line, file=sys.stderr)
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line(line)


@pytest.fixture(scope="session")
def pg_server(pytestconfig: pytest.Config) -> Iterator[pg.PgServer]:
    try:
        server = pg.find_or_start_server()
    except RuntimeError as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL tests cannot run under CI: {exc}", pytrace=False)
        pytest.skip(f"PostgreSQL tests skipped: {exc}")
    _say(pytestconfig, f"\nPostgreSQL for tests/api: {server.how} ({server.display})")
    yield server


@pytest.fixture(scope="session")
def pg_database(pg_server: pg.PgServer, pytestconfig: pytest.Config) -> Iterator[str]:
    url = pg.create_database(pg_server)
    _say(pytestconfig, f"PostgreSQL test database: {url.database}")
    url_text = url.render_as_string(hide_password=False)
    asyncio.run(upgrade(url_text))
    try:
        yield url_text
    finally:
        pg.drop_database(pg_server, url)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    asyncio.run(upgrade(f"sqlite+aiosqlite:///{path}"))
    return path


async def _truncate(url: str) -> None:
    import asyncpg
    from sqlalchemy.engine import make_url

    conn = await asyncpg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        await conn.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
        await conn.execute("UPDATE store_meta SET value = 0")
    finally:
        await conn.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty store for one test."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "store.db"
        shutil.copyfile(template, path)
        return f"sqlite+aiosqlite:///{path}"
    url: str = request.getfixturevalue("pg_database")
    asyncio.run(_truncate(url))
    return url


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings as with no configuration, except a private data dir and no rate limit."""
    return settings_from_env({"QUOTELENS_DATA_DIR": str(tmp_path / "data"), "QUOTELENS_RATE_LIMIT": "off",
                              "QUOTELENS_SPEAKER_INDEX_REFRESH_SECONDS": "0"})


@pytest.fixture
def extractor() -> ScriptedExtractor:
    return ScriptedExtractor()


@pytest_asyncio.fixture
async def services(settings: Settings, database_url: str, extractor: ScriptedExtractor) -> AsyncIterator[Services]:
    svc = Services.build(settings, extractor=extractor, database_url=database_url)
    try:
        yield svc
    finally:
        await svc.close()


@pytest.fixture(scope="session")
def real_extractor():  # noqa: ANN201 - attribution.Extractor
    """The real attribution pipeline, loaded once per session."""
    from attribution import Extractor

    return Extractor()


@pytest.fixture
def make_client(settings: Settings, database_url: str, extractor: ScriptedExtractor):  # noqa: ANN201
    """Build an AsyncTestClient on the real app; overrides change settings for that app."""
    from dataclasses import replace

    from litestar.testing import AsyncTestClient

    from api.web.app import create_app

    def build(extractor_override=None, engine=None, **overrides):  # noqa: ANN001, ANN202
        # `engine` (a ProcessEngine of tests/api/engine_doubles.py) replaces the scripted extractor
        app = create_app(replace(settings, **overrides), engine=engine,
                         extractor=None if engine is not None else extractor_override or extractor,
                         database_url=database_url)
        return AsyncTestClient(app=app)

    return build


@pytest_asyncio.fixture
async def client(make_client):  # noqa: ANN001, ANN201
    async with make_client() as c:
        yield c
