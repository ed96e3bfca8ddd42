"""Reading a PolNeAR split for the mining scripts (mine_cues, mine_frames, mine_places).

The same documents as `../shared/eval/score.py` reads: one annotation file per
article, the first annotator's alphabetically.
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Iterable

from spacy.language import Language
from spacy.tokens import Doc, DocBin

Segments = list[tuple[int, int]]


def documents(split_dir: str) -> list[tuple[str, str, str]]:
    """(stem, text, annotation path) of every annotated article, by stem."""
    chosen: dict[str, str] = {}
    for ann in sorted(glob.glob(os.path.join(split_dir, "attributions", "*.ann"))):
        chosen.setdefault(re.sub(r"_[0-9a-f]{4}\.ann$", "", os.path.basename(ann)), ann)
    out = []
    for stem in sorted(chosen):
        with open(os.path.join(split_dir, "text", stem + ".txt"), encoding="utf-8") as f:
            out.append((stem, f.read(), chosen[stem]))
    return out


def events(ann_path: str) -> list[dict[str, Segments]]:
    """Every attribution of a brat file as role ("Cue", "Content", "Source") → character segments."""
    spans: dict[str, Segments] = {}
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
            out.append({role: spans[tid] for role, tid in roles.items() if tid in spans})
    return out


def parsed(nlp: Language, texts: list[str], cache: str | None, batch_size: int = 16) -> list[Doc]:
    """The texts through `nlp`, kept in (or read back from) a DocBin file when `cache` is given."""
    if cache and os.path.exists(cache):
        return list(DocBin().from_disk(cache).get_docs(nlp.vocab))
    docs = list(nlp.pipe(texts, batch_size=batch_size))
    if cache:
        DocBin(store_user_data=False, docs=docs).to_disk(cache)
    return docs


def write_table(path: str, header: Iterable[str], rows: Iterable[tuple[object, ...]]) -> int:
    """A tab-separated data file under `#` header lines; floats with three decimals. Returns the row count."""
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(f"# {line}\n" for line in header)
        for row in rows:
            f.write("\t".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in row) + "\n")
            n += 1
    return n
