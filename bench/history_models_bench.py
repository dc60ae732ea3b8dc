"""History-checker benchmark for every data type: curves of operations -> seconds on
histories from the fault-injecting simulator (bench/history_sim.py).

For each data type, histories of growing size are simulated (correct runs, which are
linearizable, and runs with a bug, which are not) and checked three ways:

- *search*: the linearizability search alone (`wgl.search`, or the register's own
  search; a kv history key by key), as a library user calls it;
- *verdict*: `check(..., explain=False)`, the verdict-only mode of
  ``stateline history check --no-explain`` (the search plus pairing the events);
- *explained*: `check(...)`, which for a violation adds the longest partial
  linearization (one more search, on the prefix up to the frontier).

A data type's curve stops at the first size whose search takes more than --limit
seconds (60 by default).  --targets also times the issue's targets end to end: a
10,000-operation cas-register history of 10 processes, and a 100-key kv history of
100,000 operations through ``stateline history check --workers 2`` (a JSON file, in a
fresh process) next to ``--workers 1``.

    python bench/history_models_bench.py [--markdown] [--targets] [--limit S]

Wall-clock seconds, one run each (the machine is shared: see the load average printed
with the table); CPU seconds of this process next to them where no worker process runs.
"""

from __future__ import annotations

import argparse
import json
import os
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


def search(events, model: str, initial):
    """The search alone: True or False."""
    datatype = DATATYPES[model]
    operations = pair(events, datatype)
    if model == "register":
        return linearizability.run(operations, initial).order is not None
    if datatype.keyed:
        return all(wgl.search(ops, datatype, initial).order is not None
                   for ops in split(operations).values())
    return wgl.search(operations, datatype, initial).order is not None


def timed(fn):
    t0, c0 = time.perf_counter(), time.process_time()
    value = fn()
    return value, time.perf_counter() - t0, time.process_time() - c0


def curves(limit: float) -> list[list]:
    rows = []
    for model, procs, keys, bug, sizes in CURVES:
        initial = INITIAL.get(model)
        for n in sizes:
            events = simulate(model, n, procs, keys, seed=SEED, bug=bug)
            ok, wall, cpu = timed(lambda: search(events, model, initial))
            verdict, vwall, _ = timed(lambda: check(events, "linearizable", initial, model,
                                                    explain=False).ok)
            explained, ewall, _ = timed(lambda: check(events, "linearizable", initial,
                                                      model).ok)
            assert ok == verdict == explained, (model, n, bug)
            rows.append([model, bug or "-", count(pair(events, DATATYPES[model])),
                         "yes" if ok else "no", f"{wall:.2f}", f"{cpu:.2f}",
                         f"{vwall:.2f}", f"{vwall / wall:.2f}" if wall > 0.05 else "-",
                         f"{ewall:.2f}"])
            print(" | ".join(map(str, rows[-1])), file=sys.stderr, flush=True)
            if wall > limit:
                break
    return rows


def targets() -> list[list]:
    rows = []
    events = simulate("cas-register", 10000, 10, 1, seed=SEED)
    ok, wall, cpu = timed(lambda: check(events, "linearizable", 0, "cas-register",
                                        explain=False).ok)
    rows.append(["cas-register, 10,000 operations, 10 clients (library)",
                 count(pair(events, DATATYPES["cas-register"])), "yes" if ok else "no",
                 f"{wall:.2f}", f"{cpu:.2f}"])
    events = simulate("kv", 100000, 20, 100, seed=SEED)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "kv.json")
        with open(path, "w") as f:
            json.dump({"version": 2, "model": "kv", "history": [
                dict(zip(("process", "type", "f", "value", "key"), e)) for e in events]}, f)
        for workers in (1, 2):
            t0 = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "stateline", "history", "check",
                                   path, "--no-explain", "--workers", str(workers)],
                                  capture_output=True, text=True)
            wall = time.perf_counter() - t0
            rows.append([f"kv, 100 keys, 100,000 operations, 20 clients (CLI, --workers "
                         f"{workers})", count(pair(events, DATATYPES["kv"])),
                         "yes" if proc.returncode == 0 else f"exit {proc.returncode}",
                         f"{wall:.2f}", "-"])
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--targets", action="store_true", help="time the targets only")
    ap.add_argument("--limit", type=float, default=60.0)
    args = ap.parse_args(argv)
    fmt = "github" if args.markdown else "simple"
    if args.targets:
        table = tabulate(targets(), ["target", "history", "linearizable", "wall s", "CPU s"],
                         tablefmt=fmt)
    else:
        table = tabulate(curves(args.limit),
                         ["model", "bug", "history", "linearizable", "search s",
                          "search CPU s", "verdict-only s", "verdict / search",
                          "with explanation s"], tablefmt=fmt)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    for key, value in machine() + [("load average after", load)]:
        print(f"{key}: {value}")
    print()
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
