"""The fair-lasso search (`lasso.lasso_search`, the bounded search of `--bmc` and of
`--liveness-to-safety`'s violation search) on one instance, with Z3's finite-domain
tactic (the default where every value of a path can be bounded) and, with --smt, with
its SMT solver alone: the CPU seconds of each query and in all, the median of --runs.

    python bench/lasso_bench.py specs/eventual_lww.sl weakDelivery --depth 7 --runs 3 --smt
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stateline import check_blocks, load_spec  # noqa: E402
from stateline.prover import bmc  # noqa: E402
from stateline.prover.lasso import lasso_search  # noqa: E402
from stateline.prover.run import encode, instance  # noqa: E402
from stateline.prover.scopes import Deadline  # noqa: E402


def one_run(spec: str, check: str | None, depth: int, smt: bool):
    """(CPU seconds in all, [CPU seconds of each query], verdicts)."""
    original = bmc.path_bounds
    if smt:
        bmc.path_bounds = lambda *a: None
    asks: list[float] = []
    ask_at = bmc.BmcRun.ask_at

    def timed(self, term, post=None):
        t = time.process_time()
        a = ask_at(self, term, post)
        asks.append(time.process_time() - t)
        return a
    bmc.BmcRun.ask_at = timed
    try:
        loaded = load_spec(spec)
        [block] = check_blocks(loaded, [check] if check else None)[:1]
        model = instance(loaded, block, {})
        start = time.process_time()
        out = lasso_search(encode(model), model, depth, {}, Deadline(None))
        cpu = time.process_time() - start
    finally:
        bmc.path_bounds = original
        bmc.BmcRun.ask_at = ask_at
    return cpu, asks, [(o.name, o.claim.value, o.depth) for o in out]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("spec")
    ap.add_argument("check", nargs="?")
    ap.add_argument("--depth", type=int, default=7)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--smt", action="store_true", help="also with the SMT solver alone")
    args = ap.parse_args()
    for smt in ([False, True] if args.smt else [False]):
        runs = [one_run(args.spec, args.check, args.depth, smt) for _ in range(args.runs)]
        cpu = statistics.median(r[0] for r in runs)
        per = [statistics.median(r[1][i] for r in runs) for i in range(len(runs[0][1]))]
        print(f"{'smt' if smt else 'finite-domain'}: {cpu:.1f} CPU s (median of "
              f"{args.runs}); per query: {', '.join(f'{x:.1f}' for x in per)}; "
              f"{runs[0][2]}", flush=True)


if __name__ == "__main__":
    main()
