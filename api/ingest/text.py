"""Incoming article text: checked, put in its stored form, hashed; a quote's context."""

from __future__ import annotations

import hashlib
import re

from api.store.values import check_text
from quotelens.errors import InvalidInput

__all__ = ["content_hash", "make_context", "prepare_article_text"]

_WS = re.compile(r"\s+")
CONTEXT_CHARS = 100  # either side of a quote


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
