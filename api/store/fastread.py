"""Hot reads on the raw driver: statements built and compiled once, no ORM session per request.

Measured on a 1,000,000-quote SQLite store: a page of a speaker's quotes through an
`AsyncSession` over aiosqlite costs about 2 ms of CPU (session set-up, `BEGIN`,
statement construction, nine hops to the driver's thread, row processing); the
same SQL on `sqlite3` directly costs 0.05 ms. So the API's busiest reads (a
speaker, a speaker's quotes, quote search) run here; writes and rare reads keep
the ORM.

A `Prepared` wraps a SQLAlchemy Core statement written with named `bindparam`s,
so the SQL stays in the expression language and follows each dialect; it is
compiled once per dialect. Readers run it:

- SQLite: plain `sqlite3` connections, one per reader thread, in `query_only`
  mode; each call is one hop to a thread, and the driver releases the GIL while
  SQLite works, so a read overlaps the event loop. Statements marked `inline`
  (short index lookups) run on the event loop's thread instead, with a short
  busy timeout; should SQLite be busy, they go to a thread like the others.
- PostgreSQL: an asyncpg pool of its own (no pre-ping round trip per checkout, no reset one per return);
  a read that finds its pooled connection dead is retried once on a fresh one.

Rows come back as named tuples, one type per statement, named by its selected
columns (`row.speaker_id`, `row.total`): no reader picks a value by position. SQLite hands back DATE
columns as the ISO text it stores (`as_date` turns either form into a `date`).
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections import namedtuple
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any, Protocol

from sqlalchemy.engine import URL, Dialect
from sqlalchemy.sql import Select

__all__ = ["PLAN_EACH_TIME", "Prepared", "Reader", "Row", "SqliteReader", "PostgresReader", "as_date"]

Row = Any  # a named tuple of the statement's columns (`Prepared.row`)
INLINE_BUSY_TIMEOUT_MS = 50  # an inline read waits at most this long on the event loop's thread
MMAP_BYTES = 1 << 33  # SQLite readers map up to this much of the store file
# PostgreSQL: the session settings under which every execution is planned for its values (`Prepared.plan_each_time`).
PLAN_EACH_TIME = {"plan_cache_mode": "force_custom_plan"}


def as_date(value: date | str | None) -> date | None:
    """A DATE column's value as a `date`, whichever form the driver gave it in."""
    return date.fromisoformat(value) if isinstance(value, str) else value


class Prepared:
    """A statement with named parameters, compiled once per dialect.

    `compiled(dialect)` gives the SQL and how to order a request's parameters for it;
    parameters the statement fixed itself (say, a `LIMIT 1`) keep their values.
    """

    __slots__ = ("statement", "inline", "row", "prefix", "plan_each_time", "_compiled")

    def __init__(self, statement: Select[*tuple[Any, ...]], *, inline: bool = False, prefix: str = "",
                 plan_each_time: bool = False) -> None:
        self.statement = statement
        # Put before the SQL: "EXPLAIN (FORMAT JSON) " reads the planner's estimate (one row, one column).
        self.prefix = prefix
        # The type of its rows: a named tuple of the selected columns' names (labels).
        names = ["plan"] if prefix else [c.key or f"column{i}" for i, c in enumerate(statement.selected_columns)]
        self.row: Any = namedtuple("Row", names)  # type: ignore[misc]  # noqa: PYI024
        # A lookup along an index that reads a few rows (tens of microseconds): SQLite runs it on
        # the event loop's own thread, where a hop to a reader thread would cost more than the read.
        self.inline = inline
        # PostgreSQL: planned for each execution's own values, never with a plan kept for the
        # statement (`PostgresReader`). A kept ("generic") plan cannot know whether a speaker,
        # an outlet or the words are the short list: for a search with filters it walked the
        # wrong one (`benchmarks/search_sql.py`, the filtered draw: 12.4 ms a page on the kept
        # plan against 6.2 planned each time).
        self.plan_each_time = plan_each_time
        self._compiled: dict[str, tuple[str, tuple[str, ...], dict[str, Any]]] = {}

    def compiled(self, dialect: Dialect) -> tuple[str, tuple[str, ...], dict[str, Any]]:
        """(SQL, parameter names in order, values the statement fixed)."""
        found = self._compiled.get(dialect.name)
        if found is None:
            c: Any = self.statement.compile(dialect=dialect)
            fixed = {k: v for k, v in c.params.items() if v is not None}
            found = (self.prefix + str(c), tuple(c.positiontup or ()), fixed)
            self._compiled[dialect.name] = found
        return found

    def arguments(self, dialect: Dialect, params: Mapping[str, Any]) -> tuple[str, list[Any]]:
        """The SQL for `dialect` and the values of its parameters, in order."""
        sql, names, fixed = self.compiled(dialect)
        return sql, [params[n] if n in params else fixed[n] for n in names]


class Reader(Protocol):
    """Runs prepared statements; one per store."""

    async def rows(self, query: Prepared, params: Mapping[str, Any]) -> list[Row]: ...

    async def close(self) -> None: ...


def _sqlite_arg(value: Any) -> Any:
    # The sqlite3 module's own date adapter is deprecated; SQLAlchemy stores ISO text.
    return value.isoformat() if isinstance(value, date) else value


class SqliteReader:
    """Reads on plain `sqlite3` connections, each in its own thread."""

    def __init__(self, path: str, *, threads: int = 2, busy_timeout_ms: int = 30_000) -> None:
        from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

        self.path = path
        self.busy_timeout_ms = busy_timeout_ms
        self._dialect = SQLiteDialect_pysqlite()
        self._executor = ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="quotelens-read")
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._opened_lock = threading.Lock()

    def _connection(self, busy_timeout_ms: int | None = None) -> sqlite3.Connection:
        con: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if con is None:
            con = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, cached_statements=256)
            con.execute(f"PRAGMA busy_timeout={busy_timeout_ms or self.busy_timeout_ms}")
            con.execute("PRAGMA query_only=ON")
            # Pages read from the OS's cache in place, not copied in by a system call each
            # (a page of a speaker's quotes touches some sixty): 25% less time a page.
            con.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
            self._local.connection = con
            with self._opened_lock:
                self._opened.append(con)
        return con

    def _run(self, sql: str, args: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        return self._connection().execute(sql, args).fetchall()

    async def rows(self, query: Prepared, params: Mapping[str, Any]) -> list[Row]:
        sql, args = query.arguments(self._dialect, params)
        values = tuple(_sqlite_arg(a) for a in args)
        if query.inline:
            try:
                return list(map(query.row._make, self._connection(INLINE_BUSY_TIMEOUT_MS).execute(sql, values)))
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
        found = await asyncio.get_running_loop().run_in_executor(self._executor, self._run, sql, values)
        return list(map(query.row._make, found))

    async def close(self) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self._executor.shutdown, True)
        with self._opened_lock:
            for con in self._opened:
                con.close()
            self._opened.clear()


async def _keep_session(connection: Any) -> None:
    """What the pool does to a reader's connection handed back: nothing more.

    Readers run single statements outside transactions and change nothing of the session
    (no SET, LISTEN, cursors or advisory locks), so asyncpg's default reset, a round trip of
    `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL;` after every read,
    doubled the round trips of each one. (The pool still rolls back a transaction left open.)"""


class PostgresReader:
    """Reads on an asyncpg pool of their own."""

    def __init__(self, url: URL, *, pool_size: int, connect_timeout: float, statement_timeout: float) -> None:
        from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg

        self._dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._dialect = PGDialect_asyncpg()
        self.pool_size = pool_size
        self.connect_timeout = connect_timeout
        self.statement_timeout = statement_timeout
        # Two pools, made on first use: one for most reads, whose statements keep the plan
        # PostgreSQL settles on; one whose sessions plan every execution (`Prepared.plan_each_time`).
        self._pools: dict[bool, Any] = {}
        self._pool_loop: asyncio.AbstractEventLoop | None = None

    async def _get_pool(self, plan_each_time: bool = False) -> Any:
        import asyncpg

        loop = asyncio.get_running_loop()
        if self._pool_loop is not loop:  # none yet, or of another loop (tests): its pools went with it
            self._pools, self._pool_loop = {}, loop
        pool = self._pools.get(plan_each_time)
        if pool is None:
            # min_size=0: creating the pool opens nothing, so it works while the database is away.
            # The planning pool gets half the connections: it serves searches only.
            pool = self._pools[plan_each_time] = await asyncpg.create_pool(
                self._dsn, min_size=0, max_size=max(2, self.pool_size // 2) if plan_each_time else self.pool_size,
                timeout=self.connect_timeout, command_timeout=self.statement_timeout, reset=_keep_session,
                server_settings=PLAN_EACH_TIME if plan_each_time else None,
            )
        return pool

    async def rows(self, query: Prepared, params: Mapping[str, Any]) -> list[Row]:
        import asyncpg

        sql, args = query.arguments(self._dialect, params)
        pool = await self._get_pool(query.plan_each_time)

        async def fetch() -> list[Row]:
            # The wait for a free connection bounded by asyncio.timeout: acquire(timeout=) wraps it in
            # asyncio.wait_for, a task per read on Python 3.11.
            async with asyncio.timeout(self.connect_timeout):
                con = await pool.acquire()
            try:
                return list(map(query.row._make, await con.fetch(sql, *args)))
            finally:
                await pool.release(con)

        try:
            return await fetch()
        except (asyncpg.ConnectionDoesNotExistError, asyncpg.InterfaceError):
            # A pooled connection the server dropped (say, it restarted): once more on a new one.
            return await fetch()

    async def close(self) -> None:
        pools, self._pools = list(self._pools.values()), {}
        if self._pool_loop is not asyncio.get_running_loop():
            return  # made on another event loop (a test's): its connections went with that loop
        for pool in pools:
            try:
                await asyncio.wait_for(pool.close(), timeout=5.0)
            except (TimeoutError, OSError):
                pool.terminate()
