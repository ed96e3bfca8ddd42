"""Errors the bot's API client raises: a branch of the tree rooted at `quotelens.errors.QuotelensError`.

BotError
 └── ApiError                 anything that went wrong talking to the API
      ├── ApiUnavailable      cannot connect, timed out, or 502/503/504
      ├── ApiNotFound         404: no such speaker, article, …
      └── ApiBadResponse      another error status, or a body not in the contract's shape
"""

from __future__ import annotations

from quotelens.errors import QuotelensError


class BotError(QuotelensError):
    """Base of every error raised by `bot`."""


class ApiError(BotError):
    """The quotelens API could not give an answer."""

    def __init__(self, message: str, *, status: int | None = None, url: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.url = url


class ApiUnavailable(ApiError):
    """The API cannot be reached or is not answering in time; worth retrying later."""


class ApiNotFound(ApiError):
    """The API answered 404: the thing asked for does not exist."""


class ApiBadResponse(ApiError):
    """The API answered, but with an unexpected error or a body that breaks the contract."""
