"""A violation found by liveness-to-safety (`l2s`), as a lasso confirmed on the compiled model.

Spacer's answer to a reachable bad state is a derivation: the states of the
extended system (`l2s.Product`) from an initial state to one where the saved copy
equals the current state.  The first state whose successor has `loop.saved` set
is the loop's first state.  The path is decoded leaf by leaf into runtime states
(`decode.decode_state`), steps that change nothing (stuttering, or an action that
leaves the state as it is) are dropped, and the lasso is then checked on the
compiled model alone, with the explicit checker's definitions:

* the first state is an initial state, every state is within the constraint, and
  every step is one of `Model.successors_labeled` (`decode.replay`);
* the loop is fair: for each step of the loop an action is chosen among those
  that lead to the next state so that every weakly fair unit enabled in every
  state of the loop is taken, and every strongly fair unit enabled in some state of
  it is taken (a loop with no step is stuttering, fair when no fair unit is
  enabled in its state);
* the property's instance fails on the lasso (`eventually P`: P false in every
  state; `always eventually P`: in every state of the loop; `eventually always P`:
  in some state of the loop; `P leads_to Q`: P in some state, Q false from there,
  or from the loop's start if that is earlier, to the end).

Anything else is a `Disagreement` between the encoding and the model (an
internal error), never a verdict.
"""

from __future__ import annotations

import z3

from ..models.model import Model
from .decode import (Disagreement, constraint_error, decode_state, first_error,
                     predicate_error, property_error, replay)


class ErrorOnLasso(Exception):
    """A state of the lasso raises a run-time error on the compiled model."""


def lasso_error(model: Model, path: list):
    """The first run-time error a state of `path` raises on the compiled model (evaluating
    the constraint, the invariants or the temporal predicates, or computing its steps),
    or None."""
    for s in path:
        exc = constraint_error(model, s) or property_error(model, s) or \
            predicate_error(model, s) or first_error(model, s)
        if exc is not None:
            return exc
    return None


class _Values:
    """A stand-in for a Z3 model: the leaves' values substituted into a term."""

    def __init__(self, pairs):
        self.pairs = pairs

    def eval(self, term, model_completion=True):
        return z3.simplify(z3.substitute(term, *self.pairs)) if self.pairs else term


def ground_facts(answer, name: str) -> list:
    """The ground applications of the relation `name` in a Spacer derivation, premises
    before conclusions (the order of the path), consecutive repeats dropped."""
    out, seen = [], set()
    todo = [(answer, False)]
    while todo:
        t, done = todo.pop()
        if not z3.is_app(t):
            continue
        if done:
            if t.decl().name() == name and all(_ground(a) for a in t.children()):
                if not out or not out[-1].eq(t):
                    out.append(t)
            continue
        if t.decl().name() == "asserted":
            continue
        if t.get_id() in seen:
            continue
        seen.add(t.get_id())
        todo.append((t, True))
        for c in reversed(t.children()):
            todo.append((c, False))
    return out


def _ground(a) -> bool:
    return z3.is_int_value(a) or z3.is_true(a) or z3.is_false(a)


def lasso_from_facts(enc, model: Model, product, answer, fair, prop, number: int,
                     error_free: bool = False):
    """(the replayed trace, its shape in words) of the lasso in Spacer's derivation.
    `error_free`: raise ErrorOnLasso if a state of it raises a run-time error."""
    facts = ground_facts(answer, product.rel.name())
    n = len(product.kept)
    states, saved = [], []
    for f in facts:
        args = f.children()
        pairs = [(enc.pre.leaves[i], v) for i, v in product.frozen.items()]
        pairs += [(enc.pre.leaves[i], args[j]) for j, i in enumerate(product.kept)]
        states.append(decode_state(enc, enc.pre, _Values(pairs)))
        saved.append(z3.is_true(args[2 * n]))
    if not states or not saved[-1] or saved[0]:
        raise Disagreement("liveness to safety: Spacer's derivation is not a path to a "
                           "closed loop")
    first = saved.index(True) - 1          # the state the save step started from
    if states[-1] != states[first]:
        raise Disagreement("liveness to safety: the loop found does not close")
    path, loop = [], None
    for i, s in enumerate(states):
        if i == first:
            if not path or path[-1] != s:
                path.append(s)
            loop = len(path) - 1
        elif not path or path[-1] != s:
            path.append(s)
    k = len(path) - 1
    if k == loop:
        shape_loop = None
    else:
        shape_loop = loop
    if error_free:
        exc = lasso_error(model, path)
        if exc is not None:
            raise ErrorOnLasso(getattr(exc, "message", str(exc)))
    choices = confirm(model, prop, number, path, loop)
    trace = replay(model, path, loop, choices)
    steps = f"{k} step{'s' if k != 1 else ''}"
    shape = f"{steps}, then stuttering forever" if shape_loop is None else \
        f"{steps}, looping back to the state after step {loop}"
    return trace, shape


def confirm(model: Model, prop, number: int, path: list, loop: int) -> list:
    """Check on the compiled model that `path` (looping back to `path[loop]` at its end,
    or stuttering there when `loop` is its last index) is a fair lasso violating the
    property's instance `number`; return the choice of each step (its position among the
    labelled successors) that makes the loop fair.  A failure is a Disagreement."""
    def wrong(what):
        return Disagreement(f"liveness to safety: the lasso Spacer found {what} on the "
                            f"compiled model")

    if path[0] not in set(model.initial_states()):
        raise wrong("does not start in an initial state")
    if model.constraint is not None and not all(model.constraint(s) for s in path):
        raise wrong("leaves the constraint")
    k = len(path) - 1
    loop_states = path[loop:k] if loop < k else [path[k]]
    fairness = model.fairness
    enabled = []
    for s in loop_states:
        mask = 0
        for label, t in model.successors_labeled(s):
            if t != s:
                mask |= fairness.sets[fairness.unit_set(label)]
        enabled.append(mask)
    options = []                      # per loop step: [(position, units taken)]
    for i in range(loop, k):
        opts = [(pos, fairness.sets[fairness.unit_set(label)])
                for pos, (label, t) in enumerate(model.successors_labeled(path[i]))
                if t == path[i + 1]]
        if not opts:
            raise wrong(f"takes a step {i + 1} that is not a transition")
        options.append(opts)
    weak, strong = fairness.mask("weak"), fairness.mask("strong")
    every = -1
    some = 0
    for m in enabled:
        every &= m
        some |= m
    need = (weak & every) | (strong & some)
    picked = _cover(options, need)
    if picked is None:
        raise wrong("is not fair")
    _, instances = next((p, i) for p, i in model.temporal if p.name == prop.name)
    _, p_fn, q_fn = instances[number]
    if not violates(prop.temporal.form, p_fn, q_fn, path, loop):
        raise wrong(f"does not violate {prop.name}")
    return [None] * loop + picked


def _cover(options: list, need: int) -> list | None:
    """Positions, one per step, whose units together include `need` (depth-first)."""
    reach = [0] * (len(options) + 1)
    for i in range(len(options) - 1, -1, -1):
        m = 0
        for _, units in options[i]:
            m |= units
        reach[i] = reach[i + 1] | m
    if need & ~reach[0]:
        return None
    picked: list = []

    def go(i: int, got: int) -> bool:
        if i == len(options):
            return not need & ~got
        if need & ~(got | reach[i]):
            return False
        tried = set()
        for pos, units in options[i]:
            useful = units & need & ~got
            if useful in tried:
                continue
            tried.add(useful)
            picked.append(pos)
            if go(i + 1, got | units):
                return True
            picked.pop()
        return False

    return picked if go(0, 0) else None


def violates(form: str, p_fn, q_fn, path: list, loop: int) -> bool:
    k = len(path) - 1
    p = [bool(p_fn(s)) for s in path]
    q = [bool(q_fn(s)) for s in path] if q_fn is not None else None
    ring = range(loop, k) if loop < k else range(k, k + 1)
    if form == "eventually":
        return not any(p)
    if form == "initially_eventually":
        return p[0] and not any(q)
    if form == "always_eventually":
        return not any(p[i] for i in ring)
    if form == "eventually_always":
        return not all(p[i] for i in ring)
    if form == "leads_to":
        return any(p[i] and not any(q[min(i, loop):]) for i in range(k + 1))
    raise ValueError(f"unknown temporal form {form!r}")
