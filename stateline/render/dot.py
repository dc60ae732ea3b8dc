"""Graphviz DOT pictures: the reachable state graph of a small model, or a counterexample.

`state_graph(model, states)` lists the edges between explored states (every
successor the model generates, labelled with its step); `graph_dot` draws it
with the initial states doubled, each counterexample's states and steps in red
and a lasso's way back dashed.  `trace_dot` draws one counterexample alone, as
a chain of states (the initial state in full, later states with what changed)
for models whose graph is too big to draw.  `document` puts one cluster per
check block into one digraph: `dot -Tsvg FILE` renders it.

Output is deterministic: states are numbered in the order the search found them
and edges come in the model's successor order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models.model import Model
from ..models.trace import Trace
from ..printable import printable

MAX_LABEL = 60        # characters of one value shown in a node


@dataclass(frozen=True)
class StateGraph:
    labels: tuple[tuple[tuple[str, str], ...], ...]     # per state: (variable, value)
    initial: int                                        # states 0..initial-1 are initial
    edges: tuple[tuple[int, int, str], ...]             # (from, to, step title)
    index: dict = field(default_factory=dict, compare=False)   # raw state -> number


def state_graph(model: Model, states: list[tuple], initial: int) -> StateGraph:
    """The edges among `states` (explored, without symmetry reduction)."""
    index = {s: i for i, s in enumerate(states)}
    edges = []
    for i, s in enumerate(states):
        for label, t in model.successors_labeled(s):
            j = index.get(t)
            if j is not None:          # a successor outside a `constraint` is not drawn
                edges.append((i, j, model.step(s, label, t, 0).title()))
    return StateGraph(tuple(model.describe(s) for s in states), initial, tuple(edges), index)


def _q(text: str) -> str:
    text = printable(text, "\n")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _lines(pairs) -> str:
    out = []
    for k, v in pairs:
        if v is None:
            out.append(k)
            continue
        v = v if len(v) <= MAX_LABEL else v[:MAX_LABEL - 1] + "…"
        out.append(f"{k} = {v}")
    return "\\l".join(_q(line)[1:-1] for line in out) + "\\l"


def graph_dot(g: StateGraph, prefix: str, traces: list[Trace]) -> list[str]:
    """Statements of one cluster: the whole graph, counterexamples highlighted."""
    red_states: set[int] = set()
    red_edges: set[tuple[int, int]] = set()
    back_edges: set[tuple[int, int]] = set()
    bad: set[int] = set()
    for t in traces:
        path = [g.index.get(s) for s in t.states]
        if not path or None in path:
            continue
        red_states.update(path)
        red_edges.update(zip(path, path[1:]))
        if t.loop_start is not None:
            # the loop closes on a state of the path; a stuttering end stays put
            if t.loop_start == len(t.steps) or path[-1] != path[t.loop_start]:
                back_edges.add((path[-1], path[t.loop_start]))
        else:
            bad.add(path[-1])
    out = []
    for i, pairs in enumerate(g.labels):
        attrs = [f'label="s{i}\\n{_lines(pairs)}"']
        if i < g.initial:
            attrs.append("peripheries=2")
        if i in bad:
            attrs.append('style=filled fillcolor="#ffebe9" color="#cf222e" penwidth=2')
        elif i in red_states:
            attrs.append('color="#cf222e" penwidth=2')
        out.append(f"    {prefix}s{i} [{' '.join(attrs)}];")
    for a, b, title in g.edges:
        attrs = [f"label={_q(title)}"]
        if (a, b) in red_edges:
            attrs.append('color="#cf222e" fontcolor="#cf222e" penwidth=2')
        out.append(f"    {prefix}s{a} -> {prefix}s{b} [{' '.join(attrs)}];")
    for a, b in sorted(back_edges - red_edges):
        label = "stutters forever" if a == b else "loop"
        out.append(f'    {prefix}s{a} -> {prefix}s{b} [label="{label}" style=dashed '
                   f'color="#8250df" fontcolor="#8250df"];')
    return out


def trace_dot(trace: Trace, prefix: str, bad_last: bool) -> list[str]:
    """Statements drawing one counterexample as a chain of states."""
    out = [f'    {prefix}s0 [label="initial state\\n{_lines(trace.initial)}" peripheries=2];']
    n = len(trace.steps)
    loop = trace.loop_start
    for step in trace.steps:
        i = step.number
        target = i
        if loop is not None and loop < n and i == n:
            target = loop                # the last step closes the loop
        else:
            pairs = [(c.variable, c.new) for c in step.changes] or \
                [("(no variable changed)", None)]
            attrs = [f'label="after step {i}\\n{_lines(pairs)}"']
            if bad_last and i == n:
                attrs.append('style=filled fillcolor="#ffebe9" color="#cf222e" penwidth=2')
            out.append(f"    {prefix}s{i} [{' '.join(attrs)}];")
        what = [f"{i}. {step.title()}"]
        if step.received is not None:
            what.append(f"received {step.received.shown}")
        what.extend(f"sent {m.shown}" + (f" to {m.to}" if m.to else "") for m in step.sent)
        style = ' style=dashed color="#8250df"' if target != i else ""
        out.append(f"    {prefix}s{i - 1} -> {prefix}s{target} [label={_q(chr(10).join(what))}"
                   f"{style}];")
    if loop is not None and loop == n:
        out.append(f'    {prefix}s{n} -> {prefix}s{n} [label="stutters forever" style=dashed '
                   f'color="#8250df" fontcolor="#8250df"];')
    return out


def document(clusters: list[tuple[str, list[str]]]) -> str:
    """One digraph with a cluster per (title, statements)."""
    out = ["digraph stateline {", "  rankdir=TB;",
           '  node [shape=box fontname="DejaVu Sans Mono" fontsize=10];',
           '  edge [fontname="DejaVu Sans" fontsize=9];']
    for k, (title, statements) in enumerate(clusters):
        out.append(f"  subgraph cluster_{k} {{")
        out.append(f"    label={_q(title)};")
        out.extend(statements)
        out.append("  }")
    out.append("}")
    return "\n".join(out) + "\n"
