"""`quotelens export` on the store the browser tests' server holds: the same quotes as the API lists."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from typing import Any

from browser_kit import ROOT, Server


def _export(server: Server, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUOTELENS_")}
    env["QUOTELENS_DATA_DIR"] = str(server.log.parent)  # the server's store
    return subprocess.run([sys.executable, "-m", "quotelens.cli", "export", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def _api_ids(server: Server, **params: Any) -> list[int]:
    ids: list[int] = []
    while True:
        page = server.api("/api/quotes", limit=100, offset=len(ids), **params)
        ids += [q["id"] for q in page["items"]]
        if len(ids) >= page["total"] or not page["items"]:
            return ids


def test_export_writes_what_the_api_lists(server: Server) -> None:
    done = _export(server)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [int(r["quote_id"]) for r in rows] == _api_ids(server)
    assert f"export: {len(rows)} quotes" in done.stderr
    # Filters as on the API, JSON Lines on request.
    outlet = next(o["outlet"] for o in server.api("/api/stats/outlets")["items"] if o["outlet"])
    done = _export(server, "--format", "jsonl", "--outlet", outlet, "--kind", "indirect")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [q["id"] for q in lines] == _api_ids(server, outlet=outlet, kind="indirect") and lines
    assert {q["article"]["outlet"] for q in lines} == {outlet}


def test_export_of_a_speaker_on_a_topic(server: Server) -> None:
    slug = server.api("/api/speakers", q="McKenzie")["items"][0]["slug"]
    done = _export(server, "--speaker", "McKenzie", "--q", "Iraq", "--limit", "2")
    assert done.returncode == 0, done.stderr
    expected = [q["id"] for q in server.api(f"/api/speakers/{slug}/quotes", q="Iraq", limit=2)["items"]]
    assert [int(r["quote_id"]) for r in csv.DictReader(io.StringIO(done.stdout))] == expected and expected
    missing = _export(server, "--speaker", "zzzz qqqq")
    assert missing.returncode == 1 and "no speaker matches" in missing.stderr
