"""Liveness by Z3 without a ranking function against the explicit checker: each temporal
property of the library, alone.

For every check block of `specs/` (and `specs/labs/`) with a temporal property, and each
such property P (the block narrowed to P, as `--property P` does), times:

* `check`: `run_check` (the search and the liveness analysis), median of --runs;
* the three phases of `stateline prove --liveness-to-safety --property P`:
  the Z3 encoding; `--auto`'s Spacer run ("(run-time errors)", and deadlock freedom
  when the block checks it), once, with a timeout of --timeout seconds; and, when that
  run proves "(run-time errors)", the liveness-to-safety queries of P
  (`l2s.liveness_to_safety`, median of --runs, each with a timeout of --timeout s);
  when it neither proves nor finds a run-time error, the search for a violation free
  of run-time errors instead (`l2s.violation_search`, as `--liveness-to-safety` runs
  it then; its verdict is marked "(no prerequisite)").

A spec with a proof file in PROOFS is run as `--liveness-to-safety --proof FILE`: the
safety phase is `--induction` with the file's lemmas (`l2s._by_induction`), whose
inductive invariant the liveness-to-safety queries then assume (verdict marked
"(proof)").

(wall time, and this process's CPU time, which Z3 is part of: the machine may be
shared) and prints both verdicts, which must agree (a disagreement is printed as such).

    python bench/l2s_bench.py [--runs K] [--timeout S] [--markdown] [--only SPEC]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from tabulate import tabulate

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

from stateline import check_blocks, load_spec, run_check  # noqa: E402
from stateline.prover import l2s, pdr  # noqa: E402
from stateline.prover.proofs import load_proof  # noqa: E402
from stateline.prover.results import Claim  # noqa: E402
from stateline.prover.run import encode, instance  # noqa: E402
from stateline.prover.scopes import Deadline  # noqa: E402
from stateline.prover.terms import fresh_context  # noqa: E402


PROOFS = {"specs/cap.sl": "proofs/cap.sl"}     # spec -> the proof file it is run with


def spec_files() -> list[str]:
    out = []
    for d in ("specs", os.path.join("specs", "labs")):
        for name in sorted(os.listdir(os.path.join(ROOT, d))):
            if name.endswith(".sl"):
                out.append(os.path.join(d, name))
    return out


CPU: list[float] = []       # the process time of the last timed() call


def timed(fn):
    t0, c0 = time.perf_counter(), time.process_time()
    result = fn()
    CPU[:] = [time.process_time() - c0]
    return time.perf_counter() - t0, result


def one(loaded, check, prop: str, runs: int, timeout: float, proof=None) -> list[str]:
    model = instance(loaded, check, {})
    t_check = []
    for _ in range(runs):
        t, r = timed(lambda: run_check(loaded, check, {}, model=model))
        t_check.append(t)
    [v] = [v for v in r.verdicts if v.prop == prop]
    shown = v.status.value + (f" ({len(v.trace)})" if v.trace is not None else "")
    fresh_context()
    t_enc, enc = timed(lambda: encode(model))
    deadlock = not model.system.allow_deadlock or \
        any(p == "DeadlockFreedom" for p, _, _ in check.expects)
    assume = None
    if proof is None:
        t_safe, (obs, _, failure) = timed(lambda: pdr.spacer(enc, model, {},
                                                             Deadline(timeout), deadlock))
    else:
        t_safe, (obs, _, failure, assume) = timed(lambda: l2s._by_induction(
            enc, model, {}, Deadline(timeout), deadlock, proof))
    c_safe = CPU[0]
    errors = next((o for o in obs if o.name == pdr.ERRORS), None)
    row = [shown, f"{statistics.median(t_check):.2f}", f"{t_enc:.2f}",
           f"{t_safe:.2f} ({c_safe:.2f})"]
    search = l2s.liveness_to_safety
    if failure is not None or (errors is not None and errors.claim is Claim.VIOLATED):
        return row + ["unknown (run-time error)", "-", "-", "-"]
    if errors is not None and errors.claim is not Claim.PROVED:
        search = l2s.violation_search
    t_l2s, c_l2s = [], []
    for _ in range(runs):
        more = (assume,) if search is l2s.liveness_to_safety else ()
        t, [o] = timed(lambda: search(enc, model, {}, Deadline(timeout),
                                      list(model.system.temporal), *more))
        t_l2s.append(t)
        c_l2s.append(CPU[0])
        if o.claim is Claim.UNKNOWN:
            break               # a timeout is not repeated: it is the timeout
    mine = o.claim.value + (f" ({len(o.trace)})" if o.trace is not None else "")
    if search is l2s.violation_search:
        mine += " (no prerequisite)"
    elif proof is not None:
        mine += " (proof)"
    agree = o.claim is Claim.UNKNOWN or \
        (o.claim is Claim.VIOLATED) == (v.status.value == "violated")
    return row + [mine, f"{statistics.median(t_l2s):.2f}", f"{statistics.median(c_l2s):.2f}",
                  "yes" if agree else "DISAGREE"]


def rows(runs: int, timeout: float, only: str | None) -> list[list]:
    out = []
    for path in spec_files():
        if only and only not in path:
            continue
        loaded = load_spec(os.path.join(ROOT, path))
        for prop in [p.name for p in loaded.typed.properties if p.kind == "temporal"]:
            for check in check_blocks(loaded, None, (prop,)):
                if not any(p.name == prop for p in instance(loaded, check, {}).system.temporal):
                    continue
                proof = load_proof(os.path.join(ROOT, PROOFS[path]), loaded) \
                    if path in PROOFS else None
                out.append([path, check.name, prop] + one(loaded, check, prop, runs, timeout,
                                                          proof))
                print(" | ".join(out[-1]), file=sys.stderr, flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--only")
    args = ap.parse_args()
    table = rows(args.runs, args.timeout, args.only)
    head = ["spec", "check", "property", "check: verdict (lasso steps)", "check s",
            "encode s", "safety s (CPU)", "l2s: verdict (lasso steps)", "l2s s", "l2s CPU s",
            "agree"]
    print(tabulate(table, head, tablefmt="github" if args.markdown else "simple",
                   disable_numparse=True))


if __name__ == "__main__":
    main()
