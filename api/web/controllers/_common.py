"""What the controllers share: the services dependency, paging, documented error responses."""

from __future__ import annotations

from typing import Annotated, Any

from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import Parameter

from api.jobs.queue import ArticleQueue
from api.services import Services
from api.web.problems import PROBLEM_JSON
from quotelens.contract import Problem

__all__ = ["JobsDep", "Limit", "Offset", "ServicesDep", "cap", "problems", "provide_jobs", "provide_services",
           "WRITE_SECURITY"]

ServicesDep = NamedDependency[Services]  # injected by name: `services`

Limit = Annotated[
    int,
    Parameter(ge=1, description="Page size (default 20; values above the maximum, 100, are capped)."),
]
Offset = Annotated[int, Parameter(ge=0, le=10_000_000, description="Items to skip.")]

WRITE_SECURITY: list[dict[str, list[str]]] = [{"ApiKey": []}]

_PROBLEM_EXAMPLES = {
    400: ("Bad Request", "Object contains unknown field `extra`"),
    401: ("Unauthorized", "this route needs a valid X-API-Key header"),
    403: ("Forbidden", "writes from another site (https://evil.example) are refused"),
    404: ("Not Found", "no speaker 'nobody'"),
    409: ("Conflict", "'kenneth-mckenzie' is 'kenneth-mckenzie' already: nothing to merge"),
    413: ("Request Entity Too Large", "the request body is larger than this service accepts"),
    415: ("Unsupported Media Type", "the request body must be JSON (Content-Type: application/json)"),
    422: ("Unprocessable Content", "text is 250,000 characters long; the limit is 200,000"),
    429: ("Too Many Requests", "too many requests: retry after 42 s"),
    502: ("Bad Gateway", "fetching https://example.org/news/1: HTTP 404 Not Found"),
    503: ("Service Unavailable", "the attribution pipeline is not available"),
}


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the problem-details responses a handler can give."""
    out: dict[int, ResponseSpec] = {}
    for status in statuses:
        title, detail = _PROBLEM_EXAMPLES[status]
        out[status] = ResponseSpec(
            data_container=Problem,
            description=title,
            media_type=PROBLEM_JSON,
            generate_examples=False,
            examples=[Example(summary=title, value={"type": "about:blank", "title": title,
                                                    "status": status, "detail": detail})],
        )
    return out


def cap(limit: int, services: Services) -> int:
    return min(limit, services.settings.max_page_size)


def provide_services(state: State) -> Services:
    services: Any = state.services
    return services


JobsDep = NamedDependency[ArticleQueue | None]  # injected by name: `jobs`; None without a queue


def provide_jobs(state: State) -> ArticleQueue | None:
    jobs: Any = state.get("jobs")
    return jobs
