"""Raft (specs/raft.sl) and its three labs: pinned state counts and counterexamples.

Every count is what the explicit-state search reports for the check block as
written; a change to the spec, the bounds or the checker's semantics (what a
state is, which successors exist) shows up here as a different number.  The
lab counterexamples are pinned at their shortest length, and each is read
step by step to see that it is the failure the lab is about.
"""

from __future__ import annotations

import pathlib

import pytest

from stateline.models.verdict import Status, StopReason

ROOT = pathlib.Path(__file__).resolve().parent.parent
RAFT = "specs/raft.sl"
LABS = ["specs/labs/raft_double_vote.sl", "specs/labs/raft_forget_vote.sl",
        "specs/labs/raft_commit_old_term.sl"]
PROPERTIES = ["ElectionSafety", "LogMatching", "LeaderCompleteness", "StateMachineSafety"]


@pytest.fixture(scope="module")
def results(library):
    return {path: library(path) for path in [RAFT, *LABS]}


def verdict(results, path, check, prop):
    return next(v for v in results[path][check].verdicts if v.prop == prop)


# check -> (distinct states, transitions, depth)
PINNED = {
    "replication": (76_092, 445_024, 34),
    "crashes": (496_234, 2_906_386, 40),
    "twoValues": (12_683, 58_141, 23),
    "reordering": (11_081, 78_031, 18),
}


def test_raft_checks_are_the_documented_ones(results):
    assert sorted(results[RAFT]) == sorted(PINNED)


@pytest.mark.parametrize("check", sorted(PINNED))
def test_raft_safety_holds_exhaustively(results, check):
    r = results[RAFT][check]
    assert r.failure is None, r.failure
    assert r.stop.exhaustive
    assert [v.prop for v in r.verdicts if v.kind == "invariant"] == PROPERTIES
    for v in r.verdicts:
        assert v.status is Status.HOLDS and v.met, (check, v.prop, v.status)


@pytest.mark.parametrize("check", sorted(PINNED))
def test_raft_pinned_counts(results, check):
    states, transitions, depth = PINNED[check]
    stats = results[RAFT][check].stats
    assert (stats.states, stats.transitions, stats.depth) == (states, transitions, depth)


# lab -> (check, property, shortest counterexample length)
LAB_VIOLATIONS = {
    "specs/labs/raft_double_vote.sl": [("small", "ElectionSafety", 8)],
    "specs/labs/raft_forget_vote.sl": [("small", "ElectionSafety", 10)],
    "specs/labs/raft_commit_old_term.sl": [("small", "LeaderCompleteness", 28),
                                           ("small", "StateMachineSafety", 34)],
}


@pytest.mark.parametrize("path", LABS)
def test_lab_counterexample_is_shortest(results, path):
    for check, prop, length in LAB_VIOLATIONS[path]:
        v = verdict(results, path, check, prop)
        assert v.status is Status.VIOLATED and v.met
        assert len(v.trace.steps) == length
        assert len(v.trace.states) == length + 1
    # Every property a lab declares is one it breaks, so the search stops at
    # the deepest counterexample instead of exploring the whole instance.
    r = results[path]["small"]
    assert {v.prop for v in r.verdicts} == {p for _, p, _ in LAB_VIOLATIONS[path]}
    assert r.stop is StopReason.ALL_VIOLATED


def last_values(trace, variable):
    """The shown value of `variable` after the last step that changed it (or initially)."""
    value = dict(trace.initial)[variable]
    for step in trace.steps:
        for c in step.changes:
            if c.variable == variable:
                value = c.new
    return value


def leaders_at_end(trace):
    return sorted(s for s in ("s1", "s2", "s3")
                  if last_values(trace, f"Server[{s}].role") == "leader")


def test_double_vote_elects_two_leaders_of_term_one(results):
    trace = verdict(results, LABS[0], "small", "ElectionSafety").trace
    leaders = leaders_at_end(trace)
    assert len(leaders) == 2
    assert {last_values(trace, f"Server[{s}].currentTerm") for s in leaders} == {"1"}
    assert not any(s.action in ("crash", "recover") for s in trace.steps)
    # Some server changed its vote within term 1.
    changed = [c for s in trace.steps for c in s.changes
               if c.variable.endswith(".votedFor") and c.old != "none"]
    assert changed


def test_forgotten_vote_is_given_again_after_a_crash(results):
    trace = verdict(results, LABS[1], "small", "ElectionSafety").trace
    titles = [s.title() for s in trace.steps]
    crash = next(i for i, t in enumerate(titles) if t.endswith(".crash"))
    node = trace.steps[crash].node
    assert titles[crash + 1] == f"{node}.recover"
    assert (f"{node}.votedFor", "s1", "none") in {
        (c.variable, c.old, c.new) for c in trace.steps[crash + 1].changes}
    votes = [s for s in trace.steps if s.node == node and s.action == "on RequestVote"]
    assert len(votes) == 2 and all("granted=true" in s.sent[0].shown for s in votes)
    assert len(leaders_at_end(trace)) == 2


def test_figure_8_commits_two_entries_at_index_one(results):
    trace = verdict(results, LABS[2], "small", "StateMachineSafety").trace
    committed = last_values(trace, "committed")
    assert committed == ("{(1, Entry(term=1, value=v1), 3), "
                         "(1, Entry(term=2, value=v1), 4)}")
    # Four elections: terms 1 to 4, each won by a vote.
    elected = [c.variable for s in trace.steps for c in s.changes
               if c.variable.endswith(".role") and c.new == "leader"]
    assert len(elected) == 4
    # The entry of term 1 is committed in term 3, by counting replicas.
    first = next(s for s in trace.steps if any(
        c.variable == "committed" and c.old == "{}" for c in s.changes))
    assert first.action == "on AppendReply"

