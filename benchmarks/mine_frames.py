"""Mine reporting frames from PolNeAR train: `attribution/data/frames.tsv`.

A frame is a verb lemma with the dependency relation that carries what it
reports: `say` + ccomp, `want` + xcomp ("wants to triple the program"), `call` +
`prep:for` ("called for an inquiry"), `support` + dobj. For every verb with a
subject in PolNeAR train, and every candidate relation it has, this counts how
often the candidate's subtree is an annotated attribution's content with that
verb as its cue. The engine reports a frame's content when the frame is
reliable enough (see `attribution.lexicon`). Run:

    uv run python benchmarks/mine_frames.py [--polnear ../shared/polnear/train] [--cache FILE]
"""

from __future__ import annotations

import argparse
import os
from collections import Counter

from polnear import Segments, documents, events, parsed, write_table

from attribution.nlp import load_nlp
from attribution.syntax import frame_candidates, subject_of

OUT = os.path.join(os.path.dirname(__file__), "..", "attribution", "data", "frames.tsv")


def attributions(ann_path: str) -> list[tuple[Segments, Segments]]:
    """(cue segments, content segments) of every attribution that has a source."""
    return [(e["Cue"], e["Content"]) for e in events(ann_path) if e.get("Cue") and e.get("Content") and e.get("Source")]


def _overlap(a: tuple[int, int], segs: list[tuple[int, int]]) -> int:
    return sum(max(0, min(a[1], e) - max(a[0], s)) for s, e in segs)


def matches(cand: tuple[int, int], content: list[tuple[int, int]]) -> bool:
    """The candidate and the gold content cover at least half of each other."""
    ov = _overlap(cand, content)
    gold_len = sum(e - s for s, e in content)
    return ov >= 0.5 * (cand[1] - cand[0]) and ov >= 0.5 * gold_len


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--polnear", default="../shared/polnear/train")
    ap.add_argument("--cache", default=None, help="keep the parsed documents in this DocBin file")
    ap.add_argument("--min-count", type=int, default=3)
    args = ap.parse_args()
    nlp = load_nlp()
    docs = documents(args.polnear)
    seen: Counter[tuple[str, str]] = Counter()
    hits: Counter[tuple[str, str]] = Counter()
    for (_stem, _text, ann), doc in zip(docs, parsed(nlp, [d[1] for d in docs], args.cache), strict=True):
        gold = attributions(ann)
        for tok in doc:
            if tok.pos_ not in ("VERB", "AUX") or subject_of(tok)[0] is None:
                continue
            cued = [content for cue, content in gold if any(s <= tok.idx < e for s, e in cue)]
            for rel, lo, hi in frame_candidates(tok):
                cand = (doc[lo].idx, doc[hi].idx + len(doc[hi]))
                key = (tok.lemma_.lower(), rel)
                seen[key] += 1
                if any(matches(cand, content) for content in cued):
                    hits[key] += 1
    rows = sorted(((k[0], k[1], hits[k], n, hits[k] / n) for k, n in seen.items() if hits[k] >= args.min_count),
                  key=lambda r: (-r[2], r[0], r[1]))
    n = write_table(OUT, ["Reporting frames mined from PolNeAR train by benchmarks/mine_frames.py.",
                          "lemma\trelation\tas_content\tseen\tp (how often the relation's subtree is the reported content)"],
                    rows)
    print(f"wrote {n} frames to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
