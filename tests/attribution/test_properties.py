"""Properties that hold for any text: no exception, every offset inside the text and exact.

The engine sees scraped news: stray and unbalanced marks, nested marks, NBSP,
CRLF, very long paragraphs, any Unicode. Example counts stay modest because
each example runs the spaCy pipeline.
"""

from __future__ import annotations

from typing import get_args

from attribution_cases import check_offsets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attribution import Extractor, Quote, QuoteKind, SpeakerKind
from attribution.extractor import split_text
from attribution.marks import (
    CLOSERS,
    DOUBLE_APOSTROPHE,
    OPENERS,
    STRAIGHT,
    find_quote_spans,
    paragraph_bounds,
)

ENGINE = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PURE = settings(max_examples=300, deadline=None)

MARKS = ["“", "”", '"', "‘", "’", "«", "»", "„", "'", "‟"]
WORDS = [
    "said", "told", "added", "according to", "warned", "he", "she", "they", "the official", "officials",
    "a senior defense official", "Kwame Asante", "Asante", "Gen. Rafael Quintero", "the general", "Reuters",
    "that", "the", "budget", "was", "balanced", "will", "not", "nations’", "it’s", "U.S.", "Mr.", "Dr.",
    "ISIS", "Iraq", "“Defeat ISIS”", "and", "but", "who", "confirmed",
]
SEPARATORS = [" ", " ", " ", ", ", ". ", ": ", "\n", "\n\n", "\r\n", "\u00a0", " — ", "\t", "  "]

fragment = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(MARKS),
    st.text(max_size=8),  # any Unicode, including marks and line breaks
    st.sampled_from(SEPARATORS),
)
news_like = st.lists(fragment, max_size=60).map("".join)
any_text = st.text(max_size=300)
sentence = st.lists(st.sampled_from(WORDS), min_size=3, max_size=15).map(" ".join).map(lambda s: s + ".")


@st.composite
def quoted_paragraphs(draw: st.DrawFn) -> str:
    """Paragraphs of words with quotations, some left open, some nested, some glued."""
    paragraphs = []
    for _ in range(draw(st.integers(1, 6))):
        parts = []
        for _ in range(draw(st.integers(1, 5))):
            words = " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=8)))
            opener, closer = draw(st.sampled_from([("“", "”"), ('"', '"'), ("«", "»"), ("‘", "’"), ("“", ""),
                                                   ("", "”"), ("“", "“"), ('"', "")]))
            parts.append(draw(st.sampled_from(["", words + " "])) + opener + words + closer)
        paragraphs.append(draw(st.sampled_from([" ", ", ", " said ", ". "])).join(parts))
    return draw(st.sampled_from(["\n", "\n\n", "\r\n"])).join(paragraphs)


long_paragraph = st.lists(sentence, min_size=20, max_size=60).map(" ".join)


def check_all(text: str, quotes: list[Quote]) -> None:
    """Every invariant a caller relies on, for every quote of `text`."""
    kinds = set(get_args(QuoteKind))
    speaker_kinds = set(get_args(SpeakerKind))
    for q in quotes:
        check_offsets(text, q)
        assert q.kind in kinds
        assert 0.0 <= q.confidence <= 1.0
        assert isinstance(q.group, int) and q.group >= 0
        if q.speaker is not None:
            assert q.speaker.kind in speaker_kinds
            assert q.speaker.name.strip() and q.speaker.key
            assert q.mention is not None
        assert Quote.from_dict(q.to_dict()) == q
    assert [(q.start, q.end) for q in quotes] == sorted((q.start, q.end) for q in quotes)


@ENGINE
@given(text=news_like)
def test_news_like_text_never_breaks_the_engine(extractor: Extractor, text: str) -> None:
    check_all(text, extractor.extract(text))


@ENGINE
@given(text=any_text)
def test_any_unicode_never_breaks_the_engine(extractor: Extractor, text: str) -> None:
    check_all(text, extractor.extract(text))


@ENGINE
@given(text=quoted_paragraphs())
def test_unbalanced_and_nested_marks_never_break_the_engine(extractor: Extractor, text: str) -> None:
    check_all(text, extractor.extract(text))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=long_paragraph)
def test_long_paragraphs_never_break_the_engine(extractor: Extractor, text: str) -> None:
    check_all(text, extractor.extract(text))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.lists(quoted_paragraphs(), min_size=2, max_size=5).map("\n".join), chunk=st.integers(40, 200))
def test_texts_in_pieces_keep_exact_offsets(extractor: Extractor, text: str, chunk: int) -> None:
    pieces = Extractor(nlp=extractor.nlp)
    pieces.chunk_chars = chunk
    check_all(text, pieces.extract(text))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(st.one_of(news_like, quoted_paragraphs()), min_size=1, max_size=6))
def test_batching_does_not_change_results(extractor: Extractor, texts: list[str]) -> None:
    batched = list(extractor.extract_many(texts, batch_size=3))
    assert batched == [extractor.extract(t) for t in texts]


# ---------------------------------------------------------------- pure parts, more examples

@PURE
@given(text=st.one_of(news_like, quoted_paragraphs(), any_text))
def test_quote_spans_stay_inside_their_paragraph(text: str) -> None:
    paragraphs = paragraph_bounds(text)
    spans = find_quote_spans(text)
    last_end = -1
    for s in spans:
        lo, hi = paragraphs[s.paragraph]
        assert lo <= s.open_mark < s.start <= s.end <= hi
        if text.startswith(DOUBLE_APOSTROPHE, s.open_mark):  # '' is one straight mark
            assert s.start == s.open_mark + 2
        else:
            assert s.start == s.open_mark + 1
            assert text[s.open_mark] in OPENERS or text[s.open_mark] == STRAIGHT
        if s.close_mark is not None:
            assert s.close_mark < hi
            if text[s.close_mark - 1 : s.close_mark + 1] == DOUBLE_APOSTROPHE:
                assert s.end == s.close_mark - 1
            else:
                assert s.end == s.close_mark
                assert text[s.close_mark] in CLOSERS or text[s.close_mark] == STRAIGHT
        assert text[s.start : s.end].strip()
        assert s.open_mark >= last_end  # in order, never overlapping
        last_end = s.outer_end


plain_words = st.lists(st.sampled_from(["we", "will", "win", "the", "vote", "said", "Asante", "it’s", "nations’"]),
                       min_size=1, max_size=6).map(" ".join)


@PURE
@given(
    paragraphs=st.lists(
        st.lists(st.tuples(plain_words, plain_words, st.sampled_from([("“", "”"), ('"', '"'), ("«", "»")])),
                 min_size=1, max_size=4),
        min_size=1, max_size=5,
    ),
    broken=st.integers(0, 4),
)
def test_well_formed_quotes_are_found_exactly(paragraphs: list, broken: int) -> None:
    """Balanced quotes are all found; one unbalanced paragraph loses nothing elsewhere."""
    lines: list[str] = []
    expected: list[str] = []
    for p_index, parts in enumerate(paragraphs):
        line = " ".join(f"{before} {o}{inside}{c}" for before, inside, (o, c) in parts)
        if p_index == broken:
            line = "An odd “ mark. " + line  # everything after it in this paragraph is unreliable
        else:
            expected.extend(inside for _, inside, _ in parts)
        lines.append(line)
    text = "\n".join(lines)
    found = [text[s.start : s.end] for s in find_quote_spans(text) if s.paragraph != broken]
    assert found == expected


@PURE
@given(text=st.one_of(any_text, news_like), max_chars=st.integers(1, 120))
def test_split_text_covers_the_text_exactly(text: str, max_chars: int) -> None:
    pieces = split_text(text, max_chars)
    assert "".join(p for _, p in pieces) == text
    pos = 0
    for offset, piece in pieces:
        assert offset == pos and len(piece) <= max_chars
        assert piece or text == ""  # an empty text is one empty piece, so it still gets a result
        pos += len(piece)
