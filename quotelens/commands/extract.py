"""Find every quote in news texts and who said it.

Reads UTF-8 text files (or `-` for standard input) and prints, per document,
its quotes with character offsets into the text as read. A file that cannot be
read as UTF-8 text is reported on stderr and skipped; the exit status is then 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

NAME = "extract"
HELP = "find quotes and their speakers in text files (prints JSON Lines, JSON or a table)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="text files, or - for standard input")
    p.add_argument("--format", choices=("jsonl", "json", "table"), default="jsonl",
                   help="jsonl: one object per document (default); json: one array; table: for people")
    p.add_argument("--workers", type=int, default=1, metavar="N",
                   help="worker processes for parsing (default 1)")
    p.add_argument("--batch-size", type=int, default=16, metavar="N", help="texts per batch (default 16)")
    p.add_argument("--model", default=None, help="spaCy pipeline name or path (default: setting, then en_core_web_sm)")
    p.add_argument("--unit", choices=("quote", "attribution"), default="quote",
                   help="quote: one record per quoted stretch (default); attribution: the parts of one "
                        "attribution (“A,” X said. “B.”) joined into one record, as PolNeAR annotates them")
    p.add_argument("--progress", action="store_true", help="show a progress bar on stderr")


def read_inputs(paths: list[str], errors: list[str]) -> Iterator[tuple[str, str]]:
    """(document name, text) for each readable input; unreadable ones go to `errors`."""
    for raw in paths:
        if raw == "-":
            data = sys.stdin.buffer.read()
            name = "stdin"
        else:
            path = Path(raw)
            name = path.stem
            try:
                data = path.read_bytes()
            except OSError as exc:
                errors.append(f"{raw}: cannot read: {exc.strerror or exc}")
                continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            errors.append(f"{raw}: not UTF-8 text (bad byte at offset {exc.start})")
            continue
        if "\x00" in text:
            errors.append(f"{raw}: binary data (NUL bytes), not text")
            continue
        yield name, text


def _table_row(doc: str, q: dict) -> str:
    text = " ".join(q["text"].split())
    short = text if len(text) <= 70 else text[:67] + "..."
    return f"{doc[:18]:18}  {(q['speaker'] or '?')[:28]:28}  {q['kind'][:12]:12}  {short}"


def run(args: argparse.Namespace) -> int:
    if args.workers < 1:
        print("quotelens extract: --workers must be at least 1", file=sys.stderr)
        return 2
    from attribution import Extractor, PipelineNotFound
    from attribution.records import merge_attribution_parts
    from quotelens.settings import get_settings

    errors: list[str] = []
    docs = list(read_inputs(args.paths, errors))
    for e in errors:
        print(f"quotelens extract: {e}", file=sys.stderr)
    try:
        extractor = Extractor(model=args.model or get_settings().spacy_model or None)
    except PipelineNotFound as exc:
        print(f"quotelens extract: {exc}", file=sys.stderr)
        return 2
    results = extractor.extract_many((t for _, t in docs), workers=args.workers, batch_size=args.batch_size)
    if args.progress:
        from tqdm import tqdm

        results = tqdm(results, total=len(docs), unit="doc", file=sys.stderr)
    out = sys.stdout
    collected = []
    if args.format == "table":
        out.write(f"{'doc':18}  {'speaker':28}  {'kind':12}  quote\n")
    for (name, _), quotes in zip(docs, results, strict=True):
        rows = [q.to_dict() for q in quotes]
        quotes_out: list[dict[str, Any]] = merge_attribution_parts(rows) if args.unit == "attribution" else rows
        record: dict[str, Any] = {"doc": name, "quotes": quotes_out}
        if args.format == "jsonl":
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        elif args.format == "json":
            collected.append(record)
        else:
            for q in quotes_out:
                out.write(_table_row(name, q) + "\n")
    if args.format == "json":
        json.dump(collected, out, ensure_ascii=False, indent=2)
        out.write("\n")
    return 1 if errors else 0
