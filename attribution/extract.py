"""The engine as one plain function: a parsed `Doc` in, its quotes out.

`extract_quotes` only reads the `Doc`: the pipeline's components (see
`attribution.components`) have already split sentences at line breaks and
repaired the NER's person names. The steps, each in its own module:

1. `attribution.marks`    the quoted stretches of the text;
2. `attribution.frames`   reporting cues with their sources and content;
3. `attribution.rules`    the rule table: which stretches are quotes, and the
                          indirect speech, each as a draft;
4. `attribution.resolve`  each draft's speaker, resolved in the document.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .frames import find_frames
from .lexicon import get_lexicon
from .marks import find_quote_spans
from .records import Quote
from .resolve import resolve_speakers
from .rules import find_drafts
from .thresholds import Thresholds

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["extract_quotes"]

_DEFAULTS = Thresholds()


def extract_quotes(doc: Doc, thresholds: Thresholds = _DEFAULTS) -> list[Quote]:
    """Every attribution in a parsed document, in text order."""
    text = doc.text
    if not text.strip():
        return []
    lex = get_lexicon(thresholds.min_cue_p, thresholds.min_cue_count, thresholds.min_frame_p)
    spans = find_quote_spans(text)
    frames = find_frames(doc, lex, spans, thresholds)
    drafts = find_drafts(doc, lex, spans, frames, thresholds)
    return resolve_speakers(doc, drafts, lex)
