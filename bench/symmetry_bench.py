"""Symmetry reduction: states, search CPU and peak memory without it, with the direct
canonical form (every renaming applied, `Symmetry.canonical_reference`) and with the
one `check` uses (`Symmetry.canonical`: renamings narrowed slot by slot, moved bit
sets and canonical forms remembered).

    python bench/symmetry_bench.py [--runs 3] [--markdown] [--skip-reference-above N]

The specs: two-phase commit (specs/two_phase_commit.sl without its liveness property)
with the resource managers as `symmetric` model values, N = 5, 6, 7, and
tests/specs/paxos_symmetric.sl with ballots 0..2.  Each run is a fresh process; the
table gives the median CPU seconds of the breadth-first search (loading excluded).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

RUN = """
import json, resource, sys, time
from stateline import check_blocks, load_spec
from stateline.checker.memory import peak_rss_mib
from stateline.checker.run import prepare
from stateline.checker.search import SearchOptions, bfs
from stateline.checker.symmetry import Symmetry
loaded = load_spec(sys.argv[1])
model = prepare(loaded, check_blocks(loaded)[0], {})
sym = Symmetry(model.system)
canon = {"none": None, "reference": sym.canonical_reference, "canonical": sym.canonical}[sys.argv[2]]
t = time.process_time()
r = bfs(model, SearchOptions(canonical=canon))
print(json.dumps({"states": r.states, "cpu": time.process_time() - t, "mb": peak_rss_mib()}))
"""


def specs(folder: Path) -> list[tuple[str, Path]]:
    out = []
    text = (ROOT / "specs" / "two_phase_commit.sl").read_text()
    text = re.sub(r"(?ms)^property AllDecide:.*?\n\n", "", text)
    text = text[:text.index("\ncheck ")] + "\ncheck c:\n    expect Consistent holds\n"
    for n in (5, 6, 7):
        values = ", ".join(f"r{i}" for i in range(1, n + 1))
        spec = text.replace("const N = 3", f"const N = {n}").replace(
            "const RMs = 1..N", f"const RMs = {{{values}}} symmetric")
        path = folder / f"twophase_sym{n}.sl"
        path.write_text(spec)
        out.append((f"two-phase commit, {n} symmetric RMs", path))
    paxos = (ROOT / "tests" / "specs" / "paxos_symmetric.sl").read_text()
    path = folder / "paxos_sym_b2.sl"
    path.write_text(paxos.replace("const MaxBallot = 1", "const MaxBallot = 2"))
    out.append(("Paxos, 3 symmetric acceptors x 2 values, ballots 0..2", path))
    return out


def measure(path: Path, how: str) -> dict:
    run = subprocess.run([sys.executable, "-c", RUN, str(path), how], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return json.loads(run.stdout)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--skip-reference-above", type=int, default=10 ** 9, metavar="N",
                    help="run the reference canonical form once only on specs with more "
                         "than N states without symmetry (it is slow)")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in specs(Path(tmp)):
            row = {"spec": name}
            for how in ("none", "reference", "canonical"):
                runs = args.runs
                if how == "reference" and rows_states(row) > args.skip_reference_above:
                    runs = 1
                got = [measure(path, how) for _ in range(runs)]
                assert len({g["states"] for g in got}) == 1
                row[how] = {"states": got[0]["states"],
                            "cpu": statistics.median(g["cpu"] for g in got),
                            "mb": statistics.median(g["mb"] for g in got), "runs": runs}
                print(name, how, row[how], file=sys.stderr, flush=True)
            assert row["reference"]["states"] == row["canonical"]["states"]
            rows.append(row)
    if args.markdown:
        print("| spec | states (none / symmetric) | CPU s none | CPU s reference | CPU s "
              "canonical | peak MiB none / canonical |")
        print("|---|---|---|---|---|---|")
        for r in rows:
            ref = f"{r['reference']['cpu']:.2f}" + \
                (" (1 run)" if r["reference"]["runs"] == 1 else "")
            print(f"| {r['spec']} | {r['none']['states']:,} / {r['canonical']['states']:,} | "
                  f"{r['none']['cpu']:.2f} | {ref} | {r['canonical']['cpu']:.2f} | "
                  f"{r['none']['mb']:.0f} / {r['canonical']['mb']:.0f} |")
    else:
        print(json.dumps(rows, indent=2))
    return 0


def rows_states(row: dict) -> int:
    return row.get("none", {}).get("states", 0)


if __name__ == "__main__":
    sys.exit(main())
