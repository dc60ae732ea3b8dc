"""The any-size view of a spec: domains, constants, state symbols, frames and quorums.

`AnyModel(loaded, check, overrides, sorts)` lowers the check block's instance as
`stateline check` does (for the constants that keep their value), and gives:

* `dom_of_texpr` / `dom_of_type`: the first-order domain of a declared type;
* `constant(name)`: a constant as a value (a sort is the set of all its elements);
* `declare(tag)`: a state of uninterpreted functions (one per variable; a process
  variable takes the instance as its first argument; a set is a predicate, a map a
  function), its network (a relation per message type, or a count per message for a
  bag) and the range facts of its integer leaves, quantified;
* `initial_frame()`: the initial state as values;
* majority quorums: `{q for q in subsets(S) if C}` where C implies that q holds more
  than half of S becomes a sort of quorums with a membership relation and the axiom
  that any two quorums intersect.
"""

from __future__ import annotations

import z3

from ...diagnostics import Span
from ...lang import ir
from ...lang.types import (AtomT, BoolT, IntT, MapT, NoneT, OptionT, RecordT, SeqT, SetT,
                           TupleT)
from ...models.domains import DAtom, DBool, DInt, DMap, DOption, DRecord, DSet, DTuple
from ...models.lower import lower_block
from ..symbolic import Unencodable
from ..terms import FALSE, TRUE, And, If, Not
from .doms import (FBool, FFin, FInt, FMap, FOpt, FQuorum, FRec, FSeq, FSet, FSort, Sorts,
                   enumerable, refs_consts)
from .values import MapV, Opt, Rec, SeqV, SetV, Sc, Values


class Frame:
    """A state as values: variables (a process variable is a map over its instances)
    and the network (per message type a set, or for a bag the counts)."""

    def __init__(self, variables: dict, net: dict, counts: dict | None = None):
        self.variables = variables
        self.net = net                 # message -> SetV (the messages present)
        self.counts = counts or {}     # bag: message -> fn(record value) -> Int term

    def var(self, v: ir.VarSym):
        found = self.variables.get(v)
        if found is None:       # a VarSym from another elaboration (a proof file): by name
            found = next(x for k, x in self.variables.items()
                         if k.name == v.name and k.process == v.process)
        return found

    def sent(self, message: str) -> SetV:
        return self.net[message]

    def copy(self) -> "Frame":
        return Frame(dict(self.variables), dict(self.net), dict(self.counts))


class AnyModel:
    def __init__(self, loaded, check: ir.CheckIR, overrides: dict, sort_names: tuple[str, ...]):
        self.loaded = loaded
        self.typed = loaded.typed
        self.check, self.overrides = check, overrides
        self.system = lower_block(self.typed, check, overrides)
        self.ctx = self.system.context
        consts = {c.name: c for c in self.typed.consts}
        for name in sort_names:
            if name not in consts:
                raise Unencodable(f"'{name}' is not a constant of the spec", None)
        self.sort_names = sort_names
        self.sorts = Sorts(sort_names)
        self.values = Values(self.sorts)
        self._records: dict = {}
        self._consts: dict = {}
        self.unchecked_bounds: set[str] = set()   # size-dependent range bounds
        self.uses_quorums: set[str] = set()
        self.quorum_conds: dict = {}     # sort -> (condition on len(q), q's local)
        self.size_dependent = {c.name for c in self.typed.consts if c.name not in sort_names
                               and refs_consts(c.value, self.typed) & set(sort_names)}
        net = self.typed.network
        if net is not None:
            kind, options, span, partitions = net
            if kind == "fifo" or partitions is not None:
                raise Unencodable("a fifo or partitioned network in an any-size proof", span)
            # `lossy(C)` / `duplicating(C)` as the instance switches them
            options = self.system.network.options if self.system.network is not None else options
            self.bag = kind == "bag"
            self.lossy = self.bag and "lossy" in options
            self.duplicating = self.bag and "duplicating" in options
        else:
            self.bag = self.lossy = self.duplicating = False
        self.processes = {p.name: p for p in self.typed.processes}

    # ---- domains -------------------------------------------------------------------------

    def dom_of_atoms(self, sort: str):
        if sort in self.sort_names:
            return FSort(sort)
        return FFin(sort, self.ctx.atom_dom(sort).names)

    def dom_of_type(self, t, span: Span | None = None):
        if isinstance(t, BoolT):
            return FBool()
        if isinstance(t, IntT):
            return FInt()
        if isinstance(t, AtomT):
            return self.dom_of_atoms(t.sort)
        if isinstance(t, RecordT):
            return self.record(t.name, span)
        if isinstance(t, TupleT):
            return FRec("", tuple(("", self.dom_of_type(x, span)) for x in t.items))
        if isinstance(t, SetT):
            return FSet(self.dom_of_type(t.elem, span))
        if isinstance(t, MapT):
            return FMap(self.dom_of_type(t.key, span), self.dom_of_type(t.value, span))
        if isinstance(t, OptionT):
            return FOpt(self.dom_of_type(t.elem, span))
        if isinstance(t, NoneT):
            return FOpt(FBool())
        if isinstance(t, SeqT):         # a literal's own length bounds it (see SeqLitE)
            return FSeq(self.dom_of_type(t.elem, span), 0)
        raise Unencodable(f"a value of type {t} in an any-size proof", span)

    def dom_of_texpr(self, t: ir.TypeExpr):
        if isinstance(t, ir.TBool):
            return FBool()
        if isinstance(t, ir.TRange):
            hi = self._bound(t.hi)
            hi_of = t.hi.name if hi is None and isinstance(t.hi, ir.ConstRef) else None
            return FInt(self._bound(t.lo), hi, hi_of)
        if isinstance(t, ir.TIntSet):
            if isinstance(t.set, ir.ConstRef) and t.set.name in self.sort_names:
                return FSort(t.set.name)
            values = self._finite(t.set)
            return FInt(min(values), max(values)) if values else FInt(0, -1)
        if isinstance(t, ir.TAtom):
            return self.dom_of_atoms(t.sort)
        if isinstance(t, ir.TRecord):
            return self.record(t.name, t.span)
        if isinstance(t, ir.TTuple):
            return FRec("", tuple(("", self.dom_of_texpr(x)) for x in t.items))
        if isinstance(t, ir.TSet):
            return FSet(self.dom_of_texpr(t.elem))
        if isinstance(t, ir.TMap):
            return FMap(self.dom_of_texpr(t.key), self.dom_of_texpr(t.value))
        if isinstance(t, ir.TOption):
            return FOpt(self.dom_of_texpr(t.elem))
        if isinstance(t, ir.TSeq):
            if t.maxlen is None:
                raise Unencodable("a sequence without a length bound in an any-size proof",
                                  t.span)
            n = self._bound(t.maxlen)
            if n is None:
                raise Unencodable("a sequence whose length bound depends on the size of a "
                                  "sort in an any-size proof", t.maxlen.span)
            return FSeq(self.dom_of_texpr(t.elem), n)
        raise Unencodable(f"the type {t.type} in an any-size proof", t.span)

    def _bound(self, e) -> int | None:
        refs = refs_consts(e, self.typed) & (set(self.sort_names) | self.size_dependent)
        if refs:                 # depends on the size of a sort: not checked
            self.unchecked_bounds.update(refs & self.size_dependent or refs)
            return None
        value, _ = self.ctx.evaluate(e)
        return value

    def _finite(self, e) -> list:
        if refs_consts(e, self.typed) & (set(self.sort_names) | self.size_dependent):
            raise Unencodable("a set of integers whose size depends on a sort", e.span)
        value, dom = self.ctx.evaluate(e)
        return list(dom.members(value)) if isinstance(dom, DSet) else list(value)

    def record(self, name: str, span=None) -> FRec:
        if name not in self._records:
            sym = self.typed.records[name]
            self._records[name] = FRec(name, tuple((f, self.dom_of_texpr(t))
                                                   for f, t in sym.fields))
        return self._records[name]

    def instance_dom(self, p: ir.ProcessIR):
        """The domain of a process's instances (None: a single instance)."""
        if p.domain is None:
            return None
        if isinstance(p.domain, ir.ConstRef) and p.domain.name in self.sort_names:
            return FSort(p.domain.name)
        value, dom = self.ctx.evaluate(p.domain)
        members = dom.members(value)
        if isinstance(dom.elem, DAtom):
            return self.dom_of_atoms(dom.elem.sort)
        return FInt(min(members), max(members))

    # ---- constants -------------------------------------------------------------------------

    def constant(self, name: str, span: Span):
        if name in self._consts:
            return self._consts[name]
        if name in self.sort_names:
            v = self.values.universe(FSort(name))
        elif name in self.size_dependent:
            value, dom = self.ctx.const_value(name)
            if not isinstance(dom, DInt):
                raise Unencodable(f"the constant '{name}', computed from the size of a sort",
                                  span)
            v = Sc(z3.Int(f"{name}<any size>"), FInt())
        else:
            value, dom = self.ctx.const_value(name)
            v = self.runtime(value, dom, span)
        self._consts[name] = v
        return v

    def runtime(self, value, dom, span):
        """A value of the compiled model as a symbolic value."""
        if isinstance(dom, DBool):
            return Sc(z3.BoolVal(value), FBool())
        if isinstance(dom, DInt):
            return Sc(z3.IntVal(value), FInt(dom.lo, dom.hi))
        if isinstance(dom, DAtom):
            d = self.dom_of_atoms(dom.sort)
            if isinstance(d, FSort):
                raise Unencodable(f"a constant holding a model value of {dom.sort}", span)
            return Sc(z3.IntVal(value), d)
        if isinstance(dom, (DRecord, DTuple)):
            fields = dom.fields if isinstance(dom, DRecord) else [("", d) for d in dom.items]
            off = dom.offset if isinstance(dom, DRecord) else 0
            items = tuple(self.runtime(value[off + i], d, span) for i, (_, d) in
                          enumerate(fields))
            fdom = self.record(dom.name) if isinstance(dom, DRecord) else \
                FRec("", tuple(("", x.dom) for x in items))
            return Rec(items, fdom)
        if isinstance(dom, DOption):
            if value == ():
                return self.values.none(FOpt(self._fdom(dom.elem)))
            inner = self.runtime(value, dom.elem, span)
            return Opt(TRUE, inner, FOpt(inner.dom))
        if isinstance(dom, DSet):
            elem = self._fdom(dom.elem)
            universe = self.values.universe(elem).items
            members = dom.members(value)
            if universe is not None and len(members) == len(universe):
                return self.values.universe(elem)
            items = tuple((TRUE, self.runtime(x, dom.elem, span)) for x in members)
            return SetV(FSet(elem), lambda x: z3.Or(FALSE, *(self.values.eq(x, y)
                                                              for _, y in items)), items)
        if isinstance(dom, DMap):
            keys = dom.key.values()
            table = [(self.runtime(k, dom.key, span), self.runtime(x, dom.value, span))
                     for k, x in zip(keys, value)]

            def get(k):
                out = table[-1][1]
                for key, x in reversed(table[:-1]):
                    out = self.values.ite(self.values.eq(k, key), x, out)
                return out
            return MapV(FMap(self._fdom(dom.key), self._fdom(dom.value)), get)
        raise Unencodable(f"a constant of type {dom.describe()} in an any-size proof", span)

    def _fdom(self, dom):
        if isinstance(dom, DBool):
            return FBool()
        if isinstance(dom, DInt):
            return FInt(dom.lo, dom.hi)
        if isinstance(dom, DAtom):
            return self.dom_of_atoms(dom.sort)
        if isinstance(dom, DRecord):
            return self.record(dom.name)
        if isinstance(dom, DTuple):
            return FRec("", tuple(("", self._fdom(d)) for d in dom.items))
        if isinstance(dom, DOption):
            return FOpt(self._fdom(dom.elem))
        if isinstance(dom, DSet):
            return FSet(self._fdom(dom.elem))
        if isinstance(dom, DMap):
            return FMap(self._fdom(dom.key), self._fdom(dom.value))
        raise Unencodable(f"a value of type {dom.describe()} in an any-size proof")

    # ---- values checked against their declared domain ----------------------------------------

    def conform(self, v, dom, ev, span):
        """`v` where a value of `dom` is stored: its integer leaves must lie in their
        declared ranges (a run-time error otherwise, as in the explicit engine)."""
        if isinstance(dom, FOpt) and not isinstance(v, Opt):
            v = Opt(TRUE, v, dom)
        if isinstance(v, Sc) and isinstance(dom, (FInt, FFin)):
            if isinstance(dom, FInt) and dom.hi_of is not None:
                ev.sized.append((ev.reach, v.term, dom.hi_of))
            ok = self.values.range_facts(Sc(v.term, dom))
            if not z3.is_true(z3.simplify(ok)):
                ev.error(Not(ok), span, f"a value outside {dom.describe()}")
            return Sc(v.term, dom)
        if isinstance(v, Rec) and isinstance(dom, FRec):
            return Rec(tuple(self.conform(x, d, ev, span) for x, (_, d) in
                             zip(v.items, dom.fields)), dom)
        if isinstance(v, Opt) and isinstance(dom, FOpt):
            with ev.under(v.some):
                val = self.conform(v.val, dom.elem, ev, span)
            return Opt(v.some, val, dom)
        if isinstance(v, SeqV) and isinstance(dom, FSeq):
            if len(v.items) > dom.maxlen:
                ev.error(v.length > dom.maxlen, span, f"a value outside {dom.describe()}")
            v = self.values.fit(v, dom)
            items = []
            for j, x in enumerate(v.items):
                with ev.under(v.length > j):
                    items.append(self.conform(x, dom.elem, ev, span))
            return SeqV(v.length, tuple(items), dom)
        return v

    # ---- quorums -----------------------------------------------------------------------------

    def quorum_pattern(self, e: ir.SetCompE, ev, env):
        """The quorums of a sort, when `e` is `{q for q in subsets(S) if C}` with C implying
        that q holds more than half of S; None for any other comprehension."""
        if len(e.gens) != 1 or not isinstance(e.elem, ir.LocalRef):
            return None
        g = e.gens[0]
        if e.elem.local is not g.local or g.cond is None:
            return None
        dom = g.domain
        if not (isinstance(dom, ir.Op) and dom.op == "subsets" and
                isinstance(dom.args[0], ir.ConstRef) and dom.args[0].name in self.sort_names):
            return None
        sort = dom.args[0].name
        if not _majority(g.cond, g.local, sort):
            raise Unencodable(f"subsets of {sort} other than majority quorums (the condition "
                              f"must imply 2 * len(q) > len({sort}))", e.span)
        self.uses_quorums.add(sort)
        self.quorum_conds.setdefault(sort, (g.cond, g.local))
        return SetV(FSet(FQuorum(sort)), lambda q: TRUE)

    def majority_test(self, sort: str, op: str, bound: ir.E, span):
        """`len(S) >= bound` (or `>`) on a set S of `sort`: the bound must make S a
        majority (Z3 checks it), then its quorums are those of the test."""
        k, n = z3.Int("k"), z3.Int("n")
        k_local = ir.Local("k", bound.type)
        size = ir.Op(bound.type, bound.span, "len", (ir.LocalRef(bound.type, bound.span,
                                                                 k_local),))
        cond = ir.Op(bound.type, span, op, (size, self._inline(bound)))
        if not _majority(cond, k_local, sort):
            raise Unencodable(f"len(S) {'>=' if op == 'ge' else '>'} this bound, on a set of "
                              f"{sort}: only a majority bound (implying 2 * len(S) > "
                              f"len({sort})) is encoded, as \"S contains a quorum\"", span)
        sizes = [self.quorum_sizes_of(cond, k_local, sort, n) for n in range(1, 8)]
        if sort in self.quorum_conds:
            old, local = self.quorum_conds[sort]
            if sizes != [self.quorum_sizes_of(old, local, sort, n) for n in range(1, 8)]:
                raise Unencodable(f"two different majority tests on {sort} (the quorums of "
                                  f"a sort must be one system)", span)
        self.uses_quorums.add(sort)
        self.quorum_conds.setdefault(sort, (cond, k_local))

    def _inline(self, e: ir.E) -> ir.E:
        """`e` with the constants computed from a sort's size replaced by their
        definitions (down to len(sort) and integers)."""
        consts = {c.name: c for c in self.typed.consts}
        if isinstance(e, ir.ConstRef) and e.name in self.size_dependent:
            return self._inline(consts[e.name].value)
        if isinstance(e, ir.Op):
            return ir.Op(e.type, e.span, e.op, tuple(self._inline(x) for x in e.args))
        return e

    def quorum_sizes_of(self, cond, local, sort, n) -> list[int]:
        c = _size_formula(cond, local, sort, z3.Int("k"), z3.IntVal(n))
        return [r for r in range(n + 1)
                if z3.is_true(z3.simplify(z3.substitute(c, (z3.Int("k"), z3.IntVal(r)))))]

    def quorum_set(self, q: Sc) -> SetV:
        _, mem = self.sorts.quorum_of(q.dom.of)
        return SetV(FSet(FSort(q.dom.of)), lambda a: mem(a.term, q.term))

    def axioms(self) -> list:
        """Any two quorums of a sort intersect."""
        out = []
        for sort in sorted(self.uses_quorums):
            qs, mem = self.sorts.quorum_of(sort)
            q1, q2 = z3.Const("q1!ax", qs), z3.Const("q2!ax", qs)
            a = z3.Const("a!ax", self.sorts.z3[sort])
            out.append(z3.ForAll([q1, q2], z3.Exists([a], z3.And(mem(a, q1), mem(a, q2)))))
        return out


    def quorum_sizes(self, sort: str, n: int) -> list[int]:
        """The sizes of the quorums of `sort` in an instance of n elements (those the
        spec's condition admits: majorities, or e.g. only the smallest ones)."""
        cond, local = self.quorum_conds[sort]
        c = _size_formula(cond, local, sort, z3.Int("k"), z3.IntVal(n))
        return [r for r in range(n + 1)
                if z3.is_true(z3.simplify(z3.substitute(c, (z3.Int("k"), z3.IntVal(r)))))]


def _majority(cond: ir.E, local: ir.Local, sort: str) -> bool:
    """Does `cond` (over len(q) and len(S)) imply 2 * len(q) > len(S)?  Decided by Z3
    with k = len(q), n = len(S), 0 <= k <= n."""
    k, n = z3.Int("k"), z3.Int("n")
    try:
        c = _size_formula(cond, local, sort, k, n)
    except (ValueError, z3.Z3Exception):
        return False
    s = z3.Solver()
    s.add(k >= 0, k <= n, n >= 1, c, 2 * k <= n)
    return s.check() == z3.unsat


def _size_formula(cond: ir.E, local: ir.Local, sort: str, k, n):
    """`cond` as a Z3 formula over k = len(q) and n = len(S) (ValueError: not of that
    form)."""
    def tr(e):
        if isinstance(e, ir.IntC):
            return z3.IntVal(e.value)
        if isinstance(e, ir.Op):
            if e.op == "len":
                a = e.args[0]
                if isinstance(a, ir.LocalRef) and a.local is local:
                    return k
                if isinstance(a, ir.ConstRef) and a.name == sort:
                    return n
                raise ValueError
            args = [tr(x) for x in e.args]
            ops = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b,
                   "mul": lambda a, b: a * b, "floordiv": lambda a, b: a / b,
                   "eq": lambda a, b: a == b, "ne": lambda a, b: a != b,
                   "lt": lambda a, b: a < b, "le": lambda a, b: a <= b,
                   "gt": lambda a, b: a > b, "ge": lambda a, b: a >= b,
                   "and": lambda *xs: z3.And(*xs), "or": lambda *xs: z3.Or(*xs),
                   "not": lambda a: z3.Not(a)}
            if e.op not in ops:
                raise ValueError
            return ops[e.op](*args)
        raise ValueError

    return tr(cond)
