"""Watch news feeds: every N minutes, store the new items of each feed with their quotes.

Feeds are the FEED_URL arguments, and the lines of --feeds FILE (else
QUOTELENS_WATCH_FEEDS). Each round asks each feed "anything new?" with a
conditional GET (ETag / Last-Modified): an unchanged feed answers 304 and nothing
is fetched. A new item is fetched once; one whose link or canonical URL the store
has already is not fetched again, and the same text is never stored twice. A feed
or page that fails is one line in the round's summary (and in --log); the rest go
on, and the next round tries the failed items again. What each feed answered last
is kept in --state (default: watch-state.json in QUOTELENS_DATA_DIR). With a job
queue (QUOTELENS_REDIS_URL) new items are queued for `quotelens worker` processes
instead of being extracted here, as `quotelens ingest --queue` does.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

NAME = "watch"
HELP = "poll news feeds every N minutes and store their new items"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("feeds", nargs="*", metavar="FEED_URL", help="RSS or Atom feeds to watch")
    p.add_argument("--feeds", dest="feed_file", default=None, metavar="FILE",
                   help="a file of feed URLs, one a line (default: QUOTELENS_WATCH_FEEDS)")
    p.add_argument("--every", type=float, default=None, metavar="MINUTES",
                   help="minutes between rounds (default: QUOTELENS_WATCH_INTERVAL_MINUTES, 15)")
    p.add_argument("--once", action="store_true", help="one round, then exit (non-zero if anything failed)")
    p.add_argument("--state", default=None, metavar="FILE", help="where what each feed answered last is kept")
    p.add_argument("--database-url", default=None, metavar="URL", help="the store (default as for ingest)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--log", default=None, metavar="FILE",
                   help="append one JSON line per item, each written once the article is committed")


def run(args: argparse.Namespace) -> int:
    import asyncio
    import json
    import time

    from api.ingest.batches import ArticleResult, make_fetcher
    from api.ingest.watch import WatchState, read_feed_list, watch_round
    from api.services import Services
    from api.store.migrate import upgrade
    from quotelens.errors import QuotelensError
    from quotelens.settings import SettingsError, get_settings

    try:
        settings = get_settings()
    except SettingsError as exc:
        print(f"watch: {exc}", file=sys.stderr)
        return 2
    feeds = list(args.feeds)
    feed_file = Path(args.feed_file) if args.feed_file else settings.watch_feeds
    if feed_file is not None:
        try:
            feeds += read_feed_list(feed_file)
        except OSError as exc:
            print(f"watch: cannot read the feed list: {exc}", file=sys.stderr)
            return 2
    feeds = list(dict.fromkeys(feeds))
    if not feeds:
        print("watch: no feeds: give FEED_URLs, --feeds FILE or QUOTELENS_WATCH_FEEDS", file=sys.stderr)
        return 2
    minutes = args.every if args.every is not None else settings.watch_interval_minutes
    if not minutes > 0:
        print("watch: --every must be a positive number of minutes", file=sys.stderr)
        return 2
    try:
        services = Services.build(settings, database_url=args.database_url)
        log = open(args.log, "a", encoding="utf-8") if args.log else None  # noqa: SIM115 - closed below
    except (QuotelensError, OSError) as exc:
        print(f"watch: {exc}", file=sys.stderr)
        return 2
    state = WatchState.load(Path(args.state) if args.state else settings.data_dir / "watch-state.json")

    def acknowledge(result: ArticleResult) -> None:
        if log is not None:
            log.write(json.dumps(result.to_dict()) + "\n")
            log.flush()

    async def go() -> int:
        from api.jobs.enqueue import ArticleEnqueuer
        from api.jobs.queue import ArticleQueue

        fetcher = make_fetcher(services)
        # With a job queue the workers extract and store: new items are queued for them.
        queue = ArticleQueue.from_settings(settings) if settings.redis_url else None
        try:
            await upgrade(services.store.url.render_as_string(hide_password=False))
            print(f"store: {services.store.display_url}; watching {len(feeds)} feeds"
                  + ("" if args.once else f" every {minutes:g} minutes")
                  + (f"; new items queued ({settings.queue_name!r} on {settings.redis_url})" if queue else ""))
            while True:
                started = time.monotonic()
                enqueuer = ArticleEnqueuer(services, queue, acknowledge) if queue is not None else None
                report = await watch_round(services, feeds, state, fetcher, progress=not args.no_progress,
                                           on_article=acknowledge,
                                           store_batch=enqueuer.add if enqueuer is not None else None)
                if enqueuer is not None:  # what the workers were given, and what could not be read
                    report.summary.failures.extend(enqueuer.summary.failures)
                print(f"round at {time.strftime('%Y-%m-%d %H:%M:%S')}")
                print(enqueuer.summary.report() if enqueuer is not None else report.summary.report())
                for line in report.lines():
                    print(line)
                for origin, why in report.summary.skipped[:50]:
                    print(f"  no quotes: {origin}: {why}", file=sys.stderr)
                for origin, error in report.summary.failures[:50]:
                    print(f"  failed: {origin}: {error}", file=sys.stderr)
                sys.stdout.flush()
                if args.once:
                    return 1 if report.failed else 0
                await asyncio.sleep(max(0.0, minutes * 60 - (time.monotonic() - started)))
        finally:
            await fetcher.aclose()
            if queue is not None:
                await queue.close()
            await services.close()
            if log is not None:
                log.close()

    return asyncio.run(go())
