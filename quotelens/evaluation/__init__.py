"""The project's own evaluation: extraction and speaker tracking scored against gold files.

    >>> corpus = load_polnear(Path("polnear/dev"))          # or load_seed_gold(file, texts)
    >>> score_extraction(corpus, {"doc": [quote dicts]}).direct.attribution   # (P, R, F1)

The definitions are those of the shared scorers (`../shared/eval/score.py` and
`track_score.py`), so the figures agree with them. Running the engine
(`quotelens.evaluation.predict`) and asking an API over a throwaway store
(`quotelens.evaluation.served`) live in their own modules: they import the
engine and the API, which this package's light part does not.
"""

from .extraction import Counts, ExtractionScore, score_extraction
from .gold import Corpus, GoldItem, load_polnear, load_predictions, load_seed_gold, name_tokens
from .tracking import (
    ApiReader,
    IdentityGold,
    PersonRow,
    TrackingScore,
    format_tracking,
    load_identity_gold,
    name_key,
    score_tracking,
)

__all__ = [
    "ApiReader",
    "Corpus",
    "Counts",
    "ExtractionScore",
    "GoldItem",
    "IdentityGold",
    "PersonRow",
    "TrackingScore",
    "format_tracking",
    "load_identity_gold",
    "load_polnear",
    "load_predictions",
    "load_seed_gold",
    "name_key",
    "name_tokens",
    "score_extraction",
    "score_tracking",
]
