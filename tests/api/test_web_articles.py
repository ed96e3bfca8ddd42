"""Articles from the web and their details over HTTP: POST a URL or a page's HTML, PATCH the
details, the same text again with new details, undated articles last and outside date ranges."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from api_records import ScriptedExtractor, person, quote_in

from api.ingest.batches import ingest_paths
from api.ingest.readers import article_from_object, article_from_text_file
from api.services import Services
from tests.api.local_web import LocalWeb, Route, page, rss

KEY = {"X-API-Key": "k1"}
HARBOUR_TITLE = "Council approves harbour plan after long debate"
CANONICAL = "https://news.example.org/2024/03/12/council-approves-harbour-plan"


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return int(port)


def _routes() -> dict[str, Route]:
    harbour = page("harbour.html")
    return {
        "/harbour": Route(harbour),
        # the same story under another link: its canonical URL names the stored one
        "/harbour?utm_source=x": Route(harbour.replace(b"Work is expected", b"Building is expected")),
        "/missing": Route(b"<html><body>gone</body></html>", status=404),
        "/loop": Route(status=302, headers={"Location": "/loop"}),
        "/report.pdf": Route(b"%PDF-1.7 not a page", content_type="application/pdf"),
        "/huge": Route(b"<html><body><p>" + b"word " * 60_000 + b"</p></body></html>"),
        "/feed.xml": Route(rss([("http://127.0.0.1/a", "A", "Tue, 12 Mar 2024 09:30:00 GMT")]),
                           content_type="application/rss+xml"),
    }


async def test_post_url_fetches_the_page_once(make_client) -> None:  # noqa: ANN001
    with LocalWeb(_routes()) as web:
        async with make_client(fetch_allow_private=True, fetch_max_bytes=100_000) as c:
            r = await c.post("/api/articles", json={"url": web.url("/harbour")})
            assert r.status_code == 201, r.text
            a = r.json()
            assert (a["title"], a["outlet"], a["published"], a["url"]) == (
                HARBOUR_TITLE, "The Northfield Gazette", "2024-03-12", CANONICAL)
            assert a["authors"] == ["Dana Whitlock"] and a["language"] == "en" and a["skipped"] is None
            assert "Tags:" not in a["text"] and "Share this article" not in a["text"]
            assert a["text"].startswith("The Northfield town council voted 7 to 2")

            # The same URL again: not fetched, that article.
            again = await c.post("/api/articles", json={"url": web.url("/harbour")})
            assert again.status_code == 200 and again.json()["id"] == a["id"]
            assert web.hits["/harbour"] == 1
            # Another link whose page names the stored canonical URL: fetched once, not stored twice.
            other = await c.post("/api/articles", json={"url": web.url("/harbour?utm_source=x")})
            assert other.status_code == 200 and other.json()["id"] == a["id"]
            assert (await c.get("/api/articles")).json()["total"] == 1

            # A site that does not give the page: 502. A URL or response quotelens will not take: 422.
            for path, status, words in (
                ("/missing", 502, "HTTP 404"),
                ("/loop", 502, "redirect loop"),
                ("/report.pdf", 422, "not an HTML page"),
                ("/huge", 422, "too large"),
                ("/feed.xml", 422, "is a feed"),
            ):
                r = await c.post("/api/articles", json={"url": web.url(path)})
                assert r.status_code == status, (path, r.text)
                body = r.json()
                assert words in body["detail"], (path, body)
                assert body["type"] == ("urn:quotelens:problem:upstream" if status == 502
                                        else "urn:quotelens:problem:invalid-input")
            r = await c.post("/api/articles", json={"url": f"http://127.0.0.1:{_closed_port()}/x"})
            assert r.status_code == 502 and "cannot connect" in r.json()["detail"]
            r = await c.post("/api/articles", json={"url": "ftp://example.org/x"})
            assert r.status_code == 422 and "only http and https" in r.json()["detail"]
            assert (await c.get("/api/articles")).json()["total"] == 1

        # By default a private address is refused before anything is sent.
        hits = sum(web.hits.values())
        async with make_client() as c:
            r = await c.post("/api/articles", json={"url": web.url("/harbour?fresh")})
            assert r.status_code == 422
            assert "QUOTELENS_FETCH_ALLOW_PRIVATE" in r.json()["detail"]
        assert sum(web.hits.values()) == hits


async def test_post_html(client) -> None:  # noqa: ANN001
    html = page("harbour.html").decode()
    r = await client.post("/api/articles", json={"html": html, "published": "2024-03-13", "outlet": "Gazette"})
    assert r.status_code == 201, r.text
    a = r.json()
    assert a["title"] == HARBOUR_TITLE and a["url"] == CANONICAL
    assert (a["published"], a["outlet"]) == ("2024-03-13", "Gazette")  # what the request says wins

    # Another language: stored, without quotes, and says why.
    r = await client.post("/api/articles", json={"html": page("marche.html").decode(),
                                                 "url": "https://example.org/marche"})
    assert r.status_code == 201, r.text
    assert r.json()["quotes"] == [] and r.json()["language"] == "fr" and "English" in r.json()["skipped"]
    assert r.json()["url"] == "https://example.org/marche"

    for body, status, words in (
        ({"html": "just some words, no markup at all"}, 422, "not an HTML page"),
        ({"html": html, "text": "a text as well"}, 400, "not both"),
        ({"title": "only a title"}, 400, "give the article's text"),
        ({"text": None}, 400, "give the article's text"),
    ):
        r = await client.post("/api/articles", json=body)
        assert r.status_code == status, r.text
        assert words in r.json()["detail"]


TEXT = ("The harbour wall will be rebuilt next year. \u201cThis is the most important decision this council "
        "has made,\u201d said Mayor Ellen Marsh on Monday.")


async def test_patch_details_and_undated_quotes(make_client, extractor: ScriptedExtractor) -> None:  # noqa: ANN001
    marsh = person("Ellen Marsh", titles=("Mayor",))
    extractor.add(TEXT, [quote_in(TEXT, "This is the most important decision this council has made,", marsh)])
    async with make_client(api_keys=("k1",)) as c:
        r = await c.post("/api/articles", json={"text": TEXT, "title": "Harbour"}, headers=KEY)
        assert r.status_code == 201 and r.json()["published"] is None
        aid = r.json()["id"]

        async def quotes(**params: str) -> int:
            got = await c.get("/api/quotes", params=params)
            assert got.status_code == 200, got.text
            return int(got.json()["total"])

        async def speaker() -> dict[str, object]:
            return dict((await c.get("/api/speakers/ellen-marsh")).json())

        # Undated: listed, but in no date range, and no speaker date from it.
        assert await quotes() == 1
        assert await quotes(since="2000-01-01") == 0
        assert await quotes(until="2100-01-01") == 0
        assert await quotes(q="harbour decision", until="2100-01-01") == 0
        assert await quotes(q="important decision") == 1
        s = await speaker()
        assert (s["first_seen"], s["last_seen"]) == (None, None)
        assert [(v["value"], v["first_seen"]) for v in s["titles"]] == [("Mayor", None)]

        assert (await c.patch(f"/api/articles/{aid}", json={"published": "2024-11-15"})).status_code == 401
        r = await c.patch(f"/api/articles/{aid}", json={"published": "2024-11-15", "outlet": "Gazette",
                                                         "url": "https://example.org/h"}, headers=KEY)
        assert r.status_code == 200, r.text
        assert (r.json()["published"], r.json()["outlet"], r.json()["title"]) == ("2024-11-15", "Gazette", "Harbour")
        assert await quotes(since="2024-11-15") == 1
        assert await quotes(until="2024-11-14") == 0
        assert await quotes(q="important decision", since="2024-11-01", until="2024-11-30") == 1
        s = await speaker()
        assert (s["first_seen"], s["last_seen"]) == ("2024-11-15", "2024-11-15")
        assert [(v["value"], v["first_seen"]) for v in s["titles"]] == [("Mayor", "2024-11-15")]
        listed = (await c.get("/api/quotes")).json()["items"][0]["article"]
        assert (listed["published"], listed["outlet"]) == ("2024-11-15", "Gazette")

        # null clears a field; one left out stays.
        r = await c.patch(f"/api/articles/{aid}", json={"published": None, "title": None}, headers=KEY)
        assert r.status_code == 200
        assert (r.json()["published"], r.json()["title"], r.json()["outlet"]) == (None, None, "Gazette")
        assert await quotes(since="2024-11-15") == 0
        assert (await speaker())["first_seen"] is None

        assert (await c.patch("/api/articles/999", json={"title": "x"}, headers=KEY)).status_code == 404
        assert (await c.patch(f"/api/articles/{aid}", json={"text": "x"}, headers=KEY)).status_code == 400
        assert (await c.patch(f"/api/articles/{aid}", json={"published": "soon"}, headers=KEY)).status_code == 400


async def test_same_text_again_updates_details(client, extractor: ScriptedExtractor) -> None:  # noqa: ANN001
    r = await client.post("/api/articles", json={"text": TEXT})
    assert r.status_code == 201
    aid = r.json()["id"]
    r = await client.post("/api/articles", json={"text": TEXT, "published": "2024-11-15", "title": "Harbour"})
    assert r.status_code == 200 and r.json()["id"] == aid
    assert (r.json()["published"], r.json()["title"]) == ("2024-11-15", "Harbour")
    # Sent again without details: the stored ones stay.
    r = await client.post("/api/articles", json={"text": TEXT})
    assert (r.json()["published"], r.json()["title"]) == ("2024-11-15", "Harbour")


async def test_undated_articles_sort_last(client, extractor: ScriptedExtractor) -> None:  # noqa: ANN001
    ids = {}
    for name, published in (("old", "2020-01-02"), ("undated", None), ("new", "2024-05-06")):
        text = f"Story {name}: the plan will cost more. \u201cWe cannot pay for the {name} plan,\u201d said Raj Patel."
        extractor.add(text, [quote_in(text, f"We cannot pay for the {name} plan,", person("Raj Patel"))])
        r = await client.post("/api/articles", json={"text": text, "title": name, "published": published})
        assert r.status_code == 201
        ids[name] = r.json()["id"]
    titles = [a["title"] for a in (await client.get("/api/articles")).json()["items"]]
    assert titles == ["new", "old", "undated"]
    for params in ({}, {"q": "plan"}, {"speaker": "raj-patel"}):
        items = (await client.get("/api/quotes", params=params)).json()["items"]
        assert [q["article"]["title"] for q in items] == ["new", "old", "undated"], params
    for params in ({"since": "2019-01-01"}, {"until": "2030-01-01"}, {"q": "plan", "until": "2030-01-01"},
                   {"q": "plan", "since": "0001-01-01"}, {"speaker": "raj-patel", "until": "2030-01-01"}):
        items = (await client.get("/api/quotes", params=params)).json()["items"]
        assert [q["article"]["title"] for q in items] == ["new", "old"], params
    s = (await client.get("/api/speakers/raj-patel")).json()
    assert (s["first_seen"], s["last_seen"], s["quote_count"]) == ("2020-01-02", "2024-05-06", 3)


def test_text_and_json_lines_dates_and_bylines() -> None:
    seed = next((Path(__file__).resolve().parents[2] / "seeds").glob("004_*.txt")).read_text(encoding="utf-8")
    assert str(article_from_text_file(seed).published) == "2024-11-15"
    a = article_from_text_file("Harbour plan approved\nNovember 15, 2024\nBy Dana Whitlock\n\n" + TEXT)
    assert (a.title, str(a.published), a.authors) == ("Harbour plan approved", "2024-11-15", ("Dana Whitlock",))
    # the text is one stretch of the file (offsets comparable with it): a byline below the
    # title stays in it, and is no speaker (test_a_byline_never_becomes_a_speaker)
    assert a.text == "Harbour plan approved\nNovember 15, 2024\nBy Dana Whitlock\n\n" + TEXT.strip("\n")
    assert article_from_text_file("By Dana Whitlock\n\n" + TEXT).text == TEXT.strip("\n")
    j = article_from_object({"text": TEXT, "published": "2024-11-15", "authors": ["Dana Whitlock"]})
    assert (str(j.published), j.authors) == ("2024-11-15", ("Dana Whitlock",))


async def test_ingest_again_with_new_details_and_bylines(services: Services, tmp_path: Path,
                                                         extractor: ScriptedExtractor) -> None:
    extractor.add(TEXT, [quote_in(TEXT, "This is the most important decision this council has made,",
                                  person("Ellen Marsh"))])
    f = tmp_path / "a.jsonl"
    f.write_text(json.dumps({"text": TEXT, "authors": ["Dana Whitlock"]}) + "\n", encoding="utf-8")
    first = await ingest_paths(services, [str(f)], progress=False)
    assert (first.articles_new, first.articles_updated) == (1, 0)
    f.write_text(json.dumps({"text": TEXT, "published": "2024-11-15", "outlet": "Gazette"}) + "\n", encoding="utf-8")
    statuses: list[str] = []
    second = await ingest_paths(services, [str(f)], progress=False, on_article=lambda r: statuses.append(r.status))
    assert (second.articles_new, second.articles_updated, statuses) == (0, 1, ["updated"])
    assert "1 with their details updated" in second.report()
    third = await ingest_paths(services, [str(f)], progress=False)
    assert (third.articles_skipped, third.articles_updated) == (1, 0)
    page_ = (await services.articles.page(10, 0)).items[0]
    detail = await services.articles.detail(page_.id)
    assert (str(detail.published), detail.outlet, detail.authors) == ("2024-11-15", "Gazette", ["Dana Whitlock"])
    names = {s.name for s in (await services.speakers.search(None, 50, 0)).items}
    assert names == {"Ellen Marsh"}


BYLINE_STORY = (
    "Harbour plan approved\nBy Dana Whitlock\n\n"
    "The Northfield town council voted on Monday to approve the harbour plan.\n\n"
    "\u201cThis is the most important decision this council has made in a decade,\u201d said Mayor Ellen Marsh.\n\n"
    "Councillor Raj Patel said the town would be paying for it for thirty years.\n"
)


def test_a_byline_never_becomes_a_speaker(real_extractor) -> None:  # noqa: ANN001
    a = article_from_text_file(BYLINE_STORY)
    assert a.authors == ("Dana Whitlock",)
    quotes = real_extractor.extract(a.text)
    speakers = {q.speaker.name for q in quotes if q.speaker is not None}
    assert "Ellen Marsh" in speakers and "Raj Patel" in speakers
    assert not any("Whitlock" in name for name in speakers)
