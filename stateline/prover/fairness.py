"""Temporal properties and fairness over the encoding: property instances, fairness
units, "enabled" and "taken".

A fairness unit is what the explicit checker's `Model.fairness` says it is: one
fair action schema for one process instance.  It is *enabled* in a state when
one of its action instances can fire there (its choices existentially
quantified), and *taken* by a step whose selector picks one of its instances.
A temporal property with `forall x in S:` in front has one instance per value.
"""

from __future__ import annotations

from dataclasses import dataclass

import z3

from ..models.model import Model
from .actions import Frame
from .encode import Encoding
from .exprs import Bound, Eval
from .symbolic import lift
from .terms import And, Or


@dataclass
class Unit:
    index: int
    kind: str                 # "weak" | "strong"
    name: str                 # e.g. "RM[1].on Commit"
    members: list[int]        # indices of its action instances in Encoding.instances
    enabled: object           # template term over the pre-state


def units(enc: Encoding, model: Model) -> list[Unit]:
    fair = model.fairness
    out = [Unit(u, fair.kinds[u], fair.names[u], [], None) for u in range(len(fair))]
    for j, inst in enumerate(enc.instances):
        u = fair.unit((inst.action, inst.node))     # built-in actions: network.heal only
        if u >= 0:
            out[u].members.append(j)
    for unit in out:
        unit.enabled = enabled(enc, unit.members)
    return out


def enabled(enc: Encoding, members: list[int]):
    """Some instance of `members` can fire in the template pre-state."""
    parts = []
    for j in members:
        inst = enc.instances[j]
        body = And(inst.enabled, *inst.facts)
        parts.append(z3.Exists(inst.params, body) if inst.params else body)
    return Or(*parts)


def taken(members: list[int], sel):
    return Or(*(sel == j for j in members))


@dataclass
class PropInstance:
    label: str                # "" or the binder values, e.g. "p1"
    env: dict                 # binder locals -> Bound
    p: object                 # template terms over the pre-state
    q: object | None


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
        p = ev.expr(t.p, env)
        q = ev.expr(t.q, env) if t.q is not None else None
        result.append(PropInstance(label, env, p, q))
    return result
