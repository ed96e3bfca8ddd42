"""Person names: normalising them, keying them across documents, fuzzy matching.

"Col. Myles B. Caggins III", "Myles Caggins" and "Caggins" compare equal on the
surname; "Mohammed Shia al Sudani" and "Mohammed al-Sudani" get the same key;
"Mustafa al-Kadhimi" stays apart from both.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources

from rapidfuzz import fuzz, process

__all__ = [
    "name_tokens",
    "normalise_name",
    "speaker_key",
    "surname",
    "name_similarity",
    "best_name_match",
    "is_name_extension",
]


def _load_words(filename: str) -> frozenset[str]:
    text = resources.files("attribution.data").joinpath(filename).read_text("utf-8")
    words: set[str] = set()
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        words.update(w.strip().lower() for w in line.split() if w.strip())
    return frozenset(words)


AFFIXES = _load_words("name_affixes.txt")
PARTICLES = _load_words("name_particles.txt")

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_NON_WORD = re.compile(r"[^\w']+")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=65536)
def name_tokens(name: str) -> tuple[str, ...]:
    """The comparable tokens of a person's name: no titles, ranks, suffixes, particles, initials."""
    folded = _fold(name).replace("-", " ").replace(".", " ")
    raws = [t for t in (r.strip("'") for r in _NON_WORD.split(folded)) if t]
    # "Secretary of State Lena Kowalczyk": a title's "of" phrase is not part of the name
    for i in range(len(raws) - 2, 0, -1):
        if raws[i] == "of" and raws[i - 1] in AFFIXES and i + 2 < len(raws):
            raws = raws[i + 2 :]
            break
    tokens = []
    for n, tok in enumerate(raws):
        if tok.endswith("'s"):
            tok = tok[:-2]
        # a particle is dropped before a surname ("al Sudani"), kept as one ("Thanh Le")
        if not tok or tok in AFFIXES or tok in PARTICLES and n + 1 < len(raws):
            continue
        if len(tok) == 1:  # an initial ("B.") says little and is often left out
            continue
        tokens.append(tok)
    if not tokens:  # "Jr." alone, say: keep something rather than nothing
        tokens = [t for t in _NON_WORD.split(folded) if t]
    return tuple(tokens)


def normalise_name(name: str) -> str:
    """The name as one lower-case string of its comparable tokens."""
    return " ".join(name_tokens(name))


def surname(name: str) -> str:
    """The last comparable token of a name ("" when there is none)."""
    toks = name_tokens(name)
    return toks[-1] if toks else ""


def speaker_key(name: str, kind: str = "person") -> str:
    """A key that is equal for spellings of the same speaker across documents.

    Persons: first and last comparable token ("mohammed-sudani"), so middle names,
    initials, titles and particles do not split one person in two. Unnamed sources
    and organisations are keyed by their normalised description with a kind prefix,
    so they never collide with a person.
    """
    if kind == "person":
        toks = name_tokens(name)
        if not toks:
            return "person:" + _fold(name).strip()
        if len(toks) == 1:
            return toks[0]
        return f"{toks[0]}-{toks[-1]}"
    desc = " ".join(t for t in _NON_WORD.split(_fold(name)) if t and t not in {"a", "an", "the"})
    return f"{kind[:4]}:{desc}"


def name_similarity(a: str, b: str) -> float:
    """How alike two person names are, 0–100, after normalisation.

    Surnames must agree closely (so two Mohammeds with different surnames stay
    apart); given names may be missing from one side or vary in spelling.
    """
    ta, tb = name_tokens(a), name_tokens(b)
    if not ta or not tb:
        return 0.0
    last = fuzz.ratio(ta[-1], tb[-1])
    if last < 80:
        return min(last, 50.0)
    if len(ta) == 1 or len(tb) == 1:
        return last
    first = fuzz.ratio(ta[0], tb[0])
    if first < 70 and not (ta[0][0] == tb[0][0] and min(len(ta[0]), len(tb[0])) <= 2):
        return min(first, 60.0)
    return fuzz.token_set_ratio(" ".join(ta), " ".join(tb)) * 0.5 + (last + first) * 0.25


def is_name_extension(short: str, full: str) -> bool:
    """True when `short` can be a shorter way of writing `full` ("Caggins" of "Myles B. Caggins III")."""
    ts, tf = name_tokens(short), name_tokens(full)
    if not ts or not tf or len(ts) > len(tf):
        return False
    if fuzz.ratio(ts[-1], tf[-1]) < 90:
        return False
    return all(any(fuzz.ratio(t, u) >= 85 for u in tf) for t in ts)


def best_name_match(
    name: str, candidates: Sequence[str] | Iterable[str], threshold: float = 85.0
) -> tuple[str, float, int] | None:
    """The candidate most like `name` at or above `threshold`: (candidate, score, index)."""
    found = process.extractOne(name, list(candidates), scorer=lambda a, b, **_: name_similarity(a, b),
                               score_cutoff=threshold)
    return (found[0], float(found[1]), int(found[2])) if found else None
