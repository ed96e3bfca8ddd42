"""`quotelens_attribution`: every quote in the doc, stored in `doc._.quotes`.

A thin shell over `attribution.extract.extract_quotes`; its numeric knobs
(`attribution.thresholds.Thresholds`) are the component's config, e.g.
`nlp.add_pipe("quotelens_attribution", config={"min_frame_p": 0.3})`.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from ..extract import extract_quotes
from ..thresholds import Thresholds
from .guarded import GuardedPipe

__all__ = ["QuoteFinder", "failure_of", "quotes_of"]

if not Doc.has_extension("quotes"):
    Doc.set_extension("quotes", default=None)


class QuoteFinder(GuardedPipe):
    """Finds every attribution in a parsed doc and stores it in `doc._.quotes`."""

    def __init__(self, nlp: Language, name: str, thresholds: Thresholds) -> None:
        self.name = name
        self.thresholds = thresholds

    def __call__(self, doc: Doc) -> Doc:
        doc._.quotes = [q.to_dict() for q in extract_quotes(doc, self.thresholds)]
        return doc


@Language.factory(
    "quotelens_attribution",
    assigns=["doc._.quotes"],
    requires=["token.dep", "doc.ents"],
    default_config=asdict(Thresholds()),
)
def make_attribution(
    nlp: Language,
    name: str,
    min_cue_p: float,
    min_cue_count: int,
    min_frame_p: float,
    min_indirect_weight: float,
    that_clause_weight: float,
) -> QuoteFinder:
    thresholds = Thresholds(
        min_cue_p=min_cue_p,
        min_cue_count=min_cue_count,
        min_frame_p=min_frame_p,
        min_indirect_weight=min_indirect_weight,
        that_clause_weight=that_clause_weight,
    )
    return QuoteFinder(nlp, name, thresholds)


def quotes_of(doc: Doc) -> list[dict[str, Any]]:
    """The serialised quotes a processed doc carries (empty if none)."""
    return list(doc._.quotes or [])


def failure_of(doc: Doc) -> str | None:
    """What failed on this doc in a quotelens component, or None."""
    error: str | None = doc._.attribution_error
    return error
