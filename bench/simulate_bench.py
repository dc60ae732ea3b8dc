"""How many random walks, and seconds, `stateline simulate` needs to find each lab's
expected violations (specs/labs/), per seed; and the walks per second of
`simulate --workers N` on a big instance.

    python bench/simulate_bench.py labs [--seeds 0-4] [--depth 20,100] [--traces N]
                                        [--only NAME] [--skip NAME] [--markdown]
    python bench/simulate_bench.py workers [--runs 3] [--workers 1,2] [--markdown]

`labs`: for each lab, depth and seed, runs every check block's walks with a budget of
--traces walks (default 10,000, the default budget) and reports the walks needed to find
all of the lab's expected violations (the largest number over its check blocks) and the
seconds those walks take (every block run again with exactly that many walks: the walks
are a prefix of the budget's, so this is the time to the last violation).  "-": not
found within the budget.  (Budgets of 64, 128, ... walks are tried in turn: a run of n
walks is the first n walks of any larger run.)

`workers`: `stateline simulate` in a fresh process, --runs times; the median of the
walks per second it prints.  The output (but for the timing line) must not depend on
--workers: the script fails if it does.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import stateline  # noqa: E402
from stateline.checker.run import CheckOptions, prepare  # noqa: E402
from stateline.checker.simulate import SimulateOptions, simulate_check  # noqa: E402

WORKER_CASES = [
    # (label, spec, check, defines, traces, depth)
    ("Raft crashes", "specs/raft.sl", "crashes", [], 400, 100),
    ("2PC N=9", "specs/two_phase_commit.sl", "n3", ["N=9"], 1000, 100),
]


def seeds(text: str) -> list[int]:
    lo, _, hi = text.partition("-")
    return list(range(int(lo), int(hi or lo) + 1))


def lab_run(loaded, blocks, models, seed: int, depth: int, traces: int, workers: int):
    """(walks needed or None, seconds for them).  A temporal property is decided on the
    walks' graph after the walks: the fewest walks that find it, by bisection (a fair
    lasso among the states of n walks is one among those of more)."""
    needed = 0
    for block, model in zip(blocks, models):
        expected = {p for p, outcome, _ in block.expects if outcome == "violated"}

        def run(n):
            return simulate_check(loaded, block, {}, CheckOptions(),
                                  SimulateOptions(n, depth, seed, workers=workers), model)
        n = min(64, traces)          # budgets doubling up to --traces: the walks of a
        while True:                  # budget are the first walks of a larger one
            result, walks = run(n)
            verdicts = {v.prop: v for v in result.verdicts}
            if all(verdicts[p].status.value == "violated" for p in expected):
                break
            if n == traces:
                return None, None
            n = min(2 * n, traces)
        found_at = n
        temporal = {p for p in expected if verdicts[p].kind == "temporal"}
        n = max([walks.violations[p].trace_no + 1 for p in expected - temporal] or [1])
        if temporal:
            lo, hi = n, found_at        # hi finds them all
            while lo < hi:
                mid = (lo + hi) // 2
                got = {v.prop for v in run(mid)[0].verdicts if v.status.value == "violated"}
                lo, hi = (lo, mid) if temporal <= got else (mid + 1, hi)
            n = hi
        needed = max(needed, n)
    t0 = time.perf_counter()
    for block, model in zip(blocks, models):
        simulate_check(loaded, block, {}, CheckOptions(),
                       SimulateOptions(needed, depth, seed, workers=workers), model)
    return needed, time.perf_counter() - t0


def labs(args) -> None:
    rows = []
    for path in sorted((ROOT / "specs" / "labs").glob("*.sl")):
        if args.only and args.only not in path.stem or args.skip and args.skip in path.stem:
            continue
        loaded = stateline.load_text(path.read_text(), str(path.relative_to(ROOT)))
        blocks = stateline.check_blocks(loaded)
        models = [prepare(loaded, b, {}) for b in blocks]
        for depth in args.depth:
            found = []
            for s in args.seeds:
                walks, secs = lab_run(loaded, blocks, models, s, depth, args.traces,
                                      args.workers)
                found.append((walks, secs))
                print(f"# {path.stem} depth {depth} seed {s}: {walks} walks, {secs} s",
                      file=sys.stderr, flush=True)
            ok = [f for f in found if f[0] is not None]
            cells = ", ".join("-" if w is None else f"{w:,}" for w, _ in found)
            times = ", ".join("-" if t is None else f"{t:.2f}" for _, t in found)
            rows.append([path.stem, depth, f"{len(ok)}/{len(found)}", cells, times])
    header = ["lab", "depth", "seeds found", "walks to find (per seed)",
              "seconds to find (per seed)"]
    table(rows, header, args.markdown)


def workers(args) -> None:
    rows = []
    for label, spec, check, defines, traces, depth in WORKER_CASES:
        if args.only and args.only not in label:
            continue
        bodies = {}
        for w in args.workers:
            rates = []
            for _ in range(args.runs):
                cmd = [sys.executable, "-m", "stateline", "simulate", str(ROOT / spec),
                       "--check", check, "--no-progress", "--traces", str(traces),
                       "--depth", str(depth), "--workers", str(w)]
                for d in defines:
                    cmd += ["-D", d]
                p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
                rate = re.search(r"\(([\d,]+) per second\)", p.stdout)
                if p.returncode not in (0, 1, 3) or rate is None:
                    raise SystemExit(f"{cmd}: exit {p.returncode}\n{p.stderr}")
                rates.append(int(rate.group(1).replace(",", "")))
                # (but for the walks per second and the seconds column)
                bodies[w] = re.sub(r"\([\d,]+ per second\)|\d+\.\d\d\b", "", p.stdout)
                print(f"# {label} workers {w}: {rates[-1]} walks/s", file=sys.stderr,
                      flush=True)
            states = re.search(r"([\d,]+) distinct states", p.stdout).group(1)
            rows.append([label, f"{traces:,} x {depth}", w, states,
                         f"{statistics.median(rates):,.0f}",
                         ", ".join(f"{r:,}" for r in rates)])
        if len(set(bodies.values())) != 1:
            raise SystemExit(f"{label}: the output depends on --workers")
    table(rows, ["instance", "walks x depth", "workers", "distinct states",
                 "walks/s (median)", "walks/s (runs)"], args.markdown)


def table(rows, header, markdown: bool) -> None:
    from tabulate import tabulate
    print(tabulate(rows, header, tablefmt="github" if markdown else "simple"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="what", required=True)
    a = sub.add_parser("labs")
    a.add_argument("--seeds", type=seeds, default=seeds("0-4"))
    a.add_argument("--depth", type=lambda s: [int(x) for x in s.split(",")],
                   default=[SimulateOptions.depth])
    a.add_argument("--traces", type=int, default=SimulateOptions.traces)
    a.add_argument("--workers", type=int, default=1)
    a.add_argument("--only")
    a.add_argument("--skip")
    a.add_argument("--markdown", action="store_true")
    w = sub.add_parser("workers")
    w.add_argument("--runs", type=int, default=3)
    w.add_argument("--workers", type=lambda s: [int(x) for x in s.split(",")],
                   default=[1, 2])
    w.add_argument("--only")
    w.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    labs(args) if args.what == "labs" else workers(args)


if __name__ == "__main__":
    main()
