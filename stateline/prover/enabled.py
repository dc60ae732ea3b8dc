"""`enabled(A)` over the Z3 encoding: the enabling condition of A's instances.

It is `fairness.enabled` without the change of state (TLA+'s ENABLED A, not
ENABLED <<A>>_vars): some instance of A (a matching action schema, for the named
process instance if any) has its guard and every `require` hold for some choice of
its parameters, received message and branches, existentially quantified.  As in
the explicit checker, which runs the instances in order and stops at the first
successor, a step that raises a run-time error is an error of evaluating enabled()
when no instance before it has a successor (an error of the property, recorded in
`Eval.errors`: in a state a constraint discards, the step itself is never taken).
The instances are in the encoding's order (instance, parameters, message), which
is the explicit one except for handlers on a set network, whose messages the
explicit code unrolls outermost.  It is a term over the template pre-state (over
the post-state when primed), so the engines instantiate it at each step like any
property.
"""

from __future__ import annotations

import z3

from ..lang.enabled import EnabledE
from .symbolic import Unencodable, eq, lift
from .terms import And, Not, Or, is_false


def enabled_term(ev, e: EnabledE, env: dict):
    """The Z3 Bool of `e` in the state `ev` reads (the template pre- or post-state)."""
    enc = ev.enc
    state = ev.state
    if not all(a is b for a, b in zip(state.slots, enc.pre.slots)):
        raise Unencodable(f"enabled({e.label}) outside a property", e.span)
    key = None
    if e.key is not None:
        key = ev.expr(e.key, env)
    proc = enc.system.processes.get(e.process) if e.process else None
    parts, errors = [], []
    for inst in enc.instances:
        if inst.action >= len(enc.system.actions) or \
                not e.matches(enc.system.actions[inst.action]):
            continue
        part = _exists(inst, And(inst.enabled, *inst.facts))
        # the explicit function runs the instances in order and stops at the first
        # successor: an instance's error is raised when no earlier one has a successor
        error = _exists(inst, And(inst.error, *inst.facts))
        if key is not None and proc is not None and not proc.single:
            mine = eq(key, lift(inst.node, proc.instance_dom))
            part, error = And(mine, part), And(mine, error)
        errors.append(And(error, Not(Or(*parts))))
        parts.append(And(part, Not(error)) if not is_false(error) else part)
    ev.error(_post(enc, state, e, Or(*errors)), e.span,
             f"a step of {e.label} raises a run-time error while enabled() is evaluated")
    if key is not None and proc is not None and not proc.single:
        # an instance that is not one is a run-time error, as in the explicit checker
        ev.error(Not(Or(*(eq(key, lift(v, proc.instance_dom)) for v in proc.instances))),
                 e.key.span, f"instance of {proc.name}: not an instance")
    return _post(enc, state, e, Or(*parts))


def _exists(inst, body):
    return z3.Exists(inst.params, body) if inst.params and not is_false(body) else body


def _post(enc, state, e: EnabledE, term):
    """`term` over the pre-state, or over the post-state for a primed enabled()."""
    if not e.primed or is_false(term):
        return term
    if state.post is None:
        raise Unencodable("a primed expression outside a transition invariant", e.span)
    return z3.substitute(term, *zip(enc.pre.leaves, enc.post.leaves))


SPACER_REFUSAL = ("it asks enabled() of an action with symbolic choices, a quantified "
                  "condition a Horn query cannot state: prove it with --induction, "
                  "--k-induction or --bmc")


def quantified(term) -> bool:
    """Does `term` contain a quantifier (an enabled() over symbolic choices)?"""
    seen, stack = set(), [term]
    while stack:
        t = stack.pop()
        if z3.is_quantifier(t):
            return True
        if t.get_id() in seen:
            continue
        seen.add(t.get_id())
        stack.extend(t.children())
    return False
