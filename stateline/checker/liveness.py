"""Liveness under fairness on an explored state graph: fair strongly connected
components (Lichtenstein-Pnueli, as in TLC's liveness checking).

A behaviour violates a temporal property when it ends in a cycle that the
property forbids and that the fairness constraints allow:

* weak fairness of a unit u: the cycle takes u, or u is disabled in some state
  of the cycle;
* strong fairness of u: if u is enabled in some state of the cycle, the cycle
  takes u.

Every state may stutter (repeat itself without taking any unit), so a single
state is a cycle too; that is how a spec without fairness fails `eventually
P` by never doing anything, as in TLC.

For each property the search restricts the graph to the states a violating
behaviour may visit, computes strongly connected components iteratively
(Tarjan, no recursion), rejects components where a weakly fair unit is always
enabled but never taken, and, for strong fairness, removes the states where a
strongly fair unit is enabled but never taken inside the component and
recomputes.  The lasso returned has the shortest prefix to a fair component
and a cycle through it that meets every fairness requirement.
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
    (the fairness unit a step takes, or -1); `enabled[i]` is the bitmask of the
    units enabled in state i (steps into states outside a `constraint` count);
    `depth[i]` and `parent[i]` give a shortest path from an initial state.
    """

    n: int
    start: array
    to: array
    unit: array
    enabled: list[int]
    initial: list[int]
    depth: list[int] | array
    parent: array

    def edges(self, i: int):
        for k in range(self.start[i], self.start[i + 1]):
            yield self.to[k], self.unit[k]


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
    if via_parents:
        prefix = _parent_path(g, entry)
    else:
        prefix = _prefix(g, entry, pred, sources, form)
    cycle = fair_cycle(g, entry, comp, weak, strong, need_bad)
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
                if allowed[j] and dist[j] < 0:
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
    while work:
        region = work.pop()
        for comp in components(g, region):
            inside = bytearray(g.n)
            for i in comp:
                inside[i] = 1
            taken = _taken(g, comp, inside)
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
    for i in comp:
        for k in range(g.start[i], g.start[i + 1]):
            if g.unit[k] >= 0 and g.to[k] >= 0 and inside[g.to[k]]:
                taken |= 1 << g.unit[k]
    return taken


# ---- the cycle ---------------------------------------------------------------------------


def fair_cycle(g: Graph, entry: int, comp: list[int], weak: int, strong: int,
               need_bad: bytes | None) -> list[int]:
    """The edges of a closed walk from `entry` inside the fair component meeting
    every fairness requirement (and visiting a `need_bad` state); [] means
    stuttering at entry."""
    inside = bytearray(g.n)
    for i in comp:
        inside[i] = 1
    taken = _taken(g, comp, inside)
    any_enabled = 0
    for i in comp:
        any_enabled |= g.enabled[i]
    goals: list[tuple[str, int]] = []        # ("state", s) or ("unit", u)
    units = weak | strong
    u = 0
    while units >> u:
        bit = 1 << u
        if bit & weak & any_enabled:
            if bit & taken:
                goals.append(("unit", u))
            else:
                s = min(i for i in comp if not g.enabled[i] & bit)
                goals.append(("state", s))
        elif bit & strong & any_enabled:
            goals.append(("unit", u))
        u += 1
    if need_bad is not None and not need_bad[entry]:
        goals.append(("state", min(i for i in comp if need_bad[i])))
    walk: list[int] = []
    here = entry
    for kind, x in goals:
        if kind == "state":
            edges = _path_inside(g, inside, here, lambda j, x=x: j == x)
        else:
            edges = _path_to_edge(g, inside, here, x)
        walk.extend(edges)
        if edges:
            here = g.to[edges[-1]]
    if not walk:
        # Every goal is met at the entry itself, so no fair unit is enabled there
        # (an enabled one would have needed a step): stuttering there is fair.
        return []
    if here != entry:
        walk.extend(_path_inside(g, inside, here, lambda j: j == entry))
    return walk


def _path_inside(g: Graph, inside: bytearray, src: int, goal) -> list[int]:
    """The edges of a shortest path src -> a state satisfying `goal`, inside the
    component ([] if src satisfies it)."""
    if goal(src):
        return []
    prev = {src: (-1, -1)}
    queue = deque([src])
    while queue:
        i = queue.popleft()
        for k in range(g.start[i], g.start[i + 1]):
            j = g.to[k]
            if j < 0 or not inside[j] or j in prev:
                continue
            prev[j] = (i, k)
            if goal(j):
                edges = []
                while j != src:
                    j, k = prev[j]
                    edges.append(k)
                edges.reverse()
                return edges
            queue.append(j)
    raise AssertionError("internal error: a strongly connected component is not connected")


def _path_to_edge(g: Graph, inside: bytearray, src: int, unit: int) -> list[int]:
    """The edges of a shortest path from src ending with a step of `unit`, inside
    the component."""
    def edge_of(i):
        for k in range(g.start[i], g.start[i + 1]):
            if g.unit[k] == unit and g.to[k] >= 0 and inside[g.to[k]]:
                return k
        return -1
    edges = _path_inside(g, inside, src, lambda i: edge_of(i) >= 0)
    last = g.to[edges[-1]] if edges else src
    return edges + [edge_of(last)]
