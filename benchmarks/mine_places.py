"""Mine place names from PolNeAR train: `attribution/data/places.txt`.

The small English pipeline sometimes tags an unfamiliar person's name as a
place ("Oduya Mbeki said …"). The engine only reads a multi-word place-tagged
name as a person when it is not a place the NER tagged in PolNeAR train at
least twice. Run:

    uv run python benchmarks/mine_places.py [--polnear ../shared/polnear/train] [--cache FILE]
"""

from __future__ import annotations

import argparse
import os
from collections import Counter

from polnear import documents, parsed, write_table

from attribution.nlp import load_nlp

OUT = os.path.join(os.path.dirname(__file__), "..", "attribution", "data", "places.txt")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--polnear", default="../shared/polnear/train")
    ap.add_argument("--cache", default=None, help="keep the parsed documents in this DocBin file (mine_frames.py --cache writes the same)")
    ap.add_argument("--min-count", type=int, default=2)
    args = ap.parse_args()
    nlp = load_nlp()
    texts = [text for _stem, text, _ann in documents(args.polnear)]
    seen: Counter[str] = Counter()
    for doc in parsed(nlp, texts, args.cache):
        for ent in doc.ents:
            words = [t for t in ent if not t.is_punct]
            if ent.label_ in ("GPE", "LOC", "FAC") and len(words) >= 2:
                seen[" ".join(t.text for t in words).removeprefix("the ").lower()] += 1
    names = sorted(n for n, c in seen.items() if c >= args.min_count)
    write_table(OUT, ["Multi-word places the NER tagged at least twice in PolNeAR train (benchmarks/mine_places.py)."],
                ((n,) for n in names))
    print(f"wrote {len(names)} places to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
