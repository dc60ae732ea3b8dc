"""Liveness by Z3 without a ranking function against the explicit checker: each temporal
property of the library, alone.

For every check block of `specs/` (and `specs/labs/`) with a temporal property, and each
such property P, runs (in this process, median of --runs) `stateline check --property P`
(`run_check`: the search and the liveness analysis) and `stateline prove
--liveness-to-safety --property P` (`prove_block`, engine `l2s`: the encoding, Spacer on
"(run-time errors)" and deadlock freedom when checked, then the liveness-to-safety
product of each instance of P) with a timeout of --timeout seconds, and prints both
verdicts and times (a run that ends in the timeout is not repeated).  The verdicts must agree (a disagreement is printed as such).

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
from stateline.prover.run import ProveOptions, instance, prove_block  # noqa: E402


def spec_files() -> list[str]:
    out = []
    for d in ("specs", os.path.join("specs", "labs")):
        for name in sorted(os.listdir(os.path.join(ROOT, d))):
            if name.endswith(".sl"):
                out.append(os.path.join(d, name))
    return out


def timed(fn, runs: int):
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def _out_of_time(result) -> bool:
    return any("ran out" in o.detail for o in result.obligations)


def rows(runs: int, timeout: float, only: str | None) -> list[list]:
    out = []
    for path in spec_files():
        if only and only not in path:
            continue
        loaded = load_spec(os.path.join(ROOT, path))
        for prop in [p.name for p in loaded.typed.properties if p.kind == "temporal"]:
            for check in check_blocks(loaded, None, (prop,)):
                model = instance(loaded, check, {})
                if not model.system.temporal:
                    continue
                t_check, r = timed(lambda: run_check(loaded, check, {}, model=model), runs)
                [v] = [v for v in r.verdicts if v.prop == prop]
                options = ProveOptions("l2s", timeout=timeout)
                t_l2s, p = timed(lambda: prove_block(loaded, check, {}, options), 1)
                if not _out_of_time(p):     # a timeout is not repeated: it is the timeout
                    more = [timed(lambda: prove_block(loaded, check, {}, options), 1)[0]
                            for _ in range(runs - 1)]
                    t_l2s = statistics.median([t_l2s] + more)
                [o] = [o for o in p.obligations if o.name == prop]
                shown = v.status.value + (f" ({len(v.trace)})" if v.trace is not None else "")
                mine = o.claim.value + (f" ({len(o.trace)})" if o.trace is not None else "")
                agree = o.claim.value == "unknown" or \
                    (o.claim.value == "violated") == (v.status.value == "violated")
                out.append([path, check.name, prop, shown, f"{t_check:.2f}", mine,
                            f"{t_l2s:.2f}", "yes" if agree else "DISAGREE"])
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
    head = ["spec", "check", "property", "check verdict (lasso steps)", "check s",
            "l2s verdict", "l2s s", "agree"]
    print(tabulate(table, head, tablefmt="github" if args.markdown else "simple",
                   disable_numparse=True))


if __name__ == "__main__":
    main()
