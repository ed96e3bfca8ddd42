"""Checks and small transformations of incoming text: one place for what the store accepts."""

from __future__ import annotations

import hashlib
import re

from api.errors import InvalidInput

__all__ = ["check_text", "content_hash", "make_context", "prepare_article_text", "slugify", "clip"]

_WS = re.compile(r"\s+")
_SLUG_SEP = re.compile(r"[^a-z0-9]+")
CONTEXT_CHARS = 100  # either side of a quote


def check_text(value: str, field: str) -> str:
    """`value` unchanged, or InvalidInput when it cannot be stored (NUL, lone surrogates)."""
    if "\x00" in value:
        raise InvalidInput(f"{field} contains a NUL character (\\u0000), which cannot be stored", field=field)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(f"{field} is not valid Unicode (it contains a lone surrogate)", field=field) from None
    return value


def prepare_article_text(text: str, max_chars: int) -> str:
    """The text as stored and extracted from: checked, newlines unified, outer blank space trimmed."""
    check_text(text, "text")
    prepared = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not prepared:
        raise InvalidInput("text is empty", field="text")
    if len(prepared) > max_chars:
        raise InvalidInput(
            f"text is {len(prepared):,} characters long; the limit is {max_chars:,} "
            "(QUOTELENS_MAX_ARTICLE_CHARS)",
            field="text",
        )
    return prepared


def content_hash(prepared_text: str) -> str:
    """The identity of an article: SHA-256 of its prepared text."""
    return hashlib.sha256(prepared_text.encode("utf-8")).hexdigest()


def make_context(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> str:
    """The quote with about `width` characters either side, cut at word boundaries, on one line."""
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    lo = max(0, start - width)
    hi = min(len(text), end + width)
    if lo > 0:
        space = text.find(" ", lo, start)
        lo = space + 1 if space != -1 else lo
    if hi < len(text):
        space = text.rfind(" ", end, hi)
        hi = space if space != -1 else hi
    snippet = _WS.sub(" ", text[lo:hi]).strip()
    return ("…" if lo > 0 else "") + snippet + ("…" if hi < len(text) else "")


def slugify(name: str, fallback: str = "speaker") -> str:
    """A URL-safe lower-case form of a name ("Gen. Kenneth McKenzie" → "gen-kenneth-mckenzie")."""
    import unicodedata

    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    slug = _SLUG_SEP.sub("-", folded).strip("-")[:80].strip("-")
    if not slug or slug.isdigit():  # an all-digit slug would read as an id
        slug = f"{fallback}-{slug}" if slug else fallback
    return slug


def clip(value: str | None, limit: int) -> str | None:
    """`value` cut to a column's length (None stays None)."""
    if value is None:
        return None
    return value if len(value) <= limit else value[: limit - 1] + "…"
