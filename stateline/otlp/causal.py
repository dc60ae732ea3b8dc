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
and reported.  A clock attribute (`lamport.clock`, a vector clock's entry)
that is not a count is an error too (`ClockError`, naming the span and the
attribute), never passed over: a clock quietly dropped would change the order.

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
    """A trace whose structure rules out causal analysis (cyclic parents, a malformed
    clock)."""


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


class ClockError(CausalError):
    """A clock attribute that is not a count: the message names the span and the attribute
    (`span` and `detail` let a caller that knows the span's file name it too)."""

    def __init__(self, span: Span, detail: str):
        super().__init__(f"span {span.span_id} '{span.name}' (service {span.service}): {detail}")
        self.span, self.detail = span, detail


def describe(value) -> str:
    """An attribute value by its OTLP kind, for an error message."""
    if isinstance(value, bool):
        return f"the boolean {'true' if value else 'false'}"
    if isinstance(value, int):
        return f"the integer {value}" if abs(value) < 10 ** 30 else "a huge integer"
    if isinstance(value, float):
        return f"the double {value!r}"
    if isinstance(value, str):
        return f"the string {value[:40]!r}" + ("..." if len(value) > 40 else "")
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a kvlist"
    if isinstance(value, bytes):
        return f"{len(value)} bytes"
    return "an empty value"


MAX_DIGITS = 30      # a count written as text: more digits than any clock can reach


def _count(span: Span, key: str, value) -> int:
    """A clock's count: a non-negative integer, or its decimal digits as a string."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and \
            len(value) <= MAX_DIGITS:
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise ClockError(span, f"{key}: expected a count (a non-negative integer), got "
                           f"{describe(value)}")


def lamport_clock(span: Span) -> int | None:
    """The span's `lamport.clock` (or `clock.lamport`) attribute; None when it has neither.
    A value that is not a count is a ClockError, never passed over."""
    found = None
    for key in ("lamport.clock", "clock.lamport"):
        if key in span.attributes:
            value = _count(span, key, span.attributes[key])
            found = value if found is None else found
    return found


def vector_clock(span: Span) -> dict[str, int] | None:
    """The span's vector clock: the `vector_clock` (or `clock.vector`) kvlist, else the
    `vc.<node>` attributes; None when it has none.  Every entry of each must be a count
    (a ClockError otherwise), as must the kvlist be a kvlist."""
    attrs = span.attributes
    kvlist = None
    for key in ("vector_clock", "clock.vector"):
        if key in attrs:
            kv = attrs[key]
            if not isinstance(kv, dict):
                raise ClockError(span, f"{key}: expected a kvlist of counts (service -> "
                                       f"count), got {describe(kv)}")
            counts = {node: _count(span, f"{key}: {node}", v) for node, v in kv.items()}
            kvlist = counts if kvlist is None else kvlist
    vc = {k[3:]: _count(span, k, v) for k, v in attrs.items() if k.startswith("vc.")}
    return (kvlist if kvlist is not None else vc) or None


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
