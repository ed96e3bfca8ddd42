"""Shared by the fault tests (tests/faults) and the long fault commands (benchmarks/kill_*.py).

- `Forker`: a process that loads the attribution pipeline once and then forks a
  child per `quotelens ingest` run, killing it with SIGKILL after a given delay.
  The child is a real process running the real command against the real store;
  forking only saves the seconds each fresh process spends loading spaCy.
- `store_snapshot` / `integrity_problems`: what a store holds, and what is wrong
  with it (half-written articles, orphan rows, counters that disagree, and on
  SQLite `PRAGMA integrity_check` and `PRAGMA foreign_key_check`).
- `read_acks`: the articles `quotelens ingest --log` acknowledged.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
POLNEAR_DEV = Path(os.environ.get("QUOTELENS_POLNEAR_DEV", "/work/shared/polnear/dev")) / "text"

__all__ = ["require", "ThrowawayCluster", "Forker", "SubprocessRunner", "RunResult", "Snapshot", "KillReport", "kill_ingest_campaign",
           "make_corpus", "read_acks", "store_snapshot", "integrity_problems", "ROOT"]


def require(condition: bool, why: str) -> None:
    """In tests: fail under CI (CI=true) when a precondition is missing; elsewhere skip, saying why."""
    if condition:
        return
    import pytest

    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"fault test cannot run under CI: {why}", pytrace=False)
    pytest.skip(why)


def make_corpus(dest: Path, count: int, *, shortest: bool = False) -> list[Path]:
    """`count` article files in `dest`: the seeds, then PolNeAR dev texts (the shortest first, if asked).

    Without PolNeAR (a checkout alone), the seeds with their paragraphs rotated
    stand in: different texts, the same kind of quotes.
    """
    polnear = sorted(POLNEAR_DEV.glob("*.txt")) if POLNEAR_DEV.is_dir() else []
    if shortest:
        polnear.sort(key=lambda p: (p.stat().st_size, p.name))
    seeds = sorted(SEEDS.glob("*.txt"))
    if not seeds:
        raise RuntimeError(f"no seed articles in {SEEDS}")
    texts = [(f.name, f.read_text("utf-8")) for f in [*seeds, *polnear][:count]]
    rotation = 1
    while len(texts) < count:
        for seed in seeds[: count - len(texts)]:
            title, _, body = seed.read_text("utf-8").partition("\n")
            paragraphs = [x for x in body.splitlines() if x.strip()]
            k = rotation % max(1, len(paragraphs))
            texts.append((f"rotated{rotation}_{seed.name}",
                          title + "\n" + "\n".join(paragraphs[k:] + paragraphs[:k]) + "\n"))
        rotation += 1
    dest.mkdir(parents=True, exist_ok=True)
    out = []
    for i, (name, text) in enumerate(texts):
        target = dest / f"{i:03d}_{name}"
        target.write_text(text, "utf-8")
        out.append(target)
    return out


def read_acks(log: Path) -> dict[str, dict[str, Any]]:
    """Content hash → the log line of each article the log says was stored (new or before)."""
    acks: dict[str, dict[str, Any]] = {}
    if not log.exists():
        return acks
    for line in log.read_text("utf-8").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line cut short by the kill: not acknowledged
        if entry.get("status") in ("new", "already stored", "reprocessed") and entry.get("content_hash"):
            acks.setdefault(entry["content_hash"], entry)
    return acks


# --- the store -----------------------------------------------------------------


@dataclass
class Snapshot:
    """What a store holds, in terms that do not depend on row ids."""

    articles: dict[str, int]  # content hash → stored quote_count
    # Speakers by name, not slug: an unnamed source's slug carries its article's id, and
    # PostgreSQL spends sequence values on rolled-back inserts, so ids may differ.
    quotes: dict[str, list[tuple[Any, ...]]]  # content hash → (start, end, kind, speaker name) sorted
    speakers: list[tuple[Any, ...]]  # (name, kind, quote_count, article_count) sorted
    aliases: int
    seconds: float = 0.0  # how long the run that made it took, when known

    @property
    def quote_total(self) -> int:
        return sum(len(q) for q in self.quotes.values())


_SNAPSHOT_SQL = {
    "articles": "SELECT content_hash, quote_count FROM articles",
    "quotes": "SELECT a.content_hash, q.start_offset, q.end_offset, q.kind, s.name FROM quotes q "
              "JOIN articles a ON a.id = q.article_id LEFT JOIN speakers s ON s.id = q.speaker_id",
    "speakers": "SELECT name, kind, quote_count, article_count FROM speakers",
    "aliases": "SELECT count(*) FROM speaker_aliases",
}

# Each query returns rows only when something is wrong; the key says what.
_CONSISTENCY_SQL = {
    "quotes without their article":
        "SELECT q.id FROM quotes q LEFT JOIN articles a ON a.id = q.article_id WHERE a.id IS NULL",
    "quotes whose speaker is missing":
        "SELECT q.id FROM quotes q LEFT JOIN speakers s ON s.id = q.speaker_id "
        "WHERE q.speaker_id IS NOT NULL AND s.id IS NULL",
    "mentions without their quote, article or speaker":
        "SELECT m.id FROM mentions m LEFT JOIN quotes q ON q.id = m.quote_id "
        "LEFT JOIN articles a ON a.id = m.article_id LEFT JOIN speakers s ON s.id = m.speaker_id "
        "WHERE q.id IS NULL OR a.id IS NULL OR s.id IS NULL",
    "quotes with a speaker but no mention":
        "SELECT q.id FROM quotes q LEFT JOIN mentions m ON m.quote_id = q.id "
        "WHERE q.speaker_id IS NOT NULL AND m.id IS NULL",
    "articles whose quote_count disagrees with their quotes":
        "SELECT a.id FROM articles a LEFT JOIN (SELECT article_id, count(*) AS n FROM quotes GROUP BY article_id) c "
        "ON c.article_id = a.id WHERE a.quote_count <> coalesce(c.n, 0)",
    "speakers whose counters disagree with their quotes":
        "SELECT s.id FROM speakers s LEFT JOIN (SELECT speaker_id, count(*) AS n, count(DISTINCT article_id) AS arts "
        "FROM quotes GROUP BY speaker_id) c ON c.speaker_id = s.id "
        "WHERE s.quote_count <> coalesce(c.n, 0) OR s.article_count <> coalesce(c.arts, 0)",
    "speakers with no quote (half-written)":
        "SELECT s.id FROM speakers s WHERE s.edited = false AND NOT EXISTS "
        "(SELECT 1 FROM quotes q WHERE q.speaker_id = s.id)",
    "speakers with no alias (half-written)":
        "SELECT s.id FROM speakers s WHERE NOT EXISTS (SELECT 1 FROM speaker_aliases x WHERE x.speaker_id = s.id)",
    "aliases of a missing speaker":
        "SELECT x.id FROM speaker_aliases x LEFT JOIN speakers s ON s.id = x.speaker_id WHERE s.id IS NULL",
    "attributes of a missing speaker":
        "SELECT x.id FROM speaker_attributes x LEFT JOIN speakers s ON s.id = x.speaker_id WHERE s.id IS NULL",
    "duplicate quotes":
        "SELECT article_id FROM quotes GROUP BY article_id, start_offset, end_offset HAVING count(*) > 1",
    "duplicate articles":
        "SELECT content_hash FROM articles GROUP BY content_hash HAVING count(*) > 1",
}


def _sqlite_path(url: str) -> str:
    return make_url(url).database or ""


async def _pg_queries(url: str, queries: dict[str, str]) -> dict[str, list[tuple[Any, ...]]]:
    import asyncpg

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        return {k: [tuple(r) for r in await conn.fetch(q)] for k, q in queries.items()}
    finally:
        await conn.close()


def _run_queries(url: str, queries: dict[str, str]) -> dict[str, list[tuple[Any, ...]]]:
    if make_url(url).get_backend_name() == "sqlite":
        db = sqlite3.connect(f"file:{_sqlite_path(url)}?mode=ro", uri=True)
        try:
            return {k: db.execute(q.replace("= false", "= 0")).fetchall() for k, q in queries.items()}
        finally:
            db.close()
    return asyncio.run(_pg_queries(url, queries))


def _tables(url: str) -> set[str]:
    if make_url(url).get_backend_name() == "sqlite":
        if not Path(_sqlite_path(url)).exists():
            return set()  # killed before it created the file
        sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
    else:
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    return {r[0] for r in _run_queries(url, {"t": sql})["t"]}


_SCHEMA = {"articles", "quotes", "mentions", "speakers", "speaker_aliases", "speaker_attributes", "alembic_version"}


def store_snapshot(url: str) -> Snapshot:
    """The store's content (empty before the first migration committed)."""
    if "articles" not in _tables(url):
        return Snapshot({}, {}, [], 0)
    rows = _run_queries(url, _SNAPSHOT_SQL)
    quotes: dict[str, list[tuple[Any, ...]]] = {h: [] for h, _ in rows["articles"]}
    for h, *rest in rows["quotes"]:
        quotes.setdefault(h, []).append(tuple(rest))
    for q in quotes.values():
        q.sort(key=lambda r: tuple("" if v is None else v for v in r))
    return Snapshot(
        articles=dict(rows["articles"]),
        quotes=quotes,
        speakers=sorted(rows["speakers"]),
        aliases=rows["aliases"][0][0],
    )


def _fts_problems(path: str) -> list[str]:
    """The full-text index against itself and against the quotes (each quote once, under its key)."""
    from api.store.fulltext import FTS_KEY_SQL

    db = sqlite3.connect(path)  # FTS5's integrity-check is an INSERT: not on a read-only connection
    try:
        try:
            db.execute("INSERT INTO quotes_fts(quotes_fts) VALUES ('integrity-check')")
        except sqlite3.DatabaseError as exc:
            return [f"quotes_fts integrity-check: {exc}"]
        indexed = db.execute("SELECT count(*) FROM quotes_fts").fetchone()[0]
        quotes = db.execute("SELECT count(*) FROM quotes").fetchone()[0]
        missing = db.execute(
            f"SELECT count(*) FROM quotes WHERE {FTS_KEY_SQL} NOT IN (SELECT rowid FROM quotes_fts)"
        ).fetchone()[0]
    finally:
        db.close()
    if indexed != quotes or missing:
        return [f"quotes_fts: {indexed} rows for {quotes} quotes, {missing} quotes not indexed under their key"]
    return []


def integrity_problems(url: str) -> list[str]:
    """What is wrong with the store (empty when nothing is)."""
    problems = []
    if make_url(url).get_backend_name() == "sqlite" and Path(_sqlite_path(url)).exists():
        db = sqlite3.connect(f"file:{_sqlite_path(url)}?mode=ro", uri=True)
        try:
            check = [r[0] for r in db.execute("PRAGMA integrity_check").fetchall()]
            if check != ["ok"]:
                problems.append(f"PRAGMA integrity_check: {check[:5]}")
            fk = db.execute("PRAGMA foreign_key_check").fetchall()
            if fk:
                problems.append(f"PRAGMA foreign_key_check: {fk[:5]}")
            if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'quotes_fts'").fetchone():
                problems += _fts_problems(_sqlite_path(url))
        finally:
            db.close()
    tables = _tables(url)
    if not tables & _SCHEMA:
        return problems  # killed before its first migration committed: an empty store
    if not tables >= _SCHEMA:
        return [*problems, f"a half-made schema: missing {sorted(_SCHEMA - tables)}"]
    for what, rows in _run_queries(url, _CONSISTENCY_SQL).items():
        if rows:
            problems.append(f"{what}: {len(rows)} (e.g. {rows[:3]})")
    return problems


# --- a PostgreSQL server of one's own ----------------------------------------------


class ThrowawayCluster:
    """A PostgreSQL cluster from Debian's binaries on a free loopback port, to stop and start at will.

    (RuntimeError when there are no binaries in /usr/lib/postgresql/*/bin.)
    """

    def __init__(self) -> None:
        import glob
        import pwd
        import tempfile

        candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
        if not candidates:
            raise RuntimeError("no PostgreSQL binaries in /usr/lib/postgresql/*/bin (apt-get install postgresql)")
        self.bindir = os.path.dirname(candidates[-1])
        self.base = tempfile.mkdtemp(prefix="quotelens-faults-pg-")
        self.datadir = os.path.join(self.base, "data")
        self.run_as: list[str] = []
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("running as root and there is no 'postgres' user") from None
            shutil.chown(self.base, "postgres", "postgres")
            self.run_as = ["runuser", "-u", "postgres", "--"]
        with __import__("socket").socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self._run("initdb", "-D", self.datadir, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        self.start()

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, program: str, *args: str) -> None:
        subprocess.run([*self.run_as, f"{self.bindir}/{program}", *args], check=True, capture_output=True,
                       text=True, timeout=120)

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c max_connections=50")
        self._run("pg_ctl", "-D", self.datadir, "-o", options, "-l", os.path.join(self.base, "log"), "-w", "-t", "60",
                  "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", self.datadir, "-m", mode, "-w", "-t", "60", "stop")

    def postmaster_pid(self) -> int:
        with open(os.path.join(self.datadir, "postmaster.pid")) as f:
            return int(f.readline())

    def _admin(self, sql: str) -> None:
        async def go() -> None:
            import asyncpg

            conn = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres", timeout=10)
            try:
                await conn.execute(sql)
            finally:
                await conn.close()

        asyncio.run(go())

    def create_database(self, name: str) -> str:
        self._admin(f'CREATE DATABASE "{name}"')
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{name}"

    def drop_database(self, name: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self.stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)


# --- forking ingest runs ---------------------------------------------------------


def _new_acks(path: str | None) -> int:
    """How many articles the log acknowledges as newly stored."""
    try:
        with open(path or "", "rb") as f:
            return f.read().count(b'"status": "new"')
    except OSError:
        return 0


@dataclass
class KillPlan:
    """When to SIGKILL a run: `after` seconds from its start, or `extra` seconds after the
    `acks`-th article it acknowledged as new in `log` (whichever comes first)."""

    after: float | None = None
    log: str | None = None
    acks: int = 0
    extra: float = 0.0

    def watch(self, started: float) -> _KillWatch:
        return _KillWatch(self, started, _new_acks(self.log) if self.log else 0)


class _KillWatch:
    def __init__(self, plan: KillPlan, started: float, base_lines: int) -> None:
        self.plan, self.started, self.base = plan, started, base_lines
        self.ack_deadline: float | None = None

    def due(self) -> bool:
        now = time.monotonic()
        if self.plan.after is not None and now - self.started >= self.plan.after:
            return True
        if self.plan.log and self.ack_deadline is None and _new_acks(self.plan.log) - self.base >= self.plan.acks:
            self.ack_deadline = now + self.plan.extra
        return self.ack_deadline is not None and now >= self.ack_deadline


@dataclass
class RunResult:
    """One `quotelens ingest` run in a forked child."""

    killed: bool  # SIGKILLed while still running
    code: int  # exit code, or minus the signal number
    seconds: float


class Forker:
    """A zygote process with the pipeline loaded, forking one child per ingest run."""

    def __init__(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(
            [sys.executable, "-u", str(Path(__file__).resolve()), "zygote"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env,
        )
        hello = self._read(timeout=180)
        if hello.get("ready") is not True:
            raise RuntimeError(f"the ingest zygote did not start: {hello}")

    def _read(self, timeout: float) -> dict[str, Any]:
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else ""
        if not line:
            raise RuntimeError(f"the ingest zygote stopped answering (exit {self.proc.poll()})")
        return dict(json.loads(line))

    def run(self, argv: list[str], env: dict[str, str], output: Path, kill: KillPlan | None,
            timeout: float = 600) -> RunResult:
        """Run `quotelens ARGV` in a forked child with `env` as its QUOTELENS_* settings."""
        assert self.proc.stdin is not None
        request = {"argv": argv, "env": env, "output": str(output),
                   "kill": None if kill is None else [kill.after, kill.log and str(kill.log), kill.acks, kill.extra]}
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        answer = self._read(timeout)
        return RunResult(bool(answer["killed"]), int(answer["code"]), float(answer["seconds"]))

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self) -> Forker:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _zygote() -> int:
    from attribution import Extractor

    extractor = Extractor()  # loads spaCy into this process once
    for seed in sorted(SEEDS.glob("*.txt")):  # and warms it: its first long texts are slow
        extractor.extract(seed.read_text("utf-8"))
    import alembic.command  # noqa: F401 - imported once here, not in each child

    import quotelens.commands.ingest  # noqa: F401
    from api.ingest.batches import ingest_paths  # noqa: F401
    from api.store import migrate  # noqa: F401
    from quotelens.cli import main
    from quotelens.settings import get_settings

    def say(obj: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

    say({"ready": True})
    for line in sys.stdin:
        request = json.loads(line)
        started = time.monotonic()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child: becomes `quotelens ARGV`
            code = 70
            try:
                fd = os.open(request["output"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
                os.dup2(fd, 1)
                os.dup2(fd, 2)
                for key in [k for k in os.environ if k.startswith("QUOTELENS_")]:
                    del os.environ[key]
                os.environ.update(request["env"])
                get_settings.cache_clear()
                code = main(request["argv"])
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        plan = None if request["kill"] is None else KillPlan(*request["kill"])
        watch = None if plan is None else plan.watch(started)
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if watch is not None and watch.due():
                os.kill(pid, signal.SIGKILL)  # still ours: not reaped yet, so the pid cannot be reused
                _, status = os.waitpid(pid, 0)
                break
            time.sleep(0.002)
        code = os.waitstatus_to_exitcode(status)
        killed = code == -signal.SIGKILL  # not when it had exited just before the kill
        say({"killed": killed, "code": code, "seconds": round(time.monotonic() - started, 3)})
    return 0


class SubprocessRunner:
    """Runs `quotelens ARGV` as a fresh `python -m quotelens.cli` process (loads spaCy each time).

    `code_dir`: where to import quotelens from (a frozen copy keeps every run on the
    same engine while the checkout is being edited); the checkout by default.
    """

    def __init__(self, code_dir: Path = ROOT) -> None:
        self.code_dir = code_dir

    def run(self, argv: list[str], env: dict[str, str], output: Path, kill: KillPlan | None,
            timeout: float = 600) -> RunResult:
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("QUOTELENS_")} | env
        started = time.monotonic()
        watch = None if kill is None else kill.watch(started)
        with open(output, "ab") as out:
            proc = subprocess.Popen([sys.executable, "-m", "quotelens.cli", *argv], cwd=self.code_dir, env=full_env,
                                    stdout=out, stderr=out)
            while proc.poll() is None:
                if (watch is not None and watch.due()) or time.monotonic() - started > timeout:
                    proc.send_signal(signal.SIGKILL)
                    break
                time.sleep(0.005)
            code = proc.wait()
        return RunResult(code == -signal.SIGKILL, code, round(time.monotonic() - started, 3))


class Runner(Protocol):
    def run(self, argv: list[str], env: dict[str, str], output: Path, kill: KillPlan | None,
            timeout: float = 600) -> RunResult: ...


@dataclass
class KillReport:
    """What a kill campaign did and found."""

    kills: int = 0
    runs: int = 0
    cycles: int = 0  # stores ingested to the end (each after some kills)
    acknowledged: int = 0  # distinct articles acknowledged, summed over cycles
    acknowledged_by_killed: int = 0  # of which acknowledged by runs that were then killed
    lost: int = 0  # acknowledged but not in the store
    duplicated: int = 0  # articles or quotes stored twice
    half_written: int = 0  # stored articles whose quotes differ from the clean run
    kill_delays: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        delays = sorted(self.kill_delays)
        span = f"{delays[0]:.2f}-{delays[-1]:.2f} s" if delays else "-"
        return (f"kills: {self.kills} (after {span}) in {self.runs} runs, {self.cycles} stores ingested to the end; "
                f"articles acknowledged: {self.acknowledged} ({self.acknowledged_by_killed} by killed runs), lost: {self.lost}, duplicated: {self.duplicated}, "
                f"half-written: {self.half_written}; problems: {len(self.problems)}")


def _shape(quotes: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return [(*q[:-1], q[-1] is not None) for q in quotes]


def _check_store(url: str, acks: dict[str, dict[str, Any]], clean: Snapshot, report: KillReport,
                 when: str) -> Snapshot:
    problems = integrity_problems(url)
    snap = store_snapshot(url)
    lost = [h for h in acks if h not in snap.articles]
    # Whatever the engine: an acknowledged article holds the quotes it was acknowledged with.
    short = [h for h, ack in acks.items() if ack.get("status") == "new" and h in snap.quotes
             and len(snap.quotes[h]) != ack.get("quotes")]
    problems += [f"stored with other quotes than acknowledged: {h[:12]} ({len(snap.quotes[h])} vs "
                 f"{acks[h].get('quotes')})" for h in short]
    report.half_written += len(short)
    # Mid-run a speaker's display name may still change (a later article can give a
    # fuller one), so here only whether each quote has a speaker is compared.
    wrong_quotes = [h for h, q in snap.quotes.items() if _shape(q) != _shape(clean.quotes.get(h, []))]
    unknown = [h for h in snap.articles if h not in clean.articles]
    dup_quotes = sum(len(q) - len(set(q)) for q in snap.quotes.values())
    report.lost += len(lost)
    report.half_written += len(wrong_quotes)
    report.duplicated += dup_quotes
    problems += [f"acknowledged but not stored: {h[:12]}" for h in lost]
    problems += [f"quotes differ from the clean run: {h[:12]} ({len(snap.quotes[h])} vs "
                 f"{len(clean.quotes.get(h, []))})" for h in wrong_quotes]
    problems += [f"an article the clean run does not have: {h[:12]}" for h in unknown]
    if dup_quotes:
        problems.append(f"{dup_quotes} duplicate quotes")
    report.problems += [f"{when}: {p}" for p in problems]
    return snap


def kill_ingest_campaign(
    runner: Runner,
    corpus: Path,
    fresh_store: Callable[[], str],
    workdir: Path,
    clean: Snapshot,
    *,
    kills: int,
    window: tuple[float, float],
    article_seconds: float,
    rng: random.Random,
    say: Callable[[str], None] = lambda _line: None,
) -> KillReport:
    """SIGKILL `quotelens ingest` of `corpus` at random moments until `kills` kills are done.

    Some kills (40%) come at a random time in `window` seconds from the start
    (start-up and migration included), the others at a random time within about one
    article's work (`article_seconds`) after its first or second acknowledgement,
    so that kills land mid-extraction, mid-transaction and between commit and log line.

    After every run the store is checked: every acknowledged article stored, with
    exactly the clean run's quotes, and nothing inconsistent. When a run gets to
    the end, the store must equal the clean run's; then the campaign goes on
    with a fresh store (from `fresh_store`) until enough kills are done.
    """
    report = KillReport()
    while report.kills < kills:
        url = fresh_store()
        cycle = workdir / f"cycle{report.cycles}"
        cycle.mkdir(parents=True, exist_ok=True)
        log = cycle / "acks.jsonl"
        killed_acks = 0
        env = {"QUOTELENS_DATABASE_URL": url, "QUOTELENS_DATA_DIR": str(cycle / "data"),
               "QUOTELENS_SPEAKER_INDEX_REFRESH_SECONDS": "0"}
        while True:
            plan: KillPlan | None = None
            if report.kills < kills:
                if rng.random() < 0.4:
                    plan = KillPlan(after=rng.uniform(*window))
                else:
                    plan = KillPlan(after=window[1] + 8 * article_seconds, log=str(log), acks=rng.choice((1, 1, 2)),
                                    extra=rng.uniform(0, 1.5 * article_seconds))
            argv = ["ingest", "--no-progress", "--batch-size", str(rng.choice((1, 1, 2))),
                    "--log", str(log), str(corpus)]
            result = runner.run(argv, env, cycle / "output.txt", plan)
            report.runs += 1
            acks = read_acks(log)
            when = f"cycle {report.cycles} run {report.runs}"
            if result.killed:
                report.kills += 1
                report.kill_delays.append(result.seconds)
            elif result.code != 0:
                report.problems.append(f"{when}: ingest exited {result.code}; see {cycle / 'output.txt'}")
                return report
            snap = _check_store(url, acks, clean, report, when + (" (killed)" if result.killed else ""))
            outcome = f"killed after {result.seconds:.2f} s" if result.killed else "finished"
            say(f"{when}: {outcome}; "
                f"{len(acks)} acknowledged, {len(snap.articles)} stored")
            if result.killed:
                killed_acks = len(acks)
            else:  # it got to the end: the store must be the clean run's
                report.acknowledged += len(acks)
                report.acknowledged_by_killed += killed_acks
                if len(acks) != len(clean.articles):
                    report.problems.append(f"{when}: {len(acks)} acknowledged of {len(clean.articles)} articles")
                if snap.articles != clean.articles or snap.quotes != clean.quotes:
                    report.problems.append(f"{when}: articles or quotes differ from the clean run")
                if snap.speakers != clean.speakers or snap.aliases != clean.aliases:
                    report.problems.append(f"{when}: speakers differ from the clean run "
                                           f"({len(snap.speakers)} vs {len(clean.speakers)})")
                report.cycles += 1
                break
    return report


if __name__ == "__main__":
    if sys.argv[1:] == ["zygote"]:
        sys.exit(_zygote())
    sys.exit(f"usage: {sys.argv[0]} zygote  (used by Forker)")
