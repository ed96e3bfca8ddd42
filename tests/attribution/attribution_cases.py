"""Expected attributions for the table-driven engine tests, and how to check them.

A row of a table is `(text, [Expect, ...])`. `check_quotes` finds each expected
quote by its content and compares only the fields the row states, so a failure
prints the expected fields beside what the engine gave, plus everything it found.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from attribution import Quote

UNCHECKED: Any = object()


@dataclass(frozen=True)
class Expect:
    """One expected attribution.

    `content` is the exact quoted/reported text (`exact=False`: a key phrase the
    content must contain). `speaker` is the resolved name (None: no speaker).
    Fields left at UNCHECKED are not compared.
    """

    content: str
    speaker: str | None
    mention: str | None = UNCHECKED
    kind: str = "direct"
    speaker_kind: str | None = UNCHECKED
    via: str | None = UNCHECKED
    cue: str | None = UNCHECKED  # the cue's lemma ("say", "tell", "according to")
    exact: bool = True

    def fields(self) -> dict[str, Any]:
        wanted = {
            "content": self.content,
            "kind": self.kind,
            "speaker": self.speaker,
            "mention": self.mention,
            "speaker_kind": self.speaker_kind if self.speaker is not None else UNCHECKED,
            "via": self.via,
            "cue": self.cue,
        }
        return {k: v for k, v in wanted.items() if v is not UNCHECKED}


def observed(q: Quote, e: Expect) -> dict[str, Any]:
    """The fields of `q` that `e` states, in the same shape as `Expect.fields`."""
    got = {
        "content": q.text if e.exact else e.content,
        "kind": q.kind,
        "speaker": q.speaker.name if q.speaker else None,
        "mention": q.mention,
        "speaker_kind": q.speaker.kind if q.speaker else None,
        "via": q.via,
        "cue": q.cue_lemma,
    }
    return {k: got[k] for k in e.fields()}


def describe(quotes: list[Quote]) -> str:
    """Everything the engine found, one line per quote, for assertion messages."""
    if not quotes:
        return "  (no quotes found)"
    return "\n".join(
        f"  {q.kind:12} {q.text!r} <- mention={q.mention!r} speaker="
        f"{(q.speaker.name, q.speaker.kind) if q.speaker else None!r} cue={q.cue_lemma!r} via={q.via!r}"
        for q in quotes
    )


def find_quote(quotes: list[Quote], content: str, exact: bool = True) -> Quote | None:
    """The quote whose text is `content` (or contains it), else None."""
    for q in quotes:
        if (q.text == content) if exact else (content in q.text):
            return q
    return None


def check_offsets(text: str, q: Quote) -> None:
    """A quote's offsets point into `text` at exactly the strings it reports."""
    assert 0 <= q.start <= q.end <= len(text), (q.start, q.end, len(text))
    assert q.text == text[q.start : q.end]
    if q.speaker_start is not None or q.speaker_end is not None:
        assert q.speaker_start is not None and q.speaker_end is not None
        assert 0 <= q.speaker_start <= q.speaker_end <= len(text)
        assert q.mention == text[q.speaker_start : q.speaker_end]
    if q.cue_start is not None or q.cue_end is not None:
        assert q.cue_start is not None and q.cue_end is not None
        assert 0 <= q.cue_start <= q.cue_end <= len(text)
        assert q.cue == text[q.cue_start : q.cue_end]


def check_quotes(text: str, quotes: list[Quote], expected: list[Expect], complete: bool = True) -> None:
    """Each expected attribution is among `quotes` with the stated fields.

    `complete`: the engine found nothing else (a sentence with one attribution
    gives one record).
    """
    found = describe(quotes)
    for q in quotes:
        check_offsets(text, q)
    for e in expected:
        match = find_quote(quotes, e.content, e.exact)
        assert match is not None, f"no quote with content {e.content!r} in {text!r}; found:\n{found}"
        assert observed(match, e) == e.fields(), f"in {text!r}; found:\n{found}"
    if complete:
        assert len(quotes) == len(expected), f"expected {len(expected)} quotes in {text!r}; found:\n{found}"
