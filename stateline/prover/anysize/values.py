"""Symbolic values of the any-size encoding, and the operations every value supports.

A scalar is a Z3 term with its domain (`Sc`); a record or tuple holds its fields
(`Rec`); an option a Bool and a value (`Opt`); a set is its membership predicate,
with the list of its possible elements when it is finite and known (`SetV`); a map
is a function from keys to values (`MapV`).  Sets and maps are built lazily: a
set union is the disjunction of the two predicates, a map update an `If` on the
key, evaluated only where the encoding looks.

Quantifiers over a domain unroll its small finite parts (booleans, integer
ranges, enums, none/some of an option) and bind the rest (elements of sorts) as
Z3 variables: `forall m in sent(Promise)` becomes, per combination of the
message's finite fields, one `ForAll` over its acceptor and value.  A `none`
option always carries a canonical default value, so a set of options holds one
term per option.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Callable

import z3

from ..symbolic import Unencodable
from ..terms import FALSE, TRUE, And, If, Not, Or
from .doms import (FBool, FFin, FInt, FMap, FOpt, FQuorum, FRec, FSeq, FSet, FSort, Sorts,
                   enumerable)

PRODUCT_LIMIT = 64       # combinations of finite fields unrolled in one quantifier


@dataclass(frozen=True, eq=False)
class Sc:
    term: object
    dom: object


@dataclass(frozen=True, eq=False)
class Rec:
    items: tuple
    dom: FRec


@dataclass(frozen=True, eq=False)
class Opt:
    some: object
    val: object
    dom: FOpt


@dataclass(frozen=True, eq=False)
class SeqV:
    """A sequence: its length (an Int term) and `dom.maxlen` values, one per position;
    only those before the length count."""
    length: object
    items: tuple
    dom: FSeq
    canonical: bool = False     # the positions at or after the length hold the defaults


@dataclass(frozen=True, eq=False)
class SetV:
    dom: FSet
    member: Callable
    items: tuple | None = None      # ((guard, value), ...) covering every element, if known


@dataclass(frozen=True, eq=False)
class MapV:
    dom: FMap
    get: Callable


class Values:
    """Construction, comparison and quantification of values over one set of sorts."""

    def __init__(self, sorts: Sorts):
        self.sorts = sorts
        self.fresh_count = 0
        self.defaults: dict = {}

    # ---- construction ------------------------------------------------------------------

    def lift(self, v, dom):
        """A Python value (bool, int, tuple; None for none) as a symbolic value."""
        if isinstance(dom, FBool):
            return Sc(z3.BoolVal(bool(v)), dom)
        if isinstance(dom, (FInt, FFin)):
            return Sc(z3.IntVal(v), dom)
        if isinstance(dom, FRec):
            return Rec(tuple(self.lift(x, d) for x, (_, d) in zip(v, dom.fields)), dom)
        if isinstance(dom, FOpt):
            if v is None:
                return self.none(dom)
            return Opt(TRUE, self.lift(v, dom.elem), dom)
        if isinstance(dom, FSeq):
            items = tuple(self.lift(x, dom.elem) for x in v)
            pad = tuple(self.default(dom.elem) for _ in range(dom.maxlen - len(items)))
            return SeqV(z3.IntVal(len(items)), items + pad, dom, True)
        raise Unencodable(f"a constant value of type {dom.describe()}")

    def default(self, dom):
        """The canonical value an absent option carries."""
        if isinstance(dom, FBool):
            return Sc(FALSE, dom)
        if isinstance(dom, (FInt, FFin)):
            return Sc(z3.IntVal(dom.lo if isinstance(dom, FInt) and dom.lo is not None
                                else 0), dom)
        if isinstance(dom, (FSort, FQuorum)):
            key = dom
            if key not in self.defaults:
                sort = self.sorts.leaf_sorts(dom)[0]
                self.defaults[key] = z3.Const(f"default<{dom.describe()}>", sort)
            return Sc(self.defaults[key], dom)
        if isinstance(dom, FRec):
            return Rec(tuple(self.default(d) for _, d in dom.fields), dom)
        if isinstance(dom, FOpt):
            return self.none(dom)
        if isinstance(dom, FSeq):
            return SeqV(z3.IntVal(0), tuple(self.default(dom.elem)
                                            for _ in range(dom.maxlen)), dom, True)
        raise Unencodable(f"an option of {dom.describe()}")

    def none(self, dom: FOpt) -> Opt:
        return Opt(FALSE, self.default(dom.elem), dom)

    def from_leaves(self, dom, leaves: list):
        """The value of `dom` whose leaves are `leaves` (consumed from the front)."""
        if isinstance(dom, (FBool, FInt, FFin, FSort, FQuorum)):
            return Sc(leaves.pop(0), dom)
        if isinstance(dom, FRec):
            return Rec(tuple(self.from_leaves(d, leaves) for _, d in dom.fields), dom)
        if isinstance(dom, FOpt):
            some = leaves.pop(0)
            return Opt(some, self.from_leaves(dom.elem, leaves), dom)
        if isinstance(dom, FSeq):
            length = leaves.pop(0)       # leaves are canonical (see `leaves`, `cases`)
            return SeqV(length, tuple(self.from_leaves(dom.elem, leaves)
                                      for _ in range(dom.maxlen)), dom, True)
        raise Unencodable(f"a value of type {dom.describe()} as a leaf")

    def leaves(self, v) -> list:
        """The canonical leaves of a scalar, record or option value."""
        if isinstance(v, Sc):
            return [v.term]
        if isinstance(v, Rec):
            return [x for item in v.items for x in self.leaves(item)]
        if isinstance(v, Opt):
            inner = self.leaves(v.val)
            if z3.is_true(v.some):
                return [v.some] + inner
            default = self.leaves(self.default(v.dom.elem))
            return [v.some] + [If(v.some, x, d) for x, d in zip(inner, default)]
        if isinstance(v, SeqV):        # the positions at or after the length: canonical
            out = [v.length]
            if v.canonical:
                return out + [x for item in v.items for x in self.leaves(item)]
            default = self.leaves(self.default(v.dom.elem))
            n = z3.simplify(v.length)
            for j, x in enumerate(self.fit(v, v.dom).items):
                if z3.is_int_value(n):
                    out.extend(self.leaves(x) if n.as_long() > j else default)
                else:
                    out.extend(If(v.length > j, a, d) for a, d in zip(self.leaves(x), default))
            return out
        raise Unencodable("a set or map as a key, field or set element in an any-size proof")

    # ---- comparison and choice ---------------------------------------------------------

    def eq(self, a, b):
        if isinstance(a, Sc):
            return a.term == b.term
        if isinstance(a, Rec):
            return And(*(self.eq(x, y) for x, y in zip(a.items, b.items)))
        if isinstance(a, Opt):
            return And(a.some == b.some, z3.Implies(a.some, self.eq(a.val, b.val)))
        if isinstance(a, SeqV):
            n = max(a.dom.maxlen, b.dom.maxlen)
            a, b = self.fit(a, FSeq(a.dom.elem, n)), self.fit(b, FSeq(a.dom.elem, n))
            return And(a.length == b.length,
                       *(z3.Implies(a.length > j, self.eq(x, y))
                         for j, (x, y) in enumerate(zip(a.items, b.items))))
        if isinstance(a, SetV):
            return self.forall(self.universe(a.dom.elem),
                               lambda x: a.member(x) == b.member(x))
        if isinstance(a, MapV):
            return self.forall(self.universe(a.dom.key),
                               lambda k: self.eq(a.get(k), b.get(k)))
        raise Unencodable("comparing these values")

    def ite(self, c, a, b):
        if a is b:
            return a
        if isinstance(a, Sc):
            dom = a.dom
            if isinstance(a.dom, FInt) and isinstance(b.dom, FInt) and a.dom != b.dom:
                lo = None if a.dom.lo is None or b.dom.lo is None else min(a.dom.lo, b.dom.lo)
                hi = None if a.dom.hi is None or b.dom.hi is None else max(a.dom.hi, b.dom.hi)
                dom = FInt(lo, hi, a.dom.hi_of or b.dom.hi_of)
            return Sc(If(c, a.term, b.term), dom)
        if isinstance(a, Rec):
            return Rec(tuple(self.ite(c, x, y) for x, y in zip(a.items, b.items)), a.dom)
        if isinstance(a, Opt):
            return Opt(If(c, a.some, b.some), self.ite(c, a.val, b.val), a.dom)
        if isinstance(a, SeqV):
            n = max(a.dom.maxlen, b.dom.maxlen)
            dom = FSeq(a.dom.elem, n)
            a, b = self.fit(a, dom), self.fit(b, dom)
            return SeqV(If(c, a.length, b.length),
                        tuple(self.ite(c, x, y) for x, y in zip(a.items, b.items)), dom,
                        a.canonical and b.canonical)
        if isinstance(a, SetV):
            items = None
            if a.items is not None and b.items is not None:
                items = tuple((And(c, g), v) for g, v in a.items) + \
                    tuple((And(Not(c), g), v) for g, v in b.items)
            return SetV(a.dom, lambda x: If(c, a.member(x), b.member(x)), items)
        if isinstance(a, MapV):
            return MapV(a.dom, lambda k: self.ite(c, a.get(k), b.get(k)))
        raise Unencodable("a conditional over these values")

    def fit(self, s: SeqV, dom: FSeq) -> SeqV:
        """`s` with exactly `dom.maxlen` positions (padded with defaults, or cut: the
        caller has checked that the length fits)."""
        items = s.items[:dom.maxlen] + tuple(self.default(s.dom.elem)
                                             for _ in range(dom.maxlen - len(s.items)))
        return SeqV(s.length, items, dom, s.canonical)

    # ---- sets and quantifiers ------------------------------------------------------------

    def universe(self, dom) -> SetV:
        """The set of every value of `dom`."""
        values = enumerable(dom)
        items = tuple((TRUE, self.lift(v, dom)) for v in values) if values is not None \
            else None
        if isinstance(dom, FInt) and values is None and dom.lo is not None:
            lo, hi = dom.lo, dom.hi

            def member(x):
                return And(x.term >= lo, *([x.term <= hi] if hi is not None else []))
            return SetV(FSet(dom), member, None)
        return SetV(FSet(dom), lambda x: TRUE, items)

    def cases(self, dom):
        """[(guard, value, bound Z3 constants)]: every value of `dom`, its small finite
        parts unrolled and the rest bound to fresh constants (with their range facts in
        the guard)."""
        out = []
        parts = self._cases(dom)
        total = 1
        for p in parts:
            total *= len(p)
        if total > PRODUCT_LIMIT:
            parts = [self._symbolic(dom)]
        for combo in itertools.product(*parts):
            guard, leaves, consts = [], [], []
            for g, ls, cs in combo:
                guard.append(g)
                leaves.extend(ls)
                consts.extend(cs)
            out.append((And(*guard), self.from_leaves(dom, list(leaves)), consts))
        return out

    def _cases(self, dom) -> list[list]:
        """Per leaf group: its alternatives (guard, leaves, consts)."""
        values = enumerable(dom)
        if values is not None:
            return [[(TRUE, self.leaves(self.lift(v, dom)), []) for v in values]]
        if isinstance(dom, FRec):
            return [alt for _, d in dom.fields for alt in self._cases(d)]
        if isinstance(dom, FOpt):
            none = (FALSE, [FALSE] + self.leaves(self.default(dom.elem)), [])
            inner = self._cases(dom.elem)
            # some(x): x's own groups, flattened to one group of alternatives
            somes = []
            for combo in itertools.product(*inner):
                g = And(*(c[0] for c in combo))
                somes.append((g, [TRUE] + [x for c in combo for x in c[1]],
                              [x for c in combo for x in c[2]]))
            return [[(TRUE, none[1], [])] + somes]
        return [self._symbolic(dom)]

    def _symbolic(self, dom) -> list:
        sorts = self.sorts.leaf_sorts(dom)
        consts = []
        for s in sorts:
            self.fresh_count += 1
            consts.append(z3.Const(f"x!{self.fresh_count}", s))
        v = self.from_leaves(dom, list(consts))
        return [(self.range_facts(v), consts, consts)]

    def range_facts(self, v):
        if isinstance(v, Sc):
            d = v.dom
            if isinstance(d, FInt):
                parts = []
                if d.lo is not None:
                    parts.append(v.term >= d.lo)
                if d.hi is not None:
                    parts.append(v.term <= d.hi)
                return And(*parts)
            if isinstance(d, FFin):
                return And(v.term >= 0, v.term < len(d.names))
            return TRUE
        if isinstance(v, Rec):
            return And(*(self.range_facts(x) for x in v.items))
        if isinstance(v, Opt):
            return self.range_facts(v.val)
        if isinstance(v, SeqV):
            canon = [z3.Implies(v.length <= j, self.eq(x, self.default(v.dom.elem)))
                     for j, x in enumerate(v.items)] if v.canonical else []
            return And(v.length >= 0, v.length <= v.dom.maxlen,
                       *(self.range_facts(x) for x in v.items), *canon)
        return TRUE

    def forall(self, s: SetV, body) -> object:
        return self._quant(s, body, True)

    def exists(self, s: SetV, body) -> object:
        return self._quant(s, body, False)

    def _quant(self, s: SetV, body, universal: bool):
        parts = []
        if s.items is not None:
            for g, v in s.items:
                b = body(v)
                parts.append(z3.Implies(g, b) if universal else And(g, b))
        else:
            for guard, v, consts in self.cases(s.dom.elem):
                cond = And(guard, s.member(v))
                b = body(v)
                inner = z3.Implies(cond, b) if universal else And(cond, b)
                if consts:
                    inner = z3.ForAll(consts, inner) if universal else z3.Exists(consts, inner)
                parts.append(inner)
        return And(*parts) if universal else Or(*parts)
