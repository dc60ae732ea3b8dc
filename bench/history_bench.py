"""History-checker benchmark: linearizability of long generated register histories.

For each case, a random history is generated in which every operation takes effect at
one instant between its invoke and its return (a timed-out one, reported as ``info``,
at most once after its invoke), so it is linearizable; 2% of the operations time out,
20% in the last two cases.  The "stale tail" cases append
three operations, one after another: a write of 100, a write of 101 and a read that
returns 100, so the history is not linearizable and the search has to exhaust every
linearization of the long prefix before it can say so, the Wing & Gong search's worst
place for a violation.  Each case is timed with `stateline.history.linearizable`
(its cache cleared before every run) and, for a violation, `check` (which adds the
explanation: a binary search for the shortest non-linearizable prefix).

    python bench/history_bench.py [--runs K] [--markdown]

The table shows the median of K runs (5 by default) in one process; the machine is
printed above it.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time

from tabulate import tabulate

from stateline.history import check, linearizable
from stateline.history import result as result_module
from stateline.history.model import count, pair

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from run_bench import machine  # noqa: E402  (bench/ is not a package)

CASES = [
    # (operations, processes, stale tail?, share of operations that time out)
    (200, 5, False, 0.02), (200, 5, True, 0.02),
    (1000, 5, False, 0.02), (1000, 5, True, 0.02),
    (200, 10, False, 0.02), (200, 10, True, 0.02),
    (1000, 10, False, 0.02), (500, 10, True, 0.02),   # 1000 by 10, stale: about 30 s
    (200, 5, False, 0.2), (200, 5, True, 0.2),
]
SEED = 1


def atomic_history(n: int, processes: int, seed: int, timeouts: float = 0.02) -> tuple:
    """A linearizable history of `n` operations by `processes` processes: reads and
    writes of 0..3, a share `timeouts` of them timing out (info)."""
    rng = random.Random(seed)
    register, events, pending, invoked = 0, [], {}, 0
    while invoked < n or pending:
        p = rng.randrange(processes)
        if p not in pending:
            if invoked < n:
                f = rng.choice(["read", "write"])
                value = rng.randrange(4) if f == "write" else None
                pending[p] = [f, value, False]          # [f, value, took effect?]
                events.append((p, "invoke", f, value))
                invoked += 1
        elif not pending[p][2]:
            f, value, _ = pending[p]
            if rng.random() < timeouts:                 # a timeout: maybe it took effect
                if f == "write" and rng.random() < 0.5:
                    register = value
                events.append((p, "info", f, value if f == "write" else None))
                del pending[p]
                continue
            if f == "write":
                register = value
            else:
                pending[p][1] = register
            pending[p][2] = True
        else:
            f, value, _ = pending.pop(p)
            events.append((p, "ok", f, value))
    return tuple(events)


def stale_tail(events: tuple) -> tuple:
    return events + ((0, "invoke", "write", 100), (0, "ok", "write", 100),
                     (1, "invoke", "write", 101), (1, "ok", "write", 101),
                     (2, "invoke", "read", None), (2, "ok", "read", 100))


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args(argv)
    rows, wrong = [], 0
    for n, procs, stale, timeouts in CASES:
        events = atomic_history(n, procs, SEED, timeouts)
        if stale:
            events = stale_tail(events)
        expected = not stale
        verdicts, search, explain = set(), [], []
        for _ in range(args.runs):
            result_module._linearizable.cache_clear()
            t0 = time.perf_counter()
            verdicts.add(linearizable(events, 0))
            search.append(time.perf_counter() - t0)
            if stale:
                explain.append(timed(lambda: check(events, "linearizable", 0)))
        ok = verdicts == {expected}
        wrong += not ok
        rows.append([count(pair(events)), len(events),
                     ("linearizable" if expected else "violated") + ("" if ok else " WRONG"),
                     f"{statistics.median(search):.3f}",
                     f"{min(search):.3f}-{max(search):.3f}",
                     f"{statistics.median(explain):.3f}" if explain else "-"])
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    for key, value in machine() + [("load average after", load)]:
        print(f"{key}: {value}")
    print(f"median of {args.runs} runs\n")
    headers = ["history", "events", "verdict", "linearizable() s", "min-max s",
               "check() with explanation s"]
    print(tabulate(rows, headers, tablefmt="github" if args.markdown else "simple"))
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
