"""What the pages share: dependencies, lenient form values, paging, and errors as HTML pages."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response
from litestar.datastructures import State
from litestar.exceptions import HTTPException, NotFoundException
from litestar.response import Template
from markupsafe import Markup

from api.quotes.aggregates import Aggregates, Period
from api.services import Services
from api.web.charts import weekly_bars
from api.web.problems import problem_for
from quotelens.contract import QUOTE_KINDS, rounded_estimate
from quotelens.errors import QuotelensError, Unauthorized

__all__ = [
    "PAGE_SIZE", "Form", "Paging", "html_errors", "provide_aggregates", "skip_json_check", "query_string",
    "weekly_chart",
]

log = logging.getLogger("api.web")
PAGE_SIZE = 20
MAX_PAGE = 10_000  # deeper than anyone reads; keeps offsets inside what the API takes


def provide_aggregates(state: State) -> Aggregates:
    """One Aggregates per app (its answers are kept between requests)."""
    found: Aggregates | None = state.get("aggregates")
    if found is None:
        services: Services = state.services
        found = Aggregates(services.store)
        state.aggregates = found
    return found


async def weekly_chart(aggregates: Aggregates, period: Period, *, title: str, chart_id: str,
                       speaker_id: int | None = None, empty: str = "No quotes in this period.") -> tuple[Markup, int]:
    """The quotes per week of a period (everyone's or a speaker's) drawn, and how many quotes the weeks hold.

    Kept as long as the aggregates' answers: a week series over years is thousands of day
    counts to bucket and hundreds of bars to draw, the same for every visit.
    """
    async def draw() -> tuple[Markup, int]:
        weeks = await aggregates.weekly(period, speaker_id=speaker_id)
        return (weekly_bars(weeks, title=title, chart_id=chart_id, empty=empty), sum(w.quotes for w in weeks))

    return await aggregates.cache.get(("chart", period, speaker_id, title, chart_id, empty), draw)


async def skip_json_check(request: Request[Any, Any, Any]) -> None:
    """Pages post HTML forms: this replaces the API's JSON-only check for their routes."""
    return None


@dataclass
class Form:
    """Filter values as typed into a form: blank means unset, a bad value becomes a message, not an error."""

    problems: list[str] = field(default_factory=list)

    def day(self, value: str | None, label: str) -> date | None:
        if value is None or not value.strip():
            return None
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            self.problems.append(f"{label}: “{value}” is not a date (YYYY-MM-DD); ignored.")
            return None

    def kind(self, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if value not in QUOTE_KINDS:
            self.problems.append(f"kind: “{value}” is not one of {', '.join(QUOTE_KINDS)}; ignored.")
            return None
        return value

    @staticmethod
    def text(value: str | None, limit: int = 300) -> str | None:
        if value is None:
            return None
        value = value.strip()[:limit]
        return value or None


@dataclass(frozen=True)
class Paging:
    """Where a page sits in a listing, and the links to its neighbours."""

    page: int
    total: int
    size: int
    params: dict[str, Any]
    path: str
    estimate: bool = False  # `total` is an estimate (a search with many matches: `total_is_estimate`)

    @property
    def shown_total(self) -> int:
        """The total as the page says it: an estimate to two significant figures ("about 3,700")."""
        return max(self.last_shown, rounded_estimate(self.total)) if self.estimate else self.total

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first_shown(self) -> int:
        return self.offset + 1 if self.total else 0

    @property
    def last_shown(self) -> int:
        return min(self.total, self.offset + self.size)

    def link(self, page: int) -> str:
        return self.path + query_string({**self.params, "page": page if page > 1 else None})

    @property
    def previous(self) -> str | None:
        return self.link(self.page - 1) if self.page > 1 else None

    @property
    def next(self) -> str | None:
        return self.link(self.page + 1) if self.page < self.pages else None


def page_number(value: int | None) -> int:
    return min(max(1, value or 1), MAX_PAGE)


def query_string(params: dict[str, Any]) -> str:
    """`?a=1&b=2` of the params that are set (None and "" left out), or "" when none are."""
    kept = {k: v for k, v in params.items() if v is not None and v != ""}
    return "?" + urlencode(kept) if kept else ""


def _error_page(request: Request[Any, Any, Any], status: int, title: str, detail: str) -> Response[Any]:
    return Template(
        template_name="error.html.j2",
        context={"status": status, "title": title, "detail": detail, "path": request.url.path},
        status_code=status,
    )


def _page_api_error(request: Request[Any, Any, Any], exc: QuotelensError) -> Response[Any]:
    if isinstance(exc, Unauthorized):
        return Template(
            template_name="key.html.j2",
            context={"next": request.url.path, "error": None},
            status_code=401,
        )
    status, _ = problem_for(exc)
    if status >= 500:
        log.error("%s on %s: %s", type(exc).__name__, request.url.path, exc.detail)
    return _error_page(request, status, HTTPStatus(status).phrase, exc.detail)


def _page_http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if isinstance(exc, NotFoundException):
        return _error_page(request, 404, "Not Found", "There is no page here.")
    if exc.status_code >= 500:
        log.error("HTTP %s on %s: %s", exc.status_code, request.url.path, exc.detail)
        return _error_page(request, exc.status_code, "Server error", "Something went wrong; it has been logged.")
    return _error_page(request, exc.status_code, "That did not work", str(exc.detail))


html_errors: dict[type[Exception] | int, Any] = {
    QuotelensError: _page_api_error,
    HTTPException: _page_http_error,
}
