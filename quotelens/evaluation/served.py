"""A quotelens API to ask: a throwaway store filled from a folder, or a running server.

The one module of the evaluation that imports `api` (the store, ingest and the app).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx

from .tracking import ApiReader

__all__ = ["ApiError", "http_api", "throwaway_api"]


class ApiError(RuntimeError):
    """The API answered a question of the scorer with an error."""


def _decoded(response: httpx.Response) -> Any:
    if response.status_code != 200:
        raise ApiError(f"GET {response.request.url} answered {response.status_code}: {response.text[:300]}")
    return response.json()


class _ReadOnly:
    """The extractor of an app that only answers reads (its store is filled already)."""

    def extract(self, text: str) -> list[Any]:
        raise RuntimeError("the evaluation's API stores nothing")


async def _fill(settings: Any, url: str, texts: Path, workers: int, progress: bool) -> None:
    from api.ingest.batches import ingest_paths
    from api.services import Services
    from api.store.migrate import upgrade

    await upgrade(url)
    services = Services.build(settings, database_url=url)
    try:
        summary = await ingest_paths(services, [str(texts)], workers=workers, progress=progress)
    finally:
        await services.close()
    print(f"ingest: {summary.report()}", file=sys.stderr)


@contextmanager
def throwaway_api(texts: Path, *, workers: int = 1, progress: bool = True) -> Iterator[ApiReader]:
    """The articles in `texts` ingested into a temporary SQLite store, and the real app on it, in-process.

    Reads go through Litestar's test client: no port, no server process. The
    store is deleted on exit.
    """
    from litestar.testing import TestClient

    from api.web.app import create_app
    from quotelens.settings import get_settings

    with tempfile.TemporaryDirectory(prefix="quotelens-eval-") as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'quotelens.db'}"
        # every read answered: no keys, no rate limit (the scorer asks a few thousand times)
        settings = replace(get_settings(), data_dir=Path(tmp), database_url=url, api_keys=(),
                           read_requires_key=False, rate_limit="off", seed_on_start=False)
        asyncio.run(_fill(settings, url, texts, workers, progress))
        app = create_app(settings, extractor=_ReadOnly(), database_url=url)
        with TestClient(app) as client:

            def get(path: str, **params: Any) -> Any:
                return _decoded(client.get(path, params=params))

            yield get


@contextmanager
def http_api(base_url: str, timeout: float = 60.0) -> Iterator[ApiReader]:
    """A running quotelens API (`quotelens serve`) at `base_url`."""
    with httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout) as client:

        def get(path: str, **params: Any) -> Any:
            try:
                return _decoded(client.get(path, params=params))
            except httpx.HTTPError as exc:
                raise ApiError(f"GET {base_url.rstrip('/')}{path}: {exc}") from exc

        yield get
