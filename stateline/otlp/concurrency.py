"""Counting and listing the concurrent span pairs of a trace in bounded memory.

Two spans of one trace are concurrent when happens-before orders them neither
way (`causal.HappensBefore.relation` decides one pair): by their vector clocks
when both carry one and the clocks differ, by reachability in the causal
graph otherwise.  A trace of n spans has up to n(n-1)/2 concurrent pairs, so
they are never materialised: `concurrency` counts them all and lists the
first `max_pairs` (in the order of the spans, pair (i, j) with i < j).

The work is done with bit sets over a block of at most `block_bits(...)`
spans of the trace at a time (the "columns"): for every span, the spans of
the block among its graph ancestors and descendants, and among the vector
clocks below and above its own.  Memory is bounded by `BUDGET_BITS` whatever
the trace (a 100,000-span trace needs about 40 blocks); time grows with
n^2 / 64 machine words for the spans of one trace, and is linear in the
number of traces.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

import networkx as nx

from .causal import CausalGraph, Key, vector_clock

BUDGET_BITS = 1 << 28          # bits of the per-span bit sets of one block (32 MB each kind)
MIN_BLOCK = 64


@dataclass
class Concurrency:
    count: int = 0
    by_vector_clock: int = 0
    pairs: list[tuple[Key, Key, str]] = field(default_factory=list)   # at most max_pairs


def block_bits(nodes: int, dims: int, size: int) -> int:
    """Spans per block: the ancestor/descendant sets of `nodes` spans and the
    prefix sets of `dims` clock entries, each `block` bits, fit the budget."""
    by_graph = BUDGET_BITS // max(nodes, 1)
    by_clocks = int((BUDGET_BITS // max(dims, 1)) ** 0.5)
    return max(MIN_BLOCK, min(size, by_graph, by_clocks))


def concurrency(cg: CausalGraph, keys: list[Key], max_pairs: int) -> Concurrency:
    """Every concurrent pair of spans of one trace counted; the first `max_pairs` listed.

    `keys` is every span, grouped by trace (as `analysis.analyze` orders them)."""
    hb = _Dag(cg)
    topo = hb.order()
    out = Concurrency()
    traces: dict[str, list[Key]] = {}
    for k in keys:
        traces.setdefault(k[0], []).append(k)
    for members in traces.values():
        found = _trace(cg, hb, topo, members, max_pairs - len(out.pairs), out)
        out.pairs.extend(found)
    return out


class _Dag:
    """The causal graph without the links that close a cycle, as plain adjacency lists."""

    def __init__(self, cg: CausalGraph):
        cyclic = set(cg.cyclic_links)
        self.succ: dict[Key, list[Key]] = {k: [] for k in cg.spans}
        self.pred: dict[Key, list[Key]] = {k: [] for k in cg.spans}
        for a, b in cg.graph.edges():
            if (a, b) not in cyclic:
                self.succ[a].append(b)
                self.pred[b].append(a)

    def successors(self, k: Key) -> list[Key]:
        return self.succ[k]

    def predecessors(self, k: Key) -> list[Key]:
        return self.pred[k]

    def order(self) -> dict[Key, int]:
        """A topological order (Kahn), as each span's rank."""
        waiting = {k: len(p) for k, p in self.pred.items()}
        ready = [k for k, n in waiting.items() if n == 0]
        for k in ready:                      # the list grows as it is read
            for s in self.succ[k]:
                waiting[s] -= 1
                if waiting[s] == 0:
                    ready.append(s)
        return {k: i for i, k in enumerate(ready)}


def _between(hb: _Dag, members: list[Key]) -> list[Key]:
    """The spans on some path from a member to a member (the members included)."""
    def closure(step) -> set:
        seen = set(members)
        todo = list(members)
        while todo:
            for n in step(todo.pop()):
                if n not in seen:
                    seen.add(n)
                    todo.append(n)
        return seen
    return list(closure(hb.successors) & closure(hb.predecessors))


def _trace(cg, hb, topo, members: list[Key], room: int, out: Concurrency) -> list:
    m = len(members)
    nodes = sorted(_between(hb, members), key=topo.__getitem__)
    number = {k: n for n, k in enumerate(nodes)}
    preds = [[number[p] for p in hb.predecessors(k) if p in number] for k in nodes]
    node_of = [number[k] for k in members]           # position in the trace -> node
    clocks = {i: vc for i, k in enumerate(members) if (vc := vector_clock(cg.spans[k]))}
    dims = sorted({d for vc in clocks.values() for d in vc})
    vectors = {i: tuple(vc.get(d, 0) for d in dims) for i, vc in clocks.items()}
    if not clocks and all(len(p) <= 1 for p in preds):
        found = _forest(node_of, preds, room, out)
        return [(members[i], members[j], "graph") for i, j in found]
    size = block_bits(len(nodes), len(dims), m)
    best: list[tuple[int, int, str]] = []      # the smallest (i, j) found so far
    for j0 in range(0, m, size):
        j1 = min(m, j0 + size)
        found = _block(node_of, preds, vectors, len(dims), j0, j1, room, out)
        best = heapq.nsmallest(room, best + found) if room > 0 else []
    return [(members[i], members[j], src) for i, j, src in best]


def _block(node_of, preds, vectors, dims, j0, j1, room, out) -> list:
    """The pairs (i, j) with j in [j0, j1): counted into `out`, the first `room` returned."""
    width = j1 - j0
    full = (1 << width) - 1
    count = len(preds)
    bit = [0] * count
    for p in range(j0, j1):
        bit[node_of[p]] = 1 << (p - j0)
    anc = [0] * count
    for n in range(count):
        if preds[n]:
            bits = 0
            for p in preds[n]:
                bits |= anc[p] | bit[p]
            anc[n] = bits
    desc = [0] * count
    for n in range(count - 1, -1, -1):
        here = desc[n] | bit[n]
        if here:
            for p in preds[n]:
                desc[p] |= here
    below, above, clocked = _clock_sets(vectors, dims, j0, j1)
    found: list[tuple[int, int, str]] = []
    for i in range(j1 - 1):
        after = full if i < j0 else full >> (i + 1 - j0) << (i + 1 - j0)
        vc = vectors.get(i)
        a = node_of[i]
        if vc is None:
            by_clock = 0
            by_graph = after & ~(anc[a] | desc[a])
        else:
            le, ge = below(vc), above(vc)
            decided = clocked & ~(le & ge)      # both clocked, the clocks differ
            by_clock = decided & ~(le | ge) & after
            by_graph = after & ~decided & ~(anc[a] | desc[a])
        n_clock = by_clock.bit_count()
        out.count += n_clock + by_graph.bit_count()
        out.by_vector_clock += n_clock
        both = by_clock | by_graph
        while both and len(found) < room:
            low = both & -both
            found.append((i, j0 + low.bit_length() - 1,
                          "vector clock" if low & by_clock else "graph"))
            both ^= low
    return found


def _forest(node_of: list[int], preds: list[list[int]], room: int, out: Concurrency) -> list:
    """A trace without vector clocks whose spans have one parent (or link) at most: the
    usual RPC trace.  Ancestors form a path, so the pairs that are not concurrent are
    counted from the depths, and a span's later comparable spans from two Fenwick
    trees over an Euler tour; only rows with a concurrent pair are scanned for the
    listing.  O(n log n), plus O(max_pairs * n) for the listing at worst."""
    m, count = len(node_of), len(preds)
    position = [-1] * count
    for i, n in enumerate(node_of):
        position[n] = i
    above = [0] * count                     # ancestors in the trace
    children: list[list[int]] = [[] for _ in range(count)]
    for n in range(count):                  # topological order
        if preds[n]:
            p = preds[n][0]
            above[n] = above[p] + (position[p] >= 0)
            children[p].append(n)
    out.count += m * (m - 1) // 2 - sum(above[n] for n in node_of)
    tin, tout, clock = [0] * count, [0] * count, 0
    for root in range(count):
        if preds[root]:
            continue
        stack = [(root, False)]
        while stack:
            n, done = stack.pop()
            if done:
                tout[n] = clock
                continue
            tin[n] = clock
            clock += 1
            stack.append((n, True))
            stack.extend((c, False) for c in reversed(children[n]))
    below_later = _Fenwick(clock)           # later spans, at their tin
    above_later = _Fenwick(clock + 1)       # later spans, over their subtree's range
    rows = [0] * m
    for i in range(m - 1, -1, -1):
        a = node_of[i]
        rows[i] = (m - 1 - i) - below_later.total(tin[a], tout[a]) - above_later.upto(tin[a])
        below_later.add(tin[a], 1)
        above_later.add(tin[a] + 1, 1)      # x covers (tin[x], tout[x]): strict ancestors
        above_later.add(tout[a], -1)
    found = []
    for i in range(m):
        if len(found) >= room:
            break
        if not rows[i]:
            continue
        a, left = node_of[i], rows[i]
        for j in range(i + 1, m):
            b = node_of[j]
            if not (tin[a] <= tin[b] < tout[a] or tin[b] <= tin[a] < tout[b]):
                found.append((i, j))
                left -= 1
                if not left or len(found) >= room:
                    break
    return found


class _Fenwick:
    def __init__(self, size: int):
        self.tree = [0] * (size + 1)
        self.size = size + 1

    def add(self, at: int, delta: int) -> None:
        tree, size = self.tree, self.size
        at += 1
        while at < size:
            tree[at] += delta
            at += at & -at

    def upto(self, at: int) -> int:
        """The sum over [0, at]."""
        tree = self.tree
        at += 1
        total = 0
        while at > 0:
            total += tree[at]
            at -= at & -at
        return total

    def total(self, lo: int, hi: int) -> int:
        """The sum over [lo, hi)."""
        return self.upto(hi - 1) - self.upto(lo - 1)


def _clock_sets(vectors, dims: int, j0: int, j1: int):
    """below(vc) / above(vc): the block's clocked spans whose clock is <= / >= vc
    (entry by entry, a missing entry counting as 0); `clocked`: all of them."""
    block = [(p - j0, vectors[p]) for p in range(j0, j1) if p in vectors]
    clocked = 0
    for b, _ in block:
        clocked |= 1 << b
    columns = []
    for d in range(dims):
        ranked = sorted(block, key=lambda e: e[1][d])
        values = [v[d] for _, v in ranked]
        prefix, bits = [0], 0
        for b, _ in ranked:
            bits |= 1 << b
            prefix.append(bits)
        columns.append((values, prefix))

    def below(vc) -> int:
        bits = clocked
        for d, (values, prefix) in enumerate(columns):
            bits &= prefix[bisect_right(values, vc[d])]
        return bits

    def above(vc) -> int:
        bits = clocked
        for d, (values, prefix) in enumerate(columns):
            bits &= clocked & ~prefix[bisect_left(values, vc[d])]
        return bits

    return below, above, clocked
