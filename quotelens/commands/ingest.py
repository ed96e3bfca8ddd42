"""Store news articles with their quotes and tracked speakers.

PATH may be text files (one article each: first line the title), JSON Lines files
(one article object per line: text, title, url, outlet, published, authors), .json
files, saved web pages (.html), folders (read recursively), - for JSON Lines on
standard input, or http(s) URLs: a news page, or a feed (RSS, Atom) whose every
item is fetched; a page in another language than English is stored without quotes. A text
file's date line near the top ("November 15, 2024") and a JSON line's "published" are the
publication date; an article without one sorts last and is in no since/until range. Articles
stored before are skipped (a text stored before that now comes with other details, say a
date or a title, has them corrected: "updated"), so running it again is safe: each article is committed with
its quotes in one transaction, so a killed run loses at most the articles it had
not reported yet. `--log FILE` appends one JSON line per article, written (and
flushed) only after that article's transaction committed:
{"origin", "status": "new"|"already stored"|"updated"|"reprocessed"|"failed", "content_hash",
"article_id", "quotes", "error"}. The store is QUOTELENS_DATABASE_URL, or a
SQLite file in QUOTELENS_DATA_DIR.

With --queue the articles are not extracted here: each one the store does not
hold yet is queued (QUOTELENS_REDIS_URL) for `quotelens worker` processes, and
the log says "queued"; follow a job at GET /api/jobs/{content_hash}.
"""

from __future__ import annotations

import argparse
import sys

NAME = "ingest"
HELP = "store articles (files, folders, JSON Lines, web pages, URLs, feeds) with their quotes and speakers"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="files, folders, .html pages, http(s) URLs of pages or feeds, or - for JSON Lines on stdin")
    p.add_argument("--workers", type=int, default=1, metavar="N",
                   help="processes extracting quotes in parallel (default 1)")
    p.add_argument("--batch-size", type=int, default=16, metavar="N",
                   help="articles read, checked against the store and extracted together (default 16)")
    p.add_argument("--database-url", default=None, metavar="URL",
                   help="the store (default: QUOTELENS_DATABASE_URL, else the SQLite file in the data dir)")
    p.add_argument("--reprocess", action="store_true",
                   help="extract articles stored before again and replace their quotes (speaker edits stay)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--queue", action="store_true",
                   help="queue the articles for `quotelens worker` (QUOTELENS_REDIS_URL) instead of extracting here")
    p.add_argument("--log", default=None, metavar="FILE",
                   help="append one JSON line per article, each written once the article is committed")


def run(args: argparse.Namespace) -> int:
    import asyncio
    import dataclasses
    import json

    from api.ingest.batches import ArticleResult, ingest_paths
    from api.services import Services
    from api.store.migrate import upgrade
    from quotelens.errors import QuotelensError
    from quotelens.settings import get_settings

    if args.workers < 1 or args.batch_size < 1:
        print("ingest: --workers and --batch-size must be at least 1", file=sys.stderr)
        return 2
    try:
        settings = get_settings()
        if args.database_url:
            settings = dataclasses.replace(settings, database_url=args.database_url)
        services = Services.build(settings)
    except QuotelensError as exc:
        print(f"ingest: {exc}", file=sys.stderr)
        return 2

    try:
        log = open(args.log, "a", encoding="utf-8") if args.log else None  # noqa: SIM115 - closed below
    except OSError as exc:
        print(f"ingest: cannot open the log: {exc}", file=sys.stderr)
        return 2

    def acknowledge(result: ArticleResult) -> None:
        if log is not None:
            log.write(json.dumps(result.to_dict()) + "\n")
            log.flush()  # in the OS's hands: survives this process being killed

    if args.queue and not settings.redis_url:
        print("ingest: --queue needs QUOTELENS_REDIS_URL (e.g. redis://127.0.0.1:6379/0)", file=sys.stderr)
        return 2

    async def go_queue() -> int:
        from api.jobs.enqueue import enqueue_paths
        from api.jobs.queue import ArticleQueue

        queue = ArticleQueue.from_settings(settings)
        try:
            await upgrade(settings.effective_database_url)
            summary = await enqueue_paths(services, queue, args.paths, on_article=acknowledge)
        except FileNotFoundError as exc:
            print(f"ingest: {exc}", file=sys.stderr)
            return 2
        except QuotelensError as exc:
            print(f"ingest: {exc}", file=sys.stderr)
            return 1
        finally:
            await queue.close()
            await services.close()
            if log is not None:
                log.close()
        print(f"store: {services.store.display_url}; queue {settings.queue_name!r} on {settings.redis_url}")
        print(summary.report())
        for origin, error in summary.failures[:50]:
            print(f"  failed: {origin}: {error}", file=sys.stderr)
        return 1 if summary.failures else 0

    async def go() -> int:
        try:
            await upgrade(settings.effective_database_url)  # once, before any article
            summary = await ingest_paths(
                services, args.paths, workers=args.workers, batch_size=args.batch_size,
                progress=not args.no_progress,
                reprocess=args.reprocess,
                on_article=acknowledge,
            )
        except FileNotFoundError as exc:
            print(f"ingest: {exc}", file=sys.stderr)
            return 2
        finally:
            await services.close()
            if log is not None:
                log.close()
        print(f"store: {services.store.display_url}")
        print(summary.report())
        for origin, why in summary.skipped[:50]:
            print(f"  no quotes: {origin}: {why}", file=sys.stderr)
        for origin, error in summary.failures[:50]:
            print(f"  failed: {origin}: {error}", file=sys.stderr)
        if len(summary.failures) > 50:
            print(f"  … and {len(summary.failures) - 50} more failures", file=sys.stderr)
        return 1 if summary.failures else 0

    return asyncio.run(go_queue() if args.queue else go())
