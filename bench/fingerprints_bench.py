"""`check --fingerprints` against the exact search, on the same check blocks.

Runs `stateline check` in a fresh process per run (reaped with os.wait4), --runs times
(default 3), and prints the median wall time, the search time (the JSON `stats.seconds`),
the CPU time, the peak RSS, the peak RSS divided by the distinct states ("RSS bytes per
state", everything the process holds: interpreter, compiled model, tables), the bytes the
search itself stored per state (`stats.fingerprints.bytes_per_state`), and the counts,
which must be the same in both modes (the script fails if they differ).  The safety
properties only (`--invariant`): a temporal property keeps every state.

    python bench/fingerprints_bench.py [--runs K] [--cases 2PC-8,Paxos-012]
                                       [--modes exact,fingerprints] [--markdown]
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

from workers_bench import stateline   # (bench/ is the script's folder)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

TWO_PC = ["--invariant", "Consistent", "--invariant", "CommitNeedsAllPrepared"]
CASES = {
    # name: (label, spec, check, arguments)
    "2PC-7": ("2PC N=7", "specs/two_phase_commit.sl", "n3", ["-D", "N=7", *TWO_PC]),
    "2PC-8": ("2PC N=8", "specs/two_phase_commit.sl", "n3", ["-D", "N=8", *TWO_PC]),
    "2PC-9": ("2PC N=9", "specs/two_phase_commit.sl", "n3", ["-D", "N=9", *TWO_PC]),
    "Paxos-012": ("Paxos ballots 0..2", "specs/paxos.sl", "ballots012",
                  ["--invariant", "Agreement", "--invariant", "VotesWereProposed"]),
}


def run_once(spec, check, arguments, mode):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "r.json")
        cmd = [stateline(), "check", os.path.join(ROOT, spec), "--check", check,
               "--no-progress", "--json", out, *arguments]
        if mode == "fingerprints":
            cmd.append("--fingerprints")
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        with open(out) as f:
            doc = json.load(f)
    cpu = usage.ru_utime + usage.ru_stime
    return doc["results"][0], wall, cpu, usage.ru_maxrss * 1024


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--cases", default="2PC-7,2PC-8,Paxos-012")
    ap.add_argument("--modes", default="exact,fingerprints")
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args(argv)
    rows, ok = [], True
    for name in args.cases.split(","):
        label, spec, check, arguments = CASES[name]
        base = None
        for mode in args.modes.split(","):
            runs = [run_once(spec, check, arguments, mode) for _ in range(args.runs)]
            result = runs[0][0]
            stats = result["stats"]
            key = (stats["states"], stats["transitions"], stats["depth"],
                   [(p["name"], p["result"], p["trace"]) for p in result["properties"]])
            base = base or key
            ok &= key == base
            rss = statistics.median(r[3] for r in runs)
            stored = stats.get("fingerprints", {}).get("bytes_per_state")
            rows.append([label, mode, f"{stats['states']:,}",
                         f"{statistics.median(r[0]['stats']['seconds'] for r in runs):.2f}",
                         f"{statistics.median(r[1] for r in runs):.2f}",
                         f"{statistics.median(r[2] for r in runs):.2f}",
                         f"{rss / 2 ** 20:.0f}", f"{rss / stats['states']:.0f}",
                         f"{stored:.1f}" if stored is not None else "-",
                         "same" if key == base else "DIFFERENT"])
    heads = ["check", "mode", "states", "search s", "wall s", "CPU s", "peak RSS MiB",
             "RSS bytes/state", "stored bytes/state", "counts and traces"]
    print(tabulate(rows, heads, tablefmt="github" if args.markdown else "simple",
                   disable_numparse=True))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
