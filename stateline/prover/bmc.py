"""Bounded model checking: every property of an instance, depth by depth, to depth K.

At each depth k (k steps from an initial state, every state before the last
within the `constraint`) the engine asks Z3, in the order the explicit search
meets them: can evaluating a property in the last state raise a run-time
error; is an invariant false there; can computing a step from it raise one; is
a transition invariant false on a step from it; does it have no successor
(deadlock, unless allowed).  The first depth at which a property fails gives a
shortest counterexample, as breadth-first search does; it is decoded and
replayed through the compiled model.  A run-time error ends the run, as it
ends an explicit check.

What "holds" means here: no violation within K steps (`Claim.BOUNDED`).
"""

from __future__ import annotations

import time

from ..diagnostics import Diagnostic
from ..models.model import Model
from ..models.verdict import ModelFailure
from .decode import (Disagreement, decode_state, evaluation_error, first_error, property_error,
                     replay)
from .encode import Encoding
from .finite_domain import finite_solver, path_bounds
from .finite_exists import written_out
from .results import Claim, Obligation
from .scopes import UNROLLING, Deadline, ask, new_solver, scope
from .terms import And, Not, Or


class BmcRun:
    """The state of one bounded search (also used by k-induction's base case)."""

    def __init__(self, enc: Encoding, model: Model, deadline: Deadline,
                 avoid_errors: bool = False, finite: bool = False):
        self.enc = enc
        self.model = model
        self.deadline = deadline
        # Only through states where no run-time error can happen (as the explicit
        # search, which stops at the first one, and so that the path replays).
        # (written out when the choices are finite: no quantifier for Z3 to instantiate)
        self.ok = written_out(enc.error_free()) if avoid_errors else None
        self._enabled_any = None
        self.trans = enc.trans()
        # `finite`: Z3's finite-domain tactic when every leaf can be bounded along a
        # path, else (and once it gives up on a query) its SMT solver (finite_domain.py).
        # The tactic solves each query afresh: a search that asks one query a depth (the
        # fair-lasso search) gains, one that asks several (BMC) loses the SMT solver's
        # incremental work.
        self.bounds = path_bounds(enc, deadline) if finite else None
        self._base: list = []       # every assertion outside a scope, to start over
        if self.bounds is not None:
            n = len(enc.instances)
            self.choices = And(enc.sel >= 0, enc.sel <= n - 1,
                               *(f for inst in enc.instances for f in inst.facts))
        self.solver = finite_solver() if self.bounds is not None else \
            new_solver(**UNROLLING)
        s0 = enc.at(0)
        self._add(*s0.facts, enc.init(s0), *self._path_facts(s0, 0))
        self.states = [s0]
        self.depth = 0

    def _path_facts(self, state, depth: int) -> list:
        return [] if self.bounds is None else self.bounds.facts(state.leaves, depth)

    def _add(self, *terms):
        self._base.extend(terms)
        self.solver.add(*terms)

    def extend(self):
        """Add one more step from the last state (which must be within the constraint)."""
        enc, k = self.enc, self.depth
        last = self.states[k]
        for c in enc.constraints:
            self._add(enc.instantiate(c.value, last))
        if self.ok is not None:
            self._add(enc.instantiate(self.ok, last))
        nxt = enc.at(k + 1)
        self._add(*nxt.facts, *self._path_facts(nxt, k + 1))
        self._add(enc.instantiate(self.trans, last, nxt, f"@{k}"))
        self.states.append(nxt)
        self.depth = k + 1

    def enabled_any(self):
        """`enc.enabled_any()`, written out when the choices are finite."""
        if self._enabled_any is None:
            self._enabled_any = written_out(self.enc.enabled_any())
        return self._enabled_any

    def ask_at(self, term, post=None):
        """Is `term` (over the last state, and `post` when given) satisfiable?"""
        a = self._ask(term, post)
        if self.bounds is not None and not a.sat and not a.unsat and \
                not self.deadline.expired:
            # the finite-domain tactic gave up (an unbounded integer, a quantifier):
            # the SMT solver from here on
            self.bounds = None
            self.solver = new_solver(**UNROLLING)
            self.solver.add(*self._base)
            a = self._ask(term, post)
        return a

    def _ask(self, term, post):
        with scope(self.solver):
            if post is not None:
                self.solver.add(*post[0].facts)
                self.solver.add(*self._path_facts(post[0], self.depth + 1))
                self.solver.add(post[1])
            if self.bounds is not None:
                # (the choices of a step from the last state: bounded for the solver)
                self.solver.add(self.enc.instantiate(self.choices, self.states[-1],
                                                     tag=f"@{self.depth}"))
            self.solver.add(term)
            return ask(self.solver, self.deadline)

    def path(self, answer, extra=None) -> list[tuple]:
        states = [decode_state(self.enc, s, answer.model) for s in self.states]
        if extra is not None:
            states.append(decode_state(self.enc, extra, answer.model))
        return states


def bmc(enc: Encoding, model: Model, bound: int, expected: dict[str, str],
        deadline: Deadline, check_deadlock: bool):
    """(obligations, [(depth, seconds)], ModelFailure or None, stop note)."""
    run = BmcRun(enc, model, deadline)
    props = [(p, "invariant") for p in enc.invariants] + \
        [(p, "transition") for p in enc.transitions]
    found: dict[str, Obligation] = {}
    depths: list[tuple[int, float]] = []
    failure = None
    stop = ""
    names = [p.prop.name for p, _ in props] + (["DeadlockFreedom"] if check_deadlock else [])

    def violated(name, kind, trace, k):
        n = len(trace)
        found[name] = Obligation(name, kind, expected.get(name, "holds"), Claim.VIOLATED,
                                 f"a counterexample of {n} step{'s' if n != 1 else ''}",
                                 trace=trace, depth=k)

    def unknown(answer):
        done = f"no violation in {run.depth - 1} step{'s' if run.depth != 2 else ''}, then " \
            if run.depth > 0 else ""
        return f"{done}Z3 gave up at depth {run.depth}: {answer.reason}"

    k = 0
    while True:
        started = time.perf_counter()
        last = run.states[k]
        active = [p for p, kind in props if kind == "invariant" and p.prop.name not in found]
        # 1. evaluating a property (or the constraint) in the last state raises an error
        state_err = Or(*[enc.instantiate(p.error, last) for p in active + enc.constraints])
        a = run.ask_at(state_err)
        if a.sat:
            states = run.path(a)
            failure = _failure(model, states, property_error(
                model, states[-1], {p.prop.name for p in active}), "state")
            depths.append((k, time.perf_counter() - started))
            break
        if not a.unsat:
            stop = unknown(a)
            depths.append((k, time.perf_counter() - started))
            break
        # 2. an invariant is false in the last state
        for p in active:
            a = run.ask_at(Not(enc.instantiate(p.value, last)))
            if a.sat:
                violated(p.prop.name, "invariant", replay(model, run.path(a)), k)
            elif not a.unsat:
                stop = unknown(a)
                break
        if stop:
            depths.append((k, time.perf_counter() - started))
            break
        within = And(*[enc.instantiate(c.value, last) for c in enc.constraints])
        # 3. computing a step from the last state raises an error
        a = run.ask_at(And(within, enc.instantiate(enc.step_error(), last, tag=f"@{k}")))
        if a.sat:
            states = run.path(a)
            failure = _failure(model, states, first_error(model, states[-1]), "step")
            depths.append((k, time.perf_counter() - started))
            break
        if not a.unsat:
            stop = unknown(a)
            depths.append((k, time.perf_counter() - started))
            break
        # 4. a transition invariant is false on a step from the last state
        nxt = enc.at(k + 1)
        step = enc.instantiate(run.trans, last, nxt, f"@{k}")
        for p, kind in props:
            if kind != "transition" or p.prop.name in found:
                continue
            bad = And(within, enc.instantiate(p.fails, last, nxt))
            a = run.ask_at(bad, post=(nxt, step))
            if a.sat:
                states = run.path(a, nxt)
                exc = evaluation_error(model, p.prop.name, "transition", states)
                if exc is not None:
                    # The transition invariant cannot be evaluated on a step from the last
                    # state: reported as the explicit search reports it.
                    failure = _failure(model, states[:-1], exc, "step")
                    break
                violated(p.prop.name, "transition", replay(model, states), k + 1)
            elif not a.unsat:
                stop = unknown(a)
                break
        if failure is not None:
            depths.append((k, time.perf_counter() - started))
            break
        # 5. deadlock: no instance is enabled in the last state
        if not stop and check_deadlock and "DeadlockFreedom" not in found:
            a = run.ask_at(And(within, Not(enc.instantiate(run.enabled_any(), last))))
            if a.sat:
                violated("DeadlockFreedom", "deadlock", replay(model, run.path(a)), k)
            elif not a.unsat:
                stop = unknown(a)
        depths.append((k, time.perf_counter() - started))
        if stop or (names and all(n in found for n in names)) or k >= bound:
            break
        run.extend()
        k += 1
    obligations = []
    for p, kind in props:
        obligations.append(found.get(p.prop.name) or _open(p.prop.name, kind, expected, k,
                                                           failure, stop))
    if check_deadlock:
        obligations.append(found.get("DeadlockFreedom") or
                           _open("DeadlockFreedom", "deadlock", expected, k, failure, stop))
    return obligations, depths, failure, stop


def _open(name, kind, expected, k, failure, stop) -> Obligation:
    exp = expected.get(name, "holds")
    if failure is not None:
        return Obligation(name, kind, exp, Claim.UNKNOWN,
                          f"not decided: a run-time error at depth {k} ended the search")
    if stop:
        return Obligation(name, kind, exp, Claim.UNKNOWN, stop)
    return Obligation(name, kind, exp, Claim.BOUNDED,
                      f"no violation in {k} step{'s' if k != 1 else ''} (depth {k})", depth=k)


def _failure(model: Model, states: list[tuple], exc, phase: str) -> ModelFailure:
    trace = replay(model, states)
    if exc is None:
        raise Disagreement(f"Z3 found a run-time error in the {phase} at depth "
                           f"{len(states) - 1} that the compiled model does not raise")
    notes = ("the error happened while computing a step from the last state shown",) \
        if phase == "step" else ()
    code = exc.code
    return ModelFailure(Diagnostic(code, exc.message, model.system.sites[exc.site],
                                   notes=notes), trace if states else None)
