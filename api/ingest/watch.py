"""Watching feeds: a round polls each feed with a conditional GET and reads its new items.

What a feed answered last (ETag, Last-Modified) is kept in a small JSON file beside
the store, so a restarted `quotelens watch` still asks "anything new since?": a feed
that has not changed answers 304 and nothing is fetched. An item whose link the
store has already is not fetched (`known_url`), and one whose text is stored already
is not stored twice (content hash). One feed or page failing is one line in the
round's report; the others go on.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from api.ingest.feeds import FeedError, parse_feed
from api.ingest.fetch import Fetcher, FetchError
from api.ingest.web import KnownUrl, WebArticle, read_feed_items

if TYPE_CHECKING:
    from api.ingest.batches import ArticleResult, IngestParts, IngestSummary
    from api.ingest.readers import SourceItem

# Takes a batch of read feed items and reports each one to the callback (`watch_round`'s `store_batch`).
BatchSink = Callable[[list["SourceItem"], Callable[["ArticleResult"], None]], Awaitable[None]]

__all__ = ["BatchSink", "FeedState", "FeedPoll", "RoundReport", "WatchState", "poll_feed", "read_feed_list", "watch_round"]


@dataclass(slots=True)
class FeedState:
    """What a feed answered last time: the validators for the next conditional GET."""

    etag: str | None = None
    last_modified: str | None = None
    # Links handled before (stored, or the same story under another link): not fetched again.
    seen: list[str] = field(default_factory=list)

    def remember(self, links: list[str], keep: int = 2000) -> None:
        self.seen = list(dict.fromkeys([*self.seen, *links]))[-keep:]


@dataclass(slots=True)
class FeedPoll:
    """What polling one feed found: not modified, an error, or its items (read lazily)."""

    feed: str
    not_modified: bool = False
    error: str | None = None
    items: int = 0
    warning: str | None = None


@dataclass
class WatchState:
    """Every watched feed's validators, kept in a JSON file (written atomically)."""

    path: Path | None
    feeds: dict[str, FeedState] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None) -> WatchState:
        state = cls(path)
        if path is None or not path.is_file():
            return state
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            return state  # a damaged state file costs one full fetch of each feed, nothing more
        for url, entry in (data.get("feeds") or {}).items() if isinstance(data, dict) else ():
            if isinstance(entry, dict):
                seen = entry.get("seen")
                links = [x for x in seen if isinstance(x, str)] if isinstance(seen, list) else []
                state.feeds[url] = FeedState(entry.get("etag"), entry.get("last_modified"), links)
        return state

    def get(self, feed: str) -> FeedState:
        return self.feeds.setdefault(feed, FeedState())

    def save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = json.dumps({"feeds": {u: asdict(s) for u, s in sorted(self.feeds.items())}}, indent=1)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".watch-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(payload)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def read_feed_list(path: Path) -> list[str]:
    """Feed URLs from a file: one a line; blank lines and # comments ignored."""
    feeds = []
    for line in path.read_text("utf-8").splitlines():
        line = line.split("#", 1)[0].strip() if line.lstrip().startswith("#") else line.strip()
        if line:
            feeds.append(line)
    return list(dict.fromkeys(feeds))


async def poll_feed(
    fetcher: Fetcher, feed: str, state: FeedState, known_url: KnownUrl | None, report: FeedPoll
) -> AsyncIterator[WebArticle]:
    """The new items of one feed since its last poll; `report` says what the poll found.

    The validators in `state` are updated only once every item has been handed out
    and none failed, so a round cut short, or an item that failed, makes the next
    round ask for the whole feed again (items stored by then are skipped by URL).
    """
    try:
        got = await fetcher.fetch(
            feed, etag=state.etag, last_modified=state.last_modified,
            accept="application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.5",
        )
    except FetchError as exc:
        report.error = exc.reason
        return
    if got.not_modified:
        report.not_modified = True
        return
    try:
        parsed = parse_feed(got.body, got.url, got.content_type)
    except FeedError as exc:
        report.error = str(exc)
        return
    report.items = len(parsed.items)
    report.warning = parsed.warning
    failed = False
    async for article in read_feed_items(fetcher, parsed, known_url):
        failed = failed or article.error is not None
        yield article
    if not failed:  # else the next round asks again and retries the items that failed
        state.etag, state.last_modified = got.etag, got.last_modified


@dataclass
class RoundReport:
    """One round: what each feed answered, and what became of the items."""

    polls: list[FeedPoll]
    summary: IngestSummary

    def lines(self) -> list[str]:
        out = []
        for p in self.polls:
            if p.error:
                out.append(f"  feed failed: {p.feed}: {p.error}")
            elif p.not_modified:
                out.append(f"  feed: {p.feed}: not modified")
            else:
                out.append(f"  feed: {p.feed}: {p.items} items" + (f" ({p.warning})" if p.warning else ""))
        return out

    @property
    def failed(self) -> bool:
        return bool(self.summary.failures) or any(p.error for p in self.polls)


async def watch_round(
    services: IngestParts,
    feeds: list[str],
    state: WatchState,
    fetcher: Fetcher,
    *,
    batch_size: int = 16,
    progress: bool = True,
    on_article: Callable[[ArticleResult], None] | None = None,
    store_batch: BatchSink | None = None,
) -> RoundReport:
    """Poll every feed once and store its new items; the state is saved at the end.

    `store_batch` takes each batch of items instead of storing them here (a job queue's
    enqueuer: `quotelens watch` with QUOTELENS_REDIS_URL); it reports each item as
    `ingest_batch` does, an item handed on as anything but "failed"."""
    from tqdm import tqdm

    from api.ingest.batches import IngestSummary, _Extraction, ingest_batch
    from api.ingest.readers import item_from_web

    summary = IngestSummary()
    polls: list[FeedPoll] = []
    extraction = _Extraction(services, 1)

    async def stored_here(batch: list[SourceItem], heard: Callable[[ArticleResult], None]) -> None:
        await ingest_batch(services, batch, extraction, summary, False, heard)

    hand_on = store_batch or stored_here
    bar = tqdm(unit="article", desc="watch", disable=not progress, dynamic_ncols=True)
    try:
        for feed in feeds:
            feed_state = state.get(feed)
            seen = set(feed_state.seen)
            handled: list[str] = []

            async def known(url: str, seen: set[str] = seen) -> bool:
                return url in seen or await services.ingest.known_url(url)

            def heard(result: ArticleResult, handled: list[str] = handled) -> None:
                if result.status != "failed":
                    handled.append(result.origin)
                if on_article is not None:
                    on_article(result)

            report = FeedPoll(feed)
            polls.append(report)
            batch = []
            async for found in poll_feed(fetcher, feed, feed_state, known, report):
                batch.append(item_from_web(found))
                if len(batch) >= batch_size:
                    await hand_on(batch, heard)
                    bar.update(len(batch))
                    batch = []
            if batch:
                await hand_on(batch, heard)
                bar.update(len(batch))
            feed_state.remember(handled)
            state.save()
    finally:
        bar.close()
        extraction.close()
    return RoundReport(polls, summary)
