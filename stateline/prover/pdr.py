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
from .decode import first_error, property_error, replay
from .encode import Encoding
from .results import Claim, Obligation
from .scopes import Deadline, stop_if_interrupted
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
    # A state where a run-time error can happen has no successors: the explicit search
    # stops there.  (With symbolic choices the quantified part is left out: sound for
    # proofs, and the counterexample search below still avoids such states.)
    ok = enc.error_free(quantified=False)
    fp.rule(reach(*next_args), [reach(*now_args), fix(And(within, ok, enc.trans(), *post.facts))])
    now = reach(*now_args)

    queries = [(p.prop.name, "invariant", Not(p.value), None) for p in enc.invariants]
    queries += [(p.prop.name, "transition", And(within, enc.trans(), Not(p.value)), p)
                for p in enc.transitions]
    errors = Or(*[p.error for p in enc.invariants + enc.constraints],
                And(within, enc.step_error()))
    if not is_false(errors):
        queries.append((ERRORS, "errors", errors, None))
    notes = []
    if check_deadlock:
        if all(not inst.params for inst in enc.instances):
            queries.append(("DeadlockFreedom", "deadlock", And(within, Not(enc.enabled_any())),
                            None))
        else:
            notes.append("deadlock freedom is not checked by --auto when an action has a "
                         "symbolic choice; use --bmc")

    obligations, proved, failure = [], [], None
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
            elif r == z3.sat:
                o = _counterexample(enc, model, name, kind, exp, unfixed[name], prop, deadline)
                if kind == "errors" and o.trace is not None:
                    failure = _error_failure(model, list(o.trace.states))
                obligations.append(o)
            else:
                obligations.append(Obligation(name, kind, exp, Claim.UNKNOWN, reason))
        if len(proved) > 1 and len(proved) < len(queries):
            bads = [bad for name, _, bad, _ in queries if name in proved]
            if _query(fp, deadline, And(now, Or(*bads)))[0] != z3.unsat:
                proved = []
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
    return obligations, notes, failure


def frozen_leaves(enc: Encoding) -> dict[int, object]:
    """{leaf position: its value} for leaves no action instance writes and that every
    initial state sets to the same value."""
    n = len(enc.pre.leaves)
    written = [False] * n
    for inst in enc.instances:
        for i, (new, old) in enumerate(zip(enc.post_leaves(inst), enc.pre.leaves)):
            if not written[i] and not new.eq(old):
                written[i] = True
    initial: list = []
    for slot, choices in zip(enc.system.slots, enc.system.initial_choices):
        if slot.var is None:
            net = enc.system.network
            zero = z3.IntVal(0) if net.rep == "bag" else z3.BoolVal(False)
            initial.extend([zero] * (net.messages.size or 0))
        elif len(choices) == 1:
            initial.extend(flatten(enc.conform(lift(choices[0], slot.dom), slot.dom), slot.dom))
        else:
            initial.extend([None] * len(flatten(enc.pre.slots[slot.index], slot.dom)))
    return {i: initial[i] for i in range(n) if not written[i] and initial[i] is not None}


def _query(fp, deadline: Deadline, goal):
    """(z3 result, reason) of one Spacer query within the deadline."""
    if deadline.expired:
        return z3.unknown, f"the --timeout of {deadline.seconds:g} s ran out"
    ms = deadline.remaining_ms()
    if ms is not None:
        fp.set("timeout", ms)
    stop_if_interrupted()
    try:
        r = fp.query(goal)
    except z3.Z3Exception as exc:
        stop_if_interrupted()
        if deadline.expired:
            return z3.unknown, f"the --timeout of {deadline.seconds:g} s ran out"
        return z3.unknown, f"Z3: {exc}"
    stop_if_interrupted()
    if r == z3.unknown:
        reason = fp.reason_unknown()
        if deadline.seconds is not None and deadline.expired:
            reason = f"the --timeout of {deadline.seconds:g} s ran out"
        return r, f"Spacer: {reason}"
    return r, ""


def _error_failure(model, states):
    state_error = property_error(model, states[-1])
    exc = state_error or first_error(model, states[-1])
    return _failure(model, states, exc, "state" if state_error else "step")


def _counterexample(enc, model, name, kind, exp, bad, prop, deadline) -> Obligation:
    """Spacer says a bad state is reachable: find a shortest path to it by BMC."""
    run = BmcRun(enc, model, deadline, avoid_errors=True)
    while run.depth <= COUNTEREXAMPLE_DEPTH:
        last = run.states[-1]
        if kind == "transition":
            nxt = enc.at(run.depth + 1)
            step = enc.instantiate(run.trans, last, nxt, f"@{run.depth}")
            term = enc.instantiate(bad, last, nxt, f"@{run.depth}")
            a = run.ask_at(term, post=(nxt, step))
            extra = nxt
        else:
            a = run.ask_at(enc.instantiate(bad, last, tag=f"@{run.depth}"))
            extra = None
        if a.sat:
            states = run.path(a, extra)
            trace = replay(model, states)
            if kind == "errors":
                return Obligation(name, kind, exp, Claim.VIOLATED,
                                  f"a run-time error is reachable in {len(trace)} steps "
                                  f"(run `stateline check` for the error)", trace=trace)
            n = len(trace)
            return Obligation(name, kind, exp, Claim.VIOLATED,
                              f"violated after {n} step{'s' if n != 1 else ''}", trace=trace,
                              depth=n)
        if not a.unsat:
            return Obligation(name, kind, exp, Claim.UNKNOWN,
                              f"Spacer found a violation; bounded model checking gave up "
                              f"before finding its trace ({a.reason})")
        run.extend()
    return Obligation(name, kind, exp, Claim.UNKNOWN,
                      f"Spacer found a violation, but no path of at most "
                      f"{COUNTEREXAMPLE_DEPTH} steps free of run-time errors leads to it")

