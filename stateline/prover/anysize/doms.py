"""First-order domains of an any-size encoding, derived from the spec's declared types.

A constant is a *sort* when the proof names it (`any size NAME`) or, by default,
when it is a `symmetric` set of model values or the instance set of a process:
its elements become the elements of an uninterpreted Z3 sort, of every size at
once.  A spec may only compare such elements for equality, quantify over them and
use them as keys, fields and set elements; arithmetic or order on them, a
literal model value of them, or `len` of a set of them (other than the majority
quorum pattern) is refused with its location.  Every other constant keeps the
value of the check block's instance; a constant computed from the size of a sort
(`len(Procs) * 2`) has no single value and becomes an unknown integer.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import z3

from ...diagnostics import Span
from ...lang import ir
from ..symbolic import Unencodable


@dataclass(frozen=True)
class FBool:
    def describe(self):
        return "bool"


@dataclass(frozen=True)
class FInt:
    lo: int | None = None
    hi: int | None = None
    hi_of: str | None = None     # the upper bound is this constant, which depends on the
                                 # size of a sort (unbounded in the proof; CTIs respect it)

    def describe(self):
        return "int" if self.lo is None or self.hi is None else f"{self.lo}..{self.hi}"


@dataclass(frozen=True)
class FFin:
    """A finite set of model values or enum values: an Int index 0..n-1."""
    sort: str
    names: tuple[str, ...]

    def describe(self):
        return self.sort


@dataclass(frozen=True)
class FSort:
    """An any-size sort: an uninterpreted Z3 sort."""
    name: str

    def describe(self):
        return self.name


@dataclass(frozen=True)
class FQuorum:
    """The majority quorums of a sort: a sort with a membership relation."""
    of: str

    def describe(self):
        return f"quorums of {self.of}"


@dataclass(frozen=True)
class FRec:
    name: str                       # "" for a tuple
    fields: tuple[tuple[str, object], ...]

    def describe(self):
        return self.name or "(" + ", ".join(d.describe() for _, d in self.fields) + ")"


@dataclass(frozen=True)
class FOpt:
    elem: object

    def describe(self):
        return f"{self.elem.describe()}?"


@dataclass(frozen=True)
class FSeq:
    """A sequence of at most `maxlen` elements (a fixed bound, never a sort's size): a
    length and one value per position, those at or after the length canonical."""
    elem: object
    maxlen: int

    def describe(self):
        return f"seq[{self.elem.describe()}, {self.maxlen}]"


@dataclass(frozen=True)
class FSet:
    elem: object

    def describe(self):
        return f"set[{self.elem.describe()}]"


@dataclass(frozen=True)
class FMap:
    key: object
    value: object

    def describe(self):
        return f"map[{self.key.describe()}, {self.value.describe()}]"


SCALARS = (FBool, FInt, FFin, FSort, FQuorum)
ENUM_LIMIT = 64          # a finite domain up to this size is unrolled, not quantified


class Sorts:
    """The Z3 sorts of an encoding and the scalar leaves of every domain."""

    def __init__(self, names: tuple[str, ...]):
        self.names = names
        self.z3 = {n: z3.DeclareSort(n) for n in names}
        self.quorum = {}          # sort name -> (Z3 sort, membership function)

    def quorum_of(self, name: str):
        if name not in self.quorum:
            q = z3.DeclareSort(f"Quorum<{name}>")
            mem = z3.Function(f"member<{name}>", self.z3[name], q, z3.BoolSort())
            self.quorum[name] = (q, mem)
        return self.quorum[name]

    def leaf_sorts(self, dom) -> list:
        """The Z3 sorts of the leaves of a value of `dom` (a set or map has none: it is
        a predicate or function, never a leaf)."""
        if isinstance(dom, FBool):
            return [z3.BoolSort()]
        if isinstance(dom, (FInt, FFin)):
            return [z3.IntSort()]
        if isinstance(dom, FSort):
            return [self.z3[dom.name]]
        if isinstance(dom, FQuorum):
            return [self.quorum_of(dom.of)[0]]
        if isinstance(dom, FRec):
            return [s for _, d in dom.fields for s in self.leaf_sorts(d)]
        if isinstance(dom, FOpt):
            return [z3.BoolSort()] + self.leaf_sorts(dom.elem)
        if isinstance(dom, FSeq):
            return [z3.IntSort()] + self.leaf_sorts(dom.elem) * dom.maxlen
        raise Unencodable(f"a value of type {dom.describe()} as a key, field or set element "
                          f"in an any-size proof")


def enumerable(dom) -> list | None:
    """Every value of a small finite domain (as Python data: bools, ints, tuples), or None."""
    if isinstance(dom, FBool):
        return [False, True]
    if isinstance(dom, FInt):
        if dom.lo is None or dom.hi is None or dom.hi - dom.lo + 1 > ENUM_LIMIT:
            return None
        return list(range(dom.lo, dom.hi + 1))
    if isinstance(dom, FFin):
        return list(range(len(dom.names))) if len(dom.names) <= ENUM_LIMIT else None
    if isinstance(dom, FOpt):
        inner = enumerable(dom.elem)
        return None if inner is None or len(inner) >= ENUM_LIMIT else [None] + inner
    if isinstance(dom, FSeq):
        inner = enumerable(dom.elem)
        if inner is None or sum(len(inner) ** n for n in range(dom.maxlen + 1)) > ENUM_LIMIT:
            return None
        return [tuple(x) for n in range(dom.maxlen + 1)
                for x in itertools.product(inner, repeat=n)]
    if isinstance(dom, FRec):
        out = [()]
        for _, d in dom.fields:
            vals = enumerable(d)
            if vals is None or len(out) * len(vals) > ENUM_LIMIT:
                return None
            out = [x + (v,) for x in out for v in vals]
        return out
    return None


def sort_constants(typed: ir.TypedSpec, named: tuple[str, ...] | None,
                   block_symmetric: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The constants treated as any-size sorts: those `named`, else the symmetric ones
    (the spec's and the check block's) and the instance sets of processes."""
    if named is not None:
        return named
    out = [c.name for c in typed.consts if c.symmetric or c.name in block_symmetric]
    for p in typed.processes:
        if isinstance(p.domain, ir.ConstRef) and p.domain.name not in out:
            out.append(p.domain.name)
    return tuple(out)


def refs_consts(e, typed: ir.TypedSpec) -> set[str]:
    """The constants an expression refers to, through other constants' definitions."""
    consts = {c.name: c for c in typed.consts}
    seen: set[str] = set()
    todo = [e]
    while todo:
        n = todo.pop()
        if isinstance(n, ir.ConstRef) and n.name not in seen:
            seen.add(n.name)
            if n.name in consts:
                todo.append(consts[n.name].value)
        todo.extend(ir.children(n))
    return seen


def refuse(what: str, span: Span | None):
    raise Unencodable(what, span)
