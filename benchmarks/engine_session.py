"""Why the engine process is a session of its own (issue 12): how late a server wakes while the engine reads.

    uv run python benchmarks/engine_session.py              # 8 s a case, 2 rounds, 2 busy sessions
    uv run python benchmarks/engine_session.py --busy 0     # a box with nothing else to do

This process stands for the server: it sleeps 5 ms (waiting on its sockets), wakes, does
a little work, again and again. A child spinning on a CPU stands for the engine reading a
text, lowered by `engine_process.lower_priority` (--nice, QUOTELENS_NLP_NICE's default);
--busy processes spinning in sessions of their own stand for the other users of a shared
box. The cases, alternated --rounds times:

- same session: the engine started as a plain child (as before issue 12 was finished): its
  nice lowered, which on Linux with autogroup ranks it against the server's session
  alone, while that session as a whole, the engine's work in it, competes with the others;
- own session: started with start_new_session, as `ProcessEngine` does (the default);
- own session lowered: its session's nice raised by --nice too (QUOTELENS_NLP_SESSION_NICE);
- no engine.

Prints per case how late the wake-ups were (p50 / p99 / p99.9 / max, ms), how many there
were (fewer: the server got less CPU), and the load average. Linux; elsewhere both engine
cases are the same.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLEEP = 0.005
_SPIN = "while True: pass"
_ENGINE = ("import sys; from api.ingest.engine_process import lower_priority; "
           "lower_priority(int(sys.argv[1]), int(sys.argv[2]), session_nice=int(sys.argv[3]))\n" + _SPIN)


def _pct(ordered: list[float], p: float) -> float:
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def _wake_ups(seconds: float) -> list[float]:
    """Lateness (ms) of each wake-up from a SLEEP-second sleep, for `seconds`."""
    late: list[float] = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        t0 = time.perf_counter()
        time.sleep(SLEEP)
        late.append((time.perf_counter() - t0 - SLEEP) * 1000)
        sum(range(2_000))  # a little work per wake-up, as a request is
    return late


def _case(name: str, nice: int, seconds: float) -> list[float]:
    engine = None
    if name != "no engine":
        session_nice = nice if name == "own, lowered" else 0
        engine = subprocess.Popen([sys.executable, "-c", _ENGINE, str(nice), str(os.getpid()), str(session_nice)],
                                  cwd=ROOT, start_new_session=name.startswith("own"))
    try:
        time.sleep(0.5)  # the engine lowered and spinning
        return _wake_ups(seconds)
    finally:
        if engine is not None:
            engine.kill()
            engine.wait()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=8.0, help="per case and round (default 8)")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--busy", type=int, default=2, help="other sessions spinning on a CPU (default 2)")
    p.add_argument("--nice", type=int, default=10)
    args = p.parse_args()
    cases = ("same session", "own session", "own, lowered", "no engine")
    late: dict[str, list[float]] = {case: [] for case in cases}
    loads = [os.getloadavg()[0]]
    busy = [subprocess.Popen([sys.executable, "-c", _SPIN], start_new_session=True) for _ in range(args.busy)]
    try:
        for _ in range(args.rounds):
            for case in cases:
                late[case] += _case(case, args.nice, args.seconds)
                loads.append(os.getloadavg()[0])
    finally:
        for proc in busy:
            proc.kill()
            proc.wait()
    print(f"{os.cpu_count()} CPUs, {args.busy} busy sessions, engine at nice {args.nice}; load average (1 min) "
          f"{min(loads):.2f}-{max(loads):.2f}; {args.rounds} x {args.seconds:g} s a case")
    for case in cases:
        ordered = sorted(late[case])
        print(f"  {case:13s} wake-ups {len(ordered):5d}, late p50 {_pct(ordered, 50):.2f} ms, "
              f"p99 {_pct(ordered, 99):.2f} ms, p99.9 {_pct(ordered, 99.9):.2f} ms, max {ordered[-1]:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
