"""`quotelens serve` under faults, many rounds: SIGTERM with requests in flight, the database going away.

    uv run python benchmarks/kill_serve.py --rounds 10

Runs the two checks of tests/faults/test_faults_serve.py --rounds times each
(one PostgreSQL cluster of its own, from Debian's binaries, stopped, hung and
restarted under a running serve) and prints each round's numbers: requests in
flight and their answers, time to exit; time from the database stopping to the
first 503 on /ready, the slowest /ready, time back to 200. Exit status 1 when a
round failed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests" / "faults"))

import faultkit  # noqa: E402
import test_faults_serve as checks  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=5, help="rounds of each check (default 5)")
    args = p.parse_args()
    failures = 0
    cluster = faultkit.ThrowawayCluster()
    print(f"kill_serve: PostgreSQL cluster on 127.0.0.1:{cluster.port}", flush=True)
    try:
        for i in range(args.rounds):
            for name, check in (("sigterm", checks.test_sigterm_finishes_requests_in_flight_refuses_new_ones_and_exits_0),
                                ("database away",
                                 checks.test_database_going_away_is_503_on_ready_within_a_second_and_serve_recovers)):
                work = Path(tempfile.mkdtemp(prefix="quotelens-kill-serve-"))
                print(f"round {i + 1} {name}: ", end="", flush=True)
                try:
                    if name == "sigterm":
                        check(work)
                    else:
                        check(work, cluster)
                except Exception:
                    failures += 1
                    print(f"FAILED (work in {work})\n{traceback.format_exc()}", flush=True)
                finally:
                    if name != "sigterm":
                        cluster.drop_database("quotelens_away")
    finally:
        cluster.destroy()
    print(f"kill_serve: {2 * args.rounds - failures} of {2 * args.rounds} rounds passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
