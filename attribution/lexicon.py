"""Rule data, loaded once from the files under `attribution/data/`.

- `cues.tsv`: reporting cues mined from PolNeAR train (`benchmarks/mine_cues.py`),
  each with how reliably it heads an attribution when it occurs;
- `reporting_verbs.txt`: verbs that report speech whatever the corpus says;
- `frame_verbs.txt`: verbs that frame a quote next to them ("…,” he continued);
- `infinitive_content_verbs.txt`, `object_content_verbs.txt`: which complements
  carry the content;
- `roles.txt`, `group_nouns.txt`, `outlets.txt`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["Lexicon", "get_lexicon"]


def _read(name: str) -> list[str]:
    text = resources.files("attribution.data").joinpath(name).read_text("utf-8")
    return [ln.rstrip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


@dataclass(frozen=True)
class Lexicon:
    """Everything the rules look words up in."""

    verb_cues: dict[str, float]  # lemma -> weight (0..1) for verbs
    noun_cues: dict[str, float]  # lemma -> weight for nouns ("claim", "statement")
    speech_verbs: frozenset[str]  # verbs that always report speech (say, tell, add…)
    role_fits: dict[str, frozenset[str]]  # nominal head -> title/role words it fits
    group_nouns: frozenset[str]
    outlets: frozenset[str]  # lower-cased outlet names
    frame_verbs: frozenset[str] = frozenset()  # frame a quote next to them, report nothing alone
    infinitive_content_verbs: frozenset[str] = frozenset()
    object_content_verbs: frozenset[str] = frozenset()
    speech_nouns: frozenset[str] = frozenset()  # "McKenzie's comments": the possessor speaks

    def verb_weight(self, lemma: str) -> float:
        lemma = lemma.lower()
        if lemma in self.speech_verbs:
            return max(self.verb_cues.get(lemma, 0.0), 0.9)
        return self.verb_cues.get(lemma, 0.0)

    def is_outlet(self, name: str) -> bool:
        return name.strip().lower() in self.outlets


@cache
def get_lexicon(min_p: float = 0.15, min_count: int = 3) -> Lexicon:
    """The lexicon, read once per process.

    A mined cue counts when it heads an attribution in at least `min_p` of its
    occurrences in PolNeAR train (and at least `min_count` times).
    """
    verb_cues: dict[str, float] = {}
    noun_cues: dict[str, float] = {}
    for line in _read("cues.tsv"):
        lemma, pos, n, _seen, p = line.split("\t")
        if int(n) < min_count or float(p) < min_p:
            continue
        (verb_cues if pos == "VERB" else noun_cues)[lemma] = float(p)
    speech = load_words("reporting_verbs.txt")
    for w in speech:
        verb_cues[w] = max(verb_cues.get(w, 0.0), 0.9)
    role_fits = {}
    for line in _read("roles.txt"):
        head, _, fits = line.partition(":")
        role_fits[head.strip()] = frozenset(fits.split()) | {head.strip()}
    groups = frozenset(w for ln in _read("group_nouns.txt") for w in ln.split())
    outlets = frozenset(ln.strip().lower() for ln in _read("outlets.txt"))
    return Lexicon(
        verb_cues, noun_cues, speech, role_fits, groups, outlets,
        frame_verbs=load_words("frame_verbs.txt"),
        infinitive_content_verbs=load_words("infinitive_content_verbs.txt"),
        object_content_verbs=load_words("object_content_verbs.txt"),
        speech_nouns=load_words("speech_nouns.txt"),
    )


def load_words(name: str) -> frozenset[str]:
    """The whitespace-separated words of a data file, comments left out."""
    return frozenset(w for ln in _read(name) for w in ln.split())
