"""Start-up benchmark: what the parser-table cache (stateline.lang.tables) saves.

Every `stateline` command that reads a spec builds the LALR parser of grammar.lark
first.  This script times, each in a fresh interpreter:

- tables: building the parser without a cache, building it and writing the cache
  (first run), loading it from the cache (every later run), and, for comparison,
  lark's own `cache=True` loading its file from the temporary directory (what
  Stateline did before; unsafe, see stateline/lang/tables.py);
- command: the whole `stateline parse specs/paxos.sl`, with the cache and without
  one (a cache folder writable by others, which Stateline refuses to use).

    python bench/startup_bench.py [--runs K]

Runs go round-robin (run 1 of every case, then run 2, ...); the table shows the
median of K runs (9 by default), and the machine is printed above it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

from tabulate import tabulate

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from run_bench import machine  # noqa: E402  (bench/ is not a package)

# Prints the milliseconds `tables.parser` (or lark's cache=True) takes in a fresh process.
TIMED = """
import sys, time
from lark import Lark
from stateline.lang import parse as P, tables
mode = sys.argv[1]
t0 = time.perf_counter()
if mode == "lark":
    Lark(P._grammar(), parser="lalr", start="start", postlex=P.Indenter(),
         propagate_positions=True, maybe_placeholders=True, cache=True)
else:
    tables.parser(P._grammar(), start="start", postlex=P.Indenter(),
                  propagate_positions=True, maybe_placeholders=True)
print((time.perf_counter() - t0) * 1000)
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=9)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        good, unsafe = os.path.join(tmp, "good"), os.path.join(tmp, "unsafe")
        os.makedirs(os.path.join(unsafe, "stateline"))
        os.chmod(os.path.join(unsafe, "stateline"), 0o777)
        base = {**os.environ, "TMPDIR": tmp}
        cases = {
            ("tables", "built, no cache"): ("timed", "build", {"XDG_CACHE_HOME": unsafe}),
            ("tables", "built and cached (first run)"): ("timed", "build",
                                                         {"XDG_CACHE_HOME": "FRESH"}),
            ("tables", "loaded from the cache"): ("timed", "build", {"XDG_CACHE_HOME": good}),
            ("tables", "lark cache=True, loaded (before)"): ("timed", "lark", {}),
            ("command", "stateline parse, cache"): ("cli", None, {"XDG_CACHE_HOME": good}),
            ("command", "stateline parse, no cache"): ("cli", None, {"XDG_CACHE_HOME": unsafe}),
        }
        # warm both caches once
        _run("timed", "build", {**base, "XDG_CACHE_HOME": good})
        _run("timed", "lark", base)
        times: dict = {case: [] for case in cases}
        for k in range(args.runs):
            for case, (kind, mode, env) in cases.items():
                env = dict(env)
                if env.get("XDG_CACHE_HOME") == "FRESH":
                    env["XDG_CACHE_HOME"] = os.path.join(tmp, f"fresh{k}")
                times[case].append(_run(kind, mode, {**base, **env}))
                print(f"run {k + 1}: {case[1]}: {times[case][-1]:.0f} ms", file=sys.stderr)
    for key, value in machine():
        print(f"{key}: {value}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print()
    rows = [[what, case, f"{statistics.median(t):.0f}", f"{min(t):.0f}-{max(t):.0f}"]
            for (what, case), t in times.items()]
    print(tabulate(rows, ["", "case", f"median ms ({args.runs} runs)", "min-max"],
                   tablefmt="github", disable_numparse=True))
    return 0


def _run(kind: str, mode: str | None, env: dict) -> float:
    if kind == "timed":
        out = subprocess.run([sys.executable, "-c", TIMED, mode], env=env, cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
        return float(out)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "stateline", "parse", "specs/paxos.sl"], env=env,
                   cwd=ROOT, capture_output=True, check=True)
    return (time.perf_counter() - t0) * 1000


if __name__ == "__main__":
    sys.exit(main())
