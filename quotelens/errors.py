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
    "ConfigurationError",
    "Conflict",
    "InvalidInput",
    "NotFound",
    "QuotelensError",
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
