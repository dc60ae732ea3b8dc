"""Running the check blocks of a spec with the explicit-state engine.

Every invariant, transition invariant and temporal property of the spec is
checked in every check block, unless the block's `only` or `skip` line (or the
command line's --invariant and --property) leaves it out, and deadlock unless
the spec or the block says `allow deadlock`; a property without an `expect`
line is expected to hold.
-D overrides replace constants in every block (after the block's own
bindings).  A spec without check blocks is checked once, as `default`.
"""

from __future__ import annotations

import dataclasses
import os
import time
from dataclasses import dataclass, field
from typing import Callable

from ..diagnostics import Diagnostic, Span, SpecError
from ..lang import ir
from ..lang.load import LoadedSpec
from ..lang.selection import with_selection
from ..models.history_note import history_note
from ..models.lower import lower_block
from ..models.model import Model
from ..models.runtime import ModelError
from .liveness import find_violation
from .memory import peak_rss_mib
from .coverage import action_counts, warnings_for
from .fingerprints import bfs_fingerprints
from .parallel import bfs_parallel
from .search import SearchOptions, SearchResult, bfs
from .symmetry import Symmetry, singled_out
from ..models.verdict import CheckResult, ModelFailure, Stats, Status, StopReason, Verdict


COVERAGE_STATES = 100_000     # never-enabled warnings without --coverage up to this many states


@dataclass(frozen=True)
class CheckOptions:
    symmetry: bool = True          # use the spec's `symmetric` sets
    max_states: int | None = None
    max_depth: int | None = None
    max_seconds: float | None = None
    # called with (states, depth, seconds) every few thousand states
    progress: Callable[[int, int, float], None] | None = field(default=None, compare=False)
    # called with the name of each phase as it starts: "search", "liveness"
    phase: Callable[[str], None] | None = field(default=None, compare=False)
    checkpoint: str | None = None   # a folder: write the search there (checker/checkpoint)
    checkpoint_every: float = 300.0  # seconds between two checkpoints, at most
    resume: str | None = None       # a folder: continue the search checkpointed there
    workers: int = 1                # processes exploring (checker/parallel)
    fingerprints: bool = False      # store 64-bit fingerprints, not states (checker/fingerprints)
    engine: str = "local"           # "ray": the workers are Ray actors (checker/cluster)
    coverage: bool = False          # count each action's successors (checker/coverage)


def check_blocks(loaded: LoadedSpec, select: list[str] | None = None,
                 properties: tuple[str, ...] | None = None) -> list[ir.CheckIR]:
    """The check blocks to run (those named in `select`, else all), each narrowed to
    the command line's selection of `properties` (None: as written;
    lang.selection.command_line_selection)."""
    checks = list(loaded.typed.checks)
    if not checks:
        checks = [ir.CheckIR("default", (), (), False, loaded.spec.span)]
    if select:
        checks = [c for c in checks if c.name in select]
    return [with_selection(c, properties) for c in checks]


class PredicateError(Exception):
    """Evaluating a temporal property's predicate raised a run-time error in a state."""

    def __init__(self, error: ModelError, state: int):
        super().__init__(error.message)
        self.error = error
        self.state = state


def predicate_bits(fn, states) -> bytes:
    """fn over every state (PredicateError at the first state, in breadth-first order,
    where it raises a run-time error: one with a shortest path)."""
    out = bytearray(len(states))
    for i, s in enumerate(states):
        try:
            out[i] = 1 if fn(s) else 0
        except ModelError as exc:
            raise PredicateError(exc, i) from None
    return bytes(out)


def liveness_violation(model: Model, result, prop, instances):
    """((states, loop start, step choices) of a fair lasso violating `prop`, or None;
    whether a verdict "holds" relies on steps that leave the constraint).

    `instances` are the property's instances, one per value of a `forall` in
    front; the first violated one (in order) is reported.  Raises PredicateError.
    """
    g = result.graph
    states = result.state_list
    weak, strong = model.fairness.mask("weak"), model.fairness.mask("strong")
    vacuous = False
    for _label, p_fn, q_fn in instances:
        p = predicate_bits(p_fn, states)
        q = predicate_bits(q_fn, states) if q_fn is not None else None
        lasso = find_violation(g, prop.temporal.form, p, q, weak, strong)
        if lasso is not None:
            path = [states[i] for i in lasso.prefix]
            # The loop replays the exact steps the fairness analysis chose.
            choices = [None] * (len(path) - 1)
            here = lasso.prefix[-1]
            for k in lasso.cycle:
                choices.append(k - g.start[here])
                here = g.to[k]
                path.append(states[here])
            return (path, len(lasso.prefix) - 1, choices), False
        if g.enabled_inside is not None and not vacuous:
            # Would a fair behaviour violate it if the steps that leave the constraint
            # did not count as enabling their units?  Then "holds" is vacuous there.
            inner = dataclasses.replace(g, enabled=g.enabled_inside)
            vacuous = find_violation(inner, prop.temporal.form, p, q, weak, strong) is not None
    return None, vacuous


def stuttering_violation(model: Model, result, prop, instances):
    """The shortest behaviour violating `prop` when no step is fair, as (states, loop
    start, step choices), or None.  Raises PredicateError.

    Without fairness every behaviour may stop anywhere and stutter forever (TLA+'s
    `[][Next]_vars` alone), so the reachable states decide it, not the state graph:
    `eventually P` fails on an initial state without P (`initially P implies
    eventually Q` on an initial state with P and without Q), `always eventually P` and
    `eventually always P` on a reachable state without P, `P leads_to Q` on a
    reachable state with P and not Q; the first such state in breadth-first order,
    then stuttering.  This is the lasso the fair-cycle analysis finds without fair
    units, without recording the edges.
    """
    states, parents = result.state_list, result.parents
    form = prop.temporal.form
    for _label, p_fn, q_fn in instances:
        p = predicate_bits(p_fn, states)
        q = predicate_bits(q_fn, states) if q_fn is not None else None
        if form == "leads_to":
            bad = next((i for i in range(len(states)) if p[i] and not q[i]), None)
        elif form == "eventually":
            bad = next((i for i in range(len(states)) if parents[i] < 0 and not p[i]), None)
        elif form == "initially_eventually":
            bad = next((i for i in range(len(states))
                        if parents[i] < 0 and p[i] and not q[i]), None)
        else:
            bad = p.find(0)
            bad = None if bad < 0 else bad
        if bad is not None:
            path = [states[i] for i in _state_path(parents, bad)]
            return (path, len(path) - 1, [None] * (len(path) - 1)), False
    return None, False


def _state_path(parents, i: int) -> list[int]:
    out = []
    while i >= 0:
        out.append(i)
        i = parents[i]
    out.reverse()
    return out


def not_started(loaded: LoadedSpec, check: ir.CheckIR, stop: StopReason) -> CheckResult:
    """The result of a check stopped before its search began (its instance took longer
    than --max-seconds to compile): every property unknown, nothing explored."""
    typed = loaded.typed
    expected = {prop: outcome for prop, outcome, _ in check.expects}
    check_deadlock = not (typed.allow_deadlock or check.allow_deadlock) or \
        "DeadlockFreedom" in expected
    checked = [p for p in typed.properties
               if check.properties is None or p.name in check.properties]
    props = [(p.name, p.kind) for p in checked if p.kind == "invariant"] + \
        [(p.name, p.kind) for p in checked if p.kind == "transition"]
    if check_deadlock:
        props.append(("DeadlockFreedom", "deadlock"))
    props += [(p.name, p.kind) for p in checked if p.kind == "temporal"]
    verdicts = tuple(Verdict(name, kind, expected.get(name, "holds"), Status.UNKNOWN)
                     for name, kind in props)
    return CheckResult(typed.name, typed.path, check.name, (), verdicts, Stats(0, 0, 0, 0.0, 0.0),
                       stop, None, not check_deadlock)


def _checkpointing(loaded, check, system, options: CheckOptions, search: SearchOptions,
                   symmetry: bool, check_deadlock: bool, warnings: list) -> SearchOptions:
    """The search options with the checkpoint to write and the one to resume from
    (raises SpecError, exit 2, for a checkpoint of another search)."""
    from . import checkpoint as ckpt

    ident = ckpt.identity(loaded.source, check.name, describe_constants(system), symmetry,
                          check_deadlock, bool(system.temporal), options.max_depth,
                          check.properties)
    writer = resume = None
    if options.checkpoint is not None:
        writer = ckpt.Checkpointer(ckpt.file_for(options.checkpoint, system.path, check.name),
                                   ident, options.checkpoint_every)
    if options.resume is not None:
        path = ckpt.file_for(options.resume, system.path, check.name)
        if not os.path.exists(path):
            warnings.append(f"{path}: no checkpoint of check {check.name}: the search "
                            f"starts from the initial states")
        else:
            try:
                resume = ckpt.load(path, ident)
            except ckpt.CheckpointError as exc:
                raise SpecError(Diagnostic("SL506", str(exc), Span(path, 1, 1))) from None
    return dataclasses.replace(search, checkpoint=writer, resume=resume)


def symmetry_for(system, options: CheckOptions) -> Symmetry | None:
    """The symmetry reduction a run uses, or None."""
    if not options.symmetry or not system.symmetric:
        return None
    return Symmetry(system)


def describe_constants(system) -> tuple[tuple[str, str], ...]:
    return tuple((name, dom.show(value)) for name, (value, dom) in system.constants.items())


def prepare(loaded: LoadedSpec, check: ir.CheckIR, overrides: dict[str, ir.E]):
    """The compiled model of one check block (raises SpecError on a bad instance)."""
    return Model(lower_block(loaded.typed, check, overrides))


def run_check(loaded: LoadedSpec, check: ir.CheckIR, overrides: dict[str, ir.E],
              options: CheckOptions = CheckOptions(), model: Model | None = None) -> CheckResult:
    model = model or prepare(loaded, check, overrides)
    system = model.system
    expected = {prop: outcome for prop, outcome, _ in check.expects}
    check_deadlock = not system.allow_deadlock or "DeadlockFreedom" in expected
    warnings = []
    sym = symmetry_for(system, options)
    if sym is not None and system.temporal:
        sym = None
        warnings.append(f"{system.path}: warning: symmetry reduction is off for this check: "
                        "it is not sound for temporal properties under fairness")
    if options.workers > 1 and system.temporal and model.fairness.rules:
        warnings.append(f"{system.path}: warning: this check explores in one process "
                        "(--workers is ignored): its temporal properties under fairness "
                        "are decided on the whole labelled state graph")
    fingerprints = options.fingerprints and not system.temporal
    if options.fingerprints and system.temporal:
        warnings.append(f"{system.path}: warning: this check keeps every state "
                        "(--fingerprints is ignored): its temporal properties are decided "
                        "on the reachable states themselves")
    t0 = time.perf_counter()
    # Temporal properties under fairness are decided on the labelled state graph;
    # without any fair unit, on the reachable states alone (stuttering_violation).
    fair = bool(system.temporal) and bool(model.fairness.rules)
    search = SearchOptions(options.max_states, options.max_depth, options.max_seconds,
                           check_deadlock, sym.canonical if sym else None,
                           fair, options.progress, exhaustive=bool(system.temporal))
    if options.checkpoint is not None or options.resume is not None:
        search = _checkpointing(loaded, check, system, options, search, sym is not None,
                                check_deadlock, warnings)
    try:
        if options.phase is not None:
            options.phase("search")
        if fingerprints:
            result = bfs_fingerprints(model, search)
        elif (options.workers > 1 or options.engine == "ray") and not search.graph:
            result = bfs_parallel(model, search, options.workers, _pool_factory(options))
        else:
            result = bfs(model, search)   # an interrupt inside ends the search, with results
    except KeyboardInterrupt:             # one before the search started: nothing explored
        result = SearchResult(0, 0, 0, 0.0, "interrupted")
    if search.checkpoint is not None and search.checkpoint.failed:
        warnings.append(f"warning: {search.checkpoint.failed}; the search went on without "
                        f"checkpoints")

    interrupted = False

    def attempt(fn, *args):
        """fn(*args), or None when an interrupt arrives meanwhile (then noted): what was
        found before it still counts."""
        nonlocal interrupted
        try:
            return fn(*args)
        except KeyboardInterrupt:
            interrupted = True
            return None

    def trace_of(states):
        return model.trace(sym.concretize(model, states) if sym else states)

    stop = StopReason(result.stop)
    props = [(p.name, "invariant") for p in system.invariants] + \
        [(p.name, "transition") for p in system.transitions]
    if check_deadlock:
        props.append(("DeadlockFreedom", "deadlock"))
    verdicts = []
    invariants = {p.name: p for p in system.invariants}
    for name, kind in props:
        v = result.violations.get(name)
        note = ""
        if v is not None:
            trace = attempt(trace_of, result.path_states(v.path, v.extra))
            status = Status.VIOLATED
            if name in invariants and system.histories:
                note = history_note(system, invariants[name], trace.states[-1])
        else:
            trace = None
            status = Status.HOLDS if stop.exhaustive else Status.UNKNOWN
        verdicts.append(Verdict(name, kind, expected.get(name, "holds"), status, trace,
                                note=note))
    # The temporal properties are decided once the search has explored every state.
    decided = result.graph is not None or (not search.graph and result.stop == "complete")
    decide = liveness_violation if search.graph else stuttering_violation
    if model.temporal and decided and options.phase is not None:
        attempt(options.phase, "liveness")
    predicate_error = None
    for prop, instances in model.temporal:
        lasso, vacuous = None, False
        if decided and not interrupted and predicate_error is None:
            try:
                found = attempt(decide, model, result, prop, instances)
            except PredicateError as exc:
                predicate_error, found = exc, None
            if found is not None:
                lasso, vacuous = found
        if interrupted:
            # The search is complete, so its safety verdicts stand; this temporal
            # property and the ones after it are unknown.
            decided = False
        if lasso is not None:
            states, loop_start, choices = lasso
            trace, status = attempt(model.trace, states, loop_start, choices), Status.VIOLATED
        else:
            trace = None
            status = Status.HOLDS if decided and predicate_error is None \
                else Status.UNKNOWN
        if vacuous:
            names = ", ".join(c.name for c in system.constraints)
            warnings.append(
                f"{prop.span}: warning: temporal property {prop.name} holds only because "
                f"fair actions are enabled by steps that leave the constraint ({names}): "
                "no fair behaviour that would violate it stays inside the constraint, so "
                "the verdict says nothing about the unconstrained spec")
        verdicts.append(Verdict(prop.name, "temporal", expected.get(prop.name, "holds"),
                                status, trace))
    if predicate_error is not None and result.error is None:
        # As for an invariant: a run-time error, with a shortest path to its state.
        result.error = (predicate_error.error, _state_path(result.parents,
                                                           predicate_error.state), "state")
        stop = StopReason.MODEL_ERROR      # the verdicts found before it stand
    failure = None
    if result.error is not None:
        exc, path, phase = result.error
        span = system.sites[exc.site]
        trace = attempt(trace_of, result.path_states(path)) if path else None
        notes = ()
        if phase == "step":
            notes = ("the error happened while computing a step from the last state shown",)
        failure = ModelFailure(Diagnostic(exc.code,
                                          exc.message, span, notes=notes), trace)
    if interrupted:
        stop = StopReason.INTERRUPTED
    peak = peak_rss_mib()
    seconds = time.perf_counter() - t0       # the search and, if any, the liveness analysis
    notes = ()
    if fingerprints:
        stats = Stats(result.states, result.transitions, result.depth, seconds, peak,
                      result.bytes_per_state, result.collision_probability)
        notes = (f"check {check.name}: fingerprints: {result.states:,} states stored in "
                 f"{result.bytes_per_state:.1f} bytes each; probability that a fingerprint "
                 f"collision hid a state: {result.collision_probability:.2g} (optimistic "
                 f"estimate, as TLC's)",)
    else:
        stats = Stats(result.states, result.transitions, result.depth, seconds, peak)
    coverage = None
    if stop is StopReason.COMPLETE and not fingerprints:
        # After a complete search only: actions that never fired are dead in this instance.
        # The pass replays states until every action has fired, which can cost as much as
        # the search (an action enabled in one state): automatic up to COVERAGE_STATES.
        if options.coverage or result.states <= COVERAGE_STATES:
            warnings.extend(attempt(warnings_for, model, result.state_list, check.name) or ())
        if options.coverage and not interrupted:
            coverage = attempt(action_counts, model, result.state_list, result.parents,
                               sym.canonical if sym else None)
    elif options.coverage:
        why = "--fingerprints keeps no states" if fingerprints else \
            f"the search stopped ({stop.value})"
        warnings.append(f"{system.path}: warning: check {check.name}: no action coverage: "
                        f"it needs a complete search, and {why}")
    if sym is not None:
        for sort, value, span in singled_out(system):
            warnings.append(f"{span}: warning: {sort} is symmetric, but the spec singles out "
                            f"its value '{value}' here; symmetry reduction can then miss "
                            f"violations (run with --no-symmetry)")
    return CheckResult(system.name, system.path, check.name, describe_constants(system),
                       tuple(verdicts), stats, stop, failure, not check_deadlock,
                       tuple(warnings), notes=notes, coverage=coverage)


def _pool_factory(options: CheckOptions):
    """The workers' kind: forked processes (None), or Ray actors (--engine ray)."""
    if options.engine != "ray":
        return None
    from .cluster import RayPool      # Ray is optional: imported only when asked for
    return RayPool
