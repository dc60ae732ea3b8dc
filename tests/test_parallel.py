"""`check --workers N`: the same result as one process, whatever N.

Every field a user sees (counts, depth, stop reason, every verdict and counterexample,
a run-time error with its trace) must be the one `--workers 1` gives: on generated specs
(the cross-check generator of test_crosscheck, with and without run-time errors, under
random --max-states and --max-depth bounds, with 2 and 3 workers) and on every check
block of the protocol library.  The worker processes must really decide levels
(`parallel_levels`), not leave every level to the single-process search.

PARALLEL_EXAMPLES=N sets the number of generated specs (default 120).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

import stateline
from stateline import SpecError, check_blocks, load_spec
from stateline.checker import run as run_mod
from stateline.checker.parallel import bfs_parallel
from stateline.checker.run import CheckOptions
from stateline.checker.search import SearchOptions, bfs

sys.path.insert(0, str(Path(__file__).parent))
from test_crosscheck import specs  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = int(os.environ.get("PARALLEL_EXAMPLES", "120"))


def seen_by_user(res) -> dict:
    """Everything of a CheckResult but the times and the memory."""
    if isinstance(res, SpecError):
        return {"error": [str(d.message) for d in res.diagnostics]}
    out = {"states": res.stats.states, "transitions": res.stats.transitions,
           "depth": res.stats.depth, "stop": res.stop,
           "verdicts": [(v.prop, v.status, v.trace) for v in res.verdicts],
           "warnings": res.warnings}
    if res.failure is not None:
        out["failure"] = (res.failure.diagnostic, res.failure.trace)
    return out


def checked(text: str, options: CheckOptions):
    loaded = stateline.load_text(text, "gen.sl")
    [block] = check_blocks(loaded)
    try:
        return stateline.run_check(loaded, block, {}, options)
    except SpecError as exc:
        return exc


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(specs(), st.sampled_from([2, 2, 3]),
       st.one_of(st.none(), st.integers(1, 60)), st.one_of(st.none(), st.integers(1, 8)))
def test_generated_specs_give_the_single_process_result(spec, workers, max_states,
                                                        max_depth):
    bounds = dict(max_states=max_states, max_depth=max_depth)
    one = checked(spec.text, CheckOptions(**bounds))
    many = checked(spec.text, CheckOptions(workers=workers, **bounds))
    assert seen_by_user(many) == seen_by_user(one), spec.text


def test_every_library_check_block_gives_the_single_process_result(library):
    compared = 0
    for path in sorted(ROOT.glob("specs/**/*.sl")):
        rel = str(path.relative_to(ROOT))
        loaded = load_spec(rel)
        for check in check_blocks(loaded):
            cwd = os.getcwd()
            os.chdir(ROOT)
            try:
                many = stateline.run_check(loaded, check, {}, CheckOptions(workers=2))
            finally:
                os.chdir(cwd)
            one = library(rel)[check.name]
            expected = seen_by_user(one)
            got = seen_by_user(many)
            # (a check with temporal properties under fairness warns that it ran in
            # one process)
            got["warnings"] = tuple(w for w in got["warnings"] if "--workers" not in w)
            assert got == expected, (rel, check.name)
            compared += 1
    assert compared >= 44


def test_the_workers_decide_the_levels_where_nothing_happens():
    loaded = load_spec(str(ROOT / "specs" / "two_phase_commit.sl"))
    [check] = check_blocks(loaded, ["n5"])
    model = run_mod.prepare(loaded, check, {})
    result = bfs_parallel(model, SearchOptions(check_deadlock=False), 2)
    one = bfs(run_mod.prepare(loaded, check, {}), SearchOptions(check_deadlock=False))
    assert (result.states, result.transitions, result.depth, result.stop) == \
        (one.states, one.transitions, one.depth, one.stop) == (8832, 58146, 17, "complete")
    assert list(result.parents) == list(one.parents)
    assert result.state_list == one.state_list
    assert result.parallel_levels == 16      # every level but the first (depth 17)


def test_ctrl_c_with_workers_reports_what_was_found(tmp_path):
    out = tmp_path / "r.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "stateline", "check", str(ROOT / "specs" / "raft.sl"),
         "--check", "crashes", "--workers", "2", "--no-progress", "--json", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    import time
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:          # the workers have started
        kids = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
        if kids.exists() and len(kids.read_text().split()) >= 2:
            break
        time.sleep(0.1)
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 3, stderr
    doc = json.loads(out.read_text())
    [r] = doc["results"]
    assert r["stop_reason"] == "interrupted" and r["stats"]["states"] > 0
    assert "Traceback" not in stderr
