"""Static types of the spec language.

These are the types the checker of a spec reasons with: sizes and integer
bounds are not part of them (constants can be overridden per check block).
`models.domains` gives each static type its concrete, finite meaning for one
instance.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass


class Type(abc.ABC):
    @abc.abstractmethod
    def show(self) -> str:
        """The type as written in a spec."""

    def __str__(self) -> str:
        return self.show()


@dataclass(frozen=True)
class BoolT(Type):
    def show(self):
        return "bool"


@dataclass(frozen=True)
class IntT(Type):
    def show(self):
        return "int"


@dataclass(frozen=True)
class AtomT(Type):
    """An enum or a set of model values: `sort` is the declaring name."""

    sort: str

    def show(self):
        return self.sort.replace("|", " | ")      # a union of sorts (lang/unions.py)


@dataclass(frozen=True)
class RecordT(Type):
    name: str
    is_message: bool = False

    def show(self):
        return self.name


@dataclass(frozen=True)
class TupleT(Type):
    items: tuple[Type, ...]

    def show(self):
        return "(" + ", ".join(t.show() for t in self.items) + ("," if len(self.items) == 1 else "") + ")"


@dataclass(frozen=True)
class SetT(Type):
    elem: Type

    def show(self):
        return f"set[{self.elem.show()}]"


@dataclass(frozen=True)
class MapT(Type):
    key: Type
    value: Type

    def show(self):
        return f"map[{self.key.show()}, {self.value.show()}]"


@dataclass(frozen=True)
class SeqT(Type):
    elem: Type

    def show(self):
        return f"seq[{self.elem.show()}]"


@dataclass(frozen=True)
class OptionT(Type):
    elem: Type

    def show(self):
        inner = self.elem.show()
        return f"({inner})?" if " | " in inner else f"{inner}?"


@dataclass(frozen=True)
class NoneT(Type):
    """The type of the literal `none` before it meets an option type."""

    def show(self):
        return "none"


@dataclass(frozen=True)
class UnknownT(Type):
    """Element type of `{}` and `[]` before context fixes it."""

    def show(self):
        return "?"


@dataclass(frozen=True)
class NodeT(Type):
    """A process instance, e.g. `Acceptor[a1]` (only as a `send ... to` target)."""

    process: str

    def show(self):
        return f"node {self.process}"


BOOL = BoolT()
INT = IntT()
NONE = NoneT()
UNKNOWN = UnknownT()


def join(a: Type, b: Type) -> Type | None:
    """The least type containing both, or None if they are incompatible."""
    if a == b:
        return a
    if isinstance(a, UnknownT):
        return b
    if isinstance(b, UnknownT):
        return a
    if isinstance(a, NoneT) and isinstance(b, OptionT):
        return b
    if isinstance(b, NoneT) and isinstance(a, OptionT):
        return a
    if isinstance(a, NoneT) and not isinstance(b, NoneT):
        return OptionT(b) if not isinstance(b, OptionT) else b
    if isinstance(b, NoneT):
        return OptionT(a)
    if isinstance(a, OptionT) and not isinstance(b, OptionT):
        j = join(a.elem, b)
        return OptionT(j) if j is not None else None
    if isinstance(b, OptionT) and not isinstance(a, OptionT):
        j = join(a, b.elem)
        return OptionT(j) if j is not None else None
    if type(a) is not type(b):
        return None
    if isinstance(a, OptionT):
        j = join(a.elem, b.elem)
        return OptionT(j) if j is not None else None
    if isinstance(a, SetT):
        j = join(a.elem, b.elem)
        return SetT(j) if j is not None else None
    if isinstance(a, SeqT):
        j = join(a.elem, b.elem)
        return SeqT(j) if j is not None else None
    if isinstance(a, MapT):
        k, v = join(a.key, b.key), join(a.value, b.value)
        return MapT(k, v) if k is not None and v is not None else None
    if isinstance(a, TupleT) and len(a.items) == len(b.items):
        items = [join(x, y) for x, y in zip(a.items, b.items)]
        return None if any(i is None for i in items) else TupleT(tuple(items))
    return None


def assignable(value: Type, target: Type) -> bool:
    """Can a value of type `value` be stored where `target` is expected?

    An option accepts its element type and `none`; an option value is accepted
    where its element type is expected (unwrapped with a run-time check).
    """
    if value == target:
        return True
    j = join(value, target)
    if j is None:
        return False
    if j == target:
        return True
    if isinstance(value, OptionT) and j == value and join(value.elem, target) == target:
        return True
    return False


def contains_unknown(t: Type) -> bool:
    if isinstance(t, UnknownT):
        return True
    for sub in getattr(t, "__dict__", {}).values():
        if isinstance(sub, Type) and contains_unknown(sub):
            return True
        if isinstance(sub, tuple) and any(isinstance(x, Type) and contains_unknown(x) for x in sub):
            return True
    return False
