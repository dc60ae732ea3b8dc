"""Unions of sets of model values of different constants: `Readers | Writers`.

The model values of two constants are of two types (sorts).  Where values of
several such sorts meet, in `|`, `&`, `-`, `^`, a set comparison, `==`, `!=` or
`in`, they are widened to their *union sort*: a type whose values are the values
of every part, in the order the constants are declared (`Readers|Writers`).  A
union sort is also a type (`var who: Readers | Writers`, `set[Readers | Writers]`).
A value of a part is stored where its union is expected, never the other way.

A value of one sort is never equal to a value of another (even of the same
name: `Readers.r2` and `Writers.r2` are two values), so `Readers & Writers` is
empty.  Widening is the IR operator `inject` (`Op(type=union, "inject", (x,))`
for an atom or a set of atoms); the explicit checker renumbers the value,
the Z3 engines refuse it (SL801).  Only constants of model values take part, not
enums: an enum is a closed type of its own.
"""

from __future__ import annotations

from ..diagnostics import fail as err
from . import ast as A
from . import ir
from .types import AtomT, OptionT, SeqT, SetT, Type

SEP = "|"


def parts(sort: str) -> tuple[str, ...]:
    """The constants of a (union) sort: `Readers|Writers` -> (Readers, Writers)."""
    return tuple(sort.split(SEP))


def _model_sorts(r, t: Type) -> tuple[str, ...] | None:
    """The constants of model values whose union is atom type `t` (None: not one)."""
    if not isinstance(t, AtomT):
        return None
    ps = parts(t.sort)
    return ps if all(p in r.model_sorts for p in ps) else None


def union_sort(r, *sorts: tuple[str, ...]) -> AtomT:
    """The union of several sorts' parts, in declaration order."""
    wanted = {p for s in sorts for p in s}
    return AtomT(SEP.join(p for p in r.model_sorts if p in wanted))


def union_of(c, a: Type, b: Type) -> AtomT | None:
    """The union of two atom types of constants of model values (None: not such)."""
    sa, sb = _model_sorts(c.r, a), _model_sorts(c.r, b)
    return union_sort(c.r, sa, sb) if sa is not None and sb is not None else None


def widen(e: ir.E, target: Type) -> ir.E:
    """`e` (an atom or a set of atoms of a part) as a value of the union `target`."""
    if e.type == target:
        return e
    return ir.Op(target, e.span, "inject", (e,))


def _elem(t: Type) -> Type:
    return t.elem if isinstance(t, SetT) else t


def widen_operands(c, op: str, a: ir.E, b: ir.E) -> tuple[ir.E, ir.E]:
    """Both operands of a binary operator over atoms (or sets of atoms) of two sorts of
    model values, widened to their union; unchanged when they are not such."""
    ta, tb = a.type, b.type
    if op == "+":                       # q + [Writers.w1]: a literal's elements widened
        return _widen_literal(c, a, tb), _widen_literal(c, b, ta)
    if op in ("in", "not in"):
        if not isinstance(tb, SetT):
            return a, b
        ea, eb = ta, tb.elem
    elif op in ("==", "!="):
        if isinstance(ta, SetT) != isinstance(tb, SetT):
            return a, b
        ea, eb = _elem(ta), _elem(tb)
    elif op in ("|", "&", "-", "^", "<", "<=", ">", ">="):
        if not (isinstance(ta, SetT) and isinstance(tb, SetT)):
            return a, b
        ea, eb = ta.elem, tb.elem
    else:
        return a, b
    # an option of a union (`pick: (Readers | Writers)?`) meets a part's value: the
    # part is widened, the option kept (an option of a part is not widened: SL301)
    oa, ob = isinstance(ea, OptionT), isinstance(eb, OptionT)
    ea, eb = (ea.elem if oa else ea), (eb.elem if ob else eb)
    sa, sb = _model_sorts(c.r, ea), _model_sorts(c.r, eb)
    if sa is None or sb is None or ea == eb:
        return a, b
    u = union_sort(c.r, sa, sb)
    if (oa and ea != u) or (ob and eb != u):
        return a, b
    wa = a if oa else widen(a, SetT(u) if isinstance(ta, SetT) else u)
    wb = b if ob else widen(b, SetT(u) if isinstance(tb, SetT) else u)
    return wa, wb


def _widen_literal(c, e: ir.E, other: Type) -> ir.E:
    """A sequence literal of parts' values next to a sequence of their union, as one of
    the union (other sequences are not widened)."""
    if not (isinstance(e, ir.SeqLitE) and isinstance(other, SeqT) and e.items):
        return e
    u = other.elem
    if _model_sorts(c.r, u) is None:
        return e
    items = [widen_to(c, i, u) or i for i in e.items]
    if any(i.type != u for i in items):
        return e
    return ir.SeqLitE(SeqT(u), e.span, tuple(items))


def widen_to(c, got: ir.E, expected: Type) -> ir.E | None:
    """`got` stored where a union of its sort is expected (an assignment, an argument,
    an initial value), widened; None when that is not the case."""
    if isinstance(expected, OptionT) and not isinstance(got.type, OptionT):
        expected = expected.elem          # stored in an option of the union: as the union
    g, x = _elem(got.type), _elem(expected)
    if isinstance(got.type, SetT) != isinstance(expected, SetT) or g == x:
        return None
    sg, sx = _model_sorts(c.r, g), _model_sorts(c.r, x)
    if sg is None or sx is None or not set(sg) <= set(sx):
        return None
    return widen(got, expected)


def union_type_expr(c, e: A.Binary) -> ir.TypeExpr:
    """The type `Readers | Writers` (each side a constant of model values or a union)."""
    sides = []
    for side in (e.left, e.right):
        t = c.type_expr(side)
        ps = _model_sorts(c.r, t.type)
        if ps is None:
            err("SL105", f"a union type joins sets of model values; {t.type} is not one",
                side.span, hint="declare the values as a constant: const Readers = {r1, r2}")
        sides.append(ps)
    u = union_sort(c.r, *sides)
    return ir.TAtom(u, e.span, u.sort)


def places(source: str, target: str, size) -> list[int]:
    """Where each value of sort `source` (a part or a union of parts of `target`) is in
    the union sort `target`, given each part's number of values `size(part)`."""
    offset, start = 0, {}
    for p in parts(target):
        start[p] = offset
        offset += size(p)
    return [start[p] + i for p in parts(source) for i in range(size(p))]
