"""Arbitrary input never gets a 5xx: generated bodies and query strings against the real app.

Also checks the responses against the shapes the bot decodes (bot/models.py), so
the two sides of docs/api-contract.md cannot drift apart unnoticed.
"""

from __future__ import annotations

import json
import string
from urllib.parse import quote

import msgspec
import pytest
from api_records import ScriptedExtractor, person, quote_in
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=10,
)
article_like = st.fixed_dictionaries(
    {"text": st.text(min_size=0, max_size=300)},
    optional={"title": st.text(max_size=50) | st.integers(), "published": st.text(max_size=12),
              "url": st.text(max_size=30), "extra": json_values},
)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def sync_client(settings, database_url, extractor):  # noqa: ANN001, ANN201
    """A blocking client on the real app (hypothesis drives plain functions)."""
    from litestar.testing import TestClient

    from api.web.app import create_app

    def build(extractor_override=None):  # noqa: ANN001, ANN202
        app = create_app(settings, extractor=extractor_override or extractor, database_url=database_url)
        return TestClient(app=app)

    return build


def test_generated_article_bodies(sync_client) -> None:  # noqa: ANN001
    client = sync_client().__enter__()

    @FUZZ
    @given(body=st.one_of(article_like, json_values))
    def check(body: object) -> None:
        r = client.post("/api/articles", content=json.dumps(body).encode(),
                              headers={"content-type": "application/json"})
        assert r.status_code < 500, (body, r.text)
        assert r.status_code in (200, 201) or r.headers["content-type"].startswith("application/problem+json")

    try:
        check()
    finally:
        client.__exit__(None, None, None)


def test_generated_raw_bytes(sync_client) -> None:  # noqa: ANN001
    with sync_client() as client:
        @FUZZ
        @given(raw=st.binary(max_size=200))
        def check(raw: bytes) -> None:
            for route in ("/api/articles", "/api/extract"):
                r = client.post(route, content=raw, headers={"content-type": "application/json"})
                assert r.status_code < 500, (route, raw, r.text)

        check()


def test_generated_query_strings(sync_client) -> None:  # noqa: ANN001
    text = st.text(alphabet=st.characters(codec="utf-8"), max_size=30)

    with sync_client() as client:
        @FUZZ
        @given(q=text, speaker=text, kind=st.sampled_from(["direct", "x", ""]), since=text,
               limit=st.integers(-5, 10**6).map(str) | text, path=st.text(string.printable, max_size=20))
        def check(q: str, speaker: str, kind: str, since: str, limit: str, path: str) -> None:
            params = {"q": q, "speaker": speaker, "kind": kind, "since": since, "limit": limit}
            for url in ("/api/quotes", "/api/speakers", f"/api/speakers/{quote(path, safe='')}/quotes"):
                r = client.get(url, params=params)
                assert r.status_code < 500, (url, params, r.text)

        check()


def test_generated_texts_through_the_real_engine(sync_client, real_extractor) -> None:  # noqa: ANN001
    with sync_client(real_extractor) as c:
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        @given(text=st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("“”\"' .,\n"), max_size=200))
        def check(text: str) -> None:
            r = c.post("/api/extract", json={"text": text})
            assert r.status_code in (200, 422), (text, r.text)
            r = c.post("/api/articles", json={"text": text})
            assert r.status_code in (200, 201, 422), (text, r.text)

        check()


async def test_responses_decode_as_the_bot_reads_them(client, extractor: ScriptedExtractor) -> None:  # noqa: ANN001
    from bot import models

    text = "“We stay,” Gen. Kenneth McKenzie said."
    extractor.add(text, [quote_in(text, "We stay", person("Kenneth McKenzie", roles=("CENTCOM head",)))])
    assert (await client.post("/api/articles", json={"text": text, "published": "2020-06-09"})).status_code == 201
    checks = [
        ("/api/speakers?q=mckenzie", models.Page[models.SpeakerHit]),
        ("/api/speakers/kenneth-mckenzie", models.Speaker),
        ("/api/speakers/kenneth-mckenzie/quotes", models.Page[models.Quote]),
        ("/api/quotes?speaker=McKenzie", models.Page[models.Quote]),
    ]
    for url, shape in checks:
        r = await client.get(url)
        decoded = msgspec.json.decode(r.content, type=shape)
        assert decoded is not None
    hit = msgspec.json.decode((await client.get("/api/speakers?q=mckenzie")).content, type=models.Page[models.SpeakerHit])
    assert hit.items[0].roles == ["CENTCOM head"] and hit.items[0].quote_count == 1
