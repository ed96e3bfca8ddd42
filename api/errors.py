"""Errors the API raises, each mapped to one problem-details response in `api.problems`.

ApiError                         500  base; never raised bare
 ├── ConfigurationError          500  a setting or URL the service cannot run with
 ├── BadRequest                  400  a malformed request the framework did not catch
 ├── Unauthorized                401  a write (or, if configured, a read) without a valid API key
 ├── NotFound                    404  an unknown article, speaker or alias
 ├── Conflict                    409  an edit that contradicts the store (merge into itself, …)
 ├── InvalidInput                422  well-formed input the service will not take (text too long, NUL)
 └── ServiceUnavailable          503  the pipeline or the database is not ready
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ApiError",
    "BadRequest",
    "ConfigurationError",
    "Conflict",
    "InvalidInput",
    "NotFound",
    "ServiceUnavailable",
    "Unauthorized",
]


class ApiError(Exception):
    """Base of every error the API raises on purpose."""

    status_code = 500
    title = "Internal Server Error"
    problem = "internal-error"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    @property
    def type_uri(self) -> str:
        return f"urn:quotelens:problem:{self.problem}"


class ConfigurationError(ApiError):
    """A setting or URL the service cannot run with."""

    problem = "configuration"


class BadRequest(ApiError):
    status_code = 400
    title = "Bad Request"
    problem = "bad-request"


class Unauthorized(ApiError):
    status_code = 401
    title = "Unauthorized"
    problem = "api-key"


class NotFound(ApiError):
    status_code = 404
    title = "Not Found"
    problem = "not-found"


class Conflict(ApiError):
    status_code = 409
    title = "Conflict"
    problem = "conflict"


class InvalidInput(ApiError):
    status_code = 422
    title = "Unprocessable Content"
    problem = "invalid-input"


class ServiceUnavailable(ApiError):
    status_code = 503
    title = "Service Unavailable"
    problem = "unavailable"
