"""An article's text as HTML with every quote marked at its offsets.

The text is cut at every quote's start and end; each piece inside one or more
quotes becomes a link (`<a class="q" data-quotes="ID ...">`) to that quote's
details, so the concatenated text of the pieces of a quote is exactly
`text[start:end]`, also when quotes overlap. Speakers get a colour and a letter
(the cue besides colour), in the order they are first quoted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from quotelens.contract import QuoteRead, SpeakerRef

__all__ = ["SpeakerStyle", "marked_text", "speaker_styles", "COLOURS", "PATTERNS"]

COLOURS = 8  # colour classes c0..c7 in the stylesheet
PATTERNS = 4  # underline styles u0..u3: solid, dashed, dotted, double


@dataclass(frozen=True, slots=True)
class SpeakerStyle:
    """How one speaker's quotes look in one article: a colour, an underline and a letter."""

    speaker: SpeakerRef | None
    colour: int
    pattern: int
    letter: str
    quotes: int

    @property
    def css(self) -> str:
        return f"c{self.colour} u{self.pattern}" if self.speaker is not None else "cn u0"

    @property
    def name(self) -> str:
        return self.speaker.name if self.speaker is not None else "speaker not found or uncertain"


def _letters(i: int) -> str:
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def speaker_styles(quotes: Sequence[QuoteRead]) -> dict[int | None, SpeakerStyle]:
    """A style per speaker id (None: quotes without a speaker), in order of first quote."""
    counts: dict[int | None, int] = {}
    refs: dict[int | None, SpeakerRef | None] = {}
    for q in sorted(quotes, key=lambda q: (q.start, q.id)):
        key = q.speaker.id if q.speaker is not None else None
        counts[key] = counts.get(key, 0) + 1
        refs.setdefault(key, q.speaker)
    styles: dict[int | None, SpeakerStyle] = {}
    named = 0
    for key, n in counts.items():
        if key is None:
            styles[None] = SpeakerStyle(None, -1, 0, "?", n)
            continue
        styles[key] = SpeakerStyle(refs[key], named % COLOURS, (named // COLOURS) % PATTERNS, _letters(named), n)
        named += 1
    return styles


def _text_html(text: str) -> str:
    # Paragraph breaks get a spacer element, which adds no text: offsets and textContent stay as stored.
    return escape(text, quote=False).replace("\n", '\n<span class="gap"></span>')


def marked_text(text: str, quotes: Sequence[QuoteRead], styles: dict[int | None, SpeakerStyle]) -> Markup:
    """The article text as HTML, each quote's characters inside links to `#q-ID`."""
    spans = [(q, max(0, q.start), min(len(text), q.end)) for q in quotes if 0 <= q.start < q.end]
    cuts = sorted({0, len(text), *(s for _, s, _ in spans), *(e for _, _, e in spans)})
    starts: dict[int, list[QuoteRead]] = {}
    for q, s, _ in spans:
        starts.setdefault(s, []).append(q)
    out: list[str] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        piece = text[a:b]
        inside = [q for q, s, e in spans if s <= a and b <= e]
        for q in starts.get(a, ()):
            style = styles[q.speaker.id if q.speaker is not None else None]
            out.append(f'<span class="badge {style.css}" id="m-{q.id}" title="{escape(style.name)}">'
                       f"{escape(style.letter)}</span>")
        if not inside:
            out.append(_text_html(piece))
            continue
        inner = min(inside, key=lambda q: (q.end - q.start, q.id))  # the innermost quote sets the look
        style = styles[inner.speaker.id if inner.speaker is not None else None]
        ids = " ".join(str(q.id) for q in inside)
        out.append(
            f'<a class="q {style.css}" href="#q-{inner.id}" data-quotes="{ids}" data-quote="{inner.id}">'
            f"{_text_html(piece)}</a>"
        )
    return Markup("".join(out))
