"""The pytest plugin: spec files as tests, only when a project opts in.

pytester runs pytest in a fresh directory of its own, with the plugin loaded
from its entry point (as in any project that installs Stateline).
"""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
from pathlib import Path

from stateline.checker.run import check_blocks, prepare, run_check
from stateline.lang.load import load_spec
from stateline.pytest_plugin import properties

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
EDGE = ROOT / "tests" / "report_specs"


def spec(pytester, name: str, source: Path | str):
    text = source.read_text() if isinstance(source, Path) else source
    path = pytester.path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_installing_stateline_registers_the_plugin():
    eps = importlib.metadata.entry_points(group="pytest11")
    assert {ep.name: ep.value for ep in eps}.get("stateline") == "stateline.pytest_plugin"


def test_nothing_is_collected_without_opting_in(pytester):
    spec(pytester, "counter.sl", EDGE / "counter.sl")
    pytester.makepyfile(test_plain="def test_ok():\n    pass\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    assert "counter.sl" not in result.stdout.str()


def test_option_collects_check_block_x_property(pytester):
    spec(pytester, "counter.sl", EDGE / "counter.sl")
    result = pytester.runpytest("--stateline", "-v")
    result.assert_outcomes(passed=1, failed=2)
    out = result.stdout.str()
    assert "counter.sl::small::DeadlockFreedom PASSED" in out
    assert "counter.sl::small::Small FAILED" in out
    # the counterexample is the failure message, as `stateline check` prints it
    assert "Counterexample: counter.sl, check small: Small violated (4 steps" in out
    assert "x  3 -> 4" in out
    assert "NonNegative was expected to be violated, but it holds" in out
    assert "Traceback" not in out


def test_ini_setting_collects_only_the_listed_folders(pytester):
    spec(pytester, "specs/lasso.sl", EDGE / "lasso.sl")
    spec(pytester, "elsewhere/counter.sl", EDGE / "counter.sl")
    pytester.makeini("[pytest]\nstateline_specs = specs\n")
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=2, failed=1)
    out = result.stdout.str()
    assert "specs/lasso.sl::c::SettlesAtTwo FAILED" in out
    assert "loop: the steps below repeat forever" in out
    assert "counter.sl" not in out


def test_items_select_and_carry_the_marker(pytester):
    spec(pytester, "counter.sl", EDGE / "counter.sl")
    result = pytester.runpytest("--stateline", "-m", "stateline", "-k", "Deadlock")
    result.assert_outcomes(passed=1, deselected=2)


def test_broken_spec_and_run_time_error_fail_with_diagnostics(pytester):
    spec(pytester, "broken.sl", "spec Broken\nvar x: 0..1 = 0\naction a:\n    x = 1\n")
    spec(pytester, "overflow.sl", EDGE / "overflow.sl")
    result = pytester.runpytest("--stateline", "-v")
    result.assert_outcomes(failed=3)
    out = result.stdout.str()
    assert "broken.sl::(spec) FAILED" in out and "error[SL102]" in out
    assert "overflow.sl::c::Fine FAILED" in out and "error[SL601]" in out
    assert "y := y + 1" in out


# Labs of the library that check in well under a second and between them have
# invariant, deadlock and temporal counterexamples (the whole library is checked by
# tests/test_specs.py; `.ci/run` has `pytest specs/` collect all of it).
LABS = ["specs/labs/lamport_no_max.sl", "specs/labs/mutex_no_turn.sl",
        "specs/labs/paxos_no_quorum.sl"]


def test_collected_properties_are_the_verdicts_run_check_reports():
    paths = sorted(EDGE.glob("*.sl")) + [ROOT / p for p in LABS]
    for path in paths:
        loaded = load_spec(str(path))
        for check in check_blocks(loaded):
            model = prepare(loaded, check, {})
            collected = [name for name, _, _ in properties(model.system, check)]
            result = run_check(loaded, check, {}, model=model)
            assert collected == [v.prop for v in result.verdicts], (path, check.name)


def test_pytest_on_library_specs_passes():
    """`pytest SPEC...` in this repository, opted in by its `stateline_specs` ini setting,
    as `pytest specs/` is for the whole library."""
    expected = 0
    for path in LABS:
        loaded = load_spec(str(ROOT / path))
        for check in check_blocks(loaded):
            expected += len(properties(prepare(loaded, check, {}).system, check))
    run = subprocess.run([sys.executable, "-m", "pytest", *LABS, "-o", "addopts=",
                          "-p", "no:cacheprovider"], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stdout[-3000:]
    assert re.search(rf"\b{expected} passed\b", run.stdout), run.stdout[-1000:]
