"""The tracking scorer against a fake API whose answers are right, wrong or ignored by design."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from quotelens.evaluation import format_tracking, load_identity_gold, name_key, score_tracking

# Two articles of plain filler; a quotation mark right after d1's first span makes
# that one attribution (and the quotes on it) direct.
TEXTS = {"d1": "x" * 10 + '"' + "x" * 89, "d2": "y" * 100}
TRIM = 5  # the store keeps d2 without its first five characters

GOLD = [
    # doc, i, content, entity, kind
    ("d1", 0, (0, 10), "Alice Ames", "person"),
    ("d1", 1, (20, 30), "Alice Ames", "person"),
    ("d1", 2, (40, 50), "Bob Burr", "person"),
    ("d1", 3, (60, 70), None, "unclear"),
    ("d2", 0, (0, 10), "Alice Ames", "person"),
    ("d2", 1, (20, 30), "Bob Burr", "person"),
    ("d2", 2, (40, 50), "Bob Burr", "person"),
    ("d2", 3, (60, 70), "Acme", "organisation"),
    ("d2", 4, (70, 75), "Carl Cole", "person"),
    ("d2", 5, (75, 80), "Carl Cole", "person"),
    ("d2", 6, (80, 85), "Carl Cole", "person"),
    ("d2", 7, (85, 90), "Dee Dunn", "person"),  # fewer than three: not asked
]

SPEAKERS = {1: "Alice Ames", 2: "Sen. Robert Burr", 3: "Acme"}
# quote id -> (article id, start, end in the stored text, speaker id)
QUOTES = {
    101: (1, 0, 10, 1),                 # Alice's (d1 #0, direct): right
    102: (1, 60, 70, 1),                # an unclear source: ignored
    103: (2, 42 - TRIM, 48 - TRIM, 1),  # Bob's words under Alice: wrong
    104: (1, 22, 28, 1),                # Alice's (d1 #1): right
    105: (1, 40, 50, 2),                # Bob's: right
    106: (2, 20 - TRIM, 30 - TRIM, 2),  # Bob's: right
    107: (1, 80, 90, 2),                # no gold attribution there: wrong
    108: (2, 45 - TRIM, 50 - TRIM, 2),  # Bob's (d2 #2): right
    109: (2, 60 - TRIM, 70 - TRIM, 3),  # Acme's
}


class FakeApi:
    """Answers the four reads the scorer makes, two items a page (pages must be followed)."""

    def __init__(self) -> None:
        self.articles = {1: TEXTS["d1"], 2: TEXTS["d2"][TRIM:]}
        self.calls: list[str] = []

    def _page(self, items: list[dict[str, Any]], limit: int, offset: int) -> dict[str, Any]:
        limit = min(limit, 2)
        return {"items": items[offset:offset + limit], "total": len(items), "limit": limit, "offset": offset}

    def _quote(self, qid: int) -> dict[str, Any]:
        _, start, end, sid = QUOTES[qid]
        return {"id": qid, "start": start, "end": end, "speaker": {"id": sid, "name": SPEAKERS[sid]}}

    def __call__(self, path: str, **params: Any) -> Any:
        self.calls.append(path)
        if path == "/api/articles":
            return self._page([{"id": a} for a in self.articles], params["limit"], params["offset"])
        if path.startswith("/api/articles/"):
            aid = int(path.rsplit("/", 1)[1])
            return {"id": aid, "text": self.articles[aid],
                    "quotes": [self._quote(q) for q, v in QUOTES.items() if v[0] == aid]}
        if path == "/api/speakers":
            hits = [{"id": sid, "name": n} for sid, n in SPEAKERS.items()
                    if name_key(n).split()[-1] == name_key(params["q"]).split()[-1]]
            return self._page(hits, params["limit"], 0)
        sid = int(path.split("/")[3])
        mine = [self._quote(q) for q, v in QUOTES.items() if v[3] == sid]
        return self._page(mine, params["limit"], params["offset"])


@pytest.fixture
def gold(tmp_path: Path):
    rows = [{"doc": d, "i": i, "content": [list(c)], "source": [], "source_text": "", "entity": e,
             "kind": k, "evidence": "name"} for d, i, c, e, k in GOLD]
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    return load_identity_gold(path)


def test_rows(gold) -> None:
    score = score_tracking(FakeApi(), gold, TEXTS)
    rows = {r.entity: r for r in score.rows}
    assert [r.entity for r in score.rows] == ["Alice Ames", "Bob Burr", "Carl Cole"]
    alice, bob, carl = rows["Alice Ames"], rows["Bob Burr"], rows["Carl Cole"]
    assert (alice.right, alice.wrong, alice.ignored, alice.found) == (2, 1, 1, 2)
    assert (alice.top_hit, alice.name_ok) == ("Alice Ames", True)
    assert (bob.right, bob.wrong, bob.found) == (3, 1, 3)
    assert (bob.top_hit, bob.name_ok) == ("Sen. Robert Burr", False)
    assert (carl.top_hit, carl.found, carl.prf) == (None, 0, (0.0, 0.0, 0.0))
    assert alice.prf == pytest.approx((2 / 3, 2 / 3, 2 / 3))
    assert bob.prf == pytest.approx((3 / 4, 1.0, 6 / 7))
    assert (alice.gold_direct, alice.right_direct, alice.found_direct) == (1, 1, 1)
    assert bob.gold_direct == 0


def test_figures(gold) -> None:
    score = score_tracking(FakeApi(), gold, TEXTS)
    assert score.macro_f1 == pytest.approx((Fraction(2, 3) + Fraction(6, 7)) / 3)
    assert score.macro_f1_direct == pytest.approx(1.0)  # Alice only: Bob and Carl have no direct gold
    p, r = Fraction(5, 7), Fraction(5, 9)
    assert score.micro == pytest.approx((p, r, 2 * p * r / (p + r)))
    assert score.name_ok == pytest.approx(1 / 3)
    # B-cubed over quotes matched to a named entity: S1 {A, A, B}, S2 {B, B, B}, S3 {Acme}
    bp = (Fraction(2, 3) * 2 + Fraction(1, 3) + 3 + 1) / 7
    br = (1 + 1 + Fraction(1, 4) + Fraction(3, 4) * 3 + 1) / 7
    assert score.bcubed[:2] == pytest.approx((bp, br))
    assert score.docs_missing == []
    assert [r.entity for r in score.worst(2)] == ["Carl Cole", "Alice Ames"]


def test_min_quotes_and_missing_docs(gold) -> None:
    api = FakeApi()
    del api.articles[2]
    score = score_tracking(api, gold, TEXTS, min_quotes=1)
    assert "Dee Dunn" in {r.entity for r in score.rows}
    assert score.docs_missing == ["d2"]


def test_report_and_json(gold) -> None:
    score = score_tracking(FakeApi(), gold, TEXTS)
    text = format_tracking(score, worst=2)
    assert "Carl Cole" in text and "Bob Burr" not in text
    assert f"ask macro F1 = {score.macro_f1:.3f}" in text
    d = json.loads(json.dumps(score.to_dict()))
    assert d["people"] == 3 and d["rows"][0]["f1"] == pytest.approx(2 / 3)


@pytest.mark.parametrize("name, key", [
    ("Sen. Tim M. Kaine", "tim kaine"),
    ("Donald J. Trump Jr.", "donald trump"),
    ("Jean-Luc Picard", "jean luc picard"),
    ("the President", ""),
    ("Trump '", "trump"),
])
def test_name_key(name: str, key: str) -> None:
    assert name_key(name) == key
