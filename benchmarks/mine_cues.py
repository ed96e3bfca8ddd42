"""Mine the reporting-cue lexicon from PolNeAR train: `attribution/data/cues.tsv`.

For every lemma that heads an annotated cue, count how often it does so against
how often it occurs with the same part of speech, so the engine can weigh a cue
by how reliably it reports speech. Run:

    uv run python benchmarks/mine_cues.py [--polnear ../shared/polnear/train]
"""

from __future__ import annotations

import argparse
import glob
import os
import re
from collections import Counter

from attribution.pipeline import load_nlp

OUT = os.path.join(os.path.dirname(__file__), "..", "attribution", "data", "cues.tsv")
CUE_POS = {"VERB", "NOUN", "ADJ", "AUX"}


def cue_spans(ann_path: str) -> list[list[tuple[int, int]]]:
    spans: dict[str, list[tuple[int, int]]] = {}
    cues = []
    with open(ann_path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    for line in lines:
        parts = line.rstrip("\n").split("\t")
        if line.startswith("T") and len(parts) >= 2:
            head = parts[1].split(" ", 1)
            if len(head) == 2:
                segs = [tuple(map(int, s.split())) for s in head[1].split(";")]
                spans[parts[0]] = (head[0], segs)  # type: ignore[assignment]
        elif line.startswith("E") and len(parts) >= 2:
            roles = dict(item.split(":") for item in parts[1].split())
            cue = spans.get(roles.get("Cue", ""))
            if cue:
                cues.append(cue[1])  # type: ignore[index]
    return cues


def head_of(tokens):
    """The syntactic head of a token span: the token whose head lies outside it."""
    ids = {t.i for t in tokens}
    for t in tokens:
        if t.head.i not in ids or t.head.i == t.i:
            return t
    return tokens[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--polnear", default="../shared/polnear/train")
    ap.add_argument("--min-count", type=int, default=3)
    args = ap.parse_args()
    nlp = load_nlp()
    anns = sorted(glob.glob(os.path.join(args.polnear, "attributions", "*.ann")))
    chosen: dict[str, str] = {}
    for a in anns:
        chosen.setdefault(re.sub(r"_[0-9a-f]{4}\.ann$", "", os.path.basename(a)), a)
    stems = sorted(chosen)
    texts = []
    for s in stems:
        with open(os.path.join(args.polnear, "text", s + ".txt"), encoding="utf-8") as f:
            texts.append(f.read())
    as_cue: Counter[tuple[str, str]] = Counter()
    seen: Counter[tuple[str, str]] = Counter()
    for stem, doc in zip(stems, nlp.pipe(texts, batch_size=32), strict=True):
        cue_heads = set()
        for segs in cue_spans(chosen[stem]):
            toks = [t for a, b in segs for t in doc.char_span(a, b, alignment_mode="expand") or []]
            toks = [t for t in toks if t.pos_ in CUE_POS] or toks
            if not toks:
                continue
            h = head_of(toks)
            cue_heads.add(h.i)
        for t in doc:
            if t.pos_ in CUE_POS:
                key = (t.lemma_.lower(), "VERB" if t.pos_ == "AUX" else t.pos_)
                seen[key] += 1
                if t.i in cue_heads:
                    as_cue[key] += 1
    rows = []
    for key, n in as_cue.items():
        if n >= args.min_count:
            rows.append((key[0], key[1], n, seen[key], n / max(seen[key], 1)))
    rows.sort(key=lambda r: (-r[2], r[0]))
    with open(OUT, "w", encoding="utf-8") as f:
        f.write("# Reporting cues mined from PolNeAR train by benchmarks/mine_cues.py.\n")
        f.write("# lemma\tpos\tas_cue\tseen\tp_cue (how often this lemma heads a cue when it occurs)\n")
        for lemma, pos, n, s, p in rows:
            f.write(f"{lemma}\t{pos}\t{n}\t{s}\t{p:.3f}\n")
    print(f"wrote {len(rows)} cues to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
