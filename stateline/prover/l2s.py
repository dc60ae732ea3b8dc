"""Liveness by Z3 without a ranking function: the liveness-to-safety reduction
(Biere, Artho and Schuppan, 2002) solved by Spacer (`stateline prove --liveness-to-safety`).

A temporal property of a finite instance fails exactly when some reachable state
starts a fair loop that violates it (a lasso).  The reduction makes that a
reachability question.  For one instance of the property (one value of its
`forall` binders) the transition system is extended with

* a copy `loop.x` of every part x of the state and a flag `loop.saved`: at some
  step, chosen nondeterministically, the current state is saved as the loop's
  first state;
* per fairness unit, what the loop has done for it since the save: weak fairness,
  `loop.fair[u]`, the unit was taken by a step of the loop (one that changes the
  state) or was disabled in one of its states; strong fairness, `loop.took[u]` and
  `loop.enabled[u]`, taken by a step of the loop, and enabled in one of its states;
* a one-bit monitor of the property: for `eventually always P`, `loop.failing`, P
  was false in a state of the loop; for `P leads_to Q`, `loop.pending`, a state
  with P and not Q was chosen (nondeterministically) and Q has not held since.
  The other forms restrict the states instead: `eventually P` (and `initially P
  implies eventually Q`) only through states without P (Q), `always eventually P`
  only loops through states without P, and `leads_to` only loops without Q.

Every state may also stutter (a step that changes nothing and takes no unit), as
in the explicit checker, where every state is a loop of its own: a deadlock
state, or a state where no fair unit is enabled, loops by stuttering.  The bad
states are those where the loop is saved, the current state equals the saved one,
every weakly fair unit was taken or disabled, every strongly fair unit was taken
or never enabled, and the monitor says violated.  Only states within the
`constraint` take steps (the explicit graph keeps no state outside it), and a unit
is enabled by a step that leaves the constraint, as in the checker.

Spacer decides whether a bad state is reachable.  Unreachable: the property is
proved for every fair behaviour of the instance, and the inductive invariant
Spacer found for the extended system is printed (the parts of the copy as
`loop.x`).  Reachable: the derivation Spacer returns is the path to the
loop-closed state; it is decoded into a lasso (`l2s_replay`), checked on the
compiled model (a real fair loop violating the property, or an internal error)
and printed like the explicit checker's lassos.  A timeout is `unknown`.

The verdicts presuppose that no run-time error is reachable (the explicit checker
reports the error instead of a verdict): the engine proves the temporal properties
only when Spacer has proved "(run-time errors)" absent.  When Spacer neither proves
nor finds a run-time error, a property may still be found violated, by a fair
violating lasso none of whose states raises a run-time error (`violation_search`):
a real behaviour on which the property fails.

A fair action with symbolic choices has an existential `enabled`, which a Horn clause
cannot negate; Z3's quantifier elimination makes it quantifier-free (`eliminated`).
"""

from __future__ import annotations

import time
from dataclasses import replace

import z3

from ..models.model import Model
from .enabled import quantified
from .encode import Encoding
from .finite_exists import written_out
from .fairness import Unit, instances, predicate_error, taken, units
from .l2s_replay import ErrorOnLasso, lasso_from_facts
from .pdr import _query, frozen_leaves
from .results import Claim, Obligation
from .scopes import Deadline, OutOfTime
from .terms import TRUE, And, Eq, Implies, Not, Or
from .translate import Leaf, Translator, Untranslatable, answer_formula, leaves

FORMS = ("eventually", "initially_eventually", "always_eventually", "eventually_always",
         "leads_to")


def eliminated(fair: list[Unit], deadline: Deadline) -> list[Unit]:
    """The units with each quantified `enabled` (a fair action with symbolic choices:
    "some choice can fire") replaced by an equivalent quantifier-free formula; the others
    as they are.  The choices range over finite domains (a received message is one of the
    network's cells), so the existential is a finite disjunction in disguise: it is
    written out (`finite_exists.written_out`) when its variables have constant bounds and at
    most LIMIT values together, else eliminated by Z3's quantifier elimination (the `qe`
    tactic) when that succeeds within the deadline."""
    out = []
    for u in fair:
        if quantified(u.enabled):
            u = replace(u, enabled=written_out(u.enabled))
        if quantified(u.enabled) and not deadline.expired:
            ms = deadline.remaining_ms()
            tactic = z3.Tactic("qe") if ms is None else z3.TryFor(z3.Tactic("qe"), ms)
            goal = z3.Goal()
            goal.add(u.enabled)
            try:
                f = tactic(goal).as_expr()
            except z3.Z3Exception:
                f = None
            if f is not None and not quantified(f):
                u = replace(u, enabled=f)
        out.append(u)
    return out


SPLIT_LIMIT = 64     # values of a divisor (or factor) expanded into a case split


def linearize(enc: Encoding, term):
    """`term` with each division, modulo or product of two non-constant integers whose
    one side has at most SPLIT_LIMIT possible values (known bounds) split into cases
    over that side's values: Spacer solves linear arithmetic only (Z3 says
    "Uninterpreted 'div'" otherwise).  The value where a divisor is 0 does not matter:
    evaluating it is a run-time error, ruled out before the reduction runs."""
    ops = (z3.Z3_OP_IDIV, z3.Z3_OP_MOD, z3.Z3_OP_MUL)
    memo: dict[int, object] = {}

    def split(t):
        a, b = t.children()
        if z3.is_int_value(b) or (t.decl().kind() == z3.Z3_OP_MUL and z3.is_int_value(a)):
            return None                 # linear already
        for side in ((1, 0) if t.decl().kind() == z3.Z3_OP_MUL else (1,)):
            x = (a, b)[side]
            bounds = enc.bounds(x)
            if bounds is None or bounds[1] - bounds[0] >= SPLIT_LIMIT:
                continue
            out = None
            for v in range(bounds[1], bounds[0] - 1, -1):
                args = [a, b]
                args[side] = z3.IntVal(v)
                case = z3.simplify(t.decl()(*args)) if not (side == 1 and v == 0) else \
                    z3.IntVal(0)
                out = case if out is None else z3.If(x == v, case, out)
            return out
        return None

    def walk(t):
        key = t.get_id()
        if key in memo:
            return memo[key]
        out = t
        if z3.is_app(t) and t.num_args() > 0:
            kids = [walk(c) for c in t.children()]
            if any(not k.eq(c) for k, c in zip(kids, t.children())):
                out = t.decl()(*kids)
            if out.decl().kind() in ops and out.num_args() == 2:
                cases = split(out)
                out = out if cases is None else cases
        memo[key] = out
        return out

    return walk(term) if term is not None else None


class Product:
    """The extended transition system of one property instance, as Horn clauses."""

    def __init__(self, enc: Encoding, fair: list[Unit], form: str, inst, tag: str,
                 error_free: bool = False, assume=None):
        """`error_free`: only states free of run-time errors (the quantifier-free part of
        `Encoding.error_free`, and no temporal predicate raising) are on the lasso, for
        the search for violations when run-time errors are not ruled out.  `assume`: a
        term over the template state that holds in every reachable state (a proved
        inductive invariant): only states satisfying it take steps."""
        self.enc, self.fair, self.form = enc, fair, form
        pre, post = enc.pre, enc.post
        self.frozen = frozen_leaves(enc)
        self.kept = [i for i in range(len(pre.leaves)) if i not in self.frozen]
        subst = [(pre.leaves[i], v) for i, v in self.frozen.items()] + \
            [(post.leaves[i], v) for i, v in self.frozen.items()]
        self.fix = (lambda t: z3.substitute(t, *subst)) if subst else (lambda t: t)
        s = [pre.leaves[i] for i in self.kept]
        s2 = [post.leaves[i] for i in self.kept]
        copy = [z3.Const(f"loop.{x}", x.sort()) for x in s]
        copy2 = [z3.Const(f"loop.{x}'", x.sort()) for x in s]
        saved, saved2 = z3.Bool("loop.saved"), z3.Bool("loop.saved'")
        flags, flags2, self.flag_names = [], [], []
        for u in fair:
            for what in (("fair",) if u.kind == "weak" else ("took", "enabled")):
                flags.append(z3.Bool(f"loop.{what}[{u.index}]"))
                flags2.append(z3.Bool(f"loop.{what}[{u.index}]'"))
                self.flag_names.append(f"loop.{what}[{u.name}]")
        monitor = form in ("eventually_always", "leads_to")
        mon, mon2 = z3.Bool("loop.monitor"), z3.Bool("loop.monitor'")
        self.monitor_name = "loop.failing" if form == "eventually_always" else "loop.pending"
        stut, save, mark = z3.Bool("l2s.stutter"), z3.Bool("l2s.save"), z3.Bool("l2s.mark")

        now = s + copy + [saved] + flags + ([mon] if monitor else [])
        nxt = s2 + copy2 + [saved2] + flags2 + ([mon2] if monitor else [])
        self.args = now
        self.rel = z3.Function(f"Loop{tag}", *[x.sort() for x in now], z3.BoolSort())

        P, Q = linearize(enc, inst.p), linearize(enc, inst.q)
        init = [enc.init(pre), *pre.facts, Not(saved), *[Not(f) for f in flags],
                *[Eq(c, x) for c, x in zip(copy, s)]]
        if monitor:
            init.append(Not(mon))
        if form == "eventually":
            init.append(Not(P))           # (every state: below, and the last is a loop state)
        elif form == "initially_eventually":
            init += [P, Not(Q)]
        self.init = self.fix(And(*init))

        in_loop = Or(saved, save)             # this step belongs to the loop
        changed = Or(*(Not(Eq(a, b)) for a, b in zip(s2, s)))
        same = And(*(Eq(a, b) for a, b in zip(s2, s)))
        clean = And(enc.error_free(quantified=False), Not(predicate_error(enc))) \
            if error_free else TRUE
        step = [
            *[c.value for c in enc.constraints], *post.facts, clean,
            TRUE if assume is None else assume,
            z3.If(stut, same, enc.trans()),
            Implies(save, Not(saved)), Eq(saved2, in_loop),
            *[Eq(c2, z3.If(saved, c, z3.If(save, x, x2)))
              for c2, c, x, x2 in zip(copy2, copy, s, s2)],
        ]
        k = 0
        for u in fair:
            took = And(Not(stut), taken(u.members, enc.sel), changed)
            if u.kind == "weak":
                step.append(Eq(flags2[k], And(in_loop, Or(And(saved, flags[k]),
                                                          Not(u.enabled), took))))
                k += 1
            else:
                step.append(Eq(flags2[k], And(in_loop, Or(And(saved, flags[k]), took))))
                step.append(Eq(flags2[k + 1], And(in_loop, Or(And(saved, flags[k + 1]),
                                                              u.enabled))))
                k += 2
        if form == "eventually":
            step.append(Not(P))
        elif form == "initially_eventually":
            step.append(Not(Q))
        elif form == "always_eventually":
            step.append(Implies(in_loop, Not(P)))
        elif form == "eventually_always":
            step.append(Eq(mon2, And(in_loop, Or(And(saved, mon), Not(P)))))
        elif form == "leads_to":
            step.append(Implies(in_loop, Not(Q)))
            step.append(Eq(mon2, Or(mon, And(mark, P, Not(Q)))))
            step.append(Implies(mon2, Not(Q)))
        else:
            raise ValueError(f"unknown temporal form {form!r}")
        self.step = self.fix(And(*step))
        self.now, self.next = now, nxt
        self.vars = now + nxt + [enc.sel, stut, save, mark] + list(enc.params)

        bad = [saved, clean, *[Eq(c, x) for c, x in zip(copy, s)]]
        k = 0
        for u in fair:
            if u.kind == "weak":
                bad.append(flags[k])
                k += 1
            else:
                bad.append(Or(flags[k], Not(flags[k + 1])))
                k += 2
        if monitor:
            bad.append(mon)
        self.bad = self.fix(And(*bad))

    def fixedpoint(self):
        fp = z3.Fixedpoint()
        fp.set(engine="spacer")
        fp.set("spacer.random_seed", 0)
        fp.set("xform.inline_linear", False)
        fp.set("xform.inline_eager", False)
        fp.set("xform.slice", False)
        fp.register_relation(self.rel)
        fp.declare_var(*self.vars)
        fp.rule(self.rel(*self.now), self.init)
        fp.rule(self.rel(*self.next), [self.rel(*self.now), self.step])
        return fp

    def table(self) -> list[Leaf]:
        """How the invariant names each argument of the relation."""
        enc = self.enc
        base = leaves(enc)
        own = [base[i] for i in self.kept]
        every = leaves(enc, "loop")
        copy = [every[i] for i in self.kept]
        out = own + copy + [Leaf("loop.saved", None)]
        out += [Leaf(name, None) for name in self.flag_names]
        if self.form in ("eventually_always", "leads_to"):
            out.append(Leaf(self.monitor_name, None))
        return out


def liveness_to_safety(enc: Encoding, model: Model, expected: dict, deadline: Deadline,
                       props, assume=None) -> list[Obligation]:
    """The obligations of the temporal properties `props`, each decided by Spacer on the
    liveness-to-safety product of each of its instances."""
    if not props:
        return []
    fair = eliminated(units(enc, model), deadline)
    symbolic = [u.name for u in fair if quantified(u.enabled)]
    out = []
    for k, prop in enumerate(props):
        exp = expected.get(prop.name, "holds")
        if symbolic:
            out.append(Obligation(prop.name, "temporal", exp, Claim.UNKNOWN,
                                  f"not decided: the fair action {symbolic[0]} has a "
                                  f"symbolic choice, whose `enabled` the Horn clauses cannot "
                                  f"state (use --bmc K, or check)"))
            continue
        share = _share(deadline, 1 / (len(props) - k))
        out.append(prove_property(enc, model, prop, fair, exp, share, assume))
    return out


SPACER_PART = 0.5     # of a property's share of a --timeout: Spacer's; the rest, a search's


def prove_property(enc: Encoding, model: Model, prop, fair: list[Unit], exp: str,
                   deadline: Deadline, assume=None) -> Obligation:
    """Spacer on the product of each instance of `prop`.  With a timeout, Spacer has
    SPACER_PART of it; when that runs out, the bounded fair-lasso search of `--bmc`
    (`lasso.lasso_search`, confirmed on the compiled model) has the rest: a violation
    Spacer did not reach in its time may be a short lasso that search finds."""
    form = prop.temporal.form
    texts = []
    insts = instances(enc, prop)
    spacer_time = _share(deadline, SPACER_PART)
    for number, inst in enumerate(insts):
        product = Product(enc, fair, form, inst, f"{prop.name}.{number}", assume=assume)
        fp = product.fixedpoint()
        r, reason = _query(fp, spacer_time, And(product.rel(*product.now), product.bad))
        if r == z3.sat:
            trace, shape = lasso_from_facts(enc, model, product, fp.get_answer(), fair,
                                            prop, number)
            what = f" (for {inst.label})" if inst.label else ""
            return Obligation(prop.name, "temporal", exp, Claim.VIOLATED,
                              f"a fair lasso{what}: {shape}", trace=trace,
                              depth=len(trace.steps))
        if r != z3.unsat:
            if spacer_time is not deadline and spacer_time.expired and not deadline.expired:
                return _lasso_after_spacer(enc, model, prop, exp, deadline, reason)
            return Obligation(prop.name, "temporal", exp, Claim.UNKNOWN, reason)
        text = _invariant(product, fp)
        head = f"    # for {inst.label}:\n" if inst.label and len(insts) > 1 else ""
        texts.append(head + text)
    return Obligation(prop.name, "temporal", exp, Claim.PROVED,
                      "for every fair behaviour (liveness to safety)",
                      invariant="\n".join(texts))


def _lasso_after_spacer(enc: Encoding, model: Model, prop, exp: str, deadline: Deadline,
                        spacer: str) -> Obligation:
    """The bounded fair-lasso search for `prop` in the time left after Spacer's share
    (`spacer`: why Spacer stopped)."""
    o = _bounded_lasso(enc, model, prop, exp, deadline)
    if o is not None and o.claim is Claim.VIOLATED:
        return o
    return Obligation(prop.name, "temporal", exp, Claim.UNKNOWN,
                      f"not decided: Spacer: {spacer}; then no fair violating lasso was "
                      f"found (bounded search: {_said(o)})")


def _invariant(product: Product, fp) -> str:
    try:
        cover = answer_formula(fp.get_answer())
    except z3.Z3Exception:
        cover = None
    if cover is None:
        return "    (Spacer returned no invariant in the expected form)"
    table = product.table()
    tr = Translator(table)
    f = z3.simplify(cover)
    parts = [p for p in (f.children() if z3.is_and(f) else [f]) if not z3.is_true(p)]
    named = [z3.Const(x.text, s.sort()) for x, s in zip(table, product.now)]
    lines = []
    for p in parts:
        try:
            line = tr.text(p, top=True)
            if line != "true":
                lines.append("    " + line)
        except Untranslatable:
            lines.append("    " + str(z3.substitute_vars(p, *named)).replace("\n", " ") +
                         "    # (Z3 syntax)")
    return "\n".join(lines) if lines else "    true"


def l2s_engine(enc: Encoding, model: Model, expected: dict, deadline: Deadline,
               check_deadlock: bool, proof=None):
    """`--liveness-to-safety`: the safety properties as `--auto` proves them (Spacer), or,
    with a proof file, as `--induction` proves them with its lemmas; then each temporal
    property by the reduction, when "(run-time errors)" is proved; when run-time errors
    are neither ruled out nor found, a search for violations free of them
    (`violation_search`): (obligations, notes, failure).

    With a --timeout and temporal properties, the safety run gets half of it, so that
    the temporal properties have time left when it gives up.  With a proof whose
    induction succeeds, its conjuncts (lemmas and targets) hold in every reachable state,
    and the product's steps assume them (`Product(..., assume=)`), which can only help
    Spacer."""
    from .pdr import ERRORS, spacer
    props = list(model.system.temporal)
    first = _share(deadline, 0.5) if props else deadline
    assume = None
    if proof is not None:
        obligations, notes, failure, assume = _by_induction(enc, model, expected, first,
                                                            check_deadlock, proof)
    else:
        obligations, notes, failure = spacer(enc, model, expected, first, check_deadlock)
    errors = next((o for o in obligations if o.name == ERRORS), None)
    why = None
    if failure is not None or (errors is not None and errors.claim is Claim.VIOLATED):
        why = "not decided: a run-time error is reachable (check reports it instead)"
    elif errors is not None and errors.claim is not Claim.PROVED:
        return obligations + violation_search(enc, model, expected, deadline, props), \
            notes, failure
    if why is not None:
        return obligations + [Obligation(p.name, "temporal", expected.get(p.name, "holds"),
                                         Claim.UNKNOWN, why) for p in props], notes, failure
    return obligations + liveness_to_safety(enc, model, expected, deadline, props,
                                            assume), notes, failure


def _by_induction(enc: Encoding, model: Model, expected: dict, deadline: Deadline,
                  check_deadlock: bool, proof):
    """The safety obligations of `--induction --proof` (its ranking functions left out:
    the reduction decides the temporal properties), and, when the whole conjunction is
    inductive ("(run-time errors)" proved), the state conjuncts as one term, else None."""
    from .induction import ERRORS, conjuncts, induction
    from .run import ProveOptions
    if proof.targets is None:
        # (no `prove` line: the lemmas alone are the invariant, as the prerequisite needs
        # no more; the spec's invariants are proved if they follow from it)
        proof = replace(proof, targets=())
    options = ProveOptions("induction", 0, None, proof)
    obligations, notes, failure = induction(enc, model, options, expected, deadline,
                                            check_deadlock)
    obligations = [o for o in obligations if o.kind != "temporal"]
    notes = [n for n in notes if not n.startswith("temporal propert")]
    errors = next((o for o in obligations if o.name == ERRORS), None)
    assume = None
    if failure is None and errors is not None and errors.claim is Claim.PROVED:
        conj, _ = conjuncts(enc, proof)
        assume = And(*[c.ok for c in conj if c.kind != "transition"])
    return obligations, notes, failure, assume


def _share(deadline: Deadline, part: float) -> Deadline:
    """A deadline `part` of the way from now to `deadline` (itself if it has no end)."""
    if deadline.end is None:
        return deadline
    out = Deadline(deadline.seconds, f"its share ({part:.0%}) of {deadline.budget}"
                   if part < 1 else deadline.budget)
    out.end = time.monotonic() + part * max(0.0, deadline.end - time.monotonic())
    return out


VIOLATION_BOUND = 40        # the longest lasso the bounded search of violation_search tries


def violation_search(enc: Encoding, model: Model, expected: dict, deadline: Deadline,
                     props) -> list[Obligation]:
    """The temporal properties when run-time errors are neither ruled out nor found
    reachable.  Each is `violated` if a fair violating lasso none of whose states raises a
    run-time error (computing its steps, the constraint, an invariant or a temporal
    predicate) is found and confirmed on the compiled model; otherwise `unknown`.  Such a
    lasso is a real behaviour of the instance that violates the property; `check` reports
    the same verdict unless some other reachable state raises a run-time error, which it
    would report instead.  Two searches, each property in turn: the bounded lasso search
    of `--bmc` (`lasso.lasso_search`, lengths 0, 1, ..., so a shortest lasso) for three
    quarters of the property's share of the time left (the cheaper search, and the one
    that finds the library's lassos), then Spacer on the product restricted to
    error-free states (its quantified fairness units eliminated first)."""
    if not props:
        return []
    fair = units(enc, model)
    symbolic = None                 # (quantifier elimination only when it is needed)
    out = []
    for k, prop in enumerate(props):
        exp = expected.get(prop.name, "holds")
        o = _bounded_lasso(enc, model, prop, exp, _share(deadline, 0.75 / (len(props) - k)))
        if o is not None and o.claim is Claim.VIOLATED:
            out.append(replace(o, detail=o.detail.replace("a fair lasso",
                                                          "a fair lasso free of run-time "
                                                          "errors", 1)))
            continue
        if symbolic is None:
            fair = eliminated(fair, deadline)
            symbolic = [u.name for u in fair if quantified(u.enabled)]
        if symbolic:
            out.append(Obligation(prop.name, "temporal", exp, Claim.UNKNOWN,
                                  f"not decided: run-time errors are not ruled out, no fair "
                                  f"violating lasso was found (bounded search: "
                                  f"{_said(o)}), and the fair action {symbolic[0]} has a "
                                  f"symbolic choice, whose `enabled` the Horn clauses cannot "
                                  f"state"))
            continue
        out.append(_violation(enc, model, prop, fair, exp,
                              _share(deadline, 1 / (len(props) - k))))
    return out


def _bounded_lasso(enc: Encoding, model: Model, prop, exp: str,
                   deadline: Deadline) -> Obligation | None:
    """The bounded fair-lasso search of `--bmc` for `prop` (up to VIOLATION_BOUND steps,
    the lasso confirmed on the compiled model) within `deadline`; None when the time ran
    out while encoding."""
    from .lasso import lasso_search
    outer, enc.deadline = enc.deadline, deadline
    try:
        [o] = lasso_search(enc, model, VIOLATION_BOUND, {prop.name: exp}, deadline, [prop],
                           confirmed=True)
    except OutOfTime:
        o = None
    finally:
        enc.deadline = outer
    return o


def _said(o) -> str:
    if o is None:
        return "the time ran out while encoding"
    return o.detail.removeprefix("not decided: ")


def _violation(enc: Encoding, model: Model, prop, fair: list[Unit], exp: str,
               deadline: Deadline) -> Obligation:
    form = prop.temporal.form
    reason = ""
    for number, inst in enumerate(instances(enc, prop)):
        product = Product(enc, fair, form, inst, f"{prop.name}.{number}.v", error_free=True)
        fp = product.fixedpoint()
        r, why = _query(fp, deadline, And(product.rel(*product.now), product.bad))
        if r == z3.sat:
            try:
                trace, shape = lasso_from_facts(enc, model, product, fp.get_answer(), fair,
                                                prop, number, error_free=True)
            except ErrorOnLasso as exc:
                reason = f"a lasso Spacer found raises a run-time error ({exc})"
                continue
            what = f" (for {inst.label})" if inst.label else ""
            return Obligation(prop.name, "temporal", exp, Claim.VIOLATED,
                              f"a fair lasso free of run-time errors{what}: {shape}",
                              trace=trace, depth=len(trace.steps))
        if r != z3.unsat:
            reason = why
            break
    if reason:
        return Obligation(prop.name, "temporal", exp, Claim.UNKNOWN,
                          f"not decided: run-time errors are not ruled out, and the search "
                          f"for a violation free of them gave up ({reason})")
    return Obligation(prop.name, "temporal", exp, Claim.UNKNOWN,
                      "not decided: run-time errors are not ruled out (no fair violating "
                      "lasso is free of them: it holds, or a run-time error is reachable)")
