"""Hostile text through the engine: no exception, every span inside the text and exact.

A short run of benchmarks/fuzz_engine.py (which has the long one, with a 200,000
character paragraph): arbitrary Unicode, unbalanced and nested marks of every
kind (“ ” „ « » ‹ › " ' ‘ ’ 「 」 …), NBSP and control characters, paragraphs
longer than a chunk.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from attribution import Extractor

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from fuzz_engine import build_strategies, check_extraction, long_paragraph  # noqa: E402

STRATEGIES = build_strategies(surrogates=True)
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                database=None)


@FUZZ
@given(text=STRATEGIES["any_unicode"])
def test_any_unicode(extractor: Extractor, text: str) -> None:
    check_extraction(text, extractor.extract(text))


@FUZZ
@given(text=STRATEGIES["news_like"])
def test_news_like_text_with_odd_characters(extractor: Extractor, text: str) -> None:
    check_extraction(text, extractor.extract(text))


@FUZZ
@given(text=STRATEGIES["nested_marks"])
def test_nested_and_unbalanced_marks_of_every_kind(extractor: Extractor, text: str) -> None:
    check_extraction(text, extractor.extract(text))


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
@given(text=STRATEGIES["many_paragraphs"])
def test_paragraphs_cut_into_chunks(extractor: Extractor, text: str) -> None:
    pieces = Extractor(nlp=extractor.nlp)
    pieces.chunk_chars = 97  # shorter than many paragraphs: the cut falls inside them
    check_extraction(text, pieces.extract(text))


@pytest.mark.parametrize("chunk_chars", [1_000, 4_999])
def test_one_paragraph_longer_than_a_chunk(extractor: Extractor, chunk_chars: int) -> None:
    """The 200,000-character paragraph of the long run, scaled down with the chunk size (it takes ~30 s)."""
    text = long_paragraph(5 * chunk_chars + 17)
    assert "\n" not in text
    pieces = Extractor(nlp=extractor.nlp)
    pieces.chunk_chars = chunk_chars
    quotes = pieces.extract(text)
    check_extraction(text, quotes)
    assert quotes


@pytest.mark.parametrize("text", ["\ud800", "He said \udfff.", "“We stay\udc80,” McKenzie said."])
def test_lone_surrogates(extractor: Extractor, text: str) -> None:
    check_extraction(text, extractor.extract(text))
