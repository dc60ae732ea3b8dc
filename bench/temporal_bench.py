"""What temporal properties cost: each check block with one, against its safety search.

For every check block of `specs/` with a temporal property, times (in this process,
median of --runs) the whole check (`run_check`: the search, and the liveness analysis
or, without fairness, the pass over the reachable states) against the search alone
over the same states (`bfs` with `exhaustive`: no stop once the safety properties are
violated, no graph), and prints the ratio (for searches of at least 0.05 s).  `--curve` adds two-phase commit's
`fairN3` block for N = 5..8: states, edges, the labelled search, the liveness pass,
and the liveness pass per million states plus edges (constant when it is linear).

    python bench/temporal_bench.py [--runs K] [--curve] [--markdown]
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
MEASURABLE = 0.05    # seconds: a ratio of shorter searches is start-up noise

from stateline import check_blocks, load_spec  # noqa: E402
from stateline.checker import run as run_mod  # noqa: E402
from stateline.checker.search import SearchOptions, bfs  # noqa: E402
from stateline.lang.load import parse_override  # noqa: E402


def timed_check(loaded, check, overrides) -> tuple[float, object]:
    model = run_mod.prepare(loaded, check, overrides)
    t0 = time.perf_counter()
    result = run_mod.run_check(loaded, check, overrides, model=model)
    return time.perf_counter() - t0, result


def timed_safety(loaded, check, overrides) -> tuple[float, int]:
    model = run_mod.prepare(loaded, check, overrides)
    deadlock = not model.system.allow_deadlock or \
        any(p == "DeadlockFreedom" for p, _, _ in check.expects)
    t0 = time.perf_counter()
    result = bfs(model, SearchOptions(check_deadlock=deadlock, exhaustive=True))
    return time.perf_counter() - t0, result.states


def library_rows(runs: int) -> list[list]:
    rows = []
    specs = sorted(p for p in _spec_files(os.path.join(ROOT, "specs")))
    for path in specs:
        loaded = load_spec(os.path.relpath(path, ROOT))
        if not any(p.kind == "temporal" for p in loaded.typed.properties):
            continue
        for check in check_blocks(loaded):
            full = [timed_check(loaded, check, {}) for _ in range(runs)]
            safe = [timed_safety(loaded, check, {}) for _ in range(runs)]
            result = full[0][1]
            assert result.stats.states == safe[0][1], (path, check.name)
            t_full = statistics.median(t for t, _ in full)
            t_safe = statistics.median(t for t, _ in safe)
            temporal = [v for v in result.verdicts if v.kind == "temporal"]
            rows.append([f"{os.path.relpath(path, ROOT)} {check.name}",
                         f"{result.stats.states:,}",
                         ", ".join(f"{v.prop} {v.status.value}" for v in temporal),
                         "graph" if _graph_needed(loaded, check) else "states",
                         f"{t_safe:.2f}", f"{t_full:.2f}",
                         f"{t_full / t_safe:.2f}x" if t_safe >= MEASURABLE else "-"])
    return rows


def _graph_needed(loaded, check) -> bool:
    model = run_mod.prepare(loaded, check, {})
    return bool(model.fairness.rules)


def _spec_files(folder: str):
    for base, _, files in os.walk(folder):
        for name in files:
            if name.endswith(".sl"):
                yield os.path.join(base, name)


def curve_rows(runs: int) -> list[list]:
    from stateline.checker.run import liveness_violation

    loaded = load_spec("specs/two_phase_commit.sl")
    (check,) = check_blocks(loaded, ["fairN3"])
    rows = []
    for n in (5, 6, 7, 8):
        overrides = dict([parse_override(loaded, f"N={n}")])
        searches, passes = [], []
        for _ in range(runs):
            model = run_mod.prepare(loaded, check, overrides)
            t0 = time.perf_counter()
            result = bfs(model, SearchOptions(check_deadlock=False, graph=True, exhaustive=True))
            t1 = time.perf_counter()
            for prop, instances in model.temporal:
                liveness_violation(model, result, prop, instances)
            t2 = time.perf_counter()
            searches.append(t1 - t0)
            passes.append(t2 - t1)
        edges = result.transitions
        live = statistics.median(passes)
        rows.append([f"N={n}", f"{result.states:,}", f"{edges:,}",
                     f"{statistics.median(searches):.2f}", f"{live:.2f}",
                     f"{live / ((result.states + edges) / 1e6):.3f}"])
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--curve", action="store_true")
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args(argv)
    os.chdir(ROOT)
    fmt = "github" if args.markdown else "simple"
    print(f"median of {args.runs} runs; python {sys.version.split()[0]}; "
          f"{os.cpu_count()} cores; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(tabulate(library_rows(args.runs),
                   ["check block", "states", "temporal verdicts", "decided on", "safety s",
                    "whole check s", "ratio"], tablefmt=fmt, disable_numparse=True))
    if args.curve:
        print()
        print(tabulate(curve_rows(args.runs),
                       ["2PC fairN3", "states", "edges", "labelled search s", "liveness s",
                        "liveness s per M states+edges"], tablefmt=fmt,
                       disable_numparse=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
