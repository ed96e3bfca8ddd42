"""The alembic migrations: they build exactly the models' schema, with full-text search, and undo cleanly."""

from __future__ import annotations

import asyncio

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

from api.store.db import normalise_database_url
from api.store.migrate import downgrade, include_object, upgrade
from api.store.models import Base


@pytest.fixture
def fresh_url(backend: str, request: pytest.FixtureRequest, tmp_path) -> str:  # noqa: ANN001
    """An empty database (no tables at all)."""
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    import pg

    server = request.getfixturevalue("pg_server")
    url = pg.create_database(server, "quotelens_migrate")
    request.addfinalizer(lambda: pg.drop_database(server, url))
    return url.render_as_string(hide_password=False)


async def _inspect(url: str):  # noqa: ANN202
    engine = create_async_engine(normalise_database_url(url))
    try:
        async with engine.connect() as conn:
            def go(sync_conn):  # noqa: ANN001, ANN202
                diffs = compare_metadata(
                    MigrationContext.configure(sync_conn, opts={"include_object": include_object}), Base.metadata
                )
                return diffs, set(inspect(sync_conn).get_table_names())
            diffs, tables = await conn.run_sync(go)
            if engine.dialect.name == "sqlite":
                fts = (await conn.execute(text("SELECT name FROM sqlite_master WHERE name LIKE 'quotes_fts%'"))).all()
            else:
                fts = (await conn.execute(text(
                    "SELECT column_name FROM information_schema.columns WHERE table_name='quotes' AND column_name='text_tsv'"
                ))).all()
            version = (await conn.execute(text("SELECT value FROM store_meta"))).scalar() if "store_meta" in tables else None
    finally:
        await engine.dispose()
    return diffs, tables, fts, version


async def test_upgrade_matches_models_and_downgrade_removes_all(fresh_url: str) -> None:
    await upgrade(fresh_url)
    await upgrade(fresh_url)  # a second run is a no-op
    diffs, tables, fts, version = await _inspect(fresh_url)
    assert diffs == []
    assert {"articles", "quotes", "speakers", "speaker_aliases", "speaker_attributes", "mentions",
            "speaker_redirects", "store_meta"} <= tables
    assert fts, "full-text search structures are missing"
    assert version == 0
    await downgrade(fresh_url)
    _, tables, fts, _ = await _inspect(fresh_url)
    assert tables <= {"alembic_version"} and not fts


async def test_concurrent_upgrades_do_not_collide(fresh_url: str) -> None:
    """Several processes migrating one database at once (compose's migrate step and the api, say)."""
    import subprocess
    import sys

    procs = [
        await asyncio.create_subprocess_exec(sys.executable, "-m", "api.store.migrate", fresh_url,
                                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    results = [await p.communicate() for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], results
    await asyncio.gather(upgrade(fresh_url), upgrade(fresh_url))  # and within one process
    diffs, *_ = await _inspect(fresh_url)
    assert diffs == []


def test_throwaway_postgresql_cluster_for_laptops_without_a_server() -> None:
    """The fallback tests/pg.py uses when no server runs: Debian's initdb on a free loopback port."""
    import pg

    server = pg._start_cluster()
    try:
        assert server.url.host == "127.0.0.1" and server.url.port != 5432
        url = pg.create_database(server)
        asyncio.run(upgrade(url.render_as_string(hide_password=False)))
        diffs, tables, fts, _ = asyncio.run(_inspect(url.render_as_string(hide_password=False)))
        assert diffs == [] and "quotes" in tables and fts
    finally:
        server.stop()  # type: ignore[operator]
