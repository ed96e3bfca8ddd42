"""The alembic migrations: they build exactly the models' schema, with full-text search, and undo cleanly."""

from __future__ import annotations

import asyncio
from datetime import date

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


async def test_undated_articles_move_out_of_date_ranges(fresh_url: str) -> None:
    """Migration 0006: an article stored undated (it took its ingest day) moves to UNDATED, with
    its quotes and mentions; its speakers' first and last seen dates no longer count it."""
    await upgrade(fresh_url, "0005")
    engine = create_async_engine(normalise_database_url(fresh_url))
    now = "2026-01-01 00:00:00"
    try:
        async with engine.begin() as conn:
            for aid, published, seen in ((1, "2020-05-05", "2020-05-05"), (2, None, "2026-01-01")):
                await conn.execute(text(
                    "INSERT INTO articles (id, content_hash, published, seen_on, text, quote_count, created_at) "
                    "VALUES (:id, :h, :p, :s, 'text', 1, :now)"
                ), {"id": aid, "h": f"h{aid}", "p": _day(published), "s": _day(seen), "now": _stamp(now)})
            await conn.execute(text(
                "INSERT INTO speakers (id, slug, name, kind, name_locked, edited, quote_count, article_count, "
                "first_seen, last_seen, created_at, updated_at) VALUES (1, 'ellen-marsh', 'Ellen Marsh', 'person', "
                "false, false, 2, 2, :f, :l, :now, :now)"
            ), {"f": _day("2020-05-05"), "l": _day("2026-01-01"), "now": _stamp(now)})
            await conn.execute(text(
                "INSERT INTO speaker_attributes (speaker_id, type, value, first_seen, last_seen) "
                "VALUES (1, 'title', 'Mayor', :d, :d)"), {"d": _day("2026-01-01")})
            for qid, seen in ((1, "2020-05-05"), (2, "2026-01-01")):
                await conn.execute(text(
                    "INSERT INTO quotes (id, article_id, speaker_id, start_offset, end_offset, text, kind, "
                    "confidence, evidence, context, seen_on) VALUES (:id, :id, 1, 0, 4, 'harbour', 'direct', "
                    "0.9, '{}', '', :s)"), {"id": qid, "s": _day(seen)})
                await conn.execute(text(
                    "INSERT INTO mentions (quote_id, speaker_id, article_id, name, key, titles, roles, organisations, "
                    "seen_on) VALUES (:id, 1, :id, 'Ellen Marsh', 'marsh', :t, '[]', '[]', :s)"),
                    {"id": qid, "s": _day(seen), "t": '["Mayor"]' if qid == 2 else "[]"})
        await upgrade(fresh_url)
        async with engine.connect() as conn:
            seen_on = dict((await conn.execute(text("SELECT id, seen_on FROM articles"))).all())
            quotes = dict((await conn.execute(text("SELECT id, seen_on FROM quotes"))).all())
            mentions = dict((await conn.execute(text("SELECT quote_id, seen_on FROM mentions"))).all())
            speaker = (await conn.execute(text("SELECT first_seen, last_seen FROM speakers"))).one()
            attribute = (await conn.execute(text("SELECT first_seen, last_seen FROM speaker_attributes"))).one()
            if engine.dialect.name == "sqlite":  # the full-text key moved with the date
                hits = (await conn.execute(text(
                    "SELECT (-rowid) & 4294967295 FROM quotes_fts WHERE quotes_fts MATCH 'harbour' ORDER BY rowid"
                ))).scalars().all()
                assert hits == [1, 2]
    finally:
        await engine.dispose()
    assert [str(seen_on[1]), str(seen_on[2])] == ["2020-05-05", "0001-01-01"]
    assert [str(quotes[1]), str(quotes[2])] == ["2020-05-05", "0001-01-01"]
    assert [str(mentions[1]), str(mentions[2])] == ["2020-05-05", "0001-01-01"]
    assert [str(d) for d in speaker] == ["2020-05-05", "2020-05-05"]
    assert list(attribute) == [None, None]


async def test_quotes_take_their_articles_outlet(fresh_url: str) -> None:
    """Migration 0007: quotes stored before it get their article's outlet, in the column, in SQLite's
    full-text index, and on PostgreSQL a date-ordered key (an undated quote's day is 0)."""
    await upgrade(fresh_url, "0006")
    engine = create_async_engine(normalise_database_url(fresh_url))
    now = "2026-01-01 00:00:00"
    try:
        async with engine.begin() as conn:
            for aid, outlet, seen in ((1, "The Hill", "2020-05-05"), (2, None, "0001-01-01")):
                await conn.execute(text(
                    "INSERT INTO articles (id, content_hash, outlet, seen_on, text, quote_count, created_at) "
                    "VALUES (:id, :h, :o, :s, 'text', 1, :now)"
                ), {"id": aid, "h": f"h{aid}", "o": outlet, "s": _day(seen), "now": _stamp(now)})
                await conn.execute(text(
                    "INSERT INTO quotes (id, article_id, start_offset, end_offset, text, kind, confidence, evidence, "
                    "context, seen_on) VALUES (:id, :id, 0, 4, 'harbour', 'direct', 0.9, '{}', '', :s)"),
                    {"id": aid, "s": _day(seen)})
        await upgrade(fresh_url)
        async with engine.connect() as conn:
            outlets = dict((await conn.execute(text("SELECT id, outlet FROM quotes"))).all())
            if engine.dialect.name == "sqlite":
                from api.store.fulltext import fts_outlet_token

                hits = (await conn.execute(text(
                    "SELECT (-rowid) & 4294967295 FROM quotes_fts WHERE quotes_fts MATCH :m"
                ), {"m": f'text : harbour AND outlet : "{fts_outlet_token("The Hill")}"'})).scalars().all()
                assert hits == [1]
            else:
                keys = dict((await conn.execute(text("SELECT id, sort_key FROM quotes"))).all())
                assert keys == {1: ((date(2020, 5, 5) - date(1, 1, 1)).days << 32) | 1, 2: 2}
    finally:
        await engine.dispose()
    assert outlets == {1: "The Hill", 2: None}


def _day(value: str | None):  # noqa: ANN202 - a date for either driver
    from datetime import date

    return None if value is None else date.fromisoformat(value)


def _stamp(value: str):  # noqa: ANN202
    from datetime import UTC, datetime

    return datetime.fromisoformat(value).replace(tzinfo=UTC)


async def test_full_text_keys_are_negated_and_back(fresh_url: str) -> None:
    """Migration 0008 (SQLite): the full-text rowid is the key negated, so newest first is ascending;
    downgrading gives back 0007's keys. Quotes written before and after both are found."""
    if not fresh_url.startswith("sqlite"):
        pytest.skip("SQLite's full-text index only")
    await upgrade(fresh_url, "0007")
    engine = create_async_engine(normalise_database_url(fresh_url))
    now = "2026-01-01 00:00:00"

    async def add(conn, qid: int, seen: str) -> None:  # noqa: ANN001
        await conn.execute(text(
            "INSERT INTO articles (id, content_hash, seen_on, text, quote_count, created_at) "
            "VALUES (:id, :h, :s, 'text', 1, :now)"), {"id": qid, "h": f"h{qid}", "s": seen, "now": now})
        await conn.execute(text(
            "INSERT INTO quotes (id, article_id, start_offset, end_offset, text, kind, confidence, evidence, "
            "context, seen_on) VALUES (:id, :id, 0, 4, 'harbour', 'direct', 0.9, '{}', '', :s)"),
            {"id": qid, "s": seen})

    async def keys(conn) -> list[int]:  # noqa: ANN001
        return list((await conn.execute(text(
            "SELECT rowid FROM quotes_fts WHERE quotes_fts MATCH 'harbour' ORDER BY rowid"))).scalars().all())

    def key(qid: int, seen: date) -> int:
        return ((seen.toordinal() + 1_721_424) << 32) | qid

    try:
        async with engine.begin() as conn:
            await add(conn, 1, "2020-05-05")
            await add(conn, 2, "2021-01-01")
        await upgrade(fresh_url)
        async with engine.begin() as conn:
            await add(conn, 3, "2019-03-03")
            assert await keys(conn) == [-key(2, date(2021, 1, 1)), -key(1, date(2020, 5, 5)),
                                        -key(3, date(2019, 3, 3))]
        await downgrade(fresh_url, "0007")
        async with engine.connect() as conn:
            assert await keys(conn) == [key(3, date(2019, 3, 3)), key(1, date(2020, 5, 5)),
                                        key(2, date(2021, 1, 1))]
    finally:
        await engine.dispose()
