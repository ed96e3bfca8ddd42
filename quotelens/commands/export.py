"""Write stored quotes out for dashboards and notebooks: CSV (default) or JSON Lines.

Filters as on the API's quote listing: --speaker (an id, a slug or a name), --q
(topic words, all of which must occur), --since/--until (article dates), --kind,
--outlet (as stored).
Quotes come newest article first, every one that matches (no paging). The
store is QUOTELENS_DATABASE_URL, or the SQLite file in QUOTELENS_DATA_DIR.

    quotelens export --speaker mckenzie --q iraq > mckenzie-iraq.csv
    quotelens export --format jsonl --since 2020-01-01 -o quotes.jsonl
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

NAME = "export"
HELP = "write stored quotes as CSV or JSON Lines (filters as on /api/quotes)"
BATCH = 1000


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from exc


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--speaker", default=None, help="only this speaker: an id, a slug or a name (fuzzy)")
    p.add_argument("--q", default=None, metavar="WORDS", help="only quotes containing every one of these words")
    p.add_argument("--since", type=_day, default=None, metavar="YYYY-MM-DD", help="articles on or after this day")
    p.add_argument("--until", type=_day, default=None, metavar="YYYY-MM-DD", help="articles on or before this day")
    p.add_argument("--kind", choices=("direct", "mixed", "indirect", "continuation"), default=None)
    p.add_argument("--outlet", default=None, help="only quotes from articles of this outlet (as stored)")
    p.add_argument("--format", choices=("csv", "jsonl"), default="csv", help="csv (default) or jsonl")
    p.add_argument("-o", "--output", default="-", metavar="FILE", help="where to write (default: standard output)")
    p.add_argument("--limit", type=int, default=None, metavar="N", help="at most N quotes")
    p.add_argument("--database-url", default=None, metavar="URL",
                   help="the store (default: QUOTELENS_DATABASE_URL, else the SQLite file in the data dir)")


def run(args: argparse.Namespace) -> int:
    import asyncio

    import msgspec

    from api.services import QuoteFilter, Services
    from api.web.csv import quotes_csv
    from quotelens.errors import QuotelensError
    from quotelens.settings import SettingsError, get_settings

    try:
        services = Services.build(get_settings(), database_url=args.database_url)
    except (QuotelensError, SettingsError) as exc:
        print(f"export: {exc}", file=sys.stderr)
        return 2
    try:
        out = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8", newline="")  # noqa: SIM115
    except OSError as exc:
        print(f"export: cannot write {args.output}: {exc}", file=sys.stderr)
        return 2

    async def go() -> int:
        written = 0
        try:
            speaker_ids = None
            if args.speaker:
                speaker_ids = await services.speakers.resolve_filter(args.speaker)  # NotFound: below
            # As on the API: a speaker's quotes are the confident ones.
            confidence = services.quotes.speaker_confidence if speaker_ids is not None else 0.0
            f = QuoteFilter(speaker_ids=speaker_ids, q=args.q, since=args.since, until=args.until, kind=args.kind,
                            outlet=args.outlet, min_confidence=confidence)
            if args.format == "csv":
                out.write(quotes_csv([], header=True))
            wanted = args.limit if args.limit is not None else float("inf")
            offset = 0
            while written < wanted:
                size = int(min(BATCH, wanted - written))
                page = await services.quotes.page(f, size, offset)
                if args.format == "csv":
                    out.write(quotes_csv(page.items, header=False))
                else:
                    for q in page.items:
                        out.write(msgspec.json.encode(q).decode() + "\n")
                written += len(page.items)
                offset += len(page.items)
                if len(page.items) < size:
                    break
        except QuotelensError as exc:
            print(f"export: {exc.detail}", file=sys.stderr)
            return 1
        finally:
            await services.close()
            if out is not sys.stdout:
                out.close()
        print(f"export: {written} quotes", file=sys.stderr)
        return 0

    return asyncio.run(go())
