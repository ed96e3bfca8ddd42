"""Every error as problem details (RFC 9457, `application/problem+json`), mapped in one place.

`PROBLEMS` gives each class of `quotelens.errors` its status code and problem
type; nothing below the web layer knows a status code.

Nothing here ever puts a traceback in a response: unexpected errors are logged
and answered with a plain 500.
"""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote_to_bytes

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlalchemy.exc import DBAPIError

from quotelens.errors import (
    BadRequest,
    ClientGone,
    ConfigurationError,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    Overloaded,
    QuotelensError,
    RateLimited,
    Unauthorized,
    Unavailable,
    UpstreamFailed,
)

__all__ = [
    "PROBLEMS",
    "PROBLEM_JSON",
    "exception_handlers",
    "problem_for",
    "problem_response",
    "reject_unreadable_requests",
    "require_json_body",
]

PROBLEM_JSON = "application/problem+json"
_JSON_MEDIA_TYPE = re.compile(r"\s*application/([\w.-]+\+)?json\s*(;|$)", re.IGNORECASE)
log = logging.getLogger("api.web.problems")

_HTTP_PROBLEMS = {
    400: "bad-request",
    401: "api-key",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    413: "body-too-large",
    415: "unsupported-media-type",
    429: "rate-limited",
}


# Each error class: (status, problem type, appended to "urn:quotelens:problem:"). Looked up
# along the class's MRO, so a subclass maps as its nearest listed base; anything else is 500.
PROBLEMS: dict[type[QuotelensError], tuple[int, str]] = {
    BadRequest: (400, "bad-request"),
    Unauthorized: (401, "api-key"),
    NotFound: (404, "not-found"),
    Conflict: (409, "conflict"),
    InvalidInput: (422, "invalid-input"),
    Overloaded: (503, "overloaded"),
    Unavailable: (503, "unavailable"),
    UpstreamFailed: (502, "upstream"),
    RateLimited: (429, "rate-limited"),
    Forbidden: (403, "forbidden"),
    ConfigurationError: (500, "configuration"),
    QuotelensError: (500, "internal-error"),
}


def problem_for(exc: QuotelensError) -> tuple[int, str]:
    """The status code and problem type of an error (`PROBLEMS`)."""
    for cls in type(exc).__mro__:
        found = PROBLEMS.get(cls)  # type: ignore[call-overload]
        if found is not None:
            return found
    return 500, "internal-error"


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem_body(status: int, detail: str, problem: str | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"urn:quotelens:problem:{problem}" if problem else "about:blank",
        "title": _phrase(status),
        "status": status,
        "detail": detail,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


def problem_response(
    status: int, detail: str, problem: str | None = None, headers: dict[str, str] | None = None, **extra: Any
) -> Response[Any]:
    return Response(
        content=problem_body(status, detail, problem, **extra),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def _quotelens_error(_: Request[Any, Any, Any], exc: QuotelensError) -> Response[Any]:
    status, problem = problem_for(exc)
    if status >= 500 and not isinstance(exc, (Overloaded, ClientGone)):  # shedding load is the plan, not an error
        log.error("%s: %s", type(exc).__name__, exc.detail)
    retry_after = getattr(exc, "retry_after", None)
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return problem_response(status, exc.detail, problem, headers=headers, **exc.extra)


def _validation_errors(extra: Any) -> list[dict[str, Any]] | None:
    if isinstance(extra, list):
        return [e if isinstance(e, dict) else {"message": str(e)} for e in extra]
    if isinstance(extra, dict):
        return [extra]
    return None


def _http_error(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if status >= 500:
        if "disconnected" not in (exc.detail or ""):  # a client that hung up mid-body is not a server fault
            log.error("HTTP %s: %s", status, exc.detail)
        return problem_response(status, _phrase(status))
    detail = exc.detail or _phrase(status)
    if status == 413:
        detail = "the request body is larger than this service accepts (QUOTELENS_MAX_BODY_BYTES)"
    elif status == 429:
        detail = "too many requests: slow down and retry after RateLimit-Reset seconds"
    errors = _validation_errors(exc.extra) if isinstance(exc, ValidationException) or status == 400 else None
    return problem_response(status, detail, _HTTP_PROBLEMS.get(status), headers=exc.headers, errors=errors)


def _unicode_error(_: Request[Any, Any, Any], exc: UnicodeError) -> Response[Any]:
    return problem_response(400, "the request is not valid UTF-8", "bad-request")


def _sqlstate(exc: BaseException) -> str | None:
    """The PostgreSQL SQLSTATE of a driver error, through SQLAlchemy's and asyncpg's wrappers."""
    seen: BaseException | None = exc
    for _ in range(4):
        if seen is None:
            return None
        state = getattr(seen, "sqlstate", None) or getattr(seen, "pgcode", None)
        if isinstance(state, str):
            return state
        seen = getattr(seen, "orig", None) or seen.__cause__
    return None


def _database_error(request: Request[Any, Any, Any], exc: DBAPIError) -> Response[Any]:
    # Class 22 is "data exception": a value from the request the database will not
    # take (NUL in text, a number past a column's range). The services check what
    # they know of; this keeps anything they miss a client error, logged so it gets
    # a proper check.
    state = _sqlstate(exc)
    if state is not None and state.startswith("22"):
        log.warning("database refused a value on %s %s (SQLSTATE %s): %s", request.method, request.url.path,
                    state, exc.orig)
        return problem_response(422, "a value in the request cannot be stored", "invalid-input")
    return _internal_error(request, exc)


def _recursion_error(request: Request[Any, Any, Any], exc: RecursionError) -> Response[Any]:
    # msgspec gives up on JSON nested past its depth limit with a RecursionError
    # raised from the JSON decoding call; any other RecursionError is a server bug.
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is not None and tb.tb_frame.f_code.co_name in ("decode_json", "decode_msgpack"):
        return problem_response(400, "the request body is nested too deeply", "bad-request")
    return _internal_error(request, exc)


def _internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(500, "an unexpected error occurred; it has been logged")


exception_handlers: dict[type[Exception] | int, Any] = {
    QuotelensError: _quotelens_error,
    HTTPException: _http_error,
    UnicodeError: _unicode_error,
    DBAPIError: _database_error,
    RecursionError: _recursion_error,
    Exception: _internal_error,
}


def _readable(raw: bytes) -> bool:
    if b"\x00" in raw:
        return False
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def reject_unreadable_requests(app: ASGIApp) -> ASGIApp:
    """ASGI middleware: a path or query with NUL bytes or invalid UTF-8 gets a 400 before routing."""
    import json

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
            query = scope.get("query_string", b"")
            if not (_readable(unquote_to_bytes(path)) and _readable(unquote_to_bytes(query.replace(b"+", b" ")))):
                body = json.dumps(
                    problem_body(400, "the URL contains a NUL byte or invalid UTF-8", "bad-request")
                ).encode()
                await send({  # type: ignore[arg-type]
                    "type": "http.response.start",
                    "status": 400,
                    "headers": [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode())],
                })
                await send({"type": "http.response.body", "body": body})  # type: ignore[arg-type]
                return
        await app(scope, receive, send)

    return middleware


async def require_json_body(request: Request[Any, Any, Any]) -> None:
    """before_request hook: a write whose declared body type is not JSON gets 415 before the body is read.

    A body without a Content-Type is refused too: a browser sends one cross-site without
    asking first (no CORS preflight), so taking it as JSON would let any web page write.
    """
    if request.method in ("POST", "PUT", "PATCH"):
        content_type = request.headers.get("content-type")
        has_body = request.headers.get("content-length", "0").strip() not in ("", "0") or (
            "transfer-encoding" in request.headers)
        if (content_type is None and has_body) or (
                content_type is not None and not _JSON_MEDIA_TYPE.match(content_type)):
            raise HTTPException(status_code=415, detail="the request body must be JSON (Content-Type: application/json)")
