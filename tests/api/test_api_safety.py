"""Keys, limits, bad input and errors: every answer a 4xx problem, never a 5xx or a traceback."""

from __future__ import annotations

import pytest
from api_records import ScriptedExtractor, person, quote_in

from api.web.security import key_is_valid

ARTICLE = "“Troops will stay,” Gen. Kenneth McKenzie said."


def script(extractor: ScriptedExtractor) -> None:
    extractor.add(ARTICLE, [quote_in(ARTICLE, "Troops will stay", person("Kenneth McKenzie"))])


def is_problem(r, status: int) -> None:  # noqa: ANN001
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json"), r.headers
    body = r.json()
    assert body["status"] == status and body["title"] and body["detail"] and body["type"]
    assert "Traceback" not in r.text and 'File "' not in r.text


@pytest.mark.parametrize(
    "given, keys, ok",
    [("k1", ("k1", "k2"), True), ("k2", ("k1", "k2"), True), ("k3", ("k1", "k2"), False),
     (None, ("k1",), False), ("", ("k1",), False), ("k1 ", ("k1",), False), ("ünï", ("ünï",), True)],
)
def test_key_comparison(given: str | None, keys: tuple[str, ...], ok: bool) -> None:
    assert key_is_valid(given, keys) is ok


async def test_writes_need_a_key_reads_do_not(make_client, extractor: ScriptedExtractor) -> None:  # noqa: ANN001
    script(extractor)
    async with make_client(api_keys=("s3cret", "other")) as c:
        is_problem(await c.post("/api/articles", json={"text": ARTICLE}), 401)
        is_problem(await c.post("/api/articles", json={"text": ARTICLE}, headers={"X-API-Key": "wrong"}), 401)
        r = await c.post("/api/articles", json={"text": ARTICLE}, headers={"X-API-Key": "other"})
        assert r.status_code == 201
        assert (await c.get("/api/articles")).status_code == 200
        assert (await c.get("/api/speakers/kenneth-mckenzie")).status_code == 200
        # NLP work costs like a write: behind the key too (issue 12)
        is_problem(await c.post("/api/extract", json={"text": ARTICLE}), 401)
        r = await c.post("/api/extract", json={"text": ARTICLE}, headers={"X-API-Key": "s3cret"})
        assert r.status_code == 200
        is_problem(await c.patch("/api/speakers/kenneth-mckenzie", json={"name": "X"}), 401)
        is_problem(await c.post("/api/speakers/kenneth-mckenzie/merge", json={"other": 1}), 401)
        is_problem(await c.post("/api/speakers/kenneth-mckenzie/split", json={"alias": "X"}), 401)
        r = await c.patch("/api/speakers/kenneth-mckenzie", json={"name": "K. McKenzie"}, headers={"X-API-Key": "s3cret"})
        assert r.status_code == 200


async def test_reads_can_require_a_key(make_client) -> None:  # noqa: ANN001
    async with make_client(api_keys=("s3cret",), read_requires_key=True) as c:
        is_problem(await c.get("/api/articles"), 401)
        assert (await c.get("/api/articles", headers={"X-API-Key": "s3cret"})).status_code == 200
        assert (await c.get("/health")).status_code == 200  # probes stay open


async def test_no_keys_configured_means_open_writes(client, extractor: ScriptedExtractor) -> None:  # noqa: ANN001
    script(extractor)
    assert (await client.post("/api/articles", json={"text": ARTICLE})).status_code == 201


async def test_body_limit_and_text_cap(make_client) -> None:  # noqa: ANN001
    async with make_client(max_body_bytes=5_000, max_article_chars=1_000) as c:
        is_problem(await c.post("/api/articles", json={"text": "x" * 10_000}), 413)
        r = await c.post("/api/articles", json={"text": "word " * 300})
        is_problem(r, 422)
        assert "1,000" in r.json()["detail"] and "QUOTELENS_MAX_ARTICLE_CHARS" in r.json()["detail"]
        is_problem(await c.post("/api/extract", json={"text": "word " * 300}), 422)


async def test_rate_limit_answers_429_with_headers(make_client) -> None:  # noqa: ANN001
    async with make_client(rate_limit="3/minute") as c:
        seen = [await c.get("/api/articles") for _ in range(3)]
        assert all(r.status_code == 200 for r in seen)
        assert [r.headers["RateLimit-Remaining"] for r in seen] == ["2", "1", "0"]
        assert seen[0].headers["RateLimit-Limit"] == "3"
        limited = await c.get("/api/speakers")
        is_problem(limited, 429)
        assert limited.headers["RateLimit-Limit"] == "3" and limited.headers["RateLimit-Remaining"] == "0"
        assert 0 <= int(limited.headers["RateLimit-Reset"]) <= 60
        assert (await c.get("/health")).status_code == 200  # probes are not limited


BAD_BODIES = [
    (b'{"text": "x", "colour": "red"}', 400),  # unknown field
    (b'{"text": 5}', 400),  # wrong type
    (b'{"title": "no text"}', 400),  # missing field
    (b'{"text": "x", "published": "15/11/2024"}', 400),  # not a date
    (b'{"text": "x", "published": 20241115}', 400),
    (b"[1, 2, 3]", 400),
    (b"not json", 400),
    (b'{"text": "x"', 400),  # truncated
    (b'{"text": "\xff\xfe bad utf-8"}', 400),
    (b'{"text": "lone \\ud800 surrogate"}', 400),
    (b'{"text": "nul \\u0000 inside"}', 422),
    (b'{"text": "fine", "title": "nul \\u0000 title"}', 422),
    (b'{"text": "   \\n  "}', 422),  # empty once trimmed
    (b'{"text": "x", "title": "' + b"t" * 1001 + b'"}', 400),  # title too long
]


@pytest.mark.parametrize("body, status", BAD_BODIES)
async def test_bad_article_bodies(client, body: bytes, status: int) -> None:  # noqa: ANN001
    r = await client.post("/api/articles", content=body, headers={"content-type": "application/json"})
    is_problem(r, status)


@pytest.mark.parametrize("body, status", [
    (b'{"text": "a\\u0000b"}', 422), (b'{"txt": "a"}', 400), (b'{"text": ["a"]}', 400), (b"\x00\x01", 400),
])
async def test_bad_extract_bodies(client, body: bytes, status: int) -> None:  # noqa: ANN001
    r = await client.post("/api/extract", content=body, headers={"content-type": "application/json"})
    is_problem(r, status)


@pytest.mark.parametrize(
    "method, url, body, status",
    [
        ("GET", "/api/quotes?q=%00", None, 400),
        ("GET", "/api/quotes?speaker=%ff%fe", None, 400),
        ("GET", "/api/speakers?q=a%00b", None, 400),
        ("GET", "/api/speakers/%00", None, 400),
        ("GET", "/api/speakers/%ed%a0%80", None, 400),  # an encoded surrogate
        ("GET", "/api/quotes?limit=-1", None, 400),
        ("GET", "/api/quotes?limit=abc", None, 400),
        ("GET", "/api/quotes?offset=-5", None, 400),
        ("GET", "/api/quotes?kind=shouting", None, 400),
        ("GET", "/api/quotes?since=2024-13-45", None, 400),
        ("GET", "/api/quotes?speaker=" + "x" * 400, None, 400),
        ("GET", "/api/articles/abc", None, 404),
        ("GET", "/api/articles/99999999999999999999999", None, 404),
        ("GET", "/api/speakers/99999999999999999999999", None, 404),
        ("GET", "/api/nothing-here", None, 404),
        ("DELETE", "/api/articles/1", None, 405),
        ("POST", "/api/speakers/1/merge", {"other": [1]}, 400),
        ("POST", "/api/speakers/1/merge", {}, 400),
        ("POST", "/api/speakers/1/split", {"alias": ""}, 400),
        ("PATCH", "/api/speakers/1", {"name": "x", "slug": "y"}, 400),
    ],
)
async def test_bad_requests_are_4xx_problems(client, method: str, url: str, body: object, status: int) -> None:  # noqa: ANN001
    r = await client.request(method, url, json=body)
    is_problem(r, status)


async def test_unexpected_errors_are_500_problems_without_traceback(make_client) -> None:  # noqa: ANN001
    class Broken:
        def extract(self, text: str):  # noqa: ANN202
            raise RuntimeError("secret internal detail")

    async with make_client(extractor_override=Broken()) as c:
        r = await c.post("/api/extract", json={"text": "anything"})
    is_problem(r, 500)
    assert "secret internal detail" not in r.text


async def test_health_and_ready(client) -> None:  # noqa: ANN001
    assert (await client.get("/health")).json() == {"status": "ok"}
    r = await client.get("/ready")
    assert r.status_code == 200
    assert r.json() == {"status": "ready", "database": True, "pipeline": True, "nlp_queue": True}


async def test_ready_is_503_when_the_pipeline_cannot_load(make_client) -> None:  # noqa: ANN001
    from api.ingest.engine_process import ProcessEngine

    # the web app's engine as it runs: a process of its own, whose pipeline fails to load
    async with make_client(engine=ProcessEngine(loader="engine_doubles:missing_pipeline")) as c:
        r = await c.post("/api/extract", json={"text": "hello"})
        is_problem(r, 503)
        assert "xx_missing" in r.json()["detail"]
        ready = await c.get("/ready")
        assert ready.status_code == 503
        assert ready.json() == {"status": "unavailable", "database": True, "pipeline": False, "nlp_queue": True}


async def test_openapi_document_and_docs_page(client) -> None:  # noqa: ANN001
    r = await client.get("/schema/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    ops = {op["operationId"] for path in doc["paths"].values() for op in path.values() if isinstance(op, dict)}
    assert {"createArticle", "listArticles", "getArticle", "searchSpeakers", "getSpeaker", "listSpeakerQuotes",
            "listQuotes", "extractQuotes", "mergeSpeakers", "splitSpeaker", "renameSpeaker", "health",
            "ready"} <= ops
    create = doc["paths"]["/api/articles"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["examples"][0]["text"]
    assert create["security"] == [{"ApiKey": []}]
    assert "422" in create["responses"] and "200" in create["responses"] and "201" in create["responses"]
    assert doc["components"]["securitySchemes"]["ApiKey"]["name"] == "X-API-Key"
    params = {p["name"]: p for p in doc["paths"]["/api/speakers"]["get"]["parameters"]}
    assert params["q"]["examples"]
    page = await client.get("/schema")
    assert page.status_code == 200 and "<html" in page.text.lower()
