"""Speaker names as the bot compares them: folding, titles in front, and how well a name fits.

    >>> strip_titles("Gen. McKenzie")
    'McKenzie'
    >>> fold("Mustafa al-Kādhimi")
    'mustafa al kadhimi'

The one place in `bot` that knows about names. It is its own and not
`attribution.names`: the bot is a client of the HTTP API only and must load
without spaCy (importing the engine would load it). The title list is data, in
`bot/data/titles.txt`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

from rapidfuzz import fuzz

__all__ = ["fold", "name_forms", "name_score", "strip_titles"]

# Name suffixes left out when taking a person's surname ("Myles B. Caggins III" → "caggins").
_SUFFIXES = frozenset({"iii", "ii", "iv", "jr", "sr"})
# Particles kept with the surname ("al Kadhimi" and "Kadhimi" alike).
_PARTICLES = frozenset({"al", "el", "bin", "ibn", "abu", "abdul"})


def fold(text: str) -> str:
    """A name reduced for comparison: no accents, no case, no punctuation, single spaces."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


@lru_cache(maxsize=1)
def _titles() -> frozenset[str]:
    raw = resources.files("bot.data").joinpath("titles.txt").read_text("utf-8")
    words: set[str] = set()
    for line in raw.splitlines():
        words.update(w.lower().rstrip(".") for w in line.split("#", 1)[0].split())
    return frozenset(words)


def strip_titles(name: str) -> str:
    """A name without the titles and ranks in front ("Gen. McKenzie" → "McKenzie")."""
    words = name.split()
    titles = _titles()
    while len(words) > 1 and words[0].lower().rstrip(".,") in titles:
        words.pop(0)
    return " ".join(words)


def name_forms(names: Iterable[str], *, person: bool) -> set[str]:
    """The folded spellings a user could mean a speaker by: names, aliases and their surnames."""
    forms: set[str] = set()
    for name in names:
        folded = fold(name)
        if not folded:
            continue
        forms.add(folded)
        forms.add(fold(strip_titles(name)))
        words = [w for w in folded.split() if w not in _SUFFIXES]
        if words and person:
            forms.add(words[-1])
            if len(words) >= 2 and words[-2] in _PARTICLES:
                forms.add(f"{words[-2]} {words[-1]}")
    return forms


def _form_score(query: str, form: str) -> float:
    """How well one folded asked name fits one folded name form (0-100).

    Every word asked must fit a word of the name: "mckenzie" and "mckenzy" fit
    "kenneth mckenzie", but "frank mckenzie" does not.
    """
    if query == form:
        return 100.0
    asked, words = query.split(), form.split()
    if not asked or not words:
        return 0.0
    if set(asked) <= set(words):
        return 100.0
    per_word = sum(max(fuzz.ratio(a, w) for w in words) for a in asked) / len(asked)
    if len(asked) > len(words):  # more words asked than the name has: only per word
        return per_word
    return max(fuzz.ratio(query, form), per_word)


def name_score(query_forms: set[str], forms: set[str]) -> float:
    """How well an asked name (its folded forms) fits a speaker's name forms (0-100)."""
    return max((_form_score(q, form) for q in query_forms for form in forms), default=0.0)
