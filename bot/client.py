"""An async client of the quotelens HTTP API (docs/api-contract.md).

The bot and `quotelens ask` reach the data only through this client. Every
failure surfaces as a `bot.errors.ApiError`: a transport problem or a timeout
as `ApiUnavailable`, a 404 as `ApiNotFound`, anything off-contract as
`ApiBadResponse`. Tests pass `transport=` (an `httpx.MockTransport` or an
`httpx.ASGITransport` over the real app) to run without a network.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar
from urllib.parse import quote as quote_path

import httpx
import msgspec

from .errors import ApiBadResponse, ApiNotFound, ApiUnavailable
from .models import Page, Quote, Speaker, SpeakerHit

__all__ = ["ApiClient", "DEFAULT_TIMEOUT"]

T = TypeVar("T")

DEFAULT_TIMEOUT = 10.0
# Statuses that mean "the service is not there right now" rather than "you asked wrong".
_UNAVAILABLE_STATUSES = frozenset({502, 503, 504})


def _params(**values: Any) -> dict[str, str | int]:
    """Query parameters with the unset ones left out and dates in ISO form."""
    out: dict[str, str | int] = {}
    for key, value in values.items():
        if value is None or value == "":
            continue
        out[key] = value.isoformat() if isinstance(value, date) else value
    return out


def _problem_detail(response: httpx.Response) -> str:
    """The `detail` (or `title`) of a problem-details body, or the bare status."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        for key in ("detail", "title"):
            if isinstance(body.get(key), str) and body[key]:
                return body[key]
    return f"HTTP {response.status_code}"


class ApiClient:
    """Typed, read-only access to the quotelens API over HTTP."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            transport=transport,
            headers={"Accept": "application/json", "User-Agent": "quotelens-bot"},
            follow_redirects=True,
        )

    async def __aenter__(self) -> ApiClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _get(self, path: str, result_type: type[T], params: dict[str, Any] | None = None) -> T:
        url = f"{self.base_url}{path}"
        try:
            response = await self._http.get(path, params=params)
        except httpx.TimeoutException as exc:
            raise ApiUnavailable(f"the API at {self.base_url} did not answer in time", url=url) from exc
        except httpx.TransportError as exc:
            raise ApiUnavailable(f"cannot reach the API at {self.base_url}", url=url) from exc
        if response.status_code == 404:
            raise ApiNotFound(_problem_detail(response), status=404, url=url)
        if response.status_code in _UNAVAILABLE_STATUSES:
            raise ApiUnavailable(
                f"the API at {self.base_url} is unavailable ({_problem_detail(response)})",
                status=response.status_code,
                url=url,
            )
        if response.status_code >= 400:
            raise ApiBadResponse(
                f"the API refused the request: {_problem_detail(response)}",
                status=response.status_code,
                url=url,
            )
        try:
            return msgspec.json.decode(response.content, type=result_type)
        except msgspec.DecodeError as exc:
            raise ApiBadResponse(
                f"unexpected answer from {path}: {exc}", status=response.status_code, url=url
            ) from exc

    async def is_healthy(self) -> bool:
        """Whether `GET /health` answers ok; never raises."""
        try:
            response = await self._http.get("/health")
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def search_speakers(
        self, q: str | None = None, *, limit: int = 10, offset: int = 0
    ) -> Page[SpeakerHit]:
        """Speakers whose names fuzzily match `q`, best first; without `q`, the most quoted."""
        return await self._get(
            "/api/speakers", Page[SpeakerHit], _params(q=q, limit=limit, offset=offset)
        )

    async def get_speaker(self, id_or_slug: int | str) -> Speaker:
        """One speaker in full; `ApiNotFound` when there is no such speaker."""
        return await self._get(f"/api/speakers/{quote_path(str(id_or_slug), safe='')}", Speaker)

    async def speaker_quotes(
        self,
        id_or_slug: int | str,
        *,
        q: str | None = None,
        since: date | None = None,
        until: date | None = None,
        kind: str | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> Page[Quote]:
        """A speaker's quotes, newest article first, optionally about `q` and within dates."""
        return await self._get(
            f"/api/speakers/{quote_path(str(id_or_slug), safe='')}/quotes",
            Page[Quote],
            _params(q=q, since=since, until=until, kind=kind, limit=limit, offset=offset),
        )

    async def search_quotes(
        self,
        *,
        q: str | None = None,
        speaker: int | str | None = None,
        since: date | None = None,
        until: date | None = None,
        kind: str | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> Page[Quote]:
        """Quotes matching a text search and/or a speaker, newest article first."""
        return await self._get(
            "/api/quotes",
            Page[Quote],
            _params(
                q=q, speaker=speaker, since=since, until=until, kind=kind, limit=limit, offset=offset
            ),
        )
