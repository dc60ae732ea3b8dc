"""Liveness benchmark: fair-cycle search on large explored graphs.

Runs `stateline check` on check blocks with temporal properties, each in a fresh
process (reaped with os.wait4 for its own peak memory), three times by default,
and prints the median: distinct states, transitions (edges of the graph),
seconds of search plus liveness analysis (the JSON `stats.seconds`), wall time
of the whole process, and peak RSS.

    python bench/liveness_bench.py [--runs K] [--markdown]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from tabulate import tabulate

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

CASES = [
    # (label, spec, check, defines, property, expected verdict)
    ("2PC N=7, fair TM and handlers", "specs/two_phase_commit.sl", "fairN3", ["N=7"],
     "AllDecide", "holds"),
    ("2PC N=7, fair handlers only", "specs/two_phase_commit.sl", "fairHandlersOnly", ["N=7"],
     "AllDecide", "violated"),
    ("Paxos ballots 0..2, no fairness", "specs/paxos.sl", "ballots012", [],
     "SomeValueChosen", "violated"),
]


def stateline() -> str:
    candidate = os.path.join(os.path.dirname(sys.executable), "stateline")
    return candidate if os.path.exists(candidate) else "stateline"


def run_once(spec, check, defines):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "r.json")
        cmd = [stateline(), "check", os.path.join(ROOT, spec), "--check", check,
               "--no-progress", "--json", out]
        for d in defines:
            cmd += ["-D", d]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        with open(out) as f:
            doc = json.load(f)
    return doc["results"][0], wall, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args(argv)
    rows, ok = [], True
    for label, spec, check, defines, prop, want in CASES:
        runs = [run_once(spec, check, defines) for _ in range(args.runs)]
        result = runs[0][0]
        verdict = next(p["result"] for p in result["properties"] if p["name"] == prop)
        ok &= verdict == want
        stats = result["stats"]
        rows.append([label, f"{stats['states']:,}", f"{stats['transitions']:,}",
                     f"{prop} {verdict}", f"{statistics.median(r[0]['stats']['seconds'] for r in runs):.2f}",
                     f"{statistics.median(r[1] for r in runs):.2f}",
                     f"{statistics.median(r[2] for r in runs):.0f}"])
    heads = ["check", "states", "transitions", "verdict", "search + liveness s", "wall s",
             "peak RSS MB"]
    print(f"median of {args.runs} runs; python {sys.version.split()[0]}; "
          f"{os.cpu_count()} cores; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(tabulate(rows, heads, tablefmt="github" if args.markdown else "simple",
                   disable_numparse=True))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
