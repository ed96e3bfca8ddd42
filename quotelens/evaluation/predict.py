"""Predictions to score: the engine run over a set of texts, in either scoring unit."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attribution import Extractor
from attribution.records import merge_attribution_parts

__all__ = ["UNITS", "Predictions", "predict"]

# quote: one record per quoted stretch (the seed gold's unit); attribution: the parts of
# one attribution joined (PolNeAR's unit: “A,” X said. “B.” is one attribution)
UNITS = ("quote", "attribution")


@dataclass
class Predictions:
    """The engine's quotes by document, as the scorer reads them."""

    by_doc: dict[str, list[dict[str, Any]]]
    seconds: float  # extraction time

    def in_unit(self, unit: str) -> dict[str, list[dict[str, Any]]]:
        if unit == "quote":
            return self.by_doc
        if unit == "attribution":
            return {doc: merge_attribution_parts(quotes) for doc, quotes in self.by_doc.items()}
        raise ValueError(f"unknown unit {unit!r}: expected one of {', '.join(UNITS)}")

    def write(self, path: Path, unit: str) -> None:
        """JSON Lines, one {"doc", "quotes"} a line (what `../shared/eval/score.py --pred` reads)."""
        with Path(path).open("w", encoding="utf-8") as f:
            for doc, quotes in self.in_unit(unit).items():
                f.write(json.dumps({"doc": doc, "quotes": quotes}) + "\n")


def predict(
    extractor: Extractor, texts: Mapping[str, str], *, workers: int = 1, progress: bool = True, label: str = "extract"
) -> Predictions:
    """Run `extractor` over `texts` ({doc: text}), with a progress bar on standard error."""
    import time

    from tqdm import tqdm

    started = time.perf_counter()
    quotes = extractor.extract_many(texts.values(), workers=workers)
    by_doc = {
        doc: [q.to_dict() for q in found]
        for doc, found in zip(
            texts,
            tqdm(quotes, total=len(texts), unit="article", desc=label, disable=not progress, dynamic_ncols=True),
            strict=True,
        )
    }
    return Predictions(by_doc, time.perf_counter() - started)
