"""Symbolic values: the Z3 counterpart of the runtime values of `models.domains`.

A symbolic value ("Sym") has the shape of a runtime value with Z3 terms at the
leaves:

===============  ===============================================================
bool             a Z3 Bool
int, enum, model a Z3 Int (an enum or model value is its index, as at run time)
option T?        `SOpt(some, val)`; when `some` is false `val` is T's default
record, message  `STup(items, rec)`; a message's tag is `rec.tag`, not an item
tuple            `STup(items, None)`
set[T]           `SBits`: one Bool per value of T's finite universe (canonical
                 order), or `SList`: guarded elements `(guard, value)`, for
                 intermediate sets whose universe is not known (sets of ints
                 computed from state); duplicates are allowed in a `SList`
map[K, V]        `SMap`: one value per key of K's universe
seq[T, N]        `SSeq(length, items)`; items at or beyond the length are T's default
===============  ===============================================================

State slots always hold the canonical form for their `Dom` (`conform`), so two
states are equal exactly when their leaves are (`flatten`).  The leaves are built
with the folding constructors of `terms`, which keeps the terms of an unrolled
action small.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import z3

from ..models.domains import (DAtom, DBool, DInt, DMap, DMsg, DOption, DRecord, DSeq, DSet,
                              DTuple, Dom, sort_key)
from .terms import (FALSE, TRUE, And, Bool, Eq, If, Implies, Int, Not, Or, is_false, is_true,
                    literal, on_fresh_context)

UNIVERSE_LIMIT = 4096      # sets over larger universes are not encoded as one Bool per value


class Unencodable(Exception):
    """A construct the Z3 encoding does not support (reported with its location)."""

    def __init__(self, what: str, span=None):
        super().__init__(what)
        self.what = what
        self.span = span


# ---- symbolic values ---------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SOpt:
    some: object
    val: object


@dataclass(frozen=True, eq=False)
class STup:
    items: tuple
    rec: DRecord | None = None


@dataclass(frozen=True, eq=False)
class SBits:
    univ: "Universe"
    bits: tuple


@dataclass(frozen=True, eq=False)
class SList:
    items: tuple            # ((guard, value), ...)


@dataclass(frozen=True, eq=False)
class SMap:
    key: Dom                # a finite key domain; entries follow key.values()
    entries: tuple
    vdom: Dom | None = None  # the declared value domain, when known


@dataclass(frozen=True, eq=False)
class SSeq:
    length: object
    items: tuple            # len(items) bounds the length


@dataclass(frozen=True, eq=False)
class SNet:
    """A network: per possible message, a Bool (set) or an Int count (bag).

    A bag whose messages carry their sender (a network with partitions) has one row
    of counts per sender: `senders` rows (the environment, then each node in
    `System.nodes` order), message j of sender row r at `cells[r * size + j]`."""

    dom: DMsg
    cells: tuple
    counts: bool
    senders: int = 0

    @property
    def size(self) -> int:
        return len(self.cells) // max(1, self.senders)

    def copies(self, j: int) -> list:
        """The cells of message j, one per sender row."""
        if not self.senders:
            return [self.cells[j]]
        n = self.size
        return [self.cells[r * n + j] for r in range(self.senders)]

    def with_cells(self, cells) -> "SNet":
        return SNet(self.dom, tuple(cells), self.counts, self.senders)


SETS = (SBits, SList)


class Universe:
    """The values of a finite domain, in canonical order, with their positions."""

    def __init__(self, dom: Dom):
        self.dom = dom
        self.values = tuple(dom.values())
        self.index = {v: i for i, v in enumerate(self.values)}
        self._lifted = None

    @property
    def lifted(self) -> tuple:
        if self._lifted is None:
            self._lifted = tuple(lift(v, self.dom) for v in self.values)
        return self._lifted

    def __len__(self):
        return len(self.values)


@functools.lru_cache(maxsize=None)
def universe(dom: Dom) -> Universe | None:
    """The universe of a finite domain small enough to give one Bool per value."""
    if dom.size is None or dom.size > UNIVERSE_LIMIT:
        return None
    if isinstance(dom, DInt) and (dom.lo is None or dom.hi is None):
        return None
    return Universe(dom)


on_fresh_context(universe.cache_clear)       # a Universe keeps its values' terms


def int_universe(lo: int, hi: int) -> Universe | None:
    """The integers lo..hi as a universe (None when there are too many)."""
    if hi - lo + 1 > UNIVERSE_LIMIT:
        return None
    return universe(DInt(lo, hi))


# ---- constants, defaults, fresh variables ---------------------------------------------------


def lift(v, dom: Dom):
    """The Sym of runtime value `v` of domain `dom`."""
    if isinstance(dom, DBool):
        return Bool(v)
    if isinstance(dom, (DInt, DAtom)):
        return Int(v)
    if isinstance(dom, DOption):
        if v == ():
            return SOpt(FALSE, default(dom.elem))
        return SOpt(TRUE, lift(v, dom.elem))
    if isinstance(dom, DMsg):
        return lift(v, dom.records[v[0]])
    if isinstance(dom, DRecord):
        off = dom.offset
        return STup(tuple(lift(v[off + i], d) for i, (_, d) in enumerate(dom.fields)), dom)
    if isinstance(dom, DTuple):
        return STup(tuple(lift(x, d) for x, d in zip(v, dom.items)))
    if isinstance(dom, DSet):
        members = dom.members(v)
        u = universe(dom.elem)
        if u is not None:
            inside = set(members)
            return SBits(u, tuple(Bool(x in inside) for x in u.values))
        return SList(tuple((TRUE, lift(x, dom.elem)) for x in members))
    if isinstance(dom, DMap):
        return SMap(dom.key, tuple(lift(x, dom.value) for x in v), dom.value)
    if isinstance(dom, DSeq):
        return SSeq(Int(len(v)), tuple(lift(x, dom.elem) for x in v))
    raise Unencodable(f"values of {dom.describe()}")


def default(dom: Dom):
    """The representative value used where a value is absent (none, beyond a length)."""
    if isinstance(dom, DBool):
        return FALSE
    if isinstance(dom, DInt):
        return Int(dom.lo if dom.lo is not None else 0)
    if isinstance(dom, DAtom):
        return Int(0)
    if isinstance(dom, DOption):
        return SOpt(FALSE, default(dom.elem))
    if isinstance(dom, DRecord):
        return STup(tuple(default(d) for _, d in dom.fields), dom)
    if isinstance(dom, DTuple):
        return STup(tuple(default(d) for d in dom.items))
    if isinstance(dom, DSet):
        u = universe(dom.elem)
        return SBits(u, (FALSE,) * len(u)) if u is not None else SList(())
    if isinstance(dom, DMap):
        return SMap(dom.key, tuple(default(dom.value) for _ in range(dom.key.size)), dom.value)
    if isinstance(dom, DSeq):
        return SSeq(Int(0), tuple(default(dom.elem) for _ in range(dom.maxlen or 0)))
    if isinstance(dom, DMsg):
        return default(dom.records[0])
    raise Unencodable(f"values of {dom.describe()}")


def fresh(dom: Dom, name: str, facts: list):
    """A Sym of fresh Z3 constants for a value of `dom`; its type facts go to `facts`."""
    if isinstance(dom, DBool):
        return z3.Bool(name)
    if isinstance(dom, DInt):
        x = z3.Int(name)
        if dom.lo is not None:
            facts.append(x >= dom.lo)
        if dom.hi is not None:
            facts.append(x <= dom.hi)
        return x
    if isinstance(dom, DAtom):
        x = z3.Int(name)
        facts.append(x >= 0)
        facts.append(x < dom.size)
        return x
    if isinstance(dom, DOption):
        some = z3.Bool(f"{name}?")
        val = fresh(dom.elem, f"{name}!", facts)
        facts.append(Implies(Not(some), eq(val, default(dom.elem))))
        return SOpt(some, val)
    if isinstance(dom, DMsg):
        raise Unencodable("a value of any message type")
    if isinstance(dom, DRecord):
        return STup(tuple(fresh(d, f"{name}.{f}", facts) for f, d in dom.fields), dom)
    if isinstance(dom, DTuple):
        return STup(tuple(fresh(d, f"{name}[{i}]", facts) for i, d in enumerate(dom.items)))
    if isinstance(dom, DSet):
        u = universe(dom.elem)
        if u is None:
            raise Unencodable(f"a set over {dom.elem.describe()} (more than "
                              f"{UNIVERSE_LIMIT:,} possible elements)")
        return SBits(u, tuple(z3.Bool(f"{dom.elem.show(v)} in {name}") for v in u.values))
    if isinstance(dom, DMap):
        return SMap(dom.key, tuple(fresh(dom.value, f"{name}[{dom.key.show(k)}]", facts)
                                   for k in dom.key.values()), dom.value)
    if isinstance(dom, DSeq):
        n = z3.Int(f"len({name})")
        facts.extend([n >= 0, n <= dom.maxlen])
        items = tuple(fresh(dom.elem, f"{name}[{i}]", facts) for i in range(dom.maxlen))
        for i, x in enumerate(items):
            facts.append(Implies(n <= i, eq(x, default(dom.elem))))
        return SSeq(n, items)
    raise Unencodable(f"values of {dom.describe()}")


def flatten(v, dom: Dom) -> list:
    """The leaves of a canonical Sym of `dom`, in a fixed order."""
    if isinstance(dom, (DBool, DInt, DAtom)):
        return [v]
    if isinstance(v, SNet):
        return list(v.cells)
    if isinstance(dom, DOption):
        return [v.some] + flatten(v.val, dom.elem)
    if isinstance(dom, DRecord):
        return [x for it, (_, d) in zip(v.items, dom.fields) for x in flatten(it, d)]
    if isinstance(dom, DTuple):
        return [x for it, d in zip(v.items, dom.items) for x in flatten(it, d)]
    if isinstance(dom, DSet):
        return list(v.bits)
    if isinstance(dom, DMap):
        return [x for e in v.entries for x in flatten(e, dom.value)]
    if isinstance(dom, DSeq):
        return [v.length] + [x for it in v.items for x in flatten(it, dom.elem)]
    raise Unencodable(f"values of {dom.describe()}")


def unflatten(leaves, dom: Dom):
    """Rebuild a canonical Sym of `dom` from an iterator of leaves (inverse of flatten)."""
    if isinstance(dom, (DBool, DInt, DAtom)):
        return next(leaves)
    if isinstance(dom, DOption):
        some = next(leaves)
        return SOpt(some, unflatten(leaves, dom.elem))
    if isinstance(dom, DRecord):
        return STup(tuple(unflatten(leaves, d) for _, d in dom.fields), dom)
    if isinstance(dom, DTuple):
        return STup(tuple(unflatten(leaves, d) for d in dom.items))
    if isinstance(dom, DSet):
        u = universe(dom.elem)
        return SBits(u, tuple(next(leaves) for _ in range(len(u))))
    if isinstance(dom, DMap):
        return SMap(dom.key, tuple(unflatten(leaves, dom.value) for _ in range(dom.key.size)),
                    dom.value)
    if isinstance(dom, DSeq):
        n = next(leaves)
        return SSeq(n, tuple(unflatten(leaves, dom.elem) for _ in range(dom.maxlen)))
    raise Unencodable(f"values of {dom.describe()}")


def concrete(v, dom: Dom, ev):
    """The runtime value of a canonical Sym, reading leaves with `ev` (a model's eval)."""
    if isinstance(dom, DBool):
        return bool(is_true(ev(v)))
    if isinstance(dom, (DInt, DAtom)):
        return ev(v).as_long()
    if isinstance(dom, DOption):
        return concrete(v.val, dom.elem, ev) if is_true(ev(v.some)) else ()
    if isinstance(dom, DRecord):
        head = () if dom.tag is None else (dom.tag,)
        return head + tuple(concrete(x, d, ev) for x, (_, d) in zip(v.items, dom.fields))
    if isinstance(dom, DTuple):
        return tuple(concrete(x, d, ev) for x, d in zip(v.items, dom.items))
    if isinstance(dom, DSet):
        members = [u for u, b in zip(v.univ.values, v.bits) if is_true(ev(b))]
        if dom.mask:
            m = 0
            for u in members:
                m |= 1 << dom.elem.bit(u)
            return m
        return frozenset(members)
    if isinstance(dom, DMap):
        return tuple(concrete(x, dom.value, ev) for x in v.entries)
    if isinstance(dom, DSeq):
        n = ev(v.length).as_long()
        return tuple(concrete(x, dom.elem, ev) for x in v.items[:n])
    raise Unencodable(f"values of {dom.describe()}")


# ---- structural operations ------------------------------------------------------------------


def is_set(v) -> bool:
    return isinstance(v, SETS)


def elements(s) -> list:
    """(guard, element Sym, runtime value or None) for each possible element of a set."""
    if isinstance(s, SBits):
        return [(b, x, u) for b, x, u in zip(s.bits, s.univ.lifted, s.univ.values)
                if not is_false(b)]
    return [(g, x, None) for g, x in s.items if not is_false(g)]


def member(x, s):
    """Is Sym `x` an element of set `s`?"""
    if isinstance(s, SBits):
        key = const_value(x, s.univ.dom)
        if key is not _NOT_CONST:
            i = s.univ.index.get(key)
            return s.bits[i] if i is not None else FALSE
        return Or(*(And(b, eq(x, u)) for b, u in zip(s.bits, s.univ.lifted)
                    if not is_false(b)))
    return Or(*(And(g, eq(x, e)) for g, e in s.items))


def subset(a, b):
    if isinstance(a, SBits) and isinstance(b, SBits) and a.univ is b.univ:
        return And(*(Implies(x, y) for x, y in zip(a.bits, b.bits)))
    return And(*(Implies(g, member(x, b)) for g, x, _ in elements(a)))


def as_bits(s, u: Universe):
    """Set `s` restricted to universe `u` (elements outside `u` are dropped)."""
    if isinstance(s, SBits) and s.univ is u:
        return s
    if isinstance(s, SBits):
        return SBits(u, tuple(s.bits[s.univ.index[v]] if v in s.univ.index else FALSE
                              for v in u.values))
    cells = [[] for _ in range(len(u))]
    for g, x in s.items:
        key = const_value(x, u.dom)
        if key is not _NOT_CONST:
            i = u.index.get(key)
            if i is not None:
                cells[i].append(g)
        else:
            for i, y in enumerate(u.lifted):
                c = eq(x, y)
                if not is_false(c):
                    cells[i].append(And(g, c))
    return SBits(u, tuple(Or(*c) for c in cells))


def outside(s, u: Universe):
    """Does set `s` have an element outside universe `u`?"""
    if isinstance(s, SBits):
        if s.univ is u:
            return FALSE
        return Or(*(b for v, b in zip(s.univ.values, s.bits) if v not in u.index))
    return Or(*(And(g, Not(member(x, SBits(u, (TRUE,) * len(u))))) for g, x in s.items))


def eq(a, b):
    """Runtime equality of two Syms (of joinable types)."""
    if isinstance(a, SOpt) or isinstance(b, SOpt):
        if not isinstance(a, SOpt):
            return And(b.some, eq(a, b.val))
        if not isinstance(b, SOpt):
            return And(a.some, eq(a.val, b))
        return Or(And(Not(a.some), Not(b.some)), And(a.some, b.some, eq(a.val, b.val)))
    if isinstance(a, STup):
        if a.rec is not None and b.rec is not None and a.rec.name != b.rec.name:
            return FALSE
        return And(*(eq(x, y) for x, y in zip(a.items, b.items)))
    if is_set(a):
        if isinstance(a, SBits) and isinstance(b, SBits) and a.univ is b.univ:
            return And(*(Eq(x, y) for x, y in zip(a.bits, b.bits)))
        return And(subset(a, b), subset(b, a))
    if isinstance(a, SMap):
        return And(*(eq(x, y) for x, y in zip(a.entries, b.entries)))
    if isinstance(a, SSeq):
        n = max(len(a.items), len(b.items))
        parts = [Eq(a.length, b.length)]
        for i in range(n):
            if i < len(a.items) and i < len(b.items):
                parts.append(Implies(a.length > i, eq(a.items[i], b.items[i])))
        return And(*parts)
    return Eq(a, b)


def ite(c, a, b):
    """If-then-else over Syms of the same type."""
    if is_true(c):
        return a
    if is_false(c):
        return b
    if a is b:
        return a
    if isinstance(a, SOpt) or isinstance(b, SOpt):
        a = a if isinstance(a, SOpt) else SOpt(TRUE, a)
        b = b if isinstance(b, SOpt) else SOpt(TRUE, b)
        return SOpt(If(c, a.some, b.some), ite(c, a.val, b.val))
    if isinstance(a, STup):
        return STup(tuple(ite(c, x, y) for x, y in zip(a.items, b.items)), a.rec)
    if is_set(a):
        if isinstance(a, SBits) and isinstance(b, SBits) and a.univ is b.univ:
            return SBits(a.univ, tuple(If(c, x, y) for x, y in zip(a.bits, b.bits)))
        nc = Not(c)
        return SList(tuple((And(c, g), x) for g, x, _ in elements(a)) +
                     tuple((And(nc, g), x) for g, x, _ in elements(b)))
    if isinstance(a, SMap):
        return SMap(a.key, tuple(ite(c, x, y) for x, y in zip(a.entries, b.entries)), a.vdom)
    if isinstance(a, SSeq):
        n = max(len(a.items), len(b.items))
        items = []
        for i in range(n):
            x = a.items[i] if i < len(a.items) else b.items[i]
            y = b.items[i] if i < len(b.items) else a.items[i]
            items.append(ite(c, x, y))
        return SSeq(If(c, a.length, b.length), tuple(items))
    if isinstance(a, SNet):
        return a.with_cells(If(c, x, y) for x, y in zip(a.cells, b.cells))
    return If(c, a, b)


def select(options: list, fallback):
    """The value of the first (condition, value) pair whose condition holds, else fallback."""
    out = fallback
    for c, v in reversed(options):
        out = ite(c, v, out)
    return out


def concat_options(a_items: tuple, b_items: tuple, longer, exactly) -> list[list]:
    """The items of `a ++ b`, for sequences of at most len(a_items) and len(b_items)
    items: for each index j, the (condition, item) pairs it may be, the last one taken
    when no other condition holds (see `select`).  `longer(j)` is the term "a has more
    than j items", `exactly(i)` "a has i items" (the finite and the any-size encodings
    build their terms each its own way)."""
    out = []
    for j in range(len(a_items) + len(b_items)):
        options = []
        if j < len(a_items):
            options.append((longer(j), a_items[j]))
        for k, y in enumerate(b_items):
            if 0 <= j - k <= len(a_items):
                options.append((exactly(j - k), y))
        out.append(options)
    return out


_NOT_CONST = object()
NOT_CONST = _NOT_CONST


def const_value(v, dom: Dom):
    """The runtime value of a Sym whose leaves are all literals, else NOT_CONST."""
    try:
        return _const(v, dom)
    except _NotConst:
        return _NOT_CONST


class _NotConst(Exception):
    """A term whose value is not known while encoding."""


def _lit(x):
    if not z3.is_expr(x):
        raise _NotConst()
    v = literal(x)
    if v is None:
        raise _NotConst()
    return v


def _const(v, dom: Dom):
    if isinstance(dom, DBool):
        return bool(_lit(v))
    if isinstance(dom, (DInt, DAtom)):
        if isinstance(v, (SOpt, STup)) or not z3.is_int(v):
            raise _NotConst()
        return _lit(v)
    if isinstance(dom, DOption):
        if not isinstance(v, SOpt):
            return _const(v, dom.elem)
        return _const(v.val, dom.elem) if _lit(v.some) else ()
    if isinstance(dom, DMsg):
        if not isinstance(v, STup) or v.rec is None:
            raise _NotConst()
        return _const(v, v.rec)
    if isinstance(dom, DRecord):
        if not isinstance(v, STup) or (v.rec is not None and v.rec.name != dom.name):
            raise _NotConst()
        head = () if dom.tag is None else (dom.tag,)
        return head + tuple(_const(x, d) for x, (_, d) in zip(v.items, dom.fields))
    if isinstance(dom, DTuple):
        if not isinstance(v, STup) or len(v.items) != len(dom.items):
            raise _NotConst()
        return tuple(_const(x, d) for x, d in zip(v.items, dom.items))
    if isinstance(dom, DSet):
        if not is_set(v):
            raise _NotConst()
        members = set()
        for g, x, u in elements(v):
            if _lit(g):
                members.add(u if u is not None else _const(x, dom.elem))
        if dom.mask:
            m = 0
            for u in members:
                m |= 1 << dom.elem.bit(u)
            return m
        return frozenset(members)
    if isinstance(dom, DMap):
        if not isinstance(v, SMap):
            raise _NotConst()
        return tuple(_const(x, dom.value) for x in v.entries)
    if isinstance(dom, DSeq):
        if not isinstance(v, SSeq):
            raise _NotConst()
        n = _lit(v.length)
        return tuple(_const(x, dom.elem) for x in v.items[:n])
    raise _NotConst()


def sorted_universe(u: Universe) -> list[int]:
    """Positions of a universe in `sort_key` order (the order frozensets iterate in)."""
    return sorted(range(len(u.values)), key=lambda i: sort_key(u.values[i]))
