"""Regenerate the OTLP golden files (never edit them by hand):

    python tests/golden/otlp/regen.py

The golden trace is the counterexample of specs/labs/lamport_no_max.sl
(ClockCondition violated in 2 steps), written by `stateline check --otlp` in
each OTLP format, by `stateline export --otlp-format itf` as ITF, and read
back by `stateline trace analyze --json`.  It also redraws the two pictures in
docs/otlp.md (`stateline trace timeline` of the Paxos lab's counterexample, as its
sequence diagram and with `--layout time`).
tests/test_otlp_golden.py runs both into a temporary directory and compares
every byte.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
SPEC = "specs/labs/lamport_no_max.sl"      # relative: the path is an attribute of the trace
STEM = "lamport_no_max.two.ClockCondition"
PICTURE_SPEC = "specs/labs/paxos_no_quorum.sl"
PICTURE = ROOT / "docs" / "otlp-paxos-no-quorum.svg"
TIME_PICTURE = ROOT / "docs" / "otlp-paxos-no-quorum-time.svg"
FILES = [f"{STEM}.otlp.json", f"{STEM}.otlp.jsonl", f"{STEM}.otlp.pb", f"{STEM}.itf.json",
         f"{STEM}.analysis.json"]


def generate(out: Path) -> list[Path]:
    """Write every golden file into `out`; return their paths in FILES order."""
    sys.path.insert(0, str(ROOT))
    from stateline.cli import main
    out.mkdir(parents=True, exist_ok=True)
    cwd = os.getcwd()
    os.chdir(ROOT)
    sink = io.StringIO()
    try:
        with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(sink), \
                contextlib.redirect_stderr(sink):
            for fmt in ("json", "jsonl", "protobuf"):
                code = main(["check", SPEC, "--no-progress", "--quiet", "--otlp", tmp,
                             "--otlp-format", fmt])
                assert code == 0, sink.getvalue()
            saved = os.path.join(tmp, "result.json")
            assert main(["check", SPEC, "--no-progress", "--quiet", "--json", saved]) == 0
            assert main(["export", saved, "-o", tmp, "--otlp-format", "itf"]) == 0
            for name in FILES[:4]:
                shutil.copyfile(os.path.join(tmp, name), out / name)
            report = io.StringIO()
            with contextlib.redirect_stdout(report):
                assert main(["trace", "analyze", os.path.relpath(out / FILES[0]), "--json"]) == 0
        text = report.getvalue().replace(os.path.relpath(out / FILES[0]), FILES[0])
        (out / FILES[4]).write_text(text, encoding="utf-8")
    finally:
        os.chdir(cwd)
    return [out / name for name in FILES]


def picture(out: Path) -> Path:
    """Draw the Paxos lab's counterexample as the two pictures of docs/otlp.md: its sequence
    diagram (`out`) and its spans on a time axis (`out` with `-time` before `.svg`)."""
    sys.path.insert(0, str(ROOT))
    from stateline.cli import main
    cwd = os.getcwd()
    os.chdir(ROOT)
    sink = io.StringIO()
    try:
        with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(sink), \
                contextlib.redirect_stderr(sink):
            assert main(["check", PICTURE_SPEC, "--no-progress", "--quiet", "--otlp", tmp]) == 0
            trace = os.path.join(tmp, "paxos_no_quorum.small.Agreement.otlp.json")
            assert main(["trace", "timeline", trace, "-o", str(out)]) == 0, sink.getvalue()
            time = out.with_name(out.stem + "-time.svg")
            assert main(["trace", "timeline", trace, "-o", str(time), "--layout", "time"]) \
                == 0, sink.getvalue()
    finally:
        os.chdir(cwd)
    return out


if __name__ == "__main__":
    for path in [*generate(HERE), picture(PICTURE), TIME_PICTURE]:
        print(path.relative_to(ROOT))
