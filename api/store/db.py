"""The connection to the store: engines, sessions, and how writes are serialised.

SQLite runs in WAL mode with two engines on one file: readers never wait for the
writer, and every write transaction starts with `BEGIN IMMEDIATE`, so a second
process (say `quotelens ingest` beside `quotelens serve`) waits for the write
lock instead of failing half-way. PostgreSQL write transactions take a
transaction-level advisory lock instead. Either way, speaker matching sees every
speaker committed before it, so two processes never create the same speaker twice.

On PostgreSQL nothing waits on the network without a limit: connections time out
(`connect_timeout`), statements too (`statement_timeout`), pooled connections are
pinged before use, and the readiness check uses a connection of its own with a
timeout of its own (`ping_timeout`), so `/ready` answers 503 promptly while the
database is away and 200 again, with no restart, once it is back.

Connections per process, with N = `db_pool_size` (QUOTELENS_DB_POOL_SIZE):
- PostgreSQL: the fast reads (`api.store.fastread`) take up to N connections from an
  asyncpg pool of their own; the ORM engine (writes and rare reads) keeps N and may
  open N more under load (`max_overflow`); `/ready` opens one for each check and
  closes it. So one process can hold up to 3N + 1 connections: size PostgreSQL's
  `max_connections` for that many times the number of processes (`serve --workers`,
  `ingest`, the bot does not connect).
- SQLite: up to 2N reader connections on the ORM engine, one writer, and
  min(N, 4) reader threads with a plain `sqlite3` connection each.

This module is the one place where SQLite and PostgreSQL are told apart (with
`fastread` and the migrations); the services above ask `Store.is_sqlite` only
where a query must differ.
"""

from __future__ import annotations

import asyncio
import errno
import socket
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Table, event, insert, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

from api.store.fastread import PostgresReader, Prepared, Reader, Row, SqliteReader
from quotelens.errors import ConfigurationError, Unavailable

__all__ = ["Store", "create_migration_engine", "normalise_database_url", "WRITE_LOCK_ID"]

# pg_advisory_xact_lock key for ingest and speaker edits ("quotelns" in ASCII).
WRITE_LOCK_ID = 0x71756F74656C6E73 & 0x7FFFFFFFFFFFFFFF
SQLITE_BUSY_TIMEOUT_MS = 30_000


_NETWORK_ERRNOS = {errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.EHOSTUNREACH,
                   errno.ENETUNREACH, errno.ETIMEDOUT, errno.EPIPE}


def _database_unreachable(exc: BaseException) -> bool:
    """Whether an error means the database cannot be reached now (not that a query was wrong).

    A pool checkout that times out counts too: under overload the answer is a 503
    the client may retry, not a 500."""
    if isinstance(exc, ConnectionError | TimeoutError | socket.gaierror | PoolTimeout):
        return True

    if isinstance(exc, OSError):
        return exc.errno in _NETWORK_ERRNOS
    orig: Any = exc
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        orig = getattr(exc.orig, "__cause__", None) or exc.orig
    # asyncpg's own errors (the fast reads use asyncpg directly), or what SQLAlchemy wrapped.
    state = getattr(orig, "sqlstate", None)
    # 08: connection exception; 57P01-03: the server is shutting down or starting.
    if isinstance(state, str) and (state.startswith("08") or state in {"57P01", "57P02", "57P03"}):
        return True
    return type(orig).__name__ in {"ConnectionDoesNotExistError", "ConnectionResetError"}


@asynccontextmanager
async def _unavailable_when_unreachable() -> AsyncIterator[None]:
    try:
        yield
    except Exception as exc:
        if _database_unreachable(exc):
            raise Unavailable(f"the database is not available: {type(exc).__name__}: {exc}") from exc
        raise


def normalise_database_url(url: str) -> URL:
    """The async driver URL for a configured one ("postgresql://" → asyncpg, "sqlite://" → aiosqlite)."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with a terse text
        raise ConfigurationError(f"QUOTELENS_DATABASE_URL is not a database URL: {exc}") from exc
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    elif backend == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
        database = parsed.database or ""
        if not database or database == ":memory:" or database.startswith("file:"):
            raise ConfigurationError(
                "the store needs a SQLite file (sqlite+aiosqlite:///path/to/quotelens.db); "
                "in-memory databases are not supported"
            )
    else:
        raise ConfigurationError(
            f"unsupported database {backend!r}: use a sqlite+aiosqlite:/// or postgresql+asyncpg:// URL"
        )
    return parsed


def _install_sqlite_hooks(engine: AsyncEngine, *, begin: str, synchronous: str) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when a transaction begins.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)


def create_migration_engine(url: str | URL) -> AsyncEngine:
    """An engine for schema changes: on SQLite each run is one `BEGIN IMMEDIATE` transaction,
    so concurrent runs wait for each other instead of interleaving DDL."""
    parsed = normalise_database_url(str(url) if isinstance(url, str) else url.render_as_string(hide_password=False))
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database or "").expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(parsed, pool_size=1, max_overflow=0)
        _install_sqlite_hooks(engine, begin="BEGIN IMMEDIATE", synchronous="FULL")
        return engine
    return create_async_engine(parsed, pool_size=1, max_overflow=0)


class Store:
    """Engines and sessions for one database; one per process (or per test)."""

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 10,
        sqlite_synchronous: str = "NORMAL",
        connect_timeout: float = 5.0,
        statement_timeout: float = 30.0,
        ping_timeout: float = 0.8,
    ) -> None:
        self.ping_timeout = ping_timeout
        self.url = normalise_database_url(url)
        self.backend = self.url.get_backend_name()
        self.is_sqlite = self.backend == "sqlite"
        if self.is_sqlite:
            synchronous = sqlite_synchronous.upper()  # checked by quotelens.settings
            Path(self.url.database or "").expanduser().parent.mkdir(parents=True, exist_ok=True)
            self.engine = create_async_engine(self.url, pool_size=pool_size, max_overflow=pool_size)
            _install_sqlite_hooks(self.engine, begin="BEGIN", synchronous=synchronous)
            # SQLite has one writer at a time anyway: one connection for writes.
            self.write_engine = create_async_engine(self.url, pool_size=1, max_overflow=0)
            _install_sqlite_hooks(self.write_engine, begin="BEGIN IMMEDIATE", synchronous=synchronous)
            self._probe_engine = self.engine
            self.reader: Reader = SqliteReader(
                str(Path(self.url.database or "").expanduser()), threads=min(pool_size, 4),
                busy_timeout_ms=SQLITE_BUSY_TIMEOUT_MS,
            )
        else:
            self.engine = create_async_engine(
                self.url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True,
                pool_timeout=connect_timeout,
                connect_args={"timeout": connect_timeout, "command_timeout": statement_timeout},
            )
            self.write_engine = self.engine
            # A fresh connection per check: a pooled one could be a stale socket, and
            # the pool could be busy; either would make the answer late or wrong.
            self._probe_engine = create_async_engine(
                self.url, poolclass=NullPool,
                connect_args={"timeout": ping_timeout, "command_timeout": ping_timeout},
            )
            self.reader = PostgresReader(self.url, pool_size=pool_size, connect_timeout=connect_timeout,
                                         statement_timeout=statement_timeout)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._write_sessions = async_sessionmaker(self.write_engine, expire_on_commit=False)
        self._write_lock: asyncio.Lock | None = None

    @property
    def display_url(self) -> str:
        """The URL with any password hidden, for logs and messages."""
        return self.url.render_as_string(hide_password=True)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for reads; nothing it does is committed (503 while the database is unreachable)."""
        async with _unavailable_when_unreachable(), self._sessions() as session:
            yield session

    async def rows(self, query: Prepared, params: Mapping[str, Any]) -> list[Row]:
        """Rows of a prepared read on the raw driver (`api.store.fastread`); 503 while unreachable."""
        async with _unavailable_when_unreachable():
            return await self.reader.rows(query, params)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A session inside one write transaction, committed on success, holding the write lock.

        The lock is process-wide (asyncio) and store-wide (SQLite's write lock or a
        PostgreSQL advisory lock), so writers see each other's committed speakers.
        """
        if self._write_lock is None:
            self._write_lock = asyncio.Lock()
        async with (_unavailable_when_unreachable(), self._write_lock, self._write_sessions() as session,
                    session.begin()):
            if not self.is_sqlite:
                await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK_ID})
            yield session

    async def insert_returning_ids(
        self, session: AsyncSession, table: Table, rows: list[dict[str, object]]
    ) -> list[int]:
        """Insert rows in batched multi-row statements (inside `write()`); their new ids, in the order of `rows`."""
        if not rows:
            return []
        if self.is_sqlite:
            # SQLite gives a new row the id one past the largest (https://sqlite.org/autoinc.html),
            # so under the write lock the ids of rows inserted together ascend in row order.
            # SQLAlchemy cannot sort SQLite's RETURNING rows itself: it would insert one row per statement.
            result = await session.execute(insert(table).returning(table.c.id), rows)
            return sorted(result.scalars())
        result = await session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
        return list(result.scalars())

    async def ping(self) -> bool:
        """True when the database answers a trivial query within `ping_timeout` seconds."""

        async def probe() -> None:
            async with self._probe_engine.connect() as conn:
                await conn.execute(text("SELECT 1"))

        try:
            await asyncio.wait_for(probe(), timeout=self.ping_timeout)
            return True
        except Exception:  # refused, reset, timed out, or any driver error: not ready
            return False

    async def dispose(self) -> None:
        await self.reader.close()
        await self.engine.dispose()
        if self.write_engine is not self.engine:
            await self.write_engine.dispose()
        if self._probe_engine is not self.engine:
            await self._probe_engine.dispose()
