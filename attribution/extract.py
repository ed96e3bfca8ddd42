"""Entry points: text in, quotes out (the engine's public face)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from .records import Quote

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc


def extract_quotes(doc: Doc) -> list[Quote]:
    """Every attribution in a parsed document, in text order."""
    return []  # filled in by the engine work (issue 2)


class Extractor:
    """Holds a loaded pipeline and turns texts into quotes."""

    def __init__(self, nlp: Language | None = None, model: str | None = None) -> None:
        from .pipeline import load_nlp

        self.nlp = nlp if nlp is not None else load_nlp(model)

    def extract(self, text: str) -> list[Quote]:
        """The quotes in one text."""
        return extract_quotes(self.nlp(text))

    def extract_many(
        self, texts: Iterable[str], workers: int = 1, batch_size: int = 16
    ) -> Iterator[list[Quote]]:
        """The quotes of each text, in input order."""
        for text in texts:
            yield self.extract(text)
