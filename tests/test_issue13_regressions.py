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
