"""The articles and extract routes through the real app, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from api_records import ScriptedExtractor, person, quote_in

TEXT = (
    "US general predicts some troops will remain in Iraq\n"
    "“I believe that going forward, they’re going to want us to be with them,” U.S. Central Command "
    "head Marine Gen. Kenneth McKenzie told reporters Tuesday after he met Iraq’s new prime minister."
)
QUOTE = "I believe that going forward, they’re going to want us to be with them"


def script(extractor: ScriptedExtractor, text: str = TEXT) -> str:
    return extractor.add(text, [quote_in(text, QUOTE, person("Kenneth McKenzie", roles=("CENTCOM head",)),
                                         cue="told")])


async def test_post_article_then_same_text_again(client, extractor: ScriptedExtractor) -> None:  # noqa: ANN001
    script(extractor)
    body = {"text": TEXT, "title": "US general", "outlet": "The Hill", "published": "2020-06-09",
            "url": "https://example.org/a"}
    first = await client.post("/api/articles", json=body)
    assert first.status_code == 201, first.text
    article = first.json()
    assert article["title"] == "US general" and article["outlet"] == "The Hill"
    assert article["published"] == "2020-06-09" and len(article["content_hash"]) == 64
    [q] = article["quotes"]
    assert article["text"][q["start"]:q["end"]] == QUOTE == q["text"]
    assert q["speaker"]["slug"] == "kenneth-mckenzie" and q["speaker"]["kind"] == "person"
    assert q["article"] == {"id": article["id"], "title": "US general", "outlet": "The Hill",
                            "published": "2020-06-09", "url": "https://example.org/a"}
    assert QUOTE in q["context"] and q["cue"] == "told" and 0 <= q["confidence"] <= 1

    again = await client.post("/api/articles", json={"text": TEXT})
    assert again.status_code == 200
    assert again.json()["id"] == article["id"]
    assert extractor.calls == 1  # a stored text is not extracted again
    listing = (await client.get("/api/articles")).json()
    assert listing["total"] == 1 and listing["items"][0]["quote_count"] == 1


async def test_concurrent_identical_posts_one_201_rest_200(client, extractor: ScriptedExtractor) -> None:  # noqa: ANN001
    script(extractor)
    responses = await asyncio.gather(*(client.post("/api/articles", json={"text": TEXT}) for _ in range(5)))
    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 200, 200, 200, 201]
    assert len({r.json()["id"] for r in responses}) == 1
    assert (await client.get("/api/articles")).json()["total"] == 1


async def test_article_detail_and_listing_pages(client, extractor: ScriptedExtractor) -> None:  # noqa: ANN001
    ids = []
    for i in range(5):
        text = f"Article number {i}. " + TEXT
        script(extractor, text)
        ids.append((await client.post("/api/articles", json={"text": text, "published": f"2024-01-0{i + 1}"})).json()["id"])
    page = (await client.get("/api/articles", params={"limit": 2, "offset": 1})).json()
    assert page["total"] == 5 and page["limit"] == 2 and page["offset"] == 1
    assert [a["id"] for a in page["items"]] == [ids[3], ids[2]]  # newest first
    capped = (await client.get("/api/articles", params={"limit": 100000})).json()
    assert capped["limit"] == 100 and len(capped["items"]) == 5
    detail = (await client.get(f"/api/articles/{ids[0]}")).json()
    assert detail["text"].startswith("Article number 0.")
    assert detail["quotes"][0]["article"]["published"] == "2024-01-01"
    missing = await client.get("/api/articles/999999")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert missing.json()["status"] == 404


async def test_extract_stores_nothing(client, extractor: ScriptedExtractor) -> None:  # noqa: ANN001
    script(extractor)
    r = await client.post("/api/extract", json={"text": TEXT})
    assert r.status_code == 200
    [q] = r.json()["quotes"]
    assert q["speaker"] == "Kenneth McKenzie" and q["text"] == QUOTE and q["speaker_key"] == "kenneth-mckenzie"
    assert (await client.get("/api/articles")).json()["total"] == 0
    assert (await client.get("/api/speakers")).json()["total"] == 0


async def test_extract_with_the_real_pipeline(make_client, real_extractor) -> None:  # noqa: ANN001
    async with make_client(extractor_override=real_extractor) as c:
        r = await c.post("/api/extract", json={"text": TEXT})
    assert r.status_code == 200
    quotes = r.json()["quotes"]
    assert any(QUOTE in q["text"] for q in quotes), quotes
    assert any((q["speaker"] or "").endswith("McKenzie") for q in quotes), quotes
