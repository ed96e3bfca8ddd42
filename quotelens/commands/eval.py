"""Score the engine against gold files: quote extraction, or speaker tracking (--tracking).

Extraction (the default): runs the engine over the seed articles and a PolNeAR
split, and prints detection and attribution precision/recall/F1 for direct
quotes and for all attributions, in two units (one record per quoted stretch,
and PolNeAR's: the parts of one attribution joined). The seed gold ships with
the project, so a plain clone scores the seeds; PolNeAR is scored when it is
found beside the project (../shared/polnear/dev) or given with --polnear DIR.

Speaker tracking (--tracking): ingests the PolNeAR texts into a throwaway SQLite
store, asks the API in-process what each person said, as the bot does (speaker
search, top hit, all of that speaker's quotes), and scores the answers against a
speaker identity gold (--gold FILE): ask macro F1 (and for direct quotes),
micro and B-cubed P/R/F1, how often the top hit is named right, the worst persons.
With --api URL it asks a running `quotelens serve` instead.

The figures are those of ../shared/eval/score.py and track_score.py (the same
definitions, computed by quotelens.evaluation). Works offline.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

NAME = "eval"
HELP = "score extraction (seeds, PolNeAR) or speaker tracking (--tracking) against gold files"

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"  # the evaluation data beside a checkout, when there is one
SEEDS_GOLD = Path(__file__).resolve().parents[1] / "evaluation" / "data" / "seeds-gold.jsonl"
SEEDS_TEXTS = ROOT / "seeds"


class UsageError(Exception):
    """An argument is missing or points nowhere: said in one line, exit status 2."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.epilog = ("examples:\n"
                "  quotelens eval                                  seeds, and PolNeAR dev if found\n"
                "  quotelens eval --polnear DATA/polnear/dev       seeds and that split\n"
                "  quotelens eval --tracking --polnear DATA/polnear/dev --gold DATA/polnear-dev-speakers.jsonl\n")
    what = p.add_argument_group("extraction (the default)")
    what.add_argument("--seeds-gold", type=Path, default=SEEDS_GOLD, metavar="FILE",
                      help="gold of the seed articles, JSON Lines (default: the copy in the project)")
    what.add_argument("--seeds", type=Path, default=SEEDS_TEXTS, metavar="DIR",
                      help="folder of the seed texts, <doc>.txt (default: the project's seeds/)")
    what.add_argument("--skip-seeds", action="store_true", help="do not score the seeds")
    what.add_argument("--polnear", type=Path, default=None, metavar="DIR",
                      help="a PolNeAR split folder (text/, attributions/) "
                           f"(default: {_shown(SHARED / 'polnear' / 'dev')} when present)")
    what.add_argument("--skip-polnear", action="store_true", help="score the seeds only")
    what.add_argument("--keep", type=Path, default=None, metavar="DIR",
                      help="write the predictions there as JSON Lines (what score.py --pred reads)")
    track = p.add_argument_group("speaker tracking")
    track.add_argument("--tracking", action="store_true",
                       help="score speaker tracking instead: ingest the --polnear texts into a throwaway "
                            "store and ask the API what each person said")
    track.add_argument("--gold", type=Path, default=None, metavar="FILE",
                       help="speaker identity gold, JSON Lines "
                            f"(default: {_shown(SHARED / 'gold' / 'polnear-dev-speakers.jsonl')} when present)")
    track.add_argument("--api", default=None, metavar="URL",
                       help="ask this running API (already holding the texts) instead of a throwaway store")
    track.add_argument("--min-quotes", type=int, default=3, metavar="N",
                       help="ask about persons with at least N gold attributions (default 3)")
    track.add_argument("--worst", type=int, default=15, metavar="N", help="list the N worst persons (default 15)")
    p.add_argument("--workers", type=int, default=1, metavar="N", help="processes running the engine (default 1)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a report")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")


def _shown(path: Path) -> str:
    try:
        return f"../{path.relative_to(ROOT.parent)}"
    except ValueError:
        return str(path)


def _polnear_dir(args: argparse.Namespace, needed: bool) -> Path | None:
    """The PolNeAR split to use: the argument (checked), else the shared one when present."""
    if args.polnear is not None:
        split = args.polnear
        missing = [sub for sub in ("text", "attributions") if not (split / sub).is_dir()]
        if missing:
            raise UsageError(f"--polnear {split}: not a PolNeAR split folder (no {' or '.join(missing)}/ in it)")
        return split
    default = SHARED / "polnear" / "dev"
    if (default / "text").is_dir():
        return default
    if needed:
        raise UsageError(f"needs the PolNeAR texts: pass --polnear DIR (a PolNeAR split folder with text/ and "
                         f"attributions/; none at {default})")
    return None


def _existing(path: Path, flag: str, what: str) -> Path:
    if not path.exists():
        raise UsageError(f"{flag} {path}: no such {what}")
    return path


def run(args: argparse.Namespace) -> int:
    try:
        if args.workers < 1 or args.min_quotes < 1:
            raise UsageError("--workers and --min-quotes must be at least 1")
        if args.tracking:
            return _run_tracking(args)
        if args.api or args.gold:
            raise UsageError("--api and --gold go with --tracking")
        return _run_extraction(args)
    except UsageError as exc:
        print(f"quotelens eval: {exc}", file=sys.stderr)
        return 2


def _run_extraction(args: argparse.Namespace) -> int:
    from quotelens.evaluation import load_polnear, load_seed_gold

    sets = []  # (name, corpus)
    if not args.skip_seeds:
        gold = _existing(args.seeds_gold, "--seeds-gold", "file")
        texts = _existing(args.seeds, "--seeds", "folder")
        try:
            sets.append(("seeds", load_seed_gold(gold, texts)))
        except (OSError, ValueError, KeyError) as exc:
            raise UsageError(f"cannot read the seed gold {gold} with texts in {texts}: {exc}") from exc
    if not args.skip_polnear:
        split = _polnear_dir(args, needed=args.skip_seeds)
        if split is None:
            print(f"quotelens eval: PolNeAR not scored: none at {SHARED / 'polnear' / 'dev'}; "
                  "pass --polnear DIR to score a PolNeAR split", file=sys.stderr)
        else:
            sets.append((f"polnear-{split.resolve().name}", load_polnear(split)))
    if not sets:
        raise UsageError("nothing to score: drop --skip-seeds or --skip-polnear")

    from attribution import Extractor
    from quotelens.evaluation import score_extraction
    from quotelens.evaluation.predict import UNITS, predict
    from quotelens.settings import get_settings

    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
    extractor = Extractor(model=get_settings().spacy_model or None)
    results: dict[str, dict[str, Any]] = {}
    for name, corpus in sets:
        predictions = predict(extractor, corpus.texts, workers=args.workers, progress=not args.no_progress,
                              label=name)
        for unit in UNITS:
            if args.keep is not None:
                predictions.write(args.keep / f"{name}.{unit}.jsonl", unit)
            score = score_extraction(corpus, predictions.in_unit(unit)).to_dict()
            score["seconds"] = round(predictions.seconds, 2)
            results[f"{name} ({unit} unit)"] = score
    if args.json:
        print(json.dumps(results))
        return 0
    for name, res in results.items():
        kept = f", predictions in {args.keep}" if args.keep is not None else ""
        print(f"{name}: {res['docs']} docs, extraction {res['seconds']} s{kept}")
        for part in ("direct", "all"):
            r = res[part]
            dp, dr, df = r["detection"]
            ap, ar, af = r["attribution"]
            print(f"  {part:6}  gold={r['gold']:5d} pred={r['pred']:5d}  detection P={dp:.3f} R={dr:.3f} F1={df:.3f}"
                  f"  attribution P={ap:.3f} R={ar:.3f} F1={af:.3f}")
    return 0


def _run_tracking(args: argparse.Namespace) -> int:
    if args.gold is not None:
        gold_file = _existing(args.gold, "--gold", "file")
    else:
        gold_file = SHARED / "gold" / "polnear-dev-speakers.jsonl"
        if not gold_file.exists():
            raise UsageError(f"--tracking needs the speaker identity gold: pass --gold FILE (JSON Lines; "
                             f"none at {gold_file})")
    split = _polnear_dir(args, needed=True)
    assert split is not None

    from tqdm import tqdm

    from quotelens.evaluation import format_tracking, load_identity_gold, score_tracking
    from quotelens.evaluation.served import ApiError, http_api, throwaway_api

    try:
        gold = load_identity_gold(gold_file)
        texts = {doc: (split / "text" / f"{doc}.txt").read_text("utf-8") for doc in gold}
    except (OSError, ValueError, KeyError) as exc:
        raise UsageError(f"cannot read the gold {gold_file} with texts in {split / 'text'}: {exc}") from exc

    def progress(people: Iterable[str]) -> Iterable[str]:
        people = list(people)
        return tqdm(people, total=len(people), unit="person", desc="ask", disable=args.no_progress, file=sys.stderr,
                    dynamic_ncols=True)

    api = (http_api(args.api) if args.api
           else throwaway_api(split / "text", workers=args.workers, progress=not args.no_progress))
    try:
        with api as get:
            score = score_tracking(get, gold, texts, min_quotes=args.min_quotes, progress=progress)
    except ApiError as exc:
        print(f"quotelens eval: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(score.to_dict()))
    else:
        print(format_tracking(score, worst=args.worst))
    return 0
