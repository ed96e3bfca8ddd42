"""Score the engine against the seed gold and PolNeAR dev with the shared scorer.

Runs `extract` over each gold set, writes the predictions as JSON Lines, and
prints detection and attribution precision/recall/F1 for direct quotes and for
all attributions, as computed by `../shared/eval/score.py`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NAME = "eval"
HELP = "score extraction on the seed gold and PolNeAR dev (prints F1 figures)"
# quote: one record per quoted stretch (the seed gold's unit); attribution: parts of
# one attribution joined (PolNeAR's unit: “A,” X said. “B.” is one attribution)
UNITS = ("quote", "attribution")

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scorer", type=Path, default=SHARED / "eval" / "score.py", help="the scoring script")
    p.add_argument("--gold", type=Path, default=SHARED / "gold" / "seeds.jsonl", help="seed gold (JSON Lines)")
    p.add_argument("--texts", type=Path, default=ROOT / "seeds", help="folder of the seed texts")
    p.add_argument("--polnear", type=Path, default=SHARED / "polnear" / "dev", help="a PolNeAR split folder")
    p.add_argument("--skip-polnear", action="store_true", help="score the seeds only")
    p.add_argument("--workers", type=int, default=1, metavar="N")
    p.add_argument("--keep", type=Path, default=None, metavar="DIR", help="keep prediction files here")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a report")


def _predict(extractor, texts: dict[str, str], outdir: Path, name: str, workers: int) -> tuple[float, dict[str, Path]]:
    """Write predictions in both units; return the seconds extraction took and the files."""
    from attribution.records import merge_attribution_parts

    paths = {unit: outdir / f"{name}.{unit}.jsonl" for unit in UNITS}
    t0 = time.perf_counter()
    results = [(doc, [q.to_dict() for q in quotes])
               for doc, quotes in zip(texts, extractor.extract_many(texts.values(), workers=workers), strict=True)]
    seconds = time.perf_counter() - t0
    for unit, path in paths.items():
        with path.open("w", encoding="utf-8") as f:
            for doc, rows in results:
                out = merge_attribution_parts(rows) if unit == "attribution" else rows
                f.write(json.dumps({"doc": doc, "quotes": out}) + "\n")
    return seconds, paths


def _score(scorer: Path, args: list[str]) -> dict:
    out = subprocess.run([sys.executable, str(scorer), *args, "--json"], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def run(args: argparse.Namespace) -> int:
    from attribution import Extractor

    if not args.scorer.exists():
        print(f"quotelens eval: scorer not found: {args.scorer}", file=sys.stderr)
        return 2
    extractor = Extractor()
    outdir = args.keep or Path(tempfile.mkdtemp(prefix="quotelens-eval-"))
    outdir.mkdir(parents=True, exist_ok=True)
    results = {}
    sets = [("seeds", {p.stem: p.read_text("utf-8") for p in sorted(args.texts.glob("*.txt"))},
             ["--gold", str(args.gold), "--texts", str(args.texts)])]
    if not args.skip_polnear and args.polnear.exists():
        texts = {p.stem: p.read_text("utf-8") for p in sorted((args.polnear / "text").glob("*.txt"))}
        sets.append(("polnear-" + args.polnear.name, texts, ["--polnear", str(args.polnear)]))
    for name, texts, gold_args in sets:
        seconds, paths = _predict(extractor, texts, outdir, name, args.workers)
        for unit, pred in paths.items():
            res = _score(args.scorer, ["--pred", str(pred), *gold_args])
            res["seconds"] = round(seconds, 2)
            results[f"{name} ({unit} unit)"] = res
    if args.json:
        print(json.dumps(results))
        return 0
    for name, res in results.items():
        print(f"{name}: {res['docs']} docs, extraction {res['seconds']} s, predictions in {outdir}")
        for part in ("direct", "all"):
            r = res[part]
            dp, dr, df = r["detection"]
            ap, ar, af = r["attribution"]
            print(f"  {part:6}  gold={r['gold']:5d} pred={r['pred']:5d}  detection P={dp:.3f} R={dr:.3f} F1={df:.3f}"
                  f"  attribution P={ap:.3f} R={ar:.3f} F1={af:.3f}")
    return 0
