"""Every check block of the protocol library: states, transitions, depth and time.

    python bench/library_bench.py                 # 3 runs (median), every spec under specs/
    python bench/library_bench.py --runs 5 --markdown

Each run is one fresh process per spec file, `stateline check FILE --json OUT
--no-progress --quiet`, so start-up and compilation count in the whole-file wall
and CPU times (os.wait4 of that process); the per-check seconds are the search
time the JSON reports.  Runs go round-robin (run 1 of every file, then run 2,
...) so a change in the machine's load spreads over all of them.  Exit status 0
(every expectation met) is required; any other is printed as FAILED and the
script exits 1.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tabulate import tabulate

ROOT = Path(__file__).resolve().parent.parent


def run_file(path: str, out: str) -> tuple[int, float, float]:
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "stateline", "check", path, "--json", out,
                             "--no-progress", "--quiet"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    return os.waitstatus_to_exitcode(status), wall, usage.ru_utime + usage.ru_stime


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}; load average {load:.1f} at the start")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--markdown", action="store_true", help="GitHub tables")
    ap.add_argument("paths", nargs="*", help="spec files (default: every specs/**/*.sl)")
    args = ap.parse_args(argv)
    files = args.paths or sorted(p.relative_to(ROOT).as_posix()
                                 for p in (ROOT / "specs").rglob("*.sl"))
    print(machine(), file=sys.stderr)
    whole: dict[str, list] = {f: [] for f in files}
    checks: dict[tuple[str, str], dict] = {}
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            for f in files:
                out = os.path.join(tmp, "out.json")
                code, wall, cpu = run_file(f, out)
                if code != 0:
                    print(f"FAILED: {f} exited {code}", file=sys.stderr)
                    failed = True
                    continue
                whole[f].append((wall, cpu))
                for r in json.load(open(out))["results"]:
                    st = r["stats"]
                    row = checks.setdefault((f, r["check"]), {
                        "states": st["states"], "transitions": st["transitions"],
                        "depth": st["depth"], "seconds": [], "mb": []})
                    row["seconds"].append(st["seconds"])
                    row["mb"].append(st.get("peak_memory_mb") or 0)
            print(f"run {run + 1} of {args.runs} done", file=sys.stderr)
    fmt = "github" if args.markdown else "simple"
    rows = [(f"`{f}`" if args.markdown else f, c, f"{r['states']:,}", f"{r['transitions']:,}",
             r["depth"], f"{statistics.median(r['seconds']):.2f}",
             f"{min(r['seconds']):.2f}-{max(r['seconds']):.2f}")
            for (f, c), r in checks.items()]
    print(tabulate(rows, ["spec", "check", "states", "transitions", "depth", "search s (median)",
                          "min-max"], tablefmt=fmt, disable_numparse=True))
    print()
    total_wall = total_cpu = 0.0
    rows = []
    for f, runs in whole.items():
        if not runs:
            continue
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        total_wall += wall
        total_cpu += cpu
        rows.append((f"`{f}`" if args.markdown else f, f"{wall:.2f}", f"{cpu:.2f}"))
    rows.append(("all files", f"{total_wall:.1f}", f"{total_cpu:.1f}"))
    print(tabulate(rows, ["file (whole process)", "wall s (median)", "CPU s (median)"],
                  tablefmt=fmt, disable_numparse=True))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
