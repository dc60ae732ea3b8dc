"""The causal order of a trace's events, and its chains.

Happens-before between spans (Lamport 1978), from what the trace records:

* a parent span happens before its children (a message's receiver is a child
  of its sender, through W3C trace-context propagation);
* a link's target happens before the linking span (Stateline and
  `stateline.instrument` link each step to the previous step of its node);
* vector clocks (`vc.<service>` or the `vector_clock` kvlist): a span happens
  after the span of each other service whose count it has seen;
* the events of one node are in program order, by the node's own clock: its
  vector-clock entry, else `lamport.clock`, else -- the tie-break, which
  `timestamps=False` turns off -- the start time (one process, one clock).

A clock attribute of any span that is not a count (`lamport.clock` "abc", a
vector-clock entry -1) is an EventError naming the file, the span and the
attribute: a clock passed over would let the start times decide instead.

Unmapped spans take part (a step can follow another through them) but are
not events.  Events that happen-before orders neither way are concurrent, and
the search tries their interleavings.  Timestamps also decide which
interleaving it tries first (the file order without them); that never changes
a verdict.

The search needs the order in a compact form.  The events are covered by
chains (each totally ordered; greedily, preferring one chain per node), so a
set of consumed events closed under happens-before -- a consistent cut -- is
one count per chain (a node whose events are in program order is one chain); an event is the next of its chain and `requires` says
how many events of each other chain must be consumed before it.
"""

from __future__ import annotations

import bisect
import heapq
from collections import defaultdict

from ..otlp.causal import ClockError, lamport_clock, vector_clock
from .events import EventError, TraceInput, span_where


def order(trace: TraceInput, timestamps: bool = True) -> list[list]:
    """Set rank, chain, position and requires on every event; return the chains."""
    spans = trace.spans
    n = len(spans)
    index = {s.key: i for i, s in enumerate(spans)}
    event_at = {index[e.span.key]: e for e in trace.events}
    vcs, lamports = _clocks(trace)
    succ: list[list[int]] = [[] for _ in range(n)]

    def edge(a: int, b: int) -> None:
        if a != b:
            succ[a].append(b)

    for i, s in enumerate(spans):
        if s.parent_id is not None:
            p = index.get((s.trace_id, s.parent_id))
            if p is not None:
                edge(p, i)
        for link in s.links:
            t = index.get((link.trace_id, link.span_id))
            if t is not None:
                edge(t, i)
    _vector_edges(trace, vcs, edge)
    # Program order of each node, as a chain of tie groups; a barrier (a node of the
    # graph that is no span) stands between two groups when either has several events.
    by_node: dict = defaultdict(list)
    for e in trace.events:
        by_node[e.node].append(e)
    for node in sorted(by_node, key=lambda x: -1 if x is None else x):
        keyed = _program_order(by_node[node], timestamps,
                               [(vcs[i], lamports[i]) for i in
                                (index[e.span.key] for e in by_node[node])])
        if keyed is None:
            continue
        groups: list[list[int]] = []
        last = object()
        for key, e in keyed:
            if key != last:
                groups.append([])
                last = key
            groups[-1].append(index[e.span.key])
        for a, b in zip(groups, groups[1:]):
            if len(a) == 1 or len(b) == 1:
                for x in a:
                    for y in b:
                        edge(x, y)
            else:
                barrier = len(succ)
                succ.append([])
                for x in a:
                    edge(x, barrier)
                for y in b:
                    edge(barrier, y)
    total = len(succ)
    indegree = [0] * total
    for out in succ:
        for b in out:
            indegree[b] += 1

    def priority(i: int) -> tuple:
        if i >= n:
            return (0, 0, i)
        s = spans[i]
        return (s.start, s.end, i) if timestamps else (0, 0, i)

    heap = [priority(i) for i in range(total) if indegree[i] == 0]
    heapq.heapify(heap)
    topo = []
    while heap:
        i = heapq.heappop(heap)[2]
        topo.append(i)
        for b in succ[i]:
            indegree[b] -= 1
            if indegree[b] == 0:
                heapq.heappush(heap, priority(b))
    if len(topo) != total:
        stuck = [spans[i] for i in range(n) if indegree[i] > 0][:2]
        raise EventError(f"{span_where(trace.files[stuck[0].key], stuck[0])}: the causal order "
                         f"has a cycle (through span {stuck[-1].span_id} '{stuck[-1].name}'): "
                         "parents, links, clocks" + (" and start times" if timestamps else "") +
                         " disagree" + ("; try --no-timestamps" if timestamps else ""))
    preds: list[list[int]] = [[] for _ in range(total)]
    for a, out in enumerate(succ):
        for b in out:
            preds[b].append(a)
    chains: list[list] = []
    chain_node: list = []
    need: dict[int, dict[int, int]] = {}        # graph node -> {chain: events required}
    rank = 0
    for i in topo:
        req: dict[int, int] = {}
        for p in preds[i]:
            for c, k in need[p].items():
                if req.get(c, 0) < k:
                    req[c] = k
            pe = event_at.get(p)
            if pe is not None and req.get(pe.chain, 0) < pe.position + 1:
                req[pe.chain] = pe.position + 1
        need[i] = req
        e = event_at.get(i)
        if e is None:
            continue
        e.rank = rank
        rank += 1
        # A chain whose every event happens before e can take it: one of its own node's
        # first; a node's first event starts a chain of its own, so that a node whose
        # events are in program order has exactly one chain.
        fits = [c for c in range(len(chains)) if req.get(c, 0) == len(chains[c])]
        mine = [c for c in fits if chain_node[c] == e.node]
        if not mine and e.node in chain_node:
            mine = fits
        if mine:
            c = mine[0]
        else:
            c = len(chains)
            chains.append([])
            chain_node.append(e.node)
        e.chain, e.position = c, len(chains[c])
        chains[c].append(e)
        e.requires = tuple(sorted((cc, k) for cc, k in req.items() if cc != c and k > 0))
    return chains


def _clocks(trace: TraceInput) -> tuple[list, list]:
    """Each span's vector clock and Lamport clock (None: it has none).  A clock attribute
    that is not a count is an EventError naming the file, the span and the attribute."""
    vcs, lamports = [], []
    for s in trace.spans:
        try:
            vcs.append(vector_clock(s))
            lamports.append(lamport_clock(s))
        except ClockError as exc:
            raise EventError(f"{span_where(trace.files[s.key], s)}: {exc.detail}") from None
    return vcs, lamports


def _program_order(events: list, timestamps: bool, clocks: list):
    """[(key, event)] sorted by the node's own clock, or None when it has none; `clocks`
    are the events' (vector clock, Lamport clock)."""
    own = []
    for e, (vc, _) in zip(events, clocks):
        mine = None
        if vc is not None:
            for name in (e.span.service, e.span.attributes.get("stateline.node")):
                if isinstance(name, str) and name in vc:
                    mine = vc[name]
                    break
        own.append(mine)
    if all(x is not None for x in own):
        keys = own
    else:
        lamports = [lamport for _, lamport in clocks]
        if all(x is not None for x in lamports):
            keys = lamports
        elif timestamps:
            keys = [(e.span.start, e.span.end) for e in events]
        else:
            return None
    return sorted(zip(keys, events), key=lambda ke: (ke[0], ke[1].index))


def _vector_edges(trace: TraceInput, vcs: list, edge) -> None:
    """Edges from vector clocks: a span whose clock has count c for service n happens
    after the last span of n with own count <= c (the rest follows by transitivity;
    "the last" rather than "the one with count c", so that a span missing from the
    files leaves the order of the others intact)."""
    clocks = []
    counts: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for i, s in enumerate(trace.spans):
        vc = vcs[i]
        if vc is None or s.service not in vc:
            continue
        clocks.append((i, s.service, vc))
        counts[s.service].append((vc[s.service], i))
    for service in counts:
        counts[service].sort()
    for i, service, vc in clocks:
        for name, count in vc.items():
            own = counts.get(name)
            if not own or count <= 0:
                continue
            if name == service:
                count -= 1
            k = bisect.bisect_right(own, (count, len(vcs))) - 1
            if k >= 0 and own[k][1] != i:
                edge(own[k][1], i)
