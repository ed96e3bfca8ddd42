"""Take article jobs off the queue (SAQ on Redis at QUOTELENS_REDIS_URL) and store them.

Start any number, on any machine that reaches the store (QUOTELENS_DATABASE_URL)
and Redis; each loads the attribution pipeline once. Jobs come from `POST
/api/articles` (with a queue configured it answers 202 and a job to follow) and
`quotelens ingest --queue`. A worker killed mid-job loses nothing: after
QUOTELENS_JOB_HEARTBEAT_SECONDS another worker retries the job, and the article
is stored once. A job failing QUOTELENS_JOB_TRIES times is reported failed.
On SIGTERM or Ctrl-C the jobs in hand finish first.
"""

from __future__ import annotations

import argparse
import sys

NAME = "worker"
HELP = "store articles from the job queue (needs QUOTELENS_REDIS_URL)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--concurrency", type=int, default=2, metavar="N",
                   help="jobs in hand at once (default 2: one extracting while another is written)")
    p.add_argument("--database-url", default=None, metavar="URL",
                   help="the store (default: QUOTELENS_DATABASE_URL, else the SQLite file in the data dir)")
    p.add_argument("--burst", action="store_true", help="stop once the queue is empty")
    p.add_argument("--log-level", default="info", choices=("critical", "error", "warning", "info", "debug"))


def run(args: argparse.Namespace) -> int:
    import asyncio
    import dataclasses
    import logging

    from quotelens.errors import QuotelensError
    from quotelens.settings import get_settings

    if args.concurrency < 1:
        print("worker: --concurrency must be at least 1", file=sys.stderr)
        return 2
    try:
        settings = get_settings()
        if args.database_url:
            settings = dataclasses.replace(settings, database_url=args.database_url)
    except QuotelensError as exc:
        print(f"worker: {exc}", file=sys.stderr)
        return 2
    if not settings.redis_url:
        print("worker: no job queue: set QUOTELENS_REDIS_URL (e.g. redis://127.0.0.1:6379/0)", file=sys.stderr)
        return 2
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("saq").setLevel(max(logging.WARNING, logging.getLogger().level))

    from api.jobs.worker import run_worker

    try:
        asyncio.run(run_worker(settings, concurrency=args.concurrency, burst=args.burst))
    except QuotelensError as exc:
        print(f"worker: {exc}", file=sys.stderr)
        return 1
    return 0
