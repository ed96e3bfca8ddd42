"""Pages and feeds as article sources: a URL, a saved .html file, or every item of a feed.

A URL is fetched once; a feed's response becomes its items, each fetched once
(a link the store has already is not fetched again: `known_url`). Each article
comes out as a `WebArticle`, with the page or one line saying why there is none,
so one bad URL never stops the others.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path

from api.ingest.feeds import Feed, FeedError, FeedItem, looks_like_feed, parse_feed
from api.ingest.fetch import Fetched, Fetcher, FetchError
from api.ingest.html import Page, PageError, read_page
from quotelens.errors import InvalidInput, UpstreamFailed

__all__ = ["HTML_SUFFIXES", "WebArticle", "fetch_page", "is_url", "page_from_html", "page_from_response",
           "read_html_file", "read_url"]

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", ""})

KnownUrl = Callable[[str], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class WebArticle:
    """One article from the web: its page, or why there is none (`error`), or why it was skipped."""

    origin: str
    page: Page | None = None
    error: str | None = None
    skipped: str | None = None  # e.g. "already stored (same URL)"
    note: str | None = None  # a warning that did not stop it (a malformed feed read anyway)


def is_url(value: str) -> bool:
    return value.startswith(("http://", "https://")) or "://" in value[:12]


def read_html_file(path: Path) -> WebArticle:
    """A saved page from a file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return WebArticle(str(path), error=f"cannot read: {exc}")
    try:
        return WebArticle(str(path), read_page(raw))
    except PageError as exc:
        return WebArticle(str(path), error=str(exc))


def page_from_response(got: Fetched) -> Page:
    """The article in a fetched page (PageError when it is not an HTML page with an article)."""
    if got.content_type not in _HTML_TYPES and not got.content_type.endswith("+xml"):
        raise PageError(f"not an HTML page (the server says {got.content_type})")
    return read_page(got.body, got.url, declared_encoding=got.encoding)


def _with_feed_details(page: Page, item: FeedItem) -> Page:
    """A page completed by what its feed item says, where the page itself says nothing."""
    return replace(
        page,
        title=page.title or item.title,
        published=page.published or item.published,
        authors=page.authors or item.authors,
    )


async def read_feed_items(
    fetcher: Fetcher, feed: Feed, known_url: KnownUrl | None = None
) -> AsyncIterator[WebArticle]:
    """Each item of a feed read from its page, one at a time; known links are not fetched."""
    for n, item in enumerate(feed.items):
        origin = item.url
        if known_url is not None and await known_url(item.url):
            yield WebArticle(origin, skipped="already stored (same URL)")
            continue
        try:
            got = await fetcher.fetch(item.url)
            page = _with_feed_details(page_from_response(got), item)
        except (FetchError, PageError) as exc:
            yield WebArticle(origin, error=str(exc.reason if isinstance(exc, FetchError) else exc))
            continue
        if await _known_canonical(page, item.url, known_url):
            yield WebArticle(origin, skipped="already stored (same canonical URL)")
            continue
        yield WebArticle(origin, page, note=feed.warning if n == 0 else None)


async def _known_canonical(page: Page, fetched: str, known_url: KnownUrl | None) -> bool:
    """Whether the page's canonical address names an article stored already under another link."""
    return known_url is not None and page.url is not None and page.url != fetched and await known_url(page.url)


async def read_url(fetcher: Fetcher, url: str, known_url: KnownUrl | None = None) -> AsyncIterator[WebArticle]:
    """The article at a URL, or every item when the URL is a feed."""
    if known_url is not None and await known_url(url):
        yield WebArticle(url, skipped="already stored (same URL)")
        return
    try:
        got = await fetcher.fetch(url, accept="text/html,application/xhtml+xml,application/rss+xml,"
                                              "application/atom+xml,application/xml;q=0.9,*/*;q=0.5")
    except FetchError as exc:
        yield WebArticle(url, error=exc.reason)
        return
    if looks_like_feed(got.body, got.content_type):
        try:
            feed = parse_feed(got.body, got.url, got.content_type)
        except FeedError as exc:
            yield WebArticle(url, error=str(exc))
            return
        async for article in read_feed_items(fetcher, feed, known_url):
            yield article
        return
    try:
        page = page_from_response(got)
    except PageError as exc:
        yield WebArticle(url, error=str(exc))
        return
    if await _known_canonical(page, url, known_url):
        yield WebArticle(url, skipped="already stored (same canonical URL)")
        return
    yield WebArticle(url, page)


# --- one page for one request (POST /api/articles) ---------------------------------


async def fetch_page(fetcher: Fetcher, url: str) -> Page:
    """The article page at `url`, fetched now.

    InvalidInput when quotelens will not take it: not http(s), a private address (unless
    allowed), over the size cap, not an HTML page, no article text, a feed. UpstreamFailed
    when the site does not give it: unreachable, an HTTP error, a redirect loop, a timeout.
    """
    try:
        got = await fetcher.fetch(url)
    except FetchError as exc:
        if exc.refused:
            raise InvalidInput(f"{url}: {exc.reason}", field="url") from None
        raise UpstreamFailed(f"fetching {url}: {exc.reason}", url=url) from None
    if looks_like_feed(got.body, got.content_type):
        raise InvalidInput(f"{url} is a feed, not a page: `quotelens ingest URL` stores each of its items",
                           field="url")
    try:
        # trafilatura takes tens of milliseconds a page: off the event loop.
        return await asyncio.to_thread(page_from_response, got)
    except PageError as exc:
        raise InvalidInput(f"{url}: {exc}", field="url") from None


async def page_from_html(html: str, url: str | None = None) -> Page:
    """The article in a page's HTML as sent (InvalidInput when it is not HTML or holds no article)."""
    try:
        return await asyncio.to_thread(read_page, html, url)
    except PageError as exc:
        raise InvalidInput(f"html: {exc}", field="html") from None
