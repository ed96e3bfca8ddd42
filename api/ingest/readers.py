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

from api.ingest.service import ArticleInput

__all__ = ["SourceItem", "discover", "read_items", "TEXT_SUFFIXES", "JSONL_SUFFIXES"]

TEXT_SUFFIXES = frozenset({".txt", ".md", ".text"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
JSON_SUFFIXES = frozenset({".json"})
_FIELDS = {"text", "title", "url", "outlet", "published"}
_DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%Y-%m-%d", "%d %B %Y", "%b. %d, %Y")
_SOURCE_LINE = re.compile(r"^\s*Source:\s*(.{2,120}?)\s*$")


@dataclass(frozen=True, slots=True)
class SourceItem:
    """One article read from an input, or why it could not be read."""

    origin: str  # "path" or "path:line"
    article: ArticleInput | None
    error: str | None = None


def discover(paths: list[str]) -> list[Path | str]:
    """The files behind the given paths (folders expanded); "-" stays as is. Missing paths raise."""
    found: list[Path | str] = []
    for raw in paths:
        if raw == "-":
            found.append("-")
            continue
        p = Path(raw)
        if p.is_dir():
            found.extend(
                f for f in sorted(p.rglob("*"))
                if f.is_file() and f.suffix.lower() in TEXT_SUFFIXES | JSONL_SUFFIXES | JSON_SUFFIXES
                and not any(part.startswith(".") for part in f.relative_to(p).parts)
            )
        elif p.is_file():
            found.append(p)
        else:
            raise FileNotFoundError(f"no such file or folder: {raw}")
    return found


def count_items(source: Path | str) -> int | None:
    """How many articles a file holds, cheaply (None when unknown: stdin)."""
    if source == "-":
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


def article_from_text_file(text: str) -> ArticleInput:
    """An article from a plain text file, with title, date and outlet guessed from its layout."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    title: str | None = None
    published: date | None = None
    for line in lines[:3]:
        parsed = _parse_date(line)
        if parsed is not None and published is None:
            published = parsed
        elif title is None and len(line) <= 300:
            title = line
    outlet = None
    if lines and (m := _SOURCE_LINE.match(lines[-1])):
        outlet = m.group(1)
    return ArticleInput(text=text, title=title, published=published, outlet=outlet)


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
    return ArticleInput(text=text, title=obj.get("title"), url=obj.get("url"), outlet=obj.get("outlet"),
                        published=published)


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
