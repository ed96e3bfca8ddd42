"""The attribution engine: every quote in a news text and who said it.

    >>> from attribution import Extractor
    >>> quotes = Extractor().extract(text)      # list[Quote]

`attribution` imports nothing from `api` or `bot`.
"""

from .errors import AttributionError, InputError, PipelineNotFound
from .extract import Extractor, extract_quotes
from .names import name_similarity, normalise_name, speaker_key
from .pipeline import load_nlp
from .records import Quote, QuoteKind, Speaker, SpeakerKind

__all__ = [
    "AttributionError",
    "Extractor",
    "InputError",
    "PipelineNotFound",
    "Quote",
    "QuoteKind",
    "Speaker",
    "SpeakerKind",
    "extract_quotes",
    "load_nlp",
    "name_similarity",
    "normalise_name",
    "speaker_key",
]
