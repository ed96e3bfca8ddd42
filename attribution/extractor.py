"""`Extractor`: raw texts in, quotes out, through the spaCy pipeline.

Long texts go through in pieces (offsets shifted back), many texts in batches
or worker processes; a text on which a component fails is reported and yields
no quotes, and the batch goes on.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from .components import GuardedPipe, continue_batch, failure_of, quotes_of
from .errors import ExtractionFailed
from .nlp import build_pipeline
from .records import Quote

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = ["Extractor", "OnError", "run_pipe", "split_text"]

log = logging.getLogger(__name__)

#: called with each text that failed: its index in the input, and the error
OnError = Callable[[int, ExtractionFailed], None]


def log_failure(index: int, error: ExtractionFailed) -> None:
    """The default `OnError`: a warning in the `attribution.extractor` log."""
    log.warning("%s", error)


class Extractor:
    """Holds a loaded pipeline and turns texts into quotes."""

    #: texts longer than this are processed in paragraph-aligned pieces
    chunk_chars = 100_000

    def __init__(self, nlp: Language | None = None, model: str | None = None,
                 config: dict[str, float] | None = None) -> None:
        """`nlp`: a pipeline built by `build_pipeline`; else one is built for `model`
        (default en_core_web_sm), with `config` for the attribution component."""
        self.nlp = nlp if nlp is not None else build_pipeline(model, config)
        for _name, pipe in self.nlp.pipeline:
            if isinstance(pipe, GuardedPipe):
                pipe.set_error_handler(continue_batch)  # type: ignore[arg-type]  # spaCy types it NoReturn

    def extract(self, text: str) -> list[Quote]:
        """The quotes in one text (ExtractionFailed if a component fails on it)."""
        failures: list[ExtractionFailed] = []
        quotes = next(self.extract_many([text], on_error=lambda _i, e: failures.append(e)))
        if failures:
            raise failures[0]
        return quotes

    def extract_many(
        self, texts: Iterable[str], workers: int = 1, batch_size: int = 16,
        on_error: OnError = log_failure,
    ) -> Iterator[list[Quote]]:
        """The quotes of each text, in input order; `workers` > 1 uses processes.

        A text on which a component fails yields [] and goes to `on_error`.
        """
        yield from run_pipe(self.nlp, texts, workers=workers, batch_size=batch_size,
                            chunk_chars=self.chunk_chars, on_error=on_error)


_SPACES = str.maketrans({"\u00a0": " ", "\u2007": " ", "\u202f": " "})
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _parseable(text: str) -> str:
    """The text spaCy is given: same length, so every offset points into the original.

    The NER splits names at no-break spaces, so those become plain spaces; spaCy
    cannot hash a lone surrogate (text decoded with `surrogateescape`, JSON "\\ud800"),
    so each becomes U+FFFD.
    """
    return _LONE_SURROGATE.sub("\ufffd", text.translate(_SPACES))


def _with_original_text(q: Quote, text: str) -> Quote:
    """Take the quote's and mention's text from the original (with its no-break spaces)."""
    mention = text[q.speaker_start : q.speaker_end] if q.speaker_start is not None else q.mention
    cue = text[q.cue_start : q.cue_end] if q.cue_start is not None else q.cue
    return replace(q, text=text[q.start : q.end], mention=mention, cue=cue)


def split_text(text: str, max_chars: int) -> list[tuple[int, str]]:
    """Pieces of at most `max_chars`, cut at paragraph (else sentence, else space) breaks."""
    if len(text) <= max_chars:
        return [(0, text)]
    pieces = []
    pos = 0
    while pos < len(text):
        end = min(len(text), pos + max_chars)
        if end < len(text):
            window = text[pos:end]
            cut = window.rfind("\n")
            if cut < max_chars // 2:
                cut = max(window.rfind(". "), window.rfind(" "))
            if cut > 0:
                end = pos + cut + 1
        pieces.append((pos, text[pos:end]))
        pos = end
    return pieces


def run_pipe(
    nlp: Language,
    texts: Iterable[str],
    workers: int = 1,
    batch_size: int = 16,
    chunk_chars: int = 100_000,
    on_error: OnError = log_failure,
) -> Iterator[list[Quote]]:
    """Run the pipeline over texts, yielding each text's quotes in input order.

    Long texts go through in pieces (offsets shifted back), so memory stays
    bounded whatever the input; `workers` > 1 runs spaCy's worker processes.
    A text with a failed piece yields [] and goes to `on_error`.
    """
    chunk_chars = min(chunk_chars, nlp.max_length)
    pending: dict[int, tuple[int, list[Quote]]] = {}  # text index -> (pieces left, quotes)
    originals: dict[tuple[int, int], str] = {}
    failed: dict[int, str] = {}  # text index -> the first failure
    next_out = 0

    def pieces() -> Iterator[tuple[str, tuple[int, int]]]:
        for i, text in enumerate(texts):
            parts = split_text(text, chunk_chars)
            pending[i] = (len(parts), [])
            for offset, part in parts:
                originals[(i, offset)] = part
                yield _parseable(part), (i, offset)

    stream = nlp.pipe(pieces(), as_tuples=True, batch_size=batch_size, n_process=max(1, workers))
    for doc, (i, offset) in stream:
        left, found = pending[i]
        original = originals.pop((i, offset))
        failure = failure_of(doc)
        if failure is not None:
            failed.setdefault(i, failure)
        groups = 1 + max((q.group for q in found), default=-1)
        for d in quotes_of(doc):
            q = _with_original_text(Quote.from_dict(d), original)
            found.append(q.shifted(offset, groups) if offset else q)
        pending[i] = (left - 1, found)
        while next_out in pending and pending[next_out][0] == 0:
            quotes = pending.pop(next_out)[1]
            if next_out in failed:
                on_error(next_out, ExtractionFailed(next_out, failed.pop(next_out)))
                quotes = []
            yield quotes
            next_out += 1
