"""Breadth-first exploration of a compiled `Model`.

The visited set maps each state to its index; `parents[i]` is the index of
the state that first reached state i, so every counterexample rebuilt by
walking parents is a shortest one.  Properties are checked on each new state
(invariants; also on successors outside the `constraint`, which are not
explored, as TLC does), on each transition (transition invariants) and on each
expanded state without successors (deadlock).  A violated property stops
being checked; the search ends when every property is violated, when the
reachable states are exhausted, or when a bound or an interrupt (KeyboardInterrupt:
Ctrl-C, or SIGTERM/SIGHUP in the command line) stops it, and in
every case reports what it found so far.

Determinism: successors come in the order the generated code produces them,
which depends only on the spec; states are hashed by value, never by id, so
counts and traces are the same on every run and every PYTHONHASHSEED.
"""

from __future__ import annotations

import sys
import time
from array import array
from dataclasses import dataclass, field
from typing import Callable

from ..models.model import Model
from ..models.runtime import ModelError, TooManySuccessors
from .deadline import Deadline, DeadlineReached
from .liveness import Graph

PROGRESS_EVERY = 2048


@dataclass(frozen=True)
class SearchOptions:
    max_states: int | None = None
    max_depth: int | None = None
    max_seconds: float | None = None
    check_deadlock: bool = True
    canonical: Callable[[tuple], tuple] | None = None          # symmetry reduction
    graph: bool = False      # record the labelled state graph (for liveness)
    progress: Callable[[int, int, float], None] | None = None   # (states, depth, seconds)
    # checkpoint.Checkpointer: offered a snapshot at the end of each level when due
    checkpoint: object | None = None
    resume: dict | None = None          # a snapshot (checkpoint.load) to continue from
    # every reachable state, even once every safety property is violated (temporal
    # properties are decided on them after the search)
    exhaustive: bool = False
    # stop ("paused") at the end of the level a `resume` starts in, with the snapshot
    # to go on from in `SearchResult.paused` (checker/parallel runs such levels)
    one_level: bool = False


@dataclass
class Violation:
    prop: str
    kind: str                # "invariant" | "transition" | "deadlock"
    path: list[int]          # state indices from an initial state
    extra: tuple | None = None   # a transition's successor not in the visited set


@dataclass
class SearchResult:
    states: int
    transitions: int
    depth: int
    seconds: float
    stop: str                # a StopReason value
    violations: dict[str, Violation] = field(default_factory=dict)
    # the error, the path to the state it concerns, and "state" (evaluating a
    # property of that state) or "step" (computing a step from it)
    error: tuple[ModelError, list[int], str] | None = None
    state_list: list = field(default_factory=list, repr=False)
    parents: array = field(default_factory=lambda: array("q"), repr=False)
    graph: Graph | None = None
    paused: dict | None = None      # with SearchOptions.one_level: where to go on from
    parallel_levels: int = 0        # levels the worker processes expanded (parallel.py)

    def path_states(self, path: list[int], extra: tuple | None = None) -> list[tuple]:
        """The states of a path of indices, then `extra` (a state never stored)."""
        states = [self.state_list[i] for i in path]
        if extra is not None:
            states.append(extra)
        return states


def _path(parents: array, i: int) -> list[int]:
    out = []
    while i >= 0:
        out.append(i)
        i = parents[i]
    out.reverse()
    return out


def _truncate(seen: dict, states: list, parents: array) -> None:
    """Undo a half-done insertion (the search was interrupted between `seen[t] = n`,
    `states.append(t)` and `parents.append(i)`): keep the states with a parent."""
    del states[len(parents):]
    while len(seen) > len(states):
        seen.popitem()          # the last one inserted


def _room(succ: list, room: int, seen: dict, canonical, constraint) -> int:
    """How many of `succ` (in order) the search may take when only `room` more
    states fit: the length of the prefix before the successor that would be
    state number max_states + 1 (len(succ) if there is none)."""
    fresh = set()
    for k, t in enumerate(succ):
        if canonical is not None:
            t = canonical(t)
        if t in seen or t in fresh or (constraint is not None and not constraint(t)):
            continue
        if len(fresh) == room:
            return k
        fresh.add(t)
    return len(succ)


def bfs(model: Model, options: SearchOptions = SearchOptions()) -> SearchResult:
    """Explore `model` breadth-first within the bounds of `options`.

    The bounds hold inside one expansion too: `max_states` is exact (the search
    stops, "max-states", when it finds a state beyond the bound, and keeps the
    `max_states` before it; a state with more successors than the bound stops it
    once its first ones are inserted); `max_seconds` interrupts whatever runs when the time is up (in the
    main thread: see `deadline`)."""
    started = time.perf_counter()
    result = SearchResult(0, 0, 0, 0.0, "complete")
    model.limit_successors(options.max_states)
    try:
        with Deadline(options.max_seconds) as deadline:
            _bfs(model, options, result, deadline, started)
    except DeadlineReached:        # after the search proper, before it disarmed the deadline
        result.stop = "max-seconds"
        result.states = len(result.state_list)
        result.graph = None
    finally:
        model.limit_successors(None)
    result.seconds = time.perf_counter() - started
    return result


def _bfs(model: Model, options: SearchOptions, result: SearchResult, deadline: Deadline,
         started: float) -> None:
    successors = model.successors
    inv_props = [p for p, _ in model.invariants]
    violated_in = model.violated_invariants if inv_props else None
    active = (1 << len(inv_props)) - 1
    transitions_p = list(model.transitions)
    constraint = model.constraint
    check_deadlock = options.check_deadlock
    max_states = options.max_states
    cap = sys.maxsize if max_states is None else max_states
    max_seconds = options.max_seconds
    max_depth = options.max_depth
    progress = options.progress
    canonical = options.canonical

    states: list = []
    parents = array("q")
    seen: dict = {}
    violations: dict[str, Violation] = {}
    total_props = len(inv_props) + len(transitions_p) + (1 if check_deadlock else 0)
    result.violations = violations
    result.state_list = states
    result.parents = parents
    if options.graph or options.exhaustive:
        # Liveness needs every state (and edge): no early stop when safety fails.
        total_props = 0
    if options.graph:
        labeled_successors = model.successors_labeled
        unit_set = model.fairness.unit_set
        unit_sets = model.fairness.sets
        g_start, g_to, g_unit, g_enabled = array("q"), array("q"), array("i"), []
        # With a constraint: per state, the units enabled by steps that stay inside it.
        g_inside: list[int] | None = [] if constraint is not None else None

    # Invariants violated at the current depth: evaluated on the rest of that depth's
    # states all the same (an error evaluating one there is reported, whatever the order
    # of the states within the depth, as the Z3 engines do), then no longer.
    closing = 0

    def record(bad: int, j: int, extra: tuple | None = None) -> None:
        """Invariants in bitmask `bad` fail in state j (or in `extra`, a successor of
        state j outside the constraint); stop checking them after this depth."""
        nonlocal active, closing
        for b, prop in enumerate(inv_props):
            if bad >> b & 1:
                violations[prop.name] = Violation(
                    prop.name, "invariant", _path(parents, j) if j >= 0 else [], extra)
        active &= ~bad
        closing |= bad

    def depth_done() -> None:
        nonlocal closing, violated_in
        closing = 0
        if not active:
            violated_in = None

    i = 0
    depth = 0
    transitions = 0
    s = t = None             # the state being expanded and the successor at hand
    stop = "complete"
    capped = False           # the successors of s were cut off at the cap (max_states)
    over = False             # a state beyond max_states was found: it is not inserted
    resume = options.resume
    try:
        for t in model.initial_states() if resume is None else ():
            transitions += 1
            if canonical is not None:
                t = canonical(t)
            if t in seen:
                continue
            if constraint is not None and not constraint(t):
                # As in TLC: checked against the invariants, but not explored.
                if violated_in is not None:
                    bad = violated_in(t, active | closing) & ~closing
                    if bad:
                        record(bad, -1, t)
                continue
            if len(states) >= cap:
                over = True
                break
            seen[t] = len(states)
            states.append(t)
            parents.append(-1)
            if violated_in is not None:
                bad = violated_in(t, active | closing) & ~closing
                if bad:
                    record(bad, len(states) - 1)
        t = None
        depth_done()
        level_end = len(states)
        depth = 1 if states else 0
        if resume is not None:
            states.extend(resume["states"])
            parents.extend(resume["parents"])
            seen.update((x, k) for k, x in enumerate(states))
            for name, kind, path, extra in resume["violations"]:
                violations[name] = Violation(name, kind, list(path), extra)
            active = resume["active"]
            depth_done()
            transitions_p = [(p, f) for p, f in transitions_p if p.name not in violations]
            transitions, depth = resume["transitions"], resume["depth"]
            level_end, i = resume["level_end"], resume["i"]
            if options.graph:
                model.fairness.renumber(resume["units"])
                unit_sets = model.fairness.sets
                r_start, r_to, r_unit, r_enabled, r_inside = resume["graph"]
                g_start.extend(r_start)
                g_to.extend(r_to)
                g_unit.extend(r_unit)
                g_enabled.extend(r_enabled)
                if g_inside is not None and r_inside is not None:
                    g_inside.extend(r_inside)
        cut_at_depth = False
        n = len(states)
        next_check = PROGRESS_EVERY if resume is None else \
            resume.get("next_check", PROGRESS_EVERY)

        def snapshot() -> dict:
            return {"states": states, "parents": parents, "active": active,
                    "violations": [(v.prop, v.kind, v.path, v.extra)
                                   for v in violations.values()],
                    "transitions": transitions, "depth": depth, "level_end": level_end,
                    "i": i, "next_check": next_check,
                    "graph": (g_start, g_to, g_unit, g_enabled, g_inside)
                    if options.graph else None,
                    "units": model.fairness.numbering() if options.graph else None}

        if over:
            stop = "max-states"
        while i < n and not over:
            if i == level_end:
                depth_done()
                if cut_at_depth:
                    stop = "max-depth"
                    break
                depth += 1
                level_end = n
                if options.one_level:
                    stop = "paused"
                    result.paused = snapshot()
                    break
                if options.checkpoint is not None and options.checkpoint.due():
                    options.checkpoint.save(snapshot())
            s = states[i]
            t = None
            if options.graph:
                try:
                    labeled = labeled_successors(s)
                except TooManySuccessors as exc:
                    labeled, capped = exc.partial, True
                succ = [x[1] for x in labeled]
            else:
                try:
                    succ = successors(s)
                except TooManySuccessors as exc:
                    succ, capped = exc.partial, True
            at_bound = max_depth is not None and depth >= max_depth
            if n + len(succ) > cap and not at_bound:
                # Rare: this expansion may find more states than the bound leaves room
                # for.  Keep the successors up to the last state that fits; then stop.
                keep = _room(succ, cap - n, seen, canonical, constraint)
                if keep < len(succ):
                    over = True
                    succ = succ[:keep]
                    if options.graph:
                        labeled = labeled[:keep]
            transitions += len(succ)
            if not succ and check_deadlock and not over and \
                    "DeadlockFreedom" not in violations:
                violations["DeadlockFreedom"] = Violation("DeadlockFreedom", "deadlock",
                                                          _path(parents, i))
            if transitions_p:
                # (u, not t: an error in a transition invariant is one of the step from s,
                # whether or not its successor was seen before)
                for u in succ:
                    for prop, fn in transitions_p:
                        if not fn(s, u) and prop.name not in violations:
                            violations[prop.name] = Violation(prop.name, "transition",
                                                              _path(parents, i), u)
                transitions_p = [(p, f) for p, f in transitions_p if p.name not in violations]
            if canonical is not None:
                succ = [canonical(t) for t in succ]
            if options.graph:
                # The same as the loop below, also recording every edge i -> j with
                # the fairness units it takes (j = -1: a step out of the explored
                # graph).  A step that changes nothing is stuttering: it neither takes
                # nor enables a unit (TLA+'s <<A>>_vars).
                g_start.append(len(g_to))
                enabled = left = 0
                for (label, _), t in zip(labeled, succ):
                    u = unit_set(label)
                    if u:
                        if t == s:
                            u = 0
                        else:
                            enabled |= unit_sets[u]
                    j = seen.get(t)
                    if j is None:
                        j = -1
                        if constraint is not None and not constraint(t):
                            left |= unit_sets[u]
                            if violated_in is not None:
                                bad = violated_in(t, active | closing) & ~closing
                                if bad:
                                    record(bad, i, t)
                        elif at_bound:
                            cut_at_depth = True
                        else:
                            j = seen[t] = n
                            states.append(t)
                            parents.append(i)
                            if violated_in is not None:
                                bad = violated_in(t, active | closing) & ~closing
                                if bad:
                                    record(bad, n)
                            n += 1
                    g_to.append(j)
                    g_unit.append(u)
                g_enabled.append(enabled)
                if g_inside is not None:
                    inside = 0
                    if left:
                        for k in range(g_start[-1], len(g_to)):
                            if g_to[k] >= 0:
                                inside |= unit_sets[g_unit[k]]
                    g_inside.append(enabled if not left else inside)
                succ = ()
            for t in succ:
                if t in seen:
                    continue
                if constraint is not None and not constraint(t):
                    # As in TLC: checked against the invariants, but not explored.
                    if violated_in is not None:
                        bad = violated_in(t, active | closing) & ~closing
                        if bad:
                            record(bad, i, t)
                    continue
                if at_bound:
                    cut_at_depth = True
                    continue
                seen[t] = n
                states.append(t)
                parents.append(i)
                if violated_in is not None:
                    bad = violated_in(t, active | closing) & ~closing
                    if bad:
                        record(bad, n)
                n += 1
            i += 1
            if total_props and len(violations) >= total_props:
                stop = "all-violated"
                break
            if capped or over:
                stop = "max-states"
                break
            if n >= next_check:
                next_check = n + PROGRESS_EVERY
                elapsed = time.perf_counter() - started
                if progress is not None:
                    progress(n, depth, elapsed)
                if max_seconds is not None and elapsed > max_seconds:
                    stop = "max-seconds"
                    break
        else:
            if cut_at_depth:
                stop = "max-depth"
    # Each way out of the loop disarms the deadline first, with a plain store: Python
    # handles no signal before it, so DeadlineReached is raised inside the loop or not
    # at all (bfs catches one that escapes all the same).
    except KeyboardInterrupt:
        deadline.armed = False
        stop = "interrupted"
    except DeadlineReached:         # --max-seconds, in the middle of anything
        deadline.armed = False
        stop = "max-seconds"
    except ModelError as exc:
        deadline.armed = False
        stop = "model-error"
        if t is not None and t in seen:        # an invariant failed to evaluate on t
            result.error = (exc, _path(parents, seen[t]), "state")
        elif s is not None:                     # computing a step from s
            result.error = (exc, _path(parents, seen[s]), "step")
        else:                                   # an initial state
            result.error = (exc, [], "state")
    deadline.armed = False
    if stop not in ("complete", "paused"):
        _truncate(seen, states, parents)
    if options.graph and stop == "complete":
        g_start.append(len(g_to))
        depths = array("q", [1]) * len(states)
        for k in range(len(states)):
            if parents[k] >= 0:
                depths[k] = depths[parents[k]] + 1
        result.graph = Graph(len(states), g_start, g_to, g_unit, g_enabled,
                             [k for k in range(len(states)) if parents[k] < 0], depths,
                             parents, unit_sets, g_inside)
    result.states = len(states)
    result.transitions = transitions
    result.depth = depth if depth or not states else 1     # stopped among the initial states
    result.stop = stop
