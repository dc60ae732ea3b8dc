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
    """edges: (src, dst, unit) with unit -1 for an unfair step, or (src, dst, mask) with
    `mask` given as a frozenset of units.  A self loop changes nothing: it neither takes
    nor enables a unit (TLA+'s <<A>>_vars), as the search records it."""
    start, to, unit = array("q"), array("q"), array("i")
    sets, index = [0], {0: 0}
    enabled = []
    for i in range(n):
        start.append(len(to))
        en = 0
        for a, b, u in edges:
            if a == i:
                mask = sum(1 << x for x in u) if isinstance(u, frozenset) else \
                    (1 << u if u >= 0 else 0)
                if a == b:
                    mask = 0
                if mask not in index:
                    index[mask] = len(sets)
                    sets.append(mask)
                to.append(b)
                unit.append(index[mask])
                en |= mask
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
                if j >= 0 and j not in seen:
                    seen.add(j)
                    depth[j] = depth[i] + 1
                    parent[j] = i
                    nxt.append(j)
        frontier = nxt
    reach = sorted(seen)
    assert reach == list(range(len(reach))), "test graphs list reachable states first"
    return Graph(n, start, to, unit, enabled, list(initial), depth, parent, sets)


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
#
# The reference works on the raw description of a graph (n states, edges (src, dst,
# units), extra enabled units per state, initial states), not on the Graph the search
# reads, and applies the TLA+ reading itself: a step that does not change the state
# (src == dst) is stuttering, so it neither takes nor enables a unit.


class Raw:
    def __init__(self, n, edges, extra=None, initial=(0,)):
        self.n, self.initial = n, tuple(initial)
        self.succ = {i: [] for i in range(n)}      # i -> [(j, frozenset of units)]
        self.out = {i: set() for i in range(n)}     # units of steps out of the graph
        self.steps = {i: [] for i in range(n)}      # every step, in the graph's order
        for a, b, u in edges:
            units = u if isinstance(u, frozenset) else frozenset([u] if u >= 0 else [])
            self.steps[a].append((b, units))
            if b < 0:
                self.out[a] |= units
            else:
                self.succ[a].append((b, units))
        self.enabled = {}
        for i in range(n):
            bits_on = (extra or {}).get(i, 0)
            en = {x for x in range(64) if bits_on >> x & 1}
            for j, units in self.succ[i]:
                if j != i:
                    en |= units
            self.enabled[i] = frozenset(en | self.out[i])


def reachable(raw, sources, allowed):
    seen = set(s for s in sources if allowed[s])
    stack = list(seen)
    while stack:
        i = stack.pop()
        for j, _u in raw.succ[i]:
            if allowed[j] and j not in seen:
                seen.add(j)
                stack.append(j)
    return seen


def region(raw, form, p, q):
    every = bytes([1]) * raw.n
    reach_all = reachable(raw, raw.initial, every)
    if form == "eventually":
        return reachable(raw, raw.initial, bytes(1 - x for x in p))
    if form == "always_eventually":
        return {i for i in reach_all if not p[i]}
    if form == "eventually_always":
        return reach_all
    notq = bytes(1 - x for x in q)
    return reachable(raw, [i for i in reach_all if p[i] and not q[i]], notq)


def strongly_connected(raw, comp):
    if len(comp) == 1:
        return True
    first = next(iter(comp))
    for edges in (lambda i: [j for j, _ in raw.succ[i]],
                  lambda i: [a for a in comp for j, _ in raw.succ[a] if j == i]):
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


def fair(raw, comp, used, weak, strong):
    """Looping through every state of comp, taking the units in `used`."""
    for u in range(64):
        en = [u in raw.enabled[i] for i in comp]
        if weak >> u & 1 and all(en) and u not in used:
            return False
        if strong >> u & 1 and any(en) and u not in used:
            return False
    return True


def brute_force(raw, form, p, q, weak, strong) -> bool:
    """Is the property violated?  (Tries every candidate set of looping states.)"""
    reg = sorted(region(raw, form, p, q))
    for size in range(1, len(reg) + 1):
        for comp in itertools.combinations(reg, size):
            comp = set(comp)
            if form == "eventually_always" and all(p[i] for i in comp):
                continue
            if not strongly_connected(raw, comp):
                continue
            used = set()
            for i in comp:
                for j, units in raw.succ[i]:
                    if j in comp and j != i:
                        used |= units
            if fair(raw, comp, used, weak, strong):
                return True
    return False


def fair_simple_cycle(raw, form, p, q, weak, strong) -> bool:
    """Some simple cycle (or single state) of the region is fair on its own."""
    reg = region(raw, form, p, q)
    dg = nx.DiGraph()
    dg.add_nodes_from(reg)
    for i in reg:
        for j, _ in raw.succ[i]:
            if j in reg and j != i:
                dg.add_edge(i, j)
    cycles = [[i] for i in reg] + list(nx.simple_cycles(dg))
    for cycle in cycles:
        comp = set(cycle)
        if form == "eventually_always" and all(p[i] for i in comp):
            continue
        used = set()
        for a, b in zip(cycle, cycle[1:] + cycle[:1]):
            if a != b:
                for j, units in raw.succ[a]:
                    if j == b:
                        used |= units
        if fair(raw, comp, used, weak, strong):
            return True
    return False


def check_lasso(raw, g, form, p, q, weak, strong, lasso):
    """The lasso is a real path, stays where the form requires, and its loop is fair."""
    path = lasso.prefix
    assert path[0] in raw.initial
    for a, b in zip(path, path[1:]):
        assert any(j == b for j, _ in raw.succ[a])
    entry = path[-1]
    loop_states = [entry] + lasso.cycle_states(g)
    used = set()
    if lasso.cycle:
        assert loop_states[-1] == entry
        here = entry
        for k in lasso.cycle:
            assert g.start[here] <= k < g.start[here + 1]
            j, units = raw.steps[here][k - g.start[here]]
            assert j == g.to[k] and j >= 0
            if j != here:
                used |= units
            here = j
    assert fair(raw, set(loop_states), used, weak, strong)
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


def shortest_fair_loop(raw, comp_states, weak, strong, need_bad):
    """Length of the shortest fair closed walk (0: stuttering) through the given
    states, by breadth-first search over (start, state, units taken, states seen)."""
    best = None
    for s0 in sorted(comp_states):
        if fair(raw, {s0}, set(), weak, strong) and (need_bad is None or need_bad[s0]):
            return 0
    for s0 in sorted(comp_states):
        frontier = {(s0, frozenset(), frozenset([s0]))}
        seen = set(frontier)
        for length in range(1, 2 * len(comp_states) + 2):
            nxt = set()
            for i, used, visited in frontier:
                for j, units in raw.succ[i]:
                    if j == i or j not in comp_states:
                        continue
                    node = (j, used | units, visited | {j})
                    if j == s0 and fair(raw, node[2], node[1], weak, strong) and \
                            (need_bad is None or any(need_bad[x] for x in node[2])):
                        best = length if best is None else min(best, length)
                    if node not in seen:
                        seen.add(node)
                        nxt.add(node)
            frontier = nxt
            if best is not None and length >= best:
                break
    return best


@st.composite
def graphs(draw):
    n = draw(st.integers(1, 8))
    units = draw(st.integers(1, 3))
    unit = st.one_of(st.integers(-1, units - 1),
                     st.frozensets(st.integers(0, units - 1), max_size=units))
    edges = []
    for i in range(n):
        if i + 1 < n:     # keep every state reachable: a spine 0 -> 1 -> ...
            edges.append((i, i + 1, draw(unit)))
        for _ in range(draw(st.integers(0, 3))):
            # -1: a step out of the graph (into a state outside the constraint)
            edges.append((i, draw(st.integers(-1, n - 1)), draw(unit)))
    extra = {i: draw(st.integers(0, (1 << units) - 1)) for i in range(n)
             if draw(st.booleans()) and draw(st.booleans())}
    edges = sorted(set(edges), key=repr)
    raw = Raw(n, edges, extra)
    g = make_graph(n, edges, extra)
    p = bytes(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    q = bytes(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    weak = draw(st.integers(0, (1 << units) - 1))
    strong = draw(st.integers(0, (1 << units) - 1)) & ~weak
    return raw, g, p, q, weak, strong


EXAMPLES = int(os.environ.get("STATELINE_LIVENESS_EXAMPLES", "600"))


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
@given(graphs(), st.sampled_from(FORMS))
def test_fair_cycle_search_agrees_with_brute_force(case, form):
    raw, g, p, q, weak, strong = case
    lasso = find_violation(g, form, p, q if form == "leads_to" else None, weak, strong)
    assert (lasso is not None) == brute_force(raw, form, p, q, weak, strong)
    if lasso is not None:
        check_lasso(raw, g, form, p, q, weak, strong, lasso)
    if fair_simple_cycle(raw, form, p, q, weak, strong):
        assert lasso is not None
    if lasso is not None and not strong:
        # The loop is a shortest fair loop of its component (exact: these graphs are
        # small; with strong fairness the search asks more of a loop than needed, so
        # only weak fairness is pinned).
        reg = region(raw, form, p, q)
        dg = nx.DiGraph()
        dg.add_nodes_from(reg)
        dg.add_edges_from((i, j) for i in reg for j, _ in raw.succ[i] if j in reg and j != i)
        start = lasso.prefix[-1]
        comp = next(c for c in nx.strongly_connected_components(dg) if start in c)
        need_bad = bytes(1 - x for x in p) if form == "eventually_always" else None
        assert len(lasso.cycle) == shortest_fair_loop(raw, comp, weak, 0, need_bad)


def test_the_loop_is_a_shortest_fair_one():
    # A component 0 -> 1 -> ... -> 9 -> 0 (unit 0) with a shortcut 0 <-> 5: the fair loop
    # needs unit 0 (weak, enabled everywhere), taken on 0 -> 1 only.  The 10-state ring
    # and the loop 0 -> 1 -> ... -> 5 -> 0 both take it; the latter has 6 steps.
    edges = [(i, (i + 1) % 10, 0 if i == 0 else -1) for i in range(10)]
    edges += [(5, 0, -1), (0, 5, -1)]
    g = make_graph(10, edges, enabled_extra={i: 1 for i in range(10)})
    lasso = find_violation(g, "eventually", bits(set(), 10), None, weak=1, strong=0)
    assert lasso.prefix == [0]
    assert lasso.cycle_states(g) == [1, 2, 3, 4, 5, 0]


def test_self_loops_neither_take_nor_enable_a_unit():
    # 0 -> 0 by unit 0 (a step that changes nothing), 0 -> 1 by unit 1 (P holds in 1).
    # Weak fairness of unit 0 does not force leaving 0, and unit 0 being "taken" by the
    # self loop does not satisfy anything; unit 1 weakly fair forces 0 -> 1.
    g = make_graph(2, [(0, 0, 0), (0, 1, 1), (1, 1, -1)])
    assert g.enabled[0] == 0b10
    lasso = find_violation(g, "eventually", bits({1}, 2), None, weak=0b01, strong=0)
    assert lasso.prefix == [0] and lasso.cycle == []
    assert find_violation(g, "eventually", bits({1}, 2), None, weak=0b10, strong=0) is None


def test_a_step_out_of_the_graph_reaches_no_state():
    # 0 -> out (unit 0, e.g. into a state outside the constraint), 0 -> 1 (P), 1 -> 2.
    # State 2 is reachable only through P, so `eventually P` holds: 0 cannot stutter
    # (unit 0 is enabled there) and every other way passes P.  (The step out of the
    # graph is recorded as -1; it must not be read as the last state.)
    g = make_graph(3, [(0, -1, 0), (0, 1, -1), (1, 2, -1)])
    assert find_violation(g, "eventually", bits({1}, 3), None, weak=1, strong=0) is None
