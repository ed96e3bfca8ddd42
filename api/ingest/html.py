"""A news web page read into an article: its main text and the metadata the page carries.

The main text and most metadata come from trafilatura (the best measured open
extractor: BENCHMARKS.md, `benchmarks/web_extract.py`), in its precision-leaning
mode. On top of it, a few general rules: the headline and a date line repeated
at the top of the text are dropped (they are stored as title and published), and
so are furniture lines (`boilerplate.py`). The language is read from the text,
falling back to what the page declares when the text is too short to tell.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from api.ingest.boilerplate import strip_boilerplate

__all__ = ["Page", "PageError", "decode_html", "read_page", "detect_language"]


class PageError(ValueError):
    """A page that holds no article text (or is not HTML at all)."""


@dataclass(frozen=True, slots=True)
class Page:
    """What a page says: the article's text and its details, each None when the page has none."""

    text: str
    title: str | None = None
    outlet: str | None = None
    published: date | None = None
    authors: tuple[str, ...] = ()
    url: str | None = None  # canonical, else the address it was read from
    language: str | None = None  # ISO 639-1, e.g. "en"


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_HTML_LANG = re.compile(r"""<html\b[^>]*?\blang\s*=\s*["']?\s*([A-Za-z]{2,3})\b""", re.IGNORECASE)
_META_LANG = re.compile(
    r"""<meta[^>]+(?:http-equiv\s*=\s*["']content-language["'][^>]+content|property\s*=\s*["']og:locale["'][^>]+content)"""
    r"""\s*=\s*["']\s*([A-Za-z]{2,3})\b""",
    re.IGNORECASE,
)
_LOOKS_HTML = re.compile(rb"<(?:!doctype\s+html|html|head|body|article|p|div|title)\b", re.IGNORECASE)


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


def decode_html(raw: bytes, declared: str | None = None) -> str:
    """The page as text, whatever its server or its <meta> says the encoding is.

    Declarations are often wrong. Bytes that are valid UTF-8 are read as UTF-8 (text in
    a legacy encoding is almost never valid UTF-8 by chance); otherwise the declared
    encoding (header, then <meta>) when it decodes the bytes cleanly, else the best guess
    of a detector, else Windows-1252 with replacement characters.
    """
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace")
    for bom, name in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if raw.startswith(bom):
            return raw[len(bom):].decode(name, errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    meta = _META_CHARSET.search(raw[:4096])
    candidates: list[str | None] = [
        _codec(declared), _codec(meta.group(1).decode("ascii", "replace") if meta else None)
    ]
    # A legacy single-byte declaration decodes anything; trust it only for bytes it maps to letters.
    for candidate in candidates:
        if candidate and candidate not in ("utf-8", "ascii"):
            try:
                text = raw.decode(candidate)
            except (UnicodeDecodeError, LookupError):
                continue
            if "\ufffd" not in text and not _has_c1_controls(text):
                return text
    from charset_normalizer import from_bytes

    best = from_bytes(raw[:200_000]).best()
    if best is not None and _codec(best.encoding) not in _LATIN:
        return raw.decode(best.encoding, errors="replace")
    # Among Latin-script code pages a detector often picks a neighbour of the one meant
    # (cp1250 for French); browsers fall back to Windows-1252, and so does this.
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode(best.encoding if best is not None else "cp1252", errors="replace")


_LATIN = frozenset(
    _codec(name) for name in (
        "cp1250", "cp1252", "cp1254", "cp1257", "latin_1", "iso8859_2", "iso8859_9", "iso8859_13",
        "iso8859_15", "mac_roman", "mac_latin2", "cp850", "cp437",
    )
)


def _has_c1_controls(text: str) -> bool:
    # Latin-1 maps bytes 0x80-0x9F to C1 controls, which no real page contains.
    return any("\x80" <= ch <= "\x9f" for ch in text)


def detect_language(text: str, declared: str | None = None) -> str | None:
    """The text's language (ISO 639-1); the page's declaration when the text is too short to tell."""
    sample = text[:5000]
    if len(re.findall(r"\w+", sample)) >= 12:
        import py3langid

        lang, _score = py3langid.classify(sample)
        return str(lang)
    return declared.lower() if declared else None


def _declared_language(html: str) -> str | None:
    head = html[:20_000]
    m = _HTML_LANG.search(head) or _META_LANG.search(head)
    return m.group(1).lower() if m else None


def _parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _authors(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    seen: dict[str, None] = {}
    for part in re.split(r"\s*;\s*|\s+and\s+|\s*,\s*(?=[A-Z])", value):
        name = re.sub(r"^(?:by|from)\s+", "", part.strip(), flags=re.IGNORECASE).strip(" ,")
        if 2 <= len(name) <= 120 and name.lower() not in {n.lower() for n in seen}:
            seen[name] = None
    return tuple(seen)


def _norm(line: str) -> str:
    return " ".join(re.findall(r"\w+", line.casefold()))


# Fewer words than this is a menu or a stub, not an article.
_MIN_WORDS = 8
_NUMBER = re.compile(r"\b\d{1,4}\b")
_TIME = re.compile(r"\b\d{1,2}[:h.]\d\d\b")


def _is_dateline(line: str, published: date) -> bool:
    """A short line giving the publication date: its year with a day number or a time, no sentence."""
    if len(line) > 120 or re.search(r"[.!?]\s*$", line) and not _TIME.search(line[-8:]):
        return False
    numbers = {int(n) for n in _NUMBER.findall(line)}
    return published.year in numbers and (
        any(1 <= n <= 31 for n in numbers) or bool(_TIME.search(line))
    )


def _trim_head(text: str, title: str | None, published: date | None) -> str:
    """Drop the headline and a dateline repeated at the top of the text: they are stored apart."""
    lines = text.split("\n")
    title_key = _norm(title) if title else ""
    i = 0
    for _ in range(3):
        while i < len(lines) and not lines[i].strip():
            i += 1
        if i >= len(lines):
            break
        line = lines[i].strip()
        key = _norm(line)
        repeats_title = bool(title_key and key) and (
            key == title_key or (len(key) > 20 and title_key.startswith(key))
        )
        if not (repeats_title or (published is not None and _is_dateline(line, published))):
            break
        i += 1
    return "\n".join(lines[i:]).strip()


def _extract(html: str, url: str | None) -> Any:
    import trafilatura

    return trafilatura.bare_extraction(
        html, url=url, with_metadata=True, favor_precision=True, include_comments=False,
        include_images=False, deduplicate=False,
    )


def read_page(html: str | bytes, url: str | None = None, *, declared_encoding: str | None = None) -> Page:
    """The article on a web page (PageError when it holds none)."""
    if isinstance(html, bytes):
        if not _LOOKS_HTML.search(html[:65536]):
            raise PageError("not an HTML page")
        html = decode_html(html, declared_encoding)
    elif not _LOOKS_HTML.search(html[:65536].encode("utf-8", "replace")):
        raise PageError("not an HTML page")
    doc = _extract(html, url)
    body = (doc.text or "").strip() if doc is not None else ""
    if not body:
        raise PageError("no article text found on the page")
    title = (doc.title or "").strip() or None
    published = _parse_date(doc.date)
    text = strip_boilerplate(_trim_head(body, title, published))
    # One paragraph a line from the extractor; a blank line between them, as in text files.
    text = "\n\n".join(line.strip() for line in text.split("\n") if line.strip())
    if len(re.findall(r"\w+", text)) < _MIN_WORDS:
        raise PageError("no article text found on the page")
    return Page(
        text=text,
        title=title,
        outlet=(doc.sitename or "").strip() or None,
        published=published,
        authors=_authors(doc.author),
        url=(doc.url or url or None),
        language=detect_language(text, _declared_language(html)),
    )
