"""Function sets `[S -> T]` (issue 13 item 2): every map from S to T, as a set.

Pinned: Dijkstra's token ring with `var c in [Node -> 0..M-1]` has M^N initial (and
distinct) states, counted here by brute force; quantifiers over `[1..N -> Cmds]`; the
Z3 engines agree with the explicit checker (a constant function set is folded, a
state-dependent one is refused with SL801); too many maps is SL405.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from stateline import SpecError, check_blocks, load_text, run_check
from stateline.lang.fmt import format_text
from stateline.models.verdict import Status

sys.path.insert(0, str(Path(__file__).parent))
import engine_agreement as E  # noqa: E402

RING = """spec TokenRing

const N = {n}
const M = {m}
const Node = 0..N - 1

var c in [Node -> 0..M - 1]

action step(i in Node):
    if i == 0:
        require c[0] == c[N - 1]
        c[0] := (c[N - 1] + 1) % M
    else:
        require c[i] != c[i - 1]
        c[i] := c[i - 1]

def privileged(i) = c[0] == c[N - 1] if i == 0 else c[i] != c[i - 1]

invariant SomePrivileged: exists i in Node: privileged(i)
"""


def _check(text: str, name: str = "spec.sl"):
    loaded = load_text(text, name)
    return run_check(loaded, check_blocks(loaded)[0], {})


def _ring_counts(n: int, m: int) -> tuple[int, int]:
    """Brute force: (states, transitions).  Every map Node -> 0..M-1 is initial (one
    transition into each), and each privileged node has one step."""
    maps = list(itertools.product(range(m), repeat=n))
    steps = sum((c[0] == c[n - 1]) + sum(c[i] != c[i - 1] for i in range(1, n)) for c in maps)
    return len(set(maps)), len(maps) + steps


@pytest.mark.parametrize("n, m", [(3, 3), (4, 3), (4, 4)])
def test_token_ring_counts_every_map(n, m):
    r = _check(RING.format(n=n, m=m))
    assert (r.stats.states, r.stats.transitions) == _ring_counts(n, m)
    assert r.stats.states == m ** n
    assert all(v.status is Status.HOLDS for v in r.verdicts)


MAPS = """spec FunSets

const Cmds = {put, get}
const N = 2

var log: seq[Cmds, 3] = []
var flags in [Cmds -> {true, false}]

action append(x in Cmds) if len(log) < 3:
    log := log + [x]

def orders = [1..N -> Cmds]

invariant FourOrders: len(orders) == 4 and len([Cmds -> 0..2]) == 9
invariant FlagMaps: flags in [Cmds -> {true, false}]
invariant LogIsAnOrder: len(log) < 2 or exists o in orders: o[1] == log[0] and o[2] == log[1] and o[1] != o[2]
"""


def test_quantifier_over_maps_and_agreement():
    r = _check(MAPS)
    v = {x.prop: x for x in r.verdicts}
    assert r.stats.states == 4 * 15          # 4 flag maps x logs of length 0..3
    assert v["FourOrders"].status is Status.HOLDS
    assert v["FlagMaps"].status is Status.HOLDS
    assert v["LogIsAnOrder"].status is Status.VIOLATED and len(v["LogIsAnOrder"].trace.steps) == 2
    run = E.findings(SimpleNamespace(text=MAPS + "\ncheck default:\n    expect LogIsAnOrder violated\n"
                                     "    expect DeadlockFreedom violated\n"))
    assert run.refused is None and set(run.results) >= {"bmc", "k-induction"}
    assert run.findings == []


def test_ring_agreement():
    run = E.findings(SimpleNamespace(text=RING.format(n=3, m=3)))
    assert run.refused is None and run.findings == []
    assert run.explicit.stats.states == 27


def test_state_dependent_function_set_is_refused_by_z3():
    text = """spec Dyn

var k: 0..2 = 0

action inc if k < 2:
    k := k + 1

invariant Few: len([{1, 2} -> 0..k]) <= 9
"""
    r = _check(text)
    assert r.stats.states == 3 and r.verdicts[0].status is Status.HOLDS
    run = E.run_engines(SimpleNamespace(text=text))
    assert run.refused == "the Z3 engines cannot encode a function set [S -> T] that depends " \
                          "on the state"


def test_too_many_maps():
    with pytest.raises(SpecError) as exc:
        _check("spec Big\nconst Node = 0..9\nvar c in [Node -> 0..7]\n")
    d = exc.value.diagnostics[0]
    assert d.code == "SL405" and (d.span.line, d.span.col) == (3, 10)
    assert "8^10 = 1,073,741,824 maps" in d.message


def test_fmt_round_trips():
    text = RING.format(n=3, m=3)
    assert format_text(text, "ring.sl") == text


def test_dijkstra_ring_six_nodes_six_values():
    # TLC: 46,656 distinct states for Dijkstra's token ring with N = M = 6.
    r = _check(RING.format(n=6, m=6))
    assert r.stats.states == 46_656
