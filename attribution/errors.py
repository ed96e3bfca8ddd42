"""Errors the engine raises: a branch of the one tree rooted at `quotelens.errors.QuotelensError`.

AttributionError
 ├── PipelineNotFound   the configured spaCy pipeline cannot be loaded
 └── InputError         a text that cannot be processed (not UTF-8, …)
"""

from quotelens.errors import QuotelensError


class AttributionError(QuotelensError):
    """Base of every error raised by `attribution`."""


class PipelineNotFound(AttributionError):
    """The spaCy pipeline named in settings is not installed or not a valid path."""


class InputError(AttributionError):
    """An input that cannot be read as text."""
