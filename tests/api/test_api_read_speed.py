"""What the fast read paths must keep true: kept answers follow every write, outlets are the
articles', estimated totals say so, a speaker's count comes from the index and is right."""

from __future__ import annotations

import pytest
from api_records import ScriptedExtractor, person, quote_in
from sqlalchemy import func, select
from test_api_speakers import load

import api.quotes.service as quote_service
from api.store.db import normalise_database_url
from api.store.fastread import PostgresReader, Prepared


async def test_kept_answers_follow_writes(client, extractor: ScriptedExtractor) -> None:  # noqa: ANN001
    ids = await load(client, extractor)
    responses = client.app.state.responses
    first = (await client.get("/api/quotes", params={"q": "troops"})).json()
    hits = responses.hits
    again = (await client.get("/api/quotes", params={"q": "troops"})).json()
    assert again == first and responses.hits == hits + 1  # the same request, answered from memory
    assert (await client.get("/api/quotes", params={"q": "troops"},
                             headers={"Accept": "text/csv"})).headers["content-type"].startswith("text/csv")

    renamed = await client.patch("/api/speakers/kenneth-mckenzie", json={"name": "Kenneth F. McKenzie Jr."})
    assert renamed.status_code == 200
    after = (await client.get("/api/quotes", params={"q": "troops"})).json()
    assert {q["speaker"]["name"] for q in after["items"]} == {"Kenneth F. McKenzie Jr."}

    patched = await client.patch(f"/api/articles/{ids['a1']}", json={"published": "2025-01-02"})
    assert patched.status_code == 200
    newest = (await client.get("/api/quotes", params={"q": "troops"})).json()["items"][0]
    assert newest["article"]["published"] == "2025-01-02"
    detail = (await client.get(f"/api/articles/{ids['a1']}")).json()
    assert detail["published"] == "2025-01-02" and len(detail["quotes"]) == 2


async def test_outlet_listings_follow_the_article(client, extractor: ScriptedExtractor) -> None:  # noqa: ANN001
    ids = await load(client, extractor)
    assert (await client.patch(f"/api/articles/{ids['a2']}", json={"outlet": "The Hill"})).status_code == 200
    hill = (await client.get("/api/quotes", params={"outlet": "The Hill"})).json()
    assert hill["total"] == 2 and {q["article"]["id"] for q in hill["items"]} == {ids["a2"]}
    worded = (await client.get("/api/quotes", params={"outlet": "The Hill", "q": "troops"})).json()
    assert [q["text"] for q in worded["items"]] == ["Our troops are welcome and valued"]

    assert (await client.patch(f"/api/articles/{ids['a2']}", json={"outlet": "Al Arabiya"})).status_code == 200
    assert (await client.get("/api/quotes", params={"outlet": "The Hill"})).json()["total"] == 0
    moved = (await client.get("/api/quotes", params={"outlet": "Al Arabiya", "q": "troops"})).json()
    assert moved["total"] == 1 and not moved["total_is_estimate"]


async def test_search_totals_above_the_exact_limit_are_estimates(
    client, extractor: ScriptedExtractor, monkeypatch: pytest.MonkeyPatch  # noqa: ANN001
) -> None:
    await load(client, extractor)
    monkeypatch.setattr(quote_service, "EXACT_TOTAL_UP_TO", 1)
    page = (await client.get("/api/quotes", params={"q": "troops", "limit": 1})).json()
    assert len(page["items"]) == 1
    assert page["total"] >= 2 and page["total_is_estimate"] is True  # the walk stopped at the limit
    last = (await client.get("/api/quotes", params={"q": "troops", "limit": 1, "offset": 1})).json()
    assert len(last["items"]) == 1
    whole = (await client.get("/api/quotes", params={"q": "troops"})).json()
    assert whole["total"] == 2 and whole["total_is_estimate"] is False  # one page holds them all: counted


async def test_a_speakers_default_total_counts_only_confident_quotes(
    make_client, extractor: ScriptedExtractor  # noqa: ANN001
) -> None:
    text = "“We stay,” Gen. Kenneth McKenzie said. “We may go,” McKenzie said. “Maybe,” McKenzie said."
    speaker = person("Kenneth McKenzie")
    extractor.add(text, [quote_in(text, "We stay", speaker, confidence=0.95),
                         quote_in(text, "We may go", speaker, confidence=0.2),
                         quote_in(text, "Maybe", speaker, confidence=0.9)])
    async with make_client(speaker_confidence=0.5) as client:
        assert (await client.post("/api/articles", json={"text": text})).status_code == 201
        detail = (await client.get("/api/speakers/kenneth-mckenzie")).json()
        listing = (await client.get("/api/speakers/kenneth-mckenzie/quotes", params={"limit": 1})).json()
        assert detail["quote_count"] == 2 and listing["total"] == 2 and len(listing["items"]) == 1
        every = (await client.get("/api/speakers/kenneth-mckenzie/quotes", params={"min_confidence": 0})).json()
        assert every["total"] == 3


async def test_search_without_the_rum_index_lists_the_same(client, extractor: ScriptedExtractor) -> None:  # noqa: ANN001
    """Where PostgreSQL lacks the rum extension, the GIN plan lists the same quotes in the same order."""
    await load(client, extractor)
    services = client.app.state.services
    queries = [{"q": "troops"}, {"q": "iraq"}, {"q": "troops", "until": "2020-06-09"},
               {"q": "troops", "since": "2020-06-10"}, {"q": "troops", "speaker": "kenneth-mckenzie"}]
    with_index = [(await client.get("/api/quotes", params=p)).json() for p in queries]
    services.quotes._rum = False
    client.app.state.responses._kept.clear()
    without = [(await client.get("/api/quotes", params=p)).json() for p in queries]
    assert without == with_index
    assert [len(page["items"]) for page in without] == [2, 2, 1, 1, 2]


async def test_a_speakers_weekly_series_names_it_as_the_store_does(client, extractor: ScriptedExtractor) -> None:  # noqa: ANN001
    """The series' speaker comes from the speaker index when it is current: by slug, by id, by an old slug
    after a merge (a redirect in the store), and renamed the moment it is renamed."""
    await load(client, extractor)
    detail = (await client.get("/api/speakers/kenneth-mckenzie")).json()
    ref = {k: detail[k] for k in ("id", "slug", "name", "kind")}
    for ident in ("kenneth-mckenzie", str(detail["id"])):
        assert (await client.get("/api/stats/weekly", params={"speaker": ident})).json()["speaker"] == ref
    renamed = await client.patch("/api/speakers/kenneth-mckenzie", json={"name": "K. F. McKenzie"})
    assert renamed.status_code == 200
    after = (await client.get("/api/stats/weekly", params={"speaker": "kenneth-mckenzie"})).json()
    assert after["speaker"] == {**ref, "name": "K. F. McKenzie"}
    caggins = (await client.get("/api/speakers", params={"q": "Caggins"})).json()["items"][0]["slug"]
    merged = await client.post(f"/api/speakers/{caggins}/merge", json={"other": "kenneth-mckenzie"})
    assert merged.status_code == 200, merged.text
    moved = (await client.get("/api/stats/weekly", params={"speaker": "kenneth-mckenzie"})).json()
    assert moved["speaker"]["slug"] == caggins and sum(w["quotes"] for w in moved["items"]) == 3
    assert (await client.get("/api/stats/weekly", params={"speaker": "no-such-one"})).status_code == 404


async def test_postgresql_plans_each_search_for_its_own_values(pg_database: str) -> None:
    """A search runs where PostgreSQL plans every execution with its values (a kept plan walked the
    wrong list for filtered searches); other reads keep the plan PostgreSQL settles on."""
    bound = quote_service._bind(quote_service.QuoteFilter(q="troops", speaker_ids=[1]), False, rum=True)
    assert bound is not None and quote_service._search_query(bound[0]).plan_each_time
    mode = select(func.current_setting("plan_cache_mode").label("mode"))
    reader = PostgresReader(normalise_database_url(pg_database), pool_size=2, connect_timeout=5, statement_timeout=5)
    try:
        kept = await reader.rows(Prepared(mode), {})
        each = await reader.rows(Prepared(mode, plan_each_time=True), {})
        kept_again = await reader.rows(Prepared(mode), {})
    finally:
        await reader.close()
    assert [kept[0].mode, each[0].mode, kept_again[0].mode] == ["auto", "force_custom_plan", "auto"]
