"""Liveness under fairness on an explored state graph: fair strongly connected
components (Lichtenstein-Pnueli, as in TLC's liveness checking).

A behaviour violates a temporal property when it ends in a cycle that the
property forbids and that the fairness constraints allow:

* weak fairness of a unit u: the cycle takes u, or u is disabled in some state
  of the cycle;
* strong fairness of u: if u is enabled in some state of the cycle, the cycle
  takes u.

Steps that change nothing (self loops) neither take nor enable a unit: the
search records them with the empty unit set, as TLA+'s WF_vars(A) speaks of
<<A>>_vars steps.  Every state may stutter (repeat itself without taking any
unit), so a single state is a cycle too; that is how a spec without fairness
fails `eventually P` by never doing anything, as in TLC.

For each property the search restricts the graph to the states a violating
behaviour may visit, computes strongly connected components iteratively
(Tarjan, no recursion), rejects components where a weakly fair unit is always
enabled but never taken, and, for strong fairness, removes the states where a
strongly fair unit is enabled but never taken inside the component and
recomputes.  The lasso returned reaches the fair component whose nearest state
is nearest to an initial state, then takes a shortest fair loop of that
component: stuttering in a state where no fair unit is enabled if there is one,
else the shortest closed walk that meets every fairness requirement (searched
exactly over (state, requirements met) when that product is small, greedily
otherwise), starting from the state of the component with the shortest path.
"""

from __future__ import annotations

from array import array
from collections import deque
from dataclasses import dataclass

NO_UNIT = -1


@dataclass
class Graph:
    """The explored state graph: states 0..n-1 with labelled edges.

    `start[i]..start[i+1]` index the edges out of state i in `to` and `unit`
    (the index in `sets` of the bitmask of the fairness units a step takes;
    sets[0] == 0, no unit); `enabled[i]` is the bitmask of the units enabled in
    state i (steps into states outside a `constraint` count); `depth[i]` and
    `parent[i]` give a shortest path from an initial state.
    """

    n: int
    start: array
    to: array
    unit: array
    enabled: list[int]
    initial: list[int]
    depth: list[int] | array
    parent: array
    sets: list[int]
    # With a constraint: the units enabled in each state by steps that stay inside it
    # (`enabled` also counts the steps that leave it), else None.
    enabled_inside: list[int] | None = None

    def edges(self, i: int):
        """(successor, bitmask of the units taken) of each step out of state i."""
        for k in range(self.start[i], self.start[i + 1]):
            yield self.to[k], self.sets[self.unit[k]]


@dataclass(frozen=True)
class Lasso:
    prefix: list[int]     # states from an initial state to the loop's first state
    cycle: list[int]      # edges (indices into Graph.to) of the loop, back to its first
                          # state; [] means stuttering there forever

    def cycle_states(self, g: Graph) -> list[int]:
        return [g.to[k] for k in self.cycle]


def find_violation(g: Graph, form: str, p: bytes, q: bytes | None, weak: int,
                   strong: int) -> Lasso | None:
    """A fair lasso violating the temporal property, or None if it holds.

    `p[i]`/`q[i]` are the state predicates P and Q in state i; `weak` and
    `strong` are the bitmasks of the weakly and strongly fair units.
    """
    n = g.n
    if form == "eventually":           # a fair behaviour on which P never holds
        allowed = bytes(1 - x for x in p)
        sources = [(0, i) for i in g.initial if allowed[i]]
        via_parents = False
    elif form == "initially_eventually":   # ... starting in P, on which Q never holds
        allowed = bytes(1 - x for x in q)
        sources = [(0, i) for i in g.initial if p[i] and allowed[i]]
        via_parents = False
    elif form == "always_eventually":  # ... on which P eventually stops holding
        allowed = bytes(1 - x for x in p)
        sources = [(g.depth[i], i) for i in range(n) if allowed[i]]
        via_parents = True
    elif form == "eventually_always":  # ... on which P fails infinitely often
        allowed = b"\x01" * n
        sources = [(g.depth[i], i) for i in range(n)]
        via_parents = True
    elif form == "leads_to":           # ... reaching P and then never Q
        allowed = bytes(1 - x for x in q)
        sources = [(g.depth[i], i) for i in range(n) if p[i] and allowed[i]]
        via_parents = False
    else:
        raise ValueError(f"unknown temporal form {form!r}")
    if not sources:
        return None
    dist, pred = _restricted_distances(g, allowed, sources)
    reach = bytearray(n)
    for i in range(n):
        if dist[i] >= 0:
            reach[i] = 1
    need_bad = bytes(1 - x for x in p) if form == "eventually_always" else None
    best = None
    for comp in fair_components(g, reach, weak, strong, need_bad):
        entry = min(comp, key=lambda i: (dist[i], i))
        if best is None or (dist[entry], entry) < (dist[best[0]], best[0]):
            best = (entry, comp)
    if best is None:
        return None
    entry, comp = best
    start, cycle = fair_loop(g, comp, weak, strong, need_bad, dist)
    if via_parents:
        prefix = _parent_path(g, start)
    else:
        prefix = _prefix(g, start, pred, sources, form)
    return Lasso(prefix, cycle)


def _restricted_distances(g: Graph, allowed: bytes, sources):
    """Multi-source BFS inside `allowed`, sources entering at their own cost."""
    n = g.n
    dist = array("q", [-1]) * n
    pred = array("q", [-1]) * n
    sources = sorted(sources)
    si = 0
    frontier: list[int] = []
    level = sources[0][0]
    while si < len(sources) or frontier:
        while si < len(sources) and sources[si][0] == level:
            i = sources[si][1]
            si += 1
            if dist[i] < 0:
                dist[i] = level
                frontier.append(i)
        nxt = []
        for i in frontier:
            for k in range(g.start[i], g.start[i + 1]):
                j = g.to[k]
                if j >= 0 and allowed[j] and dist[j] < 0:     # -1: a step out of the graph
                    dist[j] = level + 1
                    pred[j] = i
                    nxt.append(j)
        frontier = nxt
        level += 1
        if not frontier and si < len(sources):
            level = max(level, sources[si][0])
    return dist, pred


def _parent_path(g: Graph, i: int) -> list[int]:
    out = []
    while i >= 0:
        out.append(i)
        i = g.parent[i]
    out.reverse()
    return out


def _prefix(g: Graph, entry: int, pred, sources, form: str) -> list[int]:
    """The path to `entry`: inside the restricted graph back to a source, then (for
    leads_to, whose sources are anywhere) the BFS path from an initial state."""
    path = []
    i = entry
    while i >= 0:
        path.append(i)
        i = pred[i]
    path.reverse()
    if form == "leads_to":
        return _parent_path(g, path[0])[:-1] + path
    return path


# ---- strongly connected components ---------------------------------------------------


def components(g: Graph, member: bytearray | bytes):
    """Strongly connected components of the subgraph induced by `member`
    (iterative Tarjan; yields lists of states)."""
    n = g.n
    index = array("q", [-1]) * n
    low = array("q", [0]) * n
    on_stack = bytearray(n)
    stack: list[int] = []
    counter = 0
    start, to = g.start, g.to
    for root in range(n):
        if not member[root] or index[root] >= 0:
            continue
        work = [(root, start[root])]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = 1
        while work:
            v, k = work[-1]
            end = start[v + 1]
            while k < end:
                w = to[k]
                k += 1
                if w < 0 or not member[w]:
                    continue
                if index[w] < 0:
                    work[-1] = (v, k)
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack[w] = 1
                    work.append((w, start[w]))
                    break
                if on_stack[w] and index[w] < low[v]:
                    low[v] = index[w]
            else:
                work.pop()
                if work:
                    u = work[-1][0]
                    if low[v] < low[u]:
                        low[u] = low[v]
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on_stack[w] = 0
                        comp.append(w)
                        if w == v:
                            break
                    yield comp


def fair_components(g: Graph, member: bytearray, weak: int, strong: int,
                    need_bad: bytes | None = None):
    """The components (inside `member`) that contain a fair cycle; with `need_bad`,
    a fair cycle through a state where need_bad is set."""
    work = [bytearray(member)]
    # One mark array for every component, cleared after each (a fresh one per
    # component made the pass quadratic: most components are single states).
    inside = bytearray(g.n)
    while work:
        region = work.pop()
        for comp in components(g, region):
            for i in comp:
                inside[i] = 1
            taken = _taken(g, comp, inside)
            for i in comp:
                inside[i] = 0
            all_enabled = -1
            any_enabled = 0
            for i in comp:
                all_enabled &= g.enabled[i]
                any_enabled |= g.enabled[i]
            if weak & all_enabled & ~taken:
                continue              # a weakly fair unit is always enabled, never taken
            bad_strong = strong & any_enabled & ~taken
            if bad_strong:
                # Drop the states where such a unit is enabled, and look again.
                keep = bytearray(g.n)
                for i in comp:
                    if not g.enabled[i] & bad_strong:
                        keep[i] = 1
                if any(keep):
                    work.append(keep)
                continue
            if need_bad is not None and not any(need_bad[i] for i in comp):
                continue
            yield comp


def _taken(g: Graph, comp: list[int], inside: bytearray) -> int:
    taken = 0
    sets, unit, to = g.sets, g.unit, g.to
    for i in comp:
        for k in range(g.start[i], g.start[i + 1]):
            if unit[k] and to[k] >= 0 and inside[to[k]]:
                taken |= sets[unit[k]]
    return taken


# ---- the loop ----------------------------------------------------------------------------

PRODUCT_LIMIT = 1 << 18     # (state, requirements met) pairs searched exactly, per component


def fair_loop(g: Graph, comp: list[int], weak: int, strong: int, need_bad: bytes | None,
              dist) -> tuple[int, list[int]]:
    """(first state, edges) of a shortest fair loop of the component; [] edges mean
    stuttering in that state.  Among loops of the same length, the one whose first
    state has the shortest path (`dist`) wins, then the lowest state index."""
    fair = weak | strong
    by_dist = sorted(comp, key=lambda i: (dist[i], i))
    for i in by_dist:
        if not g.enabled[i] & fair and (need_bad is None or need_bad[i]):
            return i, []          # no fair unit enabled here: stuttering is fair
    inside = bytearray(g.n)
    for i in comp:
        inside[i] = 1
    goals = _goals(g, comp, inside, weak, strong, need_bad)
    full = (1 << len(goals)) - 1
    state_goals = {i: sum(1 << b for b, (kind, x) in enumerate(goals)
                          if (kind == "off" and not g.enabled[i] & x) or
                          (kind == "state" and x[i])) for i in comp}
    unit_goals = [(b, x) for b, (kind, x) in enumerate(goals) if kind in ("unit", "off")]
    edge_goals = {}
    for i in comp:
        for k in range(g.start[i], g.start[i + 1]):
            j = g.to[k]
            if j >= 0 and j != i and inside[j]:
                taken = g.sets[g.unit[k]]
                edge_goals[k] = state_goals[j] | sum(1 << b for b, u in unit_goals
                                                     if taken & u)
    size = len(comp) << len(goals)
    if size > PRODUCT_LIMIT:
        start = by_dist[0]
        return start, _greedy_loop(g, start, full, state_goals, edge_goals)
    best = None
    budget = PRODUCT_LIMIT * 8
    for i in by_dist:
        if best is not None and budget < size:
            break
        budget -= size
        loop = _shortest_loop(g, i, full, state_goals, edge_goals,
                              len(best[1]) if best is not None else None)
        if loop is not None and (best is None or len(loop) < len(best[1])):
            best = (i, loop)
    return best


def _goals(g: Graph, comp: list[int], inside: bytearray, weak: int, strong: int,
           need_bad: bytes | None) -> list[tuple]:
    """What a fair loop of the component must do: ("off", u) take u or visit a state
    where it is disabled (weak u), ("unit", u) take u (strong u enabled in the
    component), ("state", bytes) visit a marked state."""
    any_enabled = 0
    for i in comp:
        any_enabled |= g.enabled[i]
    goals: list[tuple] = []
    u = 0
    while (weak | strong) >> u:
        bit = 1 << u
        if bit & weak & any_enabled:
            goals.append(("off", bit))
        elif bit & strong & any_enabled:
            goals.append(("unit", bit))
        u += 1
    if need_bad is not None:
        goals.append(("state", need_bad))
    return goals


def _shortest_loop(g: Graph, start: int, full: int, state_goals: dict, edge_goals: dict,
                   shorter_than: int | None) -> list[int] | None:
    """The edges of a shortest closed walk start -> start (at least one step) meeting
    every goal: breadth-first over (state, goals met); None if none is shorter than
    `shorter_than`."""
    first = (start, state_goals[start])
    prev: dict[tuple, tuple] = {}
    frontier = [first]
    length = 0
    while frontier and (shorter_than is None or length + 1 < shorter_than):
        length += 1
        nxt = []
        for node in frontier:
            i, met = node
            for k in range(g.start[i], g.start[i + 1]):
                gk = edge_goals.get(k)
                if gk is None:
                    continue
                child = (g.to[k], met | gk)
                if child in prev or child == first:
                    continue
                prev[child] = (node, k)
                if child == (start, full):
                    edges = []
                    while child != first:
                        child, k = prev[child]
                        edges.append(k)
                    edges.reverse()
                    return edges
                nxt.append(child)
        frontier = nxt
    return None


def _greedy_loop(g: Graph, start: int, full: int, state_goals: dict,
                 edge_goals: dict) -> list[int]:
    """A closed walk from start meeting every goal: repeatedly a shortest path to a
    step that meets a goal not met yet, then back to start."""
    walk: list[int] = []
    here, met = start, state_goals[start]
    while met != full:
        edges = _bfs(g, here, edge_goals, lambda k: edge_goals[k] & ~met)
        walk.extend(edges)
        for k in edges:
            met |= edge_goals[k]
        here = g.to[walk[-1]]
    if here != start or not walk:
        walk.extend(_bfs(g, here, edge_goals, lambda k: g.to[k] == start))
    return walk


def _bfs(g: Graph, src: int, edge_goals: dict, goal) -> list[int]:
    """The edges of a shortest path from src inside the component whose last edge k
    satisfies goal(k)."""
    prev = {src: (-1, -1)}
    queue = deque([src])
    while queue:
        i = queue.popleft()
        for k in range(g.start[i], g.start[i + 1]):
            if k not in edge_goals:
                continue
            j = g.to[k]
            if goal(k):
                edges = [k]
                while i != src:
                    i, k = prev[i]
                    edges.append(k)
                edges.reverse()
                return edges
            if j not in prev:
                prev[j] = (i, k)
                queue.append(j)
    raise AssertionError("internal error: a strongly connected component is not connected")
