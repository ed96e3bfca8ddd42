"""Errors the engine raises.

AttributionError
 ├── PipelineNotFound   the configured spaCy pipeline cannot be loaded
 └── InputError         a text that cannot be processed (not UTF-8, …)
"""


class AttributionError(Exception):
    """Base of every error raised by `attribution`."""


class PipelineNotFound(AttributionError):
    """The spaCy pipeline named in settings is not installed or not a valid path."""


class InputError(AttributionError):
    """An input that cannot be read as text."""
