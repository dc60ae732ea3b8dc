"""Running the check blocks of a spec with the explicit-state engine.

Every invariant and transition invariant of the spec is checked in every
check block, and deadlock unless the spec or the block says
`allow deadlock`; a property without an `expect` line is expected to hold.
-D overrides replace constants in every block (after the block's own
bindings).  A spec without check blocks is checked once, as `default`.
"""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass, field
from typing import Callable

from ..diagnostics import Diagnostic
from ..lang import ir
from ..lang.load import LoadedSpec
from ..models.history_note import history_note
from ..models.lower import lower
from ..models.model import Model
from .liveness import find_violation
from .search import SearchOptions, bfs
from .symmetry import Symmetry, singled_out
from ..models.verdict import CheckResult, ModelFailure, Stats, Status, StopReason, Verdict


@dataclass(frozen=True)
class CheckOptions:
    symmetry: bool = True          # use the spec's `symmetric` sets
    max_states: int | None = None
    max_depth: int | None = None
    max_seconds: float | None = None
    # called with (states, depth, seconds) every few thousand states
    progress: Callable[[int, int, float], None] | None = field(default=None, compare=False)


def check_blocks(loaded: LoadedSpec, select: list[str] | None = None) -> list[ir.CheckIR]:
    checks = list(loaded.typed.checks)
    if not checks:
        checks = [ir.CheckIR("default", (), (), False, loaded.spec.span)]
    if select:
        checks = [c for c in checks if c.name in select]
    return checks


def liveness_violation(model: Model, result, prop, instances):
    """(states, loop start, step choices) of a fair lasso violating `prop`, or None.

    `instances` are the property's instances, one per value of a `forall` in
    front; the first violated one (in order) is reported.
    """
    g = result.graph
    states = result.state_list
    weak, strong = model.fairness.mask("weak"), model.fairness.mask("strong")
    for _label, p_fn, q_fn in instances:
        p = bytes(1 if p_fn(s) else 0 for s in states)
        q = bytes(1 if q_fn(s) else 0 for s in states) if q_fn is not None else None
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
            return path, len(lasso.prefix) - 1, choices
    return None


def symmetry_for(system, options: CheckOptions) -> Symmetry | None:
    """The symmetry reduction a run uses, or None."""
    if not options.symmetry or not system.symmetric:
        return None
    return Symmetry(system)


def describe_constants(system) -> tuple[tuple[str, str], ...]:
    return tuple((name, dom.show(value)) for name, (value, dom) in system.constants.items())


def prepare(loaded: LoadedSpec, check: ir.CheckIR, overrides: dict[str, ir.E]):
    """The compiled model of one check block (raises SpecError on a bad instance)."""
    bindings = {name: value for name, value, _ in check.bindings}
    bindings.update(overrides)
    system = lower(loaded.typed, bindings, allow_deadlock=check.allow_deadlock,
                   fairness=check.fairness)
    return Model(system)


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
    t0 = time.perf_counter()
    result = bfs(model, SearchOptions(options.max_states, options.max_depth,
                                      options.max_seconds, check_deadlock,
                                      sym.canonical if sym else None, bool(system.temporal),
                                      options.progress))

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
            trace = trace_of(result.path_states(v.path, v.extra))
            status = Status.VIOLATED
            if name in invariants and system.histories:
                note = history_note(system, invariants[name], trace.states[-1])
        else:
            trace = None
            status = Status.HOLDS if stop.exhaustive else Status.UNKNOWN
        verdicts.append(Verdict(name, kind, expected.get(name, "holds"), status, trace,
                                note=note))
    for prop, instances in model.temporal:
        lasso = None
        if result.graph is not None:
            lasso = liveness_violation(model, result, prop, instances)
        if lasso is not None:
            states, loop_start, choices = lasso
            trace, status = model.trace(states, loop_start, choices), Status.VIOLATED
        else:
            trace = None
            status = Status.HOLDS if result.graph is not None else Status.UNKNOWN
        verdicts.append(Verdict(prop.name, "temporal", expected.get(prop.name, "holds"),
                                status, trace))
    failure = None
    if result.error is not None:
        exc, path, phase = result.error
        span = system.sites[exc.site]
        trace = trace_of(result.path_states(path)) if path else None
        notes = ()
        if phase == "step":
            notes = ("the error happened while computing a step from the last state shown",)
        failure = ModelFailure(Diagnostic("SL601" if "outside" in exc.message else "SL602",
                                          exc.message, span, notes=notes), trace)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    seconds = time.perf_counter() - t0       # the search and, if any, the liveness analysis
    stats = Stats(result.states, result.transitions, result.depth, seconds, peak)
    if sym is not None:
        for sort, value, span in singled_out(system):
            warnings.append(f"{span}: warning: {sort} is symmetric, but the spec singles out "
                            f"its value '{value}' here; symmetry reduction can then miss "
                            f"violations (run with --no-symmetry)")
    return CheckResult(system.name, system.path, check.name, describe_constants(system),
                       tuple(verdicts), stats, stop, failure, not check_deadlock,
                       tuple(warnings))
