"""`stateline prove` against `stateline check` on the same instances.

    python bench/prove_bench.py                  # 3 runs each (median), --auto timeout 60 s
    python bench/prove_bench.py --runs 1 --auto-timeout 20 --markdown
    python bench/prove_bench.py --any-size --markdown   # the proofs for every size
    python bench/prove_bench.py --any-size-drops --markdown   # Paxos without each lemma

Instances: two-phase commit N = 3..6 (`--check n3 -D N=<n>`) and Paxos ballots 0..1
and 0..2 (`--check ballots012 -D MaxBallot=<b>`).  For each, four commands, each a
fresh process reaped with os.wait4 (wall time from spawn to exit, CPU = user +
system of that process):

    stateline check SPEC ... --no-progress                       explicit BFS
    stateline prove SPEC ... --induction --proof proofs/NAME.sl  induction with lemmas
    stateline prove SPEC ... --auto --timeout T                  Spacer
    stateline prove SPEC ... --bmc 10                            BMC to depth 10

With `--any-size`, the proofs for every instance size instead (one command each, the
check block named, `--quiet`): two-phase commit (`--any-size`), Lamport clocks, Paxos
and Raft election safety (their proof files' `any size` lines); Raft's terms 0..1 and
0..3 (`-D MaxTerm=3`).

With `--any-size-drops`, the Paxos proof for every size with each of its lemmas dropped in
turn (`--drop LEMMA`, expected exit 1): the result is the first counterexample to
induction printed (what it breaks, by which step, in which instance), and a run whose
CTI does not say it violates the dropped lemma is FAILED.

Runs go round-robin (run 1 of every command, then run 2, ...) so a change in the
machine's load spreads over all of them.  The table gives the median wall and CPU
seconds and the verdict (`proved`, `unknown` after the timeout, ...) read from the
output, with how many runs gave it when they differ (the timeout is wall-clock time); an exit status other than the expected one is printed as FAILED and the
script exits 1.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATELINE = [sys.executable, "-m", "stateline"]


def instances():
    for n in (3, 4, 5, 6):
        yield (f"two-phase commit N = {n}", "specs/two_phase_commit.sl",
               ["--check", "n3", "-D", f"N={n}"], "proofs/two_phase_commit.sl")
    for b in (1, 2):
        yield (f"Paxos ballots 0..{b}", "specs/paxos.sl",
               ["--check", "ballots012", "-D", f"MaxBallot={b}"], "proofs/paxos.sl")


ANY_SIZE = [
    ("two-phase commit, every N", ["prove", "specs/two_phase_commit.sl", "--check", "n3",
                                   "--induction", "--proof", "proofs/two_phase_commit.sl",
                                   "--any-size"]),
    ("Lamport clocks, every number of processes",
     ["prove", "specs/lamport_clock.sl", "--check", "three", "--induction", "--proof",
      "proofs/lamport_clock_any_size.sl"]),
    ("Paxos, every number of acceptors and values (ballots 0..1)",
     ["prove", "specs/paxos.sl", "--check", "ballots01", "--induction", "--proof",
      "proofs/paxos_any_size.sl"]),
    ("Raft election safety, every number of servers (terms 0..1)",
     ["prove", "specs/raft_election.sl", "--check", "three", "--induction", "--proof",
      "proofs/raft_election_any_size.sl"]),
    ("Raft election safety, every number of servers (terms 0..3)",
     ["prove", "specs/raft_election.sl", "--check", "three", "-D", "MaxTerm=3",
      "--induction", "--proof", "proofs/raft_election_any_size.sl"]),
]


PAXOS_ANY_SIZE = ["prove", "specs/paxos.sl", "--check", "ballots01", "--induction",
                  "--proof", "proofs/paxos_any_size.sl", "--quiet"]


def drops():
    """(name, argv) of the Paxos any-size proof without each of its lemmas."""
    text = (ROOT / "proofs/paxos_any_size.sl").read_text()
    for lemma in re.findall(r"^lemma (\w+)", text, re.M):
        yield f"Paxos without {lemma}", PAXOS_ANY_SIZE + ["--drop", lemma]


def cti_verdict(code: int, out: str) -> str:
    """The first CTI of a drop run, or what went wrong."""
    head = re.search(r"^Counterexample to induction: [^:]*: (.*)$", out, re.M)
    shown = re.search(r"shown in the instance (.*)\)$", out, re.M)
    if code != 1 or head is None or shown is None or "violates the dropped lemma" not in out:
        return f"exit {code}, no CTI naming the dropped lemma"
    return f"{head.group(1)} ({shown.group(1)})"


def commands(spec, select, proof, auto_timeout):
    """(engine, argv, exit codes that are not a failure)."""
    return [
        ("check", ["check", spec, *select, "--no-progress", "--quiet"], {0}),
        ("induction", ["prove", spec, *select, "--induction", "--proof", proof, "--quiet"], {0}),
        ("auto", ["prove", spec, *select, "--auto", "--timeout", str(auto_timeout), "--quiet"],
         {0, 3}),
        ("bmc 10", ["prove", spec, *select, "--bmc", "10", "--quiet"], {0}),
    ]


def run_once(argv):
    start = time.perf_counter()
    p = subprocess.Popen(STATELINE + argv, cwd=ROOT, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    out = p.stdout.read()
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    p.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, p.returncode, out


def verdict(engine: str, code: int, out: str) -> str:
    if engine == "drop":
        return cti_verdict(code, out)
    if engine == "check":
        return "explored" if code == 0 else f"exit {code}"
    if code == 3 and "timeout" in out:
        return "unknown (timeout)"
    if engine == "bmc 10":
        return "no violation to depth 10" if code == 0 else f"exit {code}"
    return "proved" if code == 0 else f"exit {code}"


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import z3
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, " \
           f"z3 {z3.get_version_string()}, load average at start {load}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--auto-timeout", type=float, default=60)
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--any-size", action="store_true",
                    help="time the proofs for every instance size instead")
    ap.add_argument("--any-size-drops", action="store_true",
                    help="time the Paxos proof for every size without each lemma instead")
    args = ap.parse_args(argv)
    print(machine(), flush=True)
    if args.any_size_drops:
        plan = [(name, "drop", cmd, {1}) for name, cmd in drops()]
    elif args.any_size:
        plan = [(name, "any size", cmd + ["--quiet"], {0}) for name, cmd in ANY_SIZE]
    else:
        plan = [(name, engine, cmd, ok)
                for name, spec, select, proof in instances()
                for engine, cmd, ok in commands(spec, select, proof,
                                                f"{args.auto_timeout:g}")]
    times: dict[tuple, list] = {}
    failed = False
    for r in range(args.runs):
        for name, engine, cmd, ok in plan:
            wall, cpu, code, out = run_once(cmd)
            times.setdefault((name, engine), []).append((wall, cpu, verdict(engine, code, out)))
            if code not in ok or verdict(engine, code, out).startswith("exit"):
                failed = True
                print(f"FAILED (exit {code}): stateline {' '.join(cmd)}\n{out}", flush=True)
            print(f"run {r + 1}: {name:26} {engine:10} {wall:8.2f} s wall {cpu:8.2f} s CPU  "
                  f"{verdict(engine, code, out)}", flush=True)
    rows = []
    for name, engine, cmd, _ in plan:
        got = times[(name, engine)]
        verdicts = [v for _, _, v in got]
        kinds = sorted(set(verdicts), key=verdicts.index)
        shown = verdicts[0] if len(kinds) == 1 else \
            ", ".join(f"{v} ({verdicts.count(v)} of {len(verdicts)})" for v in kinds)
        rows.append((name, engine, statistics.median(w for w, _, _ in got),
                     statistics.median(c for _, c, _ in got), shown))
    print()
    if args.markdown:
        print("| instance | engine | wall s | CPU s | result |")
        print("|---|---|---:|---:|---|")
        for name, engine, wall, cpu, v in rows:
            print(f"| {name} | {engine} | {wall:.2f} | {cpu:.2f} | {v} |")
    else:
        for name, engine, wall, cpu, v in rows:
            print(f"{name:26} {engine:10} {wall:8.2f} {cpu:8.2f}  {v}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
