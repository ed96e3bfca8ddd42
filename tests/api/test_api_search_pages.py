"""Search pages from one walk of the ordered matches (`api.quotes.service._search_query`): every page of
every filter lists what a plain reading of the quotes says, in the same order, and the totals are exact
below the limit and flagged as estimates above it."""

from __future__ import annotations

import random

import pytest
from api_records import ScriptedExtractor, person, quote_in

import api.quotes.service as quote_service

WORDS = ("harbour", "budget", "river", "school", "bridge", "farmer", "ferry", "market")
SPEAKERS = ("Alma Rowe", "Bertil Quist", "Cora Lind")
OUTLETS = ("North Post", "South Ledger")
THRESHOLD = 0.5


async def _fill(client, extractor: ScriptedExtractor) -> list[dict]:  # noqa: ANN001
    """Articles of quotes made of a few words, over six years (one undated); each quote as the API
    shows it, with the article's date and outlet."""
    rng = random.Random(15)
    posted = []
    for n in range(24):
        lines, quotes = [], []
        for i in range(rng.randint(2, 4)):
            words = " ".join(rng.sample(WORDS, rng.randint(2, 4)))
            speaker = SPEAKERS[rng.randrange(len(SPEAKERS))]
            lines.append(f"“{words} number {n} {i},” {speaker} said.")
            quotes.append((f"{words} number {n} {i}", speaker, rng.choice(("direct", "indirect", "mixed")),
                           rng.choice((0.3, 0.9))))
        text = " ".join(lines)
        extractor.add(text, [quote_in(text, content, person(name), kind=kind, confidence=conf)
                             for content, name, kind, conf in quotes])
        day = None if n == 5 else f"{2019 + n % 6}-{1 + n % 12:02d}-{1 + n:02d}"
        body = {"text": text, "title": f"t{n}", "outlet": OUTLETS[n % 2], **({"published": day} if day else {})}
        r = await client.post("/api/articles", json=body)
        assert r.status_code == 201, r.text
        posted.append(r.json()["id"])
    shown = []
    for aid in posted:
        detail = (await client.get(f"/api/articles/{aid}")).json()
        for q in detail["quotes"]:
            speaker = q["speaker"] or q["speaker_guess"]
            shown.append({"id": q["id"], "words": set(q["text"].split()), "kind": q["kind"],
                          "speaker": speaker["id"], "confidence": q["confidence"], "day": detail["published"],
                          "outlet": detail["outlet"]})
    return shown


def _expected(quotes: list[dict], params: dict) -> list[int]:
    """The ids a search should list, newest article first (undated last), then the newer quote."""
    found = [q for q in quotes
             if set(params["q"].split()) <= q["words"]
             and ("kind" not in params or q["kind"] == params["kind"])
             and ("outlet" not in params or q["outlet"] == params["outlet"])
             and ("speaker" not in params or q["speaker"] == params["speaker"])
             and ("speaker" not in params or q["confidence"] >= params.get("min_confidence", THRESHOLD))
             and ("since" not in params or (q["day"] is not None and q["day"] >= params["since"]))
             and ("until" not in params or (q["day"] is not None and q["day"] <= params["until"]))]
    found.sort(key=lambda q: (q["day"] or "", q["id"]), reverse=True)
    return [q["id"] for q in found]


@pytest.mark.parametrize("exact_up_to", [1000, 4])
async def test_search_pages_list_what_the_quotes_say(
    make_client, extractor: ScriptedExtractor, monkeypatch: pytest.MonkeyPatch, exact_up_to: int  # noqa: ANN001
) -> None:
    monkeypatch.setattr(quote_service, "EXACT_TOTAL_UP_TO", exact_up_to)
    async with make_client(speaker_confidence=THRESHOLD) as client:
        quotes = await _fill(client, extractor)
        alma = (await client.get("/api/speakers", params={"q": "Alma Rowe"})).json()["items"][0]["id"]
        filters = [
            {"q": "harbour"}, {"q": "river budget"}, {"q": "ferry market school"},
            {"q": "harbour", "since": "2020-03-01", "until": "2023-12-31"}, {"q": "budget", "until": "2021-06-30"},
            # a common kind is checked on each match's row, a rare one in the full-text index (SQLite)
            {"q": "river", "since": "2022-01-01"}, {"q": "school", "kind": "indirect"}, {"q": "market", "kind": "mixed"},
            {"q": "ferry", "kind": "mixed", "speaker": alma, "min_confidence": 0},
            {"q": "bridge", "outlet": "North Post"}, {"q": "farmer", "speaker": alma},
            {"q": "market", "speaker": alma, "min_confidence": 0},
            {"q": "harbour", "speaker": alma, "kind": "direct", "since": "2019-06-01", "until": "2024-06-01"},
            {"q": "zebra"},
        ]
        checked = 0
        for params in filters:
            want = _expected(quotes, params)
            for limit, offset in ((5, 0), (5, 5), (3, 7), (50, 0), (5, 60)):
                page = (await client.get("/api/quotes", params={**params, "limit": limit, "offset": offset})).json()
                assert [q["id"] for q in page["items"]] == want[offset:offset + limit], (params, limit, offset)
                cap = max(exact_up_to, offset + limit) + 1
                if len(want) < cap:
                    assert page["total"] == len(want) and page["total_is_estimate"] is False, (params, page)
                else:  # the walk stopped at `cap`: an estimate, never below what was seen
                    assert page["total_is_estimate"] is True and page["total"] >= cap, (params, page)
                checked += bool(page["items"])
            assert want or params["q"] == "zebra", params  # every filter but the last finds quotes
        assert checked > 30  # the filters do find quotes
