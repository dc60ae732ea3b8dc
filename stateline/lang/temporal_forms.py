"""The shapes of a `property` formula, and the forms they elaborate to.

A property's formula is one of ir.TEMPORAL_FORMS over state predicates P and Q
(`temporal_form`), possibly under `forall x in S:`, or the stability form

    always (P implies always P)

which no fair behaviour can violate except by a step from a P-state to a state
without P, so it is elaborated as the transition invariant `P implies P'`
(`stability_transition`): every engine decides it as one, and its
counterexample is the step.  `initially P implies eventually Q` is the form
"initially_eventually": `eventually Q` on the behaviours whose initial state
satisfies P (TLA+'s `P => <>Q` at the start of a behaviour).
"""

from __future__ import annotations

from . import ast as A
from ..diagnostics import fail as err
from .fmt_expr import expr as show

SUPPORTED = ("supported: eventually P, always eventually P, eventually always P, "
             "P leads_to Q, initially P implies eventually Q, always (P implies always P) "
             "(each possibly under forall x in S:), with P and Q state predicates")


def _state(x) -> bool:
    return not isinstance(x, A.Temporal)


def temporal_form(f: A.Expr):
    """(form, P, Q) for a supported temporal formula, else (None, None, None)."""
    if isinstance(f, A.Temporal):
        if f.op == "leads_to":
            return "leads_to", f.args[0], f.args[1]
        if f.op == "initially":
            body = f.args[1]
            if isinstance(body, A.Temporal) and body.op == "eventually" \
                    and _state(body.args[0]):
                return "initially_eventually", f.args[0], body.args[0]
            return None, None, None
        if f.op in ("stable", "forall"):
            return None, None, None
        inner = f.args[0]
        if f.op == "eventually":
            if _state(inner):
                return "eventually", inner, None
            if inner.op == "always" and _state(inner.args[0]):
                return "eventually_always", inner.args[0], None
        if f.op == "always" and isinstance(inner, A.Temporal):
            if inner.op == "eventually" and _state(inner.args[0]):
                return "always_eventually", inner.args[0], None
            if inner.op == "leads_to":        # always (P leads_to Q) is P leads_to Q
                return "leads_to", inner.args[0], inner.args[1]
    return None, None, None


def unsupported_hint(f: A.Expr) -> tuple[str, str]:
    """(message, hint) for a temporal formula temporal_form does not support."""
    if isinstance(f, A.Temporal) and f.op == "initially":
        return ("'initially P implies ...' is supported only as 'initially P implies "
                "eventually Q'", "P is evaluated in the initial state; Q must be a state "
                "predicate")
    return "this temporal formula is not supported", SUPPORTED


def stability_transition(d: A.Property) -> A.Transition | None:
    """The transition invariant `[forall x in S:] P implies P'` a stability property
    `[forall x in S:] always (P implies always P)` means, or None if `d` is none."""
    f = d.expr
    binders: list[A.Binder] = []
    while isinstance(f, A.Temporal) and f.op == "forall":
        binders.extend(f.binders)
        f = f.args[0]
    if not (isinstance(f, A.Temporal) and f.op == "stable"):
        return None
    p, q = f.args
    if show(p) != show(q):
        err("SL106", "'always (P implies always Q)' is supported only as the stability "
                     "form, with Q the same predicate as P", f.span,
            hint=f"write 'always ({show(p, 2, False)} implies always {show(p)})', or "
                 "a transition invariant for a property of each step")
    body: A.Expr = A.Binary("implies", p, A.Prime(p, span=f.span), span=f.span)
    if binders:
        body = A.Quant("forall", tuple(binders), body, span=d.span)
    return A.Transition(d.name, body, span=d.span)
