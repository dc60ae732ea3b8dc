"""Liveness by ranking functions: `rank NAME: EXPR helps A, B` in a proof file.

For a temporal property `P leads_to Q` (or `eventually P`, `always eventually P`,
read as `true leads_to P`; `initially P implies eventually Q` as `true leads_to Q`,
which implies it), let W be the states waiting for the goal (P and not Q;
not P; not Q), I the inductive invariant of the proof (proved first), R the rank and H
the fairness units of the helpful actions.  Write D_u(s), "u is helpful in s",
for: u is enabled in s (a step of it would change the state) and every step of u
from s that changes the state reaches the goal or makes R smaller (a step that
changes nothing is stuttering: it neither takes nor enables a unit, as in TLA+'s
WF_vars(A), which speaks of <<A>>_vars steps).  Z3 discharges, for every state s satisfying I (and the constraint,
with no run-time error) and in W:

  (a) R(s) >= 0;
  (b) every step s -> t reaches the goal, or stays in W without increasing R;
  (c) some unit u of H is helpful in s: D_u(s);
  (d) a helpful weakly fair unit stays helpful: for u in H with D_u(s) and a step
      s -> t of another unit into W with R(t) = R(s), D_u(t).

Then every fair behaviour that enters W reaches the goal: R cannot decrease
forever, and once it stops decreasing a helpful unit stays enabled (d) and is
never taken (each step of it would decrease R), which weak fairness forbids
(strong fairness implies weak, so a strongly fair unit helps the same way).
A failed obligation is shown as a counterexample to induction: the state (and
step) where it fails, replayed through the compiled model.
"""

from __future__ import annotations

import z3

from ..models.model import Model
from .actions import Frame
from .decode import decode_state, replay
from .encode import Encoding, StateVars
from .exprs import Eval
from .fairness import instances, unchanged, units
from .results import Claim, Cti, Obligation
from .scopes import Deadline, ask, new_solver, scope
from .terms import And, Not, Or

FORMS = ("leads_to", "eventually", "always_eventually", "initially_eventually")


def ranking(enc: Encoding, model: Model, proof, invariant: list, expected: dict,
            deadline: Deadline, proved: bool) -> list[Obligation]:
    out = []
    for prop in enc.system.temporal:
        exp = expected.get(prop.name, "holds")
        ranks = [r for r in (proof.ranks if proof is not None else ()) if r.name == prop.name]
        if not ranks:
            continue        # not part of this proof (see the note in induction)
        if prop.temporal.form not in FORMS:
            out.append(Obligation(prop.name, "temporal", exp, Claim.UNKNOWN,
                                  "ranking functions prove leads_to, eventually, initially "
                                  "... eventually and always eventually; use --bmc K for "
                                  "eventually always"))
        elif not proved:
            out.append(Obligation(prop.name, "temporal", exp, Claim.UNKNOWN,
                                  "not attempted: the invariant it relies on is not inductive"))
        else:
            out.append(_Ranking(enc, model, prop, ranks[0], invariant, deadline).prove(exp))
    return out


class _Ranking:
    def __init__(self, enc, model, prop, rank, invariant, deadline):
        self.enc, self.model, self.prop, self.rank = enc, model, prop, rank
        self.deadline = deadline
        self.units = units(enc, model)
        self.solver = new_solver()
        pre = enc.pre
        self.solver.add(*pre.facts, *invariant, enc.error_free(),
                        *[c.value for c in enc.constraints])

    def helpful(self):
        """The fairness units of the helpful actions, or a reason they cannot help."""
        system = self.enc.system
        wanted = []
        for name in self.rank.helps:
            hits = [k for k, a in enumerate(system.actions) if _matches(name, a)]
            if not hits:
                return None, f"'helps {name}': the spec has no such action"
            for k in hits:
                if not system.fairness[k]:
                    a = system.actions[k]
                    return None, f"the helpful action {_title(a)} is not fair in this check"
            wanted.extend(hits)
        return [u for u in self.units
                if any(self.enc.instances[j].action in wanted for j in u.members)], ""

    def prove(self, exp: str) -> Obligation:
        name = self.prop.name
        helpful, why = self.helpful()
        if helpful is None:
            return Obligation(name, "temporal", exp, Claim.NOT_PROVED, why)
        for inst in instances(self.enc, self.prop):
            try:
                failed = self.instance(inst, helpful)
            except _GaveUp as exc:
                return Obligation(name, "temporal", exp, Claim.UNKNOWN, str(exc))
            if failed is not None:
                detail, cti = failed
                if inst.label:
                    detail += f" (for {inst.label})"
                return Obligation(name, "temporal", exp, Claim.NOT_PROVED, detail, cti=cti)
        return Obligation(name, "temporal", exp, Claim.PROVED,
                          f"by the ranking function {self.rank.name} (helpful: "
                          f"{', '.join(self.rank.helps)})")

    def instance(self, inst, helpful):
        enc, form = self.enc, self.prop.temporal.form
        ev = Eval(enc, Frame(enc.pre.slots))
        r = ev.expr(self.rank.expr, dict(inst.env))
        r_err = Or(*(c for c, _, _ in ev.errors))
        if form == "leads_to":
            goal, wait = inst.q, And(inst.p, Not(inst.q))
        elif form == "initially_eventually":
            # Stronger than needed (Q from every waiting state, not only on behaviours
            # starting in P), so sound: a proof of it proves the property.
            goal, wait = inst.q, Not(inst.q)
        else:
            goal, wait = inst.p, Not(inst.p)
        s = self.solver
        with scope(s):
            s.add(wait)
            # (a) the rank is a natural number
            a = self.ask(Or(r_err, r < 0))
            if a is not None:
                return self.cti(a, None, f"the rank {self.rank.name} can be negative or "
                                         f"undefined in a state waiting for the goal")
            # (b) every step reaches the goal or stays waiting without increasing the rank
            for j, step in enumerate(enc.instances):
                t = self.after(step)
                with scope(s):
                    s.add(step.enabled, Not(step.error), *step.facts)
                    a = self.ask(Not(Or(t(goal), And(t(wait), t(r) <= r))))
                if a is not None:
                    return self.cti(a, step, f"{step.name} leaves the waiting states without "
                                             f"reaching the goal, or increases the rank")
            # (c) some helpful unit is helpful here
            helps = {u.index: self.helps(u, goal, r) for u in helpful}
            a = self.ask(Not(Or(*helps.values())))
            if a is not None:
                return self.cti(a, None, "no helpful action is enabled and sure to decrease "
                                         "the rank in this state waiting for the goal")
            # (d) a helpful unit stays helpful until taken (weak fairness)
            for u in helpful:
                for j, step in enumerate(enc.instances):
                    if j in u.members:
                        continue
                    t = self.after(step)
                    with scope(s):
                        s.add(helps[u.index], step.enabled, Not(step.error), *step.facts,
                              t(wait), t(r) == r)
                        a = self.ask(Not(t(helps[u.index])))
                    if a is not None:
                        return self.cti(a, step, f"{step.name} keeps the rank but stops "
                                                 f"{u.name} from being helpful")
        return None

    def helps(self, u, goal, r):
        """D_u: u is enabled (a step of it would change the state), and every step of it
        that changes the state reaches the goal or decreases the rank."""
        parts = [u.enabled]
        for j in u.members:
            step = self.enc.instances[j]
            t = self.after(step)
            body = z3.Implies(And(step.enabled, Not(step.error), *step.facts),
                              Or(t(goal), t(r) < r, unchanged(self.enc, step)))
            parts.append(z3.ForAll(step.params, body) if step.params else body)
        return And(*parts)

    def after(self, step):
        pairs = list(zip(self.enc.pre.leaves, self.enc.post_leaves(step)))
        return lambda term: z3.substitute(term, *pairs) if pairs else term

    def ask(self, bad):
        """A model where `bad` holds (a failed obligation), or None."""
        a = ask(self.solver, self.deadline, _flag(self.solver, bad))
        if a.sat:
            return a
        if not a.unsat:
            raise _GaveUp(a.reason)
        return None

    def cti(self, a, step, detail: str):
        enc = self.enc
        state = decode_state(enc, enc.pre, a.model)
        states = [state]
        if step is not None:
            states.append(decode_state(enc, StateVars(list(step.post), [], enc.system),
                                       a.model))
        return detail, Cti(step.name if step is not None else "(no step)",
                           f"rank {self.rank.name}", replay(self.model, states), why=detail)


class _GaveUp(Exception):
    """The solver could not decide one of the ranking obligations (the reason attached)."""


def _flag(s, term):
    b = z3.FreshBool("goal")
    s.add(z3.Implies(b, term))
    return b


def _matches(name: str, action) -> bool:
    """`Proc.action`, `Proc.on Msg`, `Proc.Msg` (a handler), `Proc` (all of it), `action`."""
    handler = action.name[3:] if action.name.startswith("on ") else None
    if action.process is None:
        return name == action.name
    proc, _, rest = name.partition(".")
    if proc != action.process:
        return False
    return not rest or rest == action.name or (handler is not None and rest == handler)


def _title(action) -> str:
    return f"{action.process}.{action.name}" if action.process else action.name

