"""The causal graph of a set of spans: happens-before, concurrency, root causes.

The graph (a networkx DiGraph over `(trace_id, span_id)`) has an edge
parent -> child for every span whose parent is in the file ("parent"), and
link target -> span for every link whose target is in the file
("follows_from" within a trace, "cross_trace" between traces), as in
Dapper's model and the OpenTelemetry span-link semantics.

Happens-before between two spans comes from their vector clocks when both
carry one (attributes `vc.<node>` or the `vector_clock` kvlist): a -> b when
VC(a) < VC(b).  Otherwise it is reachability in the graph.  Spans neither
before nor after each other are concurrent.  Parent edges must be acyclic (a
cycle is an error); a link that closes a cycle is left out of happens-before
and reported.

Root causes.  A span is two events, its start and its end; the status of a
span is decided at its end.  The event graph orders start before end, a
parent before its child (the parent's end when the child started after it,
as with a message handled later; its start otherwise), a nested child's end
before its parent's end (a synchronous call returns), and a link target
before the linking span.  For an ERROR span E, the candidates are the
anomalous spans (errors and the patterns of `anomalies`) whose end can reach
E's end and which no other such anomalous span precedes: the earliest
anomalies in E's causal past, E itself when nothing before it is anomalous.
This is not a walk to the graph's roots: a root is a candidate only if it is
itself anomalous.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import networkx as nx

from .clocks import compare
from .importer import Span

Key = tuple[str, str]


class CausalError(Exception):
    """A trace whose structure rules out causal analysis (cyclic parents)."""


@dataclass
class CausalGraph:
    graph: nx.DiGraph
    spans: dict[Key, Span]
    dangling_links: list[tuple[Key, Key]] = field(default_factory=list)
    cyclic_links: list[tuple[Key, Key]] = field(default_factory=list)

    def edges(self) -> list[tuple[Key, Key, str]]:
        return sorted((a, b, d["relation"]) for a, b, d in self.graph.edges(data=True))


def build(spans: list[Span]) -> CausalGraph:
    g = nx.DiGraph()
    by_key = {s.key: s for s in spans}
    for s in spans:
        g.add_node(s.key)
    for s in spans:
        if s.parent_id is not None and (s.trace_id, s.parent_id) in by_key:
            g.add_edge((s.trace_id, s.parent_id), s.key, relation="parent")
    try:
        cycle = nx.find_cycle(g)
    except nx.NetworkXNoCycle:
        cycle = None
    if cycle:
        names = " -> ".join(a[1] for a, _ in cycle) + f" -> {cycle[0][0][1]}"
        raise CausalError(f"cyclic parents in trace {cycle[0][0][0]}: {names}")
    cg = CausalGraph(g, by_key)
    for s in spans:
        for link in s.links:
            target = (link.trace_id, link.span_id)
            if target not in by_key:
                cg.dangling_links.append((target, s.key))
            elif not g.has_edge(target, s.key) and target != s.key:
                relation = "follows_from" if link.trace_id == s.trace_id else "cross_trace"
                g.add_edge(target, s.key, relation=relation)
            elif target == s.key:
                cg.cyclic_links.append((target, s.key))
    if not nx.is_directed_acyclic_graph(g):
        for component in nx.strongly_connected_components(g):
            if len(component) > 1:
                for a, b in sorted(g.subgraph(component).edges()):
                    if g.edges[a, b]["relation"] != "parent":
                        cg.cyclic_links.append((a, b))
    return cg


def lamport_clock(span: Span) -> int | None:
    """The span's `lamport.clock` (or `clock.lamport`) attribute, if it is a count."""
    for key in ("lamport.clock", "clock.lamport"):
        value = span.attributes.get(key)
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
    return None


def vector_clock(span: Span) -> dict[str, int] | None:
    """The span's vector clock: the `vector_clock` (or `clock.vector`) kvlist, else the
    `vc.<node>` attributes.  None when absent or not made of counts."""
    kv = span.attributes.get("vector_clock", span.attributes.get("clock.vector"))
    entries = kv.items() if isinstance(kv, dict) else \
        [(k[3:], v) for k, v in span.attributes.items() if k.startswith("vc.")]
    out = {}
    for node, value in entries:
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            return None
        out[node] = value
    return out or None


class HappensBefore:
    """The happens-before order of the spans of a causal graph."""

    def __init__(self, cg: CausalGraph):
        self.cg = cg
        hb = cg.graph.copy()
        hb.remove_edges_from(cg.cyclic_links)
        self.index = {k: i for i, k in enumerate(sorted(hb.nodes))}
        self.ancestors: dict[Key, int] = {}          # bit set of the spans before each span
        for k in nx.lexicographical_topological_sort(hb):
            bits = 0
            for p in hb.predecessors(k):
                bits |= self.ancestors[p] | (1 << self.index[p])
            self.ancestors[k] = bits
        self.clocks = {k: vc for k, s in cg.spans.items() if (vc := vector_clock(s))}

    def relation(self, a: Key, b: Key) -> tuple[str, str]:
        """("before" | "after" | "concurrent" | "equal", "vector clock" | "graph")."""
        if a == b:
            return "equal", "graph"
        va, vb = self.clocks.get(a), self.clocks.get(b)
        if va is not None and vb is not None:
            rel = compare(va, vb)
            if rel != "equal":
                return rel, "vector clock"
        if self.ancestors[b] >> self.index[a] & 1:
            return "before", "graph"
        if self.ancestors[a] >> self.index[b] & 1:
            return "after", "graph"
        return "concurrent", "graph"

    def concurrent_pairs(self, keys: list[Key]) -> list[tuple[Key, Key, str]]:
        """Every concurrent pair of spans of the same trace, in the order of `keys`."""
        out = []
        for i, a in enumerate(keys):
            for b in keys[i + 1:]:
                if a[0] == b[0]:
                    rel, source = self.relation(a, b)
                    if rel == "concurrent":
                        out.append((a, b, source))
        return out


START, END = 0, 1


def event_graph(cg: CausalGraph) -> nx.DiGraph:
    """Start and end events of every span, ordered as the module docstring says."""
    g = nx.DiGraph()
    spans = cg.spans
    for k in spans:
        g.add_edge((k, START), (k, END))
    for a, b, data in cg.graph.edges(data=True):
        if (a, b) in cg.cyclic_links:
            continue
        p, c = spans[a], spans[b]
        after = p.end <= c.start
        g.add_edge((a, END if after else START), (b, START))
        if data["relation"] == "parent" and not after and c.end <= p.end:
            g.add_edge((b, END), (a, END))
    return g


def _past(g: nx.DiGraph, event) -> set:
    seen, todo = {event}, deque([event])
    while todo:
        for p in g.predecessors(todo.popleft()):
            if p not in seen:
                seen.add(p)
                todo.append(p)
    return seen


def causal_past(cg: CausalGraph, span: Key, g: nx.DiGraph | None = None) -> list[Key]:
    """The spans that ended before `span` ended and could have influenced it, by start."""
    g = g if g is not None else event_graph(cg)
    past = _past(g, (span, END))
    return sorted((k for k, e in past if e == END and k != span),
                  key=lambda k: (cg.spans[k].start, k))


def root_causes(cg: CausalGraph, error: Key, anomalous: dict[Key, int],
                g: nx.DiGraph | None = None) -> list[tuple[Key, list[Key]]]:
    """Candidates for an ERROR span, each with a causal path to the error.

    `anomalous` maps each anomalous span to a rank (0 most severe); candidates
    come most severe first, then earliest first.
    """
    g = g if g is not None else event_graph(cg)
    past = _past(g, (error, END))
    suspects = [k for k in anomalous if (k, END) in past]
    candidates = []
    for k in suspects:
        before = _past(g, (k, END))
        if not any(o != k and (o, END) in before for o in suspects):
            candidates.append(k)
    if not candidates:                    # anomalies that precede each other (a cycle)
        candidates = [min(suspects, key=lambda k: (cg.spans[k].start, k))]
    candidates.sort(key=lambda k: (anomalous[k], cg.spans[k].start, k))
    out = []
    for k in candidates:
        path = nx.shortest_path(g, (k, END), (error, END)) if k != error else [(error, END)]
        keys: list[Key] = []
        for node, _ in path:
            if not keys or keys[-1] != node:
                keys.append(node)
        out.append((k, keys))
    return out
