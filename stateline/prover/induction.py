"""Inductive invariants with counterexamples to induction, and k-induction.

The invariant I is the conjunction of the target properties (the spec's
invariants and transition invariants, or those a proof file's `prove` line
names) and the proof file's lemmas.  A conjunct *fails* in a state where it is
false or cannot be evaluated (a run-time error): the explicit search reports
either while it checks the property.  `--induction` checks, for the instance:

1. init => each state conjunct of I (a failure of a spec invariant is a real
   violation, shown as a 0-step trace, or a run-time error as `check` shows it);
2. I => no run-time error evaluating the constraint, and I and the constraint
   => no run-time error computing a step, so that the states I describes are
   ones the explicit engine could expand;
3. for each action schema A and each conjunct J: I and the constraint and A =>
   J' (a transition invariant P: I and A => P).  A satisfying assignment is a
   counterexample to induction (CTI): a state satisfying I, a step of A, and a
   successor violating J; it is replayed through the compiled model like any
   trace.

When every check passes, I holds in every reachable state, including the
successors outside the `constraint` that the explicit search checks but does
not expand (TLC's semantics), so every conjunct is proved.  Then, without
assuming the constraint: a spec invariant outside the targets is proved if I
implies it; a transition invariant outside them if I, the constraint and a step
imply it; deadlock freedom (unless allowed) if I and the constraint imply that
some action instance is enabled.  When the proof fails, none of these is
claimed, and the `(run-time errors)` row is not claimed either.

`--k-induction K` strengthens step 3 to paths: for k = 1..K, no path s0..sk
whose first k states satisfy I and the constraint, are free of run-time errors
and pairwise distinct, and whose first k - 1 steps satisfy the transition
conjuncts, ends in a state sk (equal to an earlier one or not) where a state
conjunct fails or a run-time error is possible, or in a step sk-1 -> sk where
a transition conjunct fails.  The base case is bounded model checking of every
conjunct (transition conjuncts included), run-time errors and deadlock to depth
k - 1.  (Distinctness is sound because a shortest path to a reachable state
has no repeated state; the last state is left free so that a step that
changes nothing, which only a transition invariant can see, is never lost.)
"""

from __future__ import annotations

import z3

from ..models.model import Model
from .bmc import BmcRun, _failure
from .decode import (constraint_error, decode_state, evaluation_error, first_error,
                     predicate_error as temporal_error, replay)
from .fairness import predicate_error
from .encode import Encoding, StateVars
from .symbolic import SNet
from .ranking import ranking
from .results import Claim, Cti, Obligation
from .scopes import Deadline, ask, new_solver, scope
from .terms import And, Eq, Not, Or, is_false, is_true

ERRORS = "(run-time errors)"
DEADLOCK = "DeadlockFreedom"


class _Conjunct:
    def __init__(self, name, kind, term, span=None):
        self.name, self.kind, self.term = name, kind, term   # kind: invariant|transition|lemma
        self.span = span

    @property
    def ok(self):
        """Holds and can be evaluated (over the template state, or step for a transition)."""
        return Not(self.term.fails)


def conjuncts(enc: Encoding, proof) -> tuple[list[_Conjunct], list]:
    """The conjuncts of I (targets, then lemmas) and the spec invariants outside it."""
    targets = proof.targets if proof is not None and proof.targets is not None else None
    out, others = [], []
    for p in enc.invariants + enc.transitions:
        kind = "transition" if p in enc.transitions else "invariant"
        if targets is None or p.prop.name in targets:
            out.append(_Conjunct(p.prop.name, kind, p, p.prop.span))
        else:
            others.append(p)
    for lemma in (proof.lemmas if proof is not None else ()):
        out.append(_Conjunct(lemma.name, "lemma", enc.check_expr(lemma.expr, lemma.name),
                             lemma.span))
    return out, others


SMALL_COUNT = 3       # copies of a message in a bag that a CTI prefers to show


def _small_counts(s, states: list[StateVars]):
    """A literal that, assumed, bounds every bag count of `states` by SMALL_COUNT (None
    without a bag network): a CTI's state is arbitrary, and Z3 may otherwise pick
    millions of copies of a message."""
    cells = [c for st in states for v in st.slots
             if isinstance(v, SNet) and v.counts for c in v.cells]
    if not cells:
        return None
    flag = z3.FreshBool("small")
    s.add(z3.Implies(flag, And(*[c <= SMALL_COUNT for c in cells])))
    return flag


def _ask_cti(s, deadline: Deadline, small, *assumptions):
    """`ask`, and when the answer is a counterexample, one with small bag counts if
    there is one."""
    a = ask(s, deadline, *assumptions)
    if a.sat and small is not None:
        b = ask(s, deadline, *assumptions, small)
        if b.sat:
            return b
    return a


def _crash(enc: Encoding, predicates: bool = True):
    """A run-time error the explicit checker would report, in the template state: the
    constraint cannot be evaluated, or (within the constraint) computing a step or (with
    `predicates`) a temporal property's predicate raises."""
    within = And(*[c.value for c in enc.constraints])
    inside = Or(enc.step_error(), predicate_error(enc)) if predicates else enc.step_error()
    return Or(enc.constraint_error(), And(within, inside))


def _crash_error(model: Model, state: tuple):
    return constraint_error(model, state) or temporal_error(model, state) or \
        first_error(model, state)


def induction(enc: Encoding, model: Model, options, expected: dict, deadline: Deadline,
              check_deadlock: bool, certs=None):
    """(obligations, notes, ModelFailure or None).

    A property found really violated (a trace from an initial state) stops being part
    of the invariant, as the explicit search stops checking it: the proof is run again
    for the others, and the violation is reported in its place."""
    conj, others = conjuncts(enc, options.proof)
    violated: dict[str, Obligation] = {}
    order: list[str] | None = None
    while True:
        if options.engine == "k-induction":
            obligations, notes, failure = k_induction(enc, model, conj, others, options.bound,
                                                      expected, deadline, check_deadlock)
        else:
            obligations, notes, failure = one_induction(enc, model, options, conj, others,
                                                        expected, deadline, check_deadlock,
                                                        certs)
        if order is None:
            order = [o.name for o in obligations]
        real = [o for o in obligations if o.claim is Claim.VIOLATED and o.trace is not None
                and o.kind in ("invariant", "transition", "deadlock")]
        if failure is not None or not real or deadline.expired:
            break
        for o in real:
            violated[o.name] = o
        conj = [c for c in conj if c.name not in violated]
        check_deadlock = check_deadlock and DEADLOCK not in violated
    if violated:
        by_name = {o.name: o for o in obligations}
        by_name.update(violated)
        obligations = [by_name[name] for name in order if name in by_name] + \
            [o for o in obligations if o.name not in order]
        notes.append(f"{', '.join(violated)} {'is' if len(violated) == 1 else 'are'} violated, "
                     f"so the proof is about the other properties")
    return obligations, notes, failure


def one_induction(enc: Encoding, model: Model, options, conj, others, expected: dict,
                  deadline: Deadline, check_deadlock: bool, certs=None):
    """The obligations of `--induction`; with `certs` (certificates.Certificates), each
    one is also kept as SMT-LIB text."""
    pre, post = enc.pre, enc.post
    if certs is not None:
        certs.items.clear()         # a rerun without a violated property replaces them
    state_inv = [c for c in conj if c.kind != "transition"]
    inv = [c.ok for c in state_inv]
    within = And(*[c.value for c in enc.constraints])
    s = new_solver()
    s.add(*pre.facts)
    # A counterexample to induction starts in a state the dropped lemmas (--drop) may
    # rule out: each CTI names those false in its first state.
    dropped = [(x.name, enc.check_expr(x.expr, x.name).value) for x in options.dropped]

    def violates(m) -> tuple[str, ...]:
        return tuple(name for name, term in dropped
                     if is_false(m.eval(term, model_completion=True)))

    results: dict[str, tuple] = {}      # name -> (Claim, detail, trace, cti)
    first_cti = None
    failure = None
    notes = []

    # 1. the initial states satisfy every state conjunct
    with scope(s):
        s.add(enc.init(pre))
        for c in state_inv:
            if certs is not None:
                certs.add("init", c.name, None, [(_what(c), c.span)], s, c.term.fails)
            a = ask(s, deadline, c.term.fails)
            if a.sat:
                states = [decode_state(enc, pre, a.model)]
                exc = evaluation_error(model, c.name, "invariant", states) \
                    if c.kind == "invariant" else None
                if exc is not None:
                    failure = failure or _failure(model, states, exc, "state")
                    results[c.name] = (Claim.UNKNOWN, "not decided: evaluating it raises a "
                                       f"run-time error in an initial state ({exc.message})",
                                       None, None)
                elif c.kind == "invariant":
                    results[c.name] = (Claim.VIOLATED, "false in an initial state",
                                       replay(model, states), None)
                else:
                    cti = Cti("(initial state)", c.name, replay(model, states), (),
                              violates=violates(a.model))
                    results[c.name] = (Claim.NOT_PROVED, "false (or not evaluable) in an "
                                       "initial state", None, cti)
                    first_cti = first_cti or cti
            elif not a.unsat:
                results[c.name] = (Claim.UNKNOWN, a.reason, None, None)

    # 2. no run-time error in a state satisfying I
    s.add(*inv)
    small = _small_counts(s, [pre])
    crash = _crash(enc)
    if certs is not None and not is_false(crash):
        certs.add("errors", ERRORS, None, [], s, crash)
    a = _ask_cti(s, deadline, small, _flag(s, crash)) if not is_false(crash) else None
    error_claim = (Claim.PROVED, "no run-time error in a state satisfying the invariant", None,
                   None)
    if a is not None and a.sat:
        state = decode_state(enc, pre, a.model)
        exc = _crash_error(model, state)
        what = f"{exc.message} ({model.system.sites[exc.site]})" if exc else \
            "a step cannot be computed"
        cti = Cti("(any step)", ERRORS, replay(model, [state]), tuple(c.name for c in state_inv),
                  violates=violates(a.model))
        error_claim = (Claim.NOT_PROVED, f"possible in a state satisfying the invariant: {what}",
                       None, cti)
        first_cti = first_cti or cti
    elif a is not None and not a.unsat:
        error_claim = (Claim.UNKNOWN, a.reason, None, None)
    s.add(within, Not(enc.constraint_error()), enc.no_step_error())

    # 3. every action preserves every conjunct: one query per action instance, with
    # the successor's leaves bound to the instance's values (no selector, no frame
    # terms), asking for any conjunct not yet broken; a model names every conjunct it
    # breaks.  (Binding the leaves, rather than substituting them into every conjunct
    # for every instance, keeps the terms built in Python to one copy per conjunct.)
    to_post = list(zip(pre.leaves, post.leaves))
    after = {c.name: c.term.fails if c.kind == "transition" else
             z3.substitute(c.term.fails, *to_post) for c in conj}
    for action, which in enc.actions():
        if certs is not None:       # one obligation per action schema and conjunct
            steps = Or(*[And(enc.instances[j].enabled, Not(enc.instances[j].error),
                             *enc.instances[j].facts,
                             *[Eq(x, v) for x, v in zip(post.leaves,
                                                        enc.post_leaves(enc.instances[j]))])
                         for j in which])
            for c in conj:
                certs.add("step", c.name, action, [(_what(c), c.span), (
                    f"action {action}", _span(enc, enc.instances[which[0]]))], s,
                    And(steps, after[c.name]))
        for j in which:
            inst = enc.instances[j]
            bind = [Eq(x, v) for x, v in zip(post.leaves, enc.post_leaves(inst))]
            with scope(s):
                s.add(inst.enabled, Not(inst.error), *inst.facts, *bind)
                while True:
                    open_ = [c for c in conj if c.name not in results]
                    if not open_:
                        break
                    bads = [after[c.name] for c in open_]
                    a = _ask_cti(s, deadline, small, _flag(s, Or(*bads)))
                    if a.unsat:
                        break
                    if not a.sat:
                        for c in open_:
                            results[c.name] = (Claim.UNKNOWN, a.reason, None, None)
                        break
                    m = a.model
                    state = decode_state(enc, pre, m)
                    nxt = _successor(enc, inst, m)
                    trace = replay(model, [state, nxt])
                    for c, bad in zip(open_, bads):
                        if is_true(m.eval(bad, model_completion=True)):
                            cti = Cti(action, c.name, trace, tuple(x.name for x in state_inv),
                                      violates=violates(m))
                            results[c.name] = (Claim.NOT_PROVED, f"not preserved by {action}",
                                               None, cti)
                            first_cti = first_cti or cti

    proved = not results and error_claim[0] is Claim.PROVED
    obligations = []
    for c in conj:
        claim, detail, trace, cti = results.get(c.name, (None, "", None, None))
        kind = "lemma" if c.kind == "lemma" else c.kind
        exp = expected.get(c.name, "holds")
        if claim is None:
            if proved:
                claim, detail = Claim.PROVED, "inductive" if c.kind != "lemma" else \
                    "inductive (with the other conjuncts)"
            else:
                claim = Claim.NOT_PROVED if c.kind != "lemma" else Claim.UNKNOWN
                detail = _unproved(first_cti)
                cti = first_cti if c.kind != "lemma" else None
        obligations.append(Obligation(c.name, kind, exp, claim, detail, trace=trace, cti=cti))
    if error_claim[0] is Claim.PROVED and not proved:
        error_claim = (Claim.NOT_PROVED, _unproved(first_cti), None, None)
    obligations.append(Obligation(ERRORS, "errors", "holds", error_claim[0], error_claim[1],
                                  cti=error_claim[3]))
    implied = _Implied(enc, model, inv, expected, deadline, certs)
    obligations.extend(implied.others(others, proved))
    if check_deadlock:
        obligations.append(implied.deadlock(proved, tuple(c.name for c in state_inv)))
    if enc.system.temporal:
        obligations.extend(ranking(enc, model, options.proof, inv, expected, deadline, proved))
        ranked = {r.name for r in options.proof.ranks} if options.proof is not None else set()
        skipped = [p.name for p in enc.system.temporal if p.name not in ranked]
        if skipped:
            notes.append(f"temporal propert{'ies' if len(skipped) > 1 else 'y'} "
                         f"{', '.join(skipped)}: no ranking function in the proof, so not "
                         f"checked here (--bmc K searches for a violating lasso)")
    if proved:
        notes.append(f"the conjunction of {len(conj)} propert{'ies' if len(conj) != 1 else 'y'} "
                     f"is inductive: it holds in every reachable state of this instance")
    if certs is not None:
        certs.settle(obligations)
    return obligations, notes, failure


def _what(c) -> str:
    return f"{c.kind} {c.name}"


def _span(enc: Encoding, inst):
    """Where the action of an instance is declared (None: a built-in network action)."""
    actions = enc.system.actions
    return actions[inst.action].span if inst.action < len(actions) else None


def _unproved(first_cti) -> str:
    if first_cti is None:
        return "the proof needs every obligation, and one has no verdict"
    if first_cti.action in ("(initial state)", "(reachable)"):
        return f"the proof fails: {first_cti.breaks} fails"
    if first_cti.breaks == ERRORS:
        return "the proof fails: a run-time error is possible"
    return f"the proof fails: {first_cti.breaks} is not preserved"


def _successor(enc: Encoding, inst, m) -> tuple:
    """The successor state an instance produces in model `m`."""
    return decode_state(enc, StateVars(list(inst.post), [], enc.system), m)


def _flag(s, term):
    b = z3.FreshBool("goal")
    s.add(z3.Implies(b, term))
    return b


class _Implied:
    """What a proved invariant I implies, asked of a state satisfying I without assuming
    the constraint: the spec invariants outside the targets, the transition invariants
    outside them (on steps from within the constraint), deadlock freedom."""

    def __init__(self, enc: Encoding, model: Model, inv: list, expected: dict,
                 deadline: Deadline, certs=None):
        self.enc, self.model, self.expected, self.deadline = enc, model, expected, deadline
        self.certs = certs
        self.s = new_solver()
        self.s.add(*enc.pre.facts)
        self.s.add(*inv)
        self.within = And(*[c.value for c in enc.constraints])

    def others(self, others, proved: bool) -> list[Obligation]:
        enc, s = self.enc, self.s
        out = []
        for p in others:
            name, exp = p.prop.name, self.expected.get(p.prop.name, "holds")
            kind = "transition" if p in enc.transitions else "invariant"
            if not proved:
                out.append(Obligation(name, kind, exp, Claim.UNKNOWN, "not attempted: the "
                                      "proof failed"))
                continue
            if kind == "transition":
                bad = And(self.within, Not(enc.constraint_error()), enc.trans(), p.fails)
            else:
                bad = p.fails
            if self.certs is not None:
                self.certs.add("implied", name, None, [(f"{kind} {name}", p.prop.span)], s, bad)
            with scope(s):
                a = ask(s, self.deadline, _flag(s, bad))
            if a.unsat:
                out.append(Obligation(name, kind, exp, Claim.PROVED, "implied by the inductive "
                                      "invariant"))
            elif a.sat:
                out.append(Obligation(name, kind, exp, Claim.NOT_PROVED, "not implied by the "
                                      "inductive invariant (add it to 'prove')"))
            else:
                out.append(Obligation(name, kind, exp, Claim.UNKNOWN, a.reason))
        return out

    def deadlock(self, proved: bool, assumed: tuple[str, ...]) -> Obligation:
        """Deadlock freedom: a real deadlock in an initial state, or implied by I."""
        enc, s = self.enc, self.s
        exp = self.expected.get(DEADLOCK, "holds")
        stuck = And(self.within, Not(enc.constraint_error()), Not(enc.enabled_any()))
        init = new_solver()
        init.add(*enc.pre.facts, enc.init(enc.pre))
        a = ask(init, self.deadline, stuck)
        if a.sat:
            trace = replay(self.model, [decode_state(enc, enc.pre, a.model)])
            return Obligation(DEADLOCK, "deadlock", exp, Claim.VIOLATED,
                              "no action is enabled in an initial state", trace=trace, depth=0)
        if not a.unsat:
            return Obligation(DEADLOCK, "deadlock", exp, Claim.UNKNOWN, a.reason)
        if not proved:
            return Obligation(DEADLOCK, "deadlock", exp, Claim.UNKNOWN,
                              "not attempted: the proof failed")
        if self.certs is not None:
            self.certs.add("deadlock", DEADLOCK, None, [], s, stuck)
        with scope(s):
            a = _ask_cti(s, self.deadline, _small_counts(s, [enc.pre]), _flag(s, stuck))
        if a.unsat:
            return Obligation(DEADLOCK, "deadlock", exp, Claim.PROVED,
                              "implied by the inductive invariant: some action is enabled in "
                              "every reachable state within the constraint")
        if a.sat:
            state = decode_state(enc, enc.pre, a.model)
            cti = Cti("(deadlock)", DEADLOCK, replay(self.model, [state]), assumed)
            return Obligation(DEADLOCK, "deadlock", exp, Claim.NOT_PROVED,
                              "not implied by the inductive invariant: a state satisfying it "
                              "has no enabled action (strengthen the proof to rule it out)",
                              cti=cti)
        return Obligation(DEADLOCK, "deadlock", exp, Claim.UNKNOWN, a.reason)


def k_induction(enc, model, conj, others, bound, expected, deadline, check_deadlock):
    state_inv = [c for c in conj if c.kind != "transition"]
    trans_inv = [c for c in conj if c.kind == "transition"]
    inv = [c.ok for c in state_inv]
    crash = _crash(enc)
    # (the base case reports the errors the explicit search stops at; a temporal
    # property's predicate raising is reported by check only when there is none)
    safety_crash = _crash(enc, predicates=False)
    pred_crash = And(*[c.value for c in enc.constraints], Not(enc.constraint_error()),
                     predicate_error(enc))
    stuck = And(*[c.value for c in enc.constraints], Not(enc.constraint_error()),
                Not(enc.enabled_any()))
    base = BmcRun(enc, model, deadline, avoid_errors=True)
    step = new_solver()
    path = [enc.at(0)]
    step.add(*path[0].facts)
    notes, results, failure = [], {}, None
    for k in range(1, bound + 1):
        # base case: nothing fails within k - 1 steps of an initial state
        j = k - 1
        last = base.states[j]
        checks = [(c.name, c.kind, enc.instantiate(c.term.fails, last)) for c in state_inv]
        if j > 0:
            checks += [(c.name, c.kind, enc.instantiate(c.term.fails, base.states[j - 1], last,
                                                        f"@{j - 1}"))
                       for c in trans_inv]
        checks.append((ERRORS, "errors", enc.instantiate(safety_crash, last, tag=f"#e{k}")))
        if not is_false(pred_crash):
            checks.append((ERRORS, "predicates", enc.instantiate(pred_crash, last)))
        if check_deadlock:
            checks.append((DEADLOCK, "deadlock", enc.instantiate(stuck, last)))
        for name, kind, bad in checks:
            if name in results:
                continue
            a = base.ask_at(bad)
            if a.sat and kind == "predicates":
                results[name] = (Claim.UNKNOWN, f"not decided: a temporal property's "
                                 f"predicate raises a run-time error after {j} step"
                                 f"{'s' if j != 1 else ''} (--bmc K tells whether another "
                                 f"run-time error comes first)", None, None)
            elif a.sat:
                states = base.path(a)
                steps = f"{j} step{'s' if j != 1 else ''}"
                exc = evaluation_error(model, name, kind, states) if kind in \
                    ("invariant", "transition") else None
                if kind == "errors":
                    exc = constraint_error(model, states[-1]) or first_error(model, states[-1])
                    in_state = constraint_error(model, states[-1]) is not None
                    failure = failure or _failure(model, states, exc,
                                                  "state" if in_state else "step")
                    results[name] = (Claim.VIOLATED, f"a run-time error after {steps}", None,
                                     None)
                elif exc is not None:
                    failure = failure or (_failure(model, states[:-1], exc, "step")
                                          if kind == "transition" else
                                          _failure(model, states, exc, "state"))
                    results[name] = (Claim.UNKNOWN, f"not decided: evaluating it raises a "
                                     f"run-time error after {steps} ({exc.message})", None, None)
                elif kind == "lemma":
                    results[name] = (Claim.NOT_PROVED, f"false after {steps}", None,
                                     Cti("(reachable)", name, replay(model, states), ()))
                else:
                    results[name] = (Claim.VIOLATED, f"violated after {steps}",
                                     replay(model, states), None)
            elif not a.unsat:
                results[name] = (Claim.UNKNOWN, a.reason, None, None)
        if results:
            break
        # step case: a path whose first k states satisfy I (pairwise distinct, within the
        # constraint, free of run-time errors), then a step that breaks it
        s_prev = path[-1]
        step.add(*[enc.instantiate(t, s_prev) for t in inv])
        step.add(*[enc.instantiate(c.value, s_prev) for c in enc.constraints])
        step.add(enc.instantiate(enc.error_free(), s_prev))
        if k > 1:
            step.add(*[enc.instantiate(c.ok, path[-2], s_prev, f"@{k - 2}") for c in trans_inv])
        for earlier in path[:-1]:
            step.add(Or(*[Not(x == y) for x, y in zip(earlier.leaves, s_prev.leaves)]))
        nxt = enc.at(k)
        step.add(*nxt.facts)
        step.add(enc.instantiate(base.trans, s_prev, nxt, f"@{k - 1}"))
        path.append(nxt)
        bad = [(c.name, enc.instantiate(c.term.fails, nxt)) for c in state_inv] + \
            [(c.name, enc.instantiate(c.term.fails, s_prev, nxt, f"@{k - 1}"))
             for c in trans_inv] + \
            [(ERRORS, enc.instantiate(crash, nxt, tag=f"#s{k}"))]
        a = _ask_cti(step, deadline, _small_counts(step, path) if k == bound else None,
                     _flag(step, Or(*(b for _, b in bad))))
        if a.unsat:
            notes.append(f"{k}-inductive: no path of {k} distinct states satisfying the "
                         f"invariant steps out of it; with no violation within {k - 1} "
                         f"step{'s' if k != 2 else ''} from an initial state, it holds in "
                         f"every reachable state")
            obligations = [Obligation(c.name, "lemma" if c.kind == "lemma" else c.kind,
                                      expected.get(c.name, "holds"), Claim.PROVED,
                                      f"{k}-inductive", depth=k) for c in conj]
            obligations.append(Obligation(ERRORS, "errors", "holds", Claim.PROVED,
                                          f"{k}-inductive", depth=k))
            implied = _Implied(enc, model, inv, expected, deadline)
            obligations += implied.others(others, True)
            if check_deadlock:
                obligations.append(implied.deadlock(True, tuple(c.name for c in state_inv)))
            return obligations, notes, failure
        if not a.sat:
            results["*"] = (Claim.UNKNOWN, a.reason, None, None)
            break
        if k == bound:
            states = [decode_state(enc, x, a.model) for x in path]
            broken = next(name for name, b in bad
                          if is_true(a.model.eval(b, model_completion=True)))
            cti = Cti(f"a path of {k} steps", broken, replay(model, states),
                      tuple(c.name for c in conj))
            results["*"] = (Claim.NOT_PROVED, f"not {k}-inductive: {broken} breaks after a "
                                              f"path of {k} steps", None, cti)
        base.extend()
    obligations = []
    general = results.get("*")
    names = [(c.name, c.kind) for c in conj] + [(ERRORS, "errors")]
    for name, kind in names:
        claim, detail, trace, cti = results.get(name) or general or \
            (Claim.UNKNOWN, "not decided: another property failed first", None, None)
        if kind == "lemma" and claim is Claim.NOT_PROVED and name not in results:
            claim = Claim.UNKNOWN
        obligations.append(Obligation(name, "lemma" if kind == "lemma" else kind,
                                      expected.get(name, "holds"), claim, detail,
                                      trace=trace, cti=cti))
    obligations += [Obligation(p.prop.name, "transition" if p in enc.transitions else
                               "invariant", expected.get(p.prop.name, "holds"),
                               Claim.UNKNOWN, "not attempted: the proof failed") for p in others]
    if check_deadlock:
        claim, detail, trace, cti = results.get(DEADLOCK) or \
            (Claim.UNKNOWN, "not attempted: the proof failed", None, None)
        obligations.append(Obligation(DEADLOCK, "deadlock", expected.get(DEADLOCK, "holds"),
                                      claim, detail, trace=trace, cti=cti))
    return obligations, notes, failure
