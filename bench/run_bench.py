"""Stateline benchmarks: two-phase commit and Paxos, against TLC's counts and a
plain-Python reference.

    python bench/run_bench.py                 # everything, 3 runs each (median)
    python bench/run_bench.py --quick         # smoke run: no N = 8, one run each
    python bench/run_bench.py --markdown      # the table as Markdown, for bench/README.md
    python bench/run_bench.py --only 2pc      # or paxos, or plain (repeatable)

Every run is a fresh subprocess, reaped with os.wait4, so its wall time covers
interpreter start-up, parsing and compilation, and its CPU time (user + system)
and peak RSS (ru_maxrss) are its own.  Benchmarks run round-robin (run 1 of
each, then run 2, ...), each Stateline instance next to its plain-Python twin.
Stateline runs as

    stateline check specs/two_phase_commit.sl --check n3 -D N=<n> --no-progress --json <tmp>
    stateline check specs/paxos.sl --check ballots012 -D MaxBallot=<b> --no-progress --json <tmp>

and the "search seconds" are the checker's own search time from the JSON
(results[0].stats.seconds).  The plain-Python references bench/plain_twophase.py
and bench/plain_paxos.py print their own search time as JSON.

Every count (distinct states, transitions = TLC's "states generated", depth with
the initial state at depth 1) of every run is checked against TLC's published
numbers; any difference is printed as MISMATCH and the script exits 1 (so does
a run that fails).  The speed floors of the requirements are checked (on the
median search time; the wall time is shown beside it) and reported, but do not
change the exit status:

    two-phase commit N = 8:  at most 25 s, peak memory under 1.5 GB
    Paxos ballots 0..2:      at most 12 s
    (median of 3 runs)

Exit status: 0 all counts match, 1 a MISMATCH or a failed run, 2 bad usage.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

from tabulate import tabulate

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)

# TLC's numbers: (distinct states, states generated, depth).
TLC_2PC = {
    3: (288, 1_146, 11),
    4: (1_568, 8_258, 14),
    5: (8_832, 58_146, 17),
    6: (50_816, 402_306, 20),
    7: (296_448, 2_744_706, 23),
    8: (1_745_408, 18_507_778, 26),
}
TLC_PAXOS = {
    1: (3_921, 23_563, 17),
    2: (185_369, 1_361_380, 25),
}

# The speed floors of the requirements (median of 3 runs).
FLOOR_2PC_N = 8
FLOOR_2PC_SECONDS = 25.0
FLOOR_2PC_MEMORY_MB = 1.5 * 1024          # 1.5 GB, in MiB as ru_maxrss counts
FLOOR_PAXOS_B = 2
FLOOR_PAXOS_SECONDS = 12.0

# Search times below this (the JSON rounds to milliseconds) give no meaningful
# rate or ratio: those cells show "-".
MIN_SECONDS = 0.02


@dataclass
class Bench:
    suite: str            # "2pc" | "paxos" | "plain"
    engine: str           # "stateline" | "plain Python"
    model: str            # "2PC" | "Paxos"
    param: str            # "N=5", "B=2"
    key: int
    expected: tuple[int, int, int]

    def label(self) -> str:
        return f"{self.model} {self.param}"


@dataclass
class Run:
    states: int
    transitions: int
    depth: int
    seconds: float        # the engine's own search time
    wall: float           # the whole process, start-up and compilation included
    cpu: float            # user + system CPU seconds of the whole process (wait4)
    rss_mb: float         # the process's own peak RSS (wait4)


@dataclass
class Outcome:
    bench: Bench
    runs: list[Run] = field(default_factory=list)
    error: str | None = None
    mismatches: list[str] = field(default_factory=list)

    def median(self, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in self.runs)


def stateline_command() -> list[str]:
    """The `stateline` of this interpreter's environment, else the one on PATH."""
    here = os.path.join(os.path.dirname(sys.executable), "stateline")
    if os.path.exists(here):
        return [here]
    found = shutil.which("stateline")
    if found:
        return [found]
    # Fall back on the library entry point with this interpreter.
    return [sys.executable, "-c", "import sys; from stateline.cli import main; sys.exit(main())"]


def benches(only: set[str], quick: bool) -> list[Bench]:
    """Each instance's Stateline run next to its plain-Python run, so that the two
    are measured close together in time (a busy machine drifts)."""
    out = []
    instances = [("2PC", n, TLC_2PC[n]) for n in sorted(TLC_2PC) if not (quick and n == 8)]
    instances += [("Paxos", b, TLC_PAXOS[b]) for b in sorted(TLC_PAXOS)]
    for model, key, expected in instances:
        param = f"N={key}" if model == "2PC" else f"B={key}"
        suite = "2pc" if model == "2PC" else "paxos"
        if suite in only:
            out.append(Bench(suite, "stateline", model, param, key, expected))
        if "plain" in only:
            out.append(Bench("plain", "plain Python", model, param, key, expected))
    return out


def spawn(argv: list[str], stdout, stderr) -> tuple[int, float, float, float]:
    """Run argv to completion; (exit code, wall seconds, CPU seconds, peak RSS MiB),
    the last two of that child alone."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=stdout,
                            stderr=stderr)
    while True:
        try:
            _, status, usage = os.wait4(proc.pid, 0)
            break
        except InterruptedError:
            continue
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code                 # reaped here: keep Popen from waiting again
    cpu = usage.ru_utime + usage.ru_stime
    return code, wall, cpu, usage.ru_maxrss / 1024.0      # Linux: ru_maxrss is in KiB


def run_once(b: Bench, tmp: str) -> Run:
    out_path = os.path.join(tmp, "stdout.txt")
    err_path = os.path.join(tmp, "stderr.txt")
    json_path = os.path.join(tmp, "result.json")
    if os.path.exists(json_path):
        os.remove(json_path)
    if b.engine == "stateline":
        if b.model == "2PC":
            args = ["check", "specs/two_phase_commit.sl", "--check", "n3", "-D", f"N={b.key}"]
        else:
            args = ["check", "specs/paxos.sl", "--check", "ballots012",
                    "-D", f"MaxBallot={b.key}"]
        argv = stateline_command() + args + ["--no-progress", "--json", json_path]
    else:
        script = "plain_twophase.py" if b.model == "2PC" else "plain_paxos.py"
        argv = [sys.executable, os.path.join(BENCH, script), str(b.key)]
    with open(out_path, "w") as out, open(err_path, "w") as err:
        code, wall, cpu, rss = spawn(argv, out, err)
    with open(out_path) as f:
        stdout = f.read()
    with open(err_path) as f:
        stderr = f.read()
    if code != 0:
        tail = (stderr or stdout).strip().splitlines()[-5:]
        raise RuntimeError(f"exit code {code}: {' | '.join(tail)}")
    if b.engine == "stateline":
        with open(json_path, encoding="utf-8") as f:
            doc = json.load(f)
        if len(doc["results"]) != 1:
            raise RuntimeError(f"expected one result in the JSON, got {len(doc['results'])}")
        result = doc["results"][0]
        if result["stop_reason"] != "complete":
            raise RuntimeError(f"search stopped early: {result['stop_reason']}")
        stats = result["stats"]
    else:
        stats = json.loads(stdout.strip().splitlines()[-1])
    return Run(stats["states"], stats["transitions"], stats["depth"], float(stats["seconds"]),
               wall, cpu, rss)


def machine() -> list[tuple[str, str]]:
    cpu = "unknown"
    family = model = None
    virtual = False
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                key, value = key.strip(), value.strip()
                if key == "model name" and cpu == "unknown":
                    cpu = value
                elif key == "cpu family" and family is None:
                    family = value
                elif key == "model" and model is None:
                    model = value
                elif key == "flags" and "hypervisor" in value.split():
                    virtual = True
    except OSError:
        pass
    if family is not None and model is not None:
        cpu += f" (family {family}, model {model})"
    if virtual:
        cpu += ", virtual machine"
    ram = "unknown"
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                    break
    except OSError:
        pass
    return [
        ("CPU", cpu),
        ("cores", str(os.cpu_count())),
        ("RAM", ram),
        ("Python", f"{platform.python_version()} ({sys.executable})"),
        ("OS", platform.platform()),
        ("date", datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")),
    ]


def source_state() -> tuple[str, str]:
    """(a description of the checked-out code, a fingerprint of the measured sources).

    Stateline is installed in editable mode, so the benchmark measures whatever
    is in the work tree: the commit plus any uncommitted change to the code, the
    specs and the plain references, which the fingerprint covers.
    """
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                                  check=True).stdout
        except (OSError, subprocess.CalledProcessError):
            return ""
    paths = ["stateline", "specs", "bench/plain_twophase.py", "bench/plain_paxos.py"]
    head = git("rev-parse", "--short", "HEAD").strip() or "unknown"
    dirty = [line[3:] for line in git("status", "--porcelain", "--", *paths).splitlines()]
    fingerprint = hashlib.sha1(git("diff", "HEAD", "--", *paths).encode()).hexdigest()[:10]
    desc = f"commit {head}"
    if dirty:
        desc += f" + uncommitted changes to {', '.join(dirty)} (diff {fingerprint})"
    return desc, fingerprint


def loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def check_counts(o: Outcome) -> None:
    exp = o.bench.expected
    for i, r in enumerate(o.runs, 1):
        got = (r.states, r.transitions, r.depth)
        for name, g, e in zip(("states", "transitions", "depth"), got, exp):
            if g != e:
                o.mismatches.append(f"{o.bench.engine} {o.bench.label()} run {i}: "
                                    f"{name} {g:,} but TLC has {e:,}")


def fmt_s(x: float) -> str:
    return f"{x:.3f}" if x < 1 else f"{x:.2f}"


def table_rows(outcomes: list[Outcome]) -> tuple[list[str], list[list]]:
    plain = {(o.bench.model, o.bench.key): o for o in outcomes
             if o.bench.engine == "plain Python" and o.runs and not o.error}
    headers = ["engine", "model", "states", "transitions", "depth", "search s",
               "search min-max", "wall s", "CPU s", "states/s", "peak RSS MB", "vs plain",
               "TLC counts"]
    rows = []
    for o in outcomes:
        b = o.bench
        if o.error or not o.runs:
            rows.append([b.engine, b.label()] + [""] * (len(headers) - 3) +
                        [f"FAILED: {o.error}"])
            continue
        r0 = o.runs[0]
        secs = o.median("seconds")
        ratio = ""
        ref = plain.get((b.model, b.key))
        if b.engine == "stateline" and ref is not None:
            ref_s = ref.median("seconds")
            ratio = f"{secs / ref_s:.2f}x" if min(secs, ref_s) >= MIN_SECONDS else "-"
        rows.append([
            b.engine, b.label(), f"{r0.states:,}", f"{r0.transitions:,}", r0.depth,
            fmt_s(secs),
            f"{fmt_s(min(r.seconds for r in o.runs))}-{fmt_s(max(r.seconds for r in o.runs))}"
            if len(o.runs) > 1 else "",
            fmt_s(o.median("wall")), fmt_s(o.median("cpu")),
            f"{r0.states / secs:,.0f}" if secs >= MIN_SECONDS else "-",
            f"{o.median('rss_mb'):,.0f}", ratio,
            "MISMATCH" if o.mismatches else "match",
        ])
    return headers, rows


def tlc_rows() -> tuple[list[str], list[list]]:
    headers = ["model", "states", "transitions", "depth"]
    rows = [[f"2PC N={n}", f"{s:,}", f"{t:,}", d] for n, (s, t, d) in sorted(TLC_2PC.items())]
    rows += [[f"Paxos B={b}", f"{s:,}", f"{t:,}", d]
             for b, (s, t, d) in sorted(TLC_PAXOS.items())]
    return headers, rows


def floors(outcomes: list[Outcome], runs: int) -> list[str]:
    find = {(o.bench.engine, o.bench.model, o.bench.key): o for o in outcomes}
    lines = []
    note = "" if runs >= 3 else f" (median of {runs} run{'s' if runs != 1 else ''}, " \
                                "not the required 3)"

    o = find.get(("stateline", "2PC", FLOOR_2PC_N))
    if o is None or o.error or not o.runs:
        lines.append(f"2PC N={FLOOR_2PC_N} <= {FLOOR_2PC_SECONDS:g} s and < 1.5 GB: "
                     "not measured")
    else:
        s, w, m, c = o.median("seconds"), o.median("wall"), o.median("rss_mb"), o.median("cpu")
        ok_s, ok_w, ok_m = s <= FLOOR_2PC_SECONDS, w <= FLOOR_2PC_SECONDS, \
            m < FLOOR_2PC_MEMORY_MB
        verdict = "HOLDS" if ok_s and ok_m else "DOES NOT HOLD"
        lines.append(
            f"2PC N={FLOOR_2PC_N} <= {FLOOR_2PC_SECONDS:g} s and < 1.5 GB: {verdict}{note} "
            f"-- search {s:.2f} s ({'ok' if ok_s else 'TOO SLOW'}), "
            f"wall incl. start-up {w:.2f} s ({'ok' if ok_w else 'over'}), "
            f"CPU of the whole process {c:.2f} s, "
            f"peak RSS {m:,.0f} MB ({'ok' if ok_m else 'TOO MUCH'})")

    o = find.get(("stateline", "Paxos", FLOOR_PAXOS_B))
    if o is None or o.error or not o.runs:
        lines.append(f"Paxos B={FLOOR_PAXOS_B} <= {FLOOR_PAXOS_SECONDS:g} s: not measured")
    else:
        s, w, c = o.median("seconds"), o.median("wall"), o.median("cpu")
        ok_s, ok_w = s <= FLOOR_PAXOS_SECONDS, w <= FLOOR_PAXOS_SECONDS
        verdict = "HOLDS" if ok_s else "DOES NOT HOLD"
        lines.append(
            f"Paxos B={FLOOR_PAXOS_B} <= {FLOOR_PAXOS_SECONDS:g} s: {verdict}{note} "
            f"-- search {s:.2f} s ({'ok' if ok_s else 'TOO SLOW'}), "
            f"wall incl. start-up {w:.2f} s ({'ok' if ok_w else 'over'}), "
            f"CPU of the whole process {c:.2f} s")
    return lines


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Benchmark Stateline on two-phase commit and "
                                            "Paxos against TLC's counts and plain Python.")
    p.add_argument("--runs", type=int, default=None, metavar="K",
                   help="runs per benchmark, the median is reported (default 3; 1 with --quick)")
    p.add_argument("--quick", action="store_true",
                   help="smoke run: skip 2PC N=8 and run each benchmark once")
    p.add_argument("--markdown", action="store_true",
                   help="print the tables as Markdown, ready for bench/README.md")
    p.add_argument("--only", action="append", choices=("2pc", "paxos", "plain"),
                   help="run only these suites (repeatable; default all)")
    args = p.parse_args(argv)
    runs = args.runs if args.runs is not None else (1 if args.quick else 3)
    if runs < 1:
        p.error("--runs must be at least 1")
    only = set(args.only or ("2pc", "paxos", "plain"))
    fmt = "github" if args.markdown else "simple"

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    info = machine()
    code_before, print_before = source_state()
    load_before = loadavg()
    todo = benches(only, args.quick)
    outcomes = [Outcome(b) for b in todo]
    # Round-robin: run k of every benchmark, then run k + 1, so that a change in
    # the machine's load during the run spreads over all of them.
    with tempfile.TemporaryDirectory(prefix="stateline-bench-") as tmp:
        for k in range(runs):
            for o in outcomes:
                b = o.bench
                if o.error:
                    continue
                try:
                    r = run_once(b, tmp)
                except Exception as exc:       # noqa: BLE001 - reported, never hidden
                    o.error = str(exc)
                    log(f"  {b.engine:<12} {b.label():<10} run {k + 1}/{runs}: FAILED: {exc}")
                    continue
                o.runs.append(r)
                log(f"  {b.engine:<12} {b.label():<10} run {k + 1}/{runs}: "
                    f"{r.states:,} states, {r.transitions:,} transitions, depth {r.depth}, "
                    f"search {r.seconds:.3f} s, wall {r.wall:.3f} s, CPU {r.cpu:.3f} s, "
                    f"peak RSS {r.rss_mb:,.0f} MB")
    for o in outcomes:
        check_counts(o)
    load_after = loadavg()
    code_after, print_after = source_state()

    bullet = "- " if args.markdown else "  "
    print("Machine" + (":" if not args.markdown else ""))
    if args.markdown:
        print()
    for k, v in info:
        print(f"{bullet}{k}: {v}")
    print(f"{bullet}load average (1/5/15 min) before: {load_before}; after: {load_after}")
    print(f"{bullet}code: {code_before}")
    if (code_after, print_after) != (code_before, print_before):
        print(f"{bullet}WARNING: the measured sources changed during the run; now: {code_after}")
    print()
    what = f"median of {runs} run{'s' if runs != 1 else ''}"
    print(f"Results ({what}; 'search s' is the engine's own search time (wall clock), "
          "'wall s' the whole process including start-up and compilation, 'CPU s' its user + "
          "system CPU time (wall well above CPU: the process waited for a core); peak RSS "
          "of that process; "
          "'vs plain' = Stateline search s / plain-Python search s, below 1x Stateline is "
          f"faster; '-' where a search took under {MIN_SECONDS:g} s)")
    print()
    headers, rows = table_rows(outcomes)
    print(tabulate(rows, headers, tablefmt=fmt, disable_numparse=True,
                   colalign=("left", "left") + ("right",) * (len(headers) - 2) if rows else None))
    print()
    print("TLC's reference counts (distinct states, states generated, depth)")
    print()
    h, r = tlc_rows()
    print(tabulate(r, h, tablefmt=fmt, disable_numparse=True,
                   colalign=("left", "right", "right", "right")))
    print()
    print("Speed floors (requirements: median of 3 runs)")
    print()
    for line in floors(outcomes, runs):
        print(f"{bullet}{line}")
    print()

    mismatches = [m for o in outcomes for m in o.mismatches]
    failed = [o for o in outcomes if o.error]
    if mismatches or failed:
        print("!" * 72)
        for m in mismatches:
            print(f"!!! MISMATCH: {m}")
        for o in failed:
            print(f"!!! FAILED: {o.bench.engine} {o.bench.label()}: {o.error}")
        print("!" * 72)
        sys.stdout.flush()
        log(f"run_bench: {len(mismatches)} MISMATCH(ES), {len(failed)} failed benchmark(s)")
        return 1
    print(f"Every count matches TLC's ({sum(len(o.runs) for o in outcomes)} runs checked).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
