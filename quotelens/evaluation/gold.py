"""Gold attributions and predictions read from disk: PolNeAR splits, the seed gold, JSON Lines.

The definitions are those of the shared scorer (`../shared/eval/score.py`), so
figures computed here agree with it:
- PolNeAR: the alphabetically first `.ann` of each article; an attribution is
  kept when it has a Content span; its source names are the name tokens of the
  Source spans, plus those of the CoreNLP coreference representative of any
  mention overlapping them (when the split carries `corenlp/`).
- a gold item is *direct* when its content holds a double quotation mark (the
  seed gold says so with its `kind`: direct or mixed).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "QUOTE_CHARS",
    "Corpus",
    "GoldItem",
    "Span",
    "load_polnear",
    "load_predictions",
    "load_seed_gold",
    "name_tokens",
    "overlap",
    "parse_brat_attributions",
]

Span = tuple[int, int]

QUOTE_CHARS = '"“”'

# Words that say nothing about who a speaker is: titles, roles, function words.
_NON_NAME_WORDS = frozenset(
    """mr mrs ms dr sen senator rep gov governor president vice
gen general col colonel lt maj major adm admiral sgt secretary minister prime
chairman chair spokesman spokeswoman spokesperson the a an of and u.s. us
former democratic republican presidential nominee candidate official officials
senior said told according his her their he she they it mr. mrs. ms. dr. sen.
rep. gov. gen. col. lt. maj. adm. sgt. jr jr. sr sr. iii ii al el""".split()  # noqa: SIM905 - the word list reads better as text
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'\-\.]+")
# PolNeAR names an annotator's file <article>_<4 hex digits>.ann
_ANNOTATOR_SUFFIX = re.compile(r"_[0-9a-f]{4}\.ann$")


def name_tokens(name: str | None) -> set[str]:
    """The lower-cased words of a name that can identify someone ("Sen. Tim Kaine" -> {"tim", "kaine"})."""
    tokens: set[str] = set()
    for word in _WORD.findall(name or ""):
        for part in word.strip(".'").lower().split("-"):
            if len(part) >= 3 and part not in _NON_NAME_WORDS:
                tokens.add(part)
    return tokens


def overlap(a: Span, b: Span) -> int:
    """How many characters two half-open spans share."""
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


@dataclass(frozen=True)
class GoldItem:
    """One gold attribution: where its content is, whether it is direct, who its source is."""

    spans: tuple[Span, ...]
    direct: bool
    source_spans: tuple[Span, ...]
    names: frozenset[str] = frozenset()

    @property
    def has_source(self) -> bool:
        return bool(self.source_spans)


@dataclass
class Corpus:
    """Gold items and texts by document (the file stem of the article)."""

    gold: dict[str, list[GoldItem]] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)


def parse_brat_attributions(lines: Iterable[str]) -> list[dict[str, list[Span]]]:
    """The attributions of a brat `.ann` file, as {"content": spans, "source": spans}.

    An attribution without a Content span is dropped; one without a Source keeps
    an empty list.
    """
    spans: dict[str, list[Span]] = {}
    events: list[dict[str, str]] = []
    for raw in lines:
        line = raw.rstrip("\n")
        if not line or line[0] not in "TE":
            continue
        cols = line.split("\t")
        if len(cols) < 2:
            continue
        if line[0] == "T":
            label, _, offsets = cols[1].partition(" ")
            if not offsets:
                continue
            segments = []
            for seg in offsets.split(";"):
                start, end = seg.split()
                segments.append((int(start), int(end)))
            spans[cols[0]] = segments
        else:
            roles: dict[str, str] = {}
            for arg in cols[1].split():
                role, target = arg.split(":")
                # the trigger is typed ("Attribution-…"); arguments are plain roles
                roles[role.split("-")[0] if role.startswith("Attribution") else role] = target
            events.append(roles)
    out = []
    for roles in events:
        content = spans.get(roles.get("Content", ""), [])
        if content:
            out.append({"content": content, "source": spans.get(roles.get("Source", ""), [])})
    return out


def _coref_representatives(path: Path) -> list[tuple[Span, str | None]]:
    """Every CoreNLP coreference mention as (character span, its chain's representative text)."""
    document = ET.parse(path).getroot().find("document")
    if document is None:
        return []
    token_spans = [
        [(int(tok.findtext("CharacterOffsetBegin", "")), int(tok.findtext("CharacterOffsetEnd", "")))
         for tok in sentence.iterfind("tokens/token")]
        for sentence in document.iterfind("sentences/sentence")
    ]
    coreference = document.find("coreference")
    if coreference is None:
        return []
    out: list[tuple[Span, str | None]] = []
    for chain in coreference:
        representative: str | None = None
        mentions: list[Span] = []
        for mention in chain:
            tokens = token_spans[int(mention.findtext("sentence", "")) - 1]
            # CoreNLP counts tokens from 1 and its end is exclusive
            first = int(mention.findtext("start", "")) - 1
            last = int(mention.findtext("end", "")) - 2
            mentions.append((tokens[first][0], tokens[last][1]))
            if mention.attrib.get("representative") == "true":
                representative = mention.findtext("text")
        out.extend((span, representative) for span in mentions)
    return out


def load_polnear(split: Path) -> Corpus:
    """The gold of a PolNeAR split folder (text/, attributions/, optional corenlp/)."""
    split = Path(split)
    chosen: dict[str, Path] = {}
    for ann in sorted((split / "attributions").glob("*.ann")):
        chosen.setdefault(_ANNOTATOR_SUFFIX.sub("", ann.name), ann)  # first annotator alphabetically
    corpus = Corpus()
    for doc, ann in chosen.items():
        text_path = split / "text" / f"{doc}.txt"
        if not text_path.exists():
            continue
        text = text_path.read_text("utf-8")
        corpus.texts[doc] = text
        chains: list[tuple[Span, str | None]] = []
        coref_path = split / "corenlp" / f"{doc}.txt.xml"
        if coref_path.exists():
            try:
                chains = _coref_representatives(coref_path)
            except Exception:  # an unreadable parse only costs the coreference names
                chains = []
        items = []
        with ann.open(encoding="utf-8") as f:
            attributions = parse_brat_attributions(f)
        for att in attributions:
            content = "".join(text[s:e] for s, e in att["content"])
            names: set[str] = set()
            for source in att["source"]:
                names |= name_tokens(text[source[0]:source[1]])
                for span, rep in chains:
                    if rep and overlap(span, source) > 0:
                        names |= name_tokens(rep)
            items.append(GoldItem(
                spans=tuple(att["content"]),
                direct=any(c in content for c in QUOTE_CHARS),
                source_spans=tuple(att["source"]),
                names=frozenset(names),
            ))
        corpus.gold[doc] = items
    return corpus


def load_seed_gold(gold_file: Path, texts_dir: Path) -> Corpus:
    """The project's own gold (JSON Lines, one article a line) with the texts in `texts_dir`."""
    corpus = Corpus()
    with Path(gold_file).open(encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            record = json.loads(line)
            doc = record["doc"]
            corpus.texts[doc] = (Path(texts_dir) / f"{doc}.txt").read_text("utf-8")
            corpus.gold[doc] = [_seed_item(q) for q in record["quotes"]]
    return corpus


def _seed_item(q: dict[str, Any]) -> GoldItem:
    has_source = q.get("speaker_start") is not None
    return GoldItem(
        spans=((q["start"], q["end"]),),
        direct=q.get("kind", "direct") in ("direct", "mixed"),
        source_spans=((q["speaker_start"], q["speaker_end"]),) if has_source else (),
        names=frozenset(name_tokens(q.get("speaker")) | name_tokens(q.get("mention"))),
    )


def load_predictions(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Predicted quotes by document from JSON Lines ({"doc", "quotes": [...]} a line)."""
    preds: dict[str, list[dict[str, Any]]] = {}
    with Path(path).open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                record = json.loads(line)
                preds[record["doc"]] = record.get("quotes", [])
    return preds
