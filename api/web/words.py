"""Search words marked in the quotes a search found, so a reader sees at once why each one matched.

The search itself stems words (full-text index); this only has to point at them, so a
word matches any word of the quote that starts with its root (the word less a common
ending): "troops" marks "troop" and "troops", "withdrawal" marks "withdraw".
"""

from __future__ import annotations

import re
from html import escape

from markupsafe import Markup

__all__ = ["mark_words", "roots"]

_WORD = re.compile(r"\w+", re.UNICODE)
_ENDINGS = ("ations", "ation", "ings", "ing", "als", "al", "ies", "es", "ed", "ly", "s")
MIN_ROOT = 3


def roots(query: str | None) -> tuple[str, ...]:
    """The lower-case roots of a query's words (words shorter than MIN_ROOT left out)."""
    found: list[str] = []
    for word in _WORD.findall((query or "").lower()):
        root = word
        for ending in _ENDINGS:
            if root.endswith(ending) and len(root) - len(ending) >= max(MIN_ROOT, 4):
                root = root[: -len(ending)]
                break
        if len(root) >= MIN_ROOT and root not in found:
            found.append(root)
    return tuple(found)


def mark_words(text: str, query: str | None) -> Markup:
    """`text` as HTML with every word starting with a root of `query`'s words inside `<mark>`."""
    wanted = roots(query)
    if not wanted:
        return Markup(escape(text, quote=False))
    out: list[str] = []
    last = 0
    for m in _WORD.finditer(text):
        if m.group().lower().startswith(wanted):
            out.append(escape(text[last:m.start()], quote=False))
            out.append(f"<mark>{escape(m.group(), quote=False)}</mark>")
            last = m.end()
    out.append(escape(text[last:], quote=False))
    return Markup("".join(out))
