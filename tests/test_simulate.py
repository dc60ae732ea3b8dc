"""`stateline simulate`: random walks, checked against the exhaustive checker.

* every lab's expected violations are found within the default budget;
* the same seed gives the same bytes (also under another PYTHONHASHSEED), another seed
  other walks;
* on generated specs (tests/spec_shapes.py), every verdict of a simulation is one
  `check` confirms: a violation only of a property check finds violated (never of one it
  proves holds), with a trace at least as long as check's shortest one, a run-time error
  only where check meets one, and no more distinct states than check's.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings

import stateline
from stateline import SpecError, cli
from stateline.checker.run import CheckOptions
from stateline.checker.simulate import SimulateOptions, simulate_check
from stateline.models.verdict import Status, StopReason

sys.path.insert(0, str(Path(__file__).parent))
from spec_shapes import shaped_specs  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LABS = sorted((ROOT / "specs" / "labs").glob("*.sl"))
EXAMPLES = int(os.environ.get("SIMULATE_EXAMPLES", "150"))


def run(*argv, env=None):
    p = subprocess.run([sys.executable, "-m", "stateline", *argv], capture_output=True,
                       text=True, cwd=ROOT, env=env, timeout=600)
    return p.returncode, p.stdout, p.stderr


# raft_commit_old_term's violations need 28 and 34 steps, more than the default 20 (with
# --depth 40, seeds 0-2: found in 2 of 3 runs of 20,000 walks; check finds them).
MISSED = {"raft_commit_old_term"}


@pytest.mark.parametrize("lab", [pytest.param(p, marks=pytest.mark.xfail(
    strict=True, reason="not found by random walks within the default budget"))
    if p.stem in MISSED else p for p in LABS], ids=[p.stem for p in LABS])
def test_the_default_budget_finds_every_labs_expected_violation(lab, tmp_path):
    out = tmp_path / "r.json"
    code = cli.main(["simulate", str(lab), "--no-progress", "--quiet", "--json", str(out)])
    doc = json.loads(out.read_text())
    assert doc["exit_code"] == code and code in (0, 3)
    expected = [(r["check"], p["name"]) for r in doc["results"] for p in r["properties"]
                if p["expected"] == "violated"]
    assert expected, "a lab demonstrates a violation"
    for r in doc["results"]:
        assert r["engine"] == "simulate" and r["stop_reason"] in ("simulated", "all-violated")
        for p in r["properties"]:
            if p["expected"] == "violated":
                assert p["result"] == "violated", (lab.name, r["check"], p["name"])
            else:
                assert p["result"] in ("unknown", "violated"), (lab.name, p)


def test_the_json_document_follows_the_check_schema(tmp_path):
    out = tmp_path / "r.json"
    cli.main(["simulate", str(ROOT / "specs/labs/raft_double_vote.sl"), "--no-progress",
              "--json", str(out)])
    schema = json.loads((ROOT / "schemas" / "stateline.check.v1.schema.json").read_text())
    jsonschema.validate(json.loads(out.read_text()), schema)


def test_the_same_seed_gives_the_same_bytes_another_seed_other_walks():
    lab = "specs/labs/paxos_no_quorum.sl"
    args = ("simulate", lab, "--no-progress", "--traces", "300", "--depth", "40")
    first = run(*args, "--seed", "7")
    again = run(*args, "--seed", "7", env={**os.environ, "PYTHONHASHSEED": "123"})
    other = run(*args, "--seed", "8")

    def body(out):              # without the measured rate and seconds
        return [re.sub(r"\d+\.\d+", "S", re.sub(r"\([\d,]+ per second\)", "", line))
                for line in out.splitlines()]
    assert first[0] == again[0] and body(first[1]) == body(again[1])
    assert "Counterexample" in first[1]
    assert body(first[1]) != body(other[1])


def test_a_run_time_error_is_reported_with_the_walk_to_it(tmp_path):
    spec = tmp_path / "e.sl"
    spec.write_text("spec E\nvar x: 0..3 = 0\naction up:\n    require x < 3\n    x := x + 1\n"
                    "invariant Ratio: 6 // (x - 2) >= -6\nallow deadlock\n")
    code, out, err = run("simulate", str(spec), "--no-progress")
    assert code == 2
    assert "error[SL602]: division by zero" in err and "e.sl:6:18" in err
    assert err.count("\n    ") >= 2          # the walk: two steps to x = 2


def test_bad_options_are_refused():
    assert run("simulate", "specs/labs/raft_double_vote.sl", "--traces", "0")[0] == 2
    assert run("simulate", "specs/labs/raft_double_vote.sl", "--depth", "x")[0] == 2


# ---- against check, on generated specs ----------------------------------------------------


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(shaped_specs())
def test_every_simulated_verdict_is_one_check_confirms(spec):
    try:
        loaded = stateline.load_text(spec.text, "gen.sl")
        [block] = stateline.check_blocks(loaded)
        ex = stateline.run_check(loaded, block, {})
    except SpecError:
        return
    sim, walks = simulate_check(loaded, block, {}, CheckOptions(),
                                SimulateOptions(traces=60, depth=12, seed=3))
    checked = {v.prop: v for v in ex.verdicts}
    context = f"\n{spec.text}\ncheck: {[(v.prop, v.status.value) for v in ex.verdicts]} " \
              f"stop={ex.stop.value} failure={ex.failure}"
    for v in sim.verdicts:
        c = checked[v.prop]
        if v.status is Status.VIOLATED:
            assert c.status is not Status.HOLDS, f"{v.prop}: simulate violates, check holds" \
                + context
            if c.status is Status.VIOLATED and c.trace.loop_start is None:
                assert len(v.trace) >= len(c.trace), f"{v.prop}: shorter than check's" + context
        elif ex.stop is StopReason.COMPLETE and ex.failure is None and v.kind != "temporal":
            # check explored everything: a walk that reached the violation would have
            # reported it; not reaching it is allowed (unknown)
            assert v.status is Status.UNKNOWN
    if sim.failure is not None and ex.failure is None and ex.stop is not \
            StopReason.ALL_VIOLATED:
        # allowed only for an invariant check had found violated (in an earlier depth)
        # and stopped evaluating: the walks met the state where it raises first
        line = spec.text.splitlines()[sim.failure.diagnostic.span.line - 1]
        name = line.split()[1].rstrip(":") if line.startswith("invariant ") else None
        assert name is not None and checked[name].status is Status.VIOLATED, \
            "simulate meets a run-time error check does not" + context
    if ex.stop is StopReason.COMPLETE and ex.failure is None:
        assert walks.distinct <= ex.stats.states, context
