"""Scoped value names: `Kind.c`, `Node.none` and the quoted `none`.

An enum's values and a constant's model values belong to their type (their
"sort"): two enums, or an enum and a set of model values, may use the same value
name.  `resolve` records such a name in `Resolved.ambiguous`; written alone it
is an error at the use (SL212, naming every declaration), and written qualified,
`Sort.name`, it is that sort's value.  A qualified name is also how a value
whose name is a keyword is read (`Node.none`); a quoted name (`` `none` ``) is
the same value written alone.
"""

from __future__ import annotations

from ..diagnostics import Span, did_you_mean, fail as err
from . import ast as A
from . import ir
from .resolve import Resolved
from .types import AtomT


def sort_values(r: Resolved, sort: str) -> tuple[str, ...] | None:
    """The value names of an enum or of a constant of model values (None: not a sort)."""
    if sort in r.enums:
        return tuple(m.name for m in r.enums[sort].members)
    if sort in r.model_sorts:
        return tuple(m.name for m in r.model_sorts[sort])
    return None


def _kind(r: Resolved, sort: str) -> str:
    return "enum value" if sort in r.enums else "model value"


def refuse_ambiguous(r: Resolved, name: str, span: Span):
    """An unqualified use of a value name that several sorts declare (SL212)."""
    sides = r.ambiguous[name]
    listing = " and ".join(f"the {_kind(r, s)} '{name}' of '{s}'" for s, _ in sides)
    err("SL212", f"'{name}' is ambiguous: {listing}", span,
        hint="qualify it: " + " or ".join(f"{s}.{name}" for s, _ in sides),
        notes=tuple(f"'{s}.{name}' declared at {sp}" for s, sp in sides))


def qualified_value(c, e: A.Attr) -> ir.E | None:
    """`Sort.name` as the value `name` of the enum or model-value constant `Sort`, or
    None when the base is not such a sort (a record's field, a process's variable)."""
    b = e.base
    if not isinstance(b, A.Name) or any(b.id in s for s in c.scopes):
        return None
    values = sort_values(c.r, b.id)
    if values is None:
        return None
    if e.name not in values:
        err("SL203", f"{'enum' if b.id in c.r.enums else 'constant'} '{b.id}' has no value "
                     f"'{e.name}'", e.span, hint=did_you_mean(e.name, values))
    return ir.AtomC(AtomT(b.id), e.span, b.id, e.name)

