"""The API client: contract shapes in, typed errors out."""

from __future__ import annotations

import asyncio
from datetime import date

import httpx
import pytest
from bot_fake_api import FakeApi

from bot.client import ApiClient
from bot.errors import ApiBadResponse, ApiError, ApiNotFound, ApiUnavailable, BotError


def client_for(handler) -> ApiClient:
    return ApiClient("http://quotelens.test/", transport=httpx.MockTransport(handler), timeout=0.5)


async def test_reads_contract_shapes(api: ApiClient) -> None:
    hits = await api.search_speakers("McKenzie")
    assert hits.items[0].name == "Kenneth McKenzie"
    assert hits.items[0].score >= 90
    assert hits.items[0].roles == ["U.S. Central Command head"]
    speaker = await api.get_speaker("myles-b-caggins-iii")
    assert speaker.titles[0].value == "Col."
    assert speaker.first_seen == date(2020, 9, 9)
    quotes = await api.speaker_quotes(1, q="troops", limit=1)
    assert quotes.total == 2 and len(quotes.items) == 1
    assert quotes.items[0].article.published == date(2020, 9, 10)
    assert quotes.items[0].speaker is not None and quotes.items[0].speaker.slug == "kenneth-mckenzie"


async def test_sends_only_set_parameters_with_iso_dates(api: ApiClient, fake_api: FakeApi) -> None:
    await api.search_quotes(q="withdrawal", since=date(2024, 1, 1), limit=5)
    params = dict(fake_api.requests[-1].url.params)
    assert params == {"q": "withdrawal", "since": "2024-01-01", "limit": "5", "offset": "0"}


async def test_path_segments_are_escaped(api: ApiClient, fake_api: FakeApi) -> None:
    with pytest.raises(ApiNotFound):
        await api.get_speaker("a/b?c")
    assert fake_api.requests[-1].url.raw_path == b"/api/speakers/a%2Fb%3Fc"


async def test_not_found_carries_the_problem_detail(api: ApiClient) -> None:
    with pytest.raises(ApiNotFound) as info:
        await api.get_speaker("nobody-at-all")
    assert info.value.status == 404
    assert "No such speaker" in str(info.value)


async def test_connection_refused_is_unavailable(api: ApiClient, fake_api: FakeApi) -> None:
    fake_api.down = True
    with pytest.raises(ApiUnavailable):
        await api.search_speakers("x")
    assert await api.is_healthy() is False


async def test_timeout_is_unavailable() -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    async with client_for(slow) as api:
        with pytest.raises(ApiUnavailable, match="did not answer in time"):
            await api.search_speakers("x")


@pytest.mark.parametrize("status, error", [(503, ApiUnavailable), (502, ApiUnavailable), (500, ApiBadResponse), (422, ApiBadResponse)])
async def test_error_statuses(api: ApiClient, fake_api: FakeApi, status: int, error: type[ApiError]) -> None:
    fake_api.status_override = status
    with pytest.raises(error) as info:
        await api.search_quotes(q="x")
    assert info.value.status == status
    assert isinstance(info.value, BotError)


@pytest.mark.parametrize(
    "body",
    [b"<html>oops</html>", b'{"items": "nope", "total": 1, "limit": 1, "offset": 0}', b'{"items": [{"id": "x"}], "total": 1, "limit": 1, "offset": 0}'],
)
async def test_off_contract_bodies_are_bad_responses(body: bytes) -> None:
    async with client_for(lambda request: httpx.Response(200, content=body)) as api:
        with pytest.raises(ApiBadResponse):
            await api.search_speakers("x")


async def test_unknown_fields_are_ignored() -> None:
    body = {"items": [{"id": 1, "slug": "s", "name": "S", "kind": "person", "score": 90.0, "quote_count": 1,
                       "aliases": [], "roles": [], "new_field": {"x": 1}}], "total": 1, "limit": 20, "offset": 0,
            "next": None}
    async with client_for(lambda request: httpx.Response(200, json=body)) as api:
        page = await api.search_speakers("s")
    assert page.items[0].name == "S"


async def test_base_url_trailing_slash_and_timeouts() -> None:
    seen: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        await asyncio.sleep(0)
        return httpx.Response(200, json={"status": "ok"})

    async with client_for(handler) as api:
        assert await api.is_healthy()
    assert seen == ["http://quotelens.test/health"]
