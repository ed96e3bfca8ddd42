"""The attribution engine in a process of its own: the web app's NLP work off the server's GIL.

In a thread, spaCy shares the server process's GIL and its CPU share with the event loop,
so `/health` and the reads waited behind it (BENCHMARKS.md section 9), and a text in it
cannot be stopped. `ProcessEngine` loads the pipeline once in a child process, then lowers
its CPU priority (`nice`, QUOTELENS_NLP_NICE) so the server's own work comes first, and sends
it one text at a time. The child is a session of its own: with Linux autogroup the CPU is
shared between sessions first, so in the server's session the engine's work counted against
the server's (`lower_priority`; QUOTELENS_NLP_SESSION_NICE lowers the engine's session).
Stopping a text (past its deadline) kills the child and starts another at once; a child
that dies is replaced the same way.

The child is started when the app starts (`start`), so /ready waits for its pipeline as it
did for the thread's and the first request does not pay for the load; it costs the memory
of one pipeline per server process, which the server process itself no longer holds.

The child runs `serve_engine`, importing this module and the loader only (`api.ingest`
loads lazily). It ignores SIGINT and SIGTERM: Ctrl-C in a terminal or a service manager
signalling the whole group must not kill it while the server finishes the requests in
flight; the server closes it at shutdown. It dies with the server (`die_with`), so none is
left behind when the server is killed.

The pipes: frames of a 4-byte big-endian length and a pickle (both ends are this module;
the child's print()s go to stderr). To the child: one text a frame. From it: first
("ready", seconds) or ("failed", message); then one reply per text: ("quotes", quotes),
("input", message) for attribution's InputError, ("engine", message) for another
AttributionError, ("crash", the exception's name) for anything else (logged by the child).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import os
import pickle
import signal
import struct
import sys
import threading
import time
import traceback
from typing import IO, Any

from attribution.errors import AttributionError, InputError
from attribution.records import Quote
from quotelens.errors import Unavailable

__all__ = ["DEFAULT_LOADER", "ProcessEngine", "die_with", "lower_priority", "serve_engine"]

log = logging.getLogger(__name__)

#: "module:function" called in the child with the model name; returns the extractor
DEFAULT_LOADER = "api.ingest.runner:load_extractor"

_HEADER = struct.Struct(">I")
_CHILD = "import sys; from api.ingest.engine_process import serve_engine; sys.exit(serve_engine(sys.argv[1:]))"
_PIPE_LIMIT = 1 << 20
_CLOSE_SECONDS = 3.0  # an idle child given this long to exit on its own at shutdown


class ProcessEngine:
    """The pipeline in a child process (the `Engine` of `api.ingest.runner`); one text at a time."""

    def __init__(self, model: str = "", *, loader: str = DEFAULT_LOADER, nice: int = 10,
                 session_nice: int = 0) -> None:
        self._model = model  # the spaCy pipeline (Settings.spacy_model); "" for the default
        self._loader = loader
        self._nice = nice
        self._session_nice = session_nice
        self._proc: asyncio.subprocess.Process | None = None  # the child that reads, once loaded
        self._starting: asyncio.Task[None] | None = None  # the start of the current child
        self._busy = False
        self._stopped: asyncio.subprocess.Process | None = None  # the last child stopped on purpose
        self._error: str | None = None  # why the pipeline could not load (then nothing restarts it)
        self._loaded = False
        self._closed = False
        self._load_seconds = 5.0  # a first guess until a child has loaded
        self._tasks: set[asyncio.Task[Any]] = set()  # exit watchers, held until they end
        self._children: set[asyncio.subprocess.Process] = set()  # every child not yet seen to end
        self.starts = 0  # children started since this engine was made (the first, then replacements)

    @property
    def ready(self) -> bool:
        return self._loaded and self._error is None

    @property
    def restart_seconds(self) -> float:
        return self._load_seconds

    @property
    def pid(self) -> int | None:
        """The child's process id, while one is loaded."""
        proc = self._proc
        return proc.pid if proc is not None and proc.returncode is None else None

    def start(self) -> None:
        if self._starting is None and self._proc is None and not self._closed and self._error is None:
            self._starting = asyncio.get_running_loop().create_task(self._spawn())

    async def load(self) -> None:
        while True:
            if self._error is not None:
                raise Unavailable(f"the attribution pipeline is not available: {self._error}")
            if self._closed:
                raise Unavailable("the attribution engine is shutting down")
            if self._proc is not None:
                return
            self.start()
            assert self._starting is not None
            await asyncio.shield(self._starting)

    async def _spawn(self) -> None:
        try:
            await self._start_child()
        finally:
            if self._starting is asyncio.current_task():
                self._starting = None

    async def _start_child(self) -> None:
        t0 = time.monotonic()
        proc: asyncio.subprocess.Process | None = None
        try:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-c", _CHILD, self._loader, self._model, str(self._nice), str(self._session_nice),
                str(os.getpid()),
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, env=_child_env(), limit=_PIPE_LIMIT,
                start_new_session=True)  # a scheduling group of its own (`lower_priority`)
            self.starts += 1
            self._children.add(proc)
            self._keep(asyncio.ensure_future(self._watch(proc)))
            assert proc.stdout is not None
            kind, value = await _read_frame(proc.stdout)
        except asyncio.CancelledError:
            if proc is not None:
                _kill(proc)
            raise
        except (OSError, EOFError, pickle.UnpicklingError, asyncio.IncompleteReadError) as exc:
            status = await _exit_status(proc)
            kind, value = "failed", f"the engine process did not start ({type(exc).__name__}, exit status {status})"
        if kind != "ready" or proc is None or self._closed:
            if proc is not None:
                _kill(proc)
            if kind != "ready":
                self._error = str(value)
                log.error("cannot load the attribution pipeline in its process: %s", value)
            return
        self._proc = proc
        self._loaded = True
        self._load_seconds = time.monotonic() - t0
        log.info("attribution pipeline loaded in engine process %d (%.1f s)", proc.pid, self._load_seconds)

    async def _watch(self, proc: asyncio.subprocess.Process) -> None:
        """Replace a child that ends while it is the one reading (not stopped on purpose, not closed)."""
        status = await proc.wait()
        self._children.discard(proc)
        if proc is self._proc and not self._closed:
            log.warning("the engine process %d ended (exit status %s); starting another", proc.pid, status)
            self._replace(proc)

    def _replace(self, proc: asyncio.subprocess.Process) -> None:
        """Start another child in place of `proc` (once: the exit watcher and a reader may both ask)."""
        if proc is not self._proc:
            return
        self._proc = None
        self._starting = None
        self.start()

    def _keep(self, task: asyncio.Task[Any]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def extract(self, text: str) -> list[Quote]:
        await self.load()
        proc = self._proc
        if proc is None or proc.stdin is None or proc.stdout is None:
            raise Unavailable("the attribution engine is restarting")
        self._busy = True
        try:
            payload = pickle.dumps(text, protocol=pickle.HIGHEST_PROTOCOL)
            proc.stdin.write(_HEADER.pack(len(payload)) + payload)
            await proc.stdin.drain()
            kind, value = await _read_frame(proc.stdout)
        except (OSError, EOFError, pickle.UnpicklingError, asyncio.IncompleteReadError) as exc:
            if proc is self._stopped or self._closed:  # on purpose: its request was answered already
                raise Unavailable("the text was stopped in the engine") from None
            status = await _exit_status(proc)
            self._replace(proc)
            raise Unavailable(f"the engine process ended while reading the text (exit status {status}); "
                              "another is starting") from exc
        finally:
            self._busy = False
        if kind == "quotes":
            return list(value)
        if kind == "input":
            raise InputError(str(value))
        if kind == "engine":
            raise AttributionError(str(value))
        raise RuntimeError(f"the engine process failed on the text: {value}")

    def stop(self) -> bool:
        """Kill the child (with the text it reads) and start another at once."""
        proc = self._proc
        if proc is None or self._closed:
            return False
        self._stopped = proc
        _kill(proc)
        self._replace(proc)
        return True

    async def close(self) -> None:
        self._closed = True
        if self._starting is not None and not self._starting.done():
            self._starting.cancel()
            await asyncio.gather(self._starting, return_exceptions=True)
        proc, self._proc = self._proc, None
        if proc is not None and proc.returncode is None:
            if self._busy or proc.stdin is None:
                _kill(proc)  # its text has nobody to answer now
            else:
                proc.stdin.close()  # end of input: the child exits
            try:
                await asyncio.wait_for(proc.wait(), _CLOSE_SECONDS)
            except TimeoutError:
                _kill(proc)
                await proc.wait()
        for other in list(self._children):  # none should be left; if one is, it goes too
            if other.returncode is None:
                _kill(other)
                await other.wait()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await asyncio.sleep(0)  # the pipes' last callbacks run while the loop still does


def _kill(proc: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError):
        proc.kill()


async def _exit_status(proc: asyncio.subprocess.Process | None) -> int | str:
    if proc is None:
        return "none"
    try:
        return await asyncio.wait_for(proc.wait(), 5.0)
    except TimeoutError:
        _kill(proc)
        return "killed"


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    # The child imports as the server does (this module; a test's loader from the test folder).
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    # One core for the engine: the other is the server's.
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(name, "1")
    return env


async def _read_frame(stream: asyncio.StreamReader) -> tuple[str, Any]:
    size = _HEADER.unpack(await stream.readexactly(_HEADER.size))[0]
    kind, value = pickle.loads(await stream.readexactly(size))
    return str(kind), value


# --- the child --------------------------------------------------------------------------


def serve_engine(argv: list[str]) -> int:
    """The child's loop: load the pipeline, then read texts from stdin until it closes."""
    loader, model, nice, session_nice, parent = argv[0], argv[1], int(argv[2]), int(argv[3]), int(argv[4])
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    die_with(parent)
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to stderr, never into the replies
    sys.stdout = sys.stderr
    texts = sys.stdin.buffer
    t0 = time.monotonic()
    try:
        module, _, name = loader.partition(":")
        extractor = getattr(importlib.import_module(module), name)(model)
    except Exception as exc:
        _send(replies, ("failed", str(exc) or type(exc).__name__))
        return 1
    # Loaded first, then lowered: a load is bounded work that every text after a stopped one
    # waits for, and on a busy box a lowered child took over 30 s to load (BENCHMARKS.md section 9,
    # the first table's pair 4); reading texts is not
    # bounded, and those are what the server's requests must come before.
    lower_priority(nice, parent, session_nice=session_nice)
    _send(replies, ("ready", time.monotonic() - t0))
    while (frame := _receive(texts)) is not None:
        reply: tuple[str, Any]
        try:
            reply = ("quotes", extractor.extract(pickle.loads(frame)))
        except InputError as exc:
            reply = ("input", str(exc))
        except AttributionError as exc:
            reply = ("engine", str(exc))
        except Exception as exc:
            traceback.print_exc()
            reply = ("crash", type(exc).__name__)
        _send(replies, reply)
    return 0


def lower_priority(nice: int, parent: int, *, session_nice: int = 0) -> None:
    """Lower this process's CPU priority by `nice` (0: leave it); a session leader's session
    by `session_nice` below `parent`'s session.

    Linux with autogroup (kernel.sched_autogroup_enabled, the default of most distributions
    outside containers) shares the CPU between sessions first: a process's nice only ranks
    it against the processes of its own session. The child is started in a session of its
    own (start_new_session): in the server's, its work counted against the server's session,
    whose event loop then woke late on a busy box (benchmarks/engine_session.py). Alone in
    its session, its nice changes nothing there; `session_nice` (/proc/self/autogroup) ranks
    the session against the server's, and the others on the box: lowered, the engine reads
    several times slower on a busy box, for no gain to the server's wake-ups measured there
    (BENCHMARKS.md section 9). Without autogroup the file is absent or unused, and the
    process's nice ranks it against the server.
    """
    if nice > 0:
        os.nice(nice)
    if session_nice <= 0 or os.getsid(0) != os.getpid():  # never the session it came from: the server's
        return
    try:
        with open(f"/proc/{parent}/autogroup") as group:  # "/autogroup-123 nice 0"
            base = int(group.read().split()[-1])
    except (OSError, ValueError, IndexError):
        return  # no autogroup (not Linux, or a kernel without it)
    for _ in range(20):  # the kernel takes one such change in 0.1 s from an unprivileged process
        try:
            with open("/proc/self/autogroup", "w") as group:  # raising a nice needs no privilege
                group.write(str(min(19, base + session_nice)))
            return
        except BlockingIOError:
            time.sleep(0.1)
        except OSError:
            return


def die_with(parent: int, sig: int = signal.SIGKILL) -> None:
    """Have this process sent `sig` when `parent` ends, however it ends (SIGKILL included).

    Linux: PR_SET_PDEATHSIG (the kernel sends it). Elsewhere: a thread watching the parent's pid.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            if ctypes.CDLL(None).prctl(1, sig, 0, 0, 0) == 0:  # PR_SET_PDEATHSIG
                if os.getppid() != parent:  # it ended before the call
                    os.kill(os.getpid(), sig)
                return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os.kill(os.getpid(), sig)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def _send(out: IO[bytes], reply: tuple[str, Any]) -> None:
    payload = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(_HEADER.pack(len(payload)) + payload)
    out.flush()


def _receive(stream: IO[bytes]) -> bytes | None:
    header = _read_exactly(stream, _HEADER.size)
    if header is None:
        return None
    return _read_exactly(stream, _HEADER.unpack(header)[0])


def _read_exactly(stream: IO[bytes], n: int) -> bytes | None:
    chunks: list[bytes] = []
    while n:
        chunk = stream.read(n)
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)
