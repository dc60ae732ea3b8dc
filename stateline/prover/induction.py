"""Inductive invariants with counterexamples to induction, and k-induction.

The invariant I is the conjunction of the target properties (the spec's
invariants, or those a proof file's `prove` line names) and the proof file's
lemmas.  `--induction` checks, for the instance:

1. init => each conjunct of I (a failure of a spec invariant is a real
   violation, shown as a 0-step trace);
2. I and the constraint => no run-time error (evaluating a property or taking a
   step), so that the states I describes are ones the explicit engine could
   expand;
3. for each action schema A and each conjunct J: I and A => J' (a transition
   invariant P: I and A => P).  A satisfying assignment is a counterexample to
   induction (CTI): a state satisfying I, a step of A, and a successor
   violating J; it is replayed through the compiled model like any trace.

When every check passes, I holds in every reachable state, so every conjunct
is proved; a spec invariant outside the targets is proved if I implies it.

`--k-induction K` strengthens step 3 to paths: for k = 1..K, no path of k
distinct states satisfying I (and the constraint, with no run-time error) ends
in a step into a state violating it, with bounded model checking to depth k-1
as the base case.
"""

from __future__ import annotations

import z3

from ..models.model import Model
from .bmc import BmcRun
from .decode import decode_state, first_error, replay
from .encode import Encoding, StateVars
from .ranking import ranking
from .results import Claim, Cti, Obligation
from .scopes import Deadline, ask, new_solver, scope
from .terms import And, Eq, Not, Or, is_false, is_true

ERRORS = "(run-time errors)"


class _Conjunct:
    def __init__(self, name, kind, term):
        self.name, self.kind, self.term = name, kind, term   # kind: invariant|transition|lemma


def conjuncts(enc: Encoding, proof) -> tuple[list[_Conjunct], list]:
    """The conjuncts of I (targets, then lemmas) and the spec invariants outside it."""
    targets = proof.targets if proof is not None and proof.targets is not None else None
    out, others = [], []
    for p in enc.invariants + enc.transitions:
        kind = "transition" if p in enc.transitions else "invariant"
        if targets is None or p.prop.name in targets:
            out.append(_Conjunct(p.prop.name, kind, p))
        else:
            others.append(p)
    for lemma in (proof.lemmas if proof is not None else ()):
        out.append(_Conjunct(lemma.name, "lemma", enc.check_expr(lemma.expr, lemma.name)))
    return out, others


def _state_errors(enc: Encoding, conj: list[_Conjunct]):
    """Evaluating a property in the template state raises an error."""
    return Or(*[c.term.error for c in conj if c.kind != "transition"],
              *[p.error for p in enc.invariants + enc.constraints])


def induction(enc: Encoding, model: Model, options, expected: dict, deadline: Deadline):
    conj, others = conjuncts(enc, options.proof)
    if options.engine == "k-induction":
        return k_induction(enc, model, conj, others, options.bound, expected, deadline)
    pre, post = enc.pre, enc.post
    state_inv = [c for c in conj if c.kind != "transition"]
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
    notes = []

    # 1. the initial states satisfy every state conjunct
    with scope(s):
        s.add(enc.init(pre))
        for c in state_inv:
            a = ask(s, deadline, Not(c.term.value))
            if a.sat:
                trace = replay(model, [decode_state(enc, pre, a.model)])
                if c.kind == "invariant":
                    results[c.name] = (Claim.VIOLATED, "false in an initial state", trace, None)
                else:
                    cti = Cti("(initial state)", c.name, trace, (), violates=violates(a.model))
                    results[c.name] = (Claim.NOT_PROVED, "false in an initial state", None, cti)
                    first_cti = first_cti or cti
            elif not a.unsat:
                results[c.name] = (Claim.UNKNOWN, a.reason, None, None)

    # 2. no run-time error in a state satisfying I
    s.add(*[c.term.value for c in state_inv])
    s.add(within)
    errors = Or(_state_errors(enc, conj), enc.step_error())
    a = ask(s, deadline, errors) if not is_false(errors) else None
    error_claim = (Claim.PROVED, "no run-time error in a state satisfying the invariant", None,
                   None)
    if a is not None and a.sat:
        state = decode_state(enc, pre, a.model)
        exc = first_error(model, state)
        what = f"{exc.message} ({model.system.sites[exc.site]})" if exc else \
            "a property or lemma cannot be evaluated"
        cti = Cti("(any step)", ERRORS, replay(model, [state]), tuple(c.name for c in state_inv),
                  violates=violates(a.model))
        error_claim = (Claim.NOT_PROVED, f"possible in a state satisfying the invariant: {what}",
                       None, cti)
        first_cti = first_cti or cti
    elif a is not None and not a.unsat:
        error_claim = (Claim.UNKNOWN, a.reason, None, None)
    s.add(Not(_state_errors(enc, conj)), enc.no_step_error())

    # 3. every action preserves every conjunct: one query per action instance, with
    # the successor's leaves bound to the instance's values (no selector, no frame
    # terms), asking for any conjunct not yet broken; a model names every conjunct it
    # breaks.  (Binding the leaves, rather than substituting them into every conjunct
    # for every instance, keeps the terms built in Python to one copy per conjunct.)
    to_post = list(zip(pre.leaves, post.leaves))
    after = {c.name: c.term.value if c.kind == "transition" else
             z3.substitute(c.term.value, *to_post) for c in conj}
    for action, which in enc.actions():
        for j in which:
            inst = enc.instances[j]
            bind = [Eq(x, v) for x, v in zip(post.leaves, enc.post_leaves(inst))]
            with scope(s):
                s.add(inst.enabled, Not(inst.error), *inst.facts, *bind)
                while True:
                    open_ = [c for c in conj if c.name not in results]
                    if not open_:
                        break
                    bads = [Not(after[c.name]) for c in open_]
                    a = ask(s, deadline, _flag(s, Or(*bads)))
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
                detail = "preserved, but the proof needs every conjunct" if first_cti is None \
                    else f"not proved: {first_cti.breaks} is not preserved"
                cti = first_cti if c.kind != "lemma" else None
        obligations.append(Obligation(c.name, kind, exp, claim, detail, trace=trace, cti=cti))
    obligations.append(Obligation(ERRORS, "errors", "holds", error_claim[0], error_claim[1],
                                  cti=error_claim[3]))
    obligations.extend(_others(enc, s, others, proved, expected, deadline))
    if enc.system.temporal:
        obligations.extend(ranking(enc, model, options.proof,
                                   [c.term.value for c in state_inv], expected, deadline,
                                   proved))
        ranked = {r.name for r in options.proof.ranks} if options.proof is not None else set()
        skipped = [p.name for p in enc.system.temporal if p.name not in ranked]
        if skipped:
            notes.append(f"temporal propert{'ies' if len(skipped) > 1 else 'y'} "
                         f"{', '.join(skipped)}: no ranking function in the proof, so not "
                         f"checked here (--bmc K searches for a violating lasso)")
    if proved:
        notes.append(f"the conjunction of {len(conj)} propert{'ies' if len(conj) != 1 else 'y'} "
                     f"is inductive: it holds in every reachable state of this instance")
    return obligations, notes


def _successor(enc: Encoding, inst, m) -> tuple:
    """The successor state an instance produces in model `m`."""
    return decode_state(enc, StateVars(list(inst.post), [], enc.system), m)


def _flag(s, term):
    b = z3.FreshBool("goal")
    s.add(z3.Implies(b, term))
    return b


def _others(enc, s, others, proved, expected, deadline) -> list[Obligation]:
    """Spec invariants outside the targets: proved when the invariant implies them."""
    out = []
    for p in others:
        name, exp = p.prop.name, expected.get(p.prop.name, "holds")
        kind = "transition" if p in enc.transitions else "invariant"
        if not proved:
            out.append(Obligation(name, kind, exp, Claim.UNKNOWN, "not attempted: the proof "
                                  "failed"))
            continue
        if kind == "transition":
            with scope(s):
                a = ask(s, deadline, _flag(s, And(enc.trans(), Not(p.value))))
        else:
            a = ask(s, deadline, _flag(s, Not(p.value)))
        if a.unsat:
            out.append(Obligation(name, kind, exp, Claim.PROVED, "implied by the inductive "
                                  "invariant"))
        elif a.sat:
            out.append(Obligation(name, kind, exp, Claim.NOT_PROVED, "not implied by the "
                                  "inductive invariant (add it to 'prove')"))
        else:
            out.append(Obligation(name, kind, exp, Claim.UNKNOWN, a.reason))
    return out


def k_induction(enc, model, conj, others, bound, expected, deadline):
    state_inv = [c for c in conj if c.kind != "transition"]
    trans_inv = [c for c in conj if c.kind == "transition"]
    within = And(*[c.value for c in enc.constraints])
    errors = Or(_state_errors(enc, conj), And(within, enc.step_error()))
    base = BmcRun(enc, model, deadline, avoid_errors=True)
    step = new_solver()
    path = [enc.at(0)]
    step.add(*path[0].facts)
    notes, results = [], {}
    for k in range(1, bound + 1):
        # base case: nothing fails within k - 1 steps of an initial state
        last = base.states[-1]
        checks = [(c.name, c.kind, Not(enc.instantiate(c.term.value, last)))
                  for c in state_inv] + \
            [(ERRORS, "errors", enc.instantiate(errors, last, tag=f"#e{k}"))]
        for name, kind, bad in checks:
            a = base.ask_at(bad)
            if a.sat:
                trace = replay(model, base.path(a))
                n = len(trace)
                if kind == "lemma":
                    results[name] = (Claim.NOT_PROVED, f"false after {n} steps", None,
                                     Cti("(reachable)", name, trace, ()))
                else:
                    what = "a run-time error" if kind == "errors" else "false"
                    results[name] = (Claim.VIOLATED, f"{what} after {n} steps", trace, None)
            elif not a.unsat:
                results[name] = (Claim.UNKNOWN, a.reason, None, None)
        if results:
            break
        # step case: k distinct states satisfying I, then a step that breaks it
        s_prev = path[-1]
        step.add(*[enc.instantiate(c.term.value, s_prev) for c in state_inv])
        step.add(*[enc.instantiate(c.value, s_prev) for c in enc.constraints])
        step.add(enc.instantiate(And(Not(_state_errors(enc, conj)), enc.no_step_error()),
                                 s_prev))
        nxt = enc.at(k)
        step.add(*nxt.facts)
        step.add(enc.instantiate(base.trans, s_prev, nxt, f"@{k - 1}"))
        for c in trans_inv:
            if k > 1:
                step.add(enc.instantiate(c.term.value, path[-2], s_prev))
        for earlier in path:
            step.add(Or(*[Not(x == y) for x, y in zip(earlier.leaves, nxt.leaves)]))
        path.append(nxt)
        bad = [(c.name, Not(enc.instantiate(c.term.value, nxt))) for c in state_inv] + \
            [(c.name, Not(enc.instantiate(c.term.value, s_prev, nxt))) for c in trans_inv] + \
            [(ERRORS, enc.instantiate(errors, nxt, tag=f"#s{k}"))]
        a = ask(step, deadline, _flag(step, Or(*(b for _, b in bad))))
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
            return obligations + list(_k_others(others, expected)), notes
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
    for name, kind in [(c.name, c.kind) for c in conj] + [(ERRORS, "errors")]:
        claim, detail, trace, cti = results.get(name) or general or \
            (Claim.UNKNOWN, "not decided: another property failed first", None, None)
        if kind == "lemma" and claim is Claim.NOT_PROVED and name not in results:
            claim = Claim.UNKNOWN
        obligations.append(Obligation(name, kind, expected.get(name, "holds"), claim, detail,
                                      trace=trace, cti=cti))
    obligations += [Obligation(p.prop.name, "invariant", expected.get(p.prop.name, "holds"),
                               Claim.UNKNOWN, "not attempted: the proof failed") for p in others]
    return obligations, notes


def _k_others(others, expected):
    for p in others:
        yield Obligation(p.prop.name, "invariant", expected.get(p.prop.name, "holds"),
                         Claim.UNKNOWN, "not among the proved properties (name it in 'prove')")
