"""Reading articles from files, folders and JSON Lines, for `quotelens ingest` and seeding.

- A text file (.txt, .md, .text) is one article: its first non-empty line is the
  title; a date line near the top ("November 15, 2024", "2024-11-15") is the
  publication date; a closing "Source: Outlet" line is the outlet.
- A JSON Lines file (.jsonl, .ndjson) holds one article per line, an object with
  `text` and optional `title`, `url`, `outlet`, `published` (YYYY-MM-DD).
- A .json file holds one such object or a list of them.
- A folder is read recursively, files in name order; other files are ignored.
- "-" reads JSON Lines from standard input.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from api.ingest.html import Page
from api.ingest.service import ArticleInput
from api.ingest.web import HTML_SUFFIXES, WebArticle, is_url, read_html_file

__all__ = ["SourceItem", "article_from_page", "discover", "item_from_web", "read_items", "TEXT_SUFFIXES",
           "JSONL_SUFFIXES"]

# The language the engine reads; articles in others are stored, marked skipped, without quotes.
ENGINE_LANGUAGE = "en"

TEXT_SUFFIXES = frozenset({".txt", ".md", ".text"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
JSON_SUFFIXES = frozenset({".json"})
_FIELDS = {"text", "title", "url", "outlet", "published", "authors"}
_DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%Y-%m-%d", "%d %B %Y", "%b. %d, %Y")
_SOURCE_LINE = re.compile(r"^\s*Source:\s*(.{2,120}?)\s*$")


@dataclass(frozen=True, slots=True)
class SourceItem:
    """One article read from an input, or why it could not be read."""

    origin: str  # "path", "path:line" or a URL
    article: ArticleInput | None
    error: str | None = None
    skipped: str | None = None  # not read, and why ("already stored (same URL)")


def discover(paths: list[str]) -> list[Path | str]:
    """The files behind the given paths (folders expanded); "-" stays as is. Missing paths raise."""
    found: list[Path | str] = []
    for raw in paths:
        if raw == "-":
            found.append("-")
            continue
        if is_url(raw):
            found.append(raw)
            continue
        p = Path(raw)
        if p.is_dir():
            found.extend(
                f for f in sorted(p.rglob("*"))
                if f.is_file()
                and f.suffix.lower() in TEXT_SUFFIXES | JSONL_SUFFIXES | JSON_SUFFIXES | HTML_SUFFIXES
                and not any(part.startswith(".") for part in f.relative_to(p).parts)
            )
        elif p.is_file():
            found.append(p)
        else:
            raise FileNotFoundError(f"no such file or folder: {raw}")
    return found


def count_items(source: Path | str) -> int | None:
    """How many articles a file holds, cheaply (None when unknown: stdin, a URL that may be a feed)."""
    if source == "-" or (isinstance(source, str) and is_url(source)):
        return None
    path = Path(source)
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        with path.open("rb") as fh:
            return sum(1 for line in fh if line.strip())
    if suffix in JSON_SUFFIXES:
        return None
    return 1


def _parse_date(value: str) -> date | None:
    value = value.strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


_BYLINE = re.compile(
    r"^By\s+((?:[A-Z][\w.'’-]*\s*){2,4}(?:(?:,|and|&)\s+(?:[A-Z][\w.'’-]*\s*){2,4})*)$"
)


# "Micaela Burrow Investigative Reporter, Defense": a name, then the writer's job.
_BYLINE_WITH_JOB = re.compile(
    r"^((?:[A-Z][\w.'’-]+\s+){1,3}?[A-Z][\w.'’-]+)\s+(?:[A-Z][a-z]+\s+){0,2}"
    r"(?:Reporter|Correspondent|Editor|Writer|Columnist|Contributor|Producer|Journalist)\b[^.!?]{0,60}$"
)


def article_from_text_file(text: str) -> ArticleInput:
    """An article from a plain text file, with title, date, byline and outlet guessed from its layout.

    Page furniture copied with the text (breadcrumbs, "Font Size:", "Leave a Reply", photo
    credits: `api.ingest.boilerplate`) before the first and after the last line of text is
    dropped first, so it is not the title; what is kept is one stretch of the file, so offsets
    stay comparable with the file's.
    """
    from api.ingest.boilerplate import strip_boilerplate

    text = strip_boilerplate(text.replace("\r\n", "\n").replace("\r", "\n"), edges_only=True)
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    title: str | None = None
    published: date | None = None
    authors: tuple[str, ...] = ()
    for line in lines[:3]:
        parsed = _parse_date(line)
        if parsed is not None and published is None:
            published = parsed
        elif title is None and len(line) <= 300:
            title = line
    for line in lines[:6]:
        if m := _BYLINE.match(line):
            authors = tuple(n.strip() for n in re.split(r"\s*(?:,|\band\b|&)\s*", m.group(1)) if n.strip())
        elif m := _BYLINE_WITH_JOB.match(line):
            authors = (m.group(1).strip(),)
        if authors:
            if text.lstrip().startswith(line):  # a byline that opens the text goes; one below the title stays
                text = text.lstrip()[len(line):].lstrip("\n")
            break
    outlet = None
    if lines and (m := _SOURCE_LINE.match(lines[-1])):
        outlet = m.group(1)
    return ArticleInput(text=text, title=title, published=published, outlet=outlet, authors=authors)


def article_from_object(obj: Any) -> ArticleInput:
    """An article from a decoded JSON object (ValueError saying what is wrong)."""
    if not isinstance(obj, dict):
        raise ValueError("expected a JSON object with a \"text\" field")
    unknown = set(obj) - _FIELDS
    if unknown:
        raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
    text = obj.get("text")
    if not isinstance(text, str):
        raise ValueError("\"text\" must be a string")
    for name in ("title", "url", "outlet", "published"):
        if obj.get(name) is not None and not isinstance(obj[name], str):
            raise ValueError(f"\"{name}\" must be a string")
    published = None
    if obj.get("published"):
        try:
            published = date.fromisoformat(obj["published"])
        except ValueError:
            raise ValueError(f"\"published\" is not a YYYY-MM-DD date: {obj['published']!r}") from None
    authors = obj.get("authors") or []
    if isinstance(authors, str):
        authors = [authors]
    if not isinstance(authors, list) or not all(isinstance(a, str) for a in authors):
        raise ValueError("\"authors\" must be a list of names")
    return ArticleInput(text=text, title=obj.get("title"), url=obj.get("url"), outlet=obj.get("outlet"),
                        published=published, authors=tuple(authors))


def _json_lines(lines: Iterator[str], origin: str) -> Iterator[SourceItem]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{origin}:{number}"
        try:
            yield SourceItem(where, article_from_object(json.loads(line)))
        except (ValueError, RecursionError) as exc:
            yield SourceItem(where, None, str(exc))


def read_items(source: Path | str) -> Iterator[SourceItem]:
    """The articles in one file (or stdin), one SourceItem each, errors included."""
    if source == "-":
        yield from _json_lines(iter(sys.stdin), "<stdin>")
        return
    path = Path(source)
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES:
        yield item_from_web(read_html_file(path))
        return
    try:
        if suffix in JSONL_SUFFIXES:
            with path.open(encoding="utf-8", errors="strict") as fh:
                yield from _json_lines(fh, str(path))
            return
        raw = path.read_text(encoding="utf-8", errors="strict")
    except (OSError, UnicodeDecodeError) as exc:
        yield SourceItem(str(path), None, f"cannot read: {exc}")
        return
    if suffix in JSON_SUFFIXES:
        try:
            data = json.loads(raw)
        except ValueError as exc:
            yield SourceItem(str(path), None, f"not JSON: {exc}")
            return
        for i, obj in enumerate(data if isinstance(data, list) else [data]):
            try:
                yield SourceItem(f"{path}[{i}]", article_from_object(obj))
            except ValueError as exc:
                yield SourceItem(f"{path}[{i}]", None, str(exc))
        return
    yield SourceItem(str(path), article_from_text_file(raw))


def article_from_page(page: Page, fetched_from: str | None = None) -> ArticleInput:
    """An article from a web page, marked skipped when the engine cannot read its language."""
    skipped = None
    if page.language and page.language != ENGINE_LANGUAGE:
        skipped = f"language {page.language}: the engine reads English only"
    return ArticleInput(
        text=page.text, title=page.title, url=page.url or fetched_from, outlet=page.outlet,
        published=page.published, authors=page.authors, language=page.language,
        source_url=fetched_from if fetched_from and fetched_from != page.url else None, skipped=skipped,
    )


def item_from_web(found: WebArticle) -> SourceItem:
    """A web article (a page, or why there is none) as a SourceItem."""
    if found.page is None:
        return SourceItem(found.origin, None, found.error, skipped=found.skipped)
    fetched_from = found.origin if is_url(found.origin) else None
    return SourceItem(found.origin, article_from_page(found.page, fetched_from))
