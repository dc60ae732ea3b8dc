"""`stateline simulate`: random walks, checked against the exhaustive checker.

* every lab's expected violations are found within the default budget (by the first N
  walks of the default run, N pinned per lab);
* `--workers 2` gives what one process gives (results, printed output, JSON), also when a
  worker meets a run-time error in a property an earlier walk violated, and reports what
  it found when stopped (--max-seconds, Ctrl-C: exit 3);
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
from stateline.checker.run import prepare
from stateline.checker.simulate import SimulateOptions, simulate_check
from stateline.checker.walks import Walker
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


# The walks (default depth, seed 0) after which each lab's expected violations are all
# found: `python bench/simulate_bench.py labs --seeds 0`.  Walk i is the same walk whatever
# the budget (it has its own generator, seeded from the seed and i), so a run of N walks
# is the first N walks of the default budget's run: finding the violations in N <= 10,000
# walks is finding them within the default budget, without running all 10,000 walks of
# up to 100 steps (a lab's properties expected to hold keep the walks going).
NEEDED = {"lamport_no_max": 2, "lww_wallclock": 255, "mutex_no_turn": 1,
          "paxos_forget_value": 5, "paxos_no_quorum": 5, "primary_backup_crash": 6,
          "quorum_sloppy": 170, "raft_commit_old_term": 5929, "raft_double_vote": 3,
          "raft_forget_vote": 250, "seed_store": 8}


def test_the_cli_defaults_are_the_default_budget():
    args = cli.build_parser().parse_args(["simulate", "x.sl"])
    assert (args.traces, args.depth, args.seed, args.workers) == \
        (SimulateOptions.traces, SimulateOptions.depth, SimulateOptions.seed, 1) == \
        (10000, 100, 0, 1)


@pytest.mark.parametrize("lab", LABS, ids=[p.stem for p in LABS])
def test_the_default_budget_finds_every_labs_expected_violation(lab):
    assert set(NEEDED) == {p.stem for p in LABS}
    n = NEEDED[lab.stem]
    assert 1 <= n <= SimulateOptions.traces
    loaded = stateline.load_text(lab.read_text(), str(lab.relative_to(ROOT)))
    if n > 1000 and not os.environ.get("SIMULATE_SLOW"):
        # Walk n - 1 alone, knowing nothing violated, violates every expected property:
        # so the first n walks do.  (SIMULATE_SLOW=1: all n walks, and n is the fewest.)
        for block in stateline.check_blocks(loaded):
            model = prepare(loaded, block, {})
            inits = [t for t in model.initial_states()
                     if model.constraint is None or model.constraint(t)]
            walk = Walker(model, inits, SimulateOptions.depth, SimulateOptions.seed, True)
            rec = walk.walk(n - 1, frozenset())
            assert {p for p, outcome, _ in block.expects if outcome == "violated"} <= \
                {name for name, _, _ in rec.events} and rec.error is None
        return
    last = 0
    for block in stateline.check_blocks(loaded):
        expected = {p for p, outcome, _ in block.expects if outcome == "violated"}
        result, walks = simulate_check(loaded, block, {}, CheckOptions(),
                                       SimulateOptions(traces=n))
        assert result.engine == "simulate"
        assert walks.traces == n or result.stop is StopReason.ALL_VIOLATED
        assert result.stop in (StopReason.SIMULATED, StopReason.ALL_VIOLATED)
        for v in result.verdicts:
            if v.prop in expected:
                assert v.status is Status.VIOLATED, (lab.name, block.name, v.prop)
                if v.kind != "temporal":
                    last = max(last, walks.violations[v.prop].trace_no + 1)
            else:
                assert v.status in (Status.UNKNOWN, Status.VIOLATED), (lab.name, v)
        temporal = {v.prop for v in result.verdicts if v.kind == "temporal"} & expected
        if temporal and n > 1:      # n is the fewest walks that find them
            fewer, _ = simulate_check(loaded, block, {}, CheckOptions(),
                                      SimulateOptions(traces=n - 1))
            assert any(v.status is not Status.VIOLATED for v in fewer.verdicts
                       if v.prop in temporal)
            last = n
    assert last == n, f"{lab.stem}: found after {last} walks, pinned {n}"


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


# ---- --workers: the same walks, counts and output as one process ----------------------------


def _same(a, b):
    """Two simulations' results, but for the time taken and the memory."""
    (ra, wa), (rb, wb) = a, b
    from dataclasses import replace
    calm = dict(seconds=0.0, peak_memory_mb=0.0)
    assert replace(ra, stats=replace(ra.stats, **calm)) == \
        replace(rb, stats=replace(rb.stats, **calm))
    assert (wa.traces, wa.steps, wa.distinct, wa.longest, wa.stop, wa.visited, wa.starts) == \
        (wb.traces, wb.steps, wb.distinct, wb.longest, wb.stop, wb.visited, wb.starts)
    assert {k: (f.kind, f.states, f.trace_no) for k, f in wa.violations.items()} == \
        {k: (f.kind, f.states, f.trace_no) for k, f in wb.violations.items()}
    assert _error(wa) == _error(wb)


@settings(max_examples=max(EXAMPLES // 5, 10), deadline=None, derandomize=True,
          database=None, suppress_health_check=[HealthCheck.too_slow,
                                                HealthCheck.data_too_large])
@given(shaped_specs())
def test_two_workers_give_what_one_gives_and_walks_do_not_depend_on_the_budget(spec):
    try:
        loaded = stateline.load_text(spec.text, "gen.sl")
        [block] = stateline.check_blocks(loaded)
        model = stateline.checker.run.prepare(loaded, block, {})
    except SpecError:
        return

    def sim(traces=40, **kw):
        return simulate_check(loaded, block, {}, CheckOptions(),
                              SimulateOptions(traces=traces, depth=12, seed=5, **kw), model)
    one = sim()
    _same(one, sim(workers=2))
    _same(one, sim())                                   # the same seed, the same walks
    # walk i does not depend on how many walks run: a shorter run is a prefix
    short, walks = sim(traces=15)[1], one[1]
    assert short.visited == walks.visited[:len(short.visited)]
    assert {k: f.states for k, f in short.violations.items() if f.trace_no < 15} == \
        {k: f.states for k, f in walks.violations.items() if f.trace_no < 15}
    if walks.traces < 15:               # stopped within the first 15 walks: so did short
        assert (short.traces, short.stop, _error(short)) == \
            (walks.traces, walks.stop, _error(walks))


def _error(walks):
    if walks.error is None:
        return None
    exc, states, phase = walks.error
    return exc.site, exc.message, states, phase


def test_two_workers_print_and_write_what_one_does(tmp_path):
    lab = "specs/labs/paxos_no_quorum.sl"
    outs = []
    for w in ("1", "2"):
        code, out, err = run("simulate", lab, "--no-progress", "--traces", "300", "--depth",
                             "40", "--seed", "7", "--workers", w, "--json",
                             str(tmp_path / f"{w}.json"))
        doc = json.loads((tmp_path / f"{w}.json").read_text())
        for r in doc["results"]:
            r["stats"].pop("seconds"), r["stats"].pop("peak_memory_mb", None)
        outs.append((code, re.sub(r"\([\d,]+ per second\)|\d+\.\d\d\b", "", out), doc))
    assert outs[0] == outs[1]
    assert outs[0][0] == 3 and "Counterexample" in outs[0][1]     # (DeadlockFreedom: unknown)
    assert "300 traces" in outs[0][1] and "12,000 steps, 697 distinct states" in outs[0][1]


@pytest.mark.parametrize("how", ["max-seconds", "SIGINT"])
def test_two_workers_stopped_report_what_they_found(how, tmp_path):
    out = tmp_path / "r.json"
    argv = [sys.executable, "-m", "stateline", "simulate", "specs/labs/paxos_no_quorum.sl",
            "--no-progress", "--traces", "10000000", "--workers", "2", "--json", str(out)]
    if how == "max-seconds":
        argv += ["--max-seconds", "2"]
    p = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    if how == "SIGINT":
        import signal
        import time
        time.sleep(8)
        p.send_signal(signal.SIGINT)
    stdout, stderr = p.communicate(timeout=120)
    assert p.returncode == 3, stderr
    doc = json.loads(out.read_text())
    [r] = doc["results"]
    assert r["stop_reason"] == ("max-seconds" if how == "max-seconds" else "interrupted")
    assert {p["name"]: p["result"] for p in r["properties"]}["Agreement"] == "violated"
    assert "Counterexample" in stdout


RERUN = """spec R
var x: 0..3 = 0
action one:
    require x == 0
    x := 1
action two:
    require x == 0
    x := 2
invariant Inv: x != 1 and (x == 0 or 6 // (x - 2) >= 0)
invariant Small: x <= 3
allow deadlock
"""


def test_a_worker_error_in_a_property_violated_before_is_taken_back(monkeypatch):
    """Walk 0 violates Inv (x = 1); a later walk reaches x = 2, where Inv divides by zero.
    One process no longer checks Inv after walk 0: no error.  A worker that did not know
    raises it; the parent runs that walk again with what it knows and gets the same."""
    from stateline.checker import simulate as module
    reruns = []

    class Counted(module.Walker):
        def walk(self, index, done):
            if self.known is None and index and done:   # the parent's: a walk run again
                reruns.append(index)
            return super().walk(index, done)
    loaded = stateline.load_text(RERUN, "r.sl")
    [block] = stateline.check_blocks(loaded)
    outcomes = set()
    for seed in range(8):
        def sim(workers):
            return simulate_check(loaded, block, {}, CheckOptions(),
                                  SimulateOptions(traces=20, depth=3, seed=seed,
                                                  workers=workers))
        one = sim(1)
        monkeypatch.setattr(module, "Walker", Counted)
        _same(one, sim(2))
        monkeypatch.setattr(module, "Walker", Counted.__mro__[1])
        outcomes.add(one[1].stop)
    assert outcomes == {"simulated", "model-error"}      # x = 1 first, or x = 2 first
    assert reruns
