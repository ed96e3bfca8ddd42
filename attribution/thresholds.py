"""The engine's numeric knobs in one record: the attribution component's config.

The defaults are the values the evaluation figures in README.md were measured
with; `quotelens_attribution`'s `default_config` repeats them, so a pipeline's
`config.cfg` can change any one of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .lexicon import MIN_FRAME_P

__all__ = ["Thresholds"]


@dataclass(frozen=True, slots=True)
class Thresholds:
    """How strong a cue or a frame must be before a rule believes it."""

    # a mined cue counts when it heads an attribution in this share of its
    # occurrences in PolNeAR train, seen at least `min_cue_count` times
    min_cue_p: float = 0.15
    min_cue_count: int = 3
    # a mined frame ("wants" + xcomp) reports content when its relation was the
    # content this often in PolNeAR train (see attribution/lexicon.py)
    min_frame_p: float = MIN_FRAME_P
    # cues rarer than this in PolNeAR train only frame direct quotes
    min_indirect_weight: float = 0.3
    # a weak cue with a that-clause reports it ("He continued that …")
    that_clause_weight: float = 0.6
