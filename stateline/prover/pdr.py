"""Automatic unbounded proofs with Z3's Spacer (property-directed reachability over
constrained Horn clauses).

The reachable states of the instance are a relation `Reach` over the state's
leaves, defined by two Horn clauses:

    init(s)                                  =>  Reach(s)
    Reach(s) and constraint(s) and T(s, s')  =>  Reach(s')

and each property is a query: is `Reach(s) and bad(s)` satisfiable?  `unsat`
means proved for every reachable state, and Spacer's inductive invariant for
`Reach` (its "cover") is the evidence, printed in the spec language
(`translate`); `sat` means a violation is reachable, and bounded model checking
then finds a shortest counterexample, replayed like any trace; `unknown` (a
timeout, or Spacer's incompleteness) is reported with its reason.

Properties are asked in order on one fixedpoint object, so what Spacer learns
proving one is reused for the next.
"""

from __future__ import annotations

from dataclasses import replace

import z3

from ..models.model import Model
from .bmc import BmcRun, _failure
from .decode import constraint_error, evaluation_error, first_error, replay, target_error
from .fairness import predicate_targets
from .enabled import SPACER_REFUSAL, quantified
from .encode import Encoding
from .results import Claim, Obligation
from .scopes import Deadline, ask, new_solver, one_line, stop_if_interrupted
from .symbolic import flatten, lift
from .terms import And, Not, Or, is_false
from .translate import answer_formula, invariant_text

ERRORS = "(run-time errors)"
COUNTEREXAMPLE_DEPTH = 200      # steps tried to find the trace of a violation Spacer found


def spacer(enc: Encoding, model: Model, expected: dict, deadline: Deadline,
           check_deadlock: bool):
    pre, post = enc.pre, enc.post
    # Leaves no action ever changes keep their (single) initial value: they become
    # constants rather than arguments of Reach, which Spacer would have to learn.
    frozen = frozen_leaves(enc)
    subst = [(pre.leaves[i], v) for i, v in frozen.items()] + \
        [(post.leaves[i], v) for i, v in frozen.items()]

    def fix(term):
        return z3.substitute(term, *subst) if subst else term

    kept = [i for i in range(len(pre.leaves)) if i not in frozen]
    now_args = [pre.leaves[i] for i in kept]
    next_args = [post.leaves[i] for i in kept]
    fp = z3.Fixedpoint()
    fp.set(engine="spacer")
    fp.set("spacer.random_seed", 0)
    # Without inlining the rules are kept as written (one step clause over the action
    # selector): about twice as fast on two-phase commit with N = 3, no slower on the
    # other instances measured (bench/README.md).
    fp.set("xform.inline_linear", False)
    fp.set("xform.inline_eager", False)
    reach = z3.Function("Reach", *[x.sort() for x in now_args], z3.BoolSort())
    fp.register_relation(reach)
    fp.declare_var(*now_args, *next_args, enc.sel, *enc.params)
    fp.rule(reach(*now_args), fix(And(enc.init(pre), *pre.facts)))
    within = And(*[c.value for c in enc.constraints])
    # A state where computing a step (or the constraint) raises a run-time error has no
    # successors: the explicit search stops there.  (With symbolic choices the quantified
    # part is left out: sound for proofs, and the counterexample search below still
    # avoids such states.)  A state where an invariant cannot be evaluated keeps its
    # successors: the explicit search stops evaluating an invariant once it is violated
    # and goes on exploring, so such a state may lead to violations of the others.
    ok = enc.error_free(quantified=False)
    fp.rule(reach(*next_args), [reach(*now_args), fix(And(within, ok, enc.trans(), *post.facts))])
    now = reach(*now_args)

    # A property fails where it is false or cannot be evaluated (its run-time errors are
    # its own: the explicit search reports them while the property is being checked).
    queries = [(p.prop.name, "invariant", p.fails, None) for p in enc.invariants]
    queries += [(p.prop.name, "transition", And(within, enc.trans(), p.fails), p)
                for p in enc.transitions]
    # A temporal property's predicate raising is an error too; check reports it only
    # when no other run-time error is reachable (after its search), so its counterexample
    # is looked for only then.
    safety_errors = Or(enc.constraint_error(), And(within, enc.step_error()))
    targets = [(t, And(within, t.error)) for t in predicate_targets(enc)]
    errors = Or(safety_errors, *(bad for _, bad in targets))
    if not is_false(errors):
        queries.append((ERRORS, "errors", errors, None))
    notes = []
    # Deadlock freedom with symbolic choices is "exists a choice that is enabled": its
    # negation is universally quantified, which a Horn query cannot state.  It is then
    # decided after the other queries, from the inductive invariant Spacer found.
    deadlock_later = check_deadlock and any(inst.params for inst in enc.instances)
    if check_deadlock and not deadlock_later:
        queries.append(("DeadlockFreedom", "deadlock", And(within, Not(enc.enabled_any())),
                        None))

    obligations, proved, failure = [], [], None
    for name, kind, bad, _ in [q for q in queries if quantified(q[2])]:
        obligations.append(Obligation(name, kind, expected.get(name, "holds"),
                                      Claim.UNKNOWN, SPACER_REFUSAL))
    queries = [q for q in queries if not quantified(q[2])]
    # First every property at once: when they all hold, one query proves them all and
    # its answer is one invariant for all of them; otherwise each is asked on its own,
    # reusing what Spacer learnt.
    unfixed = {name: bad for name, _, bad, _ in queries}
    queries = [(name, kind, fix(bad), prop) for name, kind, bad, prop in queries]
    together = _query(fp, deadline, And(now, Or(*[bad for _, _, bad, _ in queries])))
    if together[0] == z3.unsat:
        for name, kind, bad, prop in queries:
            proved.append(name)
            obligations.append(Obligation(name, kind, expected.get(name, "holds"),
                                          Claim.PROVED, "for all reachable states"))
    else:
        for name, kind, bad, prop in queries:
            exp = expected.get(name, "holds")
            r, reason = _query(fp, deadline, And(now, bad))
            if r == z3.unsat:
                proved.append(name)
                obligations.append(Obligation(name, kind, exp, Claim.PROVED,
                                              "for all reachable states"))
            elif r == z3.sat and kind == "errors" and targets:
                o, error = _error_counterexample(fp, deadline, enc, model, exp, now,
                                                 safety_errors, targets, fix)
                failure = failure or error
                obligations.append(o)
            elif r == z3.sat:
                o, error = _counterexample(enc, model, name, kind, exp, unfixed[name], prop,
                                           deadline)
                failure = failure or error
                obligations.append(o)
            else:
                obligations.append(Obligation(name, kind, exp, Claim.UNKNOWN, reason))
        if proved and len(proved) < len(queries):
            # The answer printed is that of one query proving every proved property.
            bads = [bad for name, _, bad, _ in queries if name in proved]
            if _query(fp, deadline, And(now, Or(*bads)))[0] != z3.unsat:
                proved = []
    cover = None
    if proved:
        try:
            cover = answer_formula(fp.get_answer())
        except z3.Z3Exception:
            cover = None
        if cover is not None:
            text = invariant_text(enc, cover, kept)
            if frozen:
                text += f"\n    # and the {len(frozen)} part{'s' if len(frozen) != 1 else ''} " \
                        f"of the state no action changes keep their initial values"
            first = next(i for i, o in enumerate(obligations) if o.name == proved[0])
            obligations[first] = replace(obligations[first], invariant=text)
            notes.append(f"the inductive invariant Spacer found implies every proved property "
                         f"({', '.join(proved)})")
    if deadlock_later:
        obligations.append(_deadlock_from_cover(enc, cover, kept, fix, within,
                                                expected.get("DeadlockFreedom", "holds"),
                                                deadline))
    return obligations, notes, failure


def _deadlock_from_cover(enc: Encoding, cover, kept: list[int], fix, within, exp: str,
                         deadline: Deadline) -> Obligation:
    """Deadlock freedom when actions have symbolic choices: proved when the inductive
    invariant Spacer found for the other properties (an over-approximation of the
    reachable states) implies that some action instance is enabled in every state
    within the constraint; otherwise no verdict (never a silent skip)."""
    name = "DeadlockFreedom"
    if cover is None:
        return Obligation(name, "deadlock", exp, Claim.UNKNOWN,
                          "not decided: with symbolic choices, --auto decides it from the "
                          "invariant that proves the other properties, and none was found "
                          "(use --bmc K, or --induction with lemmas)")
    s = new_solver()
    s.add(*[fix(f) for f in enc.pre.facts])
    s.add(z3.substitute_vars(cover, *[enc.pre.leaves[i] for i in kept]))
    a = ask(s, deadline, fix(And(within, Not(enc.enabled_any()))))
    if a.unsat:
        return Obligation(name, "deadlock", exp, Claim.PROVED,
                          "for all reachable states (implied by Spacer's invariant)")
    if a.sat:
        return Obligation(name, "deadlock", exp, Claim.UNKNOWN,
                          "not decided: Spacer's invariant for the other properties does not "
                          "rule out a deadlock (use --bmc K, or --induction with lemmas)")
    return Obligation(name, "deadlock", exp, Claim.UNKNOWN, a.reason)


def frozen_leaves(enc: Encoding) -> dict[int, object]:
    """{leaf position: its value} for leaves no action instance writes and that every
    initial state sets to the same value."""
    n = len(enc.pre.leaves)
    written = [False] * n
    for inst in enc.instances:
        for i, _ in enc.changed_leaves(inst):
            written[i] = True
    initial: list = []
    for slot, choices in zip(enc.system.slots, enc.system.initial_choices):
        net = enc.system.network
        if net is not None and slot.index == net.slot:
            zero = z3.IntVal(0) if net.rep == "bag" else z3.BoolVal(False)
            initial.extend([zero] * len(enc.pre.slots[slot.index].cells))
        elif len(choices) == 1:
            initial.extend(flatten(enc.conform(lift(choices[0], slot.dom), slot.dom), slot.dom))
        else:
            initial.extend([None] * len(flatten(enc.pre.slots[slot.index], slot.dom)))
    return {i: initial[i] for i in range(n) if not written[i] and initial[i] is not None}


def _query(fp, deadline: Deadline, goal):
    """(z3 result, reason) of one Spacer query within the deadline."""
    if deadline.expired:
        return z3.unknown, f"{deadline.budget} ran out"
    ms = deadline.remaining_ms()
    if ms is not None:
        fp.set("timeout", ms)
    stop_if_interrupted()
    try:
        r = fp.query(goal)
    except z3.Z3Exception as exc:
        stop_if_interrupted()
        if deadline.expired:
            return z3.unknown, f"{deadline.budget} ran out"
        return z3.unknown, f"Z3: {one_line(exc)}"
    stop_if_interrupted()
    if r == z3.unknown:
        reason = one_line(fp.reason_unknown())
        if deadline.seconds is not None and deadline.expired:
            reason = f"{deadline.budget} ran out"
        return r, f"Spacer: {reason}"
    return r, ""


def _error_failure(model, states, target=None):
    """The error at the end of a path to a state where the constraint, a step or (the
    target) a temporal property's predicate raises."""
    if target is not None:
        return _failure(model, states, target_error(model, states[-1], target), "state")
    state_error = constraint_error(model, states[-1])
    exc = state_error or first_error(model, states[-1])
    return _failure(model, states, exc, "state" if state_error else "step")


def _error_counterexample(fp, deadline, enc, model, exp, now, safety_errors, targets, fix):
    """The run-time errors obligation, some error being reachable: the one check reports
    (a safety error if any is reachable, else the first predicate, in check's order,
    that raises in a reachable state), with a shortest path to it."""
    for bad, target in [(safety_errors, None)] + [(bad, t) for t, bad in targets]:
        r, reason = _query(fp, deadline, And(now, fix(bad)))
        if r == z3.sat:
            return _counterexample(enc, model, ERRORS, "errors", exp, bad, None, deadline,
                                   target)
        if r != z3.unsat:
            return Obligation(ERRORS, "errors", exp, Claim.UNKNOWN, reason), None
    return Obligation(ERRORS, "errors", exp, Claim.UNKNOWN,
                      "Spacer found a run-time error reachable, then none on its own"), None


def _counterexample(enc, model, name, kind, exp, bad, prop, deadline, target=None):
    """Spacer says a bad state is reachable: find a shortest path to it by BMC.
    (the obligation, and the run-time error found, as a ModelFailure, or None)."""
    run = BmcRun(enc, model, deadline, avoid_errors=True)
    while run.depth <= COUNTEREXAMPLE_DEPTH:
        last = run.states[-1]
        if kind == "transition":
            # the step starts in a state the explicit search expands: no run-time error
            nxt = enc.at(run.depth + 1)
            step = enc.instantiate(run.trans, last, nxt, f"@{run.depth}")
            term = And(enc.instantiate(bad, last, nxt, f"@{run.depth}"),
                       enc.instantiate(run.ok, last))
            a = run.ask_at(term, post=(nxt, step))
            extra = nxt
        else:
            a = run.ask_at(enc.instantiate(bad, last, tag=f"@{run.depth}"))
            extra = None
        if a.sat:
            states = run.path(a, extra)
            n = len(states) - 1
            steps = f"{n} step{'s' if n != 1 else ''}"
            if kind == "errors":
                failure = _error_failure(model, states, target)
                return Obligation(name, kind, exp, Claim.VIOLATED,
                                  f"a run-time error is reachable in {steps}",
                                  trace=replay(model, states)), failure
            exc = evaluation_error(model, name, kind, states)
            if exc is not None:
                # As in the explicit search: a run-time error, not a verdict on the property.
                failure = _failure(model, states[:-1], exc, "step") if kind == "transition" \
                    else _failure(model, states, exc, "state")
                return Obligation(name, kind, exp, Claim.UNKNOWN,
                                  f"not decided: evaluating it raises a run-time error after "
                                  f"{steps} ({exc.message})"), failure
            return Obligation(name, kind, exp, Claim.VIOLATED, f"violated after {steps}",
                              trace=replay(model, states), depth=n), None
        if not a.unsat:
            return Obligation(name, kind, exp, Claim.UNKNOWN,
                              f"Spacer found a violation; bounded model checking gave up "
                              f"before finding its trace ({a.reason})"), None
        run.extend()
    return Obligation(name, kind, exp, Claim.UNKNOWN,
                      f"Spacer found a violation, but no path of at most "
                      f"{COUNTEREXAMPLE_DEPTH} steps free of run-time errors leads to it"), None
