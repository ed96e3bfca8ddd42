"""RSS and Atom feeds: which responses are feeds, and the items they list (feedparser).

A feed item is a link to a page; the page is what gets read (feeds often carry a
summary only). A feed that parses to nothing is broken (FeedError); one that
parses with an error but still lists items is read, with a warning.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

__all__ = ["Feed", "FeedError", "FeedItem", "looks_like_feed", "parse_feed"]

_FEED_TYPES = frozenset({
    "application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml", "text/xml",
    "application/feed+json", "application/x-rss+xml",
})
_FEED_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:rss|feed|rdf:RDF)\b", re.DOTALL)


class FeedError(ValueError):
    """A response that should be a feed and cannot be read as one."""


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One item of a feed: the page it links to and what the feed says about it."""

    url: str
    title: str | None = None
    published: date | None = None
    authors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Feed:
    """A feed's items, newest first as the feed lists them, each link once."""

    url: str
    title: str | None
    items: tuple[FeedItem, ...]
    warning: str | None = None  # set when the feed is malformed but items could be read


def looks_like_feed(body: bytes, content_type: str = "") -> bool:
    """Whether a response is a feed rather than a page (by its type, else by its first element)."""
    if content_type in _FEED_TYPES and content_type not in ("application/xml", "text/xml"):
        return True
    return bool(_FEED_START.match(body[:4096]))


def _entry_date(entry: Any) -> date | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), tz=UTC).date()
            except (OverflowError, ValueError, TypeError):
                continue
    return None


def _entry_authors(entry: Any) -> tuple[str, ...]:
    names = [a.get("name", "").strip() for a in entry.get("authors", []) if isinstance(a, dict)]
    if not any(names) and entry.get("author"):
        names = [str(entry["author"]).strip()]
    return tuple(dict.fromkeys(n for n in names if n))


def parse_feed(body: bytes, url: str, content_type: str = "") -> Feed:
    """The items of an RSS or Atom document (FeedError when it holds no feed)."""
    import feedparser

    headers = {"content-location": url, "content-type": content_type or "application/xml"}
    parsed = feedparser.parse(body, response_headers=headers)
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if isinstance(problem, feedparser.CharacterEncodingOverride | feedparser.NonXMLContentType):
        problem = None  # a server's wrong label, read through: not a broken feed
    if not parsed.get("version") and not parsed.entries:
        raise FeedError(f"broken feed: {problem or 'no RSS or Atom content'}")
    items: list[FeedItem] = []
    seen: set[str] = set()
    for entry in parsed.entries:
        link = (entry.get("link") or "").strip()
        if not link:
            for candidate in entry.get("links", []):
                if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
                    link = candidate["href"].strip()
                    break
        if not link or link in seen:
            continue
        seen.add(link)
        items.append(FeedItem(
            url=link,
            title=(entry.get("title") or "").strip() or None,
            published=_entry_date(entry),
            authors=_entry_authors(entry),
        ))
    if problem is not None and not items:
        raise FeedError(f"broken feed: {problem}")
    title = (parsed.feed.get("title") or "").strip() or None
    warning = f"malformed feed, {len(items)} items read: {problem}" if problem is not None else None
    return Feed(url=url, title=title, items=tuple(items), warning=warning)
