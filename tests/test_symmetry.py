"""Symmetry reduction: one representative per class of states equal up to
renaming the model values of `symmetric` sets."""

from __future__ import annotations

import itertools
import pathlib

from stateline import check_blocks, load_spec, load_text, run_check
from stateline.checker.run import CheckOptions, prepare
from stateline.checker.search import SearchOptions, bfs
from stateline.checker.symmetry import Symmetry
from stateline.models.verdict import Status

ROOT = pathlib.Path(__file__).resolve().parent
SYM_PAXOS = str(ROOT / "specs" / "paxos_symmetric.sl")


def _model(path):
    loaded = load_spec(path)
    return loaded, prepare(loaded, check_blocks(loaded)[0], {})


def test_reduced_count_is_the_number_of_orbits():
    loaded, model = _model(SYM_PAXOS)
    full = bfs(model)
    assert full.states == 3_921                      # no reduction: Paxos ballots 0..1
    sym = Symmetry(model.system)
    assert sym.count == 3 * 2 * 1 * 2                # 3! acceptor renamings x 2! value renamings
    orbits = {sym.canonical(s) for s in full.state_list}
    result = run_check(loaded, check_blocks(loaded)[0], {})
    assert result.stats.states == len(orbits) == 443
    assert all(v.status is Status.HOLDS for v in result.verdicts)


def test_canonical_form_is_invariant_under_renaming():
    loaded, model = _model(SYM_PAXOS)
    sym = Symmetry(model.system)
    states = bfs(model).state_list[::37]
    for s in states:
        c = sym.canonical(s)
        for apply in sym.perms:
            assert sym.canonical(apply(s)) == c


def test_symmetric_counterexample_is_real_and_shortest():
    text = (ROOT.parent / "specs" / "labs" / "paxos_no_quorum.sl").read_text()
    sym_text = text.replace("const Acceptors = {a1, a2, a3}", "const Acceptors = {a1, a2, a3} symmetric")
    assert sym_text != text
    loaded = load_text(sym_text, "sym_no_quorum.sl")
    check = check_blocks(loaded)[0]
    reduced = run_check(loaded, check, {})
    plain = run_check(loaded, check, {}, CheckOptions(symmetry=False))
    assert reduced.stats.states < plain.stats.states
    for r in (reduced, plain):
        v = next(v for v in r.verdicts if v.prop == "Agreement")
        assert v.status is Status.VIOLATED and len(v.trace.steps) == 8
    # The reduced trace replays through the model step by step.
    v = next(v for v in reduced.verdicts if v.prop == "Agreement")
    model = prepare(loaded, check, {})
    for a, b in itertools.pairwise(v.trace.states):
        assert b in model.successors(a)
    assert not model.invariants[0][1](v.trace.states[-1])


def test_canonical_is_the_reference_least_renaming_on_every_state():
    # The slot-by-slot narrowing picks the very state the direct minimum over every
    # renaming picks (same representative, so the same counts and traces).
    loaded, model = _model(SYM_PAXOS)
    sym = Symmetry(model.system)
    states = bfs(model).state_list
    assert len(states) == 3_921
    for s in states:
        assert sym.canonical(s) == sym.canonical_reference(s)


def test_canonical_is_the_reference_on_two_phase_commit_with_symmetric_managers():
    # Resource managers as symmetric model values: process instances move, the TM's
    # bit set and the network's messages are renamed; every state of the unreduced
    # space (memo and caches warm after the first few) gets the reference's form.
    text = (ROOT.parent / "specs" / "two_phase_commit.sl").read_text()
    text = text.replace("const N = 3", "const N = 5").replace(
        "const RMs = 1..N", "const RMs = {r1, r2, r3, r4, r5} symmetric")
    loaded = load_text(text, "sym_2pc.sl")
    check = check_blocks(loaded)[0]
    model = prepare(loaded, check, {})
    sym = Symmetry(model.system)
    states = bfs(model).state_list
    assert len(states) == 8_832
    assert all(sym.canonical(s) == sym.canonical_reference(s) for s in states)
    assert len({sym.canonical(s) for s in states}) == 314
    assert bfs(model, SearchOptions(canonical=sym.canonical)).states == 314
