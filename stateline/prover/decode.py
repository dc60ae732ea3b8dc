"""Z3 models -> runtime states -> a `Trace`, replayed through the compiled `Model`.

A state found by Z3 is read leaf by leaf into the runtime representation
documented in models/domains.py (bitmask sets, tuples for maps and records,
`()` for none, the network as a bitmask or a sorted bag).  The path is then
handed to `Model.trace`, which looks for each step among the compiled model's
own successors: a step Z3 believes in and the model does not is a
`Disagreement`, an internal error, never a verdict.
"""

from __future__ import annotations

import z3

from ..models.model import Model
from ..models.runtime import ModelError
from ..models.trace import Trace
from .encode import Encoding, StateVars
from .symbolic import SNet, concrete


class Disagreement(Exception):
    """The Z3 encoding and the compiled model disagree: a bug in Stateline."""


def decode_state(enc: Encoding, s: StateVars, zmodel: z3.ModelRef) -> tuple:
    def ev(t):
        return zmodel.eval(t, model_completion=True)

    out = []
    for v, slot in zip(s.slots, enc.system.slots):
        if isinstance(v, SNet):
            out.append(_network(enc, v, ev))
        else:
            out.append(concrete(v, slot.dom, ev))
    return tuple(out)


def _network(enc: Encoding, net: SNet, ev):
    values = net.dom.values()
    if not net.counts:
        mask = 0
        for i, c in enumerate(net.cells):
            if z3.is_true(ev(c)):
                mask |= 1 << i
        return mask
    bag = []
    if net.senders:
        # elements (sender node, message), sorted by sender (-1: the environment) then
        # message, as the compiled model keeps them
        for row in range(net.senders):
            for j, m in enumerate(values):
                bag.extend([(row - 1, m)] * ev(net.cells[row * net.size + j]).as_long())
        return tuple(bag)
    for m, c in zip(values, net.cells):
        bag.extend([m] * ev(c).as_long())
    return tuple(bag)


def replay(model: Model, states: list[tuple], loop_start: int | None = None,
           choices: list | None = None) -> Trace:
    """The trace of a path of states; a step the model cannot take is a Disagreement."""
    try:
        return model.trace(states, loop_start, choices)
    except AssertionError as exc:
        raise Disagreement(f"the Z3 encoding found a step the compiled model does not take "
                           f"({exc})") from None
    except ModelError as exc:
        raise Disagreement(f"replaying a Z3 trace raised a run-time error the encoding did not "
                           f"predict: {exc.message}") from None


def first_error(model: Model, state: tuple) -> ModelError | None:
    """The run-time error the compiled model raises computing the steps from `state`."""
    try:
        model.successors(state)
    except ModelError as exc:
        return exc
    return None


def property_error(model: Model, state: tuple, names=None) -> ModelError | None:
    """The run-time error the compiled model raises evaluating the invariants (those named
    in `names`, default all) and the constraint in `state`."""
    mask = sum(1 << i for i, (p, _) in enumerate(model.invariants)
               if names is None or p.name in names)
    try:
        model.violated_invariants(state, mask)
        if model.constraint is not None:
            model.constraint(state)
    except ModelError as exc:
        return exc
    return None


def constraint_error(model: Model, state: tuple) -> ModelError | None:
    """The run-time error the compiled model raises evaluating the constraint in `state`."""
    try:
        if model.constraint is not None:
            model.constraint(state)
    except ModelError as exc:
        return exc
    return None


def evaluation_error(model: Model, name: str, kind: str, states: list[tuple]):
    """The run-time error evaluating the invariant or transition invariant `name` at the
    end of a path of states, or None."""
    try:
        if kind == "invariant":
            fn = next(f for p, f in model.invariants if p.name == name)
            fn(states[-1])
        elif kind == "transition":
            fn = next(f for p, f in model.transitions if p.name == name)
            fn(states[-2], states[-1])
    except ModelError as exc:
        return exc
    return None


def predicate_error(model: Model, state: tuple) -> ModelError | None:
    """The run-time error the compiled model raises evaluating the temporal properties'
    predicates in `state`."""
    try:
        for _, instances in model.temporal:
            for _, p_fn, q_fn in instances:
                p_fn(state)
                if q_fn is not None:
                    q_fn(state)
    except ModelError as exc:
        return exc
    return None


def target_error(model: Model, state: tuple, target) -> ModelError | None:
    """The run-time error the compiled model raises evaluating one predicate (a
    fairness.PredicateTarget) in `state`; any predicate's if that one does not raise."""
    _, instances = model.temporal[target.prop]
    _, p_fn, q_fn = instances[target.instance]
    try:
        (p_fn if target.which == "p" else q_fn)(state)
    except ModelError as exc:
        return exc
    return predicate_error(model, state)
