"""Mine given names and the gender news text gives them, from PolNeAR train.

A person's gender decides which pronoun can refer to them ("she said" after
Jennifer Palmieri, not after Donald Trump). News writes it in two plain ways
that need no parse:
- an honorific on the surname in the same article ("Mr. Biden", "Ms. Martin"):
  every "Given Surname" of that article votes for the given name;
- a pronoun opening the sentence right after "Given Surname said …"
  ("… Palmieri said. She added …") votes more weakly.
A given name is kept when it has at least --min-votes votes and one gender has at
least --majority of them. Output: attribution/data/given_names.tsv
(name, gender m/f, votes), sorted.

    uv run python benchmarks/mine_genders.py ../shared/polnear/train
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from polnear import documents  # noqa: E402

HONORIFIC = re.compile(r"\b(Mr|Mrs|Ms|Miss)\.?\s+([A-Z][\w'’-]+)")
FULL = re.compile(r"\b([A-Z][a-z]{1,14})\s+(?:[A-Z]\.\s+)?((?:[A-Z][\w'’-]+\s+)?[A-Z][\w'’-]+)\b")
NEXT_PRONOUN = re.compile(r"[.!?][”\"']?\s+(He|She|His|Her)\b")
GENDER = {"mr": "m", "mrs": "f", "ms": "f", "miss": "f", "he": "m", "his": "m", "she": "f", "her": "f"}


def mine(split_dir: str) -> collections.Counter[tuple[str, str]]:
    votes: collections.Counter[tuple[str, str]] = collections.Counter()
    for _stem, text, _ann in documents(split_dir):
        surname_gender: dict[str, set[str]] = collections.defaultdict(set)
        for m in HONORIFIC.finditer(text):
            surname_gender[m.group(2)].add(GENDER[m.group(1).lower()])
        seen: set[tuple[str, str]] = set()
        fulls = [(m.group(1), m.group(2).split()[-1], m) for m in FULL.finditer(text)]
        givens: dict[str, set[str]] = collections.defaultdict(set)
        for given, surname, _m in fulls:
            givens[surname].add(given)
        for given, surname, m in fulls:
            g = surname_gender.get(surname)
            # relatives share a surname ("Mr. Trump" says nothing of Ivanka Trump)
            if g and len(g) == 1 and len(givens[surname]) == 1 and (given, surname) not in seen:
                seen.add((given, surname))
                votes[(given, next(iter(g)))] += 2
            tail = text[m.end() : m.end() + 200]
            stop = re.search(r"[.!?][”\"']?\s", tail)
            if stop and re.match(r"\s*(,\s*)?(said|says|told|added|wrote)\b", tail) is not None:
                p = NEXT_PRONOUN.match(tail, stop.start())
                if p:
                    votes[(given, GENDER[p.group(1).lower()])] += 1
    return votes


def word_cases(split_dir: str) -> tuple[collections.Counter[str], collections.Counter[str]]:
    """How often each word is written lower-case, and capitalised not after a full stop."""
    lower: collections.Counter[str] = collections.Counter()
    upper: collections.Counter[str] = collections.Counter()
    for _stem, text, _ann in documents(split_dir):
        for m in re.finditer(r"(?<=[a-z,;] )([A-Za-z]+)\b", text):
            w = m.group(1)
            (lower if w.islower() else upper)[w] += 1
    return lower, upper


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("split_dir", help="a PolNeAR split folder (train)")
    ap.add_argument("--min-votes", type=int, default=2)
    ap.add_argument("--majority", type=float, default=0.85)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "attribution", "data", "given_names.tsv"))
    a = ap.parse_args()
    votes = mine(a.split_dir)
    lower, upper = word_cases(a.split_dir)
    # a word written lower-case more often than capitalised inside a sentence is a
    # word, not a given name ("Senator Cruz", "President Obama")
    names = sorted({n for n, _ in votes if lower[n.lower()] <= upper[n]})
    rows = []
    for n in names:
        m, f = votes[(n, "m")], votes[(n, "f")]
        total = m + f
        if total >= a.min_votes and max(m, f) / total >= a.majority:
            rows.append((n, "m" if m > f else "f", total))
    with open(a.out, "w", encoding="utf-8") as out:
        out.write("# given name, gender (m/f), votes: mined from PolNeAR train by benchmarks/mine_genders.py\n")
        for n, g, t in rows:
            out.write(f"{n}\t{g}\t{t}\n")
    print(f"{len(rows)} given names ({sum(1 for r in rows if r[1] == 'f')} f) -> {a.out}")


if __name__ == "__main__":
    main()
