"""Bounded search for fair lassos that violate temporal properties (`--bmc K`).

A lasso of length k is a path s0 .. sk (every state within the constraint and
free of run-time errors) whose end loops back: sk = sl for some l < k, or
l = k and the behaviour stutters in sk forever, as in the explicit checker.  It
violates

* `eventually P`               when P is false in every state of it;
* `always eventually P`        when P is false in every state of the loop;
* `eventually always P`        when P is false in some state of the loop;
* `initially P implies eventually Q`  when P holds in s0 and Q in no state of it;
* `P leads_to Q`               when P holds in some state si and Q is false from
                               si (or the loop's start, if earlier) to the end;

and it is fair when every weakly fair unit is taken in the loop or disabled in
some state of it, and every strongly fair unit is taken in the loop or disabled
in all of its states.  As in the explicit checker (and TLA+'s <<A>>_vars), a
step takes a unit only if it changes the state, and a unit is enabled only by a
step that would change it.  No state of the lasso may raise a run-time error
evaluating a temporal property's predicates (the explicit checker reports such
an error instead of a verdict).  Lengths 0, 1, ..., K are tried in turn, so the lasso
found is a shortest one; it is replayed through the compiled model with the
loop's steps taken by the very action instances Z3 chose (so the printed loop
is fair).  "Holds" here means: no fair violating lasso of at most K steps.
"""

from __future__ import annotations

from dataclasses import replace

import z3

from ..models.model import Model
from .bmc import BmcRun, _failure
from .decode import decode_state, replay, target_error
from .encode import Encoding
from .fairness import instances, predicate_targets, taken, units
from .finite_exists import written_out
from .results import Claim, Obligation
from .terms import TRUE, And, Eq, Implies, Not, Or, is_true


def predicate_failure(enc: Encoding, model: Model, bound: int, deadline):
    """(the run-time error the explicit checker reports evaluating the temporal
    properties' predicates after its search, or None; the index of the property it
    belongs to; why the search stopped early, or "").

    As the checker: the first predicate (fairness.predicate_targets' order) that raises
    in a state within `bound` steps, at a shallowest such state.  The states are those
    the search stores: reached through states within the constraint and free of run-time
    errors, and within the constraint themselves."""
    targets = predicate_targets(enc)
    if not targets:
        return None, None, ""
    run = BmcRun(enc, model, deadline, avoid_errors=True)
    first: dict[int, tuple] = {}            # target index -> (states, of the shallowest)
    for k in range(bound + 1):
        last = run.states[k]
        within = And(*[enc.instantiate(c.value, last) for c in enc.constraints])
        for t, target in enumerate(targets):
            if first and t >= min(first):
                break                       # a later predicate's error is never reported
            a = run.ask_at(And(within, enc.instantiate(target.error, last)))
            if a.sat:
                first[t] = run.path(a)
            elif not a.unsat:
                return None, None, f"Z3 gave up at depth {k}: {a.reason}"
        if 0 in first or k == bound:
            break
        run.extend()
    if not first:
        return None, None, ""
    t = min(first)
    states = first[t]
    exc = target_error(model, states[-1], targets[t])
    return _failure(model, states, exc, "state"), targets[t].prop, ""


def lasso_search(enc: Encoding, model: Model, bound: int, expected: dict, deadline,
                 props=None, confirmed: bool = False):
    """`confirmed`: each lasso found is also checked on the compiled model alone (a fair
    lasso violating the property, none of whose states raises a run-time error:
    `l2s_replay.confirm` and `lasso_error`), and one that is not makes the property
    UNKNOWN (for liveness to safety, when run-time errors are not ruled out)."""
    props = list(enc.system.temporal) if props is None else list(props)
    if not props:
        return []
    # (a fair action's `enabled` with a symbolic choice written out: no quantifier for
    # Z3 to instantiate in either polarity, and a model evaluates it)
    fair = [replace(u, enabled=written_out(u.enabled)) for u in units(enc, model)]
    insts = {p.name: instances(enc, p) for p in props}
    run = BmcRun(enc, model, deadline, avoid_errors=True, finite=True)
    found: dict[str, Obligation] = {}
    enabled_at: list[list] = []          # [state][unit]
    changed: list = []                   # [step]: the step changes the state
    pred_error = Or(*(i.error for p in props for i in insts[p.name]))
    no_pred_error = []                   # [state]: no predicate raises an error there
    stop = ""
    for k in range(bound + 1):
        states = run.states
        enabled_at.append([enc.instantiate(u.enabled, states[k]) for u in fair])
        no_pred_error.append(Not(enc.instantiate(pred_error, states[k])))
        if k > 0:
            changed.append(Or(*(Not(Eq(x, y)) for x, y in zip(states[k - 1].leaves,
                                                               states[k].leaves))))
        within = And(*[enc.instantiate(c.value, states[k]) for c in enc.constraints],
                     enc.instantiate(run.ok, states[k]), *no_pred_error)
        for prop in props:
            if prop.name in found:
                continue
            options = []
            for l in range(k + 1):
                loop = TRUE if l == k else And(*(Eq(x, y) for x, y in
                                                     zip(states[k].leaves, states[l].leaves)))
                fairness = _fair(fair, enabled_at, changed, l, k)
                for inst in insts[prop.name]:
                    viol = _violates(enc, prop.temporal.form, inst, states, l, k)
                    options.append((l, inst, And(loop, fairness, viol)))
            # an indicator per option: the first option (in order) the model makes true,
            # else the one whose indicator it sets (a model need not evaluate a
            # quantified term, an `enabled` left quantified, to true)
            picks = [z3.Bool(f"lasso@{k}.{n}") for n in range(len(options))]
            a = run.ask_at(And(within, Or(*picks),
                               *(Implies(b, t) for b, (_, _, t) in zip(picks, options))))
            if a.sat:
                def holds(t):
                    return is_true(a.model.eval(t, model_completion=True))
                l, inst = next(((l, i) for l, i, t in options if holds(t)), None) or \
                    next((l, i) for b, (l, i, _) in zip(picks, options) if holds(b))
                if confirmed:
                    why = _unconfirmed(enc, model, run, a.model, prop,
                                       insts[prop.name].index(inst), l, k)
                    if why:
                        found[prop.name] = Obligation(
                            prop.name, "temporal", expected.get(prop.name, "holds"),
                            Claim.UNKNOWN, f"not decided: the lasso found {why}")
                        continue
                trace = _decode(enc, model, run, a.model, l, k)
                what = f" (for {inst.label})" if inst.label else ""
                steps = f"{k} step{'s' if k != 1 else ''}"
                shape = f"{steps}, then stuttering forever" if l == k else \
                    f"{steps}, looping back to the state after step {l}"
                found[prop.name] = Obligation(
                    prop.name, "temporal", expected.get(prop.name, "holds"), Claim.VIOLATED,
                    f"a fair lasso{what}: {shape}", trace=trace, depth=k)
            elif not a.unsat:
                stop = f"Z3 gave up at depth {k}: {a.reason}"
                break
        if stop or len(found) == len(props) or k == bound:
            break
        run.extend()
    out = []
    for prop in props:
        if prop.name in found:
            out.append(found[prop.name])
        elif stop:
            out.append(Obligation(prop.name, "temporal", expected.get(prop.name, "holds"),
                                  Claim.UNKNOWN, stop))
        else:
            out.append(Obligation(prop.name, "temporal", expected.get(prop.name, "holds"),
                                  Claim.BOUNDED, f"no fair violating lasso of at most {bound} "
                                                 f"step{'s' if bound != 1 else ''}",
                                  depth=bound))
    return out



def _fair(fair, enabled_at, changed, l: int, k: int):
    parts = []
    loop_states = range(l, k) if l < k else range(k, k + 1)
    for u in fair:
        took = Or(*(And(taken(u.members, z3.Int(f"sel@{i}")), changed[i])
                    for i in range(l, k)))
        if u.kind == "weak":
            parts.append(Or(took, *(Not(enabled_at[i][u.index]) for i in loop_states)))
        else:
            parts.append(Or(took, And(*(Not(enabled_at[i][u.index]) for i in loop_states))))
    return And(*parts)


def _violates(enc, form: str, inst, states, l: int, k: int):
    def p(i):
        return enc.instantiate(inst.p, states[i])

    def q(i):
        return enc.instantiate(inst.q, states[i])

    last = k if l == k else k - 1          # the loop's states are l..last
    if form == "eventually":
        return And(*(Not(p(i)) for i in range(k + 1)))
    if form == "initially_eventually":
        return And(p(0), *(Not(q(i)) for i in range(k + 1)))
    if form == "always_eventually":
        return And(*(Not(p(i)) for i in range(l, last + 1)))
    if form == "eventually_always":
        return Or(*(Not(p(i)) for i in range(l, last + 1)))
    if form != "leads_to":
        raise ValueError(f"unknown temporal form {form!r}")
    return Or(*(And(p(i), *(Not(q(j)) for j in range(min(i, l), k + 1)))
                for i in range(k + 1)))


def _unconfirmed(enc, model: Model, run: BmcRun, m, prop, number: int, l: int, k: int) -> str:
    """Why the lasso of `m` is not a fair, violating, error-free lasso of the compiled
    model, or ""."""
    from .decode import Disagreement
    from .l2s_replay import confirm, lasso_error
    states = [decode_state(enc, s, m) for s in run.states[:k + 1]]
    exc = lasso_error(model, states)
    if exc is not None:
        return f"raises a run-time error on the compiled model ({exc.message})"
    try:
        confirm(model, prop, number, states, l)
    except Disagreement as exc:
        return str(exc)
    return ""


def _decode(enc, model: Model, run: BmcRun, m, l: int, k: int):
    states = [decode_state(enc, s, m) for s in run.states[:k + 1]]
    choices: list = [None] * k
    for i in range(l, k):
        j = m.eval(z3.Int(f"sel@{i}"), model_completion=True).as_long()
        inst = enc.instances[j]
        for c, (label, nxt) in enumerate(model.successors_labeled(states[i])):
            if label[0] == inst.action and label[1] == inst.node and nxt == states[i + 1]:
                choices[i] = c
                break
    return replay(model, states, l, choices)
