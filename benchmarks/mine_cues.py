"""Mine the reporting-cue lexicon from PolNeAR train: `attribution/data/cues.tsv`.

For every lemma that heads an annotated cue, count how often it does so against
how often it occurs with the same part of speech, so the engine can weigh a cue
by how reliably it reports speech. Run:

    uv run python benchmarks/mine_cues.py [--polnear ../shared/polnear/train] [--cache FILE]
"""

from __future__ import annotations

import argparse
import os
from collections import Counter

from polnear import documents, events, parsed, write_table

from attribution.nlp import load_nlp

OUT = os.path.join(os.path.dirname(__file__), "..", "attribution", "data", "cues.tsv")
CUE_POS = {"VERB", "NOUN", "ADJ", "AUX"}


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
    ap.add_argument("--cache", default=None, help="keep the parsed documents in this DocBin file")
    ap.add_argument("--min-count", type=int, default=3)
    args = ap.parse_args()
    nlp = load_nlp()
    docs = documents(args.polnear)
    as_cue: Counter[tuple[str, str]] = Counter()
    seen: Counter[tuple[str, str]] = Counter()
    for (_stem, _text, ann), doc in zip(docs, parsed(nlp, [d[1] for d in docs], args.cache, batch_size=32),
                                        strict=True):
        cue_heads = set()
        for segs in (e["Cue"] for e in events(ann) if "Cue" in e):
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
    n = write_table(OUT, ["Reporting cues mined from PolNeAR train by benchmarks/mine_cues.py.",
                          "lemma\tpos\tas_cue\tseen\tp_cue (how often this lemma heads a cue when it occurs)"], rows)
    print(f"wrote {n} cues to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
