"""The attribution engine as the API runs it: loaded once in the background, run off the event loop."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import math
import time
from typing import Protocol

import anyio
import anyio.to_thread

from attribution.errors import AttributionError, InputError
from attribution.records import Quote
from quotelens.errors import ClientGone, InvalidInput, Overloaded, Unavailable

__all__ = ["CLIENT_GONE", "EngineRunner", "NlpBudget", "QuoteExtractor"]

# Set by the web layer for each write request: an Event set when the client disconnects,
# so work queued for a client that left is dropped before it starts.
CLIENT_GONE: contextvars.ContextVar[asyncio.Event | None] = contextvars.ContextVar("client_gone", default=None)


class NlpBudget:
    """How much NLP work may wait, and how long one request may take (from the settings).

    `queue_requests` texts at most waiting or running; `queue_chars` characters at most
    waiting or running (the engine's work grows with the length of the text); `timeout`
    seconds from arrival to answer, after which the request is answered 503 (a text
    already in the engine runs to its end: spaCy cannot be stopped midway, but the
    characters bound keeps that leftover short). `chars_per_second` is the first guess of
    the engine's speed, refined from every text it reads.
    """

    def __init__(self, queue_requests: int = 8, queue_chars: int = 400_000, timeout: float = 30.0,
                 chars_per_second: float = 15_000.0) -> None:
        self.queue_requests = queue_requests
        self.queue_chars = queue_chars
        self.timeout = timeout
        self.chars_per_second = chars_per_second

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
    The texts waiting are bounded by `budget` (NlpBudget): past it, Overloaded at once. No
    budget (the CLI, the job worker): every text waits its turn, however long.
    """

    def __init__(self, extractor: QuoteExtractor | None = None, *, model: str = "",
                 budget: NlpBudget | None = None) -> None:
        self._extractor = extractor
        self._model = model  # the spaCy pipeline to load (Settings.spacy_model); "" for the default
        self._error: str | None = None
        self._loading: asyncio.Task[None] | None = None
        self._turn = asyncio.Lock()  # one text in the engine at a time, in arrival order
        self.budget = budget
        self._speed = (budget or NlpBudget()).chars_per_second  # characters per second, smoothed
        self._held_requests = 0  # texts admitted and not yet finished (waiting or in the engine)
        self._held_chars = 0
        self.refused = 0  # requests answered 503 at once, since start
        self._running: tuple[int, float] | None = None  # (characters, monotonic start) of the text in the engine

    @property
    def queue_full(self) -> bool:
        """True when a new text of average size would be refused now."""
        budget = self.budget
        if budget is None:
            return False
        return self._held_requests >= budget.queue_requests or self._held_chars >= budget.queue_chars

    def queue_state(self) -> dict[str, int]:
        return {"requests": self._held_requests, "chars": self._held_chars}

    def _seconds_for(self, chars: int) -> float:
        return 0.05 + chars / self._speed

    def _admit(self, chars: int, budget: NlpBudget) -> None:
        """Take a place in the queue for a text of `chars` characters, or raise Overloaded at once."""
        backlog = self._backlog_seconds()
        expected = backlog + self._seconds_for(chars)
        if (self._held_requests >= budget.queue_requests or self._held_chars + chars > budget.queue_chars
                or (self._held_requests > 0 and expected > budget.timeout)):
            self.refused += 1
            raise Overloaded(
                f"the NLP queue is full ({self._held_requests} texts, {self._held_chars:,} characters waiting); "
                "retry later", retry_after=math.ceil(max(1.0, backlog)))
        self._held_requests += 1
        self._held_chars += chars

    def _backlog_seconds(self) -> float:
        """Seconds until the work held now is done: the waiting texts at the learnt speed, plus what
        is left of the text in the engine (at least a quarter of its time so far, once it overran)."""
        if not self._held_requests:
            return 0.0
        if self._running is None:
            return self._seconds_for(self._held_chars)
        running_chars, started = self._running
        elapsed = time.monotonic() - started
        left = max(self._seconds_for(running_chars) - elapsed, 0.25 * elapsed)
        return self._seconds_for(self._held_chars - running_chars) + left

    def _release(self, chars: int) -> None:
        self._held_requests -= 1
        self._held_chars -= chars

    def _learn(self, chars: int, seconds: float) -> None:
        if chars >= 5_000 and seconds > 0:
            self._speed = 0.3 * self._speed + 0.7 * (chars / seconds)

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
        """The quotes in a text (InvalidInput if the engine cannot read it).

        Bounded (`NlpBudget`): Overloaded (503 with Retry-After) at once when the queue is
        full or the text could not be answered within the budget; Overloaded after
        `timeout` seconds if it was not. A text whose client left (CLIENT_GONE) before
        its turn is dropped.
        """
        chars = len(text)
        budget = self.budget
        if budget is None:  # unbounded: wait for the engine, however long
            self._held_requests += 1
            self._held_chars += chars
            return await self._run(text, chars, math.inf)
        self._admit(chars, budget)
        run = asyncio.ensure_future(self._run(text, chars, time.monotonic() + budget.timeout))
        gone = CLIENT_GONE.get()
        watch = asyncio.ensure_future(gone.wait()) if gone is not None else None
        try:
            done, _ = await asyncio.wait([run] + ([watch] if watch else []), timeout=budget.timeout,
                                         return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            run.cancel()
            raise
        finally:
            if watch is not None:
                watch.cancel()
        if run in done:
            return run.result()
        run.cancel()  # dropped if still waiting; a text already in the engine finishes, its result unused
        if watch is not None and watch in done:
            raise ClientGone("the client disconnected before its text was read")
        raise Overloaded(f"the text was not read within the NLP time budget ({budget.timeout:g} s)",
                         retry_after=math.ceil(self._backlog_seconds()))

    async def _run(self, text: str, chars: int, deadline: float) -> list[Quote]:
        """Wait for the engine (cancellable: the place is given back), then read the text (not cancellable).

        A text whose turn comes too late to be read before its deadline is not started.
        """
        try:
            extractor = await self.extractor()
            await self._turn.acquire()
        except BaseException:
            self._release(chars)
            raise
        if time.monotonic() + self._seconds_for(chars) > deadline and self._held_requests > 1:
            self._turn.release()
            self._release(chars)
            raise Overloaded("the text could not be read within the NLP time budget",
                             retry_after=math.ceil(self._backlog_seconds()))
        work = asyncio.ensure_future(self._in_engine(extractor, text, chars))
        work.add_done_callback(lambda t: t.cancelled() or t.exception())  # retrieved even when abandoned
        return await asyncio.shield(work)

    async def _in_engine(self, extractor: QuoteExtractor, text: str, chars: int) -> list[Quote]:
        try:
            t0 = time.monotonic()
            self._running = (chars, t0)
            quotes = await anyio.to_thread.run_sync(extractor.extract, text)
            self._learn(chars, time.monotonic() - t0)
            return quotes
        except InputError as exc:
            raise InvalidInput(str(exc), field="text") from exc
        except AttributionError as exc:
            raise Unavailable(f"the attribution engine failed: {exc}") from exc
        finally:
            self._running = None
            self._turn.release()
            self._release(chars)

    async def close(self) -> None:
        if self._loading is not None and not self._loading.done():
            self._loading.cancel()
