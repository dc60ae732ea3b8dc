"""The random specs of the engine-agreement tests: the cross-check's specs plus the shapes
that the Z3 engines got wrong (issue 11, "Soundness first").

`shaped_specs()` draws a spec of `tests/test_crosscheck.py`'s generator (`Gen`: one to
three variables, an optional process with two instances, one to four random actions,
a random invariant) and adds, each with some probability:

* state-preserving actions (`x := x`, or an empty body: `pass`), alone or guarded;
* an `either:` / `or:` statement of two or three branches in one action (a branch may
  `require`, be empty (`pass`), or assign what another branch assigns);
* transition invariants: `v' != v` (only a stuttering step of `v` violates it),
  `v' - v != d`, `v' >= v`, and random comparisons with some state atoms primed;
* a `constraint` with an invariant on the same expression, violated by the first step
  just outside it (or one step further, so that it holds);
* an invariant false in the initial state (often one that can no longer be evaluated
  in later states: `min(s)` of a set that empties, `k // x` with x reaching 0) next to
  invariants violated later;
* partial functions in invariants and temporal properties: `min(s)`, `max(s)` of a
  possibly empty set, `//` and `%` by a state variable, guarded or not;
* deadlock expectations: `allow deadlock` at the top and `expect DeadlockFreedom holds`
  in the check block;
* the whole shape of issue 11 item 4: `MinBig: min(s) > k` false initially, an action
  emptying `s`, a counter stepping only while `s` is empty, an invariant it breaks;
* an invariant true by its variable's type (`Typed`), often the only one a proof file
  names, so that `--induction` succeeds and judges the others;
* temporal properties (`eventually`, `always eventually`, `eventually always`,
  `leads_to`) with fairness on action declarations (`fair weak action a:`) and in the
  check block (`fair strong a0, P.a1, P`);
* a `network set` with `message M(v: 0..2)`: a process action sends, a handler of the
  process receives (a self-loop when its body changes nothing, or is `pass`); sometimes
  two or three handlers, each with its own guard or none: alternatives of one step
  (docs/language.md, "Several handlers for one message type"); sometimes an invariant
  on `copies(M(k))` (0 or 1 on a set network);
* `assert P, "checked"` at the end of an action outside the process (SL603 when
  P is false in the state the step reaches);
* crashes of the process (`crash recover`, `crash stop`, with or without `max 1`);
* for `--induction` and `--k-induction`, a proof file (`spec.proof`, a `ProofDraw`):
  sometimes a `prove` line naming some of the invariants, and lemmas that may be true
  or false (the constraint's expression, an invariant's, random predicates).

Everything here is a `reference.Spec`, so the reference interpreter
(`tests/reference.py`) explores it too, except networks and crashes:
`tests/test_engine_agreement.py` cross-checks the explicit checker's state counts,
verdicts, counterexample lengths and run-time errors on these specs against it (with
`test_crosscheck.crosscheck`), and compares every Z3 engine with the explicit checker.  Constraints and transition invariants are kept total (they
never raise); invariants and temporal properties may raise.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

import reference as R
from reference import Action, Assert, Assign, Require, Send, Spec
from test_crosscheck import Gen, lit


@dataclass
class ProofDraw:
    """A proof file for `--induction` / `--k-induction`."""

    targets: list[str] | None          # the `prove` line (None: every invariant)
    lemmas: list[tuple[str, tuple]]    # (name, expression)
    text: str = ""

    def to_text(self, spec: Spec) -> str:
        pr = R.Printer(spec.minimal_parens)
        lines = [f"proof {spec.name}"]
        if self.targets is not None:
            lines.append("prove " + ", ".join(self.targets))
        lines += [f"lemma {name}: {pr.expr(e)}" for name, e in self.lemmas]
        self.text = "\n".join(lines) + "\n"
        return self.text


def prime_some(g: Gen, e):
    """`e` with some of its state atoms primed (read in the state after the step)."""
    tag = e[0]
    if tag in ("var", "pvar", "get"):
        return ("prime", e) if g.coin(1, 2) else e
    if tag in ("lit", "local", "own"):
        return e
    if tag == "setlit":
        return ("setlit", tuple(prime_some(g, x) for x in e[1]))
    return tuple(prime_some(g, x) if isinstance(x, tuple) and x and isinstance(x[0], str)
                 else x for x in e)


class ShapeGen(Gen):
    def int_vars(self):
        return [v for v in self.vars if v.kind == "int"]

    # ---- actions ----

    def preserving_action(self, k: int) -> Action:
        """An action whose steps leave the state as it is."""
        targets = [("var", v.name) for v in self.vars if v.kind != "map"]
        body: list = []
        if targets and self.coin(2, 3):
            t = self.choose(targets)
            body = [Assign(t, t)]
        guard = self.guard({}) if self.coin(1, 2) else None
        return Action(f"a{k}", None, [], guard, body)

    def either(self, a: Action):
        """An `either:` / `or:` with two or three branches of random statements (a
        `require` in a branch drops that branch's successor) at the top of `a`'s body."""
        sc = {n: (lo, hi) for n, lo, hi in a.params}
        if a.proc is not None:
            sc["self"] = (self.proc.lo, self.proc.hi)
        branches = []
        for _ in range(2 + (1 if self.coin(1, 3) else 0)):
            body = [Require(self.guard(sc))] if self.coin(1, 3) else []
            body += self.stmts(sc, 1, 1 + self.pick(2)) if self.coin(5, 6) else []
            branches.append(body)
        a.body.insert(self.pick(len(a.body) + 1), R.Either(branches))

    def network(self, spec: Spec):
        """`network set`, `message M(v: 0..2)`: a process action sends, and a handler of
        the process receives (a self-loop when its body changes nothing: on a set
        network the message stays, so it is received again and again)."""
        p = self.proc
        spec.network = True
        sc = {"self": (p.lo, p.hi)}
        e, r = self.int_atom(sc, 1)
        send = Send(self.fit(e, r, 0, 2, raw_ok=False))
        senders = [a for a in spec.actions if a.proc is not None and not a.on]
        if senders and self.coin(2, 3):
            self.choose(senders).body.append(send)
        else:
            guard = self.guard(sc) if self.coin(1, 2) else None
            spec.actions.append(Action(f"a{len(spec.actions)}", p.name, [], guard, [send]))
        sc["msg.v"] = (0, 2)
        for _ in range(1 + (self.pick(2) if self.coin(1, 3) else 0)):
            # a second (third) handler: an alternative of the same receive step
            guard = self.guard(sc) if self.coin(1, 2) else None
            body = self.stmts(sc, 1, 1) if self.coin(1, 2) else []
            spec.actions.append(Action("M", p.name, [], guard, body, on=True))
        if self.coin(1, 2):
            # copies(m) of lang/netreads.py: 0 or 1 on a set network
            spec.invariants.append(("Copies", ("cmp", self.choose(("==", "<=")),
                                               ("copies", lit(self.pick(3))),
                                               lit(self.pick(2)))))

    # ---- properties ----

    def transition(self):
        ints = self.int_vars()
        k = self.pick(5) if ints else 4
        if k <= 2:
            v = ("var", self.choose(ints).name)
            if k == 0:
                return ("cmp", "!=", ("prime", v), v)                       # moves
            if k == 1:
                return ("cmp", "!=", ("arith", "-", ("prime", v), v),
                        lit(self.choose((2, 1, -1, -2))))                  # no jump of d
            return ("cmp", self.choose((">=", "<=")), ("prime", v), v)      # monotone
        if k == 3 and any(v.kind == "bool" for v in self.vars):
            b = ("var", self.choose([v for v in self.vars if v.kind == "bool"]).name)
            return ("cmp", "!=", ("prime", b), b)
        if self.of_kind("set") and self.coin(1, 3):
            s = ("len", ("var", "s"))
            return ("cmp", self.choose((">=", "<=", "!=")), ("prime", s), s)
        return prime_some(self, self.bool_expr({}, 1 + self.pick(2)))

    def measure(self):
        """An integer expression of the state for a constraint, and its initial value."""
        ints = self.int_vars()
        opts = []
        if ints:
            opts += ["var", "var"]
        if len(ints) >= 2:
            opts += ["sum"]
        if self.of_kind("set"):
            opts += ["len"]
        if self.of_kind("map"):
            opts += ["get"]
        if self.proc:
            opts += ["pvar"]
        if not opts:
            return None
        k = self.choose(opts)
        if k == "var":
            v = self.choose(ints)
            return ("var", v.name)
        if k == "sum":
            return ("arith", "+", ("var", ints[0].name), ("var", ints[1].name))
        if k == "len":
            return ("len", ("var", "s"))
        if k == "get":
            m = self.of_kind("map")[0]
            return ("get", m.name, lit(m.klo + self.pick(2)))
        return ("pvar", self.proc.name, "c", lit(self.proc.lo + self.pick(2)))

    def partial(self, prefer_sets: bool = False):
        """A predicate with a partial function, guarded (total) or not; `self.undefined`
        is then the condition where it cannot be evaluated (None: total)."""
        sets = self.of_kind("set")
        ints = self.int_vars()
        opts = []
        if sets:
            opts += ["min", "min"] + (["min"] * 4 if prefer_sets else [])
        if ints:
            opts += ["div", "div"]
        self.undefined = None
        if not opts:
            return self.bool_expr({}, 1)
        guard = self.coin(1, 3)
        if self.choose(opts) == "min":
            s = ("var", "s")
            f = self.choose(("smin", "smax"))
            e = ("cmp", self.choose((">", "<=", "!=", "==")), (f, s), lit(self.pick(4) - 1))
            zero = ("cmp", "==", ("len", s), lit(0))
        else:
            v = ("var", self.choose(ints).name)
            op = self.choose(("//", "%"))
            e = ("cmp", self.choose((">", "<=", "!=")),
                 ("arith", op, lit(self.choose((6, 2, 3))), v), lit(self.pick(4)))
            zero = ("cmp", "==", v, lit(0))
        if guard:
            return ("or", zero, e)
        self.undefined = zero
        return e

    def state_predicate(self):
        return self.partial() if self.coin(1, 4) else self.bool_expr({}, self.pick(3))

    # ---- the spec ----

    def spec(self) -> Spec:
        spec = super().spec()
        unsafe, self.unsafe = self.unsafe, False       # properties: no out-of-range values
        n = len(spec.actions)
        if self.coin(1, 3):                            # state-preserving actions
            for _ in range(1 + self.pick(2)):
                spec.actions.append(self.preserving_action(n))
                n += 1
        if self.coin(1, 4):                            # nondeterministic choice
            for a in spec.actions:
                if self.coin(1, 2) or a is spec.actions[-1]:
                    self.either(a)
                    break
        if spec.proc is not None and self.coin(1, 4):  # a set network, self-loop handlers
            self.network(spec)
        if spec.proc is not None and self.coin(1, 5):  # crashes
            spec.proc.crash = self.choose(("crash recover max 1", "crash stop max 1",
                                           "crash recover", "crash stop"))
        plain = [a for a in spec.actions if a.proc is None and not a.on]
        if plain and self.coin(1, 5):                  # an assert that may fail (SL603)
            self.choose(plain).body.append(Assert(self.bool_expr({}, 1)))
        init = R.Interpreter(spec).initial_states()
        if self.coin(1, 2):                            # transition invariants
            spec.transitions = [(f"T{k}", self.transition()) for k in range(1 + self.pick(2))]
        if self.coin(1, 2):                            # a constraint, an invariant beyond it
            e = self.measure()
            if e is not None:
                try:
                    v0 = R.Interpreter(spec).ev(e, list(init[0]), {})
                except R.RefError:
                    v0 = 0
                bound = v0 + self.pick(3) - (1 if self.coin(1, 6) else 0)
                spec.constraints = [("C", ("cmp", "<=", e, lit(bound)))]
                spec.invariants.append(("Beyond", ("cmp", "<=", e, lit(bound + self.pick(2)))))
        if self.coin(1, 2):                            # an invariant false initially
            sets = self.of_kind("set")
            if sets and not sets[0].inits[0] and self.coin(3, 4):
                sets[0].inits, sets[0].init_src = (frozenset({sets[0].lo}),), f"{{{sets[0].lo}}}"
                init = R.Interpreter(spec).initial_states()     # min(s) defined initially
            self.undefined = None
            p = self.partial(prefer_sets=True) if self.coin(2, 3) else self.bool_expr({}, 1)
            try:
                if R.Interpreter(spec).ev(p, list(init[0]), {}):
                    p = ("not", p)
            except R.RefError:
                pass
            spec.invariants.insert(self.pick(len(spec.invariants) + 1), ("Early", p))
            if self.undefined is not None and self.coin(3, 4):
                self.later(spec, init[0])
        if self.coin(1, 6):                            # issue 11 item 4, whole
            self.stopped(spec)
        if self.coin(1, 3) and self.int_vars():        # true by its type: inductive
            v = self.choose(self.int_vars())
            spec.invariants.insert(0, ("Typed", ("inrange", ("var", v.name), v.lo, v.hi)))
        if self.coin(1, 4):                            # a partial function, later
            spec.invariants.append(("Partial", self.partial()))
        if self.coin(1, 4):                            # deadlock checked by the check block
            spec.allow_deadlock = True
            spec.expect_deadlock = True
        if self.coin(1, 3):                            # liveness
            self.liveness(spec)
        self.unsafe = unsafe
        spec.proof = self.proof(spec) if self.coin(1, 2) else None
        spec.k_bound = 1 + self.pick(3)                # --k-induction K
        spec.k_proof = self.coin(1, 2)                 # ... with the proof file
        R.to_text(spec)
        if spec.proof is not None:
            spec.proof.to_text(spec)
        return spec

    def later(self, spec: Spec, init: tuple):
        """An invariant violated only where (or only after) Early, which check no longer
        evaluates, cannot be evaluated: the engines must not cut those states off."""
        undefined = self.undefined
        if self.coin(2, 3):                 # a step into the states where it is undefined
            what = undefined[2]             # ('len', s) or ('var', x)
            target = what[1] if what[0] == "len" else what
            decl = next(v for v in self.vars if v.name == target[1])
            if decl.kind == "set" or decl.lo <= 0 <= decl.hi:
                empty = ("setlit", ()) if decl.kind == "set" else lit(0)
                spec.actions.append(Action(f"a{len(spec.actions)}", None, [], None,
                                           [Assign(target, empty)]))
        grow = [v for v in self.int_vars() if v.inits[0] < v.hi and
                ("var", v.name) != undefined[2]]
        if not grow or self.coin(1, 3):
            later = ("not", undefined)
            if self.coin(1, 2):
                later = ("or", later, self.bool_expr({}, 1))
            spec.invariants.append(("Later", later))
            return
        # a step enabled only there, and an invariant the step (or the next) breaks
        v = self.choose(grow)
        x = ("var", v.name)
        spec.actions.append(Action(f"a{len(spec.actions)}", None, [],
                                   ("and", undefined, ("cmp", "<", x, lit(v.hi))),
                                   [Assign(x, ("arith", "+", x, lit(1)))]))
        spec.invariants.append(("Later", ("cmp", "<=", x,
                                          lit(min(v.inits[0] + self.pick(2), v.hi - 1)))))

    def stopped(self, spec: Spec):
        """`MinBig: min(s) > k`, false initially (so check stops evaluating it), an action
        that empties `s` (where MinBig cannot be evaluated), a counter that only steps
        there, and `Counted`, which the counter breaks: check violates Counted, and an
        engine that drops the states where MinBig is undefined does not."""
        s = next((v for v in self.vars if v.kind == "set"), None)
        if s is None:
            s = R.VarDecl("s", "set", 0, 1, inits=(frozenset(),), init_src="{}")
            self.vars.append(s)
        if not s.inits[0]:
            s.inits, s.init_src = (frozenset({s.lo}),), f"{{{s.lo}}}"
        f = self.choose(("smin", "smax"))
        k = max(s.inits[0]) + self.pick(2)
        spec.invariants.insert(self.pick(len(spec.invariants) + 1),
                               ("MinBig", ("cmp", ">", (f, ("var", "s")), lit(k))))
        guard = self.guard({}) if self.coin(1, 3) else None
        spec.actions.append(Action(f"a{len(spec.actions)}", None, [], guard,
                                   [Assign(("var", "s"), ("setlit", ()))]))
        ints = [v for v in self.int_vars() if v.inits[0] < v.hi]
        if ints and self.coin(2, 3):
            v = self.choose(ints)
        else:
            v = R.VarDecl("z", "int", 0, 2, inits=(0,), init_src="0")
            self.vars.append(v)
        x = ("var", v.name)
        spec.actions.append(Action(f"a{len(spec.actions)}", None, [],
                                   ("and", ("cmp", "==", ("len", ("var", "s")), lit(0)),
                                    ("cmp", "<", x, lit(v.hi))),
                                   [Assign(x, ("arith", "+", x, lit(1)))]))
        spec.invariants.append(("Counted", ("cmp", "<=", x,
                                            lit(min(v.inits[0] + self.pick(2), v.hi - 1)))))

    def liveness(self, spec: Spec):
        forms = ("eventually", "always eventually", "eventually always", "leads_to")
        for k in range(1 + self.pick(2)):
            form = self.choose(forms)
            p = self.state_predicate()
            q = self.state_predicate() if form == "leads_to" else None
            spec.temporal.append((f"L{k}", form, p, q))
        for a in spec.actions:
            if self.coin(1, 3):
                spec.fair[a.name] = self.choose(("weak", "strong"))
        if self.coin(2, 3):
            targets = []
            for a in spec.actions:
                if self.coin(1, 2):
                    targets.append(a.name if a.proc is None else f"{a.proc}.{a.name}")
            if any(a.proc for a in spec.actions) and self.coin(1, 4):
                targets.append(spec.proc.name)
            if targets:
                spec.check_fair = [(self.choose(("weak", "strong")), targets)]

    def proof(self, spec: Spec) -> ProofDraw:
        invs = (["Inv"] if spec.invariant is not None else []) + \
            [n for n, _ in spec.invariants] + [n for n, _ in spec.transitions]
        targets = None
        if "Typed" in invs and self.coin(2, 3):
            targets = ["Typed"]
        elif invs and self.coin(1, 2):
            targets = [n for n in invs if self.coin(1, 2)] or [invs[0]]
        lemmas = []
        for k in range(self.choose((0, 0, 0, 1, 2))):
            opts = ["random", "random"]
            if spec.constraints:
                opts.append("constraint")
            if spec.invariant is not None or spec.invariants:
                opts.append("invariant")
            how = self.choose(opts)
            if how == "constraint":
                e = spec.constraints[0][1]
            elif how == "invariant":
                e = self.choose(([spec.invariant] if spec.invariant is not None else []) +
                                [x for _, x in spec.invariants])
            else:
                e = self.bool_expr({}, 1 + self.pick(2))
            lemmas.append((f"Lemma{k}", e))
        return ProofDraw(targets, lemmas)


@st.composite
def shaped_specs(draw, unsafe=None):
    if unsafe is None:
        unsafe = draw(st.integers(0, 3)) == 3
    return ShapeGen(draw, unsafe).spec()
