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
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from quotelens.settings import Settings

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


async def _prepare_store(settings: Settings, seed: bool) -> int:
    """Migrate (the one migration step: the app and its workers never migrate); then, if
    asked and the store is empty, ingest the seeds. Returns the number of articles seeded."""
    from api.ingest.batches import ingest_paths
    from api.ingest.engine_process import ProcessEngine
    from api.services import Services
    from api.store.migrate import upgrade

    await upgrade(settings.effective_database_url)
    if not seed:
        return 0
    # The seeds are read in an engine process, as the app's texts are: this process never
    # holds a pipeline (the app starts its own engine process next).
    services = Services.build(settings, engine=ProcessEngine(settings.spacy_model, nice=0))
    try:
        if await services.articles.count() > 0:
            return 0
        print(f"serve: the store is empty; ingesting the seed articles in {settings.seeds_dir}", file=sys.stderr)
        summary = await ingest_paths(services, [str(settings.seeds_dir)], progress=True)
        print(summary.report(), file=sys.stderr)
        return summary.articles_new
    finally:
        await services.close()


def run(args: argparse.Namespace) -> int:
    import asyncio
    import dataclasses
    import functools
    import os
    import signal

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from api.store.db import normalise_database_url
    from api.web.app import create_app
    from api.web.server import server_config, worker_app
    from quotelens.errors import QuotelensError
    from quotelens.settings import get_settings

    try:
        settings = get_settings()
        if args.database_url:
            # Handed to the app (and to each worker process) inside the settings object.
            settings = dataclasses.replace(settings, database_url=args.database_url)
        display = normalise_database_url(settings.effective_database_url).render_as_string(hide_password=True)
    except QuotelensError as exc:
        print(f"serve: {exc}", file=sys.stderr)
        return 2
    seed = settings.seed_on_start and not args.no_seed and not args.migrate_only
    if seed and not settings.seeds_dir.is_dir():
        print(f"serve: no seeds folder at {settings.seeds_dir}; starting with an empty store "
              "(set QUOTELENS_SEEDS_DIR)", file=sys.stderr)
        seed = False
    try:
        asyncio.run(_prepare_store(settings, seed))
    except (QuotelensError, OSError) as exc:
        print(f"serve: cannot prepare the store at {display}: {exc}", file=sys.stderr)
        return 1
    if args.migrate_only:
        print(f"serve: database at {display} is up to date")
        return 0
    print(f"serve: store {display}; API docs at http://{args.host}:{args.port}/schema", file=sys.stderr)
    if not settings.api_keys and args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"serve: warning: listening on {args.host} with no QUOTELENS_API_KEYS: anyone who can reach "
              "it can store articles and edit speakers", file=sys.stderr)
    # The app is built by a factory bound to these settings; with --workers, uvicorn hands the
    # config (and so the settings) to each worker process it spawns, which builds its own app.
    # server_config adds the slow-client limits and trusts forwarded headers only from
    # QUOTELENS_TRUSTED_PROXIES (uvicorn alone believes 127.0.0.1).
    # With --workers each worker ends with this process (worker_app), even if it is killed.
    app = (functools.partial(worker_app, settings, os.getpid()) if args.workers > 1
           else functools.partial(create_app, settings))
    config = server_config(settings, app, factory=True, host=args.host,
                           port=args.port, workers=args.workers, log_level=args.log_level,
                           timeout_graceful_shutdown=args.shutdown_timeout)
    if args.workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
        return 0
    # uvicorn drains and shuts down on SIGTERM, then raises the signal again for the
    # handler it found installed: with this one, that ends as a clean exit (0), not
    # as death by signal.
    terminated: list[int] = []
    signal.signal(signal.SIGTERM, lambda signum, _frame: terminated.append(signum))
    server = uvicorn.Server(config)
    server.run()
    if terminated:
        print("serve: stopped on SIGTERM after finishing the requests in flight", file=sys.stderr)
    return 0 if server.started else 3  # 3: uvicorn's own "could not start" status
