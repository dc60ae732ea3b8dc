"""`stateline prove --infer` (lemmas found by inference) against the hand-written proofs.

    python bench/infer_bench.py                  # 3 runs each (median)
    python bench/infer_bench.py --runs 1 --markdown

For each instance, two commands, each a fresh process reaped with os.wait4 (wall time
from spawn to exit, CPU = user + system of that process), run round-robin:

    stateline prove SPEC ... --infer [--max-literals K] [--proof GIVEN]   inference
    stateline prove SPEC ... --induction --proof proofs/NAME.sl          the hand proof

The result column says what inference printed: `found N lemmas` (the proof file they
make is proved by --induction), or `not found` with the reason.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys

from prove_bench import machine, run_once

INSTANCES = [
    # (name, spec, selection, inference options, hand proof)
    *[(f"two-phase commit N = {n}", "specs/two_phase_commit.sl",
       ["--check", "n3", "-D", f"N={n}"], [], "proofs/two_phase_commit.sl") for n in (3, 4, 5)],
    ("Lamport clocks, 2 processes, 1 event each", "specs/lamport_clock.sl",
     ["--check", "two", "-D", "MaxEvents=1"], ["--max-literals", "2"],
     "proofs/lamport_clock.sl"),
    ("Lamport clocks, 3 processes, 1 event each", "specs/lamport_clock.sl",
     ["--check", "three", "-D", "MaxEvents=1"], ["--max-literals", "2"],
     "proofs/lamport_clock.sl"),
    ("Paxos ballots 0..1, SafeProposals given", "specs/paxos.sl",
     ["--check", "ballots01"], ["--max-literals", "2", "--proof",
                                "bench/infer_paxos_given.sl"], "proofs/paxos.sl"),
]


def result(engine: str, code: int, out: str) -> str:
    if engine == "induction":
        return "proved" if code == 0 else f"exit {code}"
    m = re.search(r"lemmas found \((\d+)\); --induction with them: proved", out)
    if code == 0 and m:
        return f"found {m.group(1)} lemmas"
    why = re.search(r"not found: (.*)", out)
    return f"not found: {why.group(1)}" if why else f"exit {code}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args(argv)
    print(machine(), flush=True)
    plan = []
    for name, spec, select, opts, proof in INSTANCES:
        plan.append((name, "infer", ["prove", spec, *select, "--infer", *opts]))
        plan.append((name, "induction", ["prove", spec, *select, "--induction", "--proof",
                                         proof, "--quiet"]))
    times: dict[tuple, list] = {}
    for r in range(args.runs):
        for name, engine, cmd in plan:
            wall, cpu, code, out = run_once(cmd)
            v = result(engine, code, out)
            times.setdefault((name, engine), []).append((wall, cpu, v))
            print(f"run {r + 1}: {name:44} {engine:10} {wall:8.2f} s wall {cpu:8.2f} s CPU  "
                  f"{v}", flush=True)
    print()
    if args.markdown:
        print("| instance | engine | wall s | CPU s | result |")
        print("|---|---|---:|---:|---|")
    for name, engine, _ in plan:
        got = times[(name, engine)]
        wall = statistics.median(w for w, _, _ in got)
        cpu = statistics.median(c for _, c, _ in got)
        shown = "; ".join(sorted(set(v for _, _, v in got)))
        if args.markdown:
            print(f"| {name} | {engine} | {wall:.2f} | {cpu:.2f} | {shown} |")
        else:
            print(f"{name:44} {engine:10} {wall:8.2f} {cpu:8.2f}  {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
