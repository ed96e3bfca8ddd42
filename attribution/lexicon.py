"""Rule data, loaded once from the files under `attribution/data/`.

- `cues.tsv`: reporting cues mined from PolNeAR train (`benchmarks/mine_cues.py`),
  each with how reliably it heads an attribution when it occurs;
- `reporting_verbs.txt`: verbs that report speech whatever the corpus says;
- `frame_verbs.txt`: verbs that frame a quote next to them ("…,” he continued);
- `infinitive_content_verbs.txt`, `object_content_verbs.txt`: which complements
  carry the content;
- `frames.tsv`: verb + relation pairs mined from PolNeAR train
  (`benchmarks/mine_frames.py`), each with how often that relation's subtree is
  the reported content ("wants" + xcomp, "called for" + its object);
- `places.txt`: multi-word places mined from PolNeAR train (`benchmarks/mine_places.py`);
- `roles.txt`, `group_nouns.txt`, `outlets.txt`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

__all__ = ["Lexicon", "get_lexicon"]

# a mined frame reports content when it did so this often in PolNeAR train
# (on a fifth of train, 0.3 scored 0.4 points of F1 above 0.4 by recall; 0.4 keeps
# precision: the seed gold, like a reader, does not count "responded by launching …")
MIN_FRAME_P = 0.4


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
    frames: dict[str, dict[str, float]] = field(default_factory=dict)  # lemma -> relation -> p
    places: frozenset[str] = frozenset()  # multi-word places, lower case
    role_words: frozenset[str] = frozenset()  # every head and fit word of role_fits

    def verb_weight(self, lemma: str) -> float:
        lemma = lemma.lower()
        if lemma in self.speech_verbs:
            return max(self.verb_cues.get(lemma, 0.0), 0.9)
        return self.verb_cues.get(lemma, 0.0)

    def frame_weight(self, lemma: str, relation: str) -> float:
        """How reliably `relation` of verb `lemma` is reported content (0 when unknown)."""
        return self.frames.get(lemma.lower(), {}).get(relation, 0.0)

    def is_outlet(self, name: str) -> bool:
        return name.strip().lower() in self.outlets


@cache
def get_lexicon(min_p: float = 0.15, min_count: int = 3, min_frame_p: float = MIN_FRAME_P) -> Lexicon:
    """The lexicon, read once per process.

    A mined cue counts when it heads an attribution in at least `min_p` of its
    occurrences in PolNeAR train (and at least `min_count` times); a mined frame
    when its relation was the content in at least `min_frame_p` of its occurrences.
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
        frames=_frames(min_frame_p, min_count),
        places=frozenset(ln.strip().lower() for ln in _read("places.txt")),
        role_words=frozenset(w for fits in role_fits.values() for w in fits),
    )


def _frames(min_p: float, min_count: int) -> dict[str, dict[str, float]]:
    """Reporting frames mined from PolNeAR train (benchmarks/mine_frames.py)."""
    frames: dict[str, dict[str, float]] = {}
    for line in _read("frames.tsv"):
        lemma, relation, n, _seen, p = line.split("\t")
        if int(n) >= min_count and float(p) >= min_p:
            frames.setdefault(lemma, {})[relation] = float(p)
    return frames


def load_words(name: str) -> frozenset[str]:
    """The whitespace-separated words of a data file, comments left out."""
    return frozenset(w for ln in _read(name) for w in ln.split())


def data_lines(name: str) -> list[str]:
    """The lines of a data file under attribution/data/, blank lines and comments left out."""
    return _read(name)


@cache
def gendered_words() -> dict[str, str]:
    """Word (lower case, no dots) -> "m"/"f" for words that tell a person's gender in their titles,
    roles or apposition, or as an honorific ("Mrs.", "spokeswoman", "first lady"):
    data/gendered_words.txt."""
    words: dict[str, str] = {}
    for line in data_lines("gendered_words.txt"):
        gender, _, rest = line.partition(":")
        words.update((w, gender.strip()) for w in rest.split())
    return words


def genders_told(values: Iterable[str]) -> set[str]:
    """The genders the words of some titles and roles tell ({"f"} for "the first lady")."""
    gendered = gendered_words()
    told = {gendered.get(re.sub(r"[.,\u2019'’]", "", w.lower()), "") for v in values for w in v.split()}
    told.discard("")
    return told
