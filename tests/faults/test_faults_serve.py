"""`quotelens serve` under faults: SIGTERM with requests in flight, and the database going away.

Each test runs the real command as a subprocess on a free loopback port. The
long version: `uv run python benchmarks/kill_serve.py`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import faultkit
import httpx
import pytest
from faultkit import require

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Serve:
    """`quotelens serve` in a subprocess, its output collected."""

    def __init__(self, tmp_path: Path, database_url: str | None, *extra: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("QUOTELENS_")}
        env.update(QUOTELENS_DATA_DIR=str(tmp_path / "data"), QUOTELENS_RATE_LIMIT="off",
                   # these tests hold many texts in flight on purpose: a queue wide enough for them
                   QUOTELENS_NLP_QUEUE_REQUESTS="64", QUOTELENS_NLP_QUEUE_CHARS="10000000",
                   QUOTELENS_NLP_TIMEOUT="600")
        if database_url:
            env["QUOTELENS_DATABASE_URL"] = database_url
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tmp_path / f"serve-{self.port}.log"
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "quotelens.cli", "serve", "--port", str(self.port), "--no-seed",
                 "--log-level", "warning", *extra],
                env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            )

    def output(self) -> str:
        return self.log.read_text("utf-8", "replace")

    def wait_ready(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"serve exited early ({self.proc.returncode}):\n{self.output()}")
            try:
                if httpx.get(f"{self.base}/ready", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"serve was not ready in {timeout} s:\n{self.output()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)


def _article(n: int) -> str:
    texts = sorted(faultkit.POLNEAR_DEV.glob("*.txt"))[:n] if faultkit.POLNEAR_DEV.is_dir() else []
    texts = texts or sorted(faultkit.SEEDS.glob("*.txt"))
    return "\n\n".join(p.read_text("utf-8") for p in texts)


def _wait_accepted(port: int, n: int, timeout: float = 30) -> None:
    """Wait until `n` connections to `port` are established and none waits in the accept queue.

    Only then are the requests in flight: a connection still in the kernel's queue
    when the server stops listening is reset, as with any server.
    """
    local = f":{port:04X}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        established, queued = 0, 0
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                lines = Path(table).read_text().splitlines()[1:]
            except OSError:
                continue
            for line in lines:
                fields = line.split()
                if not fields[1].endswith(local):
                    continue
                if fields[3] == "01":
                    established += 1
                elif fields[3] == "0A":  # listening: rx_queue is the accept queue's length
                    queued += int(fields[4].split(":")[1], 16)
        if established >= n and queued == 0:
            return
        time.sleep(0.02)
    raise AssertionError(f"{n} connections to port {port} were not accepted in {timeout} s")


def test_sigterm_finishes_requests_in_flight_refuses_new_ones_and_exits_0(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
    serve = Serve(tmp_path, url)
    try:
        serve.wait_ready()
        results: list[tuple[str, int | str, float]] = []

        def call(client: httpx.Client, method: str, path: str, body: dict[str, str] | None) -> None:
            try:
                r = client.request(method, f"{serve.base}{path}", json=body, timeout=120)
                results.append((f"{method} {path}", r.status_code, time.monotonic()))
            except httpx.HTTPError as exc:
                results.append((f"{method} {path}", f"{type(exc).__name__}: {exc}", time.monotonic()))

        # Extraction runs one text at a time, so these queue up behind each other:
        # still in flight well after the signal.
        calls = [("POST", "/api/articles", {"text": _article(6), "title": "In flight at SIGTERM"})]
        calls += [("POST", "/api/extract", {"text": _article(3)}) for _ in range(6)]
        calls += [("GET", "/api/articles", None) for _ in range(4)]
        clients = [httpx.Client() for _ in calls]  # made beforehand: building one takes CPU time
        threads = [threading.Thread(target=call, args=(client, *c)) for client, c in zip(clients, calls, strict=True)]
        for t in threads:
            t.start()
        _wait_accepted(serve.port, len(calls))
        time.sleep(0.3)  # and their requests read: in flight
        sent = time.monotonic()
        serve.proc.send_signal(signal.SIGTERM)
        time.sleep(0.4)
        refused_at = time.monotonic()
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{serve.base}/health", timeout=2)
        for t in threads:
            t.join(timeout=180)
        code = serve.proc.wait(timeout=30)
        exited = time.monotonic()
        for client in clients:
            client.close()
    finally:
        serve.stop()
    last = max(done for _, _, done in results)
    pending_when_refused = sum(1 for _, _, done in results if done > refused_at)
    print(f"SIGTERM: {len(results)} requests in flight, statuses {sorted(str(s) for _, s, _ in results)}; "
          f"{pending_when_refused} still running when a new connection was refused; "
          f"last answer {last - sent:.2f} s after SIGTERM, exit {code} {exited - last:.2f} s after it")
    expected = [201 if p == "/api/articles" and m == "POST" else 200 for m, p, _ in calls]
    assert sorted((s for _, s, _ in results), key=str) == sorted(expected), results
    assert pending_when_refused >= 1  # the refusal happened while draining, not after
    assert code == 0, serve.output()
    assert exited - last < 5
    assert "Traceback" not in serve.output(), serve.output()
    assert faultkit.integrity_problems(url) == []
    snap = faultkit.store_snapshot(url)
    assert len(snap.articles) == 1 and snap.quote_total > 0  # the article posted in flight, whole


@pytest.fixture(scope="module")
def cluster() -> faultkit.ThrowawayCluster:
    try:
        c = faultkit.ThrowawayCluster()
    except (RuntimeError, OSError, subprocess.CalledProcessError) as exc:
        require(False, f"cannot start a PostgreSQL cluster of our own: {getattr(exc, 'stderr', None) or exc}")
        raise
    yield c
    c.destroy()


class Prober(threading.Thread):
    """Calls one path every 50 ms, noting each answer and how long it took."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.answers: list[tuple[float, int | None, float]] = []  # (sent, status or None, seconds)
        self.halt = threading.Event()

    def run(self) -> None:
        with httpx.Client() as client:
            while not self.halt.is_set():
                sent = time.monotonic()
                try:
                    status: int | None = client.get(self.url, timeout=5).status_code
                except httpx.HTTPError:
                    status = None
                self.answers.append((sent, status, time.monotonic() - sent))
                time.sleep(0.05)

    def first(self, status: int, after: float) -> float | None:
        """When the first answer with `status` arrived after `after`."""
        return next((sent + took for sent, s, took in self.answers if sent + took >= after and s == status), None)


def _wait(prober: Prober, status: int, after: float, timeout: float) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = prober.first(status, after)
        if found is not None:
            return found
        time.sleep(0.02)
    raise AssertionError(f"/ready did not answer {status} within {timeout} s: {prober.answers[-5:]}")


def test_database_going_away_is_503_on_ready_within_a_second_and_serve_recovers(
    tmp_path: Path, cluster: faultkit.ThrowawayCluster
) -> None:
    url = cluster.create_database("quotelens_away")
    serve = Serve(tmp_path, url)
    prober = Prober(f"{serve.base}/ready")
    health = Prober(f"{serve.base}/health")
    try:
        serve.wait_ready()
        first = httpx.post(f"{serve.base}/api/articles", json={"text": "“All is well,” the mayor said."}, timeout=60)
        assert first.status_code == 201, first.text
        prober.start()
        health.start()
        time.sleep(0.3)

        # 1. The server stops (connections refused).
        stopping = time.monotonic()
        cluster.stop("fast")
        stopped = time.monotonic()
        to_503 = _wait(prober, 503, stopped, timeout=5) - stopped
        time.sleep(1.0)
        t0 = time.monotonic()
        during = httpx.get(f"{serve.base}/api/articles", timeout=30)
        read_seconds = time.monotonic() - t0
        cluster.start()
        started = time.monotonic()
        to_200 = _wait(prober, 200, started, timeout=10) - started

        # 2. The server hangs (accepts, never answers): the timeouts must do the work.
        time.sleep(0.3)
        postmaster = cluster.postmaster_pid()
        os.kill(postmaster, signal.SIGSTOP)
        frozen = time.monotonic()
        try:
            hang_to_503 = _wait(prober, 503, frozen, timeout=5) - frozen
            time.sleep(1.0)
        finally:
            os.kill(postmaster, signal.SIGCONT)
        thawed = time.monotonic()
        hang_to_200 = _wait(prober, 200, thawed, timeout=10) - thawed

        # Reads and writes work again, with the same serve process.
        listing = httpx.get(f"{serve.base}/api/articles", timeout=30)
        second = httpx.post(f"{serve.base}/api/articles", json={"text": "“We are back,” the mayor said."}, timeout=60)
        for p in (prober, health):
            p.halt.set()
            p.join(timeout=10)
        serve.proc.send_signal(signal.SIGTERM)
        code = serve.proc.wait(timeout=30)
    finally:
        prober.halt.set()
        health.halt.set()
        serve.stop()
    slowest_ready = max(took for _, _, took in prober.answers)
    health_statuses = {s for _, s, _ in health.answers}
    print(f"database away: stop took {stopped - stopping:.2f} s; first 503 {to_503:.3f} s after it; "
          f"a read meanwhile answered {during.status_code} in {read_seconds:.2f} s; 200 again {to_200:.3f} s "
          f"after the restart; hung server: 503 after {hang_to_503:.3f} s, 200 {hang_to_200:.3f} s after "
          f"it resumed; {len(prober.answers)} /ready calls, slowest {slowest_ready:.3f} s; "
          f"{len(health.answers)} /health calls: {health_statuses}")
    assert to_503 <= 1.0 and hang_to_503 <= 1.5
    assert slowest_ready < 1.0, sorted(took for _, _, took in prober.answers)[-5:]
    assert health_statuses == {200}
    assert during.status_code == 503 and read_seconds < 10, during.text
    assert listing.status_code == 200 and listing.json()["total"] == 1
    assert second.status_code == 201, second.text
    assert code == 0, serve.output()
    assert faultkit.integrity_problems(url) == []


def _process_table() -> dict[int, tuple[int, str, str]]:
    """pid -> (parent pid, state, command line) of every process now."""
    table: dict[int, tuple[int, str, str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        table[int(entry.name)] = (int(fields[1]), fields[0], cmdline)
    return table


def _family(root: int) -> dict[int, str]:
    """The live processes descended from `root` (zombies left out), with their command lines."""
    table = _process_table()
    found: dict[int, str] = {}
    parents = {root}
    while parents:
        children = {pid for pid, (ppid, state, _) in table.items() if ppid in parents and state != "Z"}
        children -= set(found)
        found.update({pid: table[pid][2] for pid in children})
        parents = children
    return found


def _engines(root: int, n: int, timeout: float = 180) -> dict[int, str]:
    """Wait until `n` engine processes run under `root`; all of its descendants then."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        family = _family(root)
        if sum("serve_engine" in cmd for cmd in family.values()) == n:
            return family
        time.sleep(0.2)
    raise AssertionError(f"not {n} engine processes under {root} within {timeout} s: {_family(root)}")


def _still_running(pids: set[int], within: float) -> set[int]:
    deadline = time.monotonic() + within
    while True:
        table = _process_table()
        left = {pid for pid in pids if pid in table and table[pid][1] != "Z"}
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.1)


def _post_quietly(url: str, text: str) -> None:
    with contextlib.suppress(httpx.HTTPError):
        httpx.post(url, json={"text": text}, timeout=30)


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def _wait_busy(pids: list[int], timeout: float = 60) -> None:
    """Wait until one of `pids` spends CPU time steadily (reads a text)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = {pid: _cpu_ticks(pid) for pid in pids}
        time.sleep(0.5)
        if any(_cpu_ticks(pid) - before[pid] >= 10 for pid in pids):  # >= 0.1 s of CPU in 0.5 s
            return
    raise AssertionError(f"no engine process of {pids} got busy within {timeout} s")


@pytest.mark.parametrize("how, workers", [("SIGTERM", "1"), ("SIGKILL", "1"), ("SIGKILL", "2")])
def test_no_process_outlives_serve(tmp_path: Path, how: str, workers: str) -> None:
    """Each server process reads texts in an engine process of its own; none survives `serve`,
    stopped or killed (with --workers, uvicorn's worker processes too: sent SIGTERM when their
    supervisor is killed, they drain for at most --shutdown-timeout, then end with their engines)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
    serve = Serve(tmp_path, url, "--workers", workers, "--shutdown-timeout", "5")
    family: dict[int, str] = {}
    try:
        serve.wait_ready()
        family = _engines(serve.proc.pid, int(workers))
        r = httpx.post(f"{serve.base}/api/extract", json={"text": "“We will stay,” the mayor said."}, timeout=60)
        assert r.status_code == 200 and r.json()["quotes"], r.text
        if how == "SIGKILL":  # killed while its engine reads a long text (an idle one ends at end of input)
            long_text = _article(40)[:150_000]
            threading.Thread(target=lambda: _post_quietly(f"{serve.base}/api/extract", long_text), daemon=True).start()
            _wait_busy([pid for pid, cmd in family.items() if "serve_engine" in cmd])
        serve.proc.send_signal(signal.SIGTERM if how == "SIGTERM" else signal.SIGKILL)
        code = serve.proc.wait(timeout=60)
        left = _still_running(set(family), within=20)
    finally:
        serve.stop()
        for pid in _still_running(set(family), within=0):  # none left behind, even when the test fails
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    assert left == set(), {pid: family[pid] for pid in left}
    if how == "SIGTERM":
        assert code == 0, serve.output()
        assert "Traceback" not in serve.output(), serve.output()
