"""Fixtures for the engine's tests: one loaded spaCy pipeline for the whole session."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from attribution import Extractor, Quote


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    """The engine with its trained pipeline, loaded once (loading takes seconds)."""
    return Extractor()


@pytest.fixture(scope="session")
def extract(extractor: Extractor) -> Callable[[str], list[Quote]]:
    """`extract(text)`: the quotes of one text, memoised so shared texts parse once."""
    seen: dict[str, list[Quote]] = {}

    def run(text: str) -> list[Quote]:
        if text not in seen:
            seen[text] = extractor.extract(text)
        return seen[text]

    return run
