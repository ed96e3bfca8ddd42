"""The attribution engine as the API runs it: loaded once in the background, run off the event
loop, one text at a time behind a bounded queue (`EngineRunner`), in a thread (`ThreadEngine`)
or in a process of its own (`engine_process.ProcessEngine`, the web app's)."""

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

__all__ = ["CLIENT_GONE", "Engine", "EngineRunner", "NlpBudget", "QuoteExtractor", "ThreadEngine", "load_extractor"]

# Set by the web layer for each write request: an Event set when the client disconnects,
# so work queued for a client that left is dropped before it starts.
CLIENT_GONE: contextvars.ContextVar[asyncio.Event | None] = contextvars.ContextVar("client_gone", default=None)


class NlpBudget:
    """How much NLP work may wait, and how long one request may take (from the settings).

    `queue_requests` texts at most waiting or running; `queue_chars` characters at most
    waiting or running (the engine's work grows with the length of the text); `timeout`
    seconds from arrival to answer, after which the request is answered 503 and its text,
    if in the engine, stopped (an engine process is killed and replaced; a thread cannot be
    stopped midway and runs to its end, which the characters bound keeps short).
    `chars_per_second` is the first guess of the engine's speed, refined from every text
    it reads (and lowered by every text stopped unfinished).
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


def load_extractor(model: str = "") -> QuoteExtractor:
    """The attribution pipeline `model` ("" for the default), loaded now (seconds)."""
    from attribution import Extractor

    return Extractor(model=model or None)


class Engine(Protocol):
    """What reads the texts, one at a time (the runner's turn sees to it): in a thread of this
    process (`ThreadEngine`) or in a process of its own (`engine_process.ProcessEngine`).

    `extract` raises attribution's InputError / AttributionError as the extractor does.
    """

    @property
    def ready(self) -> bool:
        """Loaded, and the last load did not fail."""
        ...

    @property
    def restart_seconds(self) -> float:
        """What stopping a text costs: seconds until the engine reads again (inf: it cannot stop one)."""
        ...

    def start(self) -> None:
        """Begin loading the pipeline (returns at once)."""
        ...

    async def load(self) -> None:
        """Wait until the pipeline is loaded (Unavailable if it cannot be)."""
        ...

    async def extract(self, text: str) -> list[Quote]: ...

    def stop(self) -> bool:
        """Stop the text being read now and get ready for the next; False if this engine cannot."""
        ...

    async def close(self) -> None: ...


class ThreadEngine:
    """The extractor in a worker thread of this process: the CLI, the job worker, tests' doubles.

    A text in the engine cannot be stopped (spaCy has no way to interrupt it midway): it
    runs to its end. The thread shares the GIL with the event loop.
    """

    restart_seconds = math.inf

    def __init__(self, extractor: QuoteExtractor | None = None, model: str = "") -> None:
        self._extractor = extractor
        self._model = model  # the spaCy pipeline to load (Settings.spacy_model); "" for the default
        self._error: str | None = None
        self._loading: asyncio.Task[None] | None = None

    @property
    def ready(self) -> bool:
        return self._extractor is not None

    def start(self) -> None:
        if self._extractor is None and self._loading is None:
            self._loading = asyncio.get_running_loop().create_task(self._load())

    async def _load(self) -> None:
        try:
            self._extractor = await anyio.to_thread.run_sync(load_extractor, self._model)
            log.info("attribution pipeline loaded")
        except Exception as exc:  # reported by /ready and by 503s, never a crash
            self._error = str(exc)
            log.error("cannot load the attribution pipeline: %s", exc)

    async def _loaded(self) -> QuoteExtractor:
        if self._extractor is None:
            self.start()
            assert self._loading is not None
            await asyncio.shield(self._loading)
        if self._extractor is None:
            raise Unavailable(f"the attribution pipeline is not available: {self._error}")
        return self._extractor

    async def load(self) -> None:
        await self._loaded()

    async def extract(self, text: str) -> list[Quote]:
        extractor = await self._loaded()
        return await anyio.to_thread.run_sync(extractor.extract, text)

    def stop(self) -> bool:
        return False

    async def close(self) -> None:
        if self._loading is not None and not self._loading.done():
            self._loading.cancel()


class _Ticket:
    """One admitted text: its size, its deadline, and why its request stopped waiting (if it did)."""

    __slots__ = ("chars", "deadline", "why")

    def __init__(self, chars: int, deadline: float) -> None:
        self.chars = chars
        self.deadline = deadline
        self.why: str | None = None  # "deadline", "gone" (the client left) or "cancelled"


class EngineRunner:
    """The queue in front of the engine: one text in it at a time, in arrival order, bounded.

    The texts waiting are bounded by `budget` (NlpBudget): past it, Overloaded at once. No
    budget (the CLI, the job worker): every text waits its turn, however long. The engine
    (`Engine`) is a thread of this process by default (`extractor`, or the pipeline
    `model` loaded on first use); the web app gives a `ProcessEngine`, which can stop a
    text past its deadline.
    """

    def __init__(self, extractor: QuoteExtractor | None = None, *, model: str = "",
                 budget: NlpBudget | None = None, engine: Engine | None = None) -> None:
        self._engine: Engine = engine if engine is not None else ThreadEngine(extractor, model)
        self._turn = asyncio.Lock()  # one text in the engine at a time, in arrival order
        self.budget = budget
        self._speed = (budget or NlpBudget()).chars_per_second  # characters per second, smoothed
        self._held_requests = 0  # texts admitted and not yet finished (waiting or in the engine)
        self._held_chars = 0
        self.refused = 0  # requests answered 503 at once, since start
        self.stopped = 0  # texts stopped in the engine (past their deadline, or their client left), since start
        self._running: tuple[int, float] | None = None  # (characters, monotonic start) of the text in the engine

    @property
    def engine(self) -> Engine:
        return self._engine

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

    def _learn_unfinished(self, chars: int, seconds: float) -> None:
        """A text stopped after `seconds` unfinished: the engine is slower than `chars / seconds`."""
        if chars >= 5_000 and seconds > 0:
            self._speed = min(self._speed, 0.3 * self._speed + 0.7 * (chars / seconds))

    @property
    def ready(self) -> bool:
        return self._engine.ready

    def start_loading(self) -> None:
        """Begin loading the pipeline (returns at once)."""
        self._engine.start()

    async def load(self) -> None:
        """Wait for the pipeline, loading it if need be (Unavailable, a 503, if it cannot load)."""
        await self._engine.load()

    async def extract(self, text: str) -> list[Quote]:
        """The quotes in a text (InvalidInput if the engine cannot read it).

        Bounded (`NlpBudget`): Overloaded (503 with Retry-After) at once when the queue is
        full or the text could not be answered within the budget; Overloaded after
        `timeout` seconds if it was not (and the text is stopped, if the engine can stop
        it). A text whose client left (CLIENT_GONE) before its turn is dropped; in the
        engine, it is stopped if finishing would cost more than restarting the engine.
        """
        chars = len(text)
        budget = self.budget
        if budget is None:  # unbounded: wait for the engine, however long
            self._held_requests += 1
            self._held_chars += chars
            return await self._run(text, _Ticket(chars, math.inf))
        self._admit(chars, budget)
        ticket = _Ticket(chars, time.monotonic() + budget.timeout)
        run = asyncio.ensure_future(self._run(text, ticket))
        gone = CLIENT_GONE.get()
        watch = asyncio.ensure_future(gone.wait()) if gone is not None else None
        try:
            done, _ = await asyncio.wait([run] + ([watch] if watch else []), timeout=budget.timeout,
                                         return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            ticket.why = "cancelled"
            run.cancel()
            raise
        finally:
            if watch is not None:
                watch.cancel()
        if run in done:
            return run.result()
        client_left = watch is not None and watch in done
        ticket.why = "gone" if client_left else "deadline"
        run.cancel()  # dropped if still waiting; in the engine: stopped, or its result unused (_run)
        if client_left:
            raise ClientGone("the client disconnected before its text was read")
        raise Overloaded(f"the text was not read within the NLP time budget ({budget.timeout:g} s)",
                         retry_after=math.ceil(max(1.0, self._backlog_seconds())))

    async def _run(self, text: str, ticket: _Ticket) -> list[Quote]:
        """Wait for the engine (cancellable: the place is given back), then read the text.

        A text whose turn comes too late to be read before its deadline is not started.
        Cancelled while in the engine (its request gave up): stopped if `_worth_stopping`,
        else it runs to its end, its result unused.
        """
        chars = ticket.chars
        try:
            await self._engine.load()
            await self._turn.acquire()
        except BaseException:
            self._release(chars)
            raise
        if time.monotonic() + self._seconds_for(chars) > ticket.deadline and self._held_requests > 1:
            self._turn.release()
            self._release(chars)
            raise Overloaded("the text could not be read within the NLP time budget",
                             retry_after=math.ceil(max(1.0, self._backlog_seconds())))
        work = asyncio.ensure_future(self._in_engine(text, chars))
        work.add_done_callback(lambda t: t.cancelled() or t.exception())  # retrieved even when abandoned
        try:
            return await asyncio.shield(work)
        except asyncio.CancelledError:
            if not work.done() and self._worth_stopping(ticket) and self._engine.stop():
                self.stopped += 1
                log.info("stopped a %d-character text in the engine (%s)", chars, ticket.why)
            raise

    def _worth_stopping(self, ticket: _Ticket) -> bool:
        """Past its deadline: always (a request's budget bounds the engine's work too). Its client
        gone: when what is left of it would take longer than restarting the engine."""
        if ticket.why == "deadline":
            return True
        if self._running is None:
            return False
        running_chars, started = self._running
        left = self._seconds_for(running_chars) - (time.monotonic() - started)
        return left > self._engine.restart_seconds

    async def _in_engine(self, text: str, chars: int) -> list[Quote]:
        t0 = time.monotonic()
        finished = False
        try:
            self._running = (chars, t0)
            quotes = await self._engine.extract(text)
            finished = True
            self._learn(chars, time.monotonic() - t0)
            return quotes
        except InputError as exc:
            finished = True
            raise InvalidInput(str(exc), field="text") from exc
        except AttributionError as exc:
            finished = True
            raise Unavailable(f"the attribution engine failed: {exc}") from exc
        finally:
            if not finished:
                self._learn_unfinished(chars, time.monotonic() - t0)
            self._running = None
            self._turn.release()
            self._release(chars)

    async def close(self) -> None:
        await self._engine.close()
