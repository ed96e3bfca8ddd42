"""Quote detection and attribution scores: predicted quotes against gold attributions.

Definitions (those of `../shared/eval/score.py`, so the figures agree):
- Gold items without a source are left out: a prediction that lands on one is
  neither a hit nor a false positive. So is a prediction that lands on a gold
  item outside the subset being scored (an indirect one when scoring direct quotes).
- *direct*: gold items whose content holds a double quotation mark; predictions
  with a quotation mark within two characters of their span.
- Predictions and gold items are paired one to one, greedily by overlap size
  (largest first; among equal overlaps the later prediction, then the later gold
  item, first).
- *detection*: a pair counts. *attribution*: a pair whose predicted speaker
  mention overlaps the gold source mention, or whose speaker name shares a name
  token with the gold source's names.
Precision, recall and F1 are rounded to four decimals, as the shared scorer does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .gold import QUOTE_CHARS, Corpus, GoldItem, name_tokens, overlap

__all__ = ["Counts", "ExtractionScore", "score_extraction", "score_subset", "speaker_is_right"]

Prediction = Mapping[str, Any]


@dataclass(frozen=True)
class Counts:
    """Gold and predicted items of one subset and how many pairs hit."""

    gold: int
    pred: int
    detected: int
    attributed: int

    @property
    def detection(self) -> tuple[float, float, float]:
        return _prf(self.detected, self.pred, self.gold)

    @property
    def attribution(self) -> tuple[float, float, float]:
        return _prf(self.attributed, self.pred, self.gold)

    def to_dict(self) -> dict[str, Any]:
        return {"gold": self.gold, "pred": self.pred,
                "detection": list(self.detection), "attribution": list(self.attribution)}


@dataclass(frozen=True)
class ExtractionScore:
    """The scores of one prediction set: direct quotes and all attributions."""

    docs: int
    docs_missing_in_pred: int
    direct: Counts
    all: Counts

    def to_dict(self) -> dict[str, Any]:
        return {"docs": self.docs, "docs_missing_in_pred": self.docs_missing_in_pred,
                "direct": self.direct.to_dict(), "all": self.all.to_dict()}


def _prf(hits: int, pred: int, gold: int) -> tuple[float, float, float]:
    p = hits / pred if pred else 0.0
    r = hits / gold if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return round(p, 4), round(r, 4), round(f, 4)


def _overlap_with(span: tuple[int, int], spans: Sequence[tuple[int, int]]) -> int:
    return sum(overlap(span, other) for other in spans)


def speaker_is_right(pred: Prediction, gold: GoldItem) -> bool:
    """The predicted speaker mention overlaps the gold source, or the names share a token."""
    start, end = pred.get("speaker_start"), pred.get("speaker_end")
    if start is not None and end is not None and _overlap_with((start, end), gold.source_spans) > 0:
        return True
    return bool(name_tokens(pred.get("speaker")) & gold.names)


def _near_quote_mark(text: str, pred: Prediction) -> bool:
    window = text[max(0, pred["start"] - 2): pred["end"] + 2]
    return any(c in window for c in QUOTE_CHARS)


def score_subset(corpus: Corpus, preds: Mapping[str, Sequence[Prediction]], direct_only: bool) -> Counts:
    """Counts over every gold document, for direct quotes only or for all attributions."""
    n_gold = n_pred = detected = attributed = 0
    for doc, items in corpus.gold.items():

        def scored(item: GoldItem) -> bool:
            return item.has_source and (item.direct or not direct_only)

        doc_preds = [p for p in preds.get(doc, ())
                     if not direct_only or _near_quote_mark(corpus.texts[doc], p)]
        n_gold += sum(1 for g in items if scored(g))
        n_pred += len(doc_preds)
        # every overlapping pair, largest overlap first; ties: later prediction, later gold item
        pairs = sorted(
            ((ov, i, j)
             for i, p in enumerate(doc_preds)
             for j, g in enumerate(items)
             if (ov := _overlap_with((p["start"], p["end"]), g.spans)) > 0),
            reverse=True,
        )
        paired_preds: set[int] = set()
        paired_gold: set[int] = set()
        for _, i, j in pairs:
            if i in paired_preds or j in paired_gold:
                continue
            paired_preds.add(i)
            paired_gold.add(j)
            if not scored(items[j]):
                n_pred -= 1  # landed on an item not scored here: not a false positive either
                continue
            detected += 1
            attributed += speaker_is_right(doc_preds[i], items[j])
    return Counts(gold=n_gold, pred=n_pred, detected=detected, attributed=attributed)


def score_extraction(corpus: Corpus, preds: Mapping[str, Sequence[Prediction]]) -> ExtractionScore:
    """Detection and attribution P/R/F1 of `preds` ({doc: quote dicts}) against `corpus`."""
    return ExtractionScore(
        docs=len(corpus.gold),
        docs_missing_in_pred=sum(1 for doc in corpus.gold if doc not in preds),
        direct=score_subset(corpus, preds, direct_only=True),
        all=score_subset(corpus, preds, direct_only=False),
    )
