"""Brute-force cross-checks: the compiled checker against an independent reference.

Hypothesis generates small random specs (a Python description from
`tests/reference.py` and its .sl text); each is checked by Stateline
(`load_text`, `check_blocks`, `run_check`) and explored by the naive
reference interpreter, and the two must agree exactly on distinct states,
transitions, depth, the stop reason, the invariant and deadlock verdicts, the
length of every counterexample, and run-time errors (same shortest depth, same
source line).  Every counterexample Stateline prints is also replayed step by
step through the reference, which checks that it is a behaviour of the spec
that ends in a violation.

Environment:
  CROSSCHECK_EXAMPLES=N   examples for the main property test (default 600; the others
                          run N/2 and N/3); hunt with 5000+
  CROSSCHECK_SEED=S       run with hypothesis seed S instead of derandomized
  CROSSCHECK_SHRINK=1     shrink a failing example (slow; the spec is shown either way)
  CROSSCHECK_CONSTANT_ERRORS=0
                          out-of-range values only from state, never from constants
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, example, given, seed, settings
from hypothesis import strategies as st

import stateline
from stateline import SpecError, cli

sys.path.insert(0, str(Path(__file__).parent))
import reference as R  # noqa: E402
from reference import Action, Assign, If, ProcDecl, Require, Spec, VarDecl  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = int(os.environ.get("CROSSCHECK_EXAMPLES", "600"))
# Also let values that are compile-time constants (after parameters are unrolled) go out
# of range, not only values computed from the state.  Stateline used to reject those while
# compiling even when no behaviour computes them (test_found_by_crosscheck[unexecuted-...]);
# set CROSSCHECK_CONSTANT_ERRORS=0 to keep such specs out of the random tests.
CONSTANT_ERRORS = os.environ.get("CROSSCHECK_CONSTANT_ERRORS", "1") not in ("", "0")
SEED = os.environ.get("CROSSCHECK_SEED")

SHRINK = os.environ.get("CROSSCHECK_SHRINK", "") not in ("", "0")

# Shrinking is off by default: a failure already shows the whole generated spec, and
# shrinking one can take minutes (turn it on with CROSSCHECK_SHRINK=1).
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=SEED is None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
                    phases=[Phase.explicit, Phase.reuse, Phase.generate] +
                    ([Phase.shrink] if SHRINK else []),
                    report_multiple_bugs=False, print_blob=True)


def _seeded(fn):
    return seed(int(SEED))(fn) if SEED is not None else fn


# ---- the generator -----------------------------------------------------------------------

INT_NAMES = ("x", "y")
BOOL_NAMES = ("b", "f")


def lit(v):
    return ("lit", v)


def stateful(e) -> bool:
    """Does the value of `e` depend on the state (so Stateline cannot fold it)?"""
    tag = e[0]
    if tag in ("var", "own", "pvar", "get"):
        return True
    if tag in ("lit", "local"):
        return False
    if tag == "ifexp":
        return stateful(e[2]) and stateful(e[3])
    if tag == "setlit":
        return any(stateful(x) for x in e[1])
    return any(stateful(x) for x in e[1:] if isinstance(x, tuple) and x and
               isinstance(x[0], str))


class Gen:
    """Draws one random spec; every choice goes through hypothesis so it shrinks."""

    def __init__(self, draw, unsafe: bool):
        self.draw = draw
        self.unsafe = unsafe
        self.vars: list[VarDecl] = []
        self.proc: ProcDecl | None = None
        self.fresh = 0

    # ---- choices (0 is always the simplest, so shrinking simplifies) ----

    def pick(self, n: int) -> int:
        return self.draw(st.integers(0, n - 1))

    def coin(self, num: int, den: int) -> bool:
        return self.draw(st.integers(0, den - 1)) >= den - num

    def choose(self, options):
        return options[self.pick(len(options))]

    def of_kind(self, kind: str) -> list[VarDecl]:
        return [v for v in self.vars if v.kind == kind]

    # ---- declarations ----

    def declarations(self):
        n = self.choose((1, 2, 3, 2, 3))
        kinds = [self.choose(("int", "bool", "set", "map")) for _ in range(n)]
        used: set[str] = set()
        for kind in kinds:
            if kind == "int":
                name = next((x for x in INT_NAMES if x not in used), None)
                if name is None:
                    continue
                lo = self.choose((0, 0, -1, 1))
                hi = lo + 1 + self.pick(4)
                v = lo + self.pick(hi - lo + 1)
                if self.coin(1, 4) and v < hi:      # several initial values: var x: T in a..b
                    self.vars.append(VarDecl(name, "int", lo, hi, inits=(v, v + 1),
                                             init_src=f"{v}..{v + 1}", nondet=True))
                else:
                    self.vars.append(VarDecl(name, "int", lo, hi, inits=(v,), init_src=str(v)))
            elif kind == "bool":
                name = next((x for x in BOOL_NAMES if x not in used), None)
                if name is None:
                    continue
                how = self.pick(3)
                if how == 2:
                    self.vars.append(VarDecl(name, "bool", inits=(False, True),
                                             init_src="{false, true}", nondet=True))
                else:
                    self.vars.append(VarDecl(name, "bool", inits=(bool(how),),
                                             init_src="true" if how else "false"))
            elif kind == "set":
                name = "s"
                if name in used:
                    continue
                lo = self.choose((0, -1))
                hi = lo + 1 + self.pick(2)
                init = frozenset()
                if self.coin(1, 3):
                    init = frozenset({lo + self.pick(hi - lo + 1)})
                src = "{" + ", ".join(str(e) for e in sorted(init)) + "}"
                self.vars.append(VarDecl(name, "set", lo, hi, inits=(init,), init_src=src))
            else:
                name = "m"
                if name in used:
                    continue
                klo = self.choose((0, 1))
                khi = klo + 1
                lo = self.choose((0, -1))
                hi = lo + 1 + self.pick(2)
                keys = range(klo, khi + 1)
                if self.coin(1, 3) and lo <= klo and khi <= hi:
                    init, src = tuple(keys), f"{{k: k for k in {klo}..{khi}}}"
                else:
                    c = lo + self.pick(hi - lo + 1)
                    init, src = tuple(c for _ in keys), f"{{k: {c} for k in {klo}..{khi}}}"
                self.vars.append(VarDecl(name, "map", lo, hi, klo, khi, inits=(init,),
                                         init_src=src))
            used.add(name)
        if self.coin(1, 2):
            plo = self.choose((0, 0, 1))
            chi = 1 + self.pick(3)
            init_self = self.coin(1, 3) and plo + 1 <= chi
            c = VarDecl("c", "int", 0, chi, inits=(0,), init_src="self" if init_self else "0",
                        init_self=init_self)
            self.proc = ProcDecl("P", plo, plo + 1, [c])

    # ---- expressions: (expr, (lo, hi)) for ints ----

    def int_atom(self, sc: dict, depth: int):
        """A variable, parameter or small literal."""
        opts = []
        if self.of_kind("int"):
            opts += ["var", "var"]
        if sc.get("self") is not None and self.proc:
            opts += ["own"]
        locs = list(sc)
        if locs:
            opts += ["local", "local"]
        if self.proc:
            opts += ["pvar"]
        if self.of_kind("map"):
            opts += ["get"]
        opts += ["lit"]
        k = self.choose(opts)
        if k == "lit":
            v = self.choose((0, 1, 2, -1, 3))
            return lit(v), (v, v)
        if k == "var":
            v = self.choose(self.of_kind("int"))
            return ("var", v.name), (v.lo, v.hi)
        if k == "own":
            c = self.proc.vars[0]
            return ("own", c.name), (c.lo, c.hi)
        if k == "pvar":
            c = self.proc.vars[0]
            return ("pvar", self.proc.name, c.name, self.index(sc, depth)), (c.lo, c.hi)
        if k == "local":
            n = self.choose(locs)
            return ("local", n), sc[n]
        m = self.of_kind("map")[0]
        return ("get", m.name, self.key(m, sc, depth)), (m.lo, m.hi)

    def int_expr(self, sc: dict, depth: int):
        opts = ["atom", "atom", "atom"]
        if depth > 0:
            opts += ["arith", "arith", "arith", "minmax", "neg", "ifexp"]
            if self.of_kind("set"):
                opts += ["len"]
        k = self.choose(opts)
        if k == "atom":
            return self.int_atom(sc, depth)
        if k == "len":
            s, _ = self.set_expr(sc, depth - 1)
            return ("len", s), (0, 3)
        if k == "arith":
            a, ra = self.int_expr(sc, depth - 1)
            op = self.choose(("+", "-", "%", "*", "//"))
            if op in ("+", "-"):
                b, rb = self.int_expr(sc, depth - 1)
                if op == "+":
                    return ("arith", "+", a, b), (ra[0] + rb[0], ra[1] + rb[1])
                return ("arith", "-", a, b), (ra[0] - rb[1], ra[1] - rb[0])
            n = 2 + self.pick(3)
            if op == "%":
                return ("arith", "%", a, lit(n)), (0, n - 1)
            if op == "//":
                return ("arith", "//", a, lit(n)), (ra[0] // n, ra[1] // n)
            n = self.choose((2, -1))
            return ("arith", "*", a, lit(n)), tuple(sorted((ra[0] * n, ra[1] * n)))
        if k == "minmax":
            a, ra = self.int_expr(sc, depth - 1)
            b, rb = self.int_expr(sc, depth - 1)
            if self.coin(1, 2):
                return ("call", "max", a, b), (max(ra[0], rb[0]), max(ra[1], rb[1]))
            return ("call", "min", a, b), (min(ra[0], rb[0]), min(ra[1], rb[1]))
        if k == "neg":
            a, ra = self.int_expr(sc, depth - 1)
            return ("neg", a), (-ra[1], -ra[0])
        c = self.bool_expr(sc, depth - 1)
        a, ra = self.int_expr(sc, depth - 1)
        b, rb = self.int_expr(sc, depth - 1)
        return ("ifexp", c, a, b), (min(ra[0], rb[0]), max(ra[1], rb[1]))

    def fit(self, e, r, lo: int, hi: int, raw_ok: bool):
        """`e` (range r) made to lie in lo..hi, unless raw values are allowed."""
        if lo <= r[0] and r[1] <= hi:
            return e
        if raw_ok and self.unsafe and (CONSTANT_ERRORS or stateful(e)) and self.coin(1, 2):
            return e
        if self.coin(1, 2):
            w = ("arith", "%", e, lit(hi - lo + 1))
            return w if lo == 0 else ("arith", "+", w, lit(lo))
        return ("call", "min", ("call", "max", e, lit(lo)), lit(hi))

    def index(self, sc: dict, depth: int):
        """A process index: an instance, except sometimes in unsafe specs."""
        p = self.proc
        opts = ["lit"]
        if sc.get("self") is not None:
            opts.append("self")
        inrange = [n for n, r in sc.items() if n != "self" and p.lo <= r[0] and r[1] <= p.hi]
        if inrange:
            opts.append("local")
        if depth > 0:
            opts.append("expr")
        k = self.choose(opts)
        if k == "lit":
            return lit(p.lo + self.pick(2))
        if k == "self":
            return ("local", "self")
        if k == "local":
            return ("local", self.choose(inrange))
        e, r = self.int_expr(sc, depth - 1)
        return self.fit(e, r, p.lo, p.hi, raw_ok=True)

    def key(self, m: VarDecl, sc: dict, depth: int):
        opts = ["lit"]
        inrange = [n for n, r in sc.items() if (n != "self" or self.proc) and
                   m.klo <= r[0] and r[1] <= m.khi]
        if inrange:
            opts.append("local")
        if depth > 0:
            opts += ["expr", "expr"]
        k = self.choose(opts)
        if k == "lit":
            return lit(m.klo + self.pick(2))
        if k == "local":
            return ("local", self.choose(inrange))
        e, r = self.int_expr(sc, depth - 1)
        return self.fit(e, r, m.klo, m.khi, raw_ok=True)

    # ---- booleans ----

    def bool_expr(self, sc: dict, depth: int):
        opts = ["cmp", "cmp", "cmp", "inrange"]
        if self.of_kind("bool"):
            opts += ["var", "var"]
        if self.of_kind("set"):
            opts += ["in"]
        if depth > 0:
            opts += ["and", "and", "or", "or", "not", "implies", "quant", "quant", "beq", "lit"]
            if self.of_kind("set"):
                opts += ["squant"]
        k = self.choose(opts)
        if k == "lit":
            return lit(self.coin(1, 2))
        if k == "var":
            return ("var", self.choose(self.of_kind("bool")).name)
        if k == "cmp":
            a, _ = self.int_expr(sc, depth)
            b, _ = self.int_expr(sc, max(depth - 1, 0))
            return ("cmp", self.choose(("==", "!=", "<", "<=", ">", ">=")), a, b)
        if k == "inrange":
            a, _ = self.int_expr(sc, depth)
            lo = self.pick(3) - 1
            return ("inrange", a, lo, lo + self.pick(3))
        if k == "in":
            a, _ = self.int_expr(sc, max(depth - 1, 0))
            s, _ = self.set_expr(sc, max(depth - 1, 0))
            return ("notin" if self.coin(1, 3) else "in", a, s)
        if k in ("and", "or", "implies"):
            return (k, self.bool_expr(sc, depth - 1), self.bool_expr(sc, depth - 1))
        if k == "not":
            return ("not", self.bool_expr(sc, depth - 1))
        if k == "beq":
            return ("cmp", self.choose(("==", "!=")), self.bool_expr(sc, depth - 1),
                    self.bool_expr(sc, depth - 1))
        self.fresh += 1
        name = f"i{self.fresh}"
        if k == "squant":
            dom, r = self.set_expr(sc, depth - 1)
            body = self.bool_expr({**sc, name: r}, depth - 1)
            return ("squant", self.choose(("exists", "forall")), name, dom, body)
        lo = self.choose((0, 0, -1, 1))
        hi = lo + self.pick(3)
        body = self.bool_expr({**sc, name: (lo, hi)}, depth - 1)
        return ("quant", self.choose(("exists", "forall")), name, lo, hi, body)

    # ---- sets: (expr, element range) ----

    def set_expr(self, sc: dict, depth: int):
        opts = ["lit"]
        if self.of_kind("set"):
            opts += ["var", "var"]
        if depth > 0:
            opts += ["op", "op"]
        k = self.choose(opts)
        if k == "var":
            s = self.of_kind("set")[0]
            return ("var", s.name), (s.lo, s.hi)
        if k == "lit":
            items = [self.int_expr(sc, max(depth - 1, 0)) for _ in range(1 + self.pick(2))]
            return (("setlit", tuple(e for e, _ in items)),
                    (min(r[0] for _, r in items), max(r[1] for _, r in items)))
        a, ra = self.set_expr(sc, depth - 1)
        b, rb = self.set_expr(sc, depth - 1)
        op = self.choose(("|", "&", "-"))
        r = (min(ra[0], rb[0]), max(ra[1], rb[1])) if op == "|" else ra
        return ("setop", op, a, b), r

    # ---- statements ----

    def targets(self, sc: dict) -> list:
        out = [("var", v) for v in self.vars]
        if self.proc:
            out.append(("own" if sc.get("self") is not None else "pvar", self.proc.vars[0]))
        return out

    def assign(self, sc: dict, depth: int) -> list:
        kind, v = self.choose(self.targets(sc))
        if kind == "pvar":
            target = ("pvar", self.proc.name, v.name, self.index(sc, 1))
        elif kind == "own" and self.coin(1, 4):
            target = ("pvar", self.proc.name, v.name, ("local", "self"))
        else:
            target = (kind, v.name)
        if v.kind == "bool":
            if self.coin(1, 2):
                return [Assign(target, ("not", target))]
            return [Assign(target, self.bool_expr(sc, depth))]
        if v.kind == "map":
            key = self.key(v, sc, 1)
            target = ("get", v.name, key)
        if v.kind in ("int", "map"):
            how = self.pick(3)
            if how == 0:        # a step: t := t + d
                d, rd = self.choose(([lit(1), (1, 1)], [lit(1), (1, 1)], [lit(-1), (-1, -1)],
                                     list(self.int_atom(sc, 0))))
                e, r = ("arith", "+", target, d), (v.lo + rd[0], v.hi + rd[1])
            elif how == 1:
                e, r = self.int_atom(sc, 1)
            else:
                e, r = self.int_expr(sc, depth)
            if not (v.lo <= r[0] and r[1] <= v.hi) and not self.unsafe and self.coin(1, 2):
                guard = ("inrange", e, v.lo, v.hi)
                if self.coin(1, 2):
                    return [If(guard, [Assign(target, e)], [])]
                return [Require(guard), Assign(target, e)]
            return [Assign(target, self.fit(e, r, v.lo, v.hi, raw_ok=True))]
        # a set variable
        how = self.pick(5)
        if how <= 1:
            e, r = self.int_expr(sc, max(depth - 1, 0)) if how else self.int_atom(sc, 0)
            return [Assign(target, ("setop", "|", ("var", v.name),
                                    ("setlit", (self.fit(e, r, v.lo, v.hi, raw_ok=True),))))]
        if how == 2:
            e, _ = self.int_expr(sc, max(depth - 1, 0))
            return [Assign(target, ("setop", "-", ("var", v.name), ("setlit", (e,))))]
        if how == 3:
            s, _ = self.set_expr(sc, depth)
            return [Assign(target, ("setop", "&", ("var", v.name), s))]
        s, r = self.set_expr(sc, depth)
        if not (v.lo <= r[0] and r[1] <= v.hi) and \
                not (self.unsafe and (CONSTANT_ERRORS or stateful(s)) and self.coin(1, 2)):
            s = ("setop", "&", s, ("setlit", tuple(lit(i) for i in range(v.lo, v.hi + 1))))
        return [Assign(target, s)]

    def guard(self, sc: dict) -> tuple:
        """A leading `require`: usually a simple comparison that is often true."""
        if self.coin(1, 3):
            return self.bool_expr(sc, 2)
        opts = ["cmp", "cmp"]
        if self.of_kind("bool"):
            opts.append("bool")
        if self.of_kind("set"):
            opts.append("in")
        k = self.choose(opts)
        if k == "bool":
            e = ("var", self.choose(self.of_kind("bool")).name)
            return ("not", e) if self.coin(1, 2) else e
        a, _ = self.int_atom(sc, 1)
        if k == "in":
            return ("notin" if self.coin(1, 2) else "in", a, ("var", "s"))
        b, _ = self.int_atom(sc, 1)
        if b == a:
            v = self.choose((0, 1, 2, -1, 3))
            b = lit(v)
        return ("cmp", self.choose(("<", "!=", "<=", "==", ">", ">=")), a, b)

    def stmts(self, sc: dict, depth: int, n: int) -> list:
        out = []
        for _ in range(n):
            k = self.pick(8) if depth > 0 else 0
            if k <= 5:
                out += self.assign(sc, 2)
            elif k == 6:
                cond = self.bool_expr(sc, 2)
                then = self.stmts(sc, depth - 1, 1 + self.pick(2))
                orelse = self.stmts(sc, depth - 1, self.pick(2))
                out.append(If(cond, then, orelse))
            else:
                out.append(Require(self.bool_expr(sc, 1)))
        return out

    def action(self, k: int) -> Action:
        proc = self.proc.name if self.proc and self.coin(1, 2) else None
        sc: dict = {}
        if proc:
            sc["self"] = (self.proc.lo, self.proc.hi)
        params = []
        for name in ("p", "q")[:self.pick(3)]:
            lo = self.choose((0, 0, -1, 1))
            hi = lo + self.pick(3)
            params.append((name, lo, hi))
            sc[name] = (lo, hi)
        guard = self.guard(sc) if self.coin(1, 4) else None
        body = [Require(self.guard(sc)) for _ in range(self.pick(3))]
        body += self.stmts(sc, 1, 1 + self.pick(3))
        return Action(f"a{k}", proc, params, guard, body)

    def spec(self) -> Spec:
        self.declarations()
        actions = [self.action(k) for k in range(self.choose((1, 2, 3, 4, 2, 3)))]
        unsafe, self.unsafe = self.unsafe, False       # invariants never fail to evaluate
        inv = None
        if self.coin(3, 4):
            inv = self.guard({}) if self.coin(1, 2) else self.bool_expr({}, 2)
        self.unsafe = unsafe
        spec = Spec(self.vars, self.proc, actions, inv, allow_deadlock=self.coin(1, 4),
                    proc_first=self.coin(1, 2), minimal_parens=self.coin(1, 2))
        if inv is not None and self.coin(3, 4):
            # mostly invariants that hold initially, so that violations come later
            interp = R.Interpreter(spec)
            if not interp.invariant(interp.initial_states()[0]):
                spec.invariant = ("not", inv)
        R.to_text(spec)
        return spec


@st.composite
def specs(draw, unsafe=None):
    if unsafe is None:
        unsafe = draw(st.integers(0, 2)) == 2
    return Gen(draw, unsafe).spec()


# ---- running both and comparing -----------------------------------------------------------


def run_stateline(spec: Spec):
    """Stateline's CheckResult, or the SpecError raised while compiling the instance."""
    try:
        loaded = stateline.load_text(spec.text, "gen.sl")
    except SpecError as exc:
        msgs = "\n".join(str(d.headline()) if hasattr(d, "headline") else str(d)
                         for d in exc.diagnostics)
        raise AssertionError(f"generated spec does not load:\n{msgs}\n{spec.text}") from None
    [block] = stateline.check_blocks(loaded)
    try:
        return stateline.run_check(loaded, block, {})
    except SpecError as exc:
        return exc


def trace_steps(trace) -> list:
    steps = []
    for s in trace.steps:
        m = re.fullmatch(r"P\[(-?\d+)\]", s.node)
        inst = int(m.group(1)) if m else None
        steps.append((s.action, inst, {k: int(v) for k, v in s.params}))
    return steps


def replay(spec: Spec, trace) -> list[tuple]:
    return R.replay(spec, dict(trace.initial), trace_steps(trace))


def summary(res) -> dict:
    if isinstance(res, SpecError):
        return {"static error": [f"{d.code} line {d.span.line if d.span else '?'}: {d.message}"
                                 for d in res.diagnostics]}
    out = {"states": res.stats.states, "transitions": res.stats.transitions,
           "depth": res.stats.depth, "stop": res.stop.value}
    for v in res.verdicts:
        out[v.prop] = (v.status.value, len(v.trace.steps) if v.trace is not None else None)
    if res.failure is not None:
        d = res.failure.diagnostic
        out["error"] = (len(res.failure.trace.steps) if res.failure.trace is not None else None,
                        d.span.line if d.span else None, f"{d.code} {d.message}")
    return out


def ref_summary(ref: R.RefResult) -> dict:
    out = {"states": ref.states, "transitions": ref.transitions, "depth": ref.depth,
           "stop": ref.stop}
    out.update(ref.props)
    if ref.error is not None:
        out["error"] = ref.error
    return out


def crosscheck(spec: Spec):
    ref = R.explore(spec)
    res = run_stateline(spec)
    context = f"\n--- spec ---\n{spec.text}--- stateline ---\n{summary(res)}\n" \
              f"--- reference ---\n{ref_summary(ref)}\n"
    if isinstance(res, SpecError):
        # Stateline rejected the instance while compiling it (an out-of-range constant):
        # acceptable only if some behaviour of the spec really goes wrong.
        codes = {d.code for d in res.diagnostics}
        assert codes == {"SL601"}, "unexpected compile-time error" + context
        assert R.explore(spec, early_stop=False).error is not None, \
            "compile-time error, but no behaviour of the spec has a run-time error" + context
        return
    st_ = res.stats
    assert (st_.states, st_.transitions, st_.depth) == (ref.states, ref.transitions, ref.depth), \
        "statistics differ" + context
    assert res.stop.value == ref.stop, "stop reason differs" + context
    verdicts = {v.prop: v for v in res.verdicts if v.kind != "temporal"}
    assert sorted(verdicts) == sorted(ref.props), "properties differ" + context
    interp = R.Interpreter(spec)
    exprs = dict(spec.invariants + spec.transitions)
    if spec.invariant is not None:
        exprs["Inv"] = spec.invariant
    for name, (status, length) in ref.props.items():
        v = verdicts[name]
        assert v.status.value == status, f"{name} verdict differs" + context
        if status == "violated":
            assert v.trace is not None and len(v.trace.steps) == length, \
                f"{name} counterexample length differs" + context
            states = replay(spec, v.trace)
            if v.kind == "invariant":
                assert not interp.ev(exprs[name], list(states[-1]), {}), \
                    f"{name}: trace does not end in a violation" + context
            elif v.kind == "transition":
                assert not interp.ev(exprs[name], list(states[-2]), {"'": list(states[-1])}), \
                    f"{name}: trace does not end in a violating step" + context
            else:
                assert interp.successors(states[-1]) == [], "trace does not end in a deadlock" + \
                    context
    if ref.error is None:
        assert res.failure is None, "Stateline reports a run-time error" + context
    else:
        assert res.failure is not None, "Stateline misses a run-time error" + context
        d = res.failure.diagnostic
        steps, line, _, code = ref.error
        if steps is None:
            assert res.failure.trace is None, "error trace differs" + context
        else:
            assert res.failure.trace is not None and len(res.failure.trace.steps) == steps, \
                "error trace length differs" + context
        assert d.span is not None and d.span.line == line, \
            "error reported on a different line" + context
        assert d.code == code, "unexpected error code" + context
        if steps is not None and line not in spec.lines.values():   # an error in a step
            states = replay(spec, res.failure.trace)
            with pytest.raises(R.RefError):
                interp.successors(states[-1])


# ---- hand-written regression examples ---------------------------------------------------


def _int(name, lo, hi, v=None):
    v = lo if v is None else v
    return VarDecl(name, "int", lo, hi, inits=(v,), init_src=str(v))


def _spec(vars_, actions, inv=None, proc=None, allow_deadlock=False) -> Spec:
    s = Spec(vars_, proc, actions, inv, allow_deadlock=allow_deadlock)
    R.to_text(s)
    return s


X = ("var", "x")

# x := (x + 1) % 4: a cycle of 4 states, no deadlock.
EX_CYCLE = _spec([_int("x", 0, 3)],
                 [Action("a0", None, [], None, [Assign(X, ("arith", "%", ("arith", "+", X, lit(1)),
                                                           lit(4)))])])
# x := x + 1 without a guard: the value 4 is outside 0..3 after 3 steps.
EX_OVERFLOW = _spec([_int("x", 0, 3)],
                    [Action("a0", None, [], None, [Assign(X, ("arith", "+", X, lit(1)))])])
# require x < 3 before x := x + 1: a deadlock after 3 steps; the invariant x != 2 fails
# after 2 steps, so both properties are violated and the search stops early.
EX_DEADLOCK = _spec([_int("x", 0, 3)],
                    [Action("a0", None, [], None, [Require(("cmp", "<", X, lit(3))),
                                                   Assign(X, ("arith", "+", X, lit(1)))])],
                    inv=("cmp", "!=", X, lit(2)))
# two instances each counting their own c, a parameterised global action reading P[q].c
EX_PROCESS = _spec(
    [VarDecl("s", "set", 0, 2, inits=(frozenset(),), init_src="{}")],
    [Action("a0", "P", [], None, [Require(("cmp", "<", ("own", "c"), lit(2))),
                                  Assign(("own", "c"), ("arith", "+", ("own", "c"), lit(1)))]),
     Action("a1", None, [("q", 0, 1)], None,
            [Assign(("var", "s"), ("setop", "|", ("var", "s"),
                                   ("setlit", (("pvar", "P", "c", ("local", "q")),))))])],
    inv=("cmp", "<=", ("len", ("var", "s")), lit(2)),
    proc=ProcDecl("P", 0, 1, [VarDecl("c", "int", 0, 2, inits=(0,), init_src="0")]))
# a map write whose key is a state variable that leaves the key range
EX_MAPKEY = _spec([_int("x", 0, 2),
                   VarDecl("m", "map", 0, 1, 0, 1, inits=((0, 0),),
                           init_src="{k: 0 for k in 0..1}")],
                  [Action("a0", None, [], None,
                          [Assign(("get", "m", X), lit(1)),
                           Assign(X, ("call", "min", ("arith", "+", X, lit(1)), lit(2)))])],
                  allow_deadlock=True)


def test_regression_examples_by_hand():
    def stats(spec):
        r = run_stateline(spec)
        return r.stats.states, r.stats.transitions, r.stats.depth, r

    n, t, d, r = stats(EX_CYCLE)
    assert (n, t, d) == (4, 5, 4) and r.ok
    n, t, d, r = stats(EX_OVERFLOW)
    assert (n, t, d) == (4, 4, 4) and r.failure is not None
    assert len(r.failure.trace.steps) == 3 and r.failure.diagnostic.code == "SL601"
    n, t, d, r = stats(EX_DEADLOCK)
    verdicts = {v.prop: v for v in r.verdicts}
    assert r.stop.value == "all-violated"
    assert len(verdicts["Inv"].trace.steps) == 2
    assert len(verdicts["DeadlockFreedom"].trace.steps) == 3
    n, t, d, r = stats(EX_MAPKEY)
    assert r.failure is not None and len(r.failure.trace.steps) == 2
    for spec in (EX_CYCLE, EX_OVERFLOW, EX_DEADLOCK, EX_PROCESS, EX_MAPKEY):
        crosscheck(spec)


# ---- bugs found by the cross-check, minimised by hand ------------------------------------
#
# Each spec below is the smallest form of a disagreement the random tests found; the
# reference's answer is the natural reading of the spec (see tests/reference.py).

# An `if` whose branch has a `require`, followed by a `require` that is false once
# folded: the generated Python has an `if` with no body (IndentationError, exit 4).
#     action a0:
#         if x == 0:
#             require x == 0
#         require false
BUG_EMPTY_IF_BLOCK = _spec(
    [_int("x", 0, 1)],
    [Action("a0", None, [], None, [If(("cmp", "==", X, lit(0)),
                                      [Require(("cmp", "==", X, lit(0)))], []),
                                   Require(lit(False))]),
     Action("a1", None, [], None, [Assign(X, ("arith", "-", lit(1), X))])])

# A constant process index that is not an instance: ValueError while compiling (exit 4)
# instead of an SL601 error.
#     process P(self in 1..2): var c: 0..2 = 0
#     action a0: P[3].c := 1
BUG_CONSTANT_NON_INSTANCE = _spec(
    [_int("x", 0, 1)],
    [Action("a0", None, [], None, [Assign(("pvar", "P", "c", lit(3)), lit(1))])],
    proc=ProcDecl("P", 1, 2, [VarDecl("c", "int", 0, 2, inits=(0,), init_src="0")]))

# An out-of-range constant in an action that is never enabled: no behaviour computes it,
# but Stateline rejects the spec while compiling it (SL601, exit 2).
#     action a0:
#         require b
#         x := 4
BUG_UNEXECUTED_CONSTANT = _spec(
    [_int("x", 0, 3), VarDecl("b", "bool", inits=(False,), init_src="false")],
    [Action("a0", None, [], None, [Require(("var", "b")), Assign(X, lit(4))]),
     Action("a1", None, [], None, [Assign(X, ("arith", "%", ("arith", "+", X, lit(1)),
                                                lit(4)))])])

# `and` short-circuits, but the conjunct that does not mention the parameter is hoisted
# out of the parameter loop and evaluated first: a run-time error the spec guards against.
#     action a0(p in 0..1):
#         require p == x and m[x] == 0      # x == 2: no p passes, m[2] is never needed
#         m[x] := 1
M = ("var", "m")
BUG_HOISTED_CONJUNCT = _spec(
    [_int("x", 0, 2), VarDecl("m", "map", 0, 1, 0, 1, inits=((0, 0),),
                              init_src="{k: 0 for k in 0..1}")],
    [Action("a0", None, [("p", 0, 1)], None,
            [Require(("and", ("cmp", "==", ("local", "p"), X),
                      ("cmp", "==", ("get", "m", X), lit(0)))),
             Assign(("get", "m", X), lit(1))]),
     Action("a1", None, [], None, [Assign(X, ("arith", "%", ("arith", "+", X, lit(1)),
                                                lit(3)))])],
    allow_deadlock=True)

# The other direction: an operand that is constant after unrolling decides `or` (or
# `and`), and the operand before it -- which fails -- is never evaluated, so a run-time
# error of the spec goes unreported.
#     action a0(p in 0..1):
#         require m[x] == 0 or p >= 0        # x == 2: m[2] is evaluated first and fails
BUG_FOLDED_OPERAND = _spec(
    [_int("x", 0, 2, 2), VarDecl("m", "map", 0, 1, 0, 1, inits=((0, 0),),
                                 init_src="{k: 0 for k in 0..1}")],
    [Action("a0", None, [("p", 0, 1)], None,
            [Require(("or", ("cmp", "==", ("get", "m", X), lit(0)),
                      ("cmp", ">=", ("local", "p"), lit(0))))])],
    allow_deadlock=True)

# A later `require` that does not mention the parameter is tested first (hoisted out of
# the parameter loop), so when it is false the earlier `require`, which fails, is never
# evaluated: the run-time error goes unreported.
#     action a0(p in 0..1):
#         require m[x] == p                  # x == 2: fails
#         require b                          # false
BUG_LATER_REQUIRE_MASKS_ERROR = _spec(
    [_int("x", 0, 2, 2), VarDecl("b", "bool", inits=(False,), init_src="false"),
     VarDecl("m", "map", 0, 1, 0, 1, inits=((0, 0),), init_src="{k: 0 for k in 0..1}")],
    [Action("a0", None, [("p", 0, 1)], None,
            [Require(("cmp", "==", ("get", "m", X), ("local", "p"))), Require(("var", "b"))])],
    allow_deadlock=True)

# A `require` that is false once folded removes the action instance at compile time, so
# the `require` before it, which fails, is never evaluated.
#     action a0:
#         require m[x] == 0                  # x == 2: fails
#         require false
BUG_FALSE_REQUIRE_HIDES_ERROR = _spec(
    [_int("x", 0, 2, 2),
     VarDecl("m", "map", 0, 1, 0, 1, inits=((0, 0),), init_src="{k: 0 for k in 0..1}")],
    [Action("a0", None, [], None,
            [Require(("cmp", "==", ("get", "m", X), lit(0))), Require(lit(False))])],
    allow_deadlock=True)

# A process index outside the instances in an assignment target is reported at the
# declaration of the process variable instead of at the assignment.
#     action a0: P[x].c := 1                # x == 2
BUG_TARGET_INDEX_LOCATION = _spec(
    [_int("x", 0, 2, 2)],
    [Action("a0", None, [], None, [Assign(("pvar", "P", "c", X), lit(1))])],
    proc=ProcDecl("P", 0, 1, [VarDecl("c", "int", 0, 2, inits=(0,), init_src="0")]))


@pytest.mark.parametrize("spec", [
    pytest.param(BUG_EMPTY_IF_BLOCK, id="if-with-require-then-false-require"),
    pytest.param(BUG_CONSTANT_NON_INSTANCE, id="constant-index-not-an-instance"),
    pytest.param(BUG_UNEXECUTED_CONSTANT, id="unexecuted-out-of-range-constant"),
    pytest.param(BUG_HOISTED_CONJUNCT, id="hoisted-conjunct-evaluated-first"),
    pytest.param(BUG_FOLDED_OPERAND, id="folded-operand-hides-error"),
    pytest.param(BUG_LATER_REQUIRE_MASKS_ERROR, id="later-require-hides-error"),
    pytest.param(BUG_FALSE_REQUIRE_HIDES_ERROR, id="constant-false-require-hides-error"),
    pytest.param(BUG_TARGET_INDEX_LOCATION, id="target-index-error-location"),
])
def test_found_by_crosscheck(spec):
    crosscheck(spec)


# ---- the property tests -------------------------------------------------------------------


@_seeded
@SETTINGS
@example(EX_CYCLE)
@example(EX_OVERFLOW)
@example(EX_DEADLOCK)
@example(EX_PROCESS)
@given(specs(unsafe=False))
def test_crosscheck_in_range(spec):
    crosscheck(spec)


@_seeded
@settings(SETTINGS, max_examples=max(1, EXAMPLES // 2))
@example(EX_MAPKEY)
@given(specs(unsafe=True))
def test_crosscheck_with_runtime_errors(spec):
    crosscheck(spec)


# ---- the same through the command line and its JSON document --------------------------


def run_cli(text: str, tmp: Path) -> tuple[int, dict]:
    """`stateline check --json` in this process: (exit code, JSON document)."""
    path = tmp / "gen.sl"
    path.write_text(text)
    out = tmp / "out.json"
    if out.exists():
        out.unlink()
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        code = cli.main(["check", str(path), "--json", str(out), "--no-progress", "--quiet"])
    assert out.exists(), f"exit {code}, no JSON document:\n{sink.getvalue()}\n{text}"
    return code, json.loads(out.read_text())


def crosscheck_json(spec: Spec, tmp: Path):
    ref = R.explore(spec)
    code, doc = run_cli(spec.text, tmp)
    context = f"\n--- spec ---\n{spec.text}--- stateline exit {code} ---\n" \
              f"{json.dumps(doc['results'], indent=1)[:4000]}\n" \
              f"--- reference ---\n{ref_summary(ref)}\n"
    assert doc["exit_code"] == code, "exit code differs from the JSON document" + context
    if not doc["results"]:          # rejected while compiling: see crosscheck()
        assert code == 2 and R.explore(spec, early_stop=False).error is not None, \
            "compile-time error, but no behaviour of the spec has a run-time error" + context
        return
    [r] = doc["results"]
    violated = any(status == "violated" for status, _ in ref.props.values())
    want_code = 2 if ref.error is not None else 1 if violated else 0
    assert code == want_code, "exit code differs" + context
    assert r["stop_reason"] == ref.stop, "stop reason differs" + context
    assert r["deadlock_checked"] == (not spec.allow_deadlock or spec.expect_deadlock), context
    stats = r["stats"]
    assert (stats["states"], stats["transitions"], stats["depth"]) == \
        (ref.states, ref.transitions, ref.depth), "statistics differ" + context
    props = {p["name"]: p for p in r["properties"]}
    assert sorted(n for n, p in props.items() if p["kind"] != "temporal") == \
        sorted(ref.props), "properties differ" + context
    for name, (status, length) in ref.props.items():
        p = props[name]
        assert p["result"] == status, f"{name} verdict differs" + context
        assert p["met"] == {"holds": True, "violated": False, "unknown": None}[status], context
        if status == "violated":
            assert p["trace"] is not None and p["trace"]["length"] == length and \
                len(p["trace"]["steps"]) == length, f"{name} trace differs" + context
        else:
            assert p["trace"] is None, context
    if ref.error is None:
        assert r["error"] is None, "Stateline reports a run-time error" + context
    else:
        e = r["error"]
        assert e is not None and e["code"] == ref.error[3], "run-time error differs" + context
        assert e["location"].split(":")[1] == str(ref.error[1]), "error line differs" + context
        if ref.error[0] is None:
            assert e["trace"] is None, "error trace differs" + context
        else:
            assert e["trace"] is not None and e["trace"]["length"] == ref.error[0], \
                "error trace differs" + context


@_seeded
@settings(SETTINGS, max_examples=max(1, EXAMPLES // 3))
@example(EX_DEADLOCK)
@example(EX_MAPKEY)
@given(specs())
def test_crosscheck_cli_json(spec):
    with tempfile.TemporaryDirectory() as tmp:
        crosscheck_json(spec, Path(tmp))


def test_json_error_trace_of_a_step_from_an_initial_state(tmp_path):
    """An error computing a step from an initial state has a 0-step trace; the JSON
    document must show it (a `Trace` with no steps is falsy, and was written as null)."""
    code, doc = run_cli(EX_MAPKEY_AT_INIT.text, tmp_path)
    assert code == 2
    err = doc["results"][0]["error"]
    assert err["code"] == "SL601"
    assert err["trace"] is not None and err["trace"]["length"] == 0


# m[x] := 1 with x == 2 from the start: the error happens in the first step
EX_MAPKEY_AT_INIT = _spec([_int("x", 0, 2, 2),
                           VarDecl("m", "map", 0, 1, 0, 1, inits=((0, 0),),
                                   init_src="{k: 0 for k in 0..1}")],
                          [Action("a0", None, [], None, [Assign(("get", "m", X), lit(1))])],
                          allow_deadlock=True)


# ---- determinism across hash seeds --------------------------------------------------------


def _stateline_json(hashseed: str) -> dict:
    exe = Path(sys.executable).parent / "stateline"
    cmd = [str(exe)] if exe.exists() else \
        [sys.executable, "-c", "import sys; from stateline.cli import main; sys.exit(main())"]
    env = {**os.environ, "PYTHONHASHSEED": hashseed}
    p = subprocess.run(cmd + ["check", "specs/paxos.sl", "--check", "ballots01", "--json", "-"],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    start = p.stdout.index('{\n  "schema"')
    doc = json.loads(p.stdout[start:])

    def scrub(x):
        if isinstance(x, dict):
            return {k: scrub(v) for k, v in x.items() if k not in ("seconds", "peak_memory_mb")}
        if isinstance(x, list):
            return [scrub(v) for v in x]
        return x
    return scrub(doc)


def test_paxos_json_is_the_same_for_every_hash_seed():
    a = _stateline_json("0")
    b = _stateline_json("12345")
    assert a["results"] and a["results"][0]["stats"]["states"] > 0
    assert a == b
