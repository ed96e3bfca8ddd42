"""The attribution engine: every quote in a news text and who said it.

    >>> from attribution import Extractor
    >>> quotes = Extractor().extract(text)      # list[Quote]

The public names below load lazily: `import attribution` and the light modules
(`attribution.names`, `attribution.records`, `attribution.errors`) never import
spaCy or load a model; `Extractor`, `extract_quotes` and `load_nlp` do, on first use.
`attribution` imports nothing from `api`, `bot` or `quotelens` and reads no settings.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__all__ = [
    "AttributionError",
    "ExtractionFailed",
    "Extractor",
    "InputError",
    "PipelineNotFound",
    "Quote",
    "QuoteKind",
    "Speaker",
    "SpeakerKind",
    "Thresholds",
    "build_pipeline",
    "extract_quotes",
    "load_nlp",
    "name_similarity",
    "normalise_name",
    "speaker_key",
]

# public name -> the module that defines it
_WHERE = {
    "AttributionError": ".errors",
    "ExtractionFailed": ".errors",
    "InputError": ".errors",
    "PipelineNotFound": ".errors",
    "Extractor": ".extractor",
    "extract_quotes": ".extract",
    "build_pipeline": ".nlp",
    "load_nlp": ".nlp",
    "name_similarity": ".names",
    "normalise_name": ".names",
    "speaker_key": ".names",
    "Quote": ".records",
    "QuoteKind": ".records",
    "Speaker": ".records",
    "SpeakerKind": ".records",
    "Thresholds": ".thresholds",
}

if TYPE_CHECKING:
    from .errors import AttributionError, ExtractionFailed, InputError, PipelineNotFound
    from .extract import extract_quotes
    from .extractor import Extractor
    from .names import name_similarity, normalise_name, speaker_key
    from .nlp import build_pipeline, load_nlp
    from .records import Quote, QuoteKind, Speaker, SpeakerKind
    from .thresholds import Thresholds


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(where, __name__), name)
    globals()[name] = value  # once: later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
