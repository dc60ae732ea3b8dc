"""`check --workers N` against one process, on the same check blocks.

Runs `stateline check` in a fresh process per run (reaped with os.wait4: its CPU time
includes the worker processes it waited for), --runs times (default 3), and prints the
median wall time, the search time (the JSON `stats.seconds`), the CPU time of all the
processes, the peak RSS of the largest process, and the counts (which must not depend
on the number of workers: the script fails if they do).

    python bench/workers_bench.py [--runs K] [--workers 1,2] [--markdown]
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
    # (label, spec, check, defines)
    ("2PC N=7", "specs/two_phase_commit.sl", "n3", ["N=7"]),
    ("2PC N=8", "specs/two_phase_commit.sl", "n3", ["N=8"]),
    ("Paxos ballots 0..2", "specs/paxos.sl", "ballots012", []),
    ("Raft crashes", "specs/raft.sl", "crashes", []),
]


def stateline() -> str:
    candidate = os.path.join(os.path.dirname(sys.executable), "stateline")
    return candidate if os.path.exists(candidate) else "stateline"


def run_once(spec, check, defines, workers):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "r.json")
        cmd = [stateline(), "check", os.path.join(ROOT, spec), "--check", check,
               "--no-progress", "--workers", str(workers), "--json", out]
        for d in defines:
            cmd += ["-D", d]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        with open(out) as f:
            doc = json.load(f)
    cpu = usage.ru_utime + usage.ru_stime
    return doc["results"][0], wall, cpu, usage.ru_maxrss / 1024


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--only", default=None, help="run the cases whose label contains this")
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args(argv)
    counts = [int(w) for w in args.workers.split(",")]
    rows, ok = [], True
    for label, spec, check, defines in CASES:
        if args.only and args.only not in label:
            continue
        base = None
        for w in counts:
            runs = [run_once(spec, check, defines, w) for _ in range(args.runs)]
            result = runs[0][0]
            key = (result["stats"]["states"], result["stats"]["transitions"],
                   result["stats"]["depth"],
                   [(p["name"], p["result"], p["trace"]) for p in result["properties"]])
            base = base or key
            ok &= key == base
            rows.append([label, w, f"{result['stats']['states']:,}",
                         f"{statistics.median(r[0]['stats']['seconds'] for r in runs):.2f}",
                         f"{statistics.median(r[1] for r in runs):.2f}",
                         f"{statistics.median(r[2] for r in runs):.2f}",
                         f"{statistics.median(r[3] for r in runs):.0f}",
                         "same" if key == base else "DIFFERENT"])
    heads = ["check", "workers", "states", "search s", "wall s", "CPU s (all processes)",
             "peak RSS MB (largest process)", "counts and traces"]
    print(f"median of {args.runs} runs; python {sys.version.split()[0]}; "
          f"{os.cpu_count()} cores; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(tabulate(rows, heads, tablefmt="github" if args.markdown else "simple",
                   disable_numparse=True))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
