"""Speaker tracking scored the way a user meets it: "what did Donald Trump say?".

The API holding a corpus is asked as the bot asks it: for every person with at
least `min_quotes` gold attributions, `GET /api/speakers?q=<name>&limit=1`, the
top hit, and all of that speaker's quotes (`GET /api/speakers/{id}/quotes`).
The definitions are those of `../shared/eval/track_score.py`, so the figures agree:
- each stored quote is matched to the gold attribution of its document it
  overlaps most (several quotes may share one attribution);
- a returned quote is *right* when its attribution is this person's, *ignored*
  when the attribution's source is "unclear", *wrong* otherwise (someone
  else's words, or no attribution at all);
- precision = right / (right + wrong); recall = the person's attributions
  found / the person's gold attributions; F1 per person, averaged over persons
  (macro), and the same for direct quotes (a quotation mark within two
  characters of the content); micro P/R/F1 over all persons;
- top hit named right: the hit's name equals the person's once titles,
  initials and punctuation are dropped;
- B-cubed precision/recall over every stored quote matched to an attribution of
  a named person or organisation: is one entity under one speaker, and only it?
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .gold import QUOTE_CHARS, Span, overlap

__all__ = [
    "ApiReader",
    "IdentityGold",
    "PersonRow",
    "TrackingScore",
    "format_tracking",
    "load_identity_gold",
    "name_key",
    "score_tracking",
]

_TITLES = frozenset(
    """mr mrs ms dr sen senator rep gov governor president vice gen general
col colonel lt maj major adm admiral sgt secretary minister prime the former
mr. mrs. ms. dr. sen. rep. gov. gen. col. lt. maj. adm. sgt. jr jr. sr sr. iii ii""".split()  # noqa: SIM905 - the word list reads better as text
)
_NAME_SPLIT = re.compile(r"[\s\-]+")
PAGE_SIZE = 100


class ApiReader(Protocol):
    """GET a path of the quotelens API with query parameters; the decoded JSON body."""

    def __call__(self, path: str, **params: Any) -> Any: ...


@dataclass(frozen=True)
class IdentityGold:
    """One gold attribution with the real-world entity that said it."""

    doc: str
    i: int
    content: tuple[Span, ...]
    entity: str | None
    kind: str  # person | organisation | group | unclear


def load_identity_gold(path: Path) -> dict[str, list[IdentityGold]]:
    """The speaker identity gold (JSON Lines) by document, in file order."""
    gold: dict[str, list[IdentityGold]] = defaultdict(list)
    with Path(path).open(encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            g = json.loads(line)
            gold[g["doc"]].append(IdentityGold(
                doc=g["doc"], i=g["i"], content=tuple((s, e) for s, e in g["content"]),
                entity=g.get("entity"), kind=g["kind"],
            ))
    return dict(gold)


def name_key(name: str | None) -> str:
    """A name without titles, initials and punctuation, lower-cased ("Sen. Tim M. Kaine" -> "tim kaine")."""
    words = (w.strip(".,'’").lower() for w in _NAME_SPLIT.split(name or ""))
    return " ".join(w for w in words if len(w) > 1 and w not in _TITLES)


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _quote_mark_near(text: str, start: int, end: int) -> bool:
    return any(c in text[max(0, start - 2):end + 2] for c in QUOTE_CHARS)


def _is_direct(g: IdentityGold, text: str) -> bool:
    return any(_quote_mark_near(text, s, e) for s, e in g.content)


@dataclass
class PersonRow:
    """What the API answered for one person, and how right it was."""

    entity: str
    gold: int
    gold_direct: int
    top_hit: str | None = None
    name_ok: bool = False
    right: int = 0
    wrong: int = 0
    ignored: int = 0
    right_direct: int = 0
    wrong_direct: int = 0
    found: int = 0
    found_direct: int = 0

    def _prf(self, right: int, wrong: int, found: int, gold: int) -> tuple[float, float, float]:
        p = right / (right + wrong) if right + wrong else 0.0
        r = found / gold if gold else 0.0
        return p, r, _f1(p, r)

    @property
    def prf(self) -> tuple[float, float, float]:
        return self._prf(self.right, self.wrong, self.found, self.gold)

    @property
    def prf_direct(self) -> tuple[float, float, float]:
        return self._prf(self.right_direct, self.wrong_direct, self.found_direct, self.gold_direct)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        (d["p"], d["r"], d["f1"]), (d["p_direct"], d["r_direct"], d["f1_direct"]) = self.prf, self.prf_direct
        return d


@dataclass
class TrackingScore:
    """The tracking figures over every person asked."""

    rows: list[PersonRow]
    bcubed: tuple[float, float, float]
    docs_missing: list[str] = field(default_factory=list)

    def _mean(self, values: Iterable[float]) -> float:
        values = list(values)
        return sum(values) / len(values) if values else 0.0

    @property
    def macro_f1(self) -> float:
        return self._mean(r.prf[2] for r in self.rows)

    @property
    def macro_f1_direct(self) -> float:
        """Over the persons with at least one direct gold attribution."""
        with_direct = [r.prf_direct[2] for r in self.rows if r.gold_direct]
        return sum(with_direct) / max(1, len(with_direct))

    @property
    def macro_p(self) -> float:
        return self._mean(r.prf[0] for r in self.rows)

    @property
    def macro_r(self) -> float:
        return self._mean(r.prf[1] for r in self.rows)

    @property
    def micro(self) -> tuple[float, float, float]:
        right = sum(r.right for r in self.rows)
        wrong = sum(r.wrong for r in self.rows)
        p = right / (right + wrong) if right + wrong else 0.0
        gold = sum(r.gold for r in self.rows)
        rec = sum(r.found for r in self.rows) / gold if gold else 0.0
        return p, rec, _f1(p, rec)

    @property
    def name_ok(self) -> float:
        return self._mean(float(r.name_ok) for r in self.rows)

    def worst(self, n: int) -> list[PersonRow]:
        return sorted(self.rows, key=lambda r: r.prf[2])[:n]

    def to_dict(self) -> dict[str, Any]:
        return {
            "people": len(self.rows),
            "macro_f1": self.macro_f1,
            "macro_f1_direct": self.macro_f1_direct,
            "macro_p": self.macro_p,
            "macro_r": self.macro_r,
            "micro": list(self.micro),
            "name_ok": self.name_ok,
            "bcubed": list(self.bcubed),
            "docs_missing": self.docs_missing,
            "rows": [r.to_dict() for r in self.rows],
        }


def _pages(get: ApiReader, path: str, **params: Any) -> Iterator[dict[str, Any]]:
    offset = 0
    while True:
        page = get(path, limit=PAGE_SIZE, offset=offset, **params)
        yield from page["items"]
        offset += len(page["items"])
        if not page["items"] or offset >= page["total"]:
            return


@dataclass(frozen=True)
class _StoredArticle:
    doc: str
    delta: int  # where the stored text starts inside the file's text
    detail: dict[str, Any]


def _stored_articles(get: ApiReader, texts: Mapping[str, str]) -> dict[Any, _StoredArticle]:
    """Article id -> the gold document it is (found by its text, which may be a trimmed copy)."""
    doc_of_text = {text: doc for doc, text in texts.items()}
    out = {}
    for article in _pages(get, "/api/articles"):
        detail = get(f"/api/articles/{article['id']}")
        stored = detail["text"]
        doc, delta = doc_of_text.get(stored), 0
        if doc is None and stored:
            for candidate, text in texts.items():
                if (k := text.find(stored)) >= 0:
                    doc, delta = candidate, k
                    break
        if doc is not None:
            out[article["id"]] = _StoredArticle(doc, delta, detail)
    return out


def _most_overlapped(span: Span, golds: list[IdentityGold]) -> IdentityGold | None:
    best, found = 0, None
    for g in golds:
        ov = sum(overlap(span, c) for c in g.content)
        if ov > best:
            best, found = ov, g
    return found


def score_tracking(
    get: ApiReader,
    gold: Mapping[str, list[IdentityGold]],
    texts: Mapping[str, str],
    *,
    min_quotes: int = 3,
    progress: Callable[[Iterable[str]], Iterable[str]] = lambda people: people,
) -> TrackingScore:
    """Ask the API behind `get` what each gold person said and score the answers.

    `texts` holds the text of every gold document; `progress` wraps the list of
    persons asked (a progress bar).
    """
    articles = _stored_articles(get, texts)
    stored_docs = {a.doc for a in articles.values()}

    # every stored quote, matched once to the gold of its document
    quote_doc: dict[Any, str] = {}
    quote_gold: dict[Any, IdentityGold] = {}
    quote_speaker: dict[Any, Any] = {}
    for article in articles.values():
        for q in article.detail["quotes"]:
            quote_doc[q["id"]] = article.doc
            quote_speaker[q["id"]] = (q.get("speaker") or {}).get("id")
            g = _most_overlapped((q["start"] + article.delta, q["end"] + article.delta), gold[article.doc])
            if g is not None:
                quote_gold[q["id"]] = g

    counts = Counter(g.entity for gs in gold.values() for g in gs if g.kind == "person")
    people = sorted((e for e, n in counts.items() if e is not None and n >= min_quotes),
                    key=lambda e: (-counts[e], e))
    rows = [_ask_about(get, e, counts[e], gold, texts, quote_doc, quote_gold) for e in progress(people)]

    # B-cubed over the quotes matched to a named entity's attribution
    pairs = [(quote_speaker[q], g.entity) for q, g in quote_gold.items()
             if g.entity and quote_speaker.get(q) is not None]
    per_speaker = Counter(s for s, _ in pairs)
    per_entity = Counter(e for _, e in pairs)
    together = Counter(pairs)
    bp = sum(together[p] / per_speaker[p[0]] for p in pairs) / len(pairs) if pairs else 0.0
    br = sum(together[p] / per_entity[p[1]] for p in pairs) / len(pairs) if pairs else 0.0
    return TrackingScore(rows=rows, bcubed=(bp, br, _f1(bp, br)),
                         docs_missing=sorted(set(gold) - stored_docs))


def _ask_about(
    get: ApiReader,
    entity: str,
    n_gold: int,
    gold: Mapping[str, list[IdentityGold]],
    texts: Mapping[str, str],
    quote_doc: Mapping[Any, str],
    quote_gold: Mapping[Any, IdentityGold],
) -> PersonRow:
    """One person's row: search by name, take the top hit, judge every quote it lists."""
    row = PersonRow(entity=entity, gold=n_gold, gold_direct=sum(
        1 for doc, gs in gold.items() for g in gs
        if g.kind == "person" and g.entity == entity and _is_direct(g, texts[doc])))
    hits = get("/api/speakers", q=entity, limit=1)["items"]
    if not hits:
        return row
    hit = hits[0]
    row.top_hit = hit["name"]
    row.name_ok = name_key(hit["name"]) == name_key(entity)
    found: set[tuple[str | None, int]] = set()
    found_direct: set[tuple[str | None, int]] = set()
    for q in _pages(get, f"/api/speakers/{hit['id']}/quotes"):
        g = quote_gold.get(q["id"])
        doc = quote_doc.get(q["id"])
        if g is not None and doc is not None:
            direct = _is_direct(g, texts[doc])
        elif doc is not None:
            # the shared scorer reads the quote's offsets as they are stored here
            # (not moved by a trimmed article's offset): the same so the figures agree
            direct = _quote_mark_near(texts[doc], q["start"], q["end"])
        else:
            direct = False
        if g is not None and g.kind == "unclear":
            row.ignored += 1
        elif g is not None and g.kind == "person" and g.entity == entity:
            row.right += 1
            row.right_direct += direct
            found.add((doc, g.i))
            if direct:
                found_direct.add((doc, g.i))
        else:
            row.wrong += 1
            row.wrong_direct += direct
    row.found, row.found_direct = len(found), len(found_direct)
    return row


def format_tracking(score: TrackingScore, worst: int = 15) -> str:
    """The report: the worst persons, then the figures."""
    lines = [f"{'person':28} gold  {'top hit':28}     P     R    F1  direct F1"]
    for r in score.worst(worst):
        p, rec, f = r.prf
        lines.append(f"{r.entity[:28]:28} {r.gold:4}  {str(r.top_hit)[:28]:28}  {p:.2f}  {rec:.2f}  {f:.2f}"
                     f"  {r.prf_direct[2]:.2f}")
    mp, mr, mf = score.micro
    bp, br, bf = score.bcubed
    lines += [
        f"docs missing from the store: {len(score.docs_missing)}",
        f"persons asked: {len(score.rows)}",
        f"ask macro F1 = {score.macro_f1:.3f} (P {score.macro_p:.3f}, R {score.macro_r:.3f});"
        f" direct quotes: {score.macro_f1_direct:.3f}",
        f"micro P/R/F1 = {mp:.3f} / {mr:.3f} / {mf:.3f}",
        f"B-cubed P/R/F1 = {bp:.3f} / {br:.3f} / {bf:.3f}",
        f"top hit named right: {score.name_ok:.3f}",
    ]
    return "\n".join(lines)
