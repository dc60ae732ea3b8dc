"""History-checker benchmark for every data type: curves of operations -> seconds on
histories from the fault-injecting simulator (bench/history_sim.py).

For each data type, histories of growing size are simulated (correct runs, which are
linearizable, and runs with a bug, which are not) and checked three ways:

- *search*: the linearizability search alone (`wgl.search`, or the register's own
  search; a kv history key by key, every key, as `check` does), as a library user
  calls it;
- *verdict*: `check(..., explain=False)`, the verdict-only mode of
  ``stateline history check --no-explain`` (the search plus pairing the events);
- *explained*: `check(...)`, which for a violation adds the longest partial
  linearization (one more search, on the prefix up to the frontier).

A data type's curve stops at the first size whose search takes more than --limit CPU
seconds (60 by default).  --targets times the issue's targets instead, in the library
and end to end through ``stateline history check`` (a JSON file, in a fresh process):
a 10,000-operation cas-register history of 10 clients, the buggy 1,000-operation
cas-register histories of seed 1, and a 100-key kv history of 100,000 operations of 20
clients with ``--workers 1`` and ``--workers 2``.

    python bench/history_models_bench.py [--markdown] [--targets] [--runs N]
        [--models M ...] [--limit S]

Medians of --runs runs (1 by default) of wall-clock and CPU seconds (the machine is
shared: see the load average printed with the table); the verdict-only and explained
columns are CPU seconds, which the other jobs on the machine disturb less.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

from tabulate import tabulate

from stateline.history import check, linearizability, wgl
from stateline.history.datatypes import DATATYPES
from stateline.history.keys import split
from stateline.history.model import count, pair

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from history_sim import simulate  # noqa: E402
from run_bench import machine  # noqa: E402

# (model, processes, keys, bug, sizes)
CURVES = [
    ("register", 10, 1, None, (1000, 3000, 10000, 30000, 100000)),
    ("register", 10, 1, "stale-reads", (1000, 3000, 10000, 30000, 100000)),
    ("cas-register", 10, 1, None, (1000, 3000, 10000, 30000, 100000)),
    ("cas-register", 10, 1, "stale-reads", (1000, 3000, 10000, 30000, 100000)),
    ("kv", 10, 100, None, (1000, 10000, 30000, 100000)),
    ("kv", 10, 100, "lost-writes", (1000, 10000, 30000, 100000)),
    ("set", 5, 1, None, (1000, 3000, 10000, 30000)),
    ("set", 5, 1, "lost-writes", (1000, 3000, 10000, 30000)),
    ("queue", 5, 1, None, (50, 100, 150, 200, 400)),
    ("queue", 5, 1, "lost-writes", (50, 100, 150, 200, 400)),
]
INITIAL = {"register": 0, "cas-register": 0}
SEED = 1


def search(events, model: str, initial, deadline: float | None = None):
    """The search alone: True or False (`wgl.Timeout` after `deadline`)."""
    datatype = DATATYPES[model]
    operations = pair(events, datatype)
    if model == "register":
        return linearizability.run(operations, initial, deadline).order is not None
    if datatype.keyed:          # every key, as `check` searches them
        return all([wgl.search(ops, datatype, initial, deadline).order is not None
                    for ops in split(operations).values()])
    return wgl.search(operations, datatype, initial, deadline).order is not None


def timed(fn, runs: int = 1):
    """(value, median wall seconds, median CPU seconds) of `runs` calls."""
    walls, cpus = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        value = fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return value, statistics.median(walls), statistics.median(cpus)


def curves(limit: float, runs: int, models) -> list[list]:
    rows = []
    for model, procs, keys, bug, sizes in CURVES:
        if models and model not in models:
            continue
        initial = INITIAL.get(model)
        for n in sizes:
            events = simulate(model, n, procs, keys, seed=SEED, bug=bug)
            history = count(pair(events, DATATYPES[model]))
            try:
                ok, wall, cpu = timed(lambda: search(events, model, initial,
                                                     time.monotonic() + limit * 3), 1)
            except wgl.Timeout:
                rows.append([model, bug or "-", history, "unknown",
                             f"> {limit * 3:g} (wall)", "-", "-", "-", "-"])
                print(" | ".join(map(str, rows[-1])), file=sys.stderr, flush=True)
                break
            if runs > 1:
                ok, wall, cpu = timed(lambda: search(events, model, initial), runs)
            verdict, vwall, vcpu = timed(lambda: check(
                events, "linearizable", initial, model, explain=False).ok, runs)
            explained, ewall, ecpu = timed(lambda: check(events, "linearizable", initial,
                                                         model).ok, runs)
            assert ok == verdict == explained, (model, n, bug)
            rows.append([model, bug or "-", history, "yes" if ok else "no", f"{wall:.2f}", f"{cpu:.2f}",
                         f"{vcpu:.2f}", f"{vcpu / cpu:.2f}" if cpu > 0.05 else "-",
                         f"{ecpu:.2f}"])
            print(" | ".join(map(str, rows[-1])), file=sys.stderr, flush=True)
            if cpu > limit:
                break
    return rows


def cli(path: str, *options: str) -> tuple[int, float, float]:
    """(exit status, wall seconds, CPU seconds) of ``stateline history check`` in a
    fresh process (its workers included)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "stateline", "history", "check", path,
                           "--no-progress", *options], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return proc.returncode, wall, cpu


def write(path: str, model: str, events, initial) -> None:
    fields = ("process", "type", "f", "value", "key")
    with open(path, "w") as f:
        json.dump({"version": 2, "model": model, "initial": initial,
                   "history": [dict(zip(fields, e)) for e in events]}, f)


def targets(runs: int) -> list[list]:
    rows = []
    verdict = {0: "yes", 1: "no", 3: "unknown"}
    with tempfile.TemporaryDirectory() as tmp:
        for model, n, procs, keys, bug, initial in (
                ("cas-register", 10000, 10, 1, None, 0),
                ("cas-register", 1000, 10, 1, "stale-reads", 0),
                ("cas-register", 1000, 10, 1, "lost-writes", 0),
                ("kv", 100000, 20, 100, None, None)):
            events = simulate(model, n, procs, keys, seed=SEED, bug=bug)
            history = count(pair(events, DATATYPES[model]))
            what = f"{model}{', ' + bug if bug else ''}, {n:,} operations, {procs} clients"
            ok, wall, cpu = timed(lambda: search(events, model, initial), runs)
            rows.append([what, history, "search (library)", "yes" if ok else "no",
                         f"{wall:.2f}", f"{cpu:.2f}"])
            ok, wall, cpu = timed(lambda: check(events, "linearizable", initial, model,
                                                explain=False).ok, runs)
            rows.append([what, history, "check(explain=False) (library)",
                         "yes" if ok else "no", f"{wall:.2f}", f"{cpu:.2f}"])
            path = os.path.join(tmp, f"{model}.json")
            write(path, model, events, initial)
            for options in ((["--no-explain", "--workers", "1"],
                             ["--no-explain", "--workers", "2"], ["--workers", "2"])
                            if model == "kv" else (["--no-explain"], [])):
                results = [cli(path, *options) for _ in range(runs)]
                codes = {code for code, _, _ in results}
                rows.append([what, history, "CLI " + (" ".join(options) or "(explain)"),
                             "/".join(verdict.get(c, f"exit {c}") for c in sorted(codes)),
                             f"{statistics.median(w for _, w, _ in results):.2f}",
                             f"{statistics.median(c for _, _, c in results):.2f}"])
                print(" | ".join(map(str, rows[-1])), file=sys.stderr, flush=True)
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--targets", action="store_true", help="time the targets only")
    ap.add_argument("--limit", type=float, default=60.0,
                    help="stop a curve after a size whose search takes more CPU seconds")
    ap.add_argument("--runs", type=int, default=1, help="median of this many runs")
    ap.add_argument("--models", nargs="*", help="these data types only")
    args = ap.parse_args(argv)
    fmt = "github" if args.markdown else "simple"
    if args.targets:
        table = tabulate(targets(args.runs), ["target", "history", "how", "linearizable",
                                              "wall s", "CPU s"], tablefmt=fmt)
    else:
        table = tabulate(curves(args.limit, args.runs, args.models),
                         ["model", "bug", "history", "linearizable", "search s",
                          "search CPU s", "verdict-only CPU s", "verdict / search",
                          "with explanation CPU s"], tablefmt=fmt)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    for key, value in machine() + [("load average after", load)]:
        print(f"{key}: {value}")
    print()
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
