"""Temporal properties and fairness over the encoding: property instances, fairness
units, "enabled" and "taken".

A fairness unit is what the explicit checker's `Model.fairness` says it is: one
fair action schema for one process instance, and with a check block's `per`,
for one parameter value or received message too, or all the steps of one process
instance (`per instance`).  As in TLA+ (WF_vars(A) speaks of <<A>>_vars steps), a
step that changes nothing neither takes nor enables a unit: a unit is *enabled*
in a state when one of its action instances can fire there and change the state
(its choices existentially quantified), and *taken* by a step whose selector picks
one of its instances and whose successor differs from its predecessor.  A
temporal property with `forall x in S:` in front has one instance per value.
"""

from __future__ import annotations

from dataclasses import dataclass

import z3

from ..models.model import Model
from .actions import Frame
from .encode import Encoding
from .exprs import Bound, Eval
from .symbolic import NOT_CONST, Unencodable, lift
from .terms import FALSE, And, Eq, Not, Or, is_false


@dataclass
class Unit:
    index: int
    kind: str                 # "weak" | "strong"
    name: str                 # e.g. "RM[1].on Commit"
    members: list[int]        # indices of its action instances in Encoding.instances
    enabled: object           # template term over the pre-state


def units(enc: Encoding, model: Model) -> list[Unit]:
    fair = model.fairness
    by_index: dict[int, Unit] = {}
    for j, inst in enumerate(enc.instances):
        # (built-in actions: network.heal only, fair when a check block says so)
        for group, how, kind in fair.rules.get(inst.action, ()):
            if how == "message":
                received = inst.received
                if received is NOT_CONST:
                    raise Unencodable("per-message fairness of a handler whose message type "
                                      "has too many values to unroll",
                                      enc.system.actions[inst.action].span)
                key = fair.key(group, how, inst.node, (), received)
            elif how == "node":
                key = fair.key(group, how, inst.node, (), None)
            else:
                if any(inst.values[i] is NOT_CONST for i in how):
                    raise Unencodable("per-parameter fairness of an action whose parameter "
                                      "has too many values to unroll",
                                      enc.system.actions[inst.action].span)
                key = fair.key(group, how, inst.node, inst.values, None)
            u = fair.unit_index(key, kind)
            if u not in by_index:
                by_index[u] = Unit(u, kind, fair.name(u), [], None)
            by_index[u].members.append(j)
    out = [by_index[u] for u in sorted(by_index)]
    for unit in out:
        unit.enabled = enabled(enc, unit.members)
    return out


def changes(enc: Encoding, inst):
    """The instance's successor differs from the template pre-state (some leaf)."""
    return Or(*(Not(Eq(new, enc.pre.leaves[pos])) for pos, new in enc.changed_leaves(inst)))


def unchanged(enc: Encoding, inst):
    return Not(changes(enc, inst))


def enabled(enc: Encoding, members: list[int]):
    """Some instance of `members` can fire in the template pre-state and change it."""
    parts = []
    for j in members:
        inst = enc.instances[j]
        change = changes(enc, inst)
        if is_false(change):
            continue
        body = And(inst.enabled, *inst.facts, change)
        parts.append(z3.Exists(inst.params, body) if inst.params else body)
    return Or(*parts)


def taken(members: list[int], sel):
    """The selector picks an instance of `members` (the caller adds that the step
    changes the state)."""
    return Or(*(sel == j for j in members))


@dataclass
class PropInstance:
    label: str                # "" or the binder values, e.g. "p1"
    env: dict                 # binder locals -> Bound
    p: object                 # template terms over the pre-state
    q: object | None
    error: object = FALSE     # evaluating P or Q raises a run-time error
    p_error: object = FALSE   # evaluating P raises one
    q_error: object = FALSE   # evaluating Q raises one


def instances(enc: Encoding, prop) -> list[PropInstance]:
    """One instance per value of the property's `forall` binders."""
    t = prop.temporal
    ev = Eval(enc, Frame(enc.pre.slots))
    envs = [("", {})]
    for local, dom_e in t.binders:
        out = []
        for label, env in envs:
            d = ev.expr(dom_e, env)
            for _, b in ev.members(d, local):
                shown = b.dom.show(b.value)
                out.append((f"{label}, {shown}" if label else shown,
                            {**env, local: Bound(lift(b.value, b.dom), b.value, b.dom)}))
        envs = out
    result = []
    for label, env in envs:
        ev.errors = []
        p = ev.expr(t.p, env)
        p_error = Or(*(c for c, _, _ in ev.errors))
        ev.errors = []
        q = ev.expr(t.q, env) if t.q is not None else None
        q_error = Or(*(c for c, _, _ in ev.errors))
        result.append(PropInstance(label, env, p, q, Or(p_error, q_error), p_error, q_error))
    return result


@dataclass
class PredicateTarget:
    """One predicate of one instance of a temporal property, whose evaluation may raise."""
    prop: int                 # index in the system's temporal properties
    instance: int             # index in instances(enc, prop)
    which: str                # "p" or "q"
    error: object             # template term: evaluating it raises a run-time error


def predicate_targets(enc: Encoding) -> list[PredicateTarget]:
    """The temporal properties' predicates that may raise, in the order the explicit
    checker evaluates them after its search (property by property, instance by instance,
    P over every state and then Q): the first one that raises in a reachable state is
    the run-time error it reports (SL602), at a shallowest such state; and it reports it
    only when the search itself ended without a run-time error."""
    out = []
    for k, prop in enumerate(enc.system.temporal):
        for i, inst in enumerate(instances(enc, prop)):
            for which, err in (("p", inst.p_error), ("q", inst.q_error)):
                if not is_false(err):
                    out.append(PredicateTarget(k, i, which, err))
    return out


def predicate_error(enc: Encoding):
    """Evaluating a temporal property's predicates raises a run-time error in the template
    state (the explicit checker reports it as it reports an invariant's: SL602)."""
    return Or(*(t.error for t in predicate_targets(enc)))
