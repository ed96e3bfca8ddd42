"""alembic environment: runs on a connection handed over by api.store.migrate, or opens one.

Opening one (the `alembic` CLI) uses QUOTELENS_DATABASE_URL, else the default
SQLite file. On PostgreSQL a session advisory lock keeps two processes (the
compose `migrate` step and `quotelens serve`, say) from migrating at once.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import create_async_engine

from api.store.db import normalise_database_url
from api.store.models import Base

MIGRATION_LOCK_ID = 0x71756F746D6967  # "quotmig"

config = context.config
target_metadata = Base.metadata


def _configure_and_run(connection: Connection) -> None:
    is_pg = connection.dialect.name == "postgresql"
    if is_pg:
        connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK_ID})
    try:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    finally:
        if is_pg:
            connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK_ID})


async def _run_with_own_engine() -> None:
    from quotelens.settings import get_settings

    url = normalise_database_url(get_settings().effective_database_url)
    if url.get_backend_name() == "sqlite":
        from pathlib import Path

        Path(url.database or "").expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            await conn.run_sync(_configure_and_run)
            await conn.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported: the FTS parts differ per database")

connection = config.attributes.get("connection")
if connection is None:
    asyncio.run(_run_with_own_engine())
else:
    _configure_and_run(connection)
