"""Schemathesis over every operation of the API's OpenAPI document, in process (ASGI, no server).

The app is the real one (`api.web.app.create_app`) with the real attribution
pipeline, on a throwaway SQLite file unless `--database-url` names another
store (give it a throwaway database: the fuzzer merges, splits and renames).
A few short articles are stored first so reads have speakers and quotes to
return. Then, for each operation, Hypothesis draws `--examples` valid cases
(positive mode) and as many invalid ones (negative mode) and checks each answer:

  not_a_server_error            no 5xx, ever
  status_code_conformance       the status is documented for the operation
  content_type_conformance      so is the content type (problem+json for errors)
  response_schema_conformance   the body matches the documented schema
  negative_data_rejection       invalid input gets a 4xx, not a 2xx

and prints, per operation and mode, the cases run and the distinct failures,
each with a curl line to reproduce it; the exit status is 1 when any failed.

    uv run python benchmarks/fuzz_api.py --examples 500 [--database-url URL] [--seed N]

The test suite runs the same function with few examples
(tests/api/test_api_schemathesis.py).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SCHEMA_PATH = "/schema/openapi.json"
API_KEY = "fuzz-key"  # the app requires it for writes; schemathesis sends it (and tests leaving it out)

# Short articles with quotes from speakers who recur, so speaker, quote and
# article reads have something to find (and merges and splits something to move).
SEED_ARTICLES: list[dict[str, Any]] = [
    {
        "title": "US general predicts some troops will remain in Iraq",
        "outlet": "The Hill",
        "published": "2020-06-09",
        "url": "https://example.org/troops",
        "text": "“I believe that going forward, they’re going to want us to be with them,” U.S. Central "
        "Command head Marine Gen. Kenneth McKenzie told reporters Tuesday.\n“We will stay,” McKenzie said.",
    },
    {
        "title": "Pentagon on withdrawal",
        "published": "2021-01-15",
        "text": "Defense Secretary Lloyd Austin said that American troops would continue to advise Iraqi "
        "forces.\n“The justifications are no longer there,” Prime Minister Mohammed Shia al Sudani said.",
    },
    {
        "text": "“We stay,” Gen. Kenneth McKenzie said on Monday. Col. Myles B. Caggins III, the US military "
        "spokesperson, said “the mission is not over.”",
    },
]


@dataclass
class Failure:
    """One distinct failure: an operation and a kind of failed check, with the first case that showed it."""

    operation: str
    mode: str
    title: str
    message: str
    curl: str
    count: int = 1


@dataclass
class OperationRun:
    operation: str
    mode: str
    cases: int = 0
    seconds: float = 0.0
    note: str = ""
    statuses: Counter[str] = field(default_factory=Counter)  # "2xx": cases answered so


@dataclass
class FuzzReport:
    runs: list[OperationRun] = field(default_factory=list)
    failures: dict[tuple[str, str, str], Failure] = field(default_factory=dict)

    @property
    def operations(self) -> list[str]:
        return list(dict.fromkeys(r.operation for r in self.runs))

    @property
    def cases(self) -> int:
        return sum(r.cases for r in self.runs)

    @property
    def seconds(self) -> float:
        return sum(r.seconds for r in self.runs)

    def summary(self) -> str:
        lines = [f"{'operation':48} {'mode':9} {'cases':>6} {'failed':>6} {'seconds':>8}"]
        for r in self.runs:
            failed = sum(f.count for f in self.failures.values() if (f.operation, f.mode) == (r.operation, r.mode))
            statuses = " ".join(f"{k}:{v}" for k, v in sorted(r.statuses.items()))
            lines.append(f"{r.operation:48} {r.mode:9} {r.cases:6} {failed:6} {r.seconds:8.1f}  {statuses}  {r.note}".rstrip())
        lines.append(
            f"{len(self.operations)} operations, {self.cases} cases, {len(self.failures)} distinct failures "
            f"({sum(f.count for f in self.failures.values())} failing cases), {self.seconds:.1f} s"
        )
        for f in self.failures.values():
            lines += ["", f"FAILED {f.operation} [{f.mode}] {f.title} ({f.count}x)", f.message.strip(),
                      f"  reproduce: {f.curl}"]
        return "\n".join(lines)


def default_checks() -> list[Callable[..., Any]]:
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        negative_data_rejection,
        response_schema_conformance,
        status_code_conformance,
    )

    return [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
            negative_data_rejection]


def build_app(database_url: str | None, data_dir: Path, extractor: Any = None) -> Any:
    """The real app on `database_url` (a SQLite file in `data_dir` by default), migrated first."""
    import asyncio

    from api.store.migrate import upgrade
    from api.web.app import create_app
    from quotelens.settings import settings_from_env

    settings = settings_from_env({
        "QUOTELENS_DATA_DIR": str(data_dir),
        "QUOTELENS_RATE_LIMIT": "off",
        "QUOTELENS_SPEAKER_INDEX_REFRESH_SECONDS": "0",
        "QUOTELENS_API_KEYS": API_KEY,
    })
    url = database_url or f"sqlite+aiosqlite:///{data_dir / 'fuzz.db'}"
    asyncio.run(upgrade(url))  # the app never migrates: `quotelens serve` does it before starting
    return create_app(settings, extractor=extractor, database_url=url)


def seed_store(app: Any, articles: Iterable[dict[str, Any]] = SEED_ARTICLES) -> None:
    """Store the seed articles through the API (this also starts the app's lifespan)."""
    from schemathesis.python import asgi

    with asgi.get_client(app) as client:
        for article in articles:
            r = client.post("/api/articles", json=article, headers={"X-API-Key": API_KEY})
            if r.status_code not in (200, 201):
                raise RuntimeError(f"seeding failed: {r.status_code} {r.text[:300]}")


def run_fuzz(
    app: Any,
    *,
    examples: int,
    seed: int | None = None,
    checks: Sequence[Callable[..., Any]] | None = None,
    log: Callable[[str], None] | None = None,
) -> FuzzReport:
    """Every operation of the app's OpenAPI document, `examples` positive and negative cases each."""
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode

    chosen = list(checks or default_checks())
    config = schemathesis.Config.from_dict({"auth": {"openapi": {"ApiKey": {"api_key": API_KEY}}}})
    schema = schemathesis.openapi.from_asgi(SCHEMA_PATH, app, config=config)
    report = FuzzReport()
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            run = OperationRun(operation.label, mode.value)
            report.runs.append(run)

            check_case = _case_checker(report, run, chosen)
            test = given(case=operation.as_strategy(generation_mode=mode))(check_case)
            test = settings(
                max_examples=examples, deadline=None, database=None, derandomize=seed is None,
                suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate],
            )(test)
            if seed is not None:
                test = hypothesis_seed(seed)(test)
            started = time.perf_counter()
            try:
                test()
            except Unsatisfiable:
                run.note = "nothing to make invalid" if mode is GenerationMode.NEGATIVE else "unsatisfiable"
            run.seconds = time.perf_counter() - started
            if log:
                log(f"{run.operation:48} {run.mode:9} {run.cases:6} cases {run.seconds:6.1f} s")
    return report


def _case_checker(report: FuzzReport, run: OperationRun, checks: list[Callable[..., Any]]) -> Callable[[Any], None]:
    """A test body for one operation and mode: call, validate, record failures without raising."""
    from schemathesis.core.failures import Failure as CheckFailure
    from schemathesis.core.failures import FailureGroup

    def check_case(case: Any) -> None:
        run.cases += 1
        response = case.call()
        run.statuses[f"{response.status_code // 100}xx"] += 1
        try:
            case.validate_response(response, checks=checks)
        except (CheckFailure, FailureGroup) as exc:
            found = exc.exceptions if isinstance(exc, FailureGroup) else [exc]
            for failure in found:
                key = (run.operation, run.mode, failure.title)
                if key in report.failures:
                    report.failures[key].count += 1
                else:
                    report.failures[key] = Failure(run.operation, run.mode, failure.title, str(failure)[:1500],
                                                   case.as_curl_command()[:2000])

    return check_case


def stop_app(app: Any) -> None:
    """End the app's lifespan (closes its store) started by schemathesis's ASGI client."""
    from schemathesis.python import asgi

    asgi.shutdown_lifespans()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--examples", type=int, default=200, help="cases per operation and mode (default 200)")
    parser.add_argument("--database-url", default=None,
                        help="SQLAlchemy async URL of a THROWAWAY store (default: a temporary SQLite file)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: derandomized, repeatable)")
    args = parser.parse_args(argv)

    from attribution import Extractor

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="quotelens-fuzz-") as tmp:
        app = build_app(args.database_url, Path(tmp), extractor=Extractor())
        seed_store(app)
        try:
            report = run_fuzz(app, examples=args.examples, seed=args.seed,
                              log=lambda line: print(line, file=sys.stderr, flush=True))
        finally:
            stop_app(app)
    print(report.summary())
    print(f"total {time.perf_counter() - started:.1f} s (with pipeline load and seeding)")
    return 1 if report.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
