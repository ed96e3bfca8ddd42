"""The pipeline shell: components, long texts in pieces, batches, and the records it returns."""

from __future__ import annotations

import json

import pytest
from attribution_cases import check_offsets, describe

from attribution import Extractor, Quote, Speaker, extract_quotes
from attribution.components import quotes_of
from attribution.extractor import split_text
from attribution.records import merge_attribution_parts

PARAGRAPHS = [
    "“The bridge will open in May,” Tove Halvorsen said.",
    "Kwame Asante said the budget was balanced.",
    "“We will keep the harbour open,” said Greta Lindqvist, the port director.",
    "The deficit will fall this year, Finance Minister Rhys Pemberton said on Monday.",
    "“Who pays for it?” Priya Venkataraman asked.",
    "Dmitri Volkov warned that the river could flood again.",
]
LONG_TEXT = "\n\n".join(PARAGRAPHS * 5)  # ~1,900 characters, 30 self-contained paragraphs


def summary(quotes: list[Quote]) -> list[tuple[int, int, str, str, str | None, str | None]]:
    return [(q.start, q.end, q.text, q.kind, q.mention, q.speaker.name if q.speaker else None) for q in quotes]


# ---------------------------------------------------------------- components

def test_pipeline_has_the_quotelens_components(extractor: Extractor) -> None:
    names = extractor.nlp.pipe_names
    assert names[-1] == "quotelens_attribution"
    assert names.index("quotelens_newline_sentences") < names.index("parser")


def test_a_line_break_starts_a_sentence(extractor: Extractor) -> None:
    doc = extractor.nlp("US general predicts troops will stay\nThe top general said the troops would stay.")
    starts = [t.text for t in doc if t.is_sent_start]
    assert "The" in starts


def test_doc_quotes_are_plain_serialisable_data(extractor: Extractor) -> None:
    doc = extractor.nlp(PARAGRAPHS[0])
    rows = quotes_of(doc)
    assert rows and json.loads(json.dumps(rows)) == rows
    assert [Quote.from_dict(r) for r in rows] == extractor.extract(PARAGRAPHS[0])


def test_extract_quotes_is_the_engine_over_a_parsed_doc(extractor: Extractor) -> None:
    doc = extractor.nlp(LONG_TEXT)
    # compared in wire form: the pipeline's records carry confidence rounded to 3 places
    assert [q.to_dict() for q in extract_quotes(doc)] == [q.to_dict() for q in extractor.extract(LONG_TEXT)]


@pytest.mark.parametrize("text", ["", " ", "\n\n", "\u00a0", "No quotes here at all."])
def test_texts_without_quotes(extractor: Extractor, text: str) -> None:
    assert extractor.extract(text) == []


# ---------------------------------------------------------------- many texts, long texts

def test_extract_many_keeps_input_order(extractor: Extractor) -> None:
    texts = [PARAGRAPHS[0], "", PARAGRAPHS[2], "Nothing said.", PARAGRAPHS[4]]
    results = list(extractor.extract_many(texts, batch_size=2))
    assert len(results) == len(texts)
    assert [len(r) for r in results] == [1, 0, 1, 0, 1]
    for text, quotes in zip(texts, results, strict=True):
        assert summary(quotes) == summary(extractor.extract(text))


@pytest.mark.parametrize(
    "text, max_chars",
    [
        pytest.param("short", 10, id="shorter-than-max"),
        pytest.param("para one\npara two\npara three", 12, id="paragraphs"),
        pytest.param("word " * 50, 17, id="spaces-only"),
        pytest.param("x" * 40, 7, id="no-break-at-all"),
        pytest.param("First sentence. Second sentence. Third sentence.", 20, id="sentences"),
    ],
)
def test_split_text_pieces_cover_the_text(text: str, max_chars: int) -> None:
    pieces = split_text(text, max_chars)
    assert "".join(p for _, p in pieces) == text
    pos = 0
    for offset, piece in pieces:
        assert offset == pos and text[offset : offset + len(piece)] == piece
        assert 0 < len(piece) <= max_chars
        pos += len(piece)


def test_split_text_prefers_paragraph_breaks() -> None:
    text = "\n".join(["a" * 30] * 4)
    pieces = split_text(text, 70)
    assert all(p.endswith("\n") for _, p in pieces[:-1])


def test_long_text_in_pieces_keeps_offsets(extractor: Extractor) -> None:
    whole = extractor.extract(LONG_TEXT)
    assert len(whole) == 30, describe(whole)
    pieces = Extractor(nlp=extractor.nlp)
    pieces.chunk_chars = 300
    assert len(split_text(LONG_TEXT, 300)) > 5
    chunked = pieces.extract(LONG_TEXT)
    for q in chunked:
        check_offsets(LONG_TEXT, q)
    assert summary(chunked) == summary(whole)
    assert len({q.group for q in chunked}) == len(chunked)  # group numbers stay distinct across pieces


def test_text_longer_than_nlp_max_length(extractor: Extractor, monkeypatch: pytest.MonkeyPatch) -> None:
    """A text over the pipeline's max_length goes through in pieces, not an E088 error."""
    whole = extractor.extract(LONG_TEXT)
    monkeypatch.setattr(extractor.nlp, "max_length", 500)
    chunked = extractor.extract(LONG_TEXT)
    assert summary(chunked) == summary(whole)


def test_chunking_keeps_a_quote_and_its_cue_together(extractor: Extractor) -> None:
    """Pieces are cut at paragraph breaks, so a quote never loses its cue to a cut."""
    text = "\n".join([PARAGRAPHS[0]] * 20)
    pieces = Extractor(nlp=extractor.nlp)
    pieces.chunk_chars = 130
    quotes = pieces.extract(text)
    assert len(quotes) == 20, describe(quotes)
    assert {q.speaker.name for q in quotes if q.speaker} == {"Tove Halvorsen"}


# ---------------------------------------------------------------- records

def make_quote(**overrides: object) -> Quote:
    base: dict = dict(
        start=10, end=20, text="we will go", kind="direct", cue_start=25, cue_end=29, cue="said", cue_lemma="say",
        speaker_start=30, speaker_end=40, mention="the mayor",
        speaker=Speaker("the mayor", "anon:mayor", "anonymous", titles=("Mayor",), roles=("mayor of X",)),
        via="Reuters", confidence=0.8, evidence={"quote": "direct-cue-after"}, group=3,
    )
    base.update(overrides)
    return Quote(**base)


def test_quote_round_trips_through_its_wire_form() -> None:
    q = make_quote()
    d = q.to_dict()
    assert json.loads(json.dumps(d)) == d
    assert Quote.from_dict(d) == q
    assert d["speaker"] == "the mayor" and d["speaker_key"] == "anon:mayor" and d["speaker_kind"] == "anonymous"
    bare = make_quote(speaker=None, speaker_start=None, speaker_end=None, mention=None, cue_start=None,
                      cue_end=None, cue=None, cue_lemma=None, via=None)
    assert Quote.from_dict(bare.to_dict()) == bare


def test_shifted_moves_every_offset() -> None:
    q = make_quote().shifted(100, group_offset=5)
    assert (q.start, q.end, q.cue_start, q.cue_end, q.speaker_start, q.speaker_end) == (110, 120, 125, 129, 130, 140)
    assert q.group == 8
    bare = make_quote(speaker_start=None, speaker_end=None, cue_start=None, cue_end=None).shifted(7)
    assert (bare.start, bare.speaker_start, bare.cue_start) == (17, None, None)


def test_merge_attribution_parts_joins_a_group() -> None:
    rows = [
        {"start": 1, "end": 17, "text": "We started late,", "group": 0},
        {"start": 80, "end": 95, "text": "Something else.", "group": 1},
        {"start": 45, "end": 60, "text": "But we finished", "group": 0},
    ]
    merged = merge_attribution_parts(rows)
    assert [(m["start"], m["end"]) for m in merged] == [(1, 60), (80, 95)]
    assert merged[0]["parts"] == [[1, 17], [45, 60]]
    assert merged[0]["text"] == "We started late, … But we finished"
    assert "parts" not in merged[1]
    assert rows[0]["end"] == 17  # the input rows are left alone
