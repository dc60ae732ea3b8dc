"""Random simulation of a compiled `Model` (`stateline simulate`), for instances too
large to explore exhaustively: TLC's `-simulate`, `quint run`.

Each of `traces` walks starts in an initial state chosen at random (among those within
the constraint) and takes up to `depth` steps: each step picks one of the enabled actions
uniformly at random, then one of that action's successors (so that an action with many
parameter values, a timeout on every node, does not crowd out the others: on
specs/labs/raft_commit_old_term.sl, 10,000 walks of 20 steps visit 782 distinct states,
against 567 for 30,000 walks of 40 steps choosing among all successors uniformly).  Each
walk also favours a random half of the actions (swarm testing: one of them is taken
whenever one is enabled), so walks differ in what they do and not only in the order they
do everything in; a successor outside the constraint is checked but never walked into.
On specs/labs/raft_forget_vote.sl (seeds 0-2, 20 steps) that finds the violation in
43-538 walks, against none in 20,000 walks before (when a walk that picked a successor
outside the constraint ended there).  As in the breadth-first search, every invariant is
checked in every state the walk visits and in every successor outside the constraint,
every transition invariant on every step from a visited state, and deadlock in a state
without successors; a violated property is no longer checked, and the run stops when
every property is violated.  A violation's trace is the walk that found it (not a
shortest one: `check` finds those).  Temporal properties are decided on the subgraph the
walks visited (every step between visited states, fairness judged with each state's
real successors): a fair lasso there is a real violation; none found says nothing.

Determinism: walk number i draws from its own generator, seeded from the seed and i
(`checker/walks`), and successors come in the order the generated code produces them,
so the same seed gives the same walks, counts and output on every run, every
PYTHONHASHSEED and every number of --workers: walks run on several processes are
accounted for in their order (the distinct states are the union of the walks' states,
exactly; a property's violation is the one of the lowest-numbered walk that violates
it; the run stops after the walk where one process would).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Callable

from ..models.model import Model
from ..models.runtime import ModelError
from .memory import peak_rss_mib
from .walks import Record, Walker, error_of, walk_in_processes


@dataclass(frozen=True)
class SimulateOptions:
    traces: int = 10000             # random walks (quint run's default)
    depth: int = 100                # steps per walk, at most (TLC's default)
    seed: int = 0
    check_deadlock: bool = True
    max_seconds: float | None = None
    # called with (traces done, distinct states, seconds) every few hundred walks
    progress: Callable[[int, int, float], None] | None = field(default=None, compare=False)
    workers: int = 1                # processes running walks (the same result)


@dataclass
class Found:
    kind: str                       # "invariant" | "transition" | "deadlock"
    states: list[tuple]             # the walk, ending in the violating state (or step)
    trace_no: int                   # which walk found it (0-based)
    seconds: float = 0.0            # since the walks began


@dataclass
class SimulationResult:
    violations: dict[str, Found]
    traces: int                     # walks done
    steps: int                      # steps taken (transitions)
    distinct: int                   # distinct states visited
    longest: int                    # states in the longest walk
    stop: str                       # "simulated" | "all-violated" | "max-seconds" |
                                    # "interrupted" | "model-error"
    seconds: float
    # (ModelError, the walk's states up to the state where it was raised, "state" |
    # "step") or None
    error: tuple | None = None
    # the distinct states visited, in the order the walks first met them (a temporal
    # property is decided on the subgraph they span: see walked_graph)
    visited: list = field(default_factory=list)
    starts: list = field(default_factory=list)      # their indices that began a walk
    # (ModelError, path) of a temporal property's predicate raising in a visited state
    predicate_error: tuple | None = None


def simulate(model: Model, options: SimulateOptions) -> SimulationResult:
    inv_props = [p for p, _ in model.invariants]
    constraint = model.constraint
    total = len(inv_props) + len(model.transitions) + (1 if options.check_deadlock else 0)
    if model.temporal:
        total = 0           # the walks go on: the temporal properties need their states
    found: dict[str, Found] = {}
    seen: dict = {}
    started = time.perf_counter()
    deadline = None if options.max_seconds is None else started + options.max_seconds
    result = SimulationResult(found, 0, 0, 0, 0, "simulated", 0.0)

    def stop() -> bool:
        """Whether the walks stop here (before the next one)."""
        if total and len(found) >= total:
            result.stop = "all-violated"
        elif deadline is not None and time.perf_counter() > deadline:
            result.stop = "max-seconds"
        else:
            return False
        return True

    def take(rec: Record | None) -> bool:
        """Account for the next walk, in order (None: none yet); True: stop."""
        if rec is None:
            return stop()
        if rec.error is not None and rec.done != frozenset(found):
            # (a worker checked a property violated by an earlier walk: see walks.py)
            rec = walker.walk(rec.index, frozenset(found))
        if rec.start_new and rec.states[0] not in seen:
            result.starts.append(len(seen))
        for t in rec.states:
            if t not in seen:
                seen[t] = len(seen)
        result.steps += rec.steps
        for name, kind, states in rec.events:
            if name not in found:
                found[name] = Found(kind, states, rec.index,
                                    time.perf_counter() - started)
        if rec.error is not None:
            result.stop = "model-error"
            result.error = error_of(rec)
            return True
        result.longest = max(result.longest, rec.length)
        result.traces = rec.index + 1
        if options.progress is not None and result.traces % 200 == 0:
            options.progress(result.traces, len(seen), time.perf_counter() - started)
        return stop()

    try:
        inits = []
        active = (1 << len(inv_props)) - 1
        for t in model.initial_states():
            if constraint is None or constraint(t):
                inits.append(t)
            elif inv_props and active:       # checked, as in the search, not explored
                bad = model.violated_invariants(t, active)
                for b, prop in enumerate(inv_props):
                    if bad >> b & 1:
                        found[prop.name] = Found("invariant", [t], 0)
                active &= ~bad
        walker = Walker(model, inits, options.depth, options.seed, options.check_deadlock)
        if inits and not stop():
            if options.workers > 1 and options.traces > 1:
                others = Walker(model, inits, options.depth, options.seed,
                                options.check_deadlock, set())
                walk_in_processes(others, options.traces, options.workers, take,
                                  lambda: frozenset(found))
            else:
                for i in range(options.traces):
                    if take(walker.walk(i, frozenset(found))):
                        break
    except ModelError as exc:               # in an initial state
        result.stop = "model-error"
        result.error = (exc, [], "state")
    except KeyboardInterrupt:
        result.stop = "interrupted"
    result.distinct = len(seen)
    result.visited = list(seen)
    result.seconds = time.perf_counter() - started
    return result


def walked_graph(model: Model, result: SimulationResult):
    """The liveness `Graph` of the states the walks visited, with every step between
    them (steps to other states lead out of it) and each state's enabled fairness
    units computed from all its successors.  A fair lasso of this subgraph is a fair
    behaviour of the spec, so a violation found in it is real (a shortest path from a
    walk's start, not necessarily from every initial state)."""
    from array import array
    from collections import deque

    from .liveness import Graph

    states = result.visited
    index = {t: i for i, t in enumerate(states)}
    unit_set, unit_sets = model.fairness.unit_set, model.fairness.sets
    constraint = model.constraint
    start, to, unit, enabled = array("q"), array("q"), array("i"), []
    for s in states:
        start.append(len(to))
        on = 0
        for label, t in model.successors_labeled(s):
            u = unit_set(label)
            if u:
                if t == s:
                    u = 0           # a step that changes nothing takes no unit
                else:
                    on |= unit_sets[u]
            j = index.get(t, -1)
            if constraint is not None and j >= 0 and not constraint(t):
                j = -1
            to.append(j)
            unit.append(u)
        enabled.append(on)
    start.append(len(to))
    n = len(states)
    parent = array("q", [-1]) * n
    depth = array("q", [0]) * n
    queue = deque()
    for i in result.starts:
        if depth[i] == 0:
            depth[i] = 1
            queue.append(i)
    while queue:
        i = queue.popleft()
        for k in range(start[i], start[i + 1]):
            j = to[k]
            if j >= 0 and depth[j] == 0:
                depth[j], parent[j] = depth[i] + 1, i
                queue.append(j)
    return Graph(n, start, to, unit, enabled, list(result.starts), depth, parent, unit_sets,
                 None)


def simulate_check(loaded, check, overrides: dict, options, sim: SimulateOptions,
                   model: Model | None = None):
    """A `CheckResult` of one check block by random simulation, as `run_check` gives
    one by exhaustive search (the same writers and printers take it).  Properties
    the walks did not violate are unknown."""
    from ..diagnostics import Diagnostic
    from ..models.verdict import (CheckResult, ModelFailure, Stats, Status, StopReason,
                                  Verdict)
    from .run import describe_constants, prepare

    model = model or prepare(loaded, check, overrides)
    system = model.system
    expected = {prop: outcome for prop, outcome, _ in check.expects}
    check_deadlock = not system.allow_deadlock or "DeadlockFreedom" in expected
    sim = replace(sim, check_deadlock=check_deadlock, max_seconds=options.max_seconds)
    result = simulate(model, sim)
    stop = StopReason(result.stop)
    interrupted = False

    def trace(states):
        nonlocal interrupted
        try:
            return model.trace(states)
        except KeyboardInterrupt:
            interrupted = True
            return None

    props = [(p.name, "invariant") for p in system.invariants] + \
        [(p.name, "transition") for p in system.transitions]
    if check_deadlock:
        props.append(("DeadlockFreedom", "deadlock"))
    verdicts = []
    for name, kind in props:
        f = result.violations.get(name)
        status = Status.VIOLATED if f is not None else Status.UNKNOWN
        verdicts.append(Verdict(name, kind, expected.get(name, "holds"), status,
                                trace(f.states) if f is not None else None, "simulate"))
    failure = None
    if model.temporal:
        verdicts += temporal_verdicts(model, result, expected, trace)
        if result.error is None and result.predicate_error is not None:
            exc, path = result.predicate_error
            failure = ModelFailure(Diagnostic(exc.code, exc.message, system.sites[exc.site]),
                                   trace(path))
            stop = StopReason.MODEL_ERROR
    if result.error is not None:
        exc, states, phase = result.error
        notes = ("the error happened while computing a step from the last state shown",) \
            if phase == "step" else ()
        failure = ModelFailure(Diagnostic(exc.code,
                                          exc.message, system.sites[exc.site], notes=notes),
                               trace(states) if states else None)
    if interrupted:
        stop = StopReason.INTERRUPTED
    warnings = []
    peak = peak_rss_mib()
    stats = Stats(result.distinct, result.steps, result.longest, result.seconds, peak)
    return CheckResult(system.name, system.path, check.name, describe_constants(system),
                       tuple(verdicts), stats, stop, failure, not check_deadlock,
                       tuple(warnings), "simulate"), result


def temporal_verdicts(model: Model, result: SimulationResult, expected: dict, trace) -> list:
    """Each temporal property's verdict on the walks' subgraph: violated (a fair lasso in
    it), else unknown.  Not decided after a run-time error or an interrupt; a predicate
    that raises sets `result.predicate_error` (the error, the path to its state)."""
    from ..models.verdict import Status, Verdict
    from .run import PredicateError, _state_path, liveness_violation

    out = []
    graph = None
    if result.error is None and result.stop != "interrupted" and result.visited:
        graph = walked_graph(model, result)
    view = _Explored(graph, result.visited)
    for prop, instances in model.temporal:
        tr = None
        if graph is not None and result.predicate_error is None:
            try:
                found, _ = liveness_violation(model, view, prop, instances)
            except PredicateError as exc:
                result.predicate_error = (exc.error, [result.visited[i] for i in
                                                      _state_path(graph.parent, exc.state)])
                found = None
            if found is not None:
                states, loop_start, choices = found
                tr = model.trace(states, loop_start, choices)
        out.append(Verdict(prop.name, "temporal", expected.get(prop.name, "holds"),
                           Status.VIOLATED if tr is not None else Status.UNKNOWN, tr,
                           "simulate"))
    return out


@dataclass
class _Explored:
    """What liveness_violation reads of a search result."""
    graph: object
    state_list: list
