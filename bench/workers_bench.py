"""`check --workers N` against one process, on the same check blocks.

Runs `stateline check` in a fresh process per run (reaped with os.wait4: its CPU time
includes the worker processes it waited for), --runs times (default 3), and prints the
median wall time, the search time (the JSON `stats.seconds`), the CPU time of all the
processes, the peak RSS of the largest process, and the counts (which must not depend
on the number of workers: the script fails if they do).  A worker count written
`ray:N` runs `--engine ray --workers N` (a local Ray instance of N CPUs started by each
run; the search time excludes Ray's start-up, the wall time includes it; the Ray actors
are not children of the run, so their CPU and memory are not in those columns:
`--ray-memory` prints each actor's peak RSS after one in-process run instead).

    python bench/workers_bench.py [--runs K] [--workers 1,2,ray:2] [--only 2PC N=8]
                                  [--markdown] [--ray-memory]
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
    engine, _, n = str(workers).rpartition(":")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "r.json")
        cmd = [stateline(), "check", os.path.join(ROOT, spec), "--check", check,
               "--no-progress", "--workers", n, "--json", out]
        if engine:
            cmd += ["--engine", engine]
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
    ap.add_argument("--ray-memory", action="store_true",
                    help="run each case once in this process with --engine ray --workers 2 "
                         "and print every actor's peak RSS")
    args = ap.parse_args(argv)
    if args.ray_memory:
        return ray_memory(args.only)
    counts = [w.strip() for w in args.workers.split(",")]
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


def ray_memory(only) -> int:
    """Each Ray actor's peak RSS after a search (and the driver's), in MB."""
    import resource

    sys.path.insert(0, ROOT)
    import stateline
    from stateline.checker import cluster
    from stateline.checker.run import CheckOptions
    from stateline.lang.load import parse_override

    cluster.connect(None, 2)
    for label, spec, check, defines in CASES:
        if only and only not in label:
            continue
        loaded = stateline.load_spec(os.path.join(ROOT, spec))
        [block] = stateline.check_blocks(loaded, [check])
        overrides = dict(parse_override(loaded, d) for d in defines)
        res = stateline.run_check(loaded, block, overrides,
                                  CheckOptions(workers=2, engine="ray"))
        rss = cluster.actors_peak_rss()
        driver = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{label}: {res.stats.states:,} states; actor peak RSS MB "
              f"{', '.join(f'{r:.0f}' for r in rss)}; driver {driver:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
