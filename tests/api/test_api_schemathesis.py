"""Schemathesis over every operation of the OpenAPI document: no 5xx, every answer as documented.

A short run of benchmarks/fuzz_api.py (which has the long one): the real app and
engine on SQLite, in process, valid and invalid cases for each operation, checked
for server errors, documented status codes and content types, response bodies
that match their schemas, and invalid input that is rejected.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from fuzz_api import build_app, run_fuzz, seed_store, stop_app  # noqa: E402

EXAMPLES = 12  # per operation and mode: about 300 cases, ~10 s


def test_every_operation_answers_as_documented(real_extractor, tmp_path: Path) -> None:  # noqa: ANN001
    app = build_app(None, tmp_path, extractor=real_extractor)
    try:
        seed_store(app)
        report = run_fuzz(app, examples=EXAMPLES)
    finally:
        stop_app(app)
    assert not report.failures, report.summary()
    operations = set(report.operations)
    assert {"POST /api/articles", "GET /api/articles/{article_id}", "GET /api/speakers",
            "PATCH /api/speakers/{id_or_slug}", "POST /api/speakers/{id_or_slug}/merge",
            "POST /api/speakers/{id_or_slug}/split", "POST /api/extract", "GET /api/quotes",
            "GET /health"} <= operations, report.summary()
    assert len(operations) >= 13
    # A real run: each operation with inputs got its cases, and some writes went through.
    assert all(run.cases >= 1 for run in report.runs if not run.note), report.summary()
    assert report.cases >= 20 * EXAMPLES, report.summary()  # probes without inputs have one case each
    writes = [r for r in report.runs if r.operation.startswith(("POST", "PATCH")) and r.mode == "positive"]
    assert sum(r.statuses["2xx"] for r in writes) > 0, report.summary()
