"""A PostgreSQL server for the test suite: a running one if reachable, else a throwaway cluster.

Order of preference:
1. QUOTELENS_TEST_PG_URL (any postgresql:// URL whose user may CREATE DATABASE);
2. a server on 127.0.0.1:5432 (users postgres, then root, trust auth);
3. a new cluster from Debian's binaries (/usr/lib/postgresql/*/bin/initdb and
   pg_ctl) in a temporary folder on a free loopback port, stopped at exit.

Each test session gets its own fresh database, dropped at the end, so runs
never collide. When none of the above works the tests fail under CI=true and
are skipped (with the reason) elsewhere.
"""

from __future__ import annotations

import asyncio
import atexit
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass

from sqlalchemy.engine import URL, make_url

__all__ = ["PgServer", "find_or_start_server", "create_database", "drop_database"]


@dataclass
class PgServer:
    url: URL  # points at a maintenance database ("postgres")
    how: str  # said in the test report
    stop: object = None

    @property
    def display(self) -> str:
        return self.url.render_as_string(hide_password=True)


def _asyncpg_dsn(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def _try_connect(url: URL) -> str | None:
    import asyncpg

    try:
        conn = await asyncio.wait_for(asyncpg.connect(_asyncpg_dsn(url)), timeout=5)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    await conn.close()
    return None


def _reachable(url: URL) -> str | None:
    return asyncio.run(_try_connect(url))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_cluster() -> PgServer:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not candidates:
        raise RuntimeError("no PostgreSQL binaries in /usr/lib/postgresql/*/bin (apt-get install postgresql)")
    bindir = os.path.dirname(candidates[-1])
    base = tempfile.mkdtemp(prefix="quotelens-pg-")
    datadir = os.path.join(base, "data")
    port = _free_port()
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise RuntimeError("running as root and there is no 'postgres' user to run initdb as") from None
        shutil.chown(base, "postgres", "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [*run_as, f"{bindir}/initdb", "-D", datadir, "-U", "postgres", "--auth=trust", "-E", "UTF8",
         "--locale=C.UTF-8", "--no-sync"],
        check=True, capture_output=True, text=True,
    )
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
    subprocess.run(
        [*run_as, f"{bindir}/pg_ctl", "-D", datadir, "-o", options, "-l", os.path.join(base, "log"), "-w",
         "-t", "60", "start"],
        check=True, capture_output=True, text=True,
    )

    def stop() -> None:
        subprocess.run([*run_as, f"{bindir}/pg_ctl", "-D", datadir, "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)

    atexit.register(stop)
    url = make_url(f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres")
    return PgServer(url, f"a throwaway cluster from {bindir} on 127.0.0.1:{port}", stop)


def find_or_start_server() -> PgServer:
    """A server the tests may create databases on (RuntimeError saying what was tried)."""
    tried: list[str] = []
    env_url = os.environ.get("QUOTELENS_TEST_PG_URL")
    if env_url:
        url = make_url(env_url).set(drivername="postgresql+asyncpg")
        error = _reachable(url)
        if error is None:
            return PgServer(url, "QUOTELENS_TEST_PG_URL")
        tried.append(f"QUOTELENS_TEST_PG_URL: {error}")
    for user in ("postgres", "root"):
        url = make_url(f"postgresql+asyncpg://{user}@127.0.0.1:5432/postgres")
        error = _reachable(url)
        if error is None:
            return PgServer(url, f"the running server on 127.0.0.1:5432 (user {user})")
        tried.append(f"127.0.0.1:5432 as {user}: {error}")
    try:
        return _start_cluster()
    except (RuntimeError, OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", None) or exc
        tried.append(f"throwaway cluster: {detail}")
    raise RuntimeError("no PostgreSQL for the tests; tried:\n  " + "\n  ".join(tried))


async def _admin(server: PgServer, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_asyncpg_dsn(server.url))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def create_database(server: PgServer, prefix: str = "quotelens_test") -> URL:
    """A new, empty database on the server, unique to this call."""
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(server, f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0'))
    return server.url.set(database=name)


def drop_database(server: PgServer, url: URL) -> None:
    asyncio.run(_admin(server, f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
