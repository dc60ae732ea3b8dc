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

Root causes are found by `rootcause`; the concurrent pairs are counted by
`concurrency` without listing them all.
"""

from __future__ import annotations

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
    if not nx.is_directed_acyclic_graph(g):     # linear; find_cycle is slow on long chains
        cycle = nx.find_cycle(g)
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
    """The happens-before order of the spans of a causal graph, one pair at a time
    (reachability is searched per query: `concurrency` handles whole traces)."""

    def __init__(self, cg: CausalGraph):
        self.cg = cg
        self.graph = cg.graph.copy()
        self.graph.remove_edges_from(cg.cyclic_links)
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
        if nx.has_path(self.graph, a, b):
            return "before", "graph"
        if nx.has_path(self.graph, b, a):
            return "after", "graph"
        return "concurrent", "graph"
