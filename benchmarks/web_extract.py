"""How well real news pages are read: body text, quotes found from it, and metadata.

Over a folder of saved pages in the format of the Scrapinghub article-extraction
benchmark (`html/<key>.html.gz` and `ground-truth.json` mapping each key to its
`url` and `articleBody`, the body a person marked), default ../shared/web:

  body     each page through `api.ingest.html.read_page` (what `quotelens ingest`
           stores), scored with the benchmark's own metric: tokens are `\\w+`
           matches, cut into 4-token shingles counted as multisets; per page
           P = TP/(TP+FP), R = TP/(TP+FN); P and R averaged over pages (a page with
           nothing extracted adds R 0 and no P), F1 from the two means.
           Printed for all pages and for the pages read as English.
  quotes   (English pages, skip with --no-quotes) the engine on the extracted text
           and on the marked body; quotes matched by their words (lower-cased
           `\\w+` tokens), as multisets, summed over pages: P, R, F1; and the same
           with the speaker's name as part of the match.
  metadata how many pages got a title, an outlet (site name), a published date,
           authors, a canonical URL.

`--http` fetches every page by its URL from a server on 127.0.0.1 that serves the
saved bytes (the fetcher's path: `api.ingest.fetch`), instead of reading the files.

    uv run python benchmarks/web_extract.py [--data DIR] [--http] [--no-quotes] [--show N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def default_data() -> Path:
    for parent in ROOT.parents:
        candidate = parent / "shared" / "web"
        if (candidate / "ground-truth.json").is_file():
            return candidate
    return ROOT.parent / "shared" / "web"


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = re.findall(r"\w+", text)
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def page_scores(extracted: str, marked: str) -> tuple[float | None, float]:
    """(precision or None when nothing was extracted, recall) of one page, as the benchmark counts."""
    got, want = shingles(extracted), shingles(marked)
    tp = sum((got & want).values())
    fp = sum((got - want).values())
    fn = sum((want - got).values())
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def body_figures(rows: list[tuple[float | None, float]]) -> tuple[float, float, float]:
    ps = [p for p, _ in rows if p is not None]
    p = statistics.fmean(ps) if ps else 0.0
    r = statistics.fmean(r for _, r in rows) if rows else 0.0
    return p, r, f1(p, r)


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def quote_keys(quotes: list, with_speaker: bool) -> Counter[tuple[str, ...]]:
    keys: Counter[tuple[str, ...]] = Counter()
    for q in quotes:
        key = (_words(q.text),)
        if with_speaker:
            key += (_words(q.speaker.name) if q.speaker is not None else "",)
        keys[key] += 1
    return keys


def load_pages(data: Path) -> list[tuple[str, str, bytes, str]]:
    truth = json.loads((data / "ground-truth.json").read_text("utf-8"))
    pages = []
    for key in sorted(truth):
        path = data / "html" / f"{key}.html.gz"
        if path.is_file():
            pages.append((key, truth[key]["url"], gzip.decompress(path.read_bytes()), truth[key]["articleBody"]))
    return pages


def read_files(pages: list[tuple[str, str, bytes, str]]) -> dict[str, object]:
    from api.ingest.html import PageError, read_page

    out: dict[str, object] = {}
    for key, url, raw, _body in pages:
        try:
            out[key] = read_page(raw, url)
        except PageError as exc:
            out[key] = exc
    return out


def read_over_http(pages: list[tuple[str, str, bytes, str]]) -> dict[str, object]:
    """Each page fetched by URL from a loopback server serving the saved bytes."""
    import asyncio
    import os
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from api.ingest.fetch import Fetcher, FetchError
    from api.ingest.html import PageError, read_page

    by_path = {f"/{key}": raw for key, _url, raw, _body in pages}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            raw = by_path.get(self.path)
            if raw is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    os.environ["QUOTELENS_FETCH_ALLOW_PRIVATE"] = "true"
    base = f"http://127.0.0.1:{server.server_address[1]}"

    async def go() -> dict[str, object]:
        out: dict[str, object] = {}
        async with Fetcher(allow_private=True) as fetcher:
            for key, _url, _raw, _body in pages:
                try:
                    got = await fetcher.fetch(f"{base}/{key}")
                    out[key] = read_page(got.body, got.url, declared_encoding=got.encoding)
                except (FetchError, PageError) as exc:
                    out[key] = exc
        return out

    try:
        return asyncio.run(go())
    finally:
        server.shutdown()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=None, help="folder with html/ and ground-truth.json")
    ap.add_argument("--http", action="store_true", help="fetch each page from a loopback server")
    ap.add_argument("--no-quotes", action="store_true", help="skip the quote comparison (no engine)")
    ap.add_argument("--show", type=int, default=5, metavar="N", help="list the N pages with the lowest F1")
    args = ap.parse_args()
    data = args.data or default_data()
    pages = load_pages(data)
    if not pages:
        sys.exit(f"web_extract: no pages in {data}")

    started = time.perf_counter()
    results = read_over_http(pages) if args.http else read_files(pages)
    seconds = time.perf_counter() - started

    from api.ingest.html import Page

    rows: dict[str, tuple[float | None, float]] = {}
    english: list[str] = []
    for key, _url, _raw, body in pages:
        page = results[key]
        rows[key] = page_scores(page.text if isinstance(page, Page) else "", body)
        if isinstance(page, Page) and page.language == "en":
            english.append(key)

    print(f"pages: {len(pages)} from {data} ({'over HTTP from 127.0.0.1' if args.http else 'files'}), "
          f"read in {seconds:.1f} s ({1000 * seconds / len(pages):.0f} ms a page)")
    for label, keys in (("all pages", list(rows)), ("English pages", english)):
        p, r, f = body_figures([rows[k] for k in keys])
        print(f"body token F1, {label} ({len(keys)}): P {p:.4f}  R {r:.4f}  F1 {f:.4f}")
    failed = [k for k in rows if not isinstance(results[k], Page)]
    if failed:
        print(f"no text from {len(failed)} pages: " + "; ".join(f"{k[:12]} ({results[k]})" for k in failed))
    worst = sorted(rows, key=lambda k: f1(rows[k][0] or 0.0, rows[k][1]))[: args.show]
    for k in worst:
        p, r = rows[k]
        print(f"  lowest: {k[:12]}  P {p or 0:.3f}  R {r:.3f}")

    got = [results[k] for k in rows if isinstance(results[k], Page)]
    n = len(pages)
    langs = Counter(p.language for p in got)  # type: ignore[attr-defined]
    print("metadata: " + ", ".join(
        f"{label} {sum(1 for p in got if getattr(p, field))}/{n}"
        for label, field in (("title", "title"), ("outlet", "outlet"), ("published", "published"),
                             ("authors", "authors"), ("url", "url"))
    ) + "; languages " + ", ".join(f"{lang} {c}" for lang, c in langs.most_common()))

    if not args.no_quotes:
        from attribution import Extractor

        extractor = Extractor()
        keys = [k for k in english]
        bodies = {k: b for k, _u, _r, b in pages}
        from_page = list(extractor.extract_many([results[k].text for k in keys]))  # type: ignore[attr-defined]
        from_body = list(extractor.extract_many([bodies[k] for k in keys]))
        for with_speaker in (False, True):
            tp = fp = fn = 0
            for a, b in zip(from_page, from_body, strict=True):
                ga, gb = quote_keys(a, with_speaker), quote_keys(b, with_speaker)
                tp += sum((ga & gb).values())
                fp += sum((ga - gb).values())
                fn += sum((gb - ga).values())
            p = tp / (tp + fp) if tp + fp else 0.0
            r = tp / (tp + fn) if tp + fn else 0.0
            label = "quotes with speaker" if with_speaker else "quotes"
            print(f"{label}, page vs marked body ({len(keys)} English pages, {tp + fn} quotes in the bodies): "
                  f"P {p:.4f}  R {r:.4f}  F1 {f1(p, r):.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
