"""Root-cause candidates of ERROR spans, in time linear in the size of the trace.

A span is two events, its start and its end; the status of a span is decided
at its end.  The event graph orders start before end, a parent before its
child (the parent's end when the child started after it, as with a message
handled later; its start otherwise), a nested child's end before its
parent's end (a synchronous call returns), and a link target before the
linking span.  For an ERROR span E, the candidates are the anomalous spans
(errors and the patterns of `anomalies`) whose end can reach E's end and
which no other anomalous span precedes: the earliest anomalies in E's causal
past, E itself when nothing before it is anomalous.  This is not a walk to
the graph's roots: a root is a candidate only if it is itself anomalous.

Whether another anomaly precedes an anomalous span does not depend on the
error, so it is decided once for all spans, on the strongly connected
components of the event graph (zero-length spans can close a cycle).  Each
error then costs one backward search of its causal past, whose search tree
gives every candidate a shortest causal path to the error.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from .causal import CausalGraph, Key

START, END = 0, 1


@dataclass(frozen=True)
class RootCauses:
    candidates: list[tuple[Key, list[Key]]]   # each with a causal path to the error
    candidate_count: int
    causal_past: list[Key]                    # by start, the error itself left out
    causal_past_count: int


class EventGraph:
    """Start and end events of every span (event 2i is span i's start, 2i+1 its end),
    as predecessor lists, and which anomalous spans no other anomaly precedes."""

    def __init__(self, cg: CausalGraph, anomalous: dict[Key, int]):
        self.cg = cg
        self.keys = list(cg.spans)
        self.index = {k: i for i, k in enumerate(self.keys)}
        self.anomalous = anomalous
        preds: list[list[int]] = [[] for _ in range(2 * len(self.keys))]
        for i in range(len(self.keys)):
            preds[2 * i + END].append(2 * i + START)
        cyclic = set(cg.cyclic_links)
        for a, b, data in cg.graph.edges(data=True):
            if (a, b) in cyclic:
                continue
            p, c = cg.spans[a], cg.spans[b]
            ia, ib = self.index[a], self.index[b]
            after = p.end <= c.start
            preds[2 * ib + START].append(2 * ia + (END if after else START))
            if data["relation"] == "parent" and not after and c.end <= p.end:
                preds[2 * ia + END].append(2 * ib + END)
        self.preds = preds
        self.first = self._first_anomalies()

    def _first_anomalies(self) -> set[Key]:
        """The anomalous spans whose end no other anomalous span's end precedes."""
        component = components(self.preds)
        count = max(component, default=-1) + 1
        anomalies_in = [0] * count
        for k in self.anomalous:
            anomalies_in[component[2 * self.index[k] + END]] += 1
        preceded = [False] * count
        members: list[list[int]] = [[] for _ in range(count)]
        for event, c in enumerate(component):
            members[c].append(event)
        for c in range(count):            # predecessors first (see components)
            for event in members[c]:
                for p in self.preds[event]:
                    pc = component[p]
                    if pc != c and (preceded[pc] or anomalies_in[pc]):
                        preceded[c] = True
        return {k for k in self.anomalous
                if not preceded[c := component[2 * self.index[k] + END]]
                and anomalies_in[c] == 1}

    def root_causes(self, error: Key, listed: int) -> RootCauses:
        """The candidates for one ERROR span, most severe first, then earliest first,
        and its causal past by start: the first `listed` of each, and their numbers."""
        spans, keys = self.cg.spans, self.keys
        goal = 2 * self.index[error] + END
        toward = [-2] * len(self.preds)  # event -> the next event on a path to the error
        toward[goal] = -1
        todo = [goal]
        preds = self.preds
        for event in todo:               # breadth first: the list grows as it is read
            for p in preds[event]:
                if toward[p] == -2:
                    toward[p] = event
                    todo.append(p)
        ended = [keys[e >> 1] for e in todo if e & 1 == END]
        suspects = [k for k in ended if k in self.anomalous]
        candidates = [k for k in suspects if k in self.first]
        if not candidates:               # anomalies that precede each other (a cycle)
            candidates = [min(suspects, key=lambda k: (spans[k].start, k))]
        shown = heapq.nsmallest(listed, candidates,
                                key=lambda k: (self.anomalous[k], spans[k].start, k))
        out = []
        for k in shown:
            path: list[Key] = []
            event = 2 * self.index[k] + END
            while event != -1:
                if not path or path[-1] != keys[event >> 1]:
                    path.append(keys[event >> 1])
                event = toward[event]
            out.append((k, path))
        past = heapq.nsmallest(listed, (k for k in ended if k != error),
                               key=lambda k: (spans[k].start, k))
        return RootCauses(out, len(candidates), past, len(ended) - 1)


def components(preds: list[list[int]]) -> list[int]:
    """Tarjan's strongly connected components of the graph (edges p -> n for p in
    preds[n]), iteratively: each node's component number.  The search follows the
    predecessor lists, so a component is numbered after every component it can
    reach there: a component's predecessors get lower numbers than it."""
    n = len(preds)
    index = [-1] * n
    low = [0] * n
    component = [-1] * n
    on_stack = [False] * n
    stack: list[int] = []
    counter = 0
    found = 0
    for root in range(n):
        if index[root] != -1:
            continue
        work = [(root, 0)]
        while work:
            node, at = work[-1]
            if at == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack[node] = True
            if at < len(preds[node]):
                work[-1] = (node, at + 1)
                nxt = preds[node][at]
                if index[nxt] == -1:
                    work.append((nxt, 0))
                elif on_stack[nxt]:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                while True:
                    member = stack.pop()
                    on_stack[member] = False
                    component[member] = found
                    if member == node:
                        break
                found += 1
    return component
