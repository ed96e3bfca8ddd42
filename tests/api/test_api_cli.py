"""`quotelens ingest` and `quotelens serve` as a person runs them."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from api.ingest.readers import article_from_text_file

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"


def cli_env(data_dir: Path, database_url: str | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUOTELENS_")}
    env["QUOTELENS_DATA_DIR"] = str(data_dir)
    if database_url:
        env["QUOTELENS_DATABASE_URL"] = database_url
    env.update(extra)
    return env


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], real_extractor):  # noqa: ANN001, ANN201
    """Run `quotelens ARGS` in this process (the pipeline stays loaded between runs)."""
    import io

    from quotelens.cli import main
    from quotelens.settings import get_settings

    def run(*args: str, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        for key in [k for k in os.environ if k.startswith("QUOTELENS_")]:
            monkeypatch.delenv(key)
        for key, value in env.items():
            if key.startswith("QUOTELENS_"):
                monkeypatch.setenv(key, value)
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin or ""))
        get_settings.cache_clear()
        capsys.readouterr()
        try:
            code = main(list(args))
        finally:
            get_settings.cache_clear()
        out = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out.out, out.err)

    return run


def test_text_file_layout_is_read() -> None:
    a = article_from_text_file("November 15, 2024\nTroops to leave Iraq\nBody text.\nSource: Al Arabiya\n")
    assert (a.title, str(a.published), a.outlet) == ("Troops to leave Iraq", "2024-11-15", "Al Arabiya")
    b = article_from_text_file((SEEDS / "002_278c33e5c3f68a46.txt").read_text())
    assert b.title == "US general predicts some troops will remain in Iraq" and b.published is None


def test_ingest_files_folders_and_json_lines(tmp_path: Path, database_url: str, run_cli) -> None:  # noqa: ANN001
    folder = tmp_path / "in"
    (folder / "nested").mkdir(parents=True)
    (folder / "one.txt").write_text("First headline\nThe minister said nothing new today.\n")
    (folder / "nested" / "two.md").write_text("Second headline\nAnother text entirely.\n")
    (folder / "ignored.csv").write_text("a,b\n")
    lines = [
        {"text": "A JSON line article.", "title": "J1", "published": "2024-01-02", "outlet": "Wire"},
        {"text": "Another JSON line article.", "url": "https://example.org/j2"},
        {"text": "A JSON line article."},  # the same text again
        {"txt": "wrong field"},
        {"text": "bad date", "published": "yesterday"},
    ]
    jsonl = tmp_path / "batch.jsonl"
    jsonl.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n")
    env = cli_env(tmp_path / "data", database_url)
    first = run_cli("ingest", "--batch-size", "2", str(folder), str(jsonl), env=env)
    assert first.returncode == 1, first.stderr  # some inputs failed
    assert "articles: 4 new, 1 already stored, 3 failed" in first.stdout, first.stdout
    assert "batch.jsonl:4: unknown fields: txt" in first.stderr
    assert "batch.jsonl:5" in first.stderr and "batch.jsonl:6" in first.stderr
    again = run_cli("ingest", "--no-progress", str(folder), env=env)
    assert again.returncode == 0, again.stderr
    assert "articles: 0 new, 2 already stored, 0 failed" in again.stdout
    piped = run_cli("ingest", "-", env=env, stdin=json.dumps({"text": "From standard input."}) + "\n")
    assert "articles: 1 new" in piped.stdout, piped.stdout + piped.stderr
    missing = run_cli("ingest", str(tmp_path / "nope"), env=env)
    assert missing.returncode == 2 and "no such file" in missing.stderr
    redo = run_cli("ingest", "--reprocess", "--no-progress", str(folder / "one.txt"), env=env)
    assert redo.returncode == 0 and "1 reprocessed" in redo.stdout, redo.stdout + redo.stderr


def test_ingest_seeds_with_worker_processes(tmp_path: Path, run_cli) -> None:  # noqa: ANN001
    env = cli_env(tmp_path / "data")
    r = run_cli("ingest", "--workers", "2", str(SEEDS / "000_b78522b14df423c1.txt"),
                str(SEEDS / "002_278c33e5c3f68a46.txt"), env=env)
    assert r.returncode == 0, r.stderr
    assert "articles: 2 new, 0 already stored, 0 failed" in r.stdout
    assert (tmp_path / "data" / "quotelens.db").exists()
    assert "ingest: 100%" in r.stderr  # the progress bar ran


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(base: str, proc: subprocess.Popen[str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited early ({proc.returncode}): {proc.stderr.read() if proc.stderr else ''}")
        try:
            if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError("serve did not become ready in time")


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "quotelens.cli", "serve", "--port", str(port), "--log-level", "warning"],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def test_serve_seeds_an_empty_store_and_keeps_what_it_acknowledged(
    tmp_path: Path, backend: str, database_url: str
) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name in ("000_b78522b14df423c1.txt", "002_278c33e5c3f68a46.txt"):
        (seeds / name).write_text((SEEDS / name).read_text())
    # SQLite: no database setting at all, as a newcomer runs it; PostgreSQL: by URL.
    env = cli_env(tmp_path / "data", database_url if backend == "postgresql" else None,
                  QUOTELENS_SEEDS_DIR=str(seeds), QUOTELENS_API_KEYS="k")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = _serve(env, port)
    try:
        _wait_ready(base, proc)
        assert httpx.get(f"{base}/api/articles").json()["total"] == 2  # seeded
        assert httpx.get(f"{base}/schema").status_code == 200
        acknowledged = []
        for i in range(5):
            r = httpx.post(f"{base}/api/articles", json={"text": f"Durability check {i}: “All is well,” she said."},
                           headers={"X-API-Key": "k"}, timeout=30)
            assert r.status_code == 201, r.text
            acknowledged.append(r.json()["id"])
    finally:
        proc.send_signal(signal.SIGKILL)  # no shutdown, no flush: as if the machine pulled the plug on it
        proc.wait(timeout=30)
    proc = _serve(env, port)  # restarts on the same store: no second seeding, nothing lost
    try:
        _wait_ready(base, proc)
        listing = httpx.get(f"{base}/api/articles", params={"limit": 100}).json()
        assert listing["total"] == 7
        assert set(acknowledged) <= {a["id"] for a in listing["items"]}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    err = proc.stderr.read() if proc.stderr else ""
    assert "Traceback" not in err, err
