"""The attribution engine as the API runs it: loaded once in the background, run off the event loop."""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

import anyio
import anyio.to_thread

from attribution.errors import AttributionError, InputError
from attribution.records import Quote
from quotelens.errors import InvalidInput, Unavailable

__all__ = ["EngineRunner", "QuoteExtractor"]

log = logging.getLogger(__name__)


class QuoteExtractor(Protocol):
    """Anything that turns a text into quotes (`attribution.Extractor`, or a test double)."""

    def extract(self, text: str) -> list[Quote]: ...


def _load_default(model: str = "") -> QuoteExtractor:
    from attribution import Extractor

    return Extractor(model=model or None)


class EngineRunner:
    """Holds the extractor; `ready` once it is loaded.

    Extraction runs in a worker thread, one text at a time per process: the
    spaCy pipeline is CPU-bound and not meant to be called from two threads at once.
    """

    def __init__(self, extractor: QuoteExtractor | None = None, *, model: str = "") -> None:
        self._extractor = extractor
        self._model = model  # the spaCy pipeline to load (Settings.spacy_model); "" for the default
        self._error: str | None = None
        self._loading: asyncio.Task[None] | None = None
        self._limiter = anyio.CapacityLimiter(1)

    @property
    def ready(self) -> bool:
        return self._extractor is not None

    def start_loading(self) -> None:
        """Begin loading the pipeline in a thread (returns at once)."""
        if self._extractor is None and self._loading is None:
            self._loading = asyncio.get_running_loop().create_task(self._load())

    async def _load(self) -> None:
        try:
            self._extractor = await anyio.to_thread.run_sync(_load_default, self._model)
            log.info("attribution pipeline loaded")
        except Exception as exc:  # reported by /ready and by 503s, never a crash
            self._error = str(exc)
            log.error("cannot load the attribution pipeline: %s", exc)

    async def extractor(self) -> QuoteExtractor:
        """The loaded extractor, waiting for the load if it is under way (503 if it failed)."""
        if self._extractor is None:
            self.start_loading()
            assert self._loading is not None
            await asyncio.shield(self._loading)
        if self._extractor is None:
            raise Unavailable(f"the attribution pipeline is not available: {self._error}")
        return self._extractor

    async def extract(self, text: str) -> list[Quote]:
        """The quotes in a text (InvalidInput if the engine cannot read it)."""
        extractor = await self.extractor()
        try:
            return await anyio.to_thread.run_sync(extractor.extract, text, limiter=self._limiter)
        except InputError as exc:
            raise InvalidInput(str(exc), field="text") from exc
        except AttributionError as exc:
            raise Unavailable(f"the attribution engine failed: {exc}") from exc

    async def close(self) -> None:
        if self._loading is not None and not self._loading.done():
            self._loading.cancel()
