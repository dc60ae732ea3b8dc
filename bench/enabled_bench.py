"""The cost of `enabled(A)` in invariants: two-phase commit (specs/two_phase_commit.sl,
its first check block, N resource managers) with its two invariants, then with two more
invariants over enabled(...) of the transaction manager's and the resource managers'
actions, then with the same two invariants written by hand (the actions' guards).

    python bench/enabled_bench.py [--runs 3] [--n 6]

Each run is a fresh process; the table gives the median CPU seconds of the
breadth-first search (model compilation and loading excluded) and the states.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

RUN = """
import json, sys, time
from stateline import check_blocks, load_spec
from stateline.checker.run import prepare
from stateline.checker.search import SearchOptions, bfs
loaded = load_spec(sys.argv[1])
model = prepare(loaded, check_blocks(loaded)[0], {})
t = time.process_time()
r = bfs(model, SearchOptions())
print(json.dumps({"states": r.states, "cpu": time.process_time() - t,
                  "invariants": len(model.invariants)}))
"""

EXTRA = {
    "plain": "",
    "enabled": """
invariant CommitNeedsAll: enabled(TM.commit) implies TM.tmPrepared == RMs
invariant PrepareOnce: forall r in RMs: enabled(RM[r].prepare) implies RM[r].state != prepared
""",
    "by hand": """
invariant CommitNeedsAll: TM.state == init and TM.tmPrepared == RMs implies TM.tmPrepared == RMs
invariant PrepareOnce: forall r in RMs: RM[r].state == working implies RM[r].state != prepared
""",
}


def spec_text(n: int, extra: str) -> str:
    text = (ROOT / "specs" / "two_phase_commit.sl").read_text(encoding="utf-8")
    head, _, _ = text.partition("\ncheck ")
    return head + extra + f"\ncheck n{n}(N = {n}):\n    only Consistent, CommitNeedsAllPrepared" + \
        "".join(f", {line.split(':')[0].split()[1]}" for line in extra.strip().splitlines()
                if line.startswith("invariant")) + "\n    allow deadlock\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--n", type=int, default=6)
    args = ap.parse_args()
    print("| invariants | states | search CPU s (median) |")
    print("|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for label, extra in EXTRA.items():
            path = Path(tmp) / f"tpc_{label.replace(' ', '_')}.sl"
            path.write_text(spec_text(args.n, extra), encoding="utf-8")
            runs = []
            for _ in range(args.runs):
                out = subprocess.run([sys.executable, "-c", RUN, str(path)], check=True,
                                     capture_output=True, text=True, cwd=ROOT).stdout
                runs.append(json.loads(out))
            cpu = statistics.median(r["cpu"] for r in runs)
            print(f"| {label} ({runs[0]['invariants']}) | {runs[0]['states']:,} | {cpu:.2f} |")


if __name__ == "__main__":
    main()
