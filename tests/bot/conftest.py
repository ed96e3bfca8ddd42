"""Fixtures for the bot's tests: a fake API over httpx.MockTransport and the core on top."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest
from bot_fake_api import FakeApi

from bot.answers import Answerer
from bot.client import ApiClient

TODAY = date(2025, 6, 1)


@pytest.fixture
def fake_api() -> FakeApi:
    return FakeApi()


@pytest.fixture
async def api(fake_api: FakeApi) -> AsyncIterator[ApiClient]:
    async with ApiClient("http://quotelens.test", transport=fake_api.transport, timeout=2.0) as client:
        yield client


@pytest.fixture
def answerer(api: ApiClient) -> Answerer:
    return Answerer(api, page_size=3, today=lambda: TODAY)
