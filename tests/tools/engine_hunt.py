"""Hunt for engine disagreements at scale, without stopping at the first one.

    python tests/tools/engine_hunt.py N SEED [--unknown-only] [--out FILE]

Draws N specs with tests/spec_shapes.py (hypothesis seed SEED), runs the comparison of
tests/engine_agreement.py on each, and prints, for each kind of finding (engine, kind,
what, and the KNOWN_UNSOUND entry it matches), the first spec that shows it and then a
count of each.  `python tests/tools/engine_shrink.py` shrinks one kind to a minimal
spec.  (tests/test_engine_agreement.py is the pass/fail form of the same comparison.)
"""

from __future__ import annotations

import argparse
import collections
import signal
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import engine_agreement as E  # noqa: E402
from known_unsound import known  # noqa: E402
from spec_shapes import shaped_specs  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("seed", type=int)
    ap.add_argument("--unknown-only", action="store_true",
                    help="report only findings that match no KNOWN_UNSOUND entry")
    ap.add_argument("--out", default=None, help="also write the report to this file")
    args = ap.parse_args(argv)
    out = open(args.out, "w") if args.out else None    # noqa: SIM115
    counts: collections.Counter = collections.Counter()
    stats = collections.Counter()
    started = time.time()

    def say(text: str):
        print(text, flush=True)
        if out is not None:
            out.write(text + "\n")
            out.flush()

    def summary():
        say(f"specs {stats['specs']} in {time.time() - started:.0f} s; " +
            ", ".join(f"{k}: {v}" for k, v in stats.items() if k != "specs"))
        for key, n in counts.most_common():
            say(f"{n:6d}  {key}")

    def stop(signum, frame):
        say("stopped by a signal")
        summary()
        sys.exit(1)

    signal.signal(signal.SIGTERM, stop)

    @seed(args.seed)
    @settings(max_examples=args.n, deadline=None, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.generate])
    @given(shaped_specs())
    def one(spec):
        stats["specs"] += 1
        if stats["specs"] % 500 == 0:
            say(f"... {stats['specs']} specs, {time.time() - started:.0f} s")
        try:
            run = E.findings(spec)
        except Exception as exc:    # noqa: BLE001  (a generator or harness bug: go on)
            key = ("harness", type(exc).__name__)
            if key not in counts:
                say(f"{'=' * 20} {key} (spec {stats['specs']})\n{spec.text}\n{exc}")
            counts[key] += 1
            return
        if run.refused:
            stats["refused by the Z3 encoding or the compiler"] += 1
        for f in run.findings:
            bug = known(f, run)
            if args.unknown_only and bug is not None:
                continue
            key = (f.engine.split("+")[0], f.kind, f.what, bug or "UNKNOWN")
            if key not in counts:
                say(f"{'=' * 20} {key} (spec {stats['specs']})\n{run.report()}")
            counts[key] += 1

    one()
    summary()
    return 0


if __name__ == "__main__":
    sys.exit(main())
