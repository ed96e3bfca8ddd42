"""End to end on the seed articles with the real attribution engine, on SQLite and PostgreSQL.

What a newcomer sees after `quotelens serve`: the seeds ingested, each person one
speaker across articles, and fuzzy search finding them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_asyncio

from api.ingest.batches import ingest_paths
from api.ingest.readers import article_from_text_file
from api.services import Services
from attribution.names import surname

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
ARTICLE_OF = {p.name[:3]: p for p in SEEDS.glob("*.txt")}


@pytest_asyncio.fixture
async def seeded(settings, database_url, real_extractor, make_client):  # noqa: ANN001, ANN201
    services = Services.build(settings, extractor=real_extractor, database_url=database_url)
    try:
        summary = await ingest_paths(services, [str(SEEDS)], progress=False)
    finally:
        await services.close()
    assert summary.articles_new == 5 and not summary.failures, summary
    async with make_client(extractor_override=real_extractor) as client:
        yield client, summary


async def people(client, last_name: str) -> list[dict]:  # noqa: ANN001
    """Person speakers whose name ends in `last_name` (as normalised)."""
    page = (await client.get("/api/speakers", params={"limit": 100})).json()
    found = []
    for hit in page["items"]:
        if hit["kind"] == "person" and surname(hit["name"]) == last_name:
            found.append(hit)
    return found


async def seed_articles_of(client, speaker: dict) -> set[str]:  # noqa: ANN001
    """The seed files ("000", …) the speaker is quoted in, matched by article text."""
    # every quote stored under the speaker, however sure the engine is of it (tracking, not display)
    quotes = (await client.get(f"/api/speakers/{speaker['slug']}/quotes",
                               params={"limit": 100, "min_confidence": 0})).json()["items"]
    # As stored: the text file's furniture lines and byline dropped (api.ingest.readers).
    by_text = {article_from_text_file(path.read_text()).text.strip(): prefix for prefix, path in ARTICLE_OF.items()}
    found = set()
    for article_id in {q["article"]["id"] for q in quotes}:
        text = (await client.get(f"/api/articles/{article_id}")).json()["text"]
        found.add(by_text[text])
    return found


@pytest.mark.parametrize(
    "last_name, articles",
    [
        ("mckenzie", {"000", "002"}),
        ("sudani", {"001", "004"}),
        ("kadhimi", {"000", "002"}),
    ],
)
async def test_people_are_one_speaker_across_articles(seeded, last_name: str, articles: set[str]) -> None:  # noqa: ANN001
    client, _ = seeded
    found = await people(client, last_name)
    assert len(found) == 1, found
    assert await seed_articles_of(client, found[0]) == articles


@pytest.mark.parametrize("last_name", ["caggins", "austin"])
async def test_single_article_people_are_one_speaker(seeded, last_name: str) -> None:  # noqa: ANN001
    client, _ = seeded
    found = await people(client, last_name)
    assert len(found) == 1, found
    assert found[0]["quote_count"] >= 1


async def test_kadhimi_and_sudani_stay_apart(seeded) -> None:  # noqa: ANN001
    client, _ = seeded
    [kadhimi] = await people(client, "kadhimi")
    detail = (await client.get(f"/api/speakers/{kadhimi['slug']}")).json()
    assert not any("sudani" in a.lower() for a in detail["aliases"]), detail


async def test_unnamed_sources_stay_apart_from_named_people(seeded) -> None:  # noqa: ANN001
    client, _ = seeded
    page = (await client.get("/api/speakers", params={"limit": 100})).json()["items"]
    anonymous = [s for s in page if s["kind"] == "anonymous"]
    assert anonymous, "the seeds quote unnamed officials"
    named = {s["name"] for s in page if s["kind"] == "person"}
    for speaker in anonymous:
        assert not set(speaker["aliases"]) & named, speaker


@pytest.mark.parametrize("query", ["mckenzie", "Kenneth Mckenzy", "McKenzie"])
async def test_search_finds_mckenzie(seeded, query: str) -> None:  # noqa: ANN001
    client, _ = seeded
    hits = (await client.get("/api/speakers", params={"q": query})).json()["items"]
    assert hits and hits[0]["kind"] == "person" and surname(hits[0]["name"]) == "mckenzie", hits
    quotes = (await client.get("/api/quotes", params={"speaker": query})).json()
    assert quotes["total"] >= 2
    assert all(surname(q["speaker"]["name"]) == "mckenzie" for q in quotes["items"])


async def test_topic_search_over_seed_quotes(seeded) -> None:  # noqa: ANN001
    client, _ = seeded
    page = (await client.get("/api/quotes", params={"q": "Iraqi security forces"})).json()
    assert page["total"] >= 1
    assert all("iraqi" in q["text"].lower() and "forces" in q["text"].lower() for q in page["items"])
    article = (await client.get(f"/api/articles/{page['items'][0]['article']['id']}")).json()
    for q in article["quotes"]:
        assert article["text"][q["start"]:q["end"]] == q["text"]


async def test_ingesting_the_seeds_again_changes_nothing(seeded, settings, database_url, real_extractor) -> None:  # noqa: ANN001
    client, first = seeded
    before = (await client.get("/api/speakers", params={"limit": 100})).json()
    services = Services.build(settings, extractor=real_extractor, database_url=database_url)
    try:
        again = await ingest_paths(services, [str(SEEDS)], progress=False)
    finally:
        await services.close()
    assert (again.articles_new, again.articles_skipped, again.quotes) == (0, 5, 0)
    assert (await client.get("/api/speakers", params={"limit": 100})).json() == before
