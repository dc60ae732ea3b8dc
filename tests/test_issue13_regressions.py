"""Regressions from issue 13: specs that crashed or were wrongly refused."""

from __future__ import annotations

import textwrap

from stateline import check_blocks, load_text, run_check
from stateline.models.verdict import Status


def check(text: str):
    loaded = load_text(textwrap.dedent(text), "t.sl")
    return run_check(loaded, check_blocks(loaded)[0], {})


def verdict(result, name):
    return next(v for v in result.verdicts if v.prop == name)


def test_empty_set_in_a_map_comprehension_takes_the_map_value_type():
    # `{}` was typed set[unknown] (a bitmask) while the variable holds sets of
    # tuples (frozensets): SL601 "initial value {0: {}, 1: {}} is outside its type".
    r = check("""\
        spec B
        var votes: map[0..1, set[(0..1, bool)]] = {a: {} for a in 0..1}
        action add(a in 0..1, b in 0..1):
            votes[a] := votes[a] | {(b, true)}
        invariant Small: forall a in 0..1: len(votes[a]) <= 2
        invariant NotFull: forall a in 0..1: len(votes[a]) < 2
    """)
    assert r.stats.states == 16
    assert verdict(r, "Small").status is Status.HOLDS
    v = verdict(r, "NotFull")
    assert v.status is Status.VIOLATED and len(v.trace.steps) == 2


def test_indexing_a_map_taken_from_a_set_literal():
    # The set literal's element domain came from the static type map[int, bool],
    # which has no key bounds: exit 4 "TypeError: unsupported operand type(s)
    # for -: 'int' and 'NoneType'" in DInt.index.
    r = check("""\
        spec A
        const Node = 0..1
        var m: map[Node, bool] = {n: true for n in Node}
        invariant I: forall a in {m}: a[0]
        allow deadlock
    """)
    assert (r.stats.states, verdict(r, "I").status) == (1, Status.HOLDS)
    r = check("""\
        spec A
        const Node = 0..1
        var m: map[Node, bool] = {n: true for n in Node}
        action flip(n in Node):
            m[n] := not m[n]
        invariant I: forall a in {m}: a[0]
        invariant J: [m, m][0][1] or not [m][0][1]
        allow deadlock
    """)
    assert r.stats.states == 4
    v = verdict(r, "I")
    assert v.status is Status.VIOLATED and [s.action for s in v.trace.steps] == ["flip"]
    assert verdict(r, "J").status is Status.HOLDS


def test_max_states_is_exact_alone_resumed_and_with_workers(tmp_path):
    # It was checked every 2,048 states: --max-states 10 explored all 1,568 states.
    import dataclasses
    from pathlib import Path

    from stateline import load_spec
    from stateline.checker.run import CheckOptions
    from stateline.models.verdict import StopReason
    root = Path(__file__).resolve().parent.parent
    loaded = load_spec(str(root / "specs/two_phase_commit.sl"))
    [block] = check_blocks(loaded, ["n4"])
    full = run_check(loaded, block, {}, CheckOptions())
    assert (full.stats.states, full.stop) == (1568, StopReason.COMPLETE)
    for bound in (1, 2, 10, 100, 1567, 1568):
        one = run_check(loaded, block, {}, CheckOptions(max_states=bound))
        expected = StopReason.MAX_STATES if bound < 1568 else StopReason.COMPLETE
        assert (one.stats.states, one.stop) == (bound, expected)
        two = run_check(loaded, block, {}, CheckOptions(max_states=bound, workers=2))
        assert (two.stats.states, two.stats.transitions, two.stats.depth, two.stop) == \
            (one.stats.states, one.stats.transitions, one.stats.depth, one.stop)
    # Stopped at the bound inside a level, resumed from a checkpoint at a level's end.
    bound = CheckOptions(max_states=1000)
    whole = run_check(loaded, block, {}, bound)
    run_check(loaded, block, {}, dataclasses.replace(
        bound, checkpoint=str(tmp_path / "c"), checkpoint_every=0.0))
    again = run_check(loaded, block, {}, dataclasses.replace(bound, resume=str(tmp_path / "c")))
    assert (again.stats.states, again.stats.transitions, again.stop) == \
        (whole.stats.states, whole.stats.transitions, StopReason.MAX_STATES) and \
        whole.stats.states == 1000
