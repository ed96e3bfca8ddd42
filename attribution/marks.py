"""Quotation marks: finding the quoted stretches of a text, character by character.

Newswire conventions this follows:
- curly marks pair “ with ”; straight " toggles; the two may be mixed;
- single marks (‘ ’ ' ) are apostrophes or nested quotes and never open a span;
- a paragraph that opens a quote without closing it continues into the next
  paragraph when that one opens with a mark again (multi-paragraph quotes);
- an unbalanced mark never swallows the document: every span ends at its
  paragraph's end at the latest.
"""

from __future__ import annotations

from dataclasses import dataclass

OPENERS = frozenset("“„«‟")
CLOSERS = frozenset("”»")
STRAIGHT = '"'
ALL_MARKS = OPENERS | CLOSERS | {STRAIGHT}


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


def find_quote_spans(text: str) -> list[QuoteSpan]:
    """Every quoted stretch in `text`, in order, spans always inside the text."""
    spans: list[QuoteSpan] = []
    paragraphs = paragraph_bounds(text)
    for p_index, (lo, hi) in enumerate(paragraphs):
        open_at: int | None = None
        for i in range(lo, hi):
            ch = text[i]
            if ch not in ALL_MARKS:
                continue
            if open_at is None:
                if ch in OPENERS or (ch == STRAIGHT and _is_straight_opener(text, i, lo)):
                    open_at = i
                elif ch == STRAIGHT and i + 1 < hi and text[i + 1].isalnum():
                    open_at = i  # '"Word' glued to a previous token: still an opener
                # a stray closer with nothing open is ignored
                continue
            if ch in CLOSERS or ch == STRAIGHT:
                spans.append(QuoteSpan(open_at + 1, i, open_at, i, p_index))
                open_at = None
            elif ch in OPENERS:
                # “ … “ : the first was never closed; restart at the new mark,
                # keeping what came before as an unclosed span
                spans.append(QuoteSpan(open_at + 1, _rstrip(text, open_at + 1, i), open_at, None, p_index))
                open_at = i
        if open_at is not None:
            end = _rstrip(text, open_at + 1, hi)
            next_opens = p_index + 1 < len(paragraphs) and _opens_with_mark(text, paragraphs[p_index + 1])
            spans.append(QuoteSpan(open_at + 1, end, open_at, None, p_index, continues=next_opens))
    return [s for s in spans if s.end > s.start and text[s.start:s.end].strip()]


def _rstrip(text: str, lo: int, hi: int) -> int:
    while hi > lo and text[hi - 1].isspace():
        hi -= 1
    return hi


def _opens_with_mark(text: str, bounds: tuple[int, int]) -> bool:
    lo, hi = bounds
    stripped = text[lo:hi].lstrip()
    return bool(stripped) and (stripped[0] in OPENERS or stripped[0] == STRAIGHT)
