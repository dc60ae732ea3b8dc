"""Typed IR expressions -> symbolic values of the any-size encoding.

`AnyEval.expr(e, env)` evaluates an expression in a `Frame` (the state's
variables and network as values) with `env` binding locals to values.  Run-time
errors (a `none` unwrapped, a value outside its declared range) are collected as
conditions, as the finite encoder does.  Elements of a sort only meet equality,
membership and quantifiers; anything else about them is refused with the
location of the term (`Unencodable`).
"""

from __future__ import annotations

from contextlib import contextmanager

import z3

from ...diagnostics import Span
from ...lang import ir
from ...lang.types import AtomT, BoolT, IntT, MapT, OptionT, RecordT, SetT, TupleT
from ..symbolic import Unencodable, concat_options
from ..terms import FALSE, TRUE, And, If, Not, Or, is_false
from .doms import (FBool, FFin, FInt, FMap, FOpt, FQuorum, FRec, FSeq, FSet, FSort,
                   enumerable)
from .values import MapV, Opt, Rec, SeqV, SetV, Sc

ARITH = {"add", "sub", "mul", "floordiv", "mod", "neg", "abs", "min", "max"}
ORDER = {"lt", "le", "gt", "ge"}


class AnyEval:
    def __init__(self, model, frame, post=None):
        self.m = model              # the AnySize model: values, doms, constants
        self.v = model.values
        self.frame = frame          # .var(VarSym) -> value, .sent(message) -> SetV
        self.post = post            # the successor's frame (transition invariants)
        self.reach = TRUE
        self.errors: list[tuple] = []
        # (reach, Int term, constant): a value stored where the declared range ends at a
        # constant that depends on the size of a sort (not an error in the proof; a
        # concrete counterexample keeps it within that constant's value)
        self.sized: list[tuple] = []

    @contextmanager
    def under(self, cond):
        old = self.reach
        self.reach = And(old, cond)
        try:
            yield
        finally:
            self.reach = old

    def error(self, bad, span: Span, message: str):
        cond = And(self.reach, bad)
        if not is_false(cond):
            self.errors.append((cond, span, message))

    def boolean(self, e, env) -> object:
        return self.expr(e, env).term

    def expr(self, e: ir.E, env: dict):
        method = getattr(self, "_" + type(e).__name__, None)
        if method is None:
            raise Unencodable(f"this kind of expression ({type(e).__name__}) in an any-size "
                              f"proof", e.span)
        return method(e, env)

    # ---- leaves --------------------------------------------------------------------------

    def _IntC(self, e, env):
        return Sc(z3.IntVal(e.value), FInt(e.value, e.value))

    def _BoolC(self, e, env):
        return Sc(z3.BoolVal(e.value), FBool())

    def _NoneC(self, e, env):
        dom = self.m.dom_of_type(e.type, e.span)
        if not isinstance(dom, FOpt):
            dom = FOpt(dom)
        return self.v.none(dom)

    def _AtomC(self, e, env):
        dom = self.m.dom_of_type(e.type, e.span)
        if isinstance(dom, FSort):
            raise Unencodable(f"the model value '{e.name}' of {dom.name}, whose size is not "
                              f"fixed in an any-size proof", e.span)
        return Sc(z3.IntVal(dom.names.index(e.name)), dom)

    def _ConstRef(self, e, env):
        return self.m.constant(e.name, e.span)

    def _VarRef(self, e, env):
        frame = self.post if e.primed else self.frame
        if frame is None:
            raise Unencodable("a primed variable outside a transition invariant", e.span)
        v = frame.var(e.var)
        if e.key is None:
            return v
        return v.get(self.expr(e.key, env))

    def _LocalRef(self, e, env):
        return env[e.local]

    def _FieldGet(self, e, env):
        base = self.unwrap(self.expr(e.base, env), e.span)
        return base.items[e.index]

    def _TupleGet(self, e, env):
        return self.expr(e.base, env).items[e.index]

    def _MapGet(self, e, env):
        return self.expr(e.base, env).get(self.expr(e.key, env))

    def _EnabledE(self, e, env):
        raise Unencodable(f"enabled({e.label}) in an any-size proof (its enabling "
                          f"condition is encoded for one instance: prove without --any-size)",
                          e.span)

    def _Sent(self, e, env):
        frame = self.post if e.primed else self.frame
        return frame.sent(e.message)

    # ---- operators -------------------------------------------------------------------------

    def _Op(self, e, env):
        op = e.op
        if op in ("and", "or", "implies", "not"):
            return self._logic(e, env)
        if op in ("eq", "ne") or op in ORDER:
            cmp = self._len_test(e, env)
            if cmp is not None:
                return Sc(cmp, FBool())
        args = [self.expr(a, env) for a in e.args]
        if op in ARITH or op in ORDER:
            terms = [self.number(a, x.span) for a, x in zip(args, e.args)]
            r = self._arith(op, terms, e)
            if op in ("add", "sub", "min", "max"):      # bounds, for ranges with these ends
                r = Sc(r.term, _interval(op, [a.dom for a in args]))
            return r
        if op in ("eq", "ne"):
            if any(isinstance(a, Sc) and isinstance(a.dom, FQuorum) for a in args):
                raise Unencodable("comparing two quorums in an any-size proof", e.span)
            if isinstance(args[0], Opt) != isinstance(args[1], Opt):   # votedFor == s
                args = [self._as_opt(a) for a in args]
            t = self.v.eq(args[0], args[1])
            return Sc(t if op == "eq" else Not(t), FBool())
        if op in ("in", "not_in"):
            t = self.as_set(args[1], e.span).member(args[0])
            return Sc(t if op == "in" else Not(t), FBool())
        if op in ("set_union", "set_inter", "set_diff"):
            a, b = self.as_set(args[0], e.span), self.as_set(args[1], e.span)
            return self._setop(op, a, b)
        if op in ("subseteq", "supseteq"):
            a, b = self.as_set(args[0], e.span), self.as_set(args[1], e.span)
            if op == "supseteq":
                a, b = b, a
            return Sc(self.v.forall(a, lambda x: b.member(x)), FBool())
        if op == "range":
            return self._range(args[0], args[1])
        if op == "len":
            if isinstance(args[0], SeqV):
                return Sc(args[0].length, FInt(0, args[0].dom.maxlen))
            s = self.as_set(args[0], e.span)
            n = len(s.items) if s.items is not None else None
            return Sc(self._len(s, e.span), FInt(0, n) if n is not None else FInt())
        if op in ("seq_concat", "seq_head", "seq_last", "seq_tail"):
            return self._seq_op(op, args, e)
        if op in ("set_max", "set_min"):
            return self._set_extreme(op, self.as_set(args[0], e.span), e)
        if op == "unwrap":
            return self.unwrap(args[0], e.span)
        if op == "is_none":
            a = args[0]
            return Sc(Not(a.some) if isinstance(a, Opt) else FALSE, FBool())
        if op == "some":
            return Opt(TRUE, args[0], FOpt(args[0].dom))
        raise Unencodable(f"the operation '{op}' in an any-size proof", e.span)

    def _logic(self, e, env):
        op = e.op
        if op == "not":
            return Sc(Not(self.boolean(e.args[0], env)), FBool())
        if op == "implies":
            a = self.boolean(e.args[0], env)
            with self.under(a):
                b = self.boolean(e.args[1], env)
            return Sc(z3.Implies(a, b), FBool())
        parts = []
        guard = TRUE
        for x in e.args:          # short-circuit: later operands' errors under earlier ones
            with self.under(guard):
                t = self.boolean(x, env)
            parts.append(t)
            guard = And(guard, t if op == "and" else Not(t))
        return Sc(And(*parts) if op == "and" else Or(*parts), FBool())

    def number(self, v, span):
        if not isinstance(v, Sc) or not isinstance(v.dom, (FInt, FFin, FBool)):
            what = v.dom.describe() if hasattr(v, "dom") else "this value"
            raise Unencodable(f"arithmetic or order on an element of {what}, whose size is "
                              f"not fixed in an any-size proof", span)
        return v.term

    def _arith(self, op, t, e):
        if op in ORDER:
            f = {"lt": lambda a, b: a < b, "le": lambda a, b: a <= b,
                 "gt": lambda a, b: a > b, "ge": lambda a, b: a >= b}[op]
            return Sc(f(t[0], t[1]), FBool())
        if op == "add":
            r = t[0] + t[1]
        elif op == "sub":
            r = t[0] - t[1]
        elif op == "mul":
            r = t[0] * t[1]
        elif op == "neg":
            r = -t[0]
        elif op == "abs":
            r = If(t[0] >= 0, t[0], -t[0])
        elif op in ("min", "max"):
            r = t[0]
            for x in t[1:]:
                r = If(x < r, x, r) if op == "min" else If(x > r, x, r)
        else:
            self.error(t[1] == 0, e.span, "division by zero")
            r = t[0] / t[1] if op == "floordiv" else t[0] % t[1]
        return Sc(r, FInt())

    def _range(self, lo_s, hi_s) -> SetV:
        lo, hi = lo_s.term, hi_s.term
        lo_v, hi_v = z3.simplify(lo), z3.simplify(hi)
        if z3.is_int_value(lo_v) and z3.is_int_value(hi_v):
            a, b = lo_v.as_long(), hi_v.as_long()
            dom = FInt(a, b)
            return self.v.universe(dom)
        # computed ends with known bounds (`1..len(log)`): the integers between the
        # smallest end and the largest, each guarded by its membership
        a, b = _bounds(lo_s.dom)[0], _bounds(hi_s.dom)[1]
        items = None
        if a is not None and b is not None and b - a < 64:
            items = tuple((And(lo <= k, k <= hi), Sc(z3.IntVal(k), FInt(k, k)))
                          for k in range(a, b + 1))
        dom = FInt(a, b) if items is not None else FInt()
        return SetV(FSet(dom), lambda x: And(x.term >= lo, x.term <= hi), items)

    def _seq_op(self, op, args, e):
        """Concatenation, head, last and tail of sequences of bounded length."""
        s = args[0]
        if op == "seq_concat":
            a, b = args
            la = a.length
            items = []
            for options in concat_options(a.items, b.items, lambda j: la > j,
                                          lambda i: la == i):
                out = options[-1][1]
                for c, x in reversed(options[:-1]):
                    out = self.v.ite(c, x, out)
                items.append(out)
            n = len(items)
            return SeqV(la + b.length, tuple(items), FSeq(a.dom.elem, n))
        what = {"seq_head": "head", "seq_last": "last", "seq_tail": "tail"}[op]
        self.error(s.length == 0, e.span, f"{what}() of an empty sequence")
        if not s.items:
            raise Unencodable(f"{what}() of a sequence that is always empty", e.span)
        if op == "seq_head":
            return s.items[0]
        if op == "seq_tail":
            return SeqV(If(s.length > 0, s.length - 1, z3.IntVal(0)), tuple(s.items[1:]),
                        FSeq(s.dom.elem, len(s.items) - 1))
        out = s.items[-1]
        for k in range(len(s.items) - 2, -1, -1):
            out = self.v.ite(s.length == k + 1, s.items[k], out)
        return out

    def _SeqLitE(self, e, env):
        items = tuple(self.expr(x, env) for x in e.items)
        elem = items[0].dom if items else self.m.dom_of_type(e.type, e.span).elem
        return SeqV(z3.IntVal(len(items)), items, FSeq(elem, len(items)))

    def _SeqGet(self, e, env):
        s = self.expr(e.base, env)
        i = self.number(self.expr(e.index, env), e.index.span)
        if not isinstance(s, SeqV):
            raise Unencodable("indexing this value in an any-size proof", e.span)
        self.error(Or(i >= s.length, i < -s.length), e.span, "sequence index is out of range")
        if not s.items:
            raise Unencodable("an index into a sequence that is always empty", e.span)
        idx = If(i >= 0, i, s.length + i)
        out = s.items[-1]
        for j in range(len(s.items) - 2, -1, -1):
            out = self.v.ite(idx == j, s.items[j], out)
        return out

    def _SeqSlice(self, e, env):
        s = self.expr(e.base, env)
        if not isinstance(s, SeqV):
            raise Unencodable("slicing this value in an any-size proof", e.span)
        n = s.length

        def bound(x, dflt):
            if x is None:
                return dflt
            v = self.number(self.expr(x, env), x.span)
            v = If(v < 0, v + n, v)
            return If(v < 0, z3.IntVal(0), If(v > n, n, v))
        lo, hi = bound(e.lo, z3.IntVal(0)), bound(e.hi, n)
        items = []
        for j in range(len(s.items)):
            out = s.items[-1]
            for k in range(len(s.items) - 2, -1, -1):
                out = self.v.ite(lo + j == k, s.items[k], out)
            items.append(out)
        return SeqV(If(hi > lo, hi - lo, z3.IntVal(0)), tuple(items), s.dom)

    def _set_extreme(self, op, s: SetV, e):
        """max(S) / min(S) of a set of integers whose possible elements are known."""
        if s.items is None or not s.items or not isinstance(s.dom.elem, (FInt, FFin)):
            raise Unencodable(f"{op[4:]}() of this set in an any-size proof", e.span)
        self.error(Not(Or(*(g for g, _ in s.items))), e.span,
                   f"{op[4:]}() of an empty set")
        better = (lambda x, y: x > y) if op == "set_max" else (lambda x, y: x < y)
        r, have = s.items[0][1].term, FALSE
        for g, x in s.items:
            r = If(And(g, Or(Not(have), better(x.term, r))), x.term, r)
            have = Or(have, g)
        lows = [_bounds(x.dom) for _, x in s.items]
        lo = None if any(a is None for a, _ in lows) else min(a for a, _ in lows)
        hi = None if any(b is None for _, b in lows) else max(b for _, b in lows)
        return Sc(r, FInt(lo, hi))

    def _setop(self, op, a: SetV, b: SetV) -> SetV:
        if op == "set_union":
            items = a.items + b.items if a.items is not None and b.items is not None else None
            return SetV(a.dom, lambda x: Or(a.member(x), b.member(x)), items)
        if op == "set_inter":
            items = tuple((And(g, b.member(x)), x) for g, x in a.items) \
                if a.items is not None else None
            return SetV(a.dom, lambda x: And(a.member(x), b.member(x)), items)
        items = tuple((And(g, Not(b.member(x))), x) for g, x in a.items) \
            if a.items is not None else None
        return SetV(a.dom, lambda x: And(a.member(x), Not(b.member(x))), items)

    def _len_test(self, e, env):
        """`len(S) > 0`, `len(S) == 0` and the like: whether S has an element."""
        a, b = e.args
        flip = {"lt": "gt", "le": "ge", "gt": "lt", "ge": "le", "eq": "eq", "ne": "ne"}
        op = e.op
        if isinstance(b, ir.Op) and b.op == "len" and not (isinstance(a, ir.Op) and
                                                           a.op == "len"):
            a, b, op = b, a, flip[op]
        if not (isinstance(a, ir.Op) and a.op == "len"):
            return None
        if not isinstance(b, ir.IntC):
            return self._quorum_test(a, op, b, env, e.span)
        k = b.value
        nonempty = {("gt", 0), ("ge", 1), ("ne", 0)}
        empty = {("eq", 0), ("lt", 1), ("le", 0)}
        if (op, k) not in nonempty | empty:
            return None
        x = self.expr(a.args[0], env)
        if isinstance(x, SeqV):
            return None
        s = self.as_set(x, a.span)
        if s.items is not None or enumerable(s.dom.elem) is not None:
            return None           # counted exactly below
        some = self.v.exists(s, lambda x: TRUE)
        return some if (op, k) in nonempty else Not(some)

    def _quorum_test(self, a, op, b, env, span):
        """`len(S) >= M` (or `>`), S a set of elements of a sort and M an expression of
        len(sort) that makes it a majority (Z3 checks `len(S) >= M` implies
        `2 * len(S) > len(sort)`): "S contains a quorum", with the quorums of that sort.
        In an instance whose quorums are its majorities the two tests agree; the proof
        holds for every quorum system whose quorums intersect.  None: not this pattern."""
        if op not in ("ge", "gt"):
            return None
        x = self.expr(a.args[0], env)
        if not isinstance(x, SetV) or not isinstance(x.dom.elem, FSort):
            return None
        sort = x.dom.elem.name
        self.m.majority_test(sort, op, b, span)
        qs, mem = self.m.sorts.quorum_of(sort)
        q = z3.Const(f"q!{self.v.fresh_count}", qs)
        self.v.fresh_count += 1
        e = z3.Const(f"a!{self.v.fresh_count}", self.m.sorts.z3[sort])
        self.v.fresh_count += 1
        return z3.Exists([q], z3.ForAll([e], z3.Implies(mem(e, q),
                                                          x.member(Sc(e, FSort(sort))))))

    def _len(self, s: SetV, span):
        universe = self.v.universe(s.dom.elem).items
        if universe is not None:        # distinct values: count the members
            return _sum([If(s.member(x), z3.IntVal(1), z3.IntVal(0)) for _, x in universe])
        if s.items is None:
            raise Unencodable("the size of a set of elements of a sort (only len(S) > 0 and "
                              "len(S) == 0 are encoded, and majority quorums)", span)
        # candidates that may repeat: count each value at its first occurrence
        parts = []
        for i, (g, x) in enumerate(s.items):
            first = And(g, *(Not(And(h, self.v.eq(y, x))) for h, y in s.items[:i]))
            parts.append(If(first, z3.IntVal(1), z3.IntVal(0)))
        return _sum(parts)

    # ---- options, conditionals, binders ------------------------------------------------------

    def unwrap(self, v, span):
        if not isinstance(v, Opt):
            return v
        self.error(Not(v.some), span, "none used where a value is required")
        return v.val

    def _IfE(self, e, env):
        c = self.boolean(e.cond, env)
        with self.under(c):
            a = self.expr(e.then, env)
        with self.under(Not(c)):
            b = self.expr(e.orelse, env)
        if isinstance(a, Opt) != isinstance(b, Opt):
            a, b = self._as_opt(a), self._as_opt(b)
        return self.v.ite(c, a, b)

    def _as_opt(self, x):
        return x if isinstance(x, Opt) else Opt(TRUE, x, FOpt(x.dom))

    def _LetE(self, e, env):
        return self.expr(e.body, {**env, e.local: self.expr(e.value, env)})

    def _Quant(self, e, env):
        dom = self.as_set(self.expr(e.domain, env), e.span)

        def body(x):
            return self.boolean(e.body, {**env, e.local: self.bound(x)})
        return Sc(self.quantify(dom, body, e.kind == "forall"), FBool())

    def quantify(self, s: SetV, body, universal: bool):
        """`Values.forall` / `exists`, with the body evaluated under its element's
        membership: a run-time error in it is an error only for elements of `s`, and
        one under bound constants is quantified (some element raises it)."""
        parts = []
        if s.items is not None:
            for g, v in s.items:
                with self.under(g):
                    b = body(v)
                parts.append(z3.Implies(g, b) if universal else And(g, b))
            return And(*parts) if universal else Or(*parts)
        for guard, v, consts in self.v.cases(s.dom.elem):
            cond = And(guard, s.member(v))
            start = len(self.errors)
            with self.under(cond):
                b = body(v)
            inner = z3.Implies(cond, b) if universal else And(cond, b)
            if consts:
                inner = z3.ForAll(consts, inner) if universal else z3.Exists(consts, inner)
                self.errors[start:] = [(z3.Exists(consts, c), span, msg)
                                       for c, span, msg in self.errors[start:]]
            parts.append(inner)
        return And(*parts) if universal else Or(*parts)

    def bound(self, x):
        """A bound element as the expression sees it (a quorum is a set of its members)."""
        if isinstance(x, Sc) and isinstance(x.dom, FQuorum):
            return self.m.quorum_set(x)
        return x

    def _SetLitE(self, e, env):
        items = [self.expr(x, env) for x in e.items]
        dom = FSet(items[0].dom) if items else self.m.dom_of_type(e.type, e.span)
        return SetV(dom, lambda x: Or(*(self.v.eq(x, y) for y in items)),
                    tuple((TRUE, y) for y in items))

    def _TupleE(self, e, env):
        items = tuple(self.expr(x, env) for x in e.items)
        return Rec(items, FRec("", tuple(("", x.dom) for x in items)))

    def _RecordE(self, e, env):
        dom = self.m.record(e.record, e.span)
        items = []
        for x, (_, d) in zip(e.fields, dom.fields):
            v = self.expr(x, env)
            if isinstance(d, FOpt) and not isinstance(v, Opt):
                v = Opt(TRUE, v, d)
            items.append(self.m.conform(v, d, self, x.span))
        return Rec(tuple(items), dom)

    def _RecordUpdate(self, e, env):
        base = self.expr(e.base, env)
        items = list(base.items)
        for i, x in e.updates:
            items[i] = self.expr(x, env)
        return Rec(tuple(items), base.dom)

    def _SetCompE(self, e, env):
        quorum = self.m.quorum_pattern(e, self, env)
        if quorum is not None:
            return quorum
        gens = e.gens

        def member_of(y):
            def level(i, env2):
                if i == len(gens):
                    return self.v.eq(y, self.expr(e.elem, env2))
                g = gens[i]
                d = self.as_set(self.expr(g.domain, env2), g.domain.span)

                def body(x):
                    env3 = {**env2, g.local: self.bound(x)}
                    cond = self.boolean(g.cond, env3) if g.cond is not None else TRUE
                    with self.under(cond):
                        return And(cond, level(i + 1, env3))
                return self.quantify(d, body, False)
            return level(0, env)
        elem_dom = self.m.dom_of_type(e.type, e.span).elem
        items = self._comp_items(e, env)
        return SetV(FSet(elem_dom), member_of, items)

    def _comp_items(self, e, env):
        """The possible elements of a comprehension over finite known sets, if any."""
        out = [(TRUE, env)]
        for g in e.gens:
            nxt = []
            for guard, env2 in out:
                d = self.as_set(self.expr(g.domain, env2), g.domain.span)
                if d.items is None:
                    return None
                for gg, x in d.items:
                    env3 = {**env2, g.local: self.bound(x)}
                    with self.under(And(guard, gg)):
                        cond = self.boolean(g.cond, env3) if g.cond is not None else TRUE
                    nxt.append((And(guard, gg, cond), env3))
            out = nxt
        items = []
        for g, env2 in out:
            with self.under(g):
                items.append((g, self.expr(e.elem, env2)))
        return tuple(items)

    def _MapCompE(self, e, env):
        dom = self.m.dom_of_type(e.type, e.span)
        return MapV(dom, lambda k: self.expr(e.value, {**env, e.local: k}))

    def _MapUpdate(self, e, env):
        base = self.expr(e.base, env)
        for ke, ve in e.updates:
            key, val = self.expr(ke, env), self.expr(ve, env)
            base = _updated(self.v, base, key, val)
        return base

    # ---- sets ----------------------------------------------------------------------------------

    def as_set(self, v, span) -> SetV:
        if isinstance(v, SetV):
            return v
        if isinstance(v, Sc) and isinstance(v.dom, FQuorum):
            return self.m.quorum_set(v)
        raise Unencodable("this value as a set in an any-size proof", span)


def _bounds(dom) -> tuple:
    """(lo, hi) of an integer domain, None where unknown."""
    if isinstance(dom, FInt):
        return dom.lo, dom.hi
    if isinstance(dom, FFin):
        return 0, len(dom.names) - 1
    if isinstance(dom, FBool):
        return 0, 1
    return None, None


def _interval(op, doms) -> FInt:
    """The bounds of `a + b`, `a - b`, `min(...)`, `max(...)` from those of the operands."""
    bs = [_bounds(d) for d in doms]
    if any(a is None or b is None for a, b in bs):
        return FInt()
    if op == "add":
        return FInt(bs[0][0] + bs[1][0], bs[0][1] + bs[1][1])
    if op == "sub":
        return FInt(bs[0][0] - bs[1][1], bs[0][1] - bs[1][0])
    pick = min if op == "min" else max
    return FInt(pick(a for a, _ in bs), pick(b for _, b in bs))


def _updated(values, base: MapV, key, val) -> MapV:
    return MapV(base.dom, lambda k: values.ite(values.eq(k, key), val, base.get(k)))


def _sum(parts: list):
    """The sum of integer terms (never a one-term `+`, which SMT-LIB does not allow and
    which --emit-smt would write for other solvers)."""
    return z3.IntVal(0) if not parts else parts[0] if len(parts) == 1 else z3.Sum(parts)
