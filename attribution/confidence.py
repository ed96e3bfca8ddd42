"""How likely a quote's speaker is the right one: a small logistic model.

The weights (`attribution/data/confidence.tsv`) are fitted by
`benchmarks/calibrate.py` on PolNeAR dev's identity gold, over what the engine
knows when it names a speaker: the rule that found the quote, how the speaker's
mention was found, how the mention was resolved (a name, a pronoun whose gender
agrees, a description), the speaker's kind and the cue's reliability.

On PolNeAR dev (`benchmarks/calibrate.py --table-only`, which counts every quote
with a speaker, organisations and groups too, and a quote matching no gold
attribution as wrong), 91.4% of quotes at or above 0.7 have the right speaker,
93.1% at or above 0.77, 95.1% at or above 0.85, 96.3% at or above 0.9.
`DEFAULT_THRESHOLD` is 0.7, the lowest threshold at which at least 95% of the quotes
listed under a name are that person's when asked as the bot asks
(`quotelens eval --tracking`): 95.5% at 0.7, against 94.9% at 0.65 and 96.0% at
0.77; a stricter default hides so many right quotes that a speaker's list loses
more than it gains (ask macro F1 0.821 at 0.7, 0.802 at 0.77; the README's
reliability table).
"""

from __future__ import annotations

import math
from functools import cache

from .lexicon import data_lines

__all__ = ["DEFAULT_THRESHOLD", "features", "speaker_confidence"]

#: the confidence at or above which a quote's speaker is shown without doubt
DEFAULT_THRESHOLD = 0.7


def _family(rule: str) -> str:
    parts = rule.split("-")
    if parts[0] == "indirect" and len(parts) > 1 and parts[1].startswith("frame"):
        return "indirect-frame"
    return "-".join(parts[:3])


def features(evidence: dict[str, str], base: float, kind: str | None, mention: str | None) -> dict[str, float]:
    """The model's inputs for one quote (binary indicators and the rule's own confidence)."""
    res = evidence.get("resolution", "none")
    relative = res.startswith("relative-pronoun-")
    res = res.removeprefix("relative-pronoun-")
    alone = res.endswith("-alone")
    res = res.removesuffix("-alone")
    gender = res.endswith("-gender")
    res = res.removesuffix("-gender")
    f = {
        "res:" + res: 1.0,
        "quote:" + _family(evidence.get("quote", "none")): 1.0,
        "src:" + evidence.get("speaker", "none"): 1.0,
        "kind:" + (kind or "none"): 1.0,
        "base": base - 0.8,
    }
    if relative:
        f["relative"] = 1.0
    if gender:
        f["gender-agrees"] = 1.0
    if alone:
        f["no-rival"] = 1.0
    if "nested" in evidence:
        f["nested"] = 1.0
    return f


@cache
def _weights() -> tuple[float, dict[str, float]]:
    try:
        lines = data_lines("confidence.tsv")
    except FileNotFoundError:
        return 0.0, {}
    weights = {}
    for line in lines:
        key, value = line.split("\t")
        weights[key] = float(value)
    return weights.pop("bias", 0.0), weights


def speaker_confidence(evidence: dict[str, str], base: float, kind: str | None, mention: str | None) -> float:
    """The probability that the speaker is right; the rule's own confidence when no model is fitted."""
    bias, weights = _weights()
    if not weights:
        return base
    z = bias + sum(weights.get(k, 0.0) * v for k, v in features(evidence, base, kind, mention).items())
    return round(1 / (1 + math.exp(-z)), 3)
