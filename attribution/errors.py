"""Errors the engine raises: a branch of the one tree rooted at `quotelens.errors.QuotelensError`.

AttributionError
 ├── PipelineNotFound   the requested spaCy pipeline cannot be loaded
 ├── InputError         a text that cannot be processed (not UTF-8, …)
 └── ExtractionFailed   a component failed on one text (a batch goes on without it)
"""

from __future__ import annotations

from quotelens.errors import QuotelensError

__all__ = ["AttributionError", "ExtractionFailed", "InputError", "PipelineNotFound"]


class AttributionError(QuotelensError):
    """Base of every error raised by `attribution`."""


class PipelineNotFound(AttributionError):
    """The spaCy pipeline asked for is not installed or not a valid path."""


class InputError(AttributionError):
    """An input that cannot be read as text."""


class ExtractionFailed(AttributionError):
    """A component raised on one text: `index` is the text's place in its batch,
    `reason` names the component and its error."""

    def __init__(self, index: int, reason: str) -> None:
        super().__init__(f"text {index}: extraction failed in {reason}")
        self.index = index
        self.reason = reason

    def __reduce__(self) -> tuple[type[ExtractionFailed], tuple[int, str]]:
        return type(self), (self.index, self.reason)  # pickles across worker processes
