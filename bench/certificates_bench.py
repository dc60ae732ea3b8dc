"""The cost of `prove --emit-smt` and of re-checking its files with cvc5.

    python bench/certificates_bench.py              # 3 runs each (median)
    python bench/certificates_bench.py --runs 5 --markdown

For each proof: the `--induction` run without and with `--emit-smt` (each a fresh
process, wall and CPU seconds of that process), the number and total size of the
files, and the time cvc5 (the Python package, one process per file) takes to re-check
all of them (`--enum-inst` for the quantified obligations of `--any-size`), at most
--cvc5-limit seconds a file (cvc5's own limit does not always stop it): how many it
proves (unsat) and how many it leaves undecided.  A file cvc5 finds satisfiable, or cannot read, fails the script (exit 1).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATELINE = [sys.executable, "-m", "stateline"]

PROOFS = [
    ("Paxos ballots 0..1", ["specs/paxos.sl", "--check", "ballots01", "--proof", "proofs/paxos.sl"],
     False),
    ("two-phase commit N = 3", ["specs/two_phase_commit.sl", "--check", "n3", "--proof",
                                "proofs/two_phase_commit.sl"], False),
    ("two-phase commit, any size", ["specs/two_phase_commit.sl", "--check", "n3", "--proof",
                                    "proofs/two_phase_commit.sl", "--any-size"], True),
    ("Lamport clocks, any size", ["specs/lamport_clock.sl", "--proof",
                                  "proofs/lamport_clock_any_size.sl"], True),
    ("Paxos, any size", ["specs/paxos.sl", "--check", "ballots01", "--proof",
                         "proofs/paxos_any_size.sl"], True),
]


def timed(argv) -> tuple[float, float]:
    start = time.perf_counter()
    p = subprocess.Popen(STATELINE + argv, cwd=ROOT, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"FAILED: stateline {' '.join(argv)}")
    return wall, usage.ru_utime + usage.ru_stime


def cvc5_answer(path: Path, quantifiers: bool, limit: float) -> str:
    import cvc5
    solver = cvc5.Solver(cvc5.TermManager())
    solver.setOption("fresh-binders", "true")
    solver.setOption("tlimit-per", str(int(limit * 1000)))
    if quantifiers:
        solver.setOption("enum-inst", "true")
    parser = cvc5.InputParser(solver)
    parser.setFileInput(cvc5.InputLanguage.SMT_LIB_2_6, str(path))
    symbols = parser.getSymbolManager()
    answer = None
    while True:
        try:
            command = parser.nextCommand()
        except RuntimeError as exc:
            sys.exit(f"FAILED: cvc5 cannot read {path}: {exc}")
        if command.isNull():
            return answer.split()[0].strip("()") if answer else "nothing"
        out = command.invoke(solver, symbols).strip()
        if out:
            answer = out


def recheck(path: Path, quantifiers: bool, limit: float) -> str:
    """cvc5's answer in a process of its own, killed after `limit` seconds."""
    try:
        p = subprocess.run([sys.executable, __file__, "--one", str(path), str(int(quantifiers)),
                            str(limit)], capture_output=True, text=True, timeout=limit + 10)
    except subprocess.TimeoutExpired:
        return "unknown"
    if p.returncode != 0:
        sys.exit(p.stderr.strip() or f"FAILED: cvc5 on {path}")
    return p.stdout.strip()


def main() -> int:
    if sys.argv[1:2] == ["--one"]:
        print(cvc5_answer(Path(sys.argv[2]), sys.argv[3] == "1", float(sys.argv[4])))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--cvc5-limit", type=float, default=10.0, metavar="S")
    args = ap.parse_args()
    rows = []
    for name, argv, quantified in PROOFS:
        plain, emitted, rechecks = [], [], []
        files = size = 0
        answers: dict[str, int] = {}
        for _ in range(args.runs):
            plain.append(timed(["prove", *argv, "--induction", "--quiet"]))
            with tempfile.TemporaryDirectory() as out:
                emitted.append(timed(["prove", *argv, "--induction", "--quiet",
                                      "--emit-smt", out]))
                paths = sorted(Path(out).rglob("*.smt2"))
                files, size = len(paths), sum(p.stat().st_size for p in paths)
                start = time.perf_counter()
                answers = {}
                for p in paths:
                    a = recheck(p, quantified, args.cvc5_limit)
                    if a not in ("unsat", "unknown"):
                        sys.exit(f"FAILED: cvc5 says {a} for {p} of {name}")
                    answers[a] = answers.get(a, 0) + 1
                rechecks.append(time.perf_counter() - start)
        med = statistics.median
        rows.append((name, f"{med(w for w, _ in plain):.2f} / {med(c for _, c in plain):.2f}",
                     f"{med(w for w, _ in emitted):.2f} / {med(c for _, c in emitted):.2f}",
                     files, f"{size / 2 ** 20:.1f}", answers.get("unsat", 0),
                     answers.get("unknown", 0), f"{med(rechecks):.2f}"))
    head = ("proof", "--induction wall / CPU s", "with --emit-smt wall / CPU s", "files",
            "MiB", "cvc5 unsat", "cvc5 unknown", "cvc5 re-check s")
    if args.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for r in rows:
            print("| " + " | ".join(str(x) for x in r) + " |")
    else:
        for r in rows:
            print(dict(zip(head, r)))
    print(f"\n{platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"median of {args.runs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
