"""Issue 12: cross-site writes, Host, bounded NLP work, honest rate limits, edges.

Each test is one of the issue's reproductions, answered the way it now should be.
The slow-client and forwarded-header tests run the real uvicorn server (api/web/server.py)
on a loopback port; the Redis test uses the server on 127.0.0.1:6379 when it answers,
otherwise starts `redis-server` on a free port (it says which).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_records import ScriptedExtractor, person, quote_in
from test_api_safety import is_problem

from api.ingest.engine_process import ProcessEngine
from api.ingest.runner import CLIENT_GONE, EngineRunner, NlpBudget
from quotelens.errors import Overloaded, SettingsError, Unavailable
from quotelens.settings import Settings, settings_from_env

ARTICLE = "“Troops will stay,” Gen. Kenneth McKenzie said."
OTHER = "“We will leave,” said Frank McKenzie Jr."
EVIL = "https://evil.example"


def script(extractor: ScriptedExtractor) -> None:
    extractor.add(ARTICLE, [quote_in(ARTICLE, "Troops will stay", person("Kenneth McKenzie"))])
    extractor.add(OTHER, [quote_in(OTHER, "We will leave", person("Frank McKenzie"))])


class GatedExtractor:
    """Blocks every extract until `gate` is set; counts the texts it was given."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.texts: list[str] = []

    def extract(self, text: str) -> list[Any]:
        self.texts.append(text)
        self.gate.wait(10)
        return []


# --- 3. cross-site writes and Host ---------------------------------------------------


async def test_bare_body_without_content_type_is_refused(make_client, extractor) -> None:  # noqa: ANN001
    """The issue's curl: a POST with no Content-Type was read as JSON (a browser sends that cross-site)."""
    script(extractor)
    async with make_client() as c:
        assert (await c.post("/api/articles", json={"text": ARTICLE})).status_code == 201
        assert (await c.post("/api/articles", json={"text": OTHER})).status_code == 201
        body = b'{"other": "frank-mckenzie"}'
        is_problem(await c.post("/api/speakers/kenneth-mckenzie/merge", content=body), 415)
        is_problem(await c.post("/api/speakers/kenneth-mckenzie/merge", content=body,
                                headers={"Content-Type": "text/plain"}), 415)
        assert (await c.get("/api/speakers/frank-mckenzie")).status_code == 200  # not merged


async def test_cross_site_writes_are_refused_same_site_pass(make_client, extractor) -> None:  # noqa: ANN001
    script(extractor)
    async with make_client() as c:
        assert (await c.post("/api/articles", json={"text": ARTICLE})).status_code == 201
        assert (await c.post("/api/articles", json={"text": OTHER})).status_code == 201
        merge = "/api/speakers/kenneth-mckenzie/merge"
        for headers in ({"Origin": EVIL}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"},
                        {"Origin": "http://testserver.local.evil.example"}):
            r = await c.post(merge, json={"other": "frank-mckenzie"}, headers=headers)
            is_problem(r, 403)
            assert r.json()["type"] == "urn:quotelens:problem:cross-site"
        is_problem(await c.post("/api/extract", json={"text": ARTICLE}, headers={"Origin": EVIL}), 403)
        assert (await c.get("/api/speakers/frank-mckenzie")).status_code == 200
        # reads from anywhere are answered (CORS decides what a browser page may see)
        assert (await c.get("/api/speakers", headers={"Origin": EVIL})).status_code == 200
        # the same origin (a page served by this host) and non-browser clients write
        r = await c.post(merge, json={"other": "frank-mckenzie"},
                         headers={"Origin": "http://testserver.local", "Sec-Fetch-Site": "same-origin"})
        assert r.status_code == 200, r.text


async def test_host_allowlist(make_client) -> None:  # noqa: ANN001
    """DNS rebinding: a page on evil.example resolving to this machine sends Host: evil.example."""
    async with make_client() as c:
        r = await c.get("/api/articles", headers={"Host": "evil.example"})
        is_problem(r, 421)
        is_problem(await c.get("/health", headers={"Host": "evil.example:8000"}), 421)
        for host in ("localhost:8000", "127.0.0.1", "[::1]:8000", "testserver.local"):
            assert (await c.get("/api/articles", headers={"Host": host})).status_code == 200, host
    async with make_client(allowed_hosts=("api.example",)) as c:
        assert (await c.get("/api/articles", headers={"Host": "api.example:443"})).status_code == 200
        is_problem(await c.get("/api/articles", headers={"Host": "localhost"}), 421)
    async with make_client(allowed_hosts=("*",)) as c:
        assert (await c.get("/api/articles", headers={"Host": "anything.example"})).status_code == 200


async def test_cors_is_off_by_default_and_reads_only_when_set(make_client, extractor) -> None:  # noqa: ANN001
    script(extractor)
    dash = "https://dash.example"
    async with make_client() as c:
        r = await c.get("/api/articles", headers={"Origin": dash})
        assert "access-control-allow-origin" not in r.headers
    async with make_client(cors_origins=(dash,)) as c:
        r = await c.get("/api/articles", headers={"Origin": dash})
        assert r.headers["access-control-allow-origin"] == dash
        pre = await c.options("/api/articles", headers={"Origin": dash, "Access-Control-Request-Method": "POST"})
        assert "POST" not in pre.headers.get("access-control-allow-methods", "")
        is_problem(await c.post("/api/articles", json={"text": ARTICLE}, headers={"Origin": dash}), 403)
        r = await c.get("/api/articles", headers={"Origin": EVIL})
        assert r.headers.get("access-control-allow-origin") != EVIL
    async with make_client(cors_origins=(dash,), cors_allow_writes=True) as c:
        r = await c.post("/api/articles", json={"text": ARTICLE}, headers={"Origin": dash})
        assert r.status_code == 201
        is_problem(await c.post("/api/articles", json={"text": OTHER}, headers={"Origin": EVIL}), 403)


# --- 1. bounded NLP work ------------------------------------------------------------


async def test_nlp_queue_full_answers_503_at_once_and_ready_says_so(live_server) -> None:  # noqa: ANN001
    # A real server: the test client runs one request at a time.
    gated = GatedExtractor()
    async with live_server(extractor_override=gated, nlp_queue_requests=2) as base:  # noqa: SIM117
        async with httpx.AsyncClient(base_url=base, timeout=20) as c:
            first = asyncio.create_task(c.post("/api/extract", json={"text": "one text"}))
            second = asyncio.create_task(c.post("/api/articles", json={"text": "another text"}))
            for _ in range(500):
                await asyncio.sleep(0.01)
                if (await c.get("/ready")).json()["nlp_queue"] is False:
                    break
            t0 = time.perf_counter()
            r = await c.post("/api/extract", json={"text": "a third"})
            assert time.perf_counter() - t0 < 1.0  # at once, not after the others
            is_problem(r, 503)
            assert int(r.headers["Retry-After"]) >= 1 and r.json()["type"] == "urn:quotelens:problem:overloaded"
            ready = await c.get("/ready")
            assert ready.status_code == 503 and ready.json()["nlp_queue"] is False
            assert (await c.get("/health")).status_code == 200
            assert (await c.get("/api/articles")).status_code == 200
            gated.gate.set()
            assert (await first).status_code == 200 and (await second).status_code == 201
            assert sorted(gated.texts) == ["another text", "one text"]  # the refused text never reached the engine
            ready = await c.get("/ready")
            assert ready.status_code == 200 and ready.json()["nlp_queue"] is True


async def test_nlp_characters_are_bounded_too(live_server) -> None:  # noqa: ANN001
    gated = GatedExtractor()
    async with live_server(extractor_override=gated, max_article_chars=1_000, nlp_queue_chars=1_500) as base:  # noqa: SIM117
        async with httpx.AsyncClient(base_url=base, timeout=20) as c:
            first = asyncio.create_task(c.post("/api/extract", json={"text": "x " * 450}))
            for _ in range(500):
                await asyncio.sleep(0.01)
                if gated.texts:
                    break
            is_problem(await c.post("/api/extract", json={"text": "y " * 450}), 503)
            short = asyncio.create_task(c.post("/api/extract", json={"text": "short"}))  # fits: it waits its turn
            await asyncio.sleep(0.2)
            gated.gate.set()
            assert (await first).status_code == 200 and (await short).status_code == 200
            assert len(gated.texts) == 2


async def test_nlp_time_budget_answers_503_in_time(live_server) -> None:  # noqa: ANN001
    gated = GatedExtractor()
    async with live_server(extractor_override=gated, nlp_timeout=0.5) as base:  # noqa: SIM117
        async with httpx.AsyncClient(base_url=base, timeout=20) as c:
            t0 = time.perf_counter()
            r = await c.post("/api/extract", json={"text": "slow text"})
            waited = time.perf_counter() - t0
            is_problem(r, 503)
            assert "Retry-After" in r.headers and 0.4 < waited < 3.0
            gated.gate.set()


async def test_a_client_that_hangs_up_leaves_no_work_behind(live_server) -> None:  # noqa: ANN001
    """The issue: clients that gave up after 2 s left their texts queued; the next extract waited 73 s."""
    gated = GatedExtractor()
    async with live_server(extractor_override=gated, nlp_queue_requests=8) as base:  # noqa: SIM117
        async with httpx.AsyncClient(base_url=base, timeout=20) as c:
            busy = asyncio.create_task(c.post("/api/extract", json={"text": "in the engine"}))
            for _ in range(500):
                await asyncio.sleep(0.01)
                if gated.texts:
                    break
            async with httpx.AsyncClient(base_url=base, timeout=0.3) as impatient:
                for i in range(4):
                    with pytest.raises(httpx.TimeoutException):
                        await impatient.post("/api/extract", json={"text": f"left {i}"})
            await asyncio.sleep(0.3)
            gated.gate.set()
            assert (await busy).status_code == 200
            assert (await c.post("/api/extract", json={"text": "next"})).status_code == 200
            assert gated.texts == ["in the engine", "next"]  # none of the abandoned texts was read


async def test_work_for_a_client_that_left_is_dropped() -> None:
    gated = GatedExtractor()
    runner = EngineRunner(gated, budget=NlpBudget(queue_requests=4, timeout=10))
    busy = asyncio.create_task(runner.extract("first"))
    await asyncio.sleep(0.1)
    gone = asyncio.Event()
    token = CLIENT_GONE.set(gone)
    try:
        waiting = asyncio.create_task(runner.extract("left behind"))
    finally:
        CLIENT_GONE.reset(token)
    await asyncio.sleep(0.1)
    assert runner.queue_state() == {"requests": 2, "chars": len("first") + len("left behind")}
    gone.set()
    with pytest.raises(Unavailable):
        await waiting
    assert runner.queue_state()["requests"] == 1  # its place is given back at once
    gated.gate.set()
    assert await busy == []
    await asyncio.sleep(0.05)
    assert gated.texts == ["first"] and runner.queue_state() == {"requests": 0, "chars": 0}
    # a full queue refuses at once
    gated.gate.clear()
    small = EngineRunner(gated, budget=NlpBudget(queue_requests=1, timeout=10))
    held = asyncio.create_task(small.extract("a"))
    await asyncio.sleep(0.05)
    with pytest.raises(Overloaded):
        await small.extract("b")
    gated.gate.set()
    await held


# --- 1. the engine in a process of its own (tests/api/engine_doubles.py reads the texts) -----


def _alive(pid: int) -> bool:
    """True while `pid` runs (a zombie, ended but not yet reaped, counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


async def _loaded(engine: ProcessEngine, besides: int | None = None) -> int:
    """The pid of the engine's child once one (other than `besides`) has loaded."""
    for _ in range(1200):
        pid = engine.pid
        if pid is not None and pid != besides:
            return pid
        await asyncio.sleep(0.05)
    raise AssertionError("no engine process loaded within 60 s")


async def _gone(pid: int) -> None:
    for _ in range(200):
        if not _alive(pid):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"engine process {pid} still runs")


async def test_a_text_past_its_budget_is_stopped_and_the_engine_replaced(make_client) -> None:  # noqa: ANN001
    engine = ProcessEngine(loader="engine_doubles:sleeper")
    async with make_client(engine=engine, nlp_timeout=2.0) as c:
        first = await _loaded(engine)
        assert (await c.get("/ready")).status_code == 200
        t0 = time.perf_counter()
        r = await c.post("/api/extract", json={"text": "sleep 600"})
        waited = time.perf_counter() - t0
        is_problem(r, 503)
        assert 1.9 < waited < 5.0 and int(r.headers["Retry-After"]) >= 1  # answered at the budget
        await _gone(first)  # the text really stopped: its process was killed
        second = await _loaded(engine, besides=first)
        assert engine.starts == 2
        r = await c.post("/api/extract", json={"text": "the next text"})
        assert r.status_code == 200, r.text
        assert [q["text"] for q in r.json()["quotes"]] == ["the next text"]  # read by the new process
        assert engine.pid == second and (await c.get("/ready")).status_code == 200
    await _gone(second)  # the app's shutdown leaves no engine process behind


async def test_engine_process_errors_and_a_crash_midway(make_client) -> None:  # noqa: ANN001
    engine = ProcessEngine(loader="engine_doubles:sleeper")
    async with make_client(engine=engine) as c:
        first = await _loaded(engine)
        is_problem(await c.post("/api/extract", json={"text": "bad input"}), 422)
        r = await c.post("/api/extract", json={"text": "raise"})
        is_problem(r, 500)
        assert "secret internal detail" not in r.text and "LookupError" not in r.text
        assert engine.pid == first  # errors in a text do not cost the process
        r = await c.post("/api/extract", json={"text": "exit"})
        is_problem(r, 503)
        assert r.json()["type"] == "urn:quotelens:problem:unavailable" and "ended while reading" in r.json()["detail"]
        await _gone(first)
        second = await _loaded(engine, besides=first)
        assert (await c.post("/api/extract", json={"text": "after the crash"})).status_code == 200
        # one replacement, though both the reader and the exit watcher saw the crash
        assert engine.starts == 2 and engine.pid == second
    await _gone(second)


async def test_a_long_text_whose_client_left_is_stopped_a_short_one_finishes(live_server) -> None:  # noqa: ANN001
    """Stopping costs a restart of the engine: worth it for a long text nobody waits for, not a short one."""
    engine = ProcessEngine(loader="engine_doubles:sleeper")
    async with live_server(engine=engine) as base:
        first = await _loaded(engine)
        async with httpx.AsyncClient(base_url=base, timeout=0.5) as impatient:
            with pytest.raises(httpx.TimeoutException):
                await impatient.post("/api/extract", json={"text": "sleep 1.5"})  # short: expected 0.05 s
        await asyncio.sleep(1.5)
        assert engine.pid == first and engine.starts == 1  # it finished in the same process
        async with httpx.AsyncClient(base_url=base, timeout=0.5) as impatient:
            with pytest.raises(httpx.TimeoutException):  # 150,000 characters: about 10 s expected
                await impatient.post("/api/extract", json={"text": "sleep 600 " + "x" * 150_000})
        await _gone(first)
        await _loaded(engine, besides=first)
        async with httpx.AsyncClient(base_url=base, timeout=20) as c:
            assert (await c.post("/api/extract", json={"text": "next"})).status_code == 200
        assert engine.starts == 2


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the child's priority in /proc")
@pytest.mark.parametrize("session_nice", [0, 5])
async def test_the_engine_process_is_a_session_of_its_own(session_nice: int) -> None:
    """With autogroup the CPU is shared between sessions first: the engine's work must not count
    against the server's session. Its own nice is lowered; its session's by QUOTELENS_NLP_SESSION_NICE."""
    mine = Path("/proc/self/autogroup")  # "/autogroup-123 nice 0" where the kernel has autogroup
    before = mine.read_text() if mine.exists() else ""
    engine = ProcessEngine(loader="engine_doubles:sleeper", nice=7, session_nice=session_nice)
    engine.start()
    try:
        pid = await _loaded(engine)
        assert os.getsid(pid) == pid != os.getsid(0)
        assert os.getpriority(os.PRIO_PROCESS, pid) == min(19, os.getpriority(os.PRIO_PROCESS, 0) + 7)
        if before:
            its = Path(f"/proc/{pid}/autogroup").read_text().split()
            assert its[0] != before.split()[0]
            assert int(its[-1]) == min(19, int(before.split()[-1]) + session_nice)
            assert mine.read_text() == before  # the server's session is left as it was
        assert await engine.extract("read at a lower priority") != []
    finally:
        await engine.close()
    await _gone(pid)


# --- 2. rate limits -------------------------------------------------------------------


async def test_rate_limit_has_retry_after_and_counts_per_key(make_client) -> None:  # noqa: ANN001
    async with make_client(rate_limit="3/minute", api_keys=("k-one", "k-two")) as c:
        for _ in range(3):
            assert (await c.get("/api/articles")).status_code == 200
        limited = await c.get("/api/articles")
        is_problem(limited, 429)
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
        # a header claiming another address changes nothing (the test client is one peer)
        for i in range(5):
            is_problem(await c.get("/api/articles", headers={"X-Forwarded-For": f"10.0.0.{i}"}), 429)
        # a valid key is its own bucket; an invalid one is not a way out
        for _ in range(3):
            assert (await c.get("/api/articles", headers={"X-API-Key": "k-one"})).status_code == 200
        is_problem(await c.get("/api/articles", headers={"X-API-Key": "k-one"}), 429)
        assert (await c.get("/api/articles", headers={"X-API-Key": "k-two"})).status_code == 200
        is_problem(await c.get("/api/articles", headers={"X-API-Key": "made-up"}), 429)


@pytest.fixture(scope="session")
def redis_url(pytestconfig: pytest.Config) -> Iterator[str]:
    def _say(config: pytest.Config, line: str) -> None:  # past pytest's capture, as tests/api/conftest.py does
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        capture = config.pluginmanager.get_plugin("capturemanager")
        if reporter is None or capture is None:
            print(line)
            return
        with capture.global_and_fixture_disabled():
            reporter.write_line(line)

    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            if s.recv(16).startswith(b"+PONG"):
                _say(pytestconfig, "Redis for tests/api: the running server on 127.0.0.1:6379")
                yield "redis://127.0.0.1:6379/0"
                return
    except OSError:
        pass
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("no Redis on 127.0.0.1:6379 and no redis-server binary (apt-get install redis-server)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([binary, "--port", str(port), "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL)
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    _say(pytestconfig, f"Redis for tests/api: started redis-server on 127.0.0.1:{port}")
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)


async def test_rate_limit_is_shared_across_processes_through_redis(make_client, redis_url: str) -> None:  # noqa: ANN001
    key = "k-" + secrets.token_hex(8)  # a bucket of its own in a shared Redis
    async with make_client(rate_limit="4/minute", api_keys=(key,), redis_url=redis_url) as one, \
            make_client(rate_limit="4/minute", api_keys=(key,), redis_url=redis_url) as two:
        headers = {"X-API-Key": key}
        seen = [(await (one if i % 2 else two).get("/api/articles", headers=headers)).status_code for i in range(4)]
        assert seen == [200, 200, 200, 200]
        is_problem(await one.get("/api/articles", headers=headers), 429)
        is_problem(await two.get("/api/articles", headers=headers), 429)


async def test_rate_limit_without_redis_falls_back_to_counting_here(make_client) -> None:  # noqa: ANN001
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    async with make_client(rate_limit="2/minute", redis_url=f"redis://127.0.0.1:{dead}/0") as c:
        assert [(await c.get("/api/articles")).status_code for _ in range(2)] == [200, 200]
        is_problem(await c.get("/api/articles"), 429)


# --- the real server: forwarded headers, slow clients ---------------------------------


@pytest.fixture
def live_server(settings: Settings, database_url: str, extractor: ScriptedExtractor):  # noqa: ANN201
    """`async with live_server(**overrides) as base:` uvicorn as `quotelens serve` configures it, on a free port."""
    import uvicorn

    from api.web.app import create_app
    from api.web.server import server_config

    @contextlib.asynccontextmanager
    async def start(extractor_override: Any = None, engine: Any = None, **overrides: Any) -> AsyncIterator[str]:
        s = replace(settings, **overrides)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        app = create_app(s, extractor=None if engine is not None else extractor_override or extractor,
                         engine=engine, database_url=database_url)
        server = uvicorn.Server(server_config(s, app, host="127.0.0.1", port=port, log_level="warning"))
        task = asyncio.create_task(server.serve())
        try:
            for _ in range(200):
                if server.started:
                    break
                await asyncio.sleep(0.05)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            await asyncio.wait_for(task, 15)

    return start


async def test_forwarded_for_only_from_trusted_proxies(live_server) -> None:  # noqa: ANN001
    async with live_server(rate_limit="2/minute") as base:  # noqa: SIM117
        async with httpx.AsyncClient(base_url=base) as c:
            assert [(await c.get("/api/articles")).status_code for _ in range(2)] == [200, 200]
            statuses = [(await c.get("/api/articles", headers={"X-Forwarded-For": f"10.0.0.{i}"})).status_code
                        for i in range(5)]
            assert statuses == [429] * 5  # the issue: all 200 before
    async with live_server(rate_limit="2/minute", trusted_proxies=("127.0.0.1",)) as base:  # noqa: SIM117
        async with httpx.AsyncClient(base_url=base) as c:
            statuses = [(await c.get("/api/articles", headers={"X-Forwarded-For": "10.0.0.9"})).status_code
                        for _ in range(3)]
            assert statuses == [200, 200, 429]  # behind a trusted proxy, each client has its own bucket
            assert (await c.get("/api/articles", headers={"X-Forwarded-For": "10.0.0.10"})).status_code == 200


async def _read_all(reader: asyncio.StreamReader, within: float) -> tuple[bytes, float]:
    t0 = time.monotonic()
    data = await asyncio.wait_for(reader.read(), within)
    return data, time.monotonic() - t0


async def test_slow_headers_and_stalled_bodies_are_cut_off(live_server) -> None:  # noqa: ANN001
    async with live_server(header_timeout=0.5, body_timeout=0.5, keep_alive_timeout=0.5) as base:
        port = int(base.rsplit(":", 1)[1])
        # headers that never end
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a")
        data, waited = await _read_all(reader, 5)
        assert data.startswith(b"HTTP/1.1 408") and waited < 3
        writer.close()
        # a body shorter than its Content-Length
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST /api/extract HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 100\r\n\r\n{\"text\": ")
        data, waited = await _read_all(reader, 5)
        assert waited < 3  # closed (the issue: it waited forever)
        writer.close()
        # an idle keep-alive connection
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        data, waited = await _read_all(reader, 5)
        assert data.startswith(b"HTTP/1.1 200") and waited < 3
        writer.close()
        async with httpx.AsyncClient(base_url=base) as c:  # others are still served
            assert (await c.get("/health")).status_code == 200


async def test_open_connections_are_capped(live_server) -> None:  # noqa: ANN001
    async with live_server(max_connections=5, header_timeout=30) as base:
        port = int(base.rsplit(":", 1)[1])
        held = [await asyncio.open_connection("127.0.0.1", port) for _ in range(5)]
        await asyncio.sleep(0.1)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        data, _ = await _read_all(reader, 5)
        assert not data.startswith(b"HTTP/1.1 200")  # closed at once
        writer.close()
        for _, w in held:
            w.close()
        await asyncio.sleep(0.2)
        async with httpx.AsyncClient(base_url=base) as c:
            assert (await c.get("/health")).status_code == 200


# --- 5. edges ---------------------------------------------------------------------------


async def test_article_urls_are_http_or_https(make_client, extractor) -> None:  # noqa: ANN001
    script(extractor)
    async with make_client() as c:
        for url in ("javascript:alert(1)", "data:text/html,<b>x</b>", "ftp://example.com/a", "//example.com/a",
                    "https:no-host"):
            r = await c.post("/api/articles", json={"text": ARTICLE, "url": url})
            is_problem(r, 422)
        r = await c.post("/api/articles", json={"text": ARTICLE, "url": "https://news.example/a"})
        assert r.status_code == 201


async def test_ids_are_ascii_digits(make_client, extractor) -> None:  # noqa: ANN001
    script(extractor)
    async with make_client() as c:
        assert (await c.post("/api/articles", json={"text": ARTICLE})).status_code == 201
        assert (await c.get("/api/articles/1")).status_code == 200
        for lookalike in ("١", "１", "𝟏"):
            is_problem(await c.get(f"/api/articles/{lookalike}"), 404)


def test_settings_refuse_non_ascii_keys_and_bad_values(tmp_path) -> None:  # noqa: ANN001
    base = {"QUOTELENS_DATA_DIR": str(tmp_path)}
    with pytest.raises(SettingsError, match="non-ASCII"):
        settings_from_env({**base, "QUOTELENS_API_KEYS": "ok,clé"})
    with pytest.raises(SettingsError, match="NLP_QUEUE_CHARS"):
        settings_from_env({**base, "QUOTELENS_NLP_QUEUE_CHARS": "1000"})
    with pytest.raises(SettingsError, match="CORS_ORIGINS"):
        settings_from_env({**base, "QUOTELENS_CORS_ORIGINS": "https://dash.example/path"})
    with pytest.raises(SettingsError, match="REDIS_URL"):
        settings_from_env({**base, "QUOTELENS_REDIS_URL": "127.0.0.1:6379"})
    with pytest.raises(SettingsError, match="NLP_SESSION_NICE"):
        settings_from_env({**base, "QUOTELENS_NLP_SESSION_NICE": "20"})
    assert settings_from_env(base).nlp_session_nice == 0
    assert settings_from_env({**base, "QUOTELENS_NLP_SESSION_NICE": "10"}).nlp_session_nice == 10
    s = settings_from_env({**base, "QUOTELENS_TRUSTED_PROXIES": "10.0.0.1, 172.16.0.0/12",
                           "QUOTELENS_ALLOWED_HOSTS": "API.example,localhost"})
    assert s.trusted_proxies == ("10.0.0.1", "172.16.0.0/12") and s.allowed_hosts == ("api.example", "localhost")


def test_serve_refuses_a_non_ascii_key_at_startup(tmp_path, monkeypatch, capsys) -> None:  # noqa: ANN001
    """A key no HTTP header can carry is refused before anything starts (the store is not even made)."""
    import os

    from quotelens.cli import main
    from quotelens.settings import get_settings

    for name in [k for k in os.environ if k.startswith("QUOTELENS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("QUOTELENS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("QUOTELENS_API_KEYS", "good-key,clé")
    get_settings.cache_clear()
    try:
        code = main(["serve", "--migrate-only", "--no-seed"])
    finally:
        get_settings.cache_clear()
    assert code == 2 and "non-ASCII" in capsys.readouterr().err
    assert not (tmp_path / "data" / "quotelens.db").exists()


def test_serve_trusts_no_forwarded_headers_by_default(tmp_path) -> None:  # noqa: ANN001
    from api.web.server import GuardedHttpTools, server_config

    s = settings_from_env({"QUOTELENS_DATA_DIR": str(tmp_path)})
    config = server_config(s, lambda: None, host="127.0.0.1", port=1)
    assert config.proxy_headers is False and config.http is GuardedHttpTools
    assert config.timeout_keep_alive == 5.0 and config.max_connections == 1000  # type: ignore[attr-defined]


async def test_without_a_budget_every_text_waits_its_turn() -> None:
    """The CLI and the job worker: no HTTP client to answer, so nothing is refused."""
    gated = GatedExtractor()
    runner = EngineRunner(gated)
    assert runner.budget is None and runner.queue_full is False
    texts = [asyncio.create_task(runner.extract(f"text {i}")) for i in range(12)]
    await asyncio.sleep(0.1)
    gated.gate.set()
    assert [await t for t in texts] == [[]] * 12 and len(gated.texts) == 12
