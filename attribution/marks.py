"""Quotation marks: finding the quoted stretches of a text, character by character.

Newswire conventions this follows:
- curly marks pair “ with ”; straight " toggles; the two may be mixed;
- single marks (‘ ’ ' ) are apostrophes or nested quotes and never open a span,
  but two straight apostrophes together are a double mark (wire archives);
- a paragraph that opens a quote without closing it continues into the next
  paragraph when that one opens with a mark again (multi-paragraph quotes);
- an unbalanced mark never swallows the document: every span ends at its
  paragraph's end at the latest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPENERS = frozenset("“„«‟")
CLOSERS = frozenset("”»")
STRAIGHT = '"'
ALL_MARKS = OPENERS | CLOSERS | {STRAIGHT}
APOSTROPHE = "\x27"
DOUBLE_APOSTROPHE = APOSTROPHE * 2  # a straight double mark in wire archives
_MARK_RE = re.compile("[" + re.escape("".join(sorted(ALL_MARKS))) + APOSTROPHE + "]")


@dataclass(frozen=True, slots=True)
class QuoteSpan:
    """One quoted stretch within a paragraph.

    `start`/`end` are the inner span (without the marks); `open_mark`/`close_mark`
    are the marks' offsets (`close_mark` is None when the paragraph ended first).
    `continues` is True when an unclosed quote runs on into the next paragraph.
    """

    start: int
    end: int
    open_mark: int
    close_mark: int | None
    paragraph: int
    continues: bool = False

    @property
    def outer_start(self) -> int:
        return self.open_mark

    @property
    def outer_end(self) -> int:
        return self.close_mark + 1 if self.close_mark is not None else self.end


def paragraph_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line, the unit news paragraphs come in."""
    bounds = []
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        if line.strip():
            bounds.append((pos, end))
        pos = end + 1
    return bounds


def _is_straight_opener(text: str, i: int, lo: int) -> bool:
    """A straight mark opens when it follows a space/start/opening bracket."""
    return i == lo or text[i - 1].isspace() or text[i - 1] in "([{—–-:/"


def _mark_at(text: str, i: int) -> tuple[str, int] | None:
    """The quotation mark at `i` and its width (two apostrophes are one straight mark)."""
    ch = text[i]
    if ch in ALL_MARKS:
        return ch, 1
    if (ch == APOSTROPHE and text.startswith(DOUBLE_APOSTROPHE, i) and text[i + 2 : i + 3] != APOSTROPHE
            and text[i - 1 : i] != APOSTROPHE):
        return STRAIGHT, 2
    return None


def find_quote_spans(text: str) -> list[QuoteSpan]:
    """Every quoted stretch in `text`, in order, spans always inside the text."""
    spans: list[QuoteSpan] = []
    paragraphs = paragraph_bounds(text)
    for p_index, (lo, hi) in enumerate(paragraphs):
        open_at: int | None = None
        inner = lo  # where the open span's text starts
        skip_to = lo
        for m in _MARK_RE.finditer(text, lo, hi):
            i = m.start()
            if i < skip_to:
                continue  # the second apostrophe of a two-character mark
            mark = _mark_at(text, i)
            if mark is None:
                continue
            ch, width = mark
            skip_to = i + width
            if open_at is None:
                if ch in OPENERS or (ch == STRAIGHT and _is_straight_opener(text, i, lo)):
                    open_at, inner = i, i + width
                elif ch == STRAIGHT and i + width < hi and text[i + width].isalnum():
                    open_at, inner = i, i + width  # '"Word' glued to a previous token: still an opener
                # a stray closer with nothing open is ignored
            elif ch in CLOSERS or ch == STRAIGHT:
                # close_mark is the mark's last character, so outer_end is right for two-character marks
                spans.append(QuoteSpan(inner, i, open_at, i + width - 1, p_index))
                open_at = None
            elif ch in OPENERS:
                # “ … “ : the first was never closed; restart at the new mark,
                # keeping what came before as an unclosed span
                spans.append(QuoteSpan(inner, _rstrip(text, inner, i), open_at, None, p_index))
                open_at, inner = i, i + width
        if open_at is not None:
            end = _rstrip(text, inner, hi)
            next_opens = p_index + 1 < len(paragraphs) and _opens_with_mark(text, paragraphs[p_index + 1])
            spans.append(QuoteSpan(inner, end, open_at, None, p_index, continues=next_opens))
    return [s for s in spans if s.end > s.start and text[s.start:s.end].strip()]


def _rstrip(text: str, lo: int, hi: int) -> int:
    while hi > lo and text[hi - 1].isspace():
        hi -= 1
    return hi


def _opens_with_mark(text: str, bounds: tuple[int, int]) -> bool:
    lo, hi = bounds
    stripped = text[lo:hi].lstrip()
    return bool(stripped) and (stripped[0] in OPENERS or stripped[0] == STRAIGHT or stripped.startswith(DOUBLE_APOSTROPHE))
