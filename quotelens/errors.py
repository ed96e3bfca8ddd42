"""One exception tree for all of quotelens; no HTTP status codes here.

QuotelensError                    base of every error raised on purpose
 ├── ConfigurationError           a setting or URL the program cannot run with
 │    └── SettingsError           a value in the environment that cannot be used
 ├── BadRequest                   a malformed request the framework did not catch
 ├── Unauthorized                 a write (or, if configured, a read) without a valid API key
 ├── NotFound                     an unknown article, speaker or alias
 ├── Conflict                     an edit that contradicts the store (merge into itself, ...)
 ├── InvalidInput                 well-formed input that will not be taken (text too long, NUL)
 ├── Unavailable                  a part that is needed is not ready: the database, the engine
 │    ├── Overloaded              too much work waiting (the NLP queue): retry after `retry_after` seconds
 │    └── ClientGone              the client disconnected before its work started (nobody reads the answer)
 ├── RateLimited                  a client over its request budget: retry after `retry_after` seconds
 ├── Forbidden                    a request this service refuses whoever sends it (cross-site write, Host)
 ├── UpstreamFailed               a page the server was asked to fetch did not come (unreachable, HTTP error)
 ├── attribution.AttributionError the engine's own tree (attribution/errors.py)
 └── bot.BotError                 the bot's own tree, incl. its API client's errors (bot/errors.py)

The web layer (`api/web/problems.py`) maps each class to its status code and
problem type in one table; the CLI prints any of them as one line.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "BadRequest",
    "ClientGone",
    "ConfigurationError",
    "Conflict",
    "InvalidInput",
    "Forbidden",
    "NotFound",
    "Overloaded",
    "QuotelensError",
    "RateLimited",
    "SettingsError",
    "Unauthorized",
    "Unavailable",
    "UpstreamFailed",
]


class QuotelensError(Exception):
    """Base of every error quotelens raises on purpose.

    `detail` is the message for a person; `extra` holds machine-readable details
    (`field="text"`, `aliases=[...]`) that an API answer carries along.
    """

    def __init__(self, detail: str = "", **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class ConfigurationError(QuotelensError):
    """A setting or URL the program cannot run with."""


class SettingsError(ConfigurationError, ValueError):
    """A setting in the environment has a value that cannot be used."""


class BadRequest(QuotelensError):
    """A malformed request that the framework's own checks did not catch."""


class Unauthorized(QuotelensError):
    """A route that needs an API key was called without a valid one."""


class NotFound(QuotelensError):
    """An unknown article, speaker or alias."""


class Conflict(QuotelensError):
    """An edit that contradicts the store (say, merging a speaker into itself)."""


class InvalidInput(QuotelensError):
    """Well-formed input that will not be taken (text too long, a NUL character)."""


class Unavailable(QuotelensError):
    """A part that is needed is not ready now (the database, the engine); worth retrying."""


class UpstreamFailed(QuotelensError):
    """A page the server was asked to fetch did not come: the site is unreachable, answered
    with an HTTP error, timed out or broke off. (A URL quotelens refuses to fetch, or a
    response that is no article page, is InvalidInput.)"""


class Overloaded(Unavailable):
    """Too much work is waiting (the NLP queue is full): answered at once, worth retrying later."""

    def __init__(self, detail: str = "", *, retry_after: int = 1, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.retry_after = max(1, int(retry_after))


class RateLimited(QuotelensError):
    """A client went over its request budget; `retry_after` seconds until the window resets."""

    def __init__(self, detail: str = "", *, retry_after: int = 1, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.retry_after = max(1, int(retry_after))


class Forbidden(QuotelensError):
    """A request refused whoever sends it: a cross-site write, an unknown Host."""


class ClientGone(Unavailable):
    """The client disconnected while its work waited; the work was dropped (nobody reads the answer)."""
