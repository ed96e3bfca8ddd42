"""Bringing a database to the current schema with the alembic migrations in api/store/migrations.

Run by commands before they use the store (`quotelens serve` once before it starts its
workers, `quotelens ingest`, the compose `migrate` step), never by the app.

    python -m api.store.migrate            # QUOTELENS_DATABASE_URL or the default SQLite file
    alembic -c api/store/migrations/alembic.ini upgrade head   # the same, through alembic's CLI
"""

from __future__ import annotations

import asyncio
import fcntl
import sys
import weakref
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

from .db import create_migration_engine, normalise_database_url

__all__ = ["MIGRATIONS_DIR", "alembic_config", "include_object", "upgrade", "downgrade", "main"]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Hide the full-text search structures (made by hand in the migrations) from autogenerate."""
    if type_ == "table" and name is not None and name.startswith("quotes_fts"):
        return False
    if type_ == "column" and name in ("text_tsv", "sort_key"):
        return False
    return not (type_ == "index" and name in ("ix_quotes_text_tsv", "ix_quotes_text_rum"))


def alembic_config(connection: Connection | None = None) -> Config:
    """An alembic Config for our migrations, bound to `connection` when given."""
    cfg = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()


async def _run(url: str, action: str, revision: str) -> None:
    # alembic keeps its running context in module globals: one migration at a
    # time per process. Between processes, env.py takes a PostgreSQL advisory lock;
    # on SQLite a lock file beside the database does it (with two revisions, a second
    # process could read the version between the first one's steps and fail). Only
    # commands migrate now (serve once before its workers start, ingest once, the
    # compose step), never the app, but two commands can still start together on one
    # fresh file (a `serve` and an `ingest`), so the lock stays.
    loop = asyncio.get_running_loop()
    lock = _locks.setdefault(loop, asyncio.Lock())
    async with lock:
        parsed = normalise_database_url(url)
        if parsed.get_backend_name() != "sqlite":
            await _run_unlocked(url, action, revision)
            return
        path = Path(parsed.database or "").expanduser()
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(f"{path}.migrate-lock", "a") as lock_file:
            await asyncio.to_thread(fcntl.flock, lock_file.fileno(), fcntl.LOCK_EX)
            try:
                await _run_unlocked(url, action, revision)
            finally:
                fcntl.flock(lock_file.fileno(), fcntl.LOCK_UN)


async def _run_unlocked(url: str, action: str, revision: str) -> None:
    engine = create_migration_engine(url)
    try:
        async with engine.connect() as conn:
            def _go(sync_conn: Connection) -> None:
                cfg = alembic_config(sync_conn)
                if action == "upgrade":
                    command.upgrade(cfg, revision)
                else:
                    command.downgrade(cfg, revision)

            await conn.run_sync(_go)
            await conn.commit()
    finally:
        await engine.dispose()


async def upgrade(url: str, revision: str = "head") -> None:
    """Apply every migration up to `revision` (safe to run on an up-to-date database)."""
    await _run(url, "upgrade", revision)


async def downgrade(url: str, revision: str = "base") -> None:
    """Undo migrations down to `revision`."""
    await _run(url, "downgrade", revision)


def main(argv: list[str] | None = None) -> int:
    from quotelens.settings import get_settings

    args = sys.argv[1:] if argv is None else argv
    url = args[0] if args else get_settings().effective_database_url
    asyncio.run(upgrade(url))
    print(f"database at {normalise_database_url(url).render_as_string(hide_password=True)} is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
