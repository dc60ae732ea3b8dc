"""Primitive operators of the IR -> symbolic values (a mixin of `exprs.Eval`).

Each operator follows its Python counterpart in models/ops.py: integers are
unbounded with floor division and modulo, sets compare by their elements,
`none in S` is false when S cannot hold none, and the partial operators record
their run-time error under the current reach condition.
"""

from __future__ import annotations

import z3

from ..lang import ir, unions
from ..lang.types import OptionT, SetT
from ..models.domains import DInt, DSet
from .symbolic import (SBits, SList, SMap, SOpt, SSeq, Unencodable, as_bits, concat_options,
                       const_value, elements, eq, int_universe, lift, member, select, subset,
                       universe)
from .terms import FALSE, TRUE, And, Eq, If, Implies, Int, Not, Or, is_false, literal

HISTORY_CHECKS = ("linearizable", "sequential", "causal")
SUBSETS_LIMIT = 12      # subsets() of a set that may have more elements is not encoded


def _arith(op, a, b):
    x, y = literal(a), literal(b)
    if x is not None and y is not None:
        return Int({"add": x + y, "sub": x - y, "mul": x * y}[op])
    if op == "add":
        if y == 0:
            return a
        if x == 0:
            return b
        return a + b
    if op == "sub":
        return a if y == 0 else a - b
    if x == 1:
        return b
    if y == 1:
        return a
    return a * b


def count(s):
    """The number of distinct elements of a set."""
    if isinstance(s, SBits):
        terms = [If(b, Int(1), Int(0)) for b in s.bits if not is_false(b)]
    else:
        terms = []
        for i, (g, x) in enumerate(s.items):
            seen = Or(*(And(gj, eq(xj, x)) for gj, xj in s.items[:i]))
            terms.append(If(And(g, Not(seen)), Int(1), Int(0)))
    return _sum(terms)


def _sum(terms):
    total = 0
    rest = []
    for t in terms:
        v = literal(t)
        if v is not None:
            total += v
        else:
            rest.append(t)
    if not rest:
        return Int(total)
    out = z3.Sum(rest) if len(rest) > 1 else rest[0]
    return out + total if total else out


class OpsMixin:
    def _Op(self, e: ir.Op, env):
        op = e.op
        if op in ("and", "or"):
            return self._junction(op, e.args, env)
        if op == "implies":
            a = self.expr(e.args[0], env)
            with self.under(a):
                b = self.expr(e.args[1], env)
            return Implies(a, b)
        method = getattr(self, "_op_" + op, None)
        if method is None:
            what = f"the history check {op}()" if op in HISTORY_CHECKS else f"the operator '{op}'"
            raise Unencodable(what, e.span)
        args = [self.expr(a, env) for a in e.args]
        return method(e, args)

    def _junction(self, op, args, env):
        parts = []
        prefix = TRUE
        for a in args:
            with self.under(prefix):
                c = self.expr(a, env)
            parts.append(c)
            prefix = And(prefix, c if op == "and" else Not(c))
            if is_false(prefix):
                break
        return And(*parts) if op == "and" else Or(*parts)

    # ---- integers ------------------------------------------------------------------------

    def _op_add(self, e, args):
        return _arith("add", *args)

    def _op_sub(self, e, args):
        return _arith("sub", *args)

    def _op_mul(self, e, args):
        return _arith("mul", *args)

    def floordiv(self, a, b):
        x, y = literal(a), literal(b)
        if x is not None and y:
            return Int(x // y)
        if y is not None and y > 0:
            return a / b
        if y is not None and y < 0:
            return (-a) / (-b)
        return If(b > 0, a / b, (-a) / (-b))

    def _op_floordiv(self, e, args):
        a, b = args
        self.error(Eq(b, Int(0)), e.span, "division by zero")
        return self.floordiv(a, b)

    def _op_mod(self, e, args):
        a, b = args
        self.error(Eq(b, Int(0)), e.span, "modulo by zero")
        x, y = literal(a), literal(b)
        if x is not None and y:
            return Int(x % y)
        if y is not None and y > 0:
            return a % b
        return a - b * self.floordiv(a, b)

    def _op_neg(self, e, args):
        x = literal(args[0])
        return Int(-x) if x is not None else -args[0]

    def _op_abs(self, e, args):
        a = args[0]
        return If(a < 0, -a, a)

    def _op_min(self, e, args):
        out = args[0]
        for a in args[1:]:
            out = If(a < out, a, out)
        return out

    def _op_max(self, e, args):
        out = args[0]
        for a in args[1:]:
            out = If(a > out, a, out)
        return out

    # ---- comparisons and logic -----------------------------------------------------------

    def _op_eq(self, e, args):
        return eq(*args)

    def _op_ne(self, e, args):
        return Not(eq(*args))

    def _cmp(self, op, a, b):
        x, y = literal(a), literal(b)
        if x is not None and y is not None:
            return TRUE if {"lt": x < y, "le": x <= y, "gt": x > y, "ge": x >= y}[op] else FALSE
        return {"lt": a < b, "le": a <= b, "gt": a > b, "ge": a >= b}[op]

    def _op_lt(self, e, args):
        return self._cmp("lt", *args)

    def _op_le(self, e, args):
        return self._cmp("le", *args)

    def _op_gt(self, e, args):
        return self._cmp("gt", *args)

    def _op_ge(self, e, args):
        return self._cmp("ge", *args)

    def _op_not(self, e, args):
        return Not(args[0])

    # ---- sets ------------------------------------------------------------------------------

    def _setop(self, e, args):
        a, b = args
        u = universe(self.dom(e.type).elem)
        if u is None and isinstance(a, SBits) and isinstance(b, SBits) and \
                isinstance(a.univ.dom, DInt) and isinstance(b.univ.dom, DInt):
            vals = a.univ.values + b.univ.values
            u = int_universe(min(vals), max(vals)) if vals else None
        if u is None and isinstance(a, SBits) != isinstance(b, SBits):
            bits, lst = (a, b) if isinstance(a, SBits) else (b, a)
            if all(const_value(x, bits.univ.dom) in bits.univ.index for _, x in lst.items):
                u = bits.univ
        if u is not None:
            a, b = as_bits(a, u), as_bits(b, u)
            fn = {"set_union": Or, "set_inter": And,
                  "set_diff": lambda x, y: And(x, Not(y)),
                  "set_symdiff": lambda x, y: Or(And(x, Not(y)), And(y, Not(x)))}[e.op]
            return SBits(u, tuple(fn(x, y) for x, y in zip(a.bits, b.bits)))
        if e.op == "set_union":
            return SList(_items(a) + _items(b))
        if e.op == "set_inter":
            return SList(tuple((And(g, member(x, b)), x) for g, x in _items(a)))
        if e.op == "set_diff":
            return SList(tuple((And(g, Not(member(x, b))), x) for g, x in _items(a)))
        return SList(tuple((And(g, Not(member(x, b))), x) for g, x in _items(a)) +
                     tuple((And(g, Not(member(x, a))), x) for g, x in _items(b)))

    _op_set_union = _op_set_inter = _op_set_diff = _op_set_symdiff = _setop

    def _op_subseteq(self, e, args):
        return subset(*args)

    def _op_supseteq(self, e, args):
        return subset(args[1], args[0])

    def _op_subset(self, e, args):
        a, b = args
        return And(subset(a, b), Not(subset(b, a)))

    def _op_supset(self, e, args):
        a, b = args
        return And(subset(b, a), Not(subset(a, b)))

    def _op_inject(self, e, args):
        """A value (or set) of sorts of model values as one of their union (lang/unions.py)."""
        (x,) = args
        dom, sdom = self.dom(e.type), self.dom(e.args[0].type)
        target = dom.elem if isinstance(dom, DSet) else dom
        source = sdom.elem if isinstance(sdom, DSet) else sdom
        at = unions.places(source.sort, target.sort, lambda p: self.ctx.atom_dom(p).size)

        def moved(v):
            out = Int(at[-1])
            for i in range(len(at) - 2, -1, -1):
                out = If(Eq(v, Int(i)), Int(at[i]), out)
            return out
        if not isinstance(dom, DSet):
            return moved(x)
        if isinstance(x, SBits):
            bits = [FALSE] * target.size
            for v, b in zip(x.univ.values, x.bits):
                bits[at[v]] = b
            u = universe(target)
            if u is None:
                raise Unencodable(f"a set of {target.sort} (too many values)", e.span)
            return SBits(u, tuple(bits))
        return SList(tuple((g, moved(v)) for g, v in x.items))

    def membership(self, e, x, s):
        set_t = e.args[1].type
        if isinstance(x, SOpt) and isinstance(set_t, SetT) and \
                not isinstance(set_t.elem, OptionT):
            return And(x.some, member(x.val, s))
        return member(x, s)

    def _op_in(self, e, args):
        return self.membership(e, *args)

    def _op_not_in(self, e, args):
        return Not(self.membership(e, *args))

    def _op_seq_in(self, e, args):
        x, s = args
        return Or(*(And(s.length > i, eq(x, it)) for i, it in enumerate(s.items)))

    def _op_seq_not_in(self, e, args):
        return Not(self._op_seq_in(e, args))

    def int_bounds(self, t):
        return self.enc.bounds(t)

    def _op_range(self, e, args):
        lo, hi = args
        blo, bhi = self.int_bounds(lo), self.int_bounds(hi)
        if blo is None or bhi is None:
            raise Unencodable("a range lo..hi whose bounds depend on the state and have no "
                              "known limits", e.span)
        u = int_universe(blo[0], bhi[1])
        if u is None:
            raise Unencodable("a range with too many possible elements", e.span)
        return SBits(u, tuple(And(lo <= v, v <= hi) for v in u.lifted))

    def _op_len(self, e, args):
        (x,) = args
        if isinstance(x, SMap):
            return Int(x.key.size)
        if isinstance(x, SSeq):
            return x.length
        return count(x)

    def bits_of(self, s, span, what: str) -> SBits:
        """A set as bits over some finite universe (ints: over their known bounds)."""
        if isinstance(s, SBits):
            return s
        bounds = [self.int_bounds(x) if z3.is_expr(x) and z3.is_int(x) else None
                  for _, x in s.items]
        if s.items and all(b is not None for b in bounds):
            u = int_universe(min(b[0] for b in bounds), max(b[1] for b in bounds))
            if u is not None:
                return as_bits(s, u)
        if not s.items:
            return SBits(int_universe(0, -1), ())
        raise Unencodable(f"{what} of a set whose elements have no known finite universe", span)

    def _op_fun_set(self, e, args):
        # A constant [S -> T] is folded to its maps before this is reached.
        raise Unencodable("a function set [S -> T] that depends on the state", e.span)

    def _op_subsets(self, e, args):
        s = self.set_of(args[0], e.args[0].type)
        s = self.bits_of(s, e.span, "subsets()")
        live = [i for i, b in enumerate(s.bits) if not is_false(b)]
        if len(live) > SUBSETS_LIMIT:
            raise Unencodable(f"subsets() of a set that may have more than {SUBSETS_LIMIT} "
                              f"elements", e.span)
        sdom = DSet(s.univ.dom)
        out = []
        for bits in range(1 << len(live)):
            chosen = [live[j] for j in range(len(live)) if bits >> j & 1]
            value = _set_value(sdom, [s.univ.values[i] for i in chosen])
            out.append((And(*(s.bits[i] for i in chosen)), value))
        su = universe(sdom)
        if su is not None:
            cells = [FALSE] * len(su)
            for g, v in out:
                cells[su.index[v]] = g
            return SBits(su, tuple(cells))
        return SList(tuple((g, lift(v, sdom)) for g, v in out))

    def _extreme(self, e, args, smallest: bool):
        s = args[0]
        self.error(Not(Or(*(g for g, _, _ in elements(s)))), e.span,
                   f"{'min' if smallest else 'max'}() of an empty set")
        items = [(g, x) for g, x, _ in elements(s)]
        if isinstance(s, SBits) and not smallest:
            items.reverse()
        if isinstance(s, SBits):
            return select(items, Int(0))
        best, have = Int(0), FALSE
        for g, x in items:
            better = (x < best) if smallest else (x > best)
            best = If(And(g, Or(Not(have), better)), x, best)
            have = Or(have, g)
        return best

    def _op_set_min(self, e, args):
        return self._extreme(e, args, True)

    def _op_set_max(self, e, args):
        return self._extreme(e, args, False)

    def _op_set_sum(self, e, args):
        s = args[0]
        if isinstance(s, SBits):
            return _sum([If(b, x, Int(0)) for b, x, _ in elements(s)])
        terms = []
        for i, (g, x) in enumerate(s.items):
            seen = Or(*(And(gj, eq(xj, x)) for gj, xj in s.items[:i]))
            terms.append(If(And(g, Not(seen)), x, Int(0)))
        return _sum(terms)

    def _op_keys(self, e, args):
        m = args[0]
        u = universe(m.key)
        return SBits(u, (TRUE,) * len(u))

    def _op_values(self, e, args):
        return self.set_of(SList(tuple((TRUE, x) for x in args[0].entries)), e.type)

    def _op_unwrap(self, e, args):
        return self.unwrap(args[0], e.span)

    def _op_is_none(self, e, args):
        x = args[0]
        return Not(x.some) if isinstance(x, SOpt) else FALSE

    def _op_some(self, e, args):
        x = args[0]
        return x if isinstance(x, SOpt) else SOpt(TRUE, x)

    # ---- sequences ------------------------------------------------------------------------------

    def _op_seq_concat(self, e, args):
        a, b = args
        la = a.length
        items = [select(options[:-1], options[-1][1])
                 for options in concat_options(a.items, b.items, lambda j: la > j,
                                               lambda i: Eq(la, Int(i)))]
        return SSeq(_arith("add", la, b.length), tuple(items))

    def _empty_seq(self, e, s):
        self.error(Eq(s.length, Int(0)), e.span,
                   f"{ {'seq_head': 'head', 'seq_last': 'last', 'seq_tail': 'tail'}[e.op]}() "
                   f"of an empty sequence")

    def _op_seq_head(self, e, args):
        s = args[0]
        self._empty_seq(e, s)
        return s.items[0] if s.items else Int(0)

    def _op_seq_last(self, e, args):
        s = args[0]
        self._empty_seq(e, s)
        if not s.items:
            return Int(0)
        return select([(Eq(s.length, Int(k + 1)), x) for k, x in enumerate(s.items[:-1])],
                      s.items[-1])

    def _op_seq_tail(self, e, args):
        s = args[0]
        self._empty_seq(e, s)
        return SSeq(If(s.length > 0, s.length - 1, Int(0)), tuple(s.items[1:]))

    def _op_seq_to_set(self, e, args):
        s = args[0]
        return self.set_of(SList(tuple((s.length > i, x) for i, x in enumerate(s.items))),
                           e.type)

    def _op_union_all(self, e, args):
        s = args[0]
        items = []
        for g, inner, _ in elements(s):
            for h, x, _ in elements(inner):
                items.append((And(g, h), x))
        return self.set_of(SList(tuple(items)), e.type)


def _items(s) -> tuple:
    return tuple((g, x) for g, x, _ in elements(s))


def _set_value(sdom: DSet, members: list):
    if sdom.mask:
        m = 0
        for u in members:
            m |= 1 << sdom.elem.bit(u)
        return m
    return frozenset(members)

