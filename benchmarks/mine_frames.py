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
import glob
import os
import re
from collections import Counter

from spacy.tokens import Doc, DocBin

from attribution.pipeline import load_nlp
from attribution.syntax import frame_candidates, subject_of

OUT = os.path.join(os.path.dirname(__file__), "..", "attribution", "data", "frames.tsv")


def attributions(ann_path: str) -> list[tuple[list[tuple[int, int]], list[tuple[int, int]]]]:
    """(cue segments, content segments) of every attribution that has a source."""
    spans: dict[str, list[tuple[int, int]]] = {}
    out = []
    with open(ann_path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    for line in lines:
        parts = line.split("\t")
        if line.startswith("T") and len(parts) >= 2:
            head = parts[1].split(" ", 1)
            if len(head) == 2:
                spans[parts[0]] = [(int(a), int(b)) for a, b in (s.split() for s in head[1].split(";"))]
        elif line.startswith("E") and len(parts) >= 2:
            roles = {}
            for item in parts[1].split():
                role, _, tid = item.partition(":")
                roles[role.split("-")[0]] = tid
            cue, content, source = (spans.get(roles.get(k, "")) for k in ("Cue", "Content", "Source"))
            if cue and content and source:
                out.append((cue, content))
    return out


def _overlap(a: tuple[int, int], segs: list[tuple[int, int]]) -> int:
    return sum(max(0, min(a[1], e) - max(a[0], s)) for s, e in segs)


def matches(cand: tuple[int, int], content: list[tuple[int, int]]) -> bool:
    """The candidate and the gold content cover at least half of each other."""
    ov = _overlap(cand, content)
    gold_len = sum(e - s for s, e in content)
    return ov >= 0.5 * (cand[1] - cand[0]) and ov >= 0.5 * gold_len


def parsed(nlp, texts: list[str], cache: str | None) -> list[Doc]:
    if cache and os.path.exists(cache):
        return list(DocBin().from_disk(cache).get_docs(nlp.vocab))
    docs = list(nlp.pipe(texts, batch_size=16))
    if cache:
        DocBin(store_user_data=False, docs=docs).to_disk(cache)
    return docs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--polnear", default="../shared/polnear/train")
    ap.add_argument("--cache", default=None, help="keep the parsed documents in this DocBin file")
    ap.add_argument("--min-count", type=int, default=3)
    args = ap.parse_args()
    nlp = load_nlp()
    chosen: dict[str, str] = {}
    for a in sorted(glob.glob(os.path.join(args.polnear, "attributions", "*.ann"))):
        chosen.setdefault(re.sub(r"_[0-9a-f]{4}\.ann$", "", os.path.basename(a)), a)
    stems = sorted(chosen)
    texts = []
    for s in stems:
        with open(os.path.join(args.polnear, "text", s + ".txt"), encoding="utf-8") as f:
            texts.append(f.read())
    seen: Counter[tuple[str, str]] = Counter()
    hits: Counter[tuple[str, str]] = Counter()
    for stem, doc in zip(stems, parsed(nlp, texts, args.cache), strict=True):
        gold = attributions(chosen[stem])
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
    with open(OUT, "w", encoding="utf-8") as f:
        f.write("# Reporting frames mined from PolNeAR train by benchmarks/mine_frames.py.\n")
        f.write("# lemma\trelation\tas_content\tseen\tp (how often the relation's subtree is the reported content)\n")
        for lemma, rel, n, s, p in rows:
            f.write(f"{lemma}\t{rel}\t{n}\t{s}\t{p:.3f}\n")
    print(f"wrote {len(rows)} frames to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
