"""Fit the engine's speaker confidence on PolNeAR dev's identity gold.

The confidence of a quote answers one question: how likely is its speaker the
right one? This fits a small logistic model over what the engine knows when it
names the speaker (which rule found the quote, how the speaker was found, how
the mention was resolved, how reliable the cue is) against the identity gold
(../shared/gold/polnear-dev-speakers.jsonl): a quote is right when its gold
attribution's source is the same person (same surname, no other given name),
the same organisation, or a group/unnamed source given to no person; a quote
that matches no gold attribution is wrong. Writes the weights to
attribution/data/confidence.tsv and prints a reliability table.

    uv run quotelens extract ../shared/polnear/dev/text/*.txt --format jsonl --workers 2 > /tmp/dev.jsonl
    uv run python benchmarks/calibrate.py /tmp/dev.jsonl ../shared/gold/polnear-dev-speakers.jsonl
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from attribution.confidence import features  # noqa: E402

TITLES = {"mr", "mrs", "ms", "dr", "sen", "senator", "rep", "gov", "governor", "president", "vice",
          "gen", "general", "col", "the", "former", "jr", "sr", "iii", "ii"}


def name_key(s: str | None) -> list[str]:
    toks = [t.strip(".,'’").replace("’", "'").lower() for t in re.split(r"[\s\-]+", s or "")]
    return [t for t in toks if len(t) > 1 and t not in TITLES]


def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def label(q: dict, golds: list[dict]) -> int | None:
    best, g = 0, None
    for cand in golds:
        ov = sum(overlap((q["start"], q["end"]), tuple(c)) for c in cand["content"])
        if ov > best:
            best, g = ov, cand
    if g is None:
        return 0
    if g["kind"] == "unclear":
        return None
    kind = q.get("speaker_kind")
    if g["kind"] in ("person", "organisation"):
        a, b = name_key(q.get("speaker")), name_key(g["entity"])
        # same surname, and given names that agree where both have one ("Ben"/"Benjamin")
        return int(bool(a and b and a[-1] == b[-1] and (
            len(a) == 1 or len(b) == 1 or a[0][0] == b[0][0])))
    return int(kind != "person")  # a group or unnamed source: right unless given to a person


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pred", help="`quotelens extract --format jsonl` output on PolNeAR dev")
    ap.add_argument("gold", help="the identity gold (polnear-dev-speakers.jsonl)")
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--table-only", action="store_true",
                    help="print the reliability table of the predictions' own confidences; fit and write nothing")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "attribution", "data", "confidence.tsv"))
    a = ap.parse_args()
    gold: dict[str, list[dict]] = collections.defaultdict(list)
    with open(a.gold, encoding="utf-8") as f:
        for line in f:
            g = json.loads(line)
            gold[g["doc"]].append(g)
    X: list[dict[str, float]] = []
    y: list[int] = []
    given: list[float] = []
    with open(a.pred, encoding="utf-8") as f:
        docs = [json.loads(line) for line in f]
    for d in docs:
        for q in d["quotes"]:
            if not q.get("speaker"):
                continue
            lab = label(q, gold.get(d["doc"], []))
            if lab is None:
                continue
            base = float(q["evidence"].get("rule_confidence", q["confidence"]))
            f = features(q["evidence"], base, q.get("speaker_kind"), q.get("mention"))
            X.append(f)
            y.append(lab)
            given.append(float(q["confidence"]))
    if a.table_only:
        Y = np.array(y, dtype=float)
        print(f"{len(Y)} quotes with a speaker, {int(Y.sum())} right ({Y.mean():.3f}); the engine's confidences:")
        _table(np.array(given), Y)
        return
    keys = sorted({k for f in X for k in f})
    M = np.array([[f.get(k, 0.0) for k in keys] for f in X])
    Y = np.array(y, dtype=float)
    w = np.zeros(len(keys))
    b = 0.0
    for _ in range(3000):  # gradient descent on the L2-regularised log loss
        p = 1 / (1 + np.exp(-(M @ w + b)))
        g = p - Y
        w -= 0.5 * (M.T @ g / len(Y) + a.l2 * w / len(Y))
        b -= 0.5 * g.mean()
    p = 1 / (1 + np.exp(-(M @ w + b)))
    with open(a.out, "w", encoding="utf-8") as out:
        out.write("# feature, weight: speaker confidence as a logistic model, fitted on PolNeAR dev's\n"
                  "# identity gold by benchmarks/calibrate.py (the bias is `bias`)\n")
        out.write(f"bias\t{b:.4f}\n")
        for k, wk in zip(keys, w, strict=True):
            out.write(f"{k}\t{wk:.4f}\n")
    print(f"{len(Y)} quotes with a speaker, {int(Y.sum())} right ({Y.mean():.3f}); weights -> {a.out}")
    _table(p, Y)


def _table(p: np.ndarray, Y: np.ndarray) -> None:
    print("confidence   quotes  right  share right   (at or above: quotes, share right)")
    edges = [0.0, 0.5, 0.6, 0.65, 0.7, 0.77, 0.85, 0.9, 0.95, 1.01]
    for lo, hi in zip(edges, edges[1:], strict=False):
        sel = (p >= lo) & (p < hi)
        above = p >= lo
        if sel.any():
            print(f"[{lo:.2f},{min(hi, 1):.2f})  {sel.sum():6}  {int(Y[sel].sum()):5}  {Y[sel].mean():.3f}"
                  f"        {above.sum():6}  {Y[above].mean():.3f}")


if __name__ == "__main__":
    main()
