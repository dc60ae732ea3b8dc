"""`--dot FILE`: the reachable state graph (small models) or the counterexamples, as DOT.

For each check block, the state graph is explored again without symmetry
reduction; when it has at most `--dot-max-states` states (default 200) the
whole graph is drawn with the counterexamples highlighted in it, otherwise
only the counterexamples are drawn (and a block without one gets a note and a
warning).  Render with Graphviz: `dot -Tsvg FILE -o graph.svg`.
"""

from __future__ import annotations

from ..checker.run import check_blocks, prepare
from ..checker.search import SearchOptions, bfs
from ..diagnostics import SpecError
from ..lang.load import load_spec, parse_override
from ..models.verdict import Status
from ..render import dot
from .console import positive_int
from . import outputs

DEFAULT_MAX_STATES = 200


def add_arguments(parser) -> None:
    parser.add_argument("--dot", metavar="FILE",
                        help="write the state graph (small models) or the counterexamples "
                             "as Graphviz DOT")
    parser.add_argument("--dot-max-states", type=positive_int, metavar="N",
                        default=DEFAULT_MAX_STATES,
                        help=f"draw the whole state graph only up to N states "
                             f"(default {DEFAULT_MAX_STATES})")


def write(results, exit_code: int, args, console) -> bool:
    if not args.dot:
        return True
    clusters = []
    for k, r in enumerate(results):
        prefix = f"c{k}_"
        traces = [(v, v.trace) for v in r.verdicts
                  if v.status is Status.VIOLATED and v.trace is not None]
        title = f"{r.spec} · check {r.check}"
        graph = _graph(r, args)
        if isinstance(graph, dot.StateGraph):
            statements = dot.graph_dot(graph, prefix, [t for _, t in traces])
            title += f" · {len(graph.labels)} states"
        elif traces:
            statements = []
            for j, (v, t) in enumerate(traces):
                statements += dot.trace_dot(t, f"{prefix}{j}_", v.kind != "temporal")
            title += " · counterexamples: " + ", ".join(v.prop for v, _ in traces)
        else:
            states = f"more than {args.dot_max_states}"
            console.error(f"stateline: warning: --dot: {r.path}, check {r.check}: {states} "
                          f"states to draw and no counterexample (raise --dot-max-states)")
            statements = [f'    {prefix}note [shape=note label="{states} states: not drawn"];']
        clusters.append((title, statements))
    return outputs.write(args.dot, dot.document(clusters), console)


def _graph(r, args):
    """The state graph of a result's check block; None when the block cannot be
    prepared again, False when it has more than --dot-max-states states."""
    try:
        loaded = load_spec(r.path)
        check = next(c for c in check_blocks(loaded) if c.name == r.check)
        overrides = {}
        for d in args.defines:
            if d.split("=", 1)[0].strip() in loaded.resolved.consts:
                name, value = parse_override(loaded, d)
                overrides[name] = value
        model = prepare(loaded, check, overrides)
    except (SpecError, StopIteration):
        return None
    limit = args.dot_max_states
    found = bfs(_Reachable(model), SearchOptions(max_states=limit + 1, check_deadlock=False))
    if found.states > limit or found.stop != "complete":
        return False
    states = found.state_list
    init = set(model.initial_states())
    initial = 0                     # the search stores the initial states first
    while initial < len(states) and states[initial] in init:
        initial += 1
    return dot.state_graph(model, states, initial)


class _Reachable:
    """A model seen without its properties, so that the search explores every
    reachable state instead of stopping when every property is violated."""

    invariants = ()
    transitions = ()
    violated_invariants = None

    def __init__(self, model):
        self.successors = model.successors
        self.limit_successors = model.limit_successors
        self.constraint = model.constraint
        self.initial_states = model.initial_states
