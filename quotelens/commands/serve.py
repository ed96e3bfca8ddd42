"""Run the HTTP API (Litestar) that dashboards and the chat bot use.

With no configuration the store is a SQLite file in the data directory
(~/.local/share/quotelens/quotelens.db) and, while it holds no article, the
seed articles in seeds/ are ingested first. API docs: http://HOST:PORT/schema

On SIGTERM it stops accepting connections at once, lets the requests in flight
finish (for up to --shutdown-timeout seconds), closes the store and exits 0.
"""

from __future__ import annotations

import argparse
import sys

NAME = "serve"
HELP = "run the HTTP API (docs at /schema); seeds an empty store first"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    p.add_argument("--workers", type=int, default=1, metavar="N",
                   help="server processes (default 1; each loads its own pipeline)")
    p.add_argument("--database-url", default=None, metavar="URL",
                   help="the store (default: QUOTELENS_DATABASE_URL, else the SQLite file in the data dir)")
    p.add_argument("--no-seed", action="store_true",
                   help="do not ingest seeds/ into an empty store (also: QUOTELENS_SEED_ON_START=false)")
    p.add_argument("--migrate-only", action="store_true",
                   help="bring the database schema up to date and exit")
    p.add_argument("--shutdown-timeout", type=float, default=30.0, metavar="SECONDS",
                   help="on SIGTERM, how long requests in flight may take to finish (default 30)")
    p.add_argument("--log-level", default="info", choices=("critical", "error", "warning", "info", "debug"))


async def _prepare_store(url: str, seed: bool, seeds_dir: str) -> int:
    """Migrate; then, if asked and the store is empty, ingest the seeds. Returns articles seeded."""
    from api.bulk import ingest_paths
    from api.services import Services
    from api.store.migrate import upgrade
    from quotelens.settings import get_settings

    await upgrade(url)
    if not seed:
        return 0
    services = Services.build(get_settings(), database_url=url)
    try:
        if await services.articles.count() > 0:
            return 0
        print(f"serve: the store is empty; ingesting the seed articles in {seeds_dir}", file=sys.stderr)
        summary = await ingest_paths(services, [seeds_dir], progress=True)
        print(summary.report(), file=sys.stderr)
        return summary.articles_new
    finally:
        await services.close()


def run(args: argparse.Namespace) -> int:
    import asyncio
    import os
    import signal

    import uvicorn

    from api.errors import ApiError
    from api.store.db import normalise_database_url
    from quotelens.settings import SettingsError, get_settings

    try:
        settings = get_settings()
        url = args.database_url or settings.effective_database_url
        display = normalise_database_url(url).render_as_string(hide_password=True)
    except (ApiError, SettingsError) as exc:
        print(f"serve: {exc}", file=sys.stderr)
        return 2
    seed = settings.seed_on_start and not args.no_seed and not args.migrate_only
    seeds_dir = settings.seeds_dir
    if seed and not seeds_dir.is_dir():
        print(f"serve: no seeds folder at {seeds_dir}; starting with an empty store "
              "(set QUOTELENS_SEEDS_DIR)", file=sys.stderr)
        seed = False
    try:
        asyncio.run(_prepare_store(url, seed, str(seeds_dir)))
    except (ApiError, OSError) as exc:
        print(f"serve: cannot prepare the store at {display}: {exc}", file=sys.stderr)
        return 1
    if args.migrate_only:
        print(f"serve: database at {display} is up to date")
        return 0
    if args.database_url:
        os.environ["QUOTELENS_DATABASE_URL"] = args.database_url  # for worker processes
        get_settings.cache_clear()
    print(f"serve: store {display}; API docs at http://{args.host}:{args.port}/schema", file=sys.stderr)
    if not settings.api_keys and args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"serve: warning: listening on {args.host} with no QUOTELENS_API_KEYS: anyone who can reach "
              "it can store articles and edit speakers", file=sys.stderr)
    if args.workers > 1:
        uvicorn.run("api.app:create_app", factory=True, host=args.host, port=args.port,
                    workers=args.workers, log_level=args.log_level,
                    timeout_graceful_shutdown=args.shutdown_timeout)
        return 0
    from api.app import create_app

    # uvicorn drains and shuts down on SIGTERM, then raises the signal again for the
    # handler it found installed: with this one, that ends as a clean exit (0), not
    # as death by signal.
    terminated: list[int] = []
    signal.signal(signal.SIGTERM, lambda signum, _frame: terminated.append(signum))
    uvicorn.run(create_app(), host=args.host, port=args.port, log_level=args.log_level,
                timeout_graceful_shutdown=args.shutdown_timeout)
    if terminated:
        print("serve: stopped on SIGTERM after finishing the requests in flight", file=sys.stderr)
    return 0
