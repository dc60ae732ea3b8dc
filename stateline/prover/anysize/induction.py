"""Inductive invariants for every instance size (`--induction` with `any size` sorts).

The obligations are those of the finite `--induction` (prover/induction.py), stated
once over uninterpreted sorts instead of once per instance:

1. every initial state satisfies each state conjunct of I;
2. no run-time error in a step from a state satisfying I;
3. every step from a state satisfying I leads to a state satisfying I (per action
   schema; the acting instance and the choices over sorts are fresh constants);
4. spec invariants outside the targets, and deadlock freedom, are implied by I.

Z3 decides them over every interpretation of the sorts (every size, at once, and
infinite ones too), with the axioms of majority quorums.  A satisfying model is a
counterexample to induction with finite sorts: `cti` turns it into the
corresponding concrete instance of the spec and replays its step through that
instance's compiled model.  An obligation outside the decidable fragment EPR is
reported (`epr`) and still tried with the timeout.

Each step query is first asked under a Z3 resource limit; when that runs out, the
small instances are searched for a counterexample to the same obligation, and what
neither settles is asked again in full while the proof may still hold (small.py).
"""

from __future__ import annotations

import time

import z3

from ...lang import ir
from ..certificates import Certificates
from ..proofs import Proof
from ..results import Claim, Cti, Obligation, ProveResult
from ..scopes import Deadline, ask, new_solver, scope
from ..symbolic import Unencodable
from ..terms import And, Not, Or, is_true
from .cti import ERRORS, SMALL, Unrepresentable, decode_cti, ground, small_answers
from .doms import sort_constants
from .epr import epr_violation
from .exprs import AnyEval
from .model import AnyModel
from .small import first_try, small_cti
from .steps import declare, initial, instances

DEADLOCK = "DeadlockFreedom"


class _Conj:
    def __init__(self, name, kind, expr, span):
        self.name, self.kind, self.expr, self.span = name, kind, expr, span


def conjuncts(typed: ir.TypedSpec, proof: Proof | None, selected: tuple[str, ...] | None):
    """The conjuncts of I (the proof's targets, or the properties the block checks, then
    lemmas) and the block's other invariants and transition invariants."""
    targets = proof.targets if proof is not None else None
    conj, others = [], []
    for p in typed.properties:
        if p.kind not in ("invariant", "transition") or \
                (selected is not None and p.name not in selected):
            continue
        c = _Conj(p.name, p.kind, p.expr, p.span)
        (conj if targets is None or p.name in targets else others).append(c)
    for lemma in (proof.lemmas if proof is not None else ()):
        conj.append(_Conj(lemma.name, "lemma", lemma.expr, lemma.span))
    return conj, others


def holds(model, frame, c: _Conj, post=None):
    """The conjunct holds and can be evaluated (a transition conjunct: on pre -> post)."""
    ev = AnyEval(model, frame, post)
    value = ev.boolean(c.expr, {})
    return And(value, Not(Or(*(x for x, _, _ in ev.errors))))


def prove_any_size(loaded, check: ir.CheckIR, overrides: dict, proof: Proof | None,
                   expected: dict, deadline: Deadline, sort_names=None,
                   dropped: tuple = (), emit_smt: bool = False) -> ProveResult:
    """With `emit_smt`, each obligation is also kept as SMT-LIB text (certificates.py)."""
    started = time.perf_counter()
    sorts = sort_constants(loaded.typed, sort_names if sort_names is not None else
                           (proof.any_size if proof is not None else None),
                           tuple(name for name, _ in check.symmetric))
    model = AnyModel(loaded, check, overrides, sorts)
    conj, others = conjuncts(loaded.typed, proof, check.properties)
    state_conj = [c for c in conj if c.kind != "transition"]
    certs = Certificates(model.system.path, check.name, "every size of " + ", ".join(sorts)) \
        if emit_smt else None

    def keep(kind, supports, step, sources, s, goal):
        if certs is not None:
            where = [(f"action {step.action}", model.typed.actions[step.index].span)] \
                if step is not None and step.index < len(model.typed.actions) else []
            certs.add(kind, supports, step.action if step is not None else None,
                      sources + where, s, goal)

    pre, facts, symbols = declare(model, "")
    inv = [holds(model, pre, c) for c in state_conj]
    steps = instances(model, pre)
    init, init_errors = initial(model)
    axioms = model.axioms()
    notes = [f"for every size of {', '.join(sorts)}" + (
        " (majority quorums of " + ", ".join(sorted(model.uses_quorums)) + ")"
        if model.uses_quorums else "")]
    used = sorted(x for x in model.size_dependent if x in model._consts)
    if used:
        notes.append(f"{', '.join(used)} depend{'s' if len(used) == 1 else ''} on the size "
                     f"of a sort: where the spec uses {'it' if len(used) == 1 else 'them'}, "
                     f"the proof holds for every value")
    results: dict[str, tuple] = {}
    first_cti = None
    assumed = [(c.name, c.kind, c.expr) for c in conj]
    drops = [(x.name, x.expr) for x in dropped]

    def base_solver():
        s = new_solver()
        s.add(*axioms, *facts)
        return s

    # 1. initial states
    s = base_solver()
    for c in state_conj:
        keep("init", c.name, None, [(f"{c.kind} {c.name}", c.span)], s,
             Not(holds(model, init, c)))
        flag = _flag(s, Not(holds(model, init, c)))
        a = ask(s, deadline, flag)
        if a.sat:
            cti = _cti(model, s, deadline, a, [flag], "(initial state)", c.name, init, None,
                       [], drops)
            where = f" of {cti.instance}" if cti is not None else ""
            results[c.name] = (Claim.NOT_PROVED, f"false (or not evaluable) in an initial "
                               f"state{where}", cti)
            first_cti = first_cti or cti
        elif not a.unsat:
            results[c.name] = (Claim.UNKNOWN, a.reason, None)
    error_claim = (Claim.PROVED, "no run-time error in a state satisfying the invariant, "
                                 "for every size", None)
    if init_errors:
        keep("errors", ERRORS, None, [], s, Or(*(x for x, _, _ in init_errors)))
        a = ask(s, deadline, Or(*(x for x, _, _ in init_errors)))
        if a.sat:
            error_claim = (Claim.NOT_PROVED, "the initial state raises a run-time error "
                                             "for some size", None)

    # 2 and 3. every step, from a state satisfying I
    s = base_solver()
    s.add(*inv)
    epr_notes = set()
    deferred = []           # (step, conjunct or None for run-time errors)
    epr_walked: dict = {}
    for step in steps:
        with scope(s):
            s.add(step.reach)
            errors = Or(*(x for x, _, _ in step.errors))
            if error_claim[0] is Claim.PROVED and not z3.is_false(errors):
                keep("errors", ERRORS, step, [], s, errors)
                flag = _flag(s, errors)
                a = first_try(s, deadline, flag, _failed(results, error_claim))
                if not a.sat and not a.unsat and not _failed(results, error_claim):
                    found = small_cti(model, s, deadline, flag, "(any step)", ERRORS, pre,
                                      None, assumed, drops,
                                      steps=[st for st in steps if st is not step])
                    if found is not None:
                        error_claim = (Claim.NOT_PROVED, f"possible in {step.action}: "
                                                         f"{_error_of(step, found[0])}",
                                       found[1])
                        first_cti = first_cti or found[1]
                    else:
                        deferred.append((step, None))
                elif a.sat:
                    error_claim = _error_found(model, s, deadline, a, flag, step, steps, pre,
                                               assumed, drops)
                    first_cti = first_cti or error_claim[2]
            s.add(Not(errors))
            # one query per conjunct: quantified goals are much easier for Z3 one at a
            # time than as one disjunction
            for c in conj:
                if c.name in results:
                    continue
                bad = Not(holds(model, step.post, c) if c.kind != "transition"
                          else holds(model, pre, c, step.post))
                why = epr_violation(model, [*axioms, *inv, step.reach, bad], symbols,
                                    epr_walked)
                if why:
                    epr_notes.add(why)
                keep("step", c.name, step, [(f"{c.kind} {c.name}", c.span)], s, bad)
                flag = _flag(s, bad)
                a = first_try(s, deadline, flag, _failed(results, error_claim))
                if a.unsat:
                    continue
                if not a.sat:
                    found = None if _failed(results, error_claim) else small_cti(
                        model, s, deadline, flag, step.action, c.name, pre, step, assumed,
                        drops, sized=step.sized, steps=steps)
                    if found is None:
                        deferred.append((step, c))
                        continue
                    results[c.name] = (Claim.NOT_PROVED, f"not preserved by {step.action}",
                                       found[1])
                    first_cti = first_cti or found[1]
                    continue
                results[c.name] = _not_preserved(model, s, deadline, a, flag, step, c, pre,
                                                 steps, assumed, drops)
                first_cti = first_cti or results[c.name][2]

    # the queries the first try left open (no answer within RLIMIT, no small instance
    # breaks them): asked in full while the proof may still hold; once it has failed,
    # they are left as the other unsettled conjuncts ("the proof fails")
    for step, c in deferred:
        if _failed(results, error_claim) or (c.name in results if c is not None else
                      error_claim[0] is not Claim.PROVED):
            continue
        with scope(s):
            s.add(step.reach)
            errors = Or(*(x for x, _, _ in step.errors))
            if c is None:
                flag = _flag(s, errors)
                a = ask(s, deadline, flag)
                if a.sat:
                    error_claim = _error_found(model, s, deadline, a, flag, step, steps, pre,
                                               assumed, drops)
                    first_cti = first_cti or error_claim[2]
                elif not a.unsat:
                    error_claim = (Claim.UNKNOWN, a.reason, None)
                continue
            s.add(Not(errors))
            bad = Not(holds(model, step.post, c) if c.kind != "transition"
                      else holds(model, pre, c, step.post))
            flag = _flag(s, bad)
            a = ask(s, deadline, flag)
            if a.sat:
                results[c.name] = _not_preserved(model, s, deadline, a, flag, step, c, pre,
                                                 steps, assumed, drops)
                first_cti = first_cti or results[c.name][2]
            elif not a.unsat:
                results[c.name] = (Claim.UNKNOWN, a.reason, None)

    proved = not results and error_claim[0] is Claim.PROVED
    obligations = []
    for c in conj:
        claim, detail, cti = results.get(c.name, (None, "", None))
        if claim is None:
            if proved:
                claim, detail = Claim.PROVED, "inductive, for every size"
            else:
                claim = Claim.NOT_PROVED if c.kind != "lemma" else Claim.UNKNOWN
                broken = next(name for name, (cl, _, _) in results.items()
                              if cl is Claim.NOT_PROVED) if any(
                    cl is Claim.NOT_PROVED for cl, _, _ in results.values()) else None
                detail = "the proof fails" + (f": {broken} is not preserved" if broken else "")
                cti = first_cti if c.kind != "lemma" else None
        kind = "lemma" if c.kind == "lemma" else c.kind
        obligations.append(Obligation(c.name, kind, expected.get(c.name, "holds"), claim,
                                      detail, cti=cti))
    if error_claim[0] is Claim.PROVED and not proved:
        error_claim = (Claim.NOT_PROVED, "the proof fails", None)
    if model.unchecked_bounds:
        bounds = ", ".join(sorted(model.unchecked_bounds))
        notes.append(f"ranges bounded by {bounds}, which depend"
                     f"{'s' if len(model.unchecked_bounds) == 1 else ''} on the size of a sort, "
                     f"are not checked for every size: (run-time errors) does not cover a "
                     f"value beyond {bounds} (check the instances for that)")
        if error_claim[0] is Claim.PROVED:
            error_claim = (Claim.PROVED, error_claim[1] + f" (values beyond {bounds} not "
                                                          f"checked)", None)
    obligations.append(Obligation(ERRORS, "errors", "holds", error_claim[0], error_claim[1],
                                  cti=error_claim[2]))
    s = base_solver()
    s.add(*inv)
    for c in others:
        exp = expected.get(c.name, "holds")
        if not proved:
            obligations.append(Obligation(c.name, c.kind, exp, Claim.UNKNOWN,
                                          "not attempted: the proof failed"))
            continue
        if c.kind == "transition":
            bad = Or(*(And(st.reach, Not(holds(model, pre, c, st.post))) for st in steps))
        else:
            bad = Not(holds(model, pre, c))
        keep("implied", c.name, None, [(f"{c.kind} {c.name}", c.span)], s, bad)
        with scope(s):
            a = ask(s, deadline, bad)
        claim = Claim.PROVED if a.unsat else Claim.NOT_PROVED if a.sat else Claim.UNKNOWN
        detail = "implied by the inductive invariant, for every size" if a.unsat else \
            "not implied by the inductive invariant (add it to 'prove')" if a.sat else a.reason
        obligations.append(Obligation(c.name, c.kind, exp, claim, detail))
    if not model.system.allow_deadlock or DEADLOCK in expected:
        obligations.append(_deadlock(s, steps, proved, expected, deadline, model, pre,
                                     state_conj, drops, keep))
    if epr_notes:
        notes.extend(f"outside EPR ({x}); Z3 was tried anyway" for x in sorted(epr_notes))
    if proved:
        notes.append(f"the conjunction of {len(conj)} propert{'ies' if len(conj) != 1 else 'y'}"
                     f" is inductive for every size of {', '.join(sorts)}")
    constants = tuple((name, "any size") for name in sorts)
    if certs is not None:
        certs.settle(obligations)
    return ProveResult(model.system.name, model.system.path, check.name, constants,
                       "induction", tuple(obligations), time.perf_counter() - started, (),
                       None, tuple(notes), certs)


def _cti(model, s, deadline, a, assumptions, *args, steps=()):
    """The counterexample of a satisfiable query, in the smallest concrete instance that
    shows it; None when no instance with at most SMALL elements per sort can."""
    return _small_cti(model, s, deadline, assumptions, *args, steps=steps)[1]


def _small_cti(model, s, deadline, assumptions, *args, steps=()):
    """(Z3 model of the small instance, its CTI), or (None, None)."""
    step = args[3]
    for small in small_answers(model, s, deadline, *assumptions,
                               sized=step.sized if step is not None else (), steps=steps):
        try:
            return small.model, decode_cti(model, small.model, *args)
        except Unrepresentable:
            continue
    return None, None


def _failed(results, error_claim) -> bool:
    """Some obligation is already not preserved: the proof fails whatever else holds."""
    return error_claim[0] is Claim.NOT_PROVED or any(
        cl is Claim.NOT_PROVED for cl, _, _ in results.values())


def _error_found(model, s, deadline, a, flag, step, steps, pre, assumed, drops):
    """The run-time error claim of a satisfiable error query of `step`."""
    zm, cti = _small_cti(model, s, deadline, [flag], "(any step)", ERRORS, pre, None,
                         assumed, drops, steps=[st for st in steps if st is not step])
    return Claim.NOT_PROVED, f"possible in {step.action}: " \
                             f"{_error_of(step, a.model, zm)}", cti


def _error_of(step, *models) -> str:
    """The message of the run-time error `step` raises in the first of the Z3 `models`
    (None: none) that shows one (a condition under a quantifier Z3 leaves unevaluated
    is expanded over the model's universes)."""
    for zm in models:
        for x, _, msg in step.errors if zm is not None else ():
            v = zm.eval(x, model_completion=True)
            if not z3.is_true(v) and not z3.is_false(v):
                v = zm.eval(ground(x, zm, {}), model_completion=True)
            if is_true(v):
                return msg
    return "a run-time error"


def _not_preserved(model, s, deadline, a, flag, step, c, pre, steps, assumed, drops):
    """The claim of conjunct `c`, whose step query for `step` is satisfiable."""
    cti = _cti(model, s, deadline, a, [flag], step.action, c.name, pre, step,
               assumed, drops, steps=steps)
    detail = f"not preserved by {step.action}" + (
        "" if cti is not None else f" (in no instance with at most {SMALL} "
                                   f"elements per sort: a larger one)")
    return Claim.NOT_PROVED, detail, cti


def _flag(s, term):
    b = z3.FreshBool("goal")
    s.add(z3.Implies(b, term))
    return b


def _deadlock(s, steps, proved, expected, deadline, model, pre, state_conj,
              drops, keep) -> Obligation:
    exp = expected.get(DEADLOCK, "holds")
    if not proved:
        return Obligation(DEADLOCK, "deadlock", exp, Claim.UNKNOWN,
                          "not attempted: the proof failed")
    enabled = []
    for st in steps:
        enabled.append(z3.Exists(st.consts, st.reach) if st.consts else st.reach)
    keep("deadlock", DEADLOCK, None, [], s, Not(Or(*enabled)))
    with scope(s):
        flag = _flag(s, Not(Or(*enabled)))
        a = ask(s, deadline, flag)
        cti = _cti(model, s, deadline, a, [flag], "(deadlock)", DEADLOCK, pre, None,
                   [(c.name, c.kind, c.expr) for c in state_conj], drops,
                   steps=steps) if a.sat else None
    if a.unsat:
        return Obligation(DEADLOCK, "deadlock", exp, Claim.PROVED,
                          "implied by the inductive invariant: some action is enabled, for "
                          "every size")
    if a.sat:
        return Obligation(DEADLOCK, "deadlock", exp, Claim.NOT_PROVED,
                          "not implied by the inductive invariant: a state satisfying it has "
                          "no enabled action", cti=cti)
    return Obligation(DEADLOCK, "deadlock", exp, Claim.UNKNOWN, a.reason)
