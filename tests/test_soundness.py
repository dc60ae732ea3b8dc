"""Regression tests for unsound verdicts: every engine on specs written to break them.

Each case is a small spec on which a Z3 engine once said "proved" (or "no
violation") about a property `stateline check` shows violated.  Every case runs
the explicit checker and every engine (`--bmc`, `--induction`, `--k-induction`,
`--auto`; with a proof file where the case needs one) and pins what each must say:
the violation with its shortest length where the engine can find it, and never
"proved" where the explicit checker finds a violation.
"""

from __future__ import annotations

import pytest

from stateline import check_blocks, load_text, run_check
from stateline.cli import main
from stateline.prover.proofs import load_proof_text
from stateline.prover.results import Claim
from stateline.prover.run import ProveOptions, encode, instance, prove_block

ENGINES = (("bmc", 6), ("induction", 0), ("k-induction", 1), ("k-induction", 2),
           ("k-induction", 4), ("auto", 0))


def run_all(text: str, proof_text: str | None = None):
    """(explicit CheckResult, {(engine, bound): ProveResult})."""
    loaded = load_text(text, "case.sl")
    [block] = check_blocks(loaded)
    model = instance(loaded, block, {})
    explicit = run_check(loaded, block, {}, model=model)
    proof = load_proof_text(proof_text, "case.proof.sl", loaded) if proof_text else None
    enc = encode(model)
    results = {}
    for engine, bound in ENGINES:
        use = proof if engine in ("induction", "k-induction") else None
        results[(engine, bound)] = prove_block(loaded, block, {},
                                               ProveOptions(engine, bound, 30.0, use),
                                               model=model, enc=enc)
    return explicit, results


def claims(result) -> dict[str, tuple[Claim, int | None]]:
    return {o.name: (o.claim, len(o.trace) if o.trace is not None else None)
            for o in result.obligations}


def explicit_verdicts(r) -> dict[str, tuple[str, int | None]]:
    return {v.prop: (v.status.value, len(v.trace) if v.trace is not None else None)
            for v in r.verdicts}


def assert_sound(explicit, results):
    """No engine proves (or bounds past its length) what the explicit checker violates;
    every violation an engine reports is one the explicit checker reports, as long."""
    verdicts = explicit_verdicts(explicit)
    for (engine, bound), r in results.items():
        for o in r.obligations:
            v = verdicts.get(o.name)
            if v is None:
                continue
            status, length = v
            where = f"{engine} {bound}: {o.name} {o.claim.value}: {o.detail}"
            if status == "violated":
                assert o.claim is not Claim.PROVED, where
                if o.claim is Claim.BOUNDED:
                    assert o.depth < length, where
            if o.claim is Claim.VIOLATED:
                assert status == "violated", where
                assert len(o.trace) == length, where


JUMP = """\
spec Jump
var x: 0..10 = 0
action jump:
    require x <= 8
    x := x + 2
transition NoJumpOfTwo: x' - x != 2
check c:
    allow deadlock
    expect NoJumpOfTwo violated
"""


def test_k_induction_base_case_checks_transition_invariants():
    explicit, results = run_all(JUMP)
    assert explicit_verdicts(explicit) == {"NoJumpOfTwo": ("violated", 1)}
    assert_sound(explicit, results)
    for key in (("bmc", 6), ("auto", 0), ("k-induction", 2), ("k-induction", 4)):
        assert claims(results[key])["NoJumpOfTwo"] == (Claim.VIOLATED, 1), key
    # with K = 1 the base case covers no step: not a verdict either way, never "proved"
    assert claims(results[("k-induction", 1)])["NoJumpOfTwo"][0] is Claim.NOT_PROVED


TOUCH = """\
spec Touch
var x: 0..3 = 0
action touch:
    x := x
action inc:
    require x < 3
    x := x + 1
transition AlwaysMoves: x' != x
check c:
    expect AlwaysMoves violated
"""


def test_k_induction_keeps_steps_that_change_nothing():
    explicit, results = run_all(TOUCH)
    assert explicit_verdicts(explicit) == {"AlwaysMoves": ("violated", 1),
                                           "DeadlockFreedom": ("holds", None)}
    assert_sound(explicit, results)
    c1 = claims(results[("k-induction", 1)])
    assert c1["AlwaysMoves"][0] is Claim.NOT_PROVED
    assert claims(results[("k-induction", 2)])["AlwaysMoves"] == (Claim.VIOLATED, 1)
    assert claims(results[("induction", 0)])["AlwaysMoves"][0] is Claim.NOT_PROVED
    assert claims(results[("bmc", 6)])["AlwaysMoves"] == (Claim.VIOLATED, 1)
    assert claims(results[("auto", 0)])["AlwaysMoves"] == (Claim.VIOLATED, 1)


def test_k_induction_last_state_may_repeat_an_earlier_one():
    # The step case must allow the last step to return to a state of the path: here a
    # transition invariant only a step back to 0 breaks.
    text = """\
spec Wrap
var x: 0..2 = 0
action step:
    x := (x + 1) % 3
transition NoWrap: not (x == 2 and x' == 0)
check c:
    expect NoWrap violated
"""
    explicit, results = run_all(text)
    assert explicit_verdicts(explicit)["NoWrap"] == ("violated", 3)
    assert_sound(explicit, results)
    assert claims(results[("k-induction", 4)])["NoWrap"] == (Claim.VIOLATED, 3)
    for key in (("k-induction", 1), ("k-induction", 2), ("induction", 0)):
        assert claims(results[key])["NoWrap"][0] is Claim.NOT_PROVED, key


BOUNDED = """\
spec Bounded
var x: 0..5 = 0
var y: 0..5 = 0
action incx:
    require x < 5
    x := x + 1
action incy:
    require y < 5
    y := y + 1
invariant Bounded4: x + y <= 4
invariant Bounded3: x + y <= 3
invariant XSmall: x <= 4
constraint Small: x + y <= 3
check c:
    allow deadlock
    expect Bounded3 violated
"""
BOUNDED_PROOF = "proof Bounded\nprove Bounded4\n"


def test_implied_invariants_are_judged_outside_the_constraint():
    explicit, results = run_all(BOUNDED, BOUNDED_PROOF)
    assert explicit_verdicts(explicit) == {"Bounded4": ("holds", None),
                                           "Bounded3": ("violated", 4),
                                           "XSmall": ("holds", None)}
    assert_sound(explicit, results)
    for key in (("induction", 0), ("k-induction", 1), ("k-induction", 4)):
        c = claims(results[key])
        assert c["Bounded4"][0] is Claim.PROVED, key
        assert c["Bounded3"][0] is Claim.NOT_PROVED, key
        # --k-induction judges the invariants outside `prove` too (it used to skip them)
        assert c["XSmall"][0] is Claim.PROVED, key
    assert claims(results[("bmc", 6)])["Bounded3"] == (Claim.VIOLATED, 4)
    assert claims(results[("auto", 0)])["Bounded3"] == (Claim.VIOLATED, 4)


MINBIG = """\
spec MinBig
var s: set[1..3] = {1}
var y: 0..3 = 0
fair weak action clear:
    require s != {}
    s := {}
action bump:
    require y < 3
    y := y + 1
invariant MinBig: min(s) > 3
invariant YSmall: y < 2
property SomeLeft: always eventually s != {}
check c:
    allow deadlock
    expect MinBig violated
    expect YSmall violated
    expect SomeLeft violated
"""


def test_a_violated_invariant_that_cannot_be_evaluated_cuts_off_no_state():
    # MinBig is false initially, so the explicit search stops evaluating it; min({})
    # after `clear` is then no run-time error, and those states are explored.
    explicit, results = run_all(MINBIG)
    assert explicit.failure is None
    assert explicit_verdicts(explicit) == {"MinBig": ("violated", 0),
                                           "YSmall": ("violated", 2),
                                           "SomeLeft": ("violated", 1)}
    assert explicit_verdicts(explicit)["SomeLeft"] == ("violated", 1)
    assert_sound(explicit, results)
    for key in (("bmc", 6), ("auto", 0), ("k-induction", 4)):
        r = results[key]
        assert r.failure is None, key
        c = claims(r)
        assert c["MinBig"] == (Claim.VIOLATED, 0), key
        assert c["YSmall"] == (Claim.VIOLATED, 2), key
        assert c["(run-time errors)"][0] in (Claim.PROVED, Claim.BOUNDED) if \
            "(run-time errors)" in c else True, key
    # the lasso search goes through the states where min(s) cannot be evaluated
    assert claims(results[("bmc", 6)])["SomeLeft"] == (Claim.VIOLATED, 1)
    assert claims(results[("induction", 0)])["YSmall"][0] is Claim.NOT_PROVED


DEAD = """\
spec Dead
var x: 0..4 = 0
action inc:
    require x < 4
    x := x + 1
invariant Small: x <= 4
check c:
    expect DeadlockFreedom holds
"""


def test_deadlock_freedom_is_never_skipped():
    explicit, results = run_all(DEAD)
    assert explicit_verdicts(explicit)["DeadlockFreedom"] == ("violated", 4)
    assert_sound(explicit, results)
    for key in (("induction", 0), ("k-induction", 1), ("k-induction", 2)):
        assert claims(results[key])["DeadlockFreedom"][0] is Claim.NOT_PROVED, key
    assert claims(results[("bmc", 6)])["DeadlockFreedom"] == (Claim.VIOLATED, 4)
    assert claims(results[("auto", 0)])["DeadlockFreedom"] == (Claim.VIOLATED, 4)


def test_deadlock_freedom_is_proved_from_the_invariant():
    text = DEAD.replace("    require x < 4\n    x := x + 1", "    x := (x + 1) % 5")
    explicit, results = run_all(text)
    assert explicit_verdicts(explicit)["DeadlockFreedom"] == ("holds", None)
    for key, r in results.items():
        expected = Claim.BOUNDED if key[0] == "bmc" else Claim.PROVED
        assert claims(r)["DeadlockFreedom"][0] is expected, key


def test_deadlock_freedom_with_symbolic_choices_under_auto():
    # An action whose parameter ranges over many values is encoded with a symbolic
    # choice: --auto decides deadlock freedom from the invariant it found.
    text = """\
spec Pick
var x: 0..300 = 0
action pick(v in 0..300):
    require v != x
    x := v
invariant InRange: x >= 0
check c:
    expect DeadlockFreedom holds
"""
    loaded = load_text(text, "pick.sl")
    [block] = check_blocks(loaded)
    r = prove_block(loaded, block, {}, ProveOptions("auto", 0, 30.0))
    assert claims(r)["DeadlockFreedom"][0] is Claim.PROVED


def test_the_errors_row_is_not_proved_when_the_proof_fails(tmp_path):
    explicit, results = run_all(TOUCH)
    c = claims(results[("induction", 0)])
    assert c["(run-time errors)"][0] is Claim.NOT_PROVED


@pytest.mark.parametrize("engine", [["--induction"], ["--k-induction", "3"]])
def test_cli_deadlock_row_and_exit(tmp_path, capsys, engine):
    path = tmp_path / "dead.sl"
    path.write_text(DEAD)
    assert main(["prove", str(path), *engine]) == 1
    out = capsys.readouterr().out
    assert "DeadlockFreedom" in out and "not proved" in out


BAG = """\
spec Bag
network bag
message Ping(n: 0..2)
var count: 0..3 = 0
action send(n in 0..2):
    require count < 3
    count := count + 1
    send Ping(n)
on Ping(m):
    count := count - 1
invariant NoThree: count != 3
check c:
    allow deadlock
    expect NoThree violated
"""


def test_bags_are_shown_with_counts_and_ctis_prefer_small_ones():
    explicit, results = run_all(BAG)
    [v] = [v for v in explicit.verdicts if v.prop == "NoThree"]
    assert len(v.trace.steps) == 3
    loaded = load_text(BAG, "bag.sl")
    model = instance(loaded, check_blocks(loaded)[0], {})
    state = v.trace.states[-1]
    assert model.show_slot(model.system.network.slot, state[model.system.network.slot]) == \
        "[Ping(n=0) x3]"
    r = results[("induction", 0)]
    for o in r.obligations:
        if o.cti is not None:
            for state in o.cti.trace.states:
                bag = state[model.system.network.slot]
                assert all(bag.count(m) <= 3 for m in bag)


def test_solver_reasons_are_one_line():
    from stateline.prover.scopes import one_line
    assert one_line("timeout") == "timeout"
    assert one_line("rule dump:\n  (rule (=> (and a b) c))\n  (rule x)") == "rule dump: ..."
    assert len(one_line("x" * 1000)) == 160
