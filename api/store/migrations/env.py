"""alembic environment: runs on a connection handed over by api.store.migrate, or opens one.

Opening one (the `alembic` CLI) uses QUOTELENS_DATABASE_URL, else the default
SQLite file. On PostgreSQL a transaction advisory lock keeps two processes (the
compose `migrate` step and `quotelens serve`, say) from migrating at once.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection, text

from api.store.db import create_migration_engine
from api.store.migrate import include_object
from api.store.models import Base

MIGRATION_LOCK_ID = 0x71756F746D6967  # "quotmig"

config = context.config
target_metadata = Base.metadata


def _configure_and_run(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        # Held until the migrations' transaction commits, so the next process
        # waits and then finds the schema up to date.
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK_ID})
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_with_own_engine() -> None:
    from quotelens.settings import get_settings

    engine = create_migration_engine(get_settings().effective_database_url)
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
