"""The protocol library: every check block's verdicts, and pinned state counts.

State counts, transition counts (TLC's "states generated": initial states plus
every successor generated) and depths of the two-phase commit and Paxos specs
are the numbers TLC reports for Lamport's TwoPhase.tla and Paxos.tla with the
same variables and actions; lab counterexamples are pinned at their shortest
length.
"""

from __future__ import annotations

import pathlib

import pytest

from stateline import check_blocks, load_spec, parse_override, run_check
from stateline.models.verdict import Status, StopReason

ROOT = pathlib.Path(__file__).resolve().parent.parent
SPECS = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "specs").rglob("*.sl"))


def run_all(path: str, overrides=None):
    loaded = load_spec(str(ROOT / path))
    ov = dict(parse_override(loaded, d) for d in (overrides or []))
    return {c.name: run_check(loaded, c, ov) for c in check_blocks(loaded)}


@pytest.fixture(scope="module")
def results(library):
    return {path: library(path) for path in SPECS}


def test_library_is_complete():
    for required in ["specs/paxos.sl", "specs/two_phase_commit.sl", "specs/lamport_clock.sl",
                     "specs/raft.sl", "specs/labs/raft_double_vote.sl",
                     "specs/labs/raft_forget_vote.sl", "specs/labs/raft_commit_old_term.sl",
                     "specs/quorum_register.sl", "specs/labs/quorum_sloppy.sl", "specs/cap.sl",
                     "specs/eventual_lww.sl", "specs/labs/lww_wallclock.sl",
                     "specs/vector_clock.sl", "specs/labs/paxos_no_quorum.sl",
                     "specs/labs/paxos_forget_value.sl", "specs/labs/lamport_no_max.sl"]:
        assert required in SPECS


@pytest.mark.parametrize("path", SPECS)
def test_every_expectation_met(results, path):
    for name, r in results[path].items():
        assert r.failure is None, (name, r.failure)
        assert r.stop.exhaustive, (name, r.stop)
        for v in r.verdicts:
            assert v.met is True, f"{path} check {name}: {v.prop} expected {v.expected}, " \
                                  f"got {v.status.value}"


# (spec, check) -> (distinct states, transitions, depth)
PINNED = {
    ("specs/two_phase_commit.sl", "n3"): (288, 1_146, 11),
    ("specs/two_phase_commit.sl", "n4"): (1_568, 8_258, 14),
    ("specs/two_phase_commit.sl", "n5"): (8_832, 58_146, 17),
    ("specs/paxos.sl", "ballots01"): (3_921, 23_563, 17),
    ("specs/paxos.sl", "ballots012"): (185_369, 1_361_380, 25),
    ("specs/lamport_clock.sl", "three"): (7_446, None, 7),
    ("specs/lamport_clock.sl", "two"): (1_062, None, 7),
    ("specs/vector_clock.sl", "three"): (7_446, None, 7),
    ("specs/vector_clock.sl", "two"): (1_062, None, 7),
}


@pytest.mark.parametrize("key", sorted(PINNED), ids=lambda k: f"{k[0]}:{k[1]}")
def test_pinned_counts(results, key):
    path, check = key
    states, transitions, depth = PINNED[key]
    stats = results[path][check].stats
    assert stats.states == states
    assert stats.depth == depth
    if transitions is not None:
        assert stats.transitions == transitions


def test_two_phase_commit_six_through_override():
    loaded = load_spec(str(ROOT / "specs/two_phase_commit.sl"))
    r = run_check(loaded, check_blocks(loaded, ["n3"])[0], dict([parse_override(loaded, "N=6")]))
    assert (r.stats.states, r.stats.transitions, r.stats.depth) == (50_816, 402_306, 20)
    assert all(v.status is (Status.VIOLATED if v.prop == "AllDecide" else Status.HOLDS)
               for v in r.verdicts)


def test_clock_specs_have_the_same_shape(results):
    # Lamport and vector clocks run the same event structure: same state graph size.
    for check in ("three", "two"):
        a = results["specs/lamport_clock.sl"][check].stats
        b = results["specs/vector_clock.sl"][check].stats
        assert (a.states, a.transitions, a.depth) == (b.states, b.transitions, b.depth)


# lab -> (check, property, shortest counterexample length)
LABS = {
    "specs/labs/paxos_no_quorum.sl": ("small", "Agreement", 8),
    "specs/labs/paxos_forget_value.sl": ("small", "Agreement", 12),
    "specs/labs/lamport_no_max.sl": ("two", "ClockCondition", 2),
}


@pytest.mark.parametrize("path", sorted(LABS))
def test_lab_counterexample_is_shortest(results, path):
    check, prop, length = LABS[path]
    v = next(v for v in results[path][check].verdicts if v.prop == prop)
    assert v.status is Status.VIOLATED
    assert len(v.trace.steps) == length
    assert len(v.trace.states) == length + 1


def test_lab_traces_read_as_protocol_steps(results):
    trace = next(v for v in results["specs/labs/paxos_no_quorum.sl"]["small"].verdicts
                 if v.prop == "Agreement").trace
    titles = [s.title() for s in trace.steps]
    assert titles[0] == "Leader[0].prepare"
    assert any(t.startswith("Leader[1].proposeAny(") for t in titles)
    receive = next(s for s in trace.steps if s.received is not None)
    assert receive.node.startswith("Acceptor[")
    assert receive.received.type == "Prepare"
    # Only the variables that changed are listed.
    for step in trace.steps:
        for c in step.changes:
            assert c.old != c.new


def test_lamport_lab_violation_is_a_receive_with_a_smaller_clock(results):
    trace = next(v for v in results["specs/labs/lamport_no_max.sl"]["two"].verdicts
                 if v.prop == "ClockCondition").trace
    send, recv = trace.steps
    assert send.action == "sendTo" and send.sent[0].type == "Msg"
    assert recv.action == "on Msg" and recv.received == send.sent[0]


def test_stop_reason_for_complete_runs(results):
    assert results["specs/paxos.sl"]["ballots01"].stop is StopReason.COMPLETE


# ---- liveness ----------------------------------------------------------------------------


def temporal(results, path, check, prop):
    return next(v for v in results[path][check].verdicts if v.prop == prop)


def test_liveness_verdicts_need_the_right_fairness(results):
    paxos = "specs/paxos.sl"
    assert temporal(results, paxos, "ballots01", "SomeValueChosen").status is Status.VIOLATED
    assert temporal(results, paxos, "unfairDelivery", "SomeValueChosen").status is \
        Status.VIOLATED
    assert temporal(results, paxos, "fairSingleLeader", "SomeValueChosen").status is \
        Status.HOLDS
    tpc = "specs/two_phase_commit.sl"
    assert temporal(results, tpc, "fairN3", "AllDecide").status is Status.HOLDS
    assert temporal(results, tpc, "fairHandlersOnly", "AllDecide").status is Status.VIOLATED
    flicker = "specs/fairness_flicker.sl"
    assert temporal(results, flicker, "weak", "ClientServed").status is Status.VIOLATED
    assert temporal(results, flicker, "strong", "ClientServed").status is Status.HOLDS
    assert temporal(results, "specs/peterson.sl", "two", "StarvationFree").status is Status.HOLDS


def test_stuttering_lasso_without_fairness(results):
    v = temporal(results, "specs/paxos.sl", "ballots01", "SomeValueChosen")
    assert v.kind == "temporal"
    assert v.trace.loop_start == 0 and len(v.trace.steps) == 0


def test_unfair_delivery_lasso_prepares_then_stutters(results):
    # Once both leaders have sent their Prepare to the set network, preparing again
    # changes nothing: a stuttering step, which neither takes nor enables the fair
    # `prepare` (TLA+'s WF_vars speaks of <<A>>_vars steps).  So the behaviour may stop
    # there, every Prepare undelivered (Acceptor is not fair in this check).
    trace = temporal(results, "specs/paxos.sl", "unfairDelivery", "SomeValueChosen").trace
    assert [s.action for s in trace.steps] == ["prepare", "prepare"]
    assert trace.loop_start == 2
    assert not any(s.node.startswith("Acceptor") for s in trace.steps)


def test_weak_fairness_lasso_flickers(results):
    trace = temporal(results, "specs/fairness_flicker.sl", "weak", "ClientServed").trace
    assert trace.loop_start == 0
    assert [s.action for s in trace.steps] == ["background", "background"]


def test_mutex_without_turn_deadlocks_and_starves(results):
    r = results["specs/labs/mutex_no_turn.sl"]["two"]
    dead = next(v for v in r.verdicts if v.prop == "DeadlockFreedom")
    starve = next(v for v in r.verdicts if v.prop == "StarvationFree")
    assert len(dead.trace.steps) == 2
    assert starve.trace.loop_start == len(starve.trace.steps) == 2   # stuck: stutters
