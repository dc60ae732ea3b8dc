"""The fair-cycle search on hand-built graphs, and against a brute-force reference.

The reference decides each property from first principles: a property is
violated exactly when some set of states C (reachable as the form requires)
is strongly connected through its own edges, or is a single state (which may
stutter), and is fair when the behaviour loops through all of C taking every
edge inside it: every weakly fair unit is taken inside C or disabled somewhere
in C, and every strongly fair unit enabled somewhere in C is taken inside C.
(Simple cycles alone are not enough: a fair behaviour may have to alternate
between two loops; the test also checks that every fair simple cycle found by
networkx.simple_cycles implies a violation.)
"""

from __future__ import annotations

import itertools
import os
from array import array

import networkx as nx
from hypothesis import given, settings, strategies as st

from stateline.checker.liveness import Graph, find_violation

FORMS = ("eventually", "always_eventually", "eventually_always", "leads_to")


def make_graph(n, edges, enabled_extra=None, initial=(0,)):
    """edges: (src, dst, unit) with unit -1 for an unfair step."""
    start, to, unit = array("q"), array("q"), array("i")
    enabled = []
    for i in range(n):
        start.append(len(to))
        en = 0
        for a, b, u in edges:
            if a == i:
                to.append(b)
                unit.append(u)
                if u >= 0:
                    en |= 1 << u
        enabled.append(en | (enabled_extra or {}).get(i, 0))
    start.append(len(to))
    # BFS depth and parents from the initial states
    depth = array("q", [0]) * n
    parent = array("q", [-1]) * n
    seen = set(initial)
    frontier = list(initial)
    for i in initial:
        depth[i] = 1
    while frontier:
        nxt = []
        for i in frontier:
            for k in range(start[i], start[i + 1]):
                j = to[k]
                if j not in seen:
                    seen.add(j)
                    depth[j] = depth[i] + 1
                    parent[j] = i
                    nxt.append(j)
        frontier = nxt
    reach = sorted(seen)
    assert reach == list(range(len(reach))), "test graphs list reachable states first"
    return Graph(n, start, to, unit, enabled, list(initial), depth, parent)


def bits(states, n):
    return bytes(1 if i in states else 0 for i in range(n))


# ---- hand-built graphs ----------------------------------------------------------------


def test_no_fairness_stutters_at_the_start():
    g = make_graph(2, [(0, 1, 0)])
    lasso = find_violation(g, "eventually", bits({1}, 2), None, 0, 0)
    assert lasso.prefix == [0] and lasso.cycle == []


def test_weak_fairness_forces_progress():
    g = make_graph(2, [(0, 1, 0), (1, 1, 0)])
    assert find_violation(g, "eventually", bits({1}, 2), None, weak=1, strong=0) is None


def test_weak_fairness_is_not_enough_when_the_action_flickers():
    # 0 <-> 1 by unit 0 (toggle); unit 1 (finish) enabled only in 1, leads to 2 (done).
    g = make_graph(3, [(0, 1, 0), (1, 0, 0), (1, 2, 1), (2, 2, 0)])
    done = bits({2}, 3)
    lasso = find_violation(g, "eventually", done, None, weak=0b11, strong=0)
    assert lasso is not None and lasso.cycle_states(g) in ([1, 0], [0, 1])
    assert find_violation(g, "eventually", done, None, weak=0b01, strong=0b10) is None


def test_strong_fairness_refinement_keeps_a_fair_subcycle():
    # A component {0, 1, 2}: unit 1 enabled only in 2 and never taken; the cycle 0 <-> 1
    # avoids state 2, so strong fairness of unit 1 does not forbid it.
    g = make_graph(3, [(0, 1, 0), (1, 0, 0), (1, 2, 0), (2, 1, 0)], enabled_extra={2: 0b10})
    lasso = find_violation(g, "always_eventually", bits({2}, 3), None, weak=0b01, strong=0b10)
    assert lasso is not None
    assert 2 not in lasso.cycle_states(g)


def test_eventually_always_needs_a_bad_state_on_the_cycle():
    g = make_graph(2, [(0, 1, 0), (1, 1, 0)])
    p = bits({1}, 2)     # P holds in 1; the only fair cycle is 1 -> 1
    assert find_violation(g, "eventually_always", p, None, weak=1, strong=0) is None
    assert find_violation(g, "eventually_always", p, None, weak=0, strong=0) is not None


def test_leads_to_starts_where_p_holds():
    # 0 -> 1 -> 2 -> 2; P in 1, Q in 2; without fairness the run can stop in 1.
    g = make_graph(3, [(0, 1, 0), (1, 2, 0), (2, 2, 0)])
    p, q = bits({1}, 3), bits({2}, 3)
    lasso = find_violation(g, "leads_to", p, q, weak=0, strong=0)
    assert lasso.prefix == [0, 1] and lasso.cycle == []
    assert find_violation(g, "leads_to", p, q, weak=1, strong=0) is None


def test_deadlock_stutters_even_under_fairness():
    g = make_graph(2, [(0, 1, 0)])
    lasso = find_violation(g, "eventually", bits(set(), 2), None, weak=1, strong=1)
    assert lasso.prefix == [0, 1] and lasso.cycle == []


# ---- brute force --------------------------------------------------------------------------


def reachable(g, sources, allowed):
    seen = set(s for s in sources if allowed[s])
    stack = list(seen)
    while stack:
        i = stack.pop()
        for j, _u in g.edges(i):
            if j >= 0 and allowed[j] and j not in seen:
                seen.add(j)
                stack.append(j)
    return seen


def region(g, form, p, q):
    every = bytes([1]) * g.n
    reach_all = reachable(g, g.initial, every)
    if form == "eventually":
        return reachable(g, g.initial, bytes(1 - x for x in p))
    if form == "always_eventually":
        return {i for i in reach_all if not p[i]}
    if form == "eventually_always":
        return reach_all
    notq = bytes(1 - x for x in q)
    return reachable(g, [i for i in reach_all if p[i] and not q[i]], notq)


def strongly_connected(g, comp):
    if len(comp) == 1:
        return True
    first = next(iter(comp))
    for edges in (lambda i: [j for j, _ in g.edges(i)],
                  lambda i: [a for a in comp for j, _ in g.edges(a) if j == i]):
        seen, stack = {first}, [first]
        while stack:
            i = stack.pop()
            for j in edges(i):
                if j in comp and j not in seen:
                    seen.add(j)
                    stack.append(j)
        if seen != comp:
            return False
    return True


def fair(g, comp, used_units, weak, strong):
    all_en, any_en = -1, 0
    for i in comp:
        all_en &= g.enabled[i]
        any_en |= g.enabled[i]
    return not (weak & all_en & ~used_units) and not (strong & any_en & ~used_units)


def brute_force(g, form, p, q, weak, strong) -> bool:
    """Is the property violated?  (Tries every candidate set of looping states.)"""
    reg = sorted(region(g, form, p, q))
    for size in range(1, len(reg) + 1):
        for comp in itertools.combinations(reg, size):
            comp = set(comp)
            if form == "eventually_always" and all(p[i] for i in comp):
                continue
            if not strongly_connected(g, comp):
                continue
            used = 0
            for i in comp:
                for j, u in g.edges(i):
                    if j in comp and u >= 0:
                        used |= 1 << u
            if fair(g, comp, used, weak, strong):
                return True
    return False


def fair_simple_cycle(g, form, p, q, weak, strong) -> bool:
    reg = region(g, form, p, q)
    dg = nx.MultiDiGraph()
    dg.add_nodes_from(reg)
    for i in reg:
        for k in range(g.start[i], g.start[i + 1]):
            if g.to[k] in reg:
                dg.add_edge(i, g.to[k], unit=g.unit[k])
    for cycle in nx.simple_cycles(nx.DiGraph(dg)):
        comp = set(cycle)
        if form == "eventually_always" and all(p[i] for i in comp):
            continue
        used = 0
        for a, b in zip(cycle, cycle[1:] + cycle[:1]):
            for data in dg.get_edge_data(a, b).values():
                if data["unit"] >= 0:
                    used |= 1 << data["unit"]
        if fair(g, comp, used, weak, strong):
            return True
    return False


def check_lasso(g, form, p, q, weak, strong, lasso):
    """The lasso is a real path, stays where the form requires, and its loop is fair."""
    path = lasso.prefix
    assert path[0] in g.initial
    for a, b in zip(path, path[1:]):
        assert any(j == b for j, _ in g.edges(a))
    entry = path[-1]
    loop_states = [entry] + lasso.cycle_states(g)
    if lasso.cycle:
        assert loop_states[-1] == entry
        here = entry
        for k in lasso.cycle:
            assert g.start[here] <= k < g.start[here + 1]
            here = g.to[k]
    used = 0
    for k in lasso.cycle:
        if g.unit[k] >= 0:
            used |= 1 << g.unit[k]
    assert fair(g, set(loop_states), used, weak, strong)
    if form == "eventually":
        assert not any(p[i] for i in path + loop_states)
    if form == "always_eventually":
        assert not any(p[i] for i in loop_states)
    if form == "eventually_always":
        assert not all(p[i] for i in loop_states)
    if form == "leads_to":
        # some state where P holds, after which Q never holds
        assert any(p[path[k]] and not any(q[i] for i in path[k:] + loop_states)
                   for k in range(len(path)))


@st.composite
def graphs(draw):
    n = draw(st.integers(1, 8))
    units = draw(st.integers(1, 3))
    edges = []
    for i in range(n):
        if i + 1 < n:     # keep every state reachable: a spine 0 -> 1 -> ...
            edges.append((i, i + 1, draw(st.integers(-1, units - 1))))
        for _ in range(draw(st.integers(0, 3))):
            edges.append((i, draw(st.integers(0, n - 1)), draw(st.integers(-1, units - 1))))
    extra = {i: draw(st.integers(0, (1 << units) - 1)) for i in range(n)
             if draw(st.booleans()) and draw(st.booleans())}
    g = make_graph(n, sorted(set(edges)), extra)
    p = bytes(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    q = bytes(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    weak = draw(st.integers(0, (1 << units) - 1))
    strong = draw(st.integers(0, (1 << units) - 1)) & ~weak
    return g, p, q, weak, strong


EXAMPLES = int(os.environ.get("STATELINE_LIVENESS_EXAMPLES", "600"))


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
@given(graphs(), st.sampled_from(FORMS))
def test_fair_cycle_search_agrees_with_brute_force(case, form):
    g, p, q, weak, strong = case
    lasso = find_violation(g, form, p, q if form == "leads_to" else None, weak, strong)
    assert (lasso is not None) == brute_force(g, form, p, q, weak, strong)
    if lasso is not None:
        check_lasso(g, form, p, q, weak, strong, lasso)
    if fair_simple_cycle(g, form, p, q, weak, strong):
        assert lasso is not None
